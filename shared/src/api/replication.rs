//! Replication between the arrays the portal manages: connecting two of them in one step.

use serde::{Deserialize, Serialize};

use super::{ApiError, ArrayFailure};
use crate::flasharray::{
    ASYNC_REPLICATION, ProtectionGroupSnapshot, ProtectionGroupSnapshotTransfer,
    ReplicationSchedule, SYNC_REPLICATION,
};

/// Lag above this share of the replication interval is a warning (NetApp's default).
pub const LAG_WARNING: f64 = 1.5;
/// Lag above this share of the replication interval breaches the schedule.
pub const LAG_BREACH: f64 = 2.5;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How a replication relationship is doing, judged against its schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplicationHealth {
    /// Behind by more than [`LAG_BREACH`] intervals.
    Breach,
    /// Behind by more than [`LAG_WARNING`] intervals.
    Warning,
    /// The target refuses the group.
    Disallowed,
    /// The target could not be read.
    #[default]
    Unknown,
    /// Behind, but in the schedule's blackout window, when it is not meant to replicate.
    Blackout,
    /// An administrator paused the link.
    Paused,
    /// The first snapshot is on its way; nothing has arrived yet.
    Baselining,
    /// Replicated by hand only: there is no interval to judge the lag by.
    Unscheduled,
    Ok,
}

impl ReplicationHealth {
    pub fn label(self) -> &'static str {
        match self {
            ReplicationHealth::Breach => "Breach",
            ReplicationHealth::Warning => "Warning",
            ReplicationHealth::Disallowed => "Disallowed by the target",
            ReplicationHealth::Unknown => "Unknown",
            ReplicationHealth::Blackout => "Paused by blackout",
            ReplicationHealth::Paused => "Paused by an admin",
            ReplicationHealth::Baselining => "Baselining",
            ReplicationHealth::Unscheduled => "No schedule",
            ReplicationHealth::Ok => "OK",
        }
    }

    /// The value of `?health=` that picks it.
    pub fn key(self) -> &'static str {
        match self {
            ReplicationHealth::Breach => "breach",
            ReplicationHealth::Warning => "warning",
            ReplicationHealth::Disallowed => "disallowed",
            ReplicationHealth::Unknown => "unknown",
            ReplicationHealth::Blackout => "blackout",
            ReplicationHealth::Paused => "paused",
            ReplicationHealth::Baselining => "baselining",
            ReplicationHealth::Unscheduled => "unscheduled",
            ReplicationHealth::Ok => "ok",
        }
    }

    pub const ALL: [ReplicationHealth; 9] = [
        ReplicationHealth::Breach,
        ReplicationHealth::Warning,
        ReplicationHealth::Disallowed,
        ReplicationHealth::Unknown,
        ReplicationHealth::Blackout,
        ReplicationHealth::Paused,
        ReplicationHealth::Baselining,
        ReplicationHealth::Unscheduled,
        ReplicationHealth::Ok,
    ];
}

/// How far ahead of the source's clock a copy may be dated and still be believed (clocks
/// drift a little); one dated later is not taken as a recovery point.
pub const CLOCK_ALLOWANCE_MS: i64 = 5 * 60 * 1000;

/// The newest of `copies` that is not dated in the future of `now_ms`, and how far behind
/// `now_ms` it is.
pub fn newest_copy<'a>(
    copies: impl IntoIterator<Item = &'a ProtectionGroupSnapshot>,
    now_ms: i64,
) -> Option<(&'a ProtectionGroupSnapshot, i64)> {
    copies
        .into_iter()
        .filter(|copy| copy.created <= now_ms.saturating_add(CLOCK_ALLOWANCE_MS))
        .max_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)))
        .map(|copy| (copy, now_ms.saturating_sub(copy.created).max(0)))
}

/// What is known of one relationship, to judge it by.
#[derive(Debug, Clone, Copy)]
pub struct LagFacts<'a> {
    pub schedule: &'a ReplicationSchedule,
    pub allowed: Option<bool>,
    /// Milliseconds since the newest copy on the target was taken; `None` when there is none
    /// or the target could not be read.
    pub lag_ms: Option<i64>,
    /// Whether the target's copies could be read at all.
    pub target_read: bool,
    /// Whether a snapshot is on its way.
    pub in_flight: bool,
    /// The source array's time now, in milliseconds since the epoch.
    pub now_ms: i64,
}

