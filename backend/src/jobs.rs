//! Background work on apalis over the portal's own database: SQLite when one process runs,
//! PostgreSQL when replicas share it. A job is a row; whichever process's worker takes it
//! first runs it, a worker that stops beating its heart has its jobs taken over, and a job
//! whose handler fails is tried again until its attempts run out.
//!
//! apalis keeps its tables beside the portal's (`Jobs` in the SQLite file, the `apalis`
//! schema on PostgreSQL) and records its migrations in a table of its own, so neither
//! migrator sees the other's history. Queues are named after the portal's schema, so two
//! deployments sharing one PostgreSQL database never take each other's jobs.

use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::{
    BoxDynError, Data, PollSnapshot, PollStrategy, PollWith, Task, TaskBuilder, TaskSink,
    WorkerBuilder, WorkerBuilderExt,
};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Executor, PgPool, SqlitePool};

use crate::db::DatabaseKind;

/// How often a worker says it is alive; a worker silent for [`MISSED_HEARTBEATS`] of these
/// has its jobs handed to another (a replica that died hands its work over within 30 s).
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// Set for both storages: their defaults differ (apalis-postgres waits for ten).
const MISSED_HEARTBEATS: usize = 2;

/// How often an idle worker looks for jobs: a message waits at most this long for a worker.
pub const POLL: Duration = Duration::from_secs(1);

/// How long a stopped worker waits before it starts again.
const RESTART_PAUSE: Duration = Duration::from_secs(2);

/// Runs of one job before apalis gives it up: a delivery job fails only when its process dies
/// or the database does not answer; a receiver that refuses is another attempt, another job.
pub const JOB_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("job queue: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("job queue migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("job queue: {0}")]
    Queue(String),
    #[error("unsupported database URL for the job queue")]
    UnsupportedUrl,
}

/// Sends one notification: the row in `notification_deliveries` says what and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryJob {
    pub delivery_id: i64,
}

/// Runs an approved change in its maintenance window: the row in `approval_requests` says
/// what and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledChangeJob {
    pub approval_id: i64,
}

/// A kind of job, and the queue it goes in.
pub trait Job: Serialize + DeserializeOwned + Clone + Send + Sync + Unpin + 'static {
    fn queue(jobs: &JobQueue) -> &str;
}

impl Job for DeliveryJob {
    fn queue(jobs: &JobQueue) -> &str {
        &jobs.deliveries
    }
}

impl Job for ScheduledChangeJob {
    fn queue(jobs: &JobQueue) -> &str {
        &jobs.scheduled_changes
    }
}

#[derive(Debug, Clone)]
enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The job queue. Cheap to clone.
#[derive(Debug, Clone)]
pub struct JobQueue {
    store: Store,
    deliveries: String,
    scheduled_changes: String,
}

