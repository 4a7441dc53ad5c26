//! The portal's data-protection API: snapshots, restores and copies, protection groups, the
//! recycle bin; and the words a storage admin reads for schedules and retention.

use serde::{Deserialize, Serialize};

use crate::flasharray::{
    ProtectionGroup, ProtectionGroupSnapshot, RetentionPolicy, SnapshotSchedule, Volume,
    VolumeSnapshot,
};

/// `POST /api/arrays/{array}/volumes/{volume}/restore`: bring a volume back to a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreRequest {
    /// A snapshot of this volume: `VOL.SUFFIX` or `PG.SUFFIX.VOL`.
    pub snapshot: String,
    /// Take a snapshot of the current contents first, so the restore can be undone. On
    /// unless turned off, which only admins may do.
    #[serde(default = "taken_unless_refused")]
    pub safety_snapshot: bool,
    /// The user confirmed that the volume's current contents are replaced.
    #[serde(default)]
    pub overwrite: bool,
}

fn taken_unless_refused() -> bool {
    true
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreResult {
    pub volume: Volume,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_snapshot: Option<VolumeSnapshot>,
}

/// `POST /api/arrays/{array}/volumes/copy`: a new volume holding a volume's or snapshot's
/// contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyRequest {
    pub source: String,
    pub name: String,
}

/// `POST /api/arrays/{array}/protection-groups`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProtectionGroupRequest {
    pub name: String,
}

/// What a protection group protects, as the portal's API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    Volumes,
    Hosts,
    HostGroups,
}

impl MemberKind {
    pub fn label(self) -> &'static str {
        match self {
            MemberKind::Volumes => "volumes",
            MemberKind::Hosts => "hosts",
            MemberKind::HostGroups => "host groups",
        }
    }
}

/// `GET /api/arrays/{array}/protection-groups/{group}`: the group and its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectionGroupDetail {
    pub group: ProtectionGroup,
    /// `None` while the group has no members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_kind: Option<MemberKind>,
    pub members: Vec<String>,
}

/// `POST` / `DELETE /api/arrays/{array}/protection-groups/{group}/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembersRequest {
    pub kind: MemberKind,
    pub names: Vec<String>,
}

/// `POST /api/arrays/{array}/protection-groups/{group}/snapshots`: snapshot now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupSnapshotRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Let the group's retention policy prune this snapshot in time, as scheduled ones are.
    #[serde(default)]
    pub apply_retention: bool,
    /// Send it to each target that allows the group, now.
    #[serde(default)]
    pub replicate_now: bool,
}

/// A protection group snapshot with the volume snapshots inside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupSnapshotDetail {
    pub snapshot: ProtectionGroupSnapshot,
    pub volumes: Vec<VolumeSnapshot>,
}

/// What kind of thing waits in the recycle bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecycledKind {
    Volume,
    Snapshot,
    ProtectionGroup,
    ProtectionGroupSnapshot,
}

impl RecycledKind {
    pub fn label(self) -> &'static str {
        match self {
            RecycledKind::Volume => "volume",
            RecycledKind::Snapshot => "snapshot",
            RecycledKind::ProtectionGroup => "protection group",
            RecycledKind::ProtectionGroupSnapshot => "protection group snapshot",
        }
    }
}

/// One destroyed object pending eradication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecycledItem {
    pub array: String,
    pub kind: RecycledKind,
    pub name: String,
    /// Milliseconds before the array eradicates it.
    pub time_remaining: i64,
}

/// `GET /api/recycle-bin`: every array's destroyed objects; an array that could not be read
/// is named in `errors` rather than hiding the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecycleBin {
    pub items: Vec<RecycledItem>,
    pub errors: Vec<String>,
}

/// `POST /api/recycle-bin/recover` and `/eradicate`: one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecycleAction {
    pub array: String,
    pub kind: RecycledKind,
    pub name: String,
}

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;

