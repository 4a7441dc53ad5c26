//! Data protection: volume snapshots, protection groups and their snapshots.

use serde::{Deserialize, Serialize};

use super::{Reference, Space};

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
    /// Milliseconds after midnight of the first snapshot of each day, for schedules of a day
    /// or more.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    #[serde(default)]
    pub space: Space,
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