impl JobQueue {
    /// Opens the queue in the database at `url` (the portal's own) and brings apalis's
    /// tables up to date.
    pub async fn connect(url: &str) -> Result<Self, JobError> {
        let kind = DatabaseKind::of_url(url).ok_or(JobError::UnsupportedUrl)?;
        let store = match kind {
            DatabaseKind::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(2)
                    .connect_with(options)
                    .await?;
                let mut migrations = SqliteStorage::<()>::migrations();
                migrations.dangerous_set_table_name("_apalis_migrations");
                migrations.run(&pool).await?;
                Store::Sqlite(pool)
            }
            DatabaseKind::Postgres => {
                // apalis's tables, functions and the extensions they use live in its own
                // schema, which every connection of the queue also searches: the portal's
                // schema may be dropped or shared, apalis's stays.
                let pool = PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            connection
                                .execute(
                                    "SELECT set_config('search_path', \
                                     current_setting('search_path') || ', apalis', false)",
                                )
                                .await
                                .map(|_| ())
                        })
                    })
                    .connect_with(PgConnectOptions::from_str(url)?)
                    .await?;
                // Replicas starting together would race to create the extensions.
                let mut transaction = pool.begin().await?;
                sqlx::raw_sql(
                    "SELECT pg_advisory_xact_lock(7420133905); \
                     CREATE SCHEMA IF NOT EXISTS apalis; \
                     CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA apalis; \
                     CREATE EXTENSION IF NOT EXISTS hstore SCHEMA apalis;",
                )
                .execute(&mut *transaction)
                .await?;
                transaction.commit().await?;
                let mut migrations = PostgresStorage::<()>::migrations();
                migrations.dangerous_set_table_name("apalis._apalis_migrations");
                migrations.run(&pool).await?;
                Store::Postgres(pool)
            }
        };
        let schema = match &store {
            Store::Sqlite(_) => "main".to_owned(),
            Store::Postgres(pool) => {
                sqlx::query_scalar::<_, String>("SELECT current_schema()")
                    .fetch_one(pool)
                    .await?
            }
        };
        Ok(Self {
            store,
            deliveries: format!("flashdeck.{schema}.deliveries"),
            scheduled_changes: format!("flashdeck.{schema}.scheduled-changes"),
        })
    }

    /// Queues a delivery once: a second push with the same key is a no-op, so the outbox
    /// can be relayed again after a crash without sending twice.
    /// `attempt` counts from 0; each attempt is its own job, run `after` a pause.
    pub async fn push_delivery(
        &self,
        job: DeliveryJob,
        after: Duration,
        attempt: usize,
    ) -> Result<(), JobError> {
        let key = format!("delivery-{}-{attempt}", job.delivery_id);
        self.push(job, &key, after).await
    }

    /// Queues `job` under `key` to run `after` a pause; a key already queued is a no-op.
    pub async fn push<J: Job>(&self, job: J, key: &str, after: Duration) -> Result<(), JobError> {
        let queue = J::queue(self);
        match &self.store {
            Store::Sqlite(pool) => {
                let args =
                    serde_json::to_vec(&job).map_err(|error| JobError::Queue(error.to_string()))?;
                let task = task(args, key, after);
                let mut connection = pool.acquire().await?;
                apalis_sqlite::queries::push_tasks(&mut *connection, queue, &[task])
                    .await
                    .map_err(|error| JobError::Queue(error.to_string()))
            }
            Store::Postgres(pool) => {
                // apalis's PostgreSQL insert has no ON CONFLICT, but a unique index on the key:
                // a key already queued (by this process before a crash, or by another replica
                // relaying the same outbox row at the same moment) is no error.
                let queued = || async {
                    sqlx::query_scalar::<_, i32>(
                        "SELECT 1 FROM apalis.jobs WHERE job_type = $1 AND idempotency_key = $2",
                    )
                    .bind(queue)
                    .bind(key)
                    .fetch_optional(pool)
                    .await
                    .map(|found| found.is_some())
                };
                if queued().await? {
                    return Ok(());
                }
                let mut storage = PostgresStorage::<J>::new(pool)
                    .with_config(apalis_postgres::Config::default().queue(queue));
                match storage.push_task(task(job, key, after)).await {
                    Ok(()) => Ok(()),
                    Err(_) if queued().await? => Ok(()),
                    Err(error) => Err(JobError::Queue(error.to_string())),
                }
            }
        }
    }

    /// Runs this process's worker for jobs `J` until the process ends: `handle` gets each job
    /// with `data`, and an error makes the job try again later. A worker that stops (its
    /// database connection failed) is started again after a pause.
    pub fn spawn_worker<J, D, F, Fut>(&self, name: String, data: D, handle: F)
    where
        J: Job,
        D: Clone + Send + Sync + 'static,
        F: Fn(J, Data<D>) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxDynError>> + Send + 'static,
    {
        let store = self.store.clone();
        let queue = J::queue(self).to_owned();
        tokio::spawn(async move {
            loop {
                // The two stores' types differ, and nothing else does.
                macro_rules! run_on {
                    ($config:path, $storage:ident, $pool:expr) => {{
                        let config = <$config>::default()
                            .queue(&queue)
                            .heartbeat_interval(HEARTBEAT)
                            .missed_heartbeats(MISSED_HEARTBEATS);
                        let storage = PollWith::new(
                            $storage::<J>::new($pool).with_config(config),
                            EveryPoll::new(),
                        );
                        WorkerBuilder::new(name.clone())
                            .backend(storage)
                            .data(data.clone())
                            .concurrency(4)
                            .build(handle.clone())
                            .run()
                            .await
                    }};
                }
                let stopped = match &store {
                    Store::Sqlite(pool) => run_on!(apalis_sqlite::Config, SqliteStorage, pool),
                    Store::Postgres(pool) => {
                        run_on!(apalis_postgres::Config, PostgresStorage, pool)
                    }
                };
                match stopped {
                    Ok(()) => tracing::warn!(%queue, "a job worker stopped; starting it again"),
                    Err(error) => {
                        tracing::warn!(%error, %queue, "a job worker failed; starting it again")
                    }
                }

                tokio::time::sleep(RESTART_PAUSE).await;
            }
        });
    }
}

