//! Portal users.

use shared::api::Role;
use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Database, DbError};

/// A portal user as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    /// The arrays the user may act on; `None`: every array.
    pub arrays: Option<Vec<String>>,
    /// The array username on arrays set up for per-user identity; `None`: the username.
    pub array_username: Option<String>,
    /// `issuer#subject` for a user who signs in through the identity provider.
    pub sso_subject: Option<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("arrays", &self.arrays)
            .field("array_username", &self.array_username)
            .field("sso_subject", &self.sso_subject)
            .finish()
    }
}

impl User {
    pub fn may_use_array(&self, array: &str) -> bool {
        self.arrays
            .as_ref()
            .is_none_or(|arrays| arrays.iter().any(|name| name == array))
    }

    /// Whether a user limited to `arrays` (`None`: every array) acts within this user's
    /// scope, as an admin limited to some arrays may only administer such users.
    pub fn scope_covers(&self, arrays: Option<&[String]>) -> bool {
        self.arrays.is_none()
            || arrays.is_some_and(|arrays| arrays.iter().all(|name| self.may_use_array(name)))
    }

    /// Who the user is on an array that uses per-user identity.
    pub fn identity_on_arrays(&self) -> &str {
        self.array_username.as_deref().unwrap_or(&self.username)
    }
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Clone, Default)]
pub struct UserUpdate {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
    pub arrays: Option<Option<Vec<String>>>,
    pub array_username: Option<Option<String>>,
}

impl std::fmt::Debug for UserUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserUpdate")
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("arrays", &self.arrays)
            .field("array_username", &self.array_username)
            .finish()
    }
}

/// `disabled` is read as a number: the `Any` driver decodes no SQLite boolean.
pub(super) const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, \
     CAST(CASE WHEN u.disabled THEN 1 ELSE 0 END AS BIGINT), u.arrays, u.array_username, \
     u.sso_subject";

/// How many columns [`USER_COLUMNS`] names: a query's own columns come after them.
pub(super) const USER_COLUMN_COUNT: usize = 8;

/// Stored as names joined by commas, which array names cannot hold.
pub(super) fn join_arrays(arrays: Option<&[String]>) -> Option<String> {
    arrays.map(|names| names.join(","))
}

pub(super) fn split_arrays(stored: Option<String>) -> Option<Vec<String>> {
    stored.map(|names| {
        names
            .split(',')
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// A row whose first columns are [`USER_COLUMNS`].
pub(super) fn user_from_row(row: &AnyRow) -> Result<User, DbError> {
    let role_text: String = row.try_get(3)?;
    Ok(User {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        password_hash: row.try_get(2)?,
        role: Role::parse(&role_text).ok_or(DbError::BadValue(role_text))?,
        disabled: row.try_get::<i64, _>(4)? != 0,
        arrays: split_arrays(row.try_get(5)?),
        array_username: row.try_get(6)?,
        sso_subject: row.try_get(7)?,
    })
}

impl Database {
    pub async fn count_users(&self) -> Result<i64, DbError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Admins who can still sign in.
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        now: i64,
    ) -> Result<User, DbError> {
        self.create_scoped_user(username, password_hash, role, None, None, now)
            .await
    }

    pub async fn create_scoped_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        arrays: Option<&[String]>,
        array_username: Option<&str>,
        now: i64,
    ) -> Result<User, DbError> {
        let inserted = sqlx::query(
            "INSERT INTO users (username, password_hash, role, disabled, arrays, array_username, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(false)
        .bind(join_arrays(arrays))
        .bind(array_username)
        .bind(now)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(row) => Ok(User {
                id: row.try_get(0)?,
                username: username.to_owned(),
                password_hash: password_hash.to_owned(),
                role,
                disabled: false,
                arrays: arrays.map(<[String]>::to_vec),
                array_username: array_username.map(str::to_owned),
                sso_subject: None,
            }),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(DbError::UserExists(username.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, DbError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"
        )))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Every user with the number of sessions open, by name.
    pub async fn users(&self) -> Result<Vec<(User, i64)>, DbError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id) \
             FROM users u ORDER BY u.username"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((user_from_row(row)?, row.try_get(USER_COLUMN_COUNT)?)))
            .collect()
    }

    /// Applies `update` in one transaction, refused as [`DbError::LastAdmin`] if it would
    /// leave no admin who can sign in. Disabling a user or changing their password ends their
    /// sessions and revokes their API tokens, in the same transaction. The admins' rows are
    /// locked first, so two changes that each demote one of the last two admins cannot both
    /// pass.
    pub async fn update_user(&self, id: i64, update: &UserUpdate) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("UPDATE users SET role = role WHERE role = 'admin'")
            .execute(&mut *transaction)
            .await?;
        if let Some(role) = update.role {
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        if let Some(disabled) = update.disabled {
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(disabled)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        if let Some(hash) = &update.password_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        if let Some(arrays) = &update.arrays {
            sqlx::query("UPDATE users SET arrays = $1 WHERE id = $2")
                .bind(join_arrays(arrays.as_deref()))
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        if let Some(array_username) = &update.array_username {
            sqlx::query("UPDATE users SET array_username = $1 WHERE id = $2")
                .bind(array_username.as_deref())
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        let active_admins: i64 =
            sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = $1")
                .bind(false)
                .fetch_one(&mut *transaction)
                .await?
                .try_get(0)?;
        if active_admins == 0 {
            return Err(DbError::LastAdmin);
        }
        if update.disabled == Some(true) || update.password_hash.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}
