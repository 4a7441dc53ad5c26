//! Windows of history (`start_time`, `end_time`, `resolution`) on the space and performance
//! endpoints, as REST 2.x defines them: samples fall on multiples of the resolution,
//! `end_time` defaults to now and a missing `start_time` gives the latest sample only.

use serde::Deserialize;
use shared::flasharray::{
    ARRAY_PERFORMANCE_RESOLUTIONS, OBJECT_PERFORMANCE_RESOLUTIONS, SPACE_RESOLUTIONS,
};

use crate::error::ApiFault;

const DAY_MS: i64 = 86_400_000;
/// More samples than this in one answer is refused: ask for a coarser resolution.
pub const MAX_SAMPLES: usize = 100_000;

/// Which endpoint a window is for: each keeps its own resolutions.
#[derive(Debug, Clone, Copy)]
pub enum Series {
    ArrayPerformance,
    ObjectPerformance,
    Space,
}

impl Series {
    fn resolutions(self) -> &'static [i64] {
        match self {
            Series::ArrayPerformance => &ARRAY_PERFORMANCE_RESOLUTIONS,
            Series::ObjectPerformance => &OBJECT_PERFORMANCE_RESOLUTIONS,
            Series::Space => &SPACE_RESOLUTIONS,
        }
    }
}

/// How long samples at a resolution are kept: seconds for a day, 30 s for 30 days, coarser
/// ones for a year.
fn retention_ms(resolution: i64) -> i64 {
    if resolution <= 1_000 {
        DAY_MS
    } else if resolution <= 30_000 {
        30 * DAY_MS
    } else {
        365 * DAY_MS
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    start_time: Option<i64>,
    end_time: Option<i64>,
    resolution: Option<i64>,
}

impl HistoryQuery {
    /// Whether any history parameter was given; without them an endpoint reports the present.
    pub fn asked(&self) -> bool {
        self.start_time.is_some() || self.end_time.is_some() || self.resolution.is_some()
    }

    /// The sample times the window holds, oldest first: never before `installed_ms` (the
    /// array kept nothing then), nor past the resolution's retention, nor after `now_ms`.
    /// `per_sample` items are produced for each, and their total is capped.
    /// The spacing of `series`' samples this query asks for (checked by [`Self::sample_times`]).
    pub fn resolution(&self, series: Series) -> i64 {
        self.resolution.unwrap_or(series.resolutions()[0])
    }

    pub fn sample_times(
        &self,
        series: Series,
        now_ms: i64,
        installed_ms: i64,
        per_sample: usize,
    ) -> Result<Vec<i64>, ApiFault> {
        let allowed = series.resolutions();
        let resolution = match self.resolution {
            Some(resolution) if allowed.contains(&resolution) => resolution,
            Some(resolution) => {
                let valid: Vec<String> = allowed.iter().map(i64::to_string).collect();
                return Err(ApiFault::invalid(format!(
                    "Invalid resolution: {resolution}. Valid values are {}.",
                    valid.join(", ")
                )));
            }
            None => allowed[0],
        };
        for (name, value) in [("start_time", self.start_time), ("end_time", self.end_time)] {
            if value.is_some_and(|value| value < 0) {
                return Err(ApiFault::invalid(format!("{name} must not be negative.")));
            }
        }
        let end = self.end_time.unwrap_or(now_ms).min(now_ms);
        let last = end.div_euclid(resolution) * resolution;
        let earliest = installed_ms.max(now_ms - retention_ms(resolution));
        let Some(start) = self.start_time else {
            return Ok(if last >= earliest {
                vec![last]
            } else {
                Vec::new()
            });
        };
        if start > end && self.end_time.is_some() {
            return Err(ApiFault::invalid("start_time must not be after end_time."));
        }
        let from = start.max(earliest);
        let first = (from + resolution - 1).div_euclid(resolution) * resolution;
        if first > last {
            return Ok(Vec::new());
        }
        let count = usize::try_from((last - first) / resolution + 1).unwrap_or(usize::MAX);
        if count.saturating_mul(per_sample.max(1)) > MAX_SAMPLES {
            return Err(ApiFault::invalid(format!(
                "The window holds {count} samples at resolution {resolution}; ask for at most {MAX_SAMPLES} items with a shorter window or a coarser resolution."
            )));
        }
        Ok((0..count as i64)
            .map(|step| first + step * resolution)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(start: Option<i64>, end: Option<i64>, resolution: Option<i64>) -> HistoryQuery {
        HistoryQuery {
            start_time: start,
            end_time: end,
            resolution,
        }
    }

    const NOW: i64 = 1_000 * DAY_MS + 12_345;

    #[test]
    fn without_a_start_only_the_latest_sample_comes_back() {
        let times = query(None, None, Some(300_000))
            .sample_times(Series::Space, NOW, 0, 1)
            .unwrap();
        assert_eq!(times, [NOW / 300_000 * 300_000]);
    }

    #[test]
    fn windows_off_sample_boundaries_hold_the_samples_inside_them() {
        let start = NOW - 3_600_000 - 7;
        let times = query(Some(start), Some(NOW - 7), Some(300_000))
            .sample_times(Series::Space, NOW, 0, 1)
            .unwrap();
        assert_eq!(times.len(), 12);
        assert!(times.iter().all(|time| time % 300_000 == 0));
        assert!(times[0] >= start && *times.last().unwrap() <= NOW - 7);
    }

    #[test]
    fn history_starts_when_the_array_was_installed_and_ends_now() {
        let times = query(Some(NOW - DAY_MS), Some(NOW + DAY_MS), Some(1_800_000))
            .sample_times(Series::Space, NOW, NOW - 3_600_000, 1)
            .unwrap();
        assert_eq!(times.len(), 2);
        assert!(*times.last().unwrap() <= NOW);
    }

    #[test]
    fn resolutions_are_those_the_endpoint_keeps() {
        let refused = query(None, None, Some(1_000))
            .sample_times(Series::Space, NOW, 0, 1)
            .unwrap_err();
        assert!(
            refused.message.contains("Invalid resolution"),
            "{refused:?}"
        );
        assert!(
            query(None, None, Some(1_000))
                .sample_times(Series::ArrayPerformance, NOW, 0, 1)
                .is_ok()
        );
    }

    #[test]
    fn seconds_are_kept_for_a_day_only() {
        let times = query(Some(NOW - 2 * DAY_MS), None, Some(1_000))
            .sample_times(Series::ArrayPerformance, NOW, 0, 1)
            .unwrap();
        assert_eq!(times.len(), 86_400);
    }

    #[test]
    fn windows_too_large_are_refused_by_name() {
        let refused = query(Some(0), None, Some(30_000))
            .sample_times(Series::ObjectPerformance, NOW, 0, 100)
            .unwrap_err();
        assert!(
            refused.message.contains("coarser resolution"),
            "{refused:?}"
        );
        let backwards = query(Some(NOW), Some(NOW - DAY_MS), None)
            .sample_times(Series::Space, NOW, 0, 1)
            .unwrap_err();
        assert!(backwards.message.contains("start_time"), "{backwards:?}");
    }
}
