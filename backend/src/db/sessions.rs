//! Server-side sessions, stored by the SHA-256 of their token.

use sqlx::AssertSqlSafe;
use sqlx::Row;

use super::tokens::{GRANT_COLUMNS, TokenGrant, grant_from_row};
use super::users::{USER_COLUMN_COUNT, USER_COLUMNS, user_from_row};
use super::{Database, DbError, User};

/// A session and its user, as looked up by token hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The API token the session was opened with, whose limits it keeps.
    pub token: Option<TokenGrant>,
}

impl Database {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        api_token_id: Option<i64>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, api_token_id) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(now)
        .bind(api_token_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, DbError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.created_at, s.last_seen_at, {GRANT_COLUMNS} \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN api_tokens t ON t.id = s.api_token_id WHERE s.token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(SessionRecord {
                user: user_from_row(&row)?,
                created_at: row.try_get(USER_COLUMN_COUNT)?,
                last_seen_at: row.try_get(USER_COLUMN_COUNT + 1)?,
                token: grant_from_row(&row, USER_COLUMN_COUNT + 2)?,
            })
        })
        .transpose()
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a user; returns how many there were.
    pub async fn delete_sessions_of(&self, user_id: i64) -> Result<u64, DbError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Sessions a user has, as stored (expired ones go when next used).
    pub async fn count_sessions_of(&self, user_id: i64) -> Result<i64, DbError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// Sessions within both limits, whichever replica opened them.
    pub async fn count_open_sessions(
        &self,
        idle_since: i64,
        created_since: i64,
    ) -> Result<i64, DbError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM sessions WHERE last_seen_at >= $1 AND created_at >= $2",
        )
        .bind(idle_since)
        .bind(created_since)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    /// Deletes the sessions past either limit; the rest are open.
    pub async fn purge_expired_sessions(
        &self,
        idle_since: i64,
        created_since: i64,
    ) -> Result<u64, DbError> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(idle_since)
                .bind(created_since)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Ends all but the `keep` newest sessions opened with API token `token_id` (among those
    /// of the same second, any).
    pub async fn keep_newest_token_sessions(
        &self,
        token_id: i64,
        keep: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "DELETE FROM sessions WHERE api_token_id = $1 AND token_hash NOT IN \
             (SELECT token_hash FROM sessions WHERE api_token_id = $1 \
              ORDER BY created_at DESC, token_hash LIMIT $2)",
        )
        .bind(token_id)
        .bind(keep)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many sessions API token `token_id` has open.
    pub async fn count_token_sessions(&self, token_id: i64) -> Result<i64, DbError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM sessions WHERE api_token_id = $1")
                .bind(token_id)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }
}
