//! Sign-in throttling against password guessing. Each attempt is recorded before its
//! password is checked, so that parallel guesses are counted as they arrive rather than after
//! they fail. Attempts are counted in the database, so every replica sees the same counts:
//!
//! - per username and address together: a hard limit, so a guesser locks out only itself;
//! - per address: a hard limit, higher, since several people may share one behind a NAT;
//!   their sign-ins queue in [`crate::identity::sign_in_queue`] rather than being refused for each
//!   other's attempts still running;
//! - per username from anywhere: no refusal, which would let anyone lock anyone out, but a
//!   growing delay before the check, so that guessing one account from many addresses is slow.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use crate::db::Database;
use crate::error::AppError;
use crate::identity::sign_in_queue::{MAX_WAIT, Place, SignInQueues};

/// Attempts are counted over this many seconds.
pub const WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins as one username from one address within the window before it is refused.
pub const PER_USERNAME_AND_ADDRESS: i64 = 5;
/// Failed sign-ins from one address within the window before it is refused.
pub const PER_ADDRESS: i64 = 20;
/// Failed sign-ins as one username from anywhere before each further attempt is slowed.
pub const PER_USERNAME_BEFORE_DELAY: i64 = 5;
/// How long to wait when refused because too many sign-ins from the same address already
/// wait their turn, or one waited too long.
pub const BUSY_RETRY_SECS: i64 = 2;
/// The longest a slowed attempt waits.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// What a sign-in attempt is counted against.
#[derive(Debug, Clone)]
pub struct Subjects {
    username: String,
    address: String,
    pair: String,
}

/// An attempt that was let through: its rows stay as a failure unless it succeeds.
#[derive(Debug)]
pub struct Attempt {
    id: String,
    /// Until the attempt ends. One dropped before, as when its request goes away mid-check,
    /// is settled as a failure: not left counted as running for the whole window, which
    /// would hold up its address's queue, nor free to a guesser who hangs up.
    unsettled: Option<Database>,
}

impl Attempt {
    fn new(db: &Database) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            unsettled: Some(db.clone()),
        }
    }

    /// Its rows are settled or taken back: dropping it has nothing left to do.
    fn ended(mut self) {
        self.unsettled = None;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let Some(db) = self.unsettled.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let id = std::mem::take(&mut self.id);
        runtime.spawn(async move {
            if let Err(error) = db.settle_login_attempt(&id).await {
                tracing::warn!(%error, "an abandoned sign-in attempt was not settled");
            }
        });
    }
}

impl Subjects {
    pub fn new(username: &str, address: Option<IpAddr>) -> Self {
        let username = username.to_lowercase();
        let address = address.map_or_else(|| "unknown".to_owned(), counted_address);
        Self {
            pair: format!("pair:{username}@{address}"),
            username: format!("user:{username}"),
            address: format!("addr:{address}"),
        }
    }

    /// Waits for this address's earlier sign-ins, then records the attempt and refuses it,
    /// with how long to wait, when the username from this address or this address has failed
    /// too often; otherwise waits the delay the username's failures call for. An attempt over
    /// a limit only because of attempts still running waits for them to end: their outcome
    /// decides whether it may go on.
    pub async fn admit(
        &self,
        db: &Database,
        queues: &SignInQueues,
        now: i64,
    ) -> Result<Attempt, AppError> {
        let place = queues.join(&self.address).ok_or_else(busy)?;
        let attempt = self
            .take_turn(db, &place, now, Instant::now() + MAX_WAIT)
            .await?;
        drop(place);
        let count = db.login_failures(&self.username, now - WINDOW_SECS).await?;
        let delay = delay_after(count.failures);
        if !delay.is_zero() {
            tracing::info!(delay_ms = delay.as_millis() as u64, "sign-in slowed");
            tokio::time::sleep(delay).await;
        }
        Ok(attempt)
    }

    /// Records the attempt once every earlier sign-in from this address has had its turn,
    /// and as often as an attempt ends while this one is over a limit only for those running;
    /// refused as busy at `deadline`. Only the waits end there, never between recording an
    /// attempt and taking it back.
    async fn take_turn(
        &self,
        db: &Database,
        place: &Place<'_>,
        now: i64,
        deadline: Instant,
    ) -> Result<Attempt, AppError> {
        let _turn = timeout_at(deadline, place.turn())
            .await
            .map_err(|_| busy())?;
        let window_start = now - WINDOW_SECS;
        let subjects = [
            self.pair.as_str(),
            self.address.as_str(),
            self.username.as_str(),
        ];
        loop {
            let attempt = Attempt::new(db);
            db.record_login_attempt(&attempt.id, &subjects, now, window_start)
                .await?;
            let mut over = false;
            for (subject, limit) in [
                (&self.pair, PER_USERNAME_AND_ADDRESS),
                (&self.address, PER_ADDRESS),
            ] {
                // This attempt is among those counted, so `limit` attempts run or fail, and
                // no more, however many arrive at once.
                let count = db.login_failures(subject, window_start).await?;
                if count.failures >= limit {
                    db.forget_login_attempt(&attempt.id).await?;
                    attempt.ended();
                    let retry_after_secs = count
                        .earliest_failure
                        .map_or(WINDOW_SECS, |at| at + WINDOW_SECS - now);
                    return Err(AppError::TooManyAttempts {
                        retry_after_secs: retry_after_secs.max(1),
                    });
                }
                over |= count.attempts > limit;
            }
            if !over {
                return Ok(attempt);
            }
            // Taken back while waiting, so a sign-in that gives up leaves nothing counted.
            db.forget_login_attempt(&attempt.id).await?;
            attempt.ended();
            if Instant::now() >= deadline {
                return Err(busy());
            }
            let _ = timeout_at(deadline, place.attempt_ended()).await;
        }
    }

