//! Data protection: volume snapshots, protection groups and their snapshots.

use serde::{Deserialize, Serialize};

use super::{Reference, Space, TimeWindow};

/// A point-in-time copy of a volume (`/api/2.x/volume-snapshots`), taken directly
/// (`VOL.SUFFIX`) or as part of a protection group snapshot (`PG.SUFFIX.VOL`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VolumeSnapshot {
    pub id: String,
    pub name: String,
    /// Milliseconds since the epoch.
    pub created: i64,
    #[serde(default)]
    pub destroyed: bool,
    /// The volume's size when the snapshot was taken, in bytes.
    pub provisioned: u64,
    pub serial: String,
    /// The volume the snapshot was taken of.
    pub source: Reference,
    pub suffix: String,
    /// Milliseconds left before a destroyed snapshot is eradicated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    #[serde(default)]
    pub space: Space,
}

/// The body of `POST /api/2.x/volume-snapshots?source_names=...`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeSnapshotPost {
    /// Appended to the volume's name after a dot; a number when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// The body of `PATCH /api/2.x/volume-snapshots?names=...`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeSnapshotPatch {
    /// The new name (`VOL.SUFFIX`) or just the new suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
}

/// When a protection group takes snapshots.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SnapshotSchedule {
    #[serde(default)]
    pub enabled: bool,
    /// Milliseconds between snapshots.
    pub frequency: u64,
    /// Seconds after midnight of the first snapshot of each day (0–86399), as REST 2.x gives
    /// it; arrays use it only for schedules of whole days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
}

/// How long a protection group keeps its snapshots: every one for `all_for_sec`, then
/// `per_day` a day for `days` more days.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RetentionPolicy {
    pub all_for_sec: u64,
    pub per_day: u64,
    pub days: u64,
}

/// A protection group (`/api/2.x/protection-groups`): volumes, hosts or host groups that are
/// snapshotted together on a schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProtectionGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub destroyed: bool,
    #[serde(default)]
    pub host_count: u32,
    #[serde(default)]
    pub host_group_count: u32,
    #[serde(default)]
    pub volume_count: u32,
    #[serde(default = "local")]
    pub is_local: bool,
    /// How many arrays it replicates to.
    #[serde(default)]
    pub target_count: u32,
    pub snapshot_schedule: SnapshotSchedule,
    pub source_retention: RetentionPolicy,
    /// When it sends snapshots to its targets.
    pub replication_schedule: ReplicationSchedule,
    /// How long its targets keep what it sends them.
    pub target_retention: RetentionPolicy,
    /// `ratcheted` when SafeMode protects it (only Pure Technical Services unlock it), or
    /// `unlocked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_lock: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eradication_config: Option<EradicationConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    #[serde(default)]
    pub space: Space,
}

/// `retention_lock` of a group SafeMode protects.
pub const RATCHETED: &str = "ratcheted";
/// `retention_lock` of a group SafeMode does not protect.
pub const UNLOCKED: &str = "unlocked";

/// Whether a group's snapshots may be eradicated by hand (`enabled`) or not (`disabled`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EradicationConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_eradication: Option<String>,
}

/// When a protection group replicates: a schedule like its snapshot schedule, and a daily
/// window (`blackout`) in which it does not.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReplicationSchedule {
    #[serde(default)]
    pub enabled: bool,
    /// Milliseconds between replications.
    pub frequency: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blackout: Option<TimeWindow>,
}

impl ReplicationSchedule {
    /// Whether `ms_of_day` (milliseconds after midnight) falls in the blackout window, which
    /// may wrap past midnight; a window that starts where it ends is none.
    pub fn blacked_out(&self, ms_of_day: u64) -> bool {
        match self.blackout {
            Some(TimeWindow { start, end }) if start < end => (start..end).contains(&ms_of_day),
            Some(TimeWindow { start, end }) if start > end => ms_of_day >= start || ms_of_day < end,
            _ => false,
        }
    }
}

fn local() -> bool {
    true
}

/// The body of `PATCH /api/2.x/protection-groups?names=...`: only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectionGroupPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_schedule: Option<SnapshotSchedulePatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_retention: Option<RetentionPolicyPatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_schedule: Option<ReplicationSchedulePatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_retention: Option<RetentionPolicyPatch>,
    /// `ratcheted` turns SafeMode on; it cannot be turned off through the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_lock: Option<String>,
}

/// Replication schedule fields to change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicationSchedulePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blackout: Option<BlackoutPatch>,
}

/// A new blackout window, or `""`, which clears it (as the REST API has it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum BlackoutPatch {
    Window(TimeWindow),
    Clear(String),
}

impl BlackoutPatch {
    /// The window it sets; `None` clears it. Anything but `""` in place of a window is not
    /// a window.
    pub fn window(&self) -> Result<Option<TimeWindow>, String> {
        match self {
            BlackoutPatch::Window(window) => Ok(Some(*window)),
            BlackoutPatch::Clear(text) if text.is_empty() => Ok(None),
            BlackoutPatch::Clear(text) => Err(format!(
                "Invalid blackout {text:?}: give a start and an end, or \"\" to clear it."
            )),
        }
    }
}

/// Schedule fields to change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotSchedulePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
}

/// Retention fields to change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionPolicyPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_for_sec: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u64>,
}

/// A snapshot of every volume of a protection group at one instant
/// (`/api/2.x/protection-group-snapshots`), named `PG.SUFFIX`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProtectionGroupSnapshot {
    pub id: String,
    pub name: String,
    /// Milliseconds since the epoch.
    pub created: i64,
    #[serde(default)]
    pub destroyed: bool,
    /// The protection group it was taken of.
    pub source: Reference,
    pub suffix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    #[serde(default)]
    pub space: Space,
}

/// How a protection group snapshot travels to a target
/// (`/api/2.x/protection-group-snapshots/transfer`): on the source, its way out; on the
/// target, its arrival. A snapshot still on its way has `started` and no `completed`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProtectionGroupSnapshotTransfer {
    pub id: String,
    pub name: String,
    pub destroyed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<i64>,
    /// From 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
    /// Bytes sent, after data reduction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_transferred: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_bytes_written: Option<u64>,
}

/// The body of `POST /api/2.x/protection-group-snapshots?source_names=...`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectionGroupSnapshotPost {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// The body of `PATCH /api/2.x/protection-group-snapshots?names=...`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectionGroupSnapshotPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blackout_may_wrap_past_midnight() {
        let hour = 3_600_000;
        let schedule = |start, end| ReplicationSchedule {
            enabled: true,
            frequency: hour,
            at: None,
            blackout: Some(TimeWindow { start, end }),
        };
        let office_hours = schedule(8 * hour, 18 * hour);
        assert!(office_hours.blacked_out(8 * hour));
        assert!(!office_hours.blacked_out(18 * hour));
        assert!(!office_hours.blacked_out(7 * hour));
        let night = schedule(22 * hour, 2 * hour);
        assert!(night.blacked_out(23 * hour));
        assert!(night.blacked_out(hour));
        assert!(!night.blacked_out(12 * hour));
        assert!(!schedule(hour, hour).blacked_out(hour));
    }
}

/// How many bytes a second a protection group's replication sent and received over one
/// sample (`GET /protection-groups/performance/replication`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProtectionGroupPerformance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    /// The sample's end, in milliseconds since the epoch.
    pub time: i64,
    pub bytes_per_sec: u64,
}
