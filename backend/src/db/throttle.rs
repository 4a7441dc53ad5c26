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
            sqlx::query(
                "INSERT INTO login_failures (subject, at, attempt, failed) VALUES ($1, $2, $3, 0)",
            )
            .bind(*subject)
            .bind(now)
            .bind(attempt)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Marks one attempt's rows as a failure.
    pub async fn settle_login_attempt(&self, attempt: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE login_failures SET failed = 1 WHERE attempt = $1")
            .bind(attempt)
            .execute(&self.pool)
            .await?;
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

    /// The attempts `subject` has had since `window_start`: failed or still running.
    pub async fn login_failures(
        &self,
        subject: &str,
        window_start: i64,
    ) -> Result<AttemptCount, DbError> {
        let row = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(failed), 0) AS BIGINT), \
             MIN(CASE WHEN failed = 1 THEN at END) \
             FROM login_failures WHERE subject = $1 AND at >= $2",
        )
        .bind(subject)
        .bind(window_start)
        .fetch_one(&self.pool)
        .await?;
        Ok(AttemptCount {
            attempts: row.try_get(0)?,
            failures: row.try_get(1)?,
            earliest_failure: row.try_get(2)?,
        })
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

/// One subject's attempts within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCount {
    /// Failed, and still running.
    pub attempts: i64,
    pub failures: i64,
    pub earliest_failure: Option<i64>,
}

/// `text` with LIKE's wildcards taken literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
