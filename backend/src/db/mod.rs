//! Portal state in SQL: users, sessions, sign-in failures and the audit log. One schema in
//! two dialects (`migrations/sqlite`, `migrations/postgres`), reached through sqlx's `Any`
//! driver so that every query is written once. Times are Unix seconds unless named `_ms`,
//! passed in by callers.

mod approvals;
mod audit;
mod notifications;
mod pure1;
mod registered;
mod sessions;
mod sso;
mod throttle;
mod tokens;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use approvals::{Claim, Ending, NewApproval, StoredApproval, WINDOW_MISSED};
pub use audit::{AuditRecord, ForwardingState, MAX_AUDIT_PAGE, NewAuditRecord};
pub use notifications::{
    Announcement, ConditionChange, Destination, PendingDelivery, REPORT_TITLE, StoredChannel,
    StoredReportSchedule,
};
pub use sessions::SessionRecord;
pub use sso::SsoUser;
pub use tokens::{NewToken, TokenGrant};
pub use users::{User, UserUpdate};

/// The database. Cheap to clone: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl,
    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error("a token named {0:?} already exists")]
    TokenExists(String),
    #[error("stored value {0:?} is not valid")]
    BadValue(String),
    #[error("the change would leave no admin who can sign in")]
    LastAdmin,
}

impl Database {
    /// Opens the database at `url` (a SQLite file is created if missing) and applies the
    /// migrations. On PostgreSQL the migrator holds an advisory lock, so replicas that start
    /// together migrate once.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let kind = DatabaseKind::of_url(url).ok_or(DbError::UnsupportedUrl)?;
        let options = match kind {
            DatabaseKind::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                AnyConnectOptions::from_str(&format!("{url}{separator}mode=rwc"))?
            }
            _ => AnyConnectOptions::from_str(url)?,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        // WAL with synchronous=FULL: a committed audit row survives a crash
                        // of the process and of the machine.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match kind {
            DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            DatabaseKind::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self { pool })
    }

    /// Answers when the database does: for readiness checks.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