/// Wakes an idle worker every [`POLL`] to look for jobs. apalis's own interval arms its next
/// timer without registering it, so a worker with nothing else to wait on slept until its
/// heartbeat; this one registers each next wake-up as it arms it.
struct EveryPoll {
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl EveryPoll {
    fn new() -> Self {
        Self {
            sleep: Box::pin(tokio::time::sleep(POLL)),
        }
    }
}

impl PollStrategy for EveryPoll {
    fn poll_drive(
        &mut self,
        cx: &mut std::task::Context<'_>,
        _: &PollSnapshot,
    ) -> std::task::Poll<Option<()>> {
        if self.sleep.as_mut().poll(cx).is_pending() {
            return std::task::Poll::Pending;
        }
        self.sleep
            .as_mut()
            .reset(tokio::time::Instant::now() + POLL);
        // Polled now, so that the next wake-up is registered whatever else the worker awaits.
        let _ = self.sleep.as_mut().poll(cx);
        std::task::Poll::Ready(Some(()))
    }
}

fn task<Args>(args: Args, key: &str, after: Duration) -> Task<Args> {
    TaskBuilder::new(args)
        .run_after(after)
        .max_attempts(JOB_ATTEMPTS)
        .idempotency_key(key)
        .build()
}

/// Who runs the work only one process may run (watching the arrays). On SQLite only one
/// process serves, so it always does; on PostgreSQL, whoever holds a session advisory lock
/// on a connection of its own. The lock goes with the connection, so a replica that dies
/// hands the work over at the next try of another.
#[derive(Debug)]
pub struct Leadership {
    lock: Option<LeaderLock>,
}

#[derive(Debug)]
struct LeaderLock {
    url: String,
    key: i64,
    held: Option<sqlx::PgConnection>,
}

impl JobQueue {
    /// A leadership named `what`, distinct per schema like the queues.
    pub fn leadership(&self, url: &str, what: &str) -> Leadership {
        match &self.store {
            Store::Sqlite(_) => Leadership { lock: None },
            Store::Postgres(_) => {
                let name = format!("{}.{what}", self.deliveries);
                let digest = <sha2::Sha256 as sha2::Digest>::digest(name.as_bytes());
                let mut key = [0u8; 8];
                key.copy_from_slice(&digest[..8]);
                Leadership {
                    lock: Some(LeaderLock {
                        url: url.to_owned(),
                        key: i64::from_be_bytes(key),
                        held: None,
                    }),
                }
            }
        }
    }
}

impl Leadership {
    /// Whether this process leads now: checks that the lock's connection still lives, or
    /// tries to take the lock.
    pub async fn lead(&mut self) -> bool {
        use sqlx::Connection;
        let Some(lock) = &mut self.lock else {
            return true;
        };
        if let Some(connection) = &mut lock.held {
            if connection.ping().await.is_ok() {
                return true;
            }
            tracing::warn!("lost the connection holding the watch: another replica may take it");
            lock.held = None;
        }
        let Ok(mut connection) = sqlx::PgConnection::connect(&lock.url).await else {
            return false;
        };
        let taken: Result<bool, _> = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(lock.key)
            .fetch_one(&mut connection)
            .await;
        if taken.unwrap_or(false) {
            tracing::info!("this replica watches the arrays");
            lock.held = Some(connection);
            true
        } else {
            false
        }
    }
}
