//! Capacity planning: when an array fills, from a straight-line fit of its used space, and
//! where a new volume should go, from fullness, load and runway.

use serde::{Deserialize, Serialize};

const DAY_MS: f64 = 86_400_000.0;
/// Less history than this gives no forecast: a week's swings would be read as a trend.
pub const MIN_HISTORY_DAYS: f64 = 7.0;
/// How far back the fit looks.
pub const FORECAST_DAYS: i64 = 30;
/// Arrays fuller than this after placing a volume are not suggested.
pub const PLACEMENT_SKIP_ABOVE: f64 = 0.90;
/// Arrays below this after placing a volume are preferred.
pub const PLACEMENT_PREFER_BELOW: f64 = 0.75;
/// A runway shorter than this counts against an array.
const SHORT_RUNWAY_DAYS: f64 = 90.0;

/// How long until used space reaches a level, with the range the fit's uncertainty allows
/// (the growth rate ± two standard errors).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Runway {
    pub days: f64,
    pub earliest_days: f64,
    /// `None` when growth may be flat within the uncertainty: perhaps never.
    pub latest_days: Option<f64>,
}

/// `GET /api/arrays/{array}/forecast`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    pub array: String,
    pub capacity: u64,
    /// Days of history the fit used.
    pub history_days: f64,
    /// `false`: less than [`MIN_HISTORY_DAYS`]; nothing below is set.
    pub enough_history: bool,
    /// Used space at the latest point of history, where the forecast starts.
    pub used_now: Option<f64>,
    /// Bytes per day the used space grows by (negative when it shrinks).
    pub growth_per_day: Option<f64>,
    /// Two standard errors of that growth.
    pub growth_uncertainty_per_day: Option<f64>,
    /// `None`: not growing, or already past.
    pub to_80: Option<Runway>,
    pub to_100: Option<Runway>,
    /// When the forecast was made (ms).
    pub as_of: i64,
}

/// The growth of used space: the slope of the straight line through `(time ms, used bytes)`
/// points, carried forward from the latest point (the line's own intercept would misstate
/// today's use whenever growth has not been steady).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fit {
    /// Used bytes at the latest point.
    at_now: f64,
    per_day: f64,
    /// Standard error of `per_day`.
    per_day_error: f64,
    history_days: f64,
}

/// A least-squares fit of `points` with time in days from `now_ms`, from their latest one;
/// `None` with fewer than three points or no spread in time.
fn fit(points: &[(i64, f64)], now_ms: i64) -> Option<Fit> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let xs: Vec<f64> = points
        .iter()
        .map(|(time, _)| time.saturating_sub(now_ms) as f64 / DAY_MS)
        .collect();
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
    if sxx <= f64::EPSILON {
        return None;
    }
    let sxy: f64 = xs
        .iter()
        .zip(points)
        .map(|(x, (_, y))| (x - mean_x) * (y - mean_y))
        .sum();
    let per_day = sxy / sxx;
    let intercept = mean_y - per_day * mean_x;
    let residuals: f64 = xs
        .iter()
        .zip(points)
        .map(|(x, (_, y))| (y - (intercept + per_day * x)).powi(2))
        .sum();
    let per_day_error = (residuals / (n - 2.0)).sqrt() / sxx.sqrt();
    let latest = points
        .iter()
        .max_by_key(|(time, _)| *time)
        .map_or(intercept, |(_, used)| *used);
    let first = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let last = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Fit {
        at_now: latest,
        per_day,
        per_day_error,
        history_days: last - first,
    })
}

impl Fit {
    /// Days from now until the line reaches `level`; `None` when it is not rising toward it.
    pub fn runway(&self, level: f64) -> Option<Runway> {
        let left = level - self.at_now;
        if left <= 0.0 || self.per_day <= 0.0 {
            return None;
        }
        let spread = 2.0 * self.per_day_error;
        Some(Runway {
            days: left / self.per_day,
            earliest_days: left / (self.per_day + spread),
            latest_days: (self.per_day - spread > 0.0).then(|| left / (self.per_day - spread)),
        })
    }
}

