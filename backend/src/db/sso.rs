//! Single sign-on: the users the identity provider vouches for, and stops vouching for.

use shared::api::Role;
use sqlx::AssertSqlSafe;

use super::users::{USER_COLUMNS, join_arrays, user_from_row};
use super::{Database, DbError, User};

/// Who the provider says signed in, as the portal will know them.
#[derive(Debug, Clone)]
pub struct SsoUser<'a> {
    pub username: &'a str,
    /// `issuer#subject`.
    pub subject: &'a str,
    pub role: Role,
    pub arrays: Option<&'a [String]>,
    pub array_username: Option<&'a str>,
}

/// What no password hash can be, so a user of the provider never signs in with a password.
const NO_PASSWORD: &str = "!sso";

impl Database {
    /// Records the provider's user with the role, arrays and array username its claims give
    /// now: made at the first sign-in, brought up to date at each. A local user of the same
    /// name is never taken over ([`DbError::UserExists`]).
    pub async fn sso_user(&self, sso: &SsoUser<'_>, now: i64) -> Result<User, DbError> {
        let existing = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sso_subject = $1"
        )))
        .bind(sso.subject)
        .fetch_optional(&self.pool)
        .await?;
        match existing.as_ref().map(user_from_row).transpose()? {
            Some(user) => {
                sqlx::query(
                    "UPDATE users SET role = $1, arrays = $2, array_username = $3 WHERE id = $4",
                )
                .bind(sso.role.as_str())
                .bind(join_arrays(sso.arrays))
                .bind(sso.array_username)
                .bind(user.id)
                .execute(&self.pool)
                .await?;
            }
            None => {
                let inserted = sqlx::query(
                    "INSERT INTO users (username, password_hash, role, disabled, arrays, array_username, created_at, sso_subject) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(sso.username)
                .bind(NO_PASSWORD)
                .bind(sso.role.as_str())
                .bind(false)
                .bind(join_arrays(sso.arrays))
                .bind(sso.array_username)
                .bind(now)
                .bind(sso.subject)
                .execute(&self.pool)
                .await;
                match inserted {
                    Ok(_) => {}
                    Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                        return Err(DbError::UserExists(sso.username.to_owned()));
                    }
                    Err(error) => return Err(error.into()),
                }
            }
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sso_subject = $1"
        )))
        .bind(sso.subject)
        .fetch_one(&self.pool)
        .await?;
        user_from_row(&row)
    }

    /// Disables the provider's user `subject` names, ends their sessions and revokes their
    /// personal API tokens, at once: the provider no longer puts them in any group that may
    /// use the portal. The user as they were, if the portal knows them.
    pub async fn disable_sso_user(&self, subject: &str) -> Result<Option<User>, DbError> {
        let mut transaction = self.pool.begin().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sso_subject = $1"
        )))
        .bind(subject)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(user) = row.as_ref().map(user_from_row).transpose()? else {
            return Ok(None);
        };
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(true)
            .bind(user.id)
            .execute(&mut *transaction)
            .await?;
        for table in ["sessions", "api_tokens"] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE user_id = $1"
            )))
            .bind(user.id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(Some(user))
    }
}
