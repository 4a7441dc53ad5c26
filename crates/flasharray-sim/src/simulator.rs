//! One simulated array as the API and its tests reach it: the array's state behind a lock,
//! its clock, the faults in force and the counters tests read.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use shared::flasharray::Volume;

use crate::clock::Clock;
use crate::faults::{FaultConfig, Faults};
use crate::peer::Peers;
use crate::persist::{self, PersistError};
use crate::seed::Seed;
use crate::state::ArrayState;

/// One simulated array. Cheap to clone: clones share the array.
#[derive(Debug, Clone)]
pub struct Simulator {
    state: Arc<Mutex<ArrayState>>,
    pub clock: Clock,
    pub(crate) faults: Arc<Faults>,
    counters: Arc<Counters>,
    state_file: Option<Arc<PathBuf>>,
    pub(crate) peers: Arc<Peers>,
    /// Wakes the replicator: something may be due now.
    pub(crate) replication_due: Arc<tokio::sync::Notify>,
}

#[derive(Debug, Default)]
struct Counters {
    logins: AtomicU64,
    token_exchanges: AtomicU64,
    api_requests: AtomicU64,
    changes: Mutex<Vec<ChangeRequest>>,
}

/// A request that could change the array (any method but GET), as the array's request log
/// holds it: tests match it against the portal's audit log by request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    pub method: String,
    pub path: String,
    pub request_id: String,
    pub status: u16,
}

/// Counters a test can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub logins: u64,
    pub token_exchanges: u64,
    /// Requests under `/api/`, read or change, whether answered or refused.
    pub api_requests: u64,
}

impl Simulator {
    pub fn new(name: &str, seed: Seed) -> Self {
        let clock = Clock::default();
        let mut state = ArrayState::new(name);
        state.installed_ms = clock.now_ms();
        seed.apply(&mut state, clock.now_ms());
        Self::with_state(state, clock)
    }

    fn with_state(state: ArrayState, clock: Clock) -> Self {
        Self {
            state: Arc::new(Mutex::new(state)),
            clock,
            faults: Arc::default(),
            counters: Arc::default(),
            state_file: None,
            peers: Arc::default(),
            replication_due: Arc::default(),
        }
    }

    /// A simulator kept in `path`: the state saved there if the file exists, else a new one
    /// (saved at once), and every change written through.
    pub fn persistent(name: &str, seed: Seed, path: &Path) -> Result<Self, PersistError> {
        let clock = Clock::default();
        let mut simulator = match persist::load(path)? {
            Some(state) => Self::with_state(state, clock),
            None => Self::new(name, seed),
        };
        simulator.state_file = Some(Arc::new(path.to_owned()));
        simulator.save()?;
        Ok(simulator)
    }

    /// Writes the state to its file, if it has one.
    pub(crate) fn save(&self) -> Result<(), PersistError> {
        match &self.state_file {
            Some(path) => persist::save(path, &self.lock()),
            None => Ok(()),
        }
    }

    /// Moves the array's time forward, as if `by` had passed, and lets what fell due meanwhile
    /// (scheduled snapshots, replicated snapshots arriving) happen.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.clock.advance(by);
        self.replication_due.notify_one();
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, config: FaultConfig) {
        self.faults.set(config);
    }

    /// The faults in force; counted faults go down as calls meet them.
    pub fn faults_config(&self) -> FaultConfig {
        self.faults.config()
    }

    /// Physical space in use now, as `arrays/space` reports it.
    pub fn used_bytes(&self) -> u64 {
        let now = self.clock.now_ms();
        self.lock()
            .array_space(now)
            .space
            .total_physical
            .unwrap_or(0)
    }

    /// Sets the usable capacity, as installing or removing drives would.
    pub fn set_capacity(&self, bytes: u64) {
        self.lock().capacity = bytes;
    }

    /// Sets the bytes a second its replication links carry when not throttled (a demo's
    /// baseline can cross in minutes rather than hours).
    pub fn set_replication_rate(&self, bytes_per_sec: u64) {
        self.lock().replication_rate = Some(bytes_per_sec.max(1));
    }

    /// Sets the Purity release line it plays (one of [`crate::release_lines`]); `false` for
    /// one the simulator does not know.
    pub fn set_release(&self, line: &str) -> bool {
        let known = crate::release::release(line).is_some();
        if known {
            self.lock().purity = line.to_owned();
        }
        known
    }

    /// Makes the array answer `collection` (such as `hardware`) as a path it does not know,
    /// as an array on a release without it does.
    pub fn lack(&self, collection: &str) {
        self.lock().lacking.push(collection.to_owned());
    }

    /// Sets the hardware model (one of [`crate::models`]), which lays out its parts.
    pub fn set_model(&self, model: &str) {
        self.lock().model = model.to_owned();
    }

    /// Fails the part called `name` (`CT1`, `CH0.BAY3`, `CT0.FC1`, …), saying `details` of
    /// it (or what its alert says) and raising its alert; `false` when the array has no such
    /// part.
    pub fn fail_part(&self, name: &str, details: Option<&str>) -> bool {
        let now = self.clock.now_ms();
        self.lock().fail_part(name, details, now).is_some()
    }

    /// Puts a failed part right, closing its alert; `false` when the array has no such part.
    pub fn repair_part(&self, name: &str) -> bool {
        let now = self.clock.now_ms();
        self.lock().repair_part(name, now).is_some()
    }

    /// Ends every session and access token, as an array restart does.
    pub fn expire_all_tokens(&self) {
        self.lock().expire_all_tokens();
    }

    /// How many logins and token exchanges succeeded.
    /// Every request but reads, oldest first.
    pub fn change_requests(&self) -> Vec<ChangeRequest> {
        self.counters
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn stats(&self) -> Stats {
        Stats {
            logins: self.counters.logins.load(Ordering::Relaxed),
            token_exchanges: self.counters.token_exchanges.load(Ordering::Relaxed),
            api_requests: self.counters.api_requests.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_login(&self) {
        self.counters.logins.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_token_exchange(&self) {
        self.counters
            .token_exchanges
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_api_request(&self) {
        self.counters.api_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a request to the log of changes.
    pub(crate) fn record_change(&self, change: ChangeRequest) {
        self.counters
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(change);
    }

    /// The array's state. A handler that panicked leaves no half-applied change (every
    /// change is checked before it is applied), so a poisoned lock is still consistent.
    ///
    /// Every access first eradicates what the clock says is due, so no timer task is needed
    /// and tests that advance the clock see the effect at once.
    pub(crate) fn lock(&self) -> MutexGuard<'_, ArrayState> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.sweep(self.clock.now_ms());
        state
    }

    /// Adds an array administrator, as `POST /api/2.x/admins` would.
    pub fn add_admin(&self, name: &str, password: &str) {
        self.lock().add_admin(name, password);
    }

    /// A new API token for an administrator, as `POST /api/2.x/admins/api-tokens` would give
    /// it: for tests that set up an array as its admin would. `None` for an unknown admin.
    pub fn api_token(&self, admin: &str) -> Option<String> {
        let now_ms = self.clock.now_ms();
        self.lock()
            .create_api_token(admin, None, now_ms)
            .ok()
            .and_then(|created| created.api_token.token)
    }

    /// The audit trail, oldest first, as `GET /api/2.x/audits` returns it.
    pub fn audits(&self) -> Vec<shared::flasharray::Audit> {
        self.lock().audits()
    }

    /// A volume as the array holds it, for tests that check what a client really did.
    pub fn volume(&self, name: &str) -> Option<Volume> {
        self.lock().volume(name).cloned()
    }
}