/// The forecast of an array of `capacity` bytes from its used-space history.
pub fn forecast(array: &str, capacity: u64, points: &[(i64, f64)], now_ms: i64) -> Forecast {
    let fitted = fit(points, now_ms);
    let history_days = fitted.map_or(0.0, |fit| fit.history_days);
    let enough = fitted.filter(|fit| fit.history_days >= MIN_HISTORY_DAYS && capacity > 0);
    Forecast {
        array: array.to_owned(),
        capacity,
        history_days,
        enough_history: enough.is_some(),
        used_now: enough.map(|fit| fit.at_now),
        growth_per_day: enough.map(|fit| fit.per_day),
        growth_uncertainty_per_day: enough.map(|fit| 2.0 * fit.per_day_error),
        to_80: enough.and_then(|fit| fit.runway(0.8 * capacity as f64)),
        to_100: enough.and_then(|fit| fit.runway(capacity as f64)),
        as_of: now_ms,
    }
}

/// Where the busy meter of an array came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoadSource {
    /// Pure1's `array_total_load`.
    Pure1,
    /// Estimated from the array's own performance history.
    Array,
}

/// What placement weighs of one array.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacementInput {
    pub array: String,
    pub capacity: u64,
    pub used: u64,
    /// The busy meter's 95th percentile over seven days (0.3 = 30 %).
    pub load_p95: Option<(f64, LoadSource)>,
    pub days_to_full: Option<f64>,
    /// Registered in the portal; `false`: seen by Pure1 only, weighed from what it reports.
    pub managed: bool,
}

/// An array placement could not weigh, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unweighed {
    pub array: String,
    pub reason: String,
    pub managed: bool,
}

/// One array's place in the advice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementCandidate {
    pub array: String,
    /// Suggested at all: reachable and at most 90 % full after placing the volume.
    pub eligible: bool,
    /// Lower is better; eligible arrays come first, best first. `None` for an array that
    /// could not be weighed (JSON has no infinity to stand for it).
    pub score: Option<f64>,
    /// Share of capacity used after placing the volume.
    pub used_after: Option<f64>,
    pub load_p95: Option<f64>,
    pub load_source: Option<LoadSource>,
    pub days_to_full: Option<f64>,
    /// Why, in words: one line per consideration.
    pub reasons: Vec<String>,
    /// Registered in the portal, so a volume can be made there from here; `false`: seen by
    /// Pure1 only.
    pub managed: bool,
}

/// `GET /api/fleet/placement?size=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    pub size: u64,
    pub candidates: Vec<PlacementCandidate>,
}

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// Ranks `inputs` for a volume of `size` bytes: arrays over 90 % full after placing it are
/// skipped, those under 75 % preferred; then the quieter (busy meter p95 over seven days) and
/// the longer runway win. Among the suggested, arrays the portal manages come before those
/// only Pure1 sees, so the first suggestion is one a volume can be made on from here.
/// Unreachable arrays come last with their reason.
pub fn rank(size: u64, inputs: Vec<Result<PlacementInput, Unweighed>>) -> Placement {
    let mut candidates: Vec<PlacementCandidate> = inputs
        .into_iter()
        .map(|input| match input {
            Ok(input) => candidate(size, input),
            Err(unweighed) => PlacementCandidate {
                array: unweighed.array,
                eligible: false,
                score: None,
                used_after: None,
                load_p95: None,
                load_source: None,
                days_to_full: None,
                reasons: vec![format!("Not suggested: {}", unweighed.reason)],
                managed: unweighed.managed,
            },
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.eligible
            .cmp(&a.eligible)
            .then(b.managed.cmp(&a.managed))
            .then(
                a.score
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.score.unwrap_or(f64::INFINITY)),
            )
            .then(a.array.cmp(&b.array))
    });
    Placement { size, candidates }
}