/// `3 hours`, `1 day`, `15 minutes`: a duration in the largest whole unit.
pub fn describe_duration_ms(ms: u64) -> String {
    let (count, unit) = if ms > 0 && ms.is_multiple_of(DAY_MS) {
        (ms / DAY_MS, "day")
    } else if ms > 0 && ms.is_multiple_of(HOUR_MS) {
        (ms / HOUR_MS, "hour")
    } else {
        (ms / MINUTE_MS, "minute")
    };
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

/// How long an array keeps what is destroyed, as a confirmation says it: "for 3 days", or,
/// when the array did not say, "until its eradication delay runs out".
pub fn kept_for(delay_ms: Option<u64>) -> String {
    match delay_ms {
        Some(ms) if ms > 0 => format!("for {}", describe_duration_ms(ms)),
        _ => "until its eradication delay runs out".to_owned(),
    }
}

/// "Every 4 hours", "Every day at 02:00", or "Off (every hour when on)".
pub fn describe_schedule(schedule: &SnapshotSchedule) -> String {
    let every = if schedule.frequency == DAY_MS {
        "Every day".to_owned()
    } else if schedule.frequency == HOUR_MS {
        "Every hour".to_owned()
    } else {
        format!("Every {}", describe_duration_ms(schedule.frequency))
    };
    // `at` is seconds after midnight, and counts only for schedules of whole days.
    let at = schedule
        .at
        .filter(|_| schedule.frequency.is_multiple_of(DAY_MS))
        .map(|at| format!(" at {}", time_of_day(at)))
        .unwrap_or_default();
    if schedule.enabled {
        format!("{every}{at}")
    } else {
        format!("Off ({}{at} when on)", every.to_ascii_lowercase())
    }
}

/// A schedule's `at` (seconds after midnight) as "02:30".
pub fn time_of_day(at: u64) -> String {
    format!("{:02}:{:02}", at / 3600 % 24, at % 3600 / 60)
}

/// "Keeps every snapshot for 1 day, then 4 a day for 7 more days".
pub fn describe_retention(retention: &RetentionPolicy) -> String {
    let all = describe_duration_ms(retention.all_for_sec * 1000);
    if retention.per_day == 0 || retention.days == 0 {
        return format!("Keeps every snapshot for {all}, then none");
    }
    let days = if retention.days == 1 {
        "1 more day".to_owned()
    } else {
        format!("{} more days", retention.days)
    };
    format!(
        "Keeps every snapshot for {all}, then {} a day for {days}",
        retention.per_day
    )
}

/// The query of a list of protection groups or of their snapshots: the destroyed ones instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DestroyedQuery {
    #[serde(default)]
    pub destroyed: bool,
}

/// The query of `GET /api/arrays/{array}/volume-snapshots`: one volume's, destroyed or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotListQuery {
    pub volume: Option<String>,
    pub destroyed: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_destroyed_is_kept_for_the_arrays_delay_in_its_words() {
        assert_eq!(kept_for(Some(DAY_MS)), "for 1 day");
        assert_eq!(kept_for(Some(7 * DAY_MS)), "for 7 days");
        assert_eq!(kept_for(None), "until its eradication delay runs out");
        let old_release = crate::flasharray::ArrayEradicationConfig {
            eradication_delay: Some(2 * DAY_MS),
            ..Default::default()
        };
        assert_eq!(old_release.enabled_ms(), Some(2 * DAY_MS));
        assert_eq!(old_release.disabled_ms(), Some(2 * DAY_MS));
    }

    #[test]
    fn schedules_and_retention_read_as_an_admin_says_them() {
        let schedule = SnapshotSchedule {
            enabled: true,
            frequency: 4 * HOUR_MS,
            at: None,
        };
        assert_eq!(describe_schedule(&schedule), "Every 4 hours");
        let daily = SnapshotSchedule {
            enabled: true,
            frequency: DAY_MS,
            at: Some(2 * 3600 + 30 * 60),
        };
        assert_eq!(describe_schedule(&daily), "Every day at 02:30");
        let hourly_with_an_unused_at = SnapshotSchedule {
            frequency: HOUR_MS,
            ..daily
        };
        assert_eq!(describe_schedule(&hourly_with_an_unused_at), "Every hour");
        let off = SnapshotSchedule {
            enabled: false,
            frequency: HOUR_MS,
            at: None,
        };
        assert_eq!(describe_schedule(&off), "Off (every hour when on)");
        let retention = RetentionPolicy {
            all_for_sec: 86_400,
            per_day: 4,
            days: 7,
        };
        assert_eq!(
            describe_retention(&retention),
            "Keeps every snapshot for 1 day, then 4 a day for 7 more days"
        );
    }
}
