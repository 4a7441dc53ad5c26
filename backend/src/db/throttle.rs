//! Failed sign-ins, counted per subject (a username, a client address) over a window.

use sqlx::Row;

use super::{Database, DbError};

impl Database {
    /// Records a failure and forgets failures older than `window_start`.
    pub async fn record_login_failure(
        &self,
        subject: &str,
        now: i64,
        window_start: i64,
    ) -> Result<(), DbError> {
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(window_start)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO login_failures (subject, at) VALUES ($1, $2)")
            .bind(subject)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many failures `subject` has had since `window_start`, and the earliest of them.
    pub async fn login_failures(
        &self,
        subject: &str,
        window_start: i64,
    ) -> Result<(i64, Option<i64>), DbError> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(at) FROM login_failures WHERE subject = $1 AND at >= $2",
        )
        .bind(subject)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    pub async fn clear_login_failures(&self, subject: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM login_failures WHERE subject = $1")
            .bind(subject)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
