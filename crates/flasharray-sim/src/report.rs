//! What an array tells Pure1 about itself (its phone-home), read from outside the API: the
//! Pure1 simulator mirrors arrays through this, so both report the same fleet.

use shared::flasharray::{Alert, Array, ArraySpace, Performance, ProtectionGroupSnapshot, Volume};

use crate::simulator::Simulator;

/// An array as it is now: what it is, what it holds and what it has raised.
#[derive(Debug, Clone)]
pub struct ArrayReport {
    pub array: Array,
    pub volumes: Vec<Volume>,
    pub alerts: Vec<Alert>,
    pub group_snapshots: Vec<ProtectionGroupSnapshot>,
    /// Since when the array has kept history (ms).
    pub installed: i64,
    /// The array's clock when this was read.
    pub as_of: i64,
}

impl Simulator {
    /// The array as it is now, including destroyed volumes and closed alerts.
    pub fn report(&self) -> ArrayReport {
        let now = self.clock.now_ms();
        let mut state = self.lock();
        ArrayReport {
            array: state.array(),
            volumes: state.volumes.clone(),
            alerts: state.alerts(now),
            group_snapshots: state
                .group_snapshots
                .iter()
                .map(|record| record.snapshot.clone())
                .collect(),
            installed: state.installed_ms,
            as_of: now,
        }
    }

    /// The array's space at each of `times` (ms), as `arrays/space` reports history.
    pub fn space_history(&self, times: &[i64]) -> Vec<ArraySpace> {
        let now = self.clock.now_ms();
        let state = self.lock();
        times
            .iter()
            .map(|&time| state.array_space_at(time, now))
            .collect()
    }

    /// The array's load at each of `times` (ms), as `arrays/performance` reports history.
    pub fn performance_history(&self, times: &[i64]) -> Vec<Performance> {
        let state = self.lock();
        times
            .iter()
            .map(|&time| state.array_performance(time))
            .collect()
    }

    /// Multiplies every volume's load by `scale`, now and in history: an array set up to be
    /// busy (or idle) for a test or a demo.
    pub fn set_load_scale(&self, scale: f64) {
        self.lock().load_scale = scale;
    }
}

impl Simulator {
    /// Volume `name`'s load at each of `times` (ms) it existed at, as `volumes/performance`
    /// reports history; `None` when there is no such volume.
    pub fn volume_performance_history(
        &self,
        name: &str,
        times: &[i64],
    ) -> Option<Vec<Performance>> {
        let state = self.lock();
        let volume = state.volumes.iter().find(|volume| volume.name == name)?;
        Some(state.volume_performance_history(&[volume], times))
    }
}