/// Judges a relationship's lag against its replication interval: a warning beyond
/// [`LAG_WARNING`] intervals, a breach beyond [`LAG_BREACH`]; while the blackout window is
/// in force, being behind is the blackout's doing, not a breach.
pub fn judge_replication(facts: &LagFacts) -> ReplicationHealth {
    if facts.allowed == Some(false) {
        return ReplicationHealth::Disallowed;
    }
    if !facts.target_read {
        return ReplicationHealth::Unknown;
    }
    let Some(lag) = facts.lag_ms else {
        return if facts.in_flight {
            ReplicationHealth::Baselining
        } else if facts.schedule.enabled {
            ReplicationHealth::Breach
        } else {
            ReplicationHealth::Unscheduled
        };
    };
    if !facts.schedule.enabled || facts.schedule.frequency == 0 {
        return ReplicationHealth::Unscheduled;
    }
    let intervals = lag as f64 / facts.schedule.frequency as f64;
    let behind = if intervals > LAG_BREACH {
        ReplicationHealth::Breach
    } else if intervals > LAG_WARNING {
        ReplicationHealth::Warning
    } else {
        return ReplicationHealth::Ok;
    };
    let ms_of_day = u64::try_from(facts.now_ms.rem_euclid(DAY_MS)).unwrap_or(0);
    if facts.schedule.blacked_out(ms_of_day) {
        ReplicationHealth::Blackout
    } else {
        behind
    }
}

/// One protection group replicating to one array, as the fleet's DR page lists it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplicationRelationship {
    /// The source array, by the name the portal knows it by.
    pub source: String,
    pub group: String,
    /// The target array, as the source names it.
    pub target: String,
    pub allowed: Option<bool>,
    pub schedule: ReplicationSchedule,
    pub health: ReplicationHealth,
    /// Milliseconds from the newest copy's snapshot to the source's now.
    pub lag_ms: Option<i64>,
    /// The target's newest copy: the recovery point.
    pub newest_copy: Option<ProtectionGroupSnapshot>,
    pub last_transfer: Option<ProtectionGroupSnapshotTransfer>,
    /// Why the target's copies could not be read, if they could not.
    pub unread: Option<String>,
}

/// `GET /api/fleet/replication`: every replication relationship of the caller's arrays, the
/// worst first, and the arrays that did not answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetReplication {
    pub relationships: Vec<ReplicationRelationship>,
    /// ActiveDR links, the worst first.
    #[serde(default)]
    pub pod_links: Vec<super::PodLinkRelationship>,
    /// Pods stretched over arrays (ActiveCluster), the worst first.
    #[serde(default)]
    pub stretched_pods: Vec<super::StretchedPod>,
    pub errors: Vec<ArrayFailure>,
}

/// `GET /api/fleet/replication/throughput`: what the arrays in the caller's scope sent over
/// their replication links, summed, per sample over the last day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetThroughput {
    pub start_time: i64,
    pub end_time: i64,
    pub points: Vec<ThroughputPoint>,
    pub errors: Vec<ArrayFailure>,
}

/// A sample's time and the bytes a second sent over the time before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThroughputPoint {
    pub time: i64,
    pub bytes_per_sec: u64,
}

/// `POST /api/arrays/{array}/array-connections`: connect `array` to `remote`, another array
/// the portal manages. The portal reads `remote`'s connection key itself and hands it to
/// `array`; nobody types or sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectArraysRequest {
    /// The other array, by the name the portal knows it by.
    pub remote: String,
    /// `async-replication` (the default: protection groups and ActiveDR) or
    /// `sync-replication` (ActiveCluster).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `GET /api/arrays/{array}/protection-groups/{group}/replication`: where a group's copies
/// are, read on each target the portal manages and the caller may see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupReplication {
    /// The newest snapshot sent (or being sent), as the source reports its transfer.
    pub last_transfer: Option<ProtectionGroupSnapshotTransfer>,
    pub targets: Vec<TargetCopies>,
}

/// `GET /api/arrays/{array}/volumes/{volume}/copies`: one protection group holding the volume,
/// and where its copies are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeCopies {
    pub group: String,
    pub replication: Option<GroupReplication>,
    /// Why the group's replication could not be read.
    pub unread: Option<String>,
}

