//! The audit log: a row written before a mutating request runs, completed after it.

use shared::api::{AuditEntry, AuditOutcome, AuditQuery};
use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Database, DbError};

/// What is known of a request before it runs.
#[derive(Debug, Clone)]
pub struct NewAuditRecord {
    pub started_at_ms: i64,
    pub username: String,
    /// The personal API token's name, when the request came with one.
    pub token: Option<String>,
    pub array: Option<String>,
    pub action: String,
    pub target: String,
    /// JSON, secrets removed.
    pub parameters: String,
    pub request_id: String,
}

/// How a request ended.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub success: bool,
    pub status: u16,
    pub message: Option<String>,
    pub duration_ms: i64,
}

/// A pending row older than this was left by a portal that stopped before the array
/// answered: no request runs this long (array calls time out well before).
const PENDING_LIMIT_MS: i64 = 15 * 60 * 1000;

/// Most entries one query returns.
pub const MAX_AUDIT_PAGE: u32 = 500;

impl Database {
    /// Writes the pending row and returns its id. Nothing reaches an array before this
    /// returns, so every action that did is recorded.
    pub async fn begin_audit(&self, record: &NewAuditRecord) -> Result<i64, DbError> {
        let row = sqlx::query(
            "INSERT INTO audit_log (started_at_ms, username, array_name, action, target, parameters, outcome, request_id, token_name) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) RETURNING id",
        )
        .bind(record.started_at_ms)
        .bind(&record.username)
        .bind(record.array.as_deref())
        .bind(&record.action)
        .bind(&record.target)
        .bind(&record.parameters)
        .bind(&record.request_id)
        .bind(record.token.as_deref())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Writes a row whose outcome is already known: what happened in the portal itself, not
    /// on an array.
    pub async fn write_finished_audit(
        &self,
        record: &NewAuditRecord,
        outcome: &AuditRecord,
    ) -> Result<(), DbError> {
        let id = self.begin_audit(record).await?;
        self.finish_audit(id, outcome).await
    }

    pub async fn finish_audit(&self, id: i64, record: &AuditRecord) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE audit_log SET outcome = $1, status = $2, message = $3, duration_ms = $4 WHERE id = $5",
        )
        .bind(if record.success { "success" } else { "failure" })
        .bind(i64::from(record.status))
        .bind(record.message.as_deref())
        .bind(record.duration_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Entries matching `query`, newest first.
    /// The entries `query` selects, newest first; with a `scope`, only those about arrays in
    /// it or about no array at all (sign-ins, users).
    pub async fn audit_entries(
        &self,
        query: &AuditQuery,
        scope: Option<&[String]>,
        now_ms: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let mut conditions = Vec::new();
        let mut texts = Vec::new();
        let mut numbers = Vec::new();
        let mut next = 1;
        let mut placeholder = || {
            let text = format!("${next}");
            next += 1;
            text
        };
        for (column, value) in [
            ("username", &query.user),
            ("array_name", &query.array),
            ("action", &query.action),
        ] {
            if let Some(value) = value.as_deref().filter(|value| !value.is_empty()) {
                conditions.push(format!(
                    "LOWER({column}) LIKE {} ESCAPE '\\'",
                    placeholder()
                ));
                texts.push(format!("%{}%", escape_like(&value.to_lowercase())));
            }
        }
        if let Some(arrays) = scope {
            let placeholders: Vec<String> = arrays.iter().map(|_| placeholder()).collect();
            conditions.push(if placeholders.is_empty() {
                "array_name IS NULL".to_owned()
            } else {
                format!(
                    "(array_name IS NULL OR array_name IN ({}))",
                    placeholders.join(", ")
                )
            });
            texts.extend(arrays.iter().cloned());
        }
        // Placeholders are numbered in order of creation: every text first, then numbers.
        if let Some(outcome) = query.outcome {
            let (stored, older) = match outcome {
                AuditOutcome::Success => ("success", None),
                AuditOutcome::Failure => ("failure", None),
                AuditOutcome::Pending => ("pending", Some(false)),
                AuditOutcome::Unknown => ("pending", Some(true)),
            };
            conditions.push(format!("outcome = '{stored}'"));
            if let Some(older) = older {
                let operator = if older { "<" } else { ">=" };
                conditions.push(format!("started_at_ms {operator} {}", placeholder()));
                numbers.push(now_ms - PENDING_LIMIT_MS);
            }
        }
        for (operator, value) in [(">=", query.since_ms), ("<", query.until_ms)] {
            if let Some(value) = value {
                conditions.push(format!("started_at_ms {operator} {}", placeholder()));
                numbers.push(value);
            }
        }
        if let Some(before) = query.before_id {
            conditions.push(format!("id < {}", placeholder()));
            numbers.push(before);
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let limit = query
            .limit
            .unwrap_or(MAX_AUDIT_PAGE)
            .clamp(1, MAX_AUDIT_PAGE);
        let sql = format!(
            "SELECT id, started_at_ms, username, array_name, action, target, parameters, outcome, \
             status, message, duration_ms, request_id, token_name FROM audit_log {filter} \
             ORDER BY id DESC LIMIT {limit}"
        );
        let mut statement = sqlx::query(AssertSqlSafe(sql));
        for text in &texts {
            statement = statement.bind(text);
        }
        for number in &numbers {
            statement = statement.bind(*number);
        }
        let rows = statement.fetch_all(&self.pool).await?;
        rows.iter().map(|row| entry_from_row(row, now_ms)).collect()
    }
}

/// How far the audit log has been forwarded to one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardingState {
    pub last_id: i64,
    pub forwarded: i64,
    pub last_error: Option<String>,
    pub updated_at_ms: i64,
}

impl Database {
    /// How far rows went to `destination`; the first time, it starts after the newest row
    /// (what was before is in the database, not in the receiver's scope).
    pub async fn forwarding_state(
        &self,
        destination: &str,
        now_ms: i64,
    ) -> Result<ForwardingState, DbError> {
        sqlx::query(
            "INSERT INTO audit_forwarding (destination, last_id, updated_at_ms) \
             SELECT $1, COALESCE(MAX(id), 0), $2 FROM audit_log WHERE true \
             ON CONFLICT (destination) DO NOTHING",
        )
        .bind(destination)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(
            "SELECT last_id, forwarded, last_error, updated_at_ms FROM audit_forwarding \
             WHERE destination = $1",
        )
        .bind(destination)
        .fetch_one(&self.pool)
        .await?;
        Ok(ForwardingState {
            last_id: row.try_get(0)?,
            forwarded: row.try_get(1)?,
            last_error: row.try_get(2)?,
            updated_at_ms: row.try_get(3)?,
        })
    }

