//! The capacity and protection report (`/api/reports/fleet`): each array's use, growth and
//! days to full, its volumes no protection group covers, and the oldest snapshot of each of
//! its groups. Downloadable as CSV or HTML at any time, and sent weekly through a channel.

use serde::{Deserialize, Serialize};

use super::ApiError;

/// The most unprotected volumes a report names per array; the count stays exact.
pub const MAX_UNPROTECTED_LISTED: usize = 1000;
/// The most items the report reads of each of an array's lists (volumes, hosts, connections,
/// members, snapshots): more than any FlashArray holds, a bound against one that lies.
pub const MAX_REPORT_ITEMS: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetReport {
    /// Unix milliseconds.
    pub generated_at_ms: i64,
    pub arrays: Vec<ArrayReport>,
}

/// One array's part of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArrayReport {
    pub array: String,
    /// Why the array could not be reported on (its own words, or that it did not answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// One of the array's lists held more than [`MAX_REPORT_ITEMS`] (or its pages did not
    /// end): what is counted may be short, and a volume may be named unprotected wrongly.
    #[serde(default)]
    pub incomplete: bool,
    pub capacity: u64,
    pub used: u64,
    /// Bytes a day over the last 30 days; `None` with too little history.
    pub growth_per_day: Option<f64>,
    /// At that growth; `None` when it is not growing.
    pub days_to_full: Option<f64>,
    /// Volumes not destroyed.
    pub volumes: u64,
    /// Volumes no protection group with a schedule covers: not a member, and not connected to
    /// a host or host group that is one.
    pub unprotected_count: u64,
    /// The first [`MAX_UNPROTECTED_LISTED`] of them, by name.
    pub unprotected: Vec<ReportVolume>,
    pub protection_groups: Vec<GroupReport>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportVolume {
    pub name: String,
    pub provisioned: u64,
}

/// A protection group's snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupReport {
    pub name: String,
    /// Whether it snapshots or replicates on a schedule.
    pub scheduled: bool,
    pub snapshots: u64,
    pub oldest_snapshot_ms: Option<i64>,
    pub newest_snapshot_ms: Option<i64>,
}

impl ArrayReport {
    /// Used space as a share of capacity, when the array reports a capacity.
    pub fn used_share(&self) -> Option<f64> {
        (self.capacity > 0).then(|| self.used as f64 / self.capacity as f64)
    }
}

/// When the report is sent: every week on `weekday` (1 Monday … 7 Sunday) at `hour`, in the
/// time zone `utc_offset_minutes` east of UTC (the browser's, when it was chosen), through
/// `channel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportSchedule {
    pub channel: i64,
    pub weekday: u8,
    pub hour: u8,
    #[serde(default)]
    pub utc_offset_minutes: i16,
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;

impl ReportSchedule {
    /// The latest time the report was due at or before `now_ms`.
    pub fn due_at_or_before(&self, now_ms: i64) -> i64 {
        let offset_ms = i64::from(self.utc_offset_minutes) * 60_000;
        let local_ms = now_ms + offset_ms;
        let local_day = local_ms.div_euclid(DAY_MS);
        // The first of January 1970 was a Thursday: weekday 4.
        let weekday = (local_day + 3).rem_euclid(7) + 1;
        let days_back = (weekday - i64::from(self.weekday)).rem_euclid(7);
        let mut due_local = (local_day - days_back) * DAY_MS + i64::from(self.hour) * HOUR_MS;
        if due_local > local_ms {
            due_local -= WEEK_MS;
        }
        due_local - offset_ms
    }

    /// The next time it is due after `now_ms`.
    pub fn next_after(&self, now_ms: i64) -> i64 {
        self.due_at_or_before(now_ms) + WEEK_MS
    }
}