fn candidate(size: u64, input: PlacementInput) -> PlacementCandidate {
    let used_after = if input.capacity == 0 {
        1.0
    } else {
        (input.used as f64 + size as f64) / input.capacity as f64
    };
    let mut reasons = Vec::new();
    let eligible = used_after <= PLACEMENT_SKIP_ABOVE;
    let mut score = used_after;
    if !eligible {
        reasons.push(format!(
            "Not suggested: {} full after placing it (over {}).",
            percent(used_after),
            percent(PLACEMENT_SKIP_ABOVE)
        ));
    } else if used_after > PLACEMENT_PREFER_BELOW {
        score += 0.5;
        reasons.push(format!(
            "{} full after placing it (above the preferred {}).",
            percent(used_after),
            percent(PLACEMENT_PREFER_BELOW)
        ));
    } else {
        reasons.push(format!("{} full after placing it.", percent(used_after)));
    }
    match input.load_p95 {
        Some((load, source)) => {
            score += load;
            let from = match source {
                LoadSource::Pure1 => "Pure1's busy meter",
                LoadSource::Array => "estimated from the array's performance",
            };
            reasons.push(format!(
                "Load {} at the 7-day 95th percentile ({from}).",
                percent(load)
            ));
        }
        None => {
            score += 0.5;
            reasons.push("Load unknown: no performance history.".to_owned());
        }
    }
    match input.days_to_full {
        Some(days) if days < SHORT_RUNWAY_DAYS => {
            score += (SHORT_RUNWAY_DAYS - days) / SHORT_RUNWAY_DAYS * 0.5;
            reasons.push(format!("Full in about {days:.0} days at its growth."));
        }
        Some(days) => reasons.push(format!("Full in about {days:.0} days at its growth.")),
        None => {
            reasons.push("Not filling up at its growth (or too little history to say).".to_owned())
        }
    }
    if !input.managed {
        reasons.push(
            "Seen by Pure1 only: register it in the portal to create volumes there.".to_owned(),
        );
    }
    PlacementCandidate {
        array: input.array,
        eligible,
        score: Some(score),
        used_after: Some(used_after),
        load_p95: input.load_p95.map(|(load, _)| load),
        load_source: input.load_p95.map(|(_, source)| source),
        days_to_full: input.days_to_full,
        reasons,
        managed: input.managed,
    }
}

/// The `share` quantile (0.95 for the 95th percentile) of `values`; `None` when empty.
pub fn quantile(values: &[f64], share: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let at = ((sorted.len() - 1) as f64 * share.clamp(0.0, 1.0)).round() as usize;
    Some(sorted[at])
}

