//! Sign-in attempts, counted per subject (a username, a client address, the two together)
//! over a window.

use sqlx::Row;

use super::{Database, DbError};

impl Database {
    /// Records one attempt against each of `subjects` in one transaction, and forgets
    /// attempts older than `window_start`.
    pub async fn record_login_attempt(
        &self,
        attempt: &str,
        subjects: &[&str],
        now: i64,
        window_start: i64,
    ) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(window_start)
            .execute(&mut *transaction)
            .await?;
        for subject in subjects {
            sqlx::query("INSERT INTO login_failures (subject, at, attempt) VALUES ($1, $2, $3)")
                .bind(*subject)
                .bind(now)
                .bind(attempt)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Takes back every row of one attempt.
    pub async fn forget_login_attempt(&self, attempt: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM login_failures WHERE attempt = $1")
            .bind(attempt)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many attempts `subject` has had since `window_start`, and the earliest of them.
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

    /// Forgets the failures of every subject that equals `subject` or starts with `prefix`.
    pub async fn clear_login_failures(&self, subject: &str, prefix: &str) -> Result<u64, DbError> {
        let pattern = format!("{}%", escape_like(prefix));
        let done = sqlx::query(
            "DELETE FROM login_failures WHERE subject = $1 OR subject LIKE $2 ESCAPE '\\'",
        )
        .bind(subject)
        .bind(pattern)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

/// `text` with LIKE's wildcards taken literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
