//! Personal API tokens, stored by the SHA-256 of their secret like sessions.

use shared::api::{Role, TokenSummary};
use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::users::{USER_COLUMN_COUNT, USER_COLUMNS, join_arrays, split_arrays, user_from_row};
use super::{Database, DbError, User};

/// What a token allows, as the gate needs it: at most its user's role and arrays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub arrays: Option<Vec<String>>,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_from: Option<String>,
}

/// A token about to be stored.
#[derive(Clone)]
pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub role: Role,
    pub arrays: Option<&'a [String]>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for NewToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("token_hash", &"<redacted>")
            .field("role", &self.role)
            .field("arrays", &self.arrays)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The token columns after a user's, in [`grant_from_row`]'s order.
pub(super) const GRANT_COLUMNS: &str =
    "t.id, t.name, t.role, t.arrays, t.expires_at, t.last_used_at, t.last_used_from";

/// A grant from the row's columns starting at `first`, when the token column there is set.
pub(super) fn grant_from_row(row: &AnyRow, first: usize) -> Result<Option<TokenGrant>, DbError> {
    let Some(id) = row.try_get::<Option<i64>, _>(first)? else {
        return Ok(None);
    };
    let role: String = row.try_get(first + 2)?;
    Ok(Some(TokenGrant {
        id,
        name: row.try_get(first + 1)?,
        role: Role::parse(&role).ok_or(DbError::BadValue(role))?,
        arrays: split_arrays(row.try_get(first + 3)?),
        expires_at: row.try_get(first + 4)?,
        last_used_at: row.try_get(first + 5)?,
        last_used_from: row.try_get(first + 6)?,
    }))
}

impl Database {
    /// Stores a token; [`DbError::TokenExists`] when its user has one of that name.
    pub async fn create_token(&self, token: &NewToken<'_>) -> Result<i64, DbError> {
        let inserted = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, role, arrays, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(token.user_id)
        .bind(token.name)
        .bind(token.token_hash)
        .bind(token.role.as_str())
        .bind(join_arrays(token.arrays))
        .bind(token.created_at)
        .bind(token.expires_at)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(row) => Ok(row.try_get(0)?),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(DbError::TokenExists(token.name.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The user's tokens, or everyone's with `None`, newest first.
    pub async fn tokens(&self, user_id: Option<i64>) -> Result<Vec<TokenSummary>, DbError> {
        let sql = format!(
            "SELECT u.username, t.created_at, {GRANT_COLUMNS} FROM api_tokens t \
             JOIN users u ON u.id = t.user_id {} ORDER BY t.id DESC",
            if user_id.is_some() {
                "WHERE t.user_id = $1"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(user_id) = user_id {
            query = query.bind(user_id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let grant = grant_from_row(row, 2)?.ok_or(DbError::BadValue("token".into()))?;
                Ok(TokenSummary {
                    id: grant.id,
                    username: row.try_get(0)?,
                    name: grant.name,
                    role: grant.role,
                    arrays: grant.arrays,
                    created_at: row.try_get(1)?,
                    expires_at: grant.expires_at,
                    last_used_at: grant.last_used_at,
                    last_used_from: grant.last_used_from,
                })
            })
            .collect()
    }

    pub async fn count_tokens_of(&self, user_id: i64) -> Result<i64, DbError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// The token with this hash and its user.
    pub async fn token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(User, TokenGrant)>, DbError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, {GRANT_COLUMNS} FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let grant =
            grant_from_row(&row, USER_COLUMN_COUNT)?.ok_or(DbError::BadValue("token".into()))?;
        Ok(Some((user_from_row(&row)?, grant)))
    }

    /// Token `id` of user `user_id`, if it is still there.
    pub async fn token_grant(&self, id: i64, user_id: i64) -> Result<Option<TokenGrant>, DbError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {GRANT_COLUMNS} FROM api_tokens t WHERE t.id = $1 AND t.user_id = $2"
        )))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| grant_from_row(&row, 0))
            .transpose()
            .map(Option::flatten)
    }

    /// The user who holds token `id`.
    pub async fn token_owner(&self, id: i64) -> Result<Option<User>, DbError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Records a token's use; `false` when the token no longer exists.
    pub async fn touch_token(&self, id: i64, now: i64, address: &str) -> Result<bool, DbError> {
        let touched = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1, last_used_from = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(address)
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(touched > 0)
    }

    /// Revokes a token and ends the sessions opened with it.
    pub async fn delete_token(&self, id: i64) -> Result<bool, DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE api_token_id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        let deleted = sqlx::query("DELETE FROM api_tokens WHERE id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        transaction.commit().await?;
        Ok(deleted > 0)
    }
}
