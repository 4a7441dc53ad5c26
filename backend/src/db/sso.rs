//! Single sign-on: sign-ins under way at the identity provider, and the users it vouches for.

use shared::api::Role;
use sqlx::Row;

use super::users::{USER_COLUMNS, join_arrays, user_from_row};
use super::{Database, DbError, User};

/// A sign-in under way, as the provider's answer is checked against it.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub nonce: String,
    pub verifier: String,
    pub created_at: i64,
}

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
    /// Records a sign-in under way, unless `limit` begun since `stale_before` are still under
    /// way (`false`), so that nobody can grow the table by asking to sign in over and over.
    pub async fn begin_sign_in(
        &self,
        state_hash: &str,
        nonce: &str,
        verifier: &str,
        now: i64,
        (stale_before, limit): (i64, i64),
    ) -> Result<bool, DbError> {
        sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
            .bind(stale_before)
            .execute(&self.pool)
            .await?;
        let under_way: i64 = sqlx::query("SELECT COUNT(*) FROM oidc_logins")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if under_way >= limit {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO oidc_logins (state_hash, nonce, verifier, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(state_hash)
        .bind(nonce)
        .bind(verifier)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// Takes the sign-in `state_hash` names: it can be taken once. Sign-ins begun before
    /// `stale_before` are swept away meanwhile.
    pub async fn take_sign_in(
        &self,
        state_hash: &str,
        stale_before: i64,
    ) -> Result<Option<PendingSignIn>, DbError> {
        sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
            .bind(stale_before)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query(
            "DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING nonce, verifier, created_at",
        )
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(PendingSignIn {
                nonce: row.try_get(0)?,
                verifier: row.try_get(1)?,
                created_at: row.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Records the provider's user with the role, arrays and array username its claims give
    /// now: made at the first sign-in, brought up to date at each. A local user of the same
    /// name is never taken over ([`DbError::UserExists`]).
    pub async fn sso_user(&self, sso: &SsoUser<'_>, now: i64) -> Result<User, DbError> {
        let existing = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sso_subject = $1"
        ))
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
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.sso_subject = $1"
        ))
        .bind(sso.subject)
        .fetch_one(&self.pool)
        .await?;
        user_from_row(&row)
    }
}