    /// Records that rows after `from_id` up to `to_id` (`count` of them) reached
    /// `destination`, or (no `to_id`) why the last try did not. The cursor moves only from
    /// where it was read: `false` when another forwarder moved it first.
    pub async fn record_forwarding(
        &self,
        destination: &str,
        from_id: i64,
        to_id: Option<i64>,
        count: i64,
        error: Option<&str>,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let updated = sqlx::query(
            "UPDATE audit_forwarding SET last_id = $1, forwarded = forwarded + $2, \
             last_error = $3, updated_at_ms = $4 WHERE destination = $5 AND last_id = $6",
        )
        .bind(to_id.unwrap_or(from_id))
        .bind(count)
        .bind(error)
        .bind(now_ms)
        .bind(destination)
        .bind(from_id)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// How many rows come after `after_id`.
    pub async fn audit_rows_counted_after(&self, after_id: i64) -> Result<i64, DbError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM audit_log WHERE id > $1")
            .bind(after_id)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// The finished rows after `after_id`, oldest first, up to `limit`: a row still pending
    /// stops the list (it is sent once it ends), unless it was left pending for good.
    pub async fn audit_rows_after(
        &self,
        after_id: i64,
        limit: i64,
        now_ms: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let rows = sqlx::query(
            "SELECT id, started_at_ms, username, array_name, action, target, parameters, outcome, \
             status, message, duration_ms, request_id, token_name FROM audit_log \
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::new();
        for row in &rows {
            let entry = entry_from_row(row, now_ms)?;
            if entry.outcome == AuditOutcome::Pending {
                break;
            }
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// `%` and `_` in a search are meant literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn entry_from_row(row: &AnyRow, now_ms: i64) -> Result<AuditEntry, DbError> {
    let started_at_ms: i64 = row.try_get(1)?;
    let stored: String = row.try_get(7)?;
    let outcome = match stored.as_str() {
        "success" => AuditOutcome::Success,
        "failure" => AuditOutcome::Failure,
        "pending" if now_ms - started_at_ms >= PENDING_LIMIT_MS => AuditOutcome::Unknown,
        "pending" => AuditOutcome::Pending,
        _ => return Err(DbError::BadValue(stored)),
    };
    let status: Option<i64> = row.try_get(8)?;
    Ok(AuditEntry {
        id: row.try_get(0)?,
        started_at_ms,
        username: row.try_get(2)?,
        array: row.try_get(3)?,
        action: row.try_get(4)?,
        target: row.try_get(5)?,
        parameters: row.try_get(6)?,
        outcome,
        status: status.and_then(|status| u16::try_from(status).ok()),
        message: row.try_get(9)?,
        duration_ms: row.try_get(10)?,
        request_id: row.try_get(11)?,
        token: row.try_get(12)?,
    })
}