/// The query of `GET /api/fleet/placement`: the size of the volumes to place, such as `2T`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementQuery {
    pub size: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000_000;

    fn line(days: i64, start: f64, per_day: f64) -> Vec<(i64, f64)> {
        (0..=days * 4)
            .map(|quarter| {
                let day = quarter as f64 / 4.0 - days as f64;
                (
                    NOW + (day * DAY_MS) as i64,
                    start + per_day * (day + days as f64),
                )
            })
            .collect()
    }

    #[test]
    fn a_steady_growth_reaches_80_and_100_percent_when_arithmetic_says() {
        // 50 % full 30 days ago, growing 1 % of 1,000 a day: 80 % now, full in 20 days.
        let forecast = forecast("fa", 1000, &line(30, 500.0, 10.0), NOW);
        assert!(forecast.enough_history);
        assert!(forecast.to_80.is_none(), "already at 80 %");
        let full = forecast.to_100.expect("runway");
        assert!((full.days - 20.0).abs() < 1e-6, "{full:?}");
        assert!(
            (full.earliest_days - full.days).abs() < 1e-6,
            "an exact line has no spread"
        );
    }

    #[test]
    fn the_forecast_starts_from_todays_use_however_growth_has_curved() {
        // Slow at first, fast lately: the fitted line's intercept would sit far below today.
        let points: Vec<(i64, f64)> = (0..=30)
            .map(|day| {
                (
                    NOW - (30 - day) * DAY_MS as i64,
                    f64::from(day as i32).powi(2),
                )
            })
            .collect();
        let forecast = forecast("fa", 2000, &points, NOW);
        assert_eq!(forecast.used_now, Some(900.0));
        let to_80 = forecast.to_80.expect("runway").days;
        let slope = forecast.growth_per_day.expect("growth");
        assert!((to_80 - (1600.0 - 900.0) / slope).abs() < 1e-6);
    }

    #[test]
    fn too_little_history_or_no_growth_gives_no_date() {
        let short = forecast("fa", 1000, &line(3, 500.0, 10.0), NOW);
        assert!(!short.enough_history && short.to_100.is_none());
        assert!(short.history_days > 2.9);
        let flat = forecast("fa", 1000, &line(30, 500.0, 0.0), NOW);
        assert!(flat.enough_history && flat.to_100.is_none());
        assert!(forecast("fa", 1000, &[], NOW).to_80.is_none());
    }

    #[test]
    fn noise_widens_the_range_around_the_estimate() {
        let mut points = line(30, 300.0, 5.0);
        for (i, point) in points.iter_mut().enumerate() {
            point.1 += if i % 2 == 0 { 40.0 } else { -40.0 };
        }
        let full = forecast("fa", 1000, &points, NOW).to_100.expect("runway");
        assert!(full.earliest_days < full.days);
        assert!(full.latest_days.is_none_or(|latest| latest > full.days));
    }

    #[test]
    fn placement_skips_full_arrays_prefers_roomy_quiet_ones_and_says_why() {
        let input = |array: &str, used: u64, load: f64, days: Option<f64>| {
            Ok(PlacementInput {
                array: array.to_owned(),
                capacity: 100,
                used,
                load_p95: Some((load, LoadSource::Array)),
                days_to_full: days,
                managed: true,
            })
        };
        let placement = rank(
            5,
            vec![
                input("full", 88, 0.05, None),
                input("busy", 20, 0.90, None),
                input("idle", 20, 0.05, None),
                input("tight", 72, 0.05, Some(400.0)),
                Err(Unweighed {
                    array: "dead".to_owned(),
                    reason: "no answer within 5 s".to_owned(),
                    managed: true,
                }),
            ],
        );
        let order: Vec<&str> = placement
            .candidates
            .iter()
            .map(|c| c.array.as_str())
            .collect();
        // Below 75 % full counts for more than a quiet array; unreachable arrays come last.
        assert_eq!(order, ["idle", "busy", "tight", "full", "dead"]);
        let full = placement
            .candidates
            .iter()
            .find(|c| c.array == "full")
            .expect("full");
        assert!(
            !full.eligible && full.reasons[0].contains("93 % full"),
            "{:?}",
            full.reasons
        );
        let tight = &placement.candidates[2];
        assert!(
            tight.reasons[0].contains("above the preferred 75 %"),
            "{:?}",
            tight.reasons
        );
        assert!(placement.candidates[0].reasons[1].contains("Load 5 %"));
        // The browser reads the advice back with the same type, the unweighed array included.
        let text = serde_json::to_string(&placement).expect("json");
        let read: Placement = serde_json::from_str(&text).expect("read back");
        let names = |placement: &Placement| -> Vec<String> {
            placement
                .candidates
                .iter()
                .map(|c| c.array.clone())
                .collect()
        };
        assert_eq!(names(&read), names(&placement));
        assert_eq!(read.candidates[4].score, None);
    }

    #[test]
    fn an_array_only_pure1_sees_is_weighed_but_follows_the_managed_ones() {
        let input = |array: &str, used: u64, managed: bool| {
            Ok(PlacementInput {
                array: array.to_owned(),
                capacity: 100,
                used,
                load_p95: Some((0.1, LoadSource::Pure1)),
                days_to_full: None,
                managed,
            })
        };
        let placement = rank(
            5,
            vec![
                input("roomy-elsewhere", 10, false),
                input("managed", 60, true),
                input("full-elsewhere", 90, false),
            ],
        );
        let order: Vec<(&str, bool)> = placement
            .candidates
            .iter()
            .map(|c| (c.array.as_str(), c.managed))
            .collect();
        assert_eq!(
            order,
            [
                ("managed", true),
                ("roomy-elsewhere", false),
                ("full-elsewhere", false)
            ]
        );
        assert!(
            placement.candidates[1]
                .reasons
                .iter()
                .any(|reason| reason.contains("Seen by Pure1 only"))
        );
        assert!(placement.candidates[1].eligible && !placement.candidates[2].eligible);
    }

    #[test]
    fn quantiles_pick_from_the_sorted_values() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&values, 0.95), Some(95.0));
        assert_eq!(quantile(&[], 0.95), None);
    }

    proptest! {
        #[test]
        fn hostile_times_and_figures_give_a_forecast_without_panicking(
            points in proptest::collection::vec((any::<i64>(), any::<f64>()), 0..20),
            capacity in any::<u64>(),
        ) {
            let _ = forecast("fa", capacity, &points, NOW);
        }

        #[test]
        fn any_history_gives_a_forecast_without_panicking(
            points in proptest::collection::vec((-40i64 * 86_400_000..0, 0.0f64..1e15), 0..60),
            capacity in 0u64..u64::MAX / 2,
        ) {
            let points: Vec<(i64, f64)> = points.into_iter().map(|(at, used)| (NOW + at, used)).collect();
            let forecast = forecast("fa", capacity, &points, NOW);
            if let Some(full) = forecast.to_100 {
                prop_assert!(full.days >= 0.0 && full.earliest_days <= full.days + 1e-6);
            }
        }
    }
}
