//! Where sign-ins from one address wait their turn at the throttle.
//!
//! The throttle counts attempts still running against its hard limits, so that guesses sent
//! all at once cannot pass them. Colleagues behind one proxy who all sign in at nine would
//! then be refused for each other's attempts; instead they queue here, in the order they
//! came, and each goes to the throttle when an earlier one has ended. The queue is bounded in
//! length and in time, so a flood from one address holds neither memory nor requests for
//! long: beyond either, the throttle refuses with a moment to wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as TurnLock, MutexGuard, Notify};

/// Sign-ins from one address waiting for their turn, at most.
pub const WAITING_PER_ADDRESS: usize = 256;
/// The longest a sign-in waits for its turn.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// Attempts that end on another replica tell no one here, so the one whose turn it is looks
/// again this often.
const LOOK_AGAIN: Duration = Duration::from_millis(250);

/// The queues of the addresses with sign-ins waiting or running.
#[derive(Debug, Default)]
pub struct SignInQueues {
    addresses: Mutex<HashMap<String, Arc<Queue>>>,
}

#[derive(Debug, Default)]
struct Queue {
    /// Held by the sign-in whose turn it is; tokio's lock serves waiters first come, first
    /// served.
    turn: TurnLock<()>,
    /// An attempt from this address has ended.
    ended: Notify,
    waiting: Mutex<usize>,
}

/// A sign-in's place in its address's queue, given up when dropped.
#[derive(Debug)]
pub struct Place<'a> {
    queues: &'a SignInQueues,
    address: String,
    queue: Arc<Queue>,
}

impl SignInQueues {
    /// A place in the queue of `address` (the throttle's key for it), or `None` when
    /// [`WAITING_PER_ADDRESS`] sign-ins wait there already.
    pub fn join(&self, address: &str) -> Option<Place<'_>> {
        let mut addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let queue = Arc::clone(addresses.entry(address.to_owned()).or_default());
        let mut waiting = queue.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if *waiting >= WAITING_PER_ADDRESS {
            return None;
        }
        *waiting += 1;
        drop(waiting);
        Some(Place {
            queues: self,
            address: address.to_owned(),
            queue,
        })
    }

    /// An attempt from `address` has ended: the sign-in whose turn it is looks again.
    pub fn ended(&self, address: &str) {
        let addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(queue) = addresses.get(address) {
            queue.ended.notify_one();
        }
    }
}

impl Place<'_> {
    /// Waits until every sign-in that joined before this one has had its turn.
    pub async fn turn(&self) -> MutexGuard<'_, ()> {
        self.queue.turn.lock().await
    }

    /// Waits, holding the turn, until an attempt from this address ends here, or for a
    /// moment, in case one ended on another replica.
    pub async fn attempt_ended(&self) {
        let _ = tokio::time::timeout(LOOK_AGAIN, self.queue.ended.notified()).await;
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut addresses = self
            .queues
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut waiting = self
            .queue
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *waiting -= 1;
        if *waiting == 0 {
            addresses.remove(&self.address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses_waiting(queues: &SignInQueues) -> usize {
        queues.addresses.lock().expect("addresses").len()
    }

    #[test]
    fn a_queue_is_bounded_and_gone_when_nobody_waits() {
        let queues = SignInQueues::default();
        let places: Vec<Place<'_>> = (0..WAITING_PER_ADDRESS)
            .map(|_| queues.join("addr:192.0.2.1").expect("room"))
            .collect();
        assert!(queues.join("addr:192.0.2.1").is_none(), "full");
        assert!(
            queues.join("addr:192.0.2.2").is_some(),
            "others have their own"
        );
        assert_eq!(
            addresses_waiting(&queues),
            1,
            "the other address left when its place was dropped"
        );
        drop(places);
        assert_eq!(addresses_waiting(&queues), 0);
    }

    #[tokio::test]
    async fn turns_come_in_the_order_sign_ins_joined() {
        let queues = Arc::new(SignInQueues::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = queues.join("addr:x").expect("room");
        let turn = first.turn().await;
        let mut later = Vec::new();
        for index in 0..5 {
            let queues = Arc::clone(&queues);
            let order = Arc::clone(&order);
            later.push(tokio::spawn(async move {
                let place = queues.join("addr:x").expect("room");
                let _turn = place.turn().await;
                order.lock().expect("order").push(index);
            }));
            // Each joins and starts waiting before the next is spawned.
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(turn);
        for task in later {
            task.await.expect("task");
        }
        assert_eq!(*order.lock().expect("order"), [0, 1, 2, 3, 4]);
    }
}
