//! What the arrays' REST roots keep between requests: a tally of reads, written to the audit
//! log as one counted row per reader and collection (so reads shaped like theft are visible
//! without a row per page), and each array's version list, which anyone may ask for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use flasharray::PassedReply;

use crate::db::{AuditRecord, Database, NewAuditRecord};
use crate::error::AppError;

/// How often the tally is written out, besides whenever the audit log is read.
pub const READ_SUMMARY_INTERVAL: Duration = Duration::from_secs(60);

/// Distinct readers and collections kept before the tally is written out early, so that
/// made-up collections cannot grow it.
const MAX_TALLIED: usize = 10_000;

/// How long an array's version list is reused for anonymous callers.
const VERSIONS_TTL: Duration = Duration::from_secs(300);

/// How long after an array failed to give its version list anonymous callers are answered
/// without asking it again, so that they cannot make the portal call a failing array (with
/// its retries) at their pace.
const VERSIONS_RETRY: Duration = Duration::from_secs(15);

/// The audited action of a counted summary of reads.
pub const READ_ACTION: &str = "rest.read";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Reader {
    username: String,
    token: Option<String>,
    array: String,
    collection: String,
}

#[derive(Debug, Clone, Copy)]
struct Count {
    reads: u64,
    first_ms: i64,
    last_ms: i64,
}

#[derive(Debug, Default)]
pub struct RestRootState {
    reads: Mutex<HashMap<Reader, Count>>,
    versions: Mutex<HashMap<String, (Instant, PassedReply)>>,
    versions_failed: Mutex<HashMap<String, Instant>>,
}

impl RestRootState {
    /// Counts one read of `collection` on `array` by `username` (with the personal API token
    /// named `token`), at `now` (Unix milliseconds).
    pub fn count(
        &self,
        username: &str,
        token: Option<&str>,
        array: &str,
        collection: &str,
        now: i64,
    ) {
        let reader = Reader {
            username: username.to_owned(),
            token: token.map(str::to_owned),
            array: array.to_owned(),
            collection: collection.trim_end_matches('/').to_owned(),
        };
        let mut reads = lock(&self.reads);
        if reads.len() >= MAX_TALLIED && !reads.contains_key(&reader) {
            // Over the bound the read goes under a catch-all row of its reader and array.
            let catch_all = Reader {
                collection: "(others)".to_owned(),
                ..reader
            };
            bump(reads.entry(catch_all).or_insert(Count::at(now)), now);
            return;
        }
        bump(reads.entry(reader).or_insert(Count::at(now)), now);
    }

    /// Writes every counted read to the audit log, one row per reader and collection.
    pub async fn write_reads(&self, db: &Database) -> Result<(), AppError> {
        let taken: Vec<(Reader, Count)> = lock(&self.reads).drain().collect();
        for (reader, count) in taken {
            let record = NewAuditRecord {
                started_at_ms: count.first_ms,
                username: reader.username,
                token: reader.token,
                array: Some(reader.array),
                action: READ_ACTION.to_owned(),
                target: reader.collection.clone(),
                parameters: serde_json::json!({
                    "collection": reader.collection,
                    "reads": count.reads,
                    "last_read_ms": count.last_ms,
                })
                .to_string(),
                request_id: uuid::Uuid::new_v4().to_string(),
            };
            let finished = AuditRecord {
                success: true,
                status: 200,
                message: None,
                duration_ms: count.last_ms - count.first_ms,
            };
            db.write_finished_audit(&record, &finished).await?;
        }
        Ok(())
    }

    /// The version list of `array` if read within [`VERSIONS_TTL`].
    pub fn versions(&self, array: &str) -> Option<PassedReply> {
        lock(&self.versions)
            .get(array)
            .filter(|(at, _)| at.elapsed() < VERSIONS_TTL)
            .map(|(_, reply)| reply.clone())
    }

    /// Keeps `array`'s version list; only registered arrays are ever kept.
    pub fn keep_versions(&self, array: &str, reply: PassedReply) {
        lock(&self.versions).insert(array.to_owned(), (Instant::now(), reply));
        lock(&self.versions_failed).remove(array);
    }

    /// Whether asking `array` for its version list failed within [`VERSIONS_RETRY`].
    pub fn versions_failed_lately(&self, array: &str) -> bool {
        lock(&self.versions_failed)
            .get(array)
            .is_some_and(|at| at.elapsed() < VERSIONS_RETRY)
    }

    /// Remembers that `array` (a registered one) failed to give its version list.
    pub fn versions_failed(&self, array: &str) {
        lock(&self.versions_failed).insert(array.to_owned(), Instant::now());
    }
}

impl Count {
    fn at(now: i64) -> Self {
        Self {
            reads: 0,
            first_ms: now,
            last_ms: now,
        }
    }
}

fn bump(count: &mut Count, now: i64) {
    count.reads += 1;
    count.last_ms = now;
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes the tally out every [`READ_SUMMARY_INTERVAL`].
pub async fn keep_writing_reads(rest_root: std::sync::Arc<RestRootState>, db: Database) {
    let mut ticks = tokio::time::interval(READ_SUMMARY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = rest_root.write_reads(&db).await {
            tracing::warn!(%error, "cannot write the REST roots' read summary to the audit log");
        }
    }
}