/// What one target holds of a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetCopies {
    /// The target, as the source array names it.
    pub target: String,
    /// Whether the target allows the group, as the source last heard.
    pub allowed: Option<bool>,
    /// How many snapshots of the group the target holds (not destroyed).
    pub copies: usize,
    /// The newest of them: the target's recovery point.
    pub newest: Option<ProtectionGroupSnapshot>,
    /// Milliseconds from the newest copy's snapshot to now.
    pub lag_ms: Option<i64>,
    /// Why the target's copies could not be read (not managed here, outside the caller's
    /// scope, or the target's own error).
    pub unread: Option<String>,
}

/// `POST /api/arrays/{array}/protection-groups/{group}/targets`: the group replicates to
/// `remote`, an array `array` is connected to, by the name the array gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddTargetRequest {
    pub remote: String,
}

/// Checks an add-target request: one array, named as arrays name themselves (so never a list).
pub fn validate_add_target(request: &AddTargetRequest) -> Result<AddTargetRequest, ApiError> {
    let remote = request.remote.trim();
    if remote.is_empty() {
        return Err(ApiError::for_field(
            "remote",
            "Choose the connected array to replicate to.",
        ));
    }
    crate::names::validate_object_name("Array", remote)
        .map_err(|message| ApiError::for_field("remote", message))?;
    Ok(AddTargetRequest {
        remote: remote.to_owned(),
    })
}

/// Longer than any name an array or the portal gives: refused without being repeated.
const MAX_REMOTE_CHARS: usize = 128;

/// The replication types a connection can be made for, with what each is for.
pub const CONNECTION_TYPES: [(&str, &str); 2] = [
    (
        ASYNC_REPLICATION,
        "Asynchronous: protection group snapshots and ActiveDR",
    ),
    (SYNC_REPLICATION, "Synchronous: ActiveCluster"),
];

