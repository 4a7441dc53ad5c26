//! Changes waiting for a second person's approval.

use shared::api::{ApprovalRequest, ApprovalState, MaintenanceWindow, Role};
use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::notifications::commit_announcing;
use super::{Announcement, Database, DbError};

/// A change about to wait for approval.
#[derive(Debug, Clone)]
pub struct NewApproval {
    pub requester_id: i64,
    pub requester: String,
    pub requester_role: Role,
    /// The personal API token it was asked with, whose limits bind it when it runs.
    pub api_token_id: Option<i64>,
    pub action: String,
    pub method: String,
    pub path: String,
    /// The request body as it will be sent again, sealed when the portal has a secret key.
    pub body: String,
    pub array: Option<String>,
    pub target: String,
    pub parameters: String,
    pub reason: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// A stored request with what running it needs.
#[derive(Debug, Clone)]
pub struct StoredApproval {
    pub request: ApprovalRequest,
    pub requester_id: i64,
    pub api_token_id: Option<i64>,
    pub body: String,
}

const COLUMNS: &str = "id, requester, requester_role, action, method, path, array_name, target, \
     parameters, reason, created_at_ms, expires_at_ms, state, decided_by, decided_at_ms, comment, \
     outcome_status, outcome_message, requester_id, body, api_token_id, window_starts_at_ms, \
     window_hours, cancelled_by";

fn from_row(row: &AnyRow, now_ms: i64) -> Result<StoredApproval, DbError> {
    let role: String = row.try_get(2)?;
    let stored: String = row.try_get(12)?;
    let expires_at_ms: i64 = row.try_get(11)?;
    let state = match ApprovalState::parse(&stored).ok_or(DbError::BadValue(stored))? {
        ApprovalState::Pending if now_ms >= expires_at_ms => ApprovalState::Expired,
        state => state,
    };
    let status: Option<i64> = row.try_get(16)?;
    let window_starts_at_ms: Option<i64> = row.try_get(21)?;
    let window_hours: Option<i64> = row.try_get(22)?;
    let window = window_starts_at_ms
        .zip(window_hours)
        .map(|(starts_at_ms, hours)| MaintenanceWindow {
            starts_at_ms,
            hours: u32::try_from(hours).unwrap_or(0),
        });
    Ok(StoredApproval {
        request: ApprovalRequest {
            id: row.try_get(0)?,
            requester: row.try_get(1)?,
            requester_role: Role::parse(&role).ok_or(DbError::BadValue(role))?,
            action: row.try_get(3)?,
            method: row.try_get(4)?,
            path: row.try_get(5)?,
            array: row.try_get(6)?,
            target: row.try_get(7)?,
            parameters: row.try_get(8)?,
            reason: row.try_get(9)?,
            created_at_ms: row.try_get(10)?,
            expires_at_ms,
            state,
            decided_by: row.try_get(13)?,
            decided_at_ms: row.try_get(14)?,
            comment: row.try_get(15)?,
            outcome_status: status.and_then(|status| u16::try_from(status).ok()),
            outcome_message: row.try_get(17)?,
            window,
            cancelled_by: row.try_get(23)?,
        },
        requester_id: row.try_get(18)?,
        body: row.try_get(19)?,
        api_token_id: row.try_get(20)?,
    })
}

/// What a change whose window ended before it could run records as its outcome.
pub const WINDOW_MISSED: &str =
    "Its maintenance window ended before the portal could run it; nothing ran.";

/// How a scheduled change ends without running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending<'a> {
    /// Someone cancelled it before its window.
    CancelledBy(&'a str),
    /// It could not run: its window passed, or its approver may no longer decide it.
    Failed(&'a str),
}

/// How a decision left a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This decision is the one that counts.
    Won,
    /// Someone decided first, or it expired: nothing changes.
    Lost,
}

impl Database {
    /// Records a held change, and the mail that tells its deciders of it, at once.
    pub async fn create_approval(
        &self,
        approval: &NewApproval,
        announcement: Option<&Announcement>,
    ) -> Result<i64, DbError> {
        let mut transaction = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO approval_requests (requester_id, requester, requester_role, action, method, path, body, \
             array_name, target, parameters, reason, created_at_ms, expires_at_ms, state, api_token_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14) RETURNING id",
        )
        .bind(approval.requester_id)
        .bind(&approval.requester)
        .bind(approval.requester_role.as_str())
        .bind(&approval.action)
        .bind(&approval.method)
        .bind(&approval.path)
        .bind(&approval.body)
        .bind(approval.array.as_deref())
        .bind(&approval.target)
        .bind(&approval.parameters)
        .bind(&approval.reason)
        .bind(approval.created_at_ms)
        .bind(approval.expires_at_ms)
        .bind(approval.api_token_id)
        .fetch_one(&mut *transaction)
        .await?;
        let id: i64 = row.try_get(0)?;
        let announcement = announcement.map(|announcement| Announcement {
            title: format!("Request #{id}"),
            ..announcement.clone()
        });
        commit_announcing(transaction, announcement.as_ref(), approval.created_at_ms).await?;
        Ok(id)
    }

