//! Who may have a report made now: each reads every volume of every array in its scope, so
//! the portal makes a few at once, and one at a time for each person.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

#[derive(Debug)]
pub struct ReportLimiter {
    permits: Semaphore,
    making: Mutex<HashSet<i64>>,
}

/// Why a report is not made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The person's previous report is still being made.
    Yours,
    /// Others' reports took every turn for as long as one waits.
    Busy,
}

/// A turn to make a report; it ends when dropped.
#[derive(Debug)]
pub struct Turn<'a> {
    _permit: SemaphorePermit<'a>,
    limiter: &'a ReportLimiter,
    user_id: i64,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.limiter.making().remove(&self.user_id);
    }
}

impl ReportLimiter {
    pub fn new(at_once: usize) -> Self {
        Self {
            permits: Semaphore::new(at_once),
            making: Mutex::default(),
        }
    }

    fn making(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        self.making
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A turn for `user_id`, waiting up to `wait` for one.
    pub async fn turn(&self, user_id: i64, wait: Duration) -> Result<Turn<'_>, Refusal> {
        if !self.making().insert(user_id) {
            return Err(Refusal::Yours);
        }
        match tokio::time::timeout(wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(Turn {
                _permit: permit,
                limiter: self,
                user_id,
            }),
            _ => {
                self.making().remove(&user_id);
                Err(Refusal::Busy)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_person_waits_for_their_own_report_and_everyone_for_a_turn() {
        let limiter = ReportLimiter::new(1);
        let wait = Duration::from_millis(20);
        let first = limiter.turn(1, wait).await.expect("a turn");
        assert_eq!(limiter.turn(1, wait).await.err(), Some(Refusal::Yours));
        assert_eq!(limiter.turn(2, wait).await.err(), Some(Refusal::Busy));
        drop(first);
        let second = limiter.turn(2, wait).await.expect("a turn once freed");
        drop(second);
        assert!(
            limiter.turn(1, wait).await.is_ok(),
            "a refused wait leaves nothing behind"
        );
    }
}
