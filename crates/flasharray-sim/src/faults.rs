//! Fault injection: make the array slow, failing, throttling or dropping connections, so that
//! clients can be tested against what real arrays and the networks in front of them do.
//!
//! Set at start through [`crate::Simulator::set_faults`], or at run time with
//! `PUT /sim/faults` (outside `/api`, so it never collides with the REST API). This module
//! decides each call's fate; the router's middleware acts it out.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What goes wrong, for every call under `/api` and `/oauth2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Added to every call as a round trip: half before it is handled, half after.
    pub latency_ms: u64,
    /// Share of calls, 0.0 to 1.0, answered with `error_status` instead of being handled.
    pub error_rate: f64,
    /// 500 or 503.
    pub error_status: u16,
    /// This many next calls are refused with 429 and `Retry-After`.
    pub throttle_next: u32,
    /// The `Retry-After` of those 429s, in seconds.
    pub retry_after_secs: u32,
    /// This many next calls lose their connection without an answer.
    pub drop_next: u32,
    /// This many next calls are answered with an HTML page that loads a script, as a
    /// compromised array (or something in front of it) could answer.
    pub hostile_html_next: u32,
    /// The replication link to other arrays is cut: connections on both sides show
    /// `connecting`, and nothing new can be connected.
    pub link_down: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            throttle_next: 0,
            retry_after_secs: 1,
            drop_next: 0,
            hostile_html_next: 0,
            link_down: false,
        }
    }
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(format!(
                "error_rate must be between 0 and 1, not {}",
                self.error_rate
            ));
        }
        if ![500, 503].contains(&self.error_status) {
            return Err(format!(
                "error_status must be 500 or 503, not {}",
                self.error_status
            ));
        }
        Ok(())
    }
}

/// The faults in force, and a deterministic generator for `error_rate`, so runs repeat.
#[derive(Debug)]
pub struct Faults {
    state: Mutex<(FaultConfig, u64)>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            state: Mutex::new((FaultConfig::default(), 0x9E37_79B9_7F4A_7C15)),
        }
    }
}

pub(crate) enum Verdict {
    Handle,
    Drop,
    Throttle(u32),
    Fail(u16),
    HostileHtml,
}

impl Faults {
    pub fn config(&self) -> FaultConfig {
        self.lock().0.clone()
    }

    pub fn set(&self, config: FaultConfig) {
        self.lock().0 = config;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (FaultConfig, u64)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn link_down(&self) -> bool {
        self.lock().0.link_down
    }

    /// Decides the fate of one call, consuming one of the counted faults if any is left.
    pub(crate) fn verdict(&self) -> (Duration, Verdict) {
        let mut state = self.lock();
        let (config, seed) = &mut *state;
        let latency = Duration::from_millis(config.latency_ms);
        if config.drop_next > 0 {
            config.drop_next -= 1;
            return (latency, Verdict::Drop);
        }
        if config.hostile_html_next > 0 {
            config.hostile_html_next -= 1;
            return (latency, Verdict::HostileHtml);
        }
        if config.throttle_next > 0 {
            config.throttle_next -= 1;
            return (latency, Verdict::Throttle(config.retry_after_secs));
        }
        if config.error_rate > 0.0 {
            // xorshift64: cheap, deterministic, good enough to spread failures.
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let draw = (*seed >> 11) as f64 / (1u64 << 53) as f64;
            if draw < config.error_rate {
                return (latency, Verdict::Fail(config.error_status));
            }
        }
        (latency, Verdict::Handle)
    }
}