    /// How many of the user's requests still wait: for a decision, or for their window.
    pub async fn count_pending_approvals_of(
        &self,
        requester_id: i64,
        now_ms: i64,
    ) -> Result<i64, DbError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM approval_requests WHERE requester_id = $1 \
             AND ((state = 'pending' AND expires_at_ms > $2) OR state = 'scheduled')",
        )
        .bind(requester_id)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    pub async fn approval(&self, id: i64, now_ms: i64) -> Result<Option<StoredApproval>, DbError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM approval_requests WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| from_row(&row, now_ms)).transpose()
    }

    /// The latest `limit` requests, newest first, and every pending or scheduled one.
    pub async fn approvals(
        &self,
        limit: i64,
        now_ms: i64,
    ) -> Result<Vec<ApprovalRequest>, DbError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM approval_requests \
             WHERE state IN ('pending', 'scheduled') \
             OR id > (SELECT COALESCE(MAX(id), 0) FROM approval_requests) - $1 \
             ORDER BY id DESC"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| from_row(row, now_ms).map(|stored| stored.request))
            .collect()
    }

    /// Moves a pending, unexpired request to `state` (`Scheduled` with its `window`),
    /// recording who decided; only one decision can win. A request running, executed, failed
    /// or rejected keeps its state. The winning decision's `announcement` is written with it.
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_approval(
        &self,
        id: i64,
        state: ApprovalState,
        window: Option<MaintenanceWindow>,
        decided_by: &str,
        comment: Option<&str>,
        now_ms: i64,
        announcement: Option<&Announcement>,
    ) -> Result<Claim, DbError> {
        let mut transaction = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE approval_requests SET state = $1, decided_by = $2, decided_at_ms = $3, comment = $4, \
             window_starts_at_ms = $6, window_hours = $7 \
             WHERE id = $5 AND state = 'pending' AND expires_at_ms > $3",
        )
        .bind(state.as_str())
        .bind(decided_by)
        .bind(now_ms)
        .bind(comment)
        .bind(id)
        .bind(window.map(|window| window.starts_at_ms))
        .bind(window.map(|window| i64::from(window.hours)))
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if claimed == 0 {
            transaction.rollback().await?;
            // Recorded as expired once someone tried to decide too late.
            sqlx::query(
                "UPDATE approval_requests SET state = 'expired', body = '' \
                 WHERE id = $1 AND state = 'pending' AND expires_at_ms <= $2",
            )
            .bind(id)
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
            return Ok(Claim::Lost);
        }
        if state == ApprovalState::Rejected {
            sqlx::query("UPDATE approval_requests SET body = '' WHERE id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        commit_announcing(transaction, announcement, now_ms).await?;
        Ok(Claim::Won)
    }

    /// Starts a scheduled change whose window is open at `now_ms`: only one start can win,
    /// whichever replica's job comes first.
    pub async fn start_scheduled(&self, id: i64, now_ms: i64) -> Result<Claim, DbError> {
        let started = sqlx::query(
            "UPDATE approval_requests SET state = 'running' \
             WHERE id = $1 AND state = 'scheduled' AND window_starts_at_ms <= $2 \
             AND window_starts_at_ms + window_hours * 3600000 > $2",
        )
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(if started == 1 {
            Claim::Won
        } else {
            Claim::Lost
        })
    }

    /// Ends a scheduled change unrun, as `ending` says; only a change still scheduled is
    /// ended. `announcement` tells the requester.
    pub async fn end_scheduled(
        &self,
        id: i64,
        ending: Ending<'_>,
        announcement: Option<&Announcement>,
        now_ms: i64,
    ) -> Result<Claim, DbError> {
        let mut transaction = self.pool.begin().await?;
        let ended = match ending {
            Ending::CancelledBy(by) => sqlx::query(
                "UPDATE approval_requests SET state = 'cancelled', cancelled_by = $2, body = '' \
                     WHERE id = $1 AND state = 'scheduled'",
            )
            .bind(id)
            .bind(by)
            .execute(&mut *transaction)
            .await?,
            Ending::Failed(why) => sqlx::query(
                "UPDATE approval_requests SET state = 'failed', body = '', outcome_message = $2 \
                     WHERE id = $1 AND state = 'scheduled'",
            )
            .bind(id)
            .bind(why)
            .execute(&mut *transaction)
            .await?,
        }
        .rows_affected();
        if ended == 0 {
            transaction.rollback().await?;
            return Ok(Claim::Lost);
        }
        commit_announcing(transaction, announcement, now_ms).await?;
        Ok(Claim::Won)
    }

    /// Scheduled changes whose window has begun by `now_ms` (ended or not), oldest first.
    pub async fn scheduled_due(&self, now_ms: i64) -> Result<Vec<i64>, DbError> {
        let rows = sqlx::query(
            "SELECT id FROM approval_requests \
             WHERE state = 'scheduled' AND window_starts_at_ms <= $1 ORDER BY id LIMIT 100",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(DbError::from))
            .collect()
    }

    /// Records how the change ran, and forgets its body; `announcement` tells the requester.
    pub async fn finish_approval(
        &self,
        id: i64,
        success: bool,
        status: u16,
        message: Option<&str>,
        announcement: Option<&Announcement>,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut transaction = self.pool.begin().await?;
        let state = if success {
            ApprovalState::Executed
        } else {
            ApprovalState::Failed
        };
        sqlx::query(
            "UPDATE approval_requests SET state = $1, outcome_status = $2, outcome_message = $3, body = '' \
             WHERE id = $4",
        )
        .bind(state.as_str())
        .bind(i64::from(status))
        .bind(message)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        commit_announcing(transaction, announcement, now_ms).await?;
        Ok(())
    }
}