    /// A failed sign-in's rows stay, counted as failures for the window.
    pub async fn failed(
        &self,
        db: &Database,
        queues: &SignInQueues,
        attempt: Attempt,
    ) -> Result<(), AppError> {
        db.settle_login_attempt(&attempt.id).await?;
        attempt.ended();
        queues.ended(&self.address);
        Ok(())
    }

    /// A successful sign-in takes back its own attempt and forgets the username's failures,
    /// not the address's.
    pub async fn succeeded(
        &self,
        db: &Database,
        queues: &SignInQueues,
        attempt: Attempt,
    ) -> Result<(), AppError> {
        db.forget_login_attempt(&attempt.id).await?;
        attempt.ended();
        db.clear_login_failures(&self.username, &self.pair).await?;
        queues.ended(&self.address);
        Ok(())
    }
}

/// What an address is counted as: an IPv4 address as itself, an IPv6 address by its /64,
/// the least a subscriber is given (so a guesser gains nothing by stepping through theirs),
/// and an IPv4 address written as IPv6 as the IPv4 address it is.
fn counted_address(address: IpAddr) -> String {
    match address {
        IpAddr::V4(address) => address.to_string(),
        IpAddr::V6(address) => match address.to_ipv4_mapped() {
            Some(address) => address.to_string(),
            None => {
                let network = Ipv6Addr::from(u128::from(address) & (u128::MAX << 64));
                format!("{network}/64")
            }
        },
    }
}

/// The refusal of a sign-in that found its address's queue full, or waited too long in it.
fn busy() -> AppError {
    AppError::TooManyAttempts {
        retry_after_secs: BUSY_RETRY_SECS,
    }
}

/// How long an attempt waits when its username has failed `failures` times in the window.
pub fn delay_after(failures: i64) -> Duration {
    let over = failures - PER_USERNAME_BEFORE_DELAY + 1;
    if over <= 0 {
        return Duration::ZERO;
    }
    Duration::from_secs(u64::try_from(over).unwrap_or(u64::MAX)).min(MAX_DELAY)
}

/// Forgets every failure of `username`, from every address: `flashdeck user unlock`.
pub async fn unlock(db: &Database, username: &str) -> Result<u64, AppError> {
    let username = username.to_lowercase();
    Ok(db
        .clear_login_failures(&format!("user:{username}"), &format!("pair:{username}@"))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_past_the_limit_and_stop_at_the_cap() {
        assert_eq!(delay_after(0), Duration::ZERO);
        assert_eq!(delay_after(PER_USERNAME_BEFORE_DELAY - 1), Duration::ZERO);
        assert_eq!(
            delay_after(PER_USERNAME_BEFORE_DELAY),
            Duration::from_secs(1)
        );
        assert_eq!(
            delay_after(PER_USERNAME_BEFORE_DELAY + 2),
            Duration::from_secs(3)
        );
        assert_eq!(delay_after(10_000), MAX_DELAY);
    }

    #[test]
    fn subjects_are_case_blind_and_keyed_by_address() {
        let address = "192.0.2.7".parse().ok();
        let subjects = Subjects::new("Alice", address);
        assert_eq!(subjects.pair, "pair:alice@192.0.2.7");
        assert_eq!(subjects.username, "user:alice");
        assert_eq!(Subjects::new("bob", None).address, "addr:unknown");
    }

    #[test]
    fn ipv6_addresses_are_counted_by_their_64_and_ipv4_by_the_address() {
        let counted = |text: &str| Subjects::new("alice", text.parse().ok()).address;
        assert_eq!(counted("2001:db8:1:2::1"), "addr:2001:db8:1:2::/64");
        assert_eq!(
            counted("2001:db8:1:2:ffff:ffff:ffff:fffe"),
            counted("2001:db8:1:2::1"),
            "one subscriber's /64"
        );
        assert_ne!(counted("2001:db8:1:3::1"), counted("2001:db8:1:2::1"));
        assert_eq!(counted("::ffff:192.0.2.7"), "addr:192.0.2.7");
        assert_eq!(counted("192.0.2.7"), "addr:192.0.2.7");
        assert_ne!(counted("192.0.2.8"), counted("192.0.2.7"));
        assert_eq!(
            Subjects::new("alice", "2001:db8::5".parse().ok()).pair,
            "pair:alice@2001:db8::/64"
        );
    }
}
