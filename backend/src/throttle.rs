//! Sign-in throttling against password guessing. Failures are counted in the database, per
//! username (whether or not such a user exists, so the refusal tells nothing about which
//! accounts do) and per client address, so that every replica sees the same counts.

use std::net::IpAddr;

use crate::db::Database;
use crate::error::AppError;

/// Failures are counted over this many seconds.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins as one username within the window before it is refused.
pub const PER_USERNAME: i64 = 5;
/// Failed sign-ins from one address within the window before it is refused; higher, since
/// several people may share an address behind a NAT.
pub const PER_ADDRESS: i64 = 20;

/// What a sign-in attempt is counted against.
#[derive(Debug, Clone)]
pub struct Subjects {
    username: String,
    address: Option<String>,
}

impl Subjects {
    pub fn new(username: &str, address: Option<IpAddr>) -> Self {
        Self {
            username: format!("user:{}", username.to_lowercase()),
            address: address.map(|address| format!("addr:{address}")),
        }
    }

    fn each(&self) -> impl Iterator<Item = (&str, i64)> {
        std::iter::once((self.username.as_str(), PER_USERNAME)).chain(
            self.address
                .as_deref()
                .map(|address| (address, PER_ADDRESS)),
        )
    }

    /// Refuses, with how long to wait, when either subject has failed too often.
    pub async fn check(&self, db: &Database, now: i64) -> Result<(), AppError> {
        let window_start = now - WINDOW_SECS;
        for (subject, limit) in self.each() {
            let (failures, earliest) = db.login_failures(subject, window_start).await?;
            if failures >= limit {
                let retry_after_secs = earliest.map_or(WINDOW_SECS, |at| at + WINDOW_SECS - now);
                return Err(AppError::TooManyAttempts {
                    retry_after_secs: retry_after_secs.max(1),
                });
            }
        }
        Ok(())
    }

    pub async fn record_failure(&self, db: &Database, now: i64) -> Result<(), AppError> {
        for (subject, _) in self.each() {
            db.record_login_failure(subject, now, now - WINDOW_SECS)
                .await?;
        }
        Ok(())
    }

    /// A successful sign-in forgets the username's failures, not the address's.
    pub async fn record_success(&self, db: &Database) -> Result<(), AppError> {
        db.clear_login_failures(&self.username).await?;
        Ok(())
    }
}