/// Checks a connect request for `array`: another array, and a known type (asynchronous
/// when none is given).
pub fn validate_connect_arrays(
    array: &str,
    request: &ConnectArraysRequest,
) -> Result<ConnectArraysRequest, ApiError> {
    let remote = request.remote.trim();
    if remote.is_empty() {
        return Err(ApiError::for_field(
            "remote",
            "Choose the array to connect to.",
        ));
    }
    if remote.chars().count() > MAX_REMOTE_CHARS {
        return Err(ApiError::for_field(
            "remote",
            format!(
                "No registered array has a name that long: names have at most {MAX_REMOTE_CHARS} characters."
            ),
        ));
    }
    if remote == array {
        return Err(ApiError::for_field(
            "remote",
            format!("{array} cannot be connected to itself: choose another array."),
        ));
    }
    let kind = request.kind.as_deref().unwrap_or(ASYNC_REPLICATION);
    if !CONNECTION_TYPES.iter().any(|(known, _)| *known == kind) {
        return Err(ApiError::for_field(
            "type",
            format!(
                "{kind:?} is not a replication type: use async-replication or sync-replication."
            ),
        ));
    }
    Ok(ConnectArraysRequest {
        remote: remote.to_owned(),
        kind: Some(kind.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(remote: &str, kind: Option<&str>) -> ConnectArraysRequest {
        ConnectArraysRequest {
            remote: remote.to_owned(),
            kind: kind.map(str::to_owned),
        }
    }

    #[test]
    fn a_connection_needs_another_array_and_a_known_type() {
        let field = |result: Result<ConnectArraysRequest, ApiError>| result.unwrap_err().field;
        assert_eq!(
            field(validate_connect_arrays("fa-a", &request(" ", None))).as_deref(),
            Some("remote")
        );
        assert_eq!(
            field(validate_connect_arrays("fa-a", &request("fa-a", None))).as_deref(),
            Some("remote")
        );
        assert_eq!(
            field(validate_connect_arrays(
                "fa-a",
                &request("fa-b", Some("nightly"))
            ))
            .as_deref(),
            Some("type")
        );
        let long = "x".repeat(10_000);
        let refused = validate_connect_arrays("fa-a", &request(&long, None)).unwrap_err();
        assert!(refused.message.len() < 200, "{}", refused.message);
        let checked = validate_connect_arrays("fa-a", &request(" fa-b ", None)).expect("valid");
        let listed = AddTargetRequest {
            remote: "fa-dr,fa-x".to_owned(),
        };
        assert_eq!(
            validate_add_target(&listed).unwrap_err().field.as_deref(),
            Some("remote")
        );
        assert_eq!(checked, request("fa-b", Some(ASYNC_REPLICATION)));
    }
}

#[cfg(test)]
mod judge_tests {
    use super::*;
    use crate::flasharray::TimeWindow;

    const HOUR: i64 = 3_600_000;

    fn hourly(blackout: Option<TimeWindow>) -> ReplicationSchedule {
        ReplicationSchedule {
            enabled: true,
            frequency: HOUR as u64,
            at: None,
            blackout,
        }
    }

    fn judged(
        schedule: &ReplicationSchedule,
        lag_ms: Option<i64>,
        now_ms: i64,
    ) -> ReplicationHealth {
        judge_replication(&LagFacts {
            schedule,
            allowed: Some(true),
            lag_ms,
            target_read: true,
            in_flight: false,
            now_ms,
        })
    }

    #[test]
    fn lag_is_judged_against_the_interval_at_150_and_250_percent() {
        let schedule = hourly(None);
        assert_eq!(judged(&schedule, Some(HOUR), 0), ReplicationHealth::Ok);
        assert_eq!(
            judged(&schedule, Some(HOUR * 3 / 2), 0),
            ReplicationHealth::Ok
        );
        assert_eq!(
            judged(&schedule, Some(2 * HOUR), 0),
            ReplicationHealth::Warning
        );
        assert_eq!(
            judged(&schedule, Some(5 * HOUR / 2 + 1), 0),
            ReplicationHealth::Breach
        );
        assert_eq!(
            judged(&schedule, None, 0),
            ReplicationHealth::Breach,
            "nothing arrived"
        );
    }

    #[test]
    fn behind_in_the_blackout_window_is_the_blackouts_doing() {
        let schedule = hourly(Some(TimeWindow {
            start: 8 * HOUR as u64,
            end: 18 * HOUR as u64,
        }));
        assert_eq!(
            judged(&schedule, Some(4 * HOUR), 9 * HOUR),
            ReplicationHealth::Blackout
        );
        assert_eq!(
            judged(&schedule, Some(4 * HOUR), 19 * HOUR),
            ReplicationHealth::Breach
        );
        assert_eq!(
            judged(&schedule, Some(HOUR), 9 * HOUR),
            ReplicationHealth::Ok
        );
    }

    #[test]
    fn a_copy_dated_in_the_future_is_no_recovery_point_and_no_date_overflows() {
        let copy = |name: &str, created: i64| ProtectionGroupSnapshot {
            name: name.to_owned(),
            created,
            ..ProtectionGroupSnapshot::default()
        };
        let copies = [
            copy("a", i64::MIN),
            copy("b", 10 * HOUR),
            copy("c", i64::MAX),
        ];
        let (newest, lag) = newest_copy(&copies, 12 * HOUR).expect("one believed");
        assert_eq!((newest.name.as_str(), lag), ("b", 2 * HOUR));
        let (oldest, lag) = newest_copy(&copies[..1], i64::MAX).expect("the only one");
        assert_eq!((oldest.name.as_str(), lag), ("a", i64::MAX));
    }

    #[test]
    fn without_a_schedule_refusal_or_answer_lag_is_not_judged() {
        let manual = ReplicationSchedule::default();
        assert_eq!(
            judged(&manual, Some(100 * HOUR), 0),
            ReplicationHealth::Unscheduled
        );
        let schedule = hourly(None);
        let facts = |allowed, target_read, in_flight| LagFacts {
            schedule: &schedule,
            allowed,
            lag_ms: None,
            target_read,
            in_flight,
            now_ms: 0,
        };
        assert_eq!(
            judge_replication(&facts(Some(false), true, false)),
            ReplicationHealth::Disallowed
        );
        assert_eq!(
            judge_replication(&facts(Some(true), false, false)),
            ReplicationHealth::Unknown
        );
        assert_eq!(
            judge_replication(&facts(Some(true), true, true)),
            ReplicationHealth::Baselining
        );
    }
}