/// The weekday names, Monday first, as [`ReportSchedule::weekday`] counts them from 1.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Checks a schedule's own figures (the channel is checked where channels are known).
pub fn validate_report_schedule(schedule: &ReportSchedule) -> Result<(), ApiError> {
    if !(1..=7).contains(&schedule.weekday) {
        return Err(ApiError::for_field(
            "weekday",
            "Choose a day of the week (1 Monday to 7 Sunday).",
        ));
    }
    if schedule.hour > 23 {
        return Err(ApiError::for_field("hour", "Choose an hour from 0 to 23."));
    }
    if !(-14 * 60..=14 * 60).contains(&schedule.utc_offset_minutes) {
        return Err(ApiError::for_field(
            "utc_offset_minutes",
            "A time zone is at most 14 hours from UTC.",
        ));
    }
    Ok(())
}

/// `GET`/`PUT /api/notifications/report`: when the report goes out, if at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSettings {
    pub schedule: Option<ReportSchedule>,
    /// When it is next sent (Unix milliseconds); read only.
    #[serde(default)]
    pub next_at_ms: Option<i64>,
    /// When it was last sent; read only.
    #[serde(default)]
    pub last_sent_at_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Monday 7 December 2026, 00:00 UTC.
    const MONDAY: i64 = 1_796_601_600_000;

    fn schedule(weekday: u8, hour: u8, utc_offset_minutes: i16) -> ReportSchedule {
        ReportSchedule {
            channel: 1,
            weekday,
            hour,
            utc_offset_minutes,
        }
    }

    #[test]
    fn the_report_is_due_on_its_weekday_at_its_hour_in_its_time_zone() {
        let monday_eight = schedule(1, 8, 0);
        assert_eq!(
            monday_eight.due_at_or_before(MONDAY + 8 * HOUR_MS),
            MONDAY + 8 * HOUR_MS
        );
        assert_eq!(
            monday_eight.due_at_or_before(MONDAY + 7 * HOUR_MS),
            MONDAY + 8 * HOUR_MS - WEEK_MS,
            "not yet this week"
        );
        assert_eq!(
            monday_eight.due_at_or_before(MONDAY + 3 * DAY_MS),
            MONDAY + 8 * HOUR_MS
        );
        assert_eq!(
            monday_eight.next_after(MONDAY + 9 * HOUR_MS),
            MONDAY + WEEK_MS + 8 * HOUR_MS
        );
        // Monday 08:00 at UTC+01:00 is 07:00 UTC.
        assert_eq!(
            schedule(1, 8, 60).due_at_or_before(MONDAY + DAY_MS),
            MONDAY + 7 * HOUR_MS
        );
        // Sunday 23:00 at UTC-05:00 is Monday 04:00 UTC.
        assert_eq!(
            schedule(7, 23, -300).due_at_or_before(MONDAY + DAY_MS),
            MONDAY + 4 * HOUR_MS
        );
    }

    #[test]
    fn a_schedule_names_a_weekday_an_hour_and_a_real_time_zone() {
        assert!(validate_report_schedule(&schedule(1, 8, 60)).is_ok());
        let field = |bad: ReportSchedule| validate_report_schedule(&bad).unwrap_err().field;
        assert_eq!(field(schedule(0, 8, 0)).as_deref(), Some("weekday"));
        assert_eq!(field(schedule(8, 8, 0)).as_deref(), Some("weekday"));
        assert_eq!(field(schedule(1, 24, 0)).as_deref(), Some("hour"));
        assert_eq!(
            field(schedule(1, 8, 15 * 60)).as_deref(),
            Some("utc_offset_minutes")
        );
    }

    proptest! {
        #[test]
        fn the_last_due_time_is_within_a_week_before_now(
            weekday in 1u8..=7,
            hour in 0u8..24,
            offset in -840i16..=840,
            now in 0i64..4_000_000_000_000,
        ) {
            let schedule = schedule(weekday, hour, offset);
            let due = schedule.due_at_or_before(now);
            prop_assert!(due <= now && now - due < WEEK_MS);
            prop_assert_eq!(schedule.due_at_or_before(due), due);
        }
    }
}
