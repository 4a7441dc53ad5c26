//! `GET /metrics` (what is measured, at which resolutions and for how long) and
//! `GET /metrics/history` (the points of up to 32 series per call, each point the average or
//! maximum over its interval). Values come from the arrays' own space and performance
//! history, so Pure1's charts and the arrays' agree; the busy meter (`array_total_load`) is
//! the estimate in [`shared::pure1::estimated_load`].

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use shared::flasharray::{ArraySpace, Performance};
use shared::pure1::{
    self as p1, Aggregation, MAX_SERIES, Metric, MetricAvailability, MetricHistory,
};

use crate::auth::Caller;
use crate::collection::{Collection, param, quoted_list};
use crate::error::Pure1Fault;
use crate::fleet::reports;
use crate::state::Member;
use crate::state::Pure1Sim;

const DAY_MS: i64 = 86_400_000;
/// `(resolution, retention)` in ms: 30 s for 30 days, 5 min and 1 day for a year.
const AVAILABILITIES: [(i64, i64); 3] = [
    (30_000, 30 * DAY_MS),
    (300_000, 365 * DAY_MS),
    (DAY_MS, 365 * DAY_MS),
];
/// The most points one series may have; a longer window needs a coarser resolution.
const MAX_POINTS: i64 = 10_000;
/// Samples each kept interval's average or maximum is taken over.
const SAMPLES_PER_POINT: i64 = 4;
/// The most samples one point of a coarser resolution is aggregated from.
const MOST_SAMPLES_PER_POINT: i64 = 32;

/// Where a metric's value comes from.
#[derive(Clone, Copy)]
enum Source {
    ArraySpace(fn(&ArraySpace) -> f64),
    ArrayLoad(fn(&Performance) -> f64),
    VolumeLoad(fn(&Performance) -> f64),
}

struct Definition {
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    source: Source,
    /// For latency: the operations its average is weighted by.
    weight: Option<fn(&Performance) -> f64>,
}

fn bytes(value: Option<u64>) -> f64 {
    value.unwrap_or(0) as f64
}

fn reads(p: &Performance) -> f64 {
    p.reads_per_sec as f64
}

fn writes(p: &Performance) -> f64 {
    p.writes_per_sec as f64
}

fn definitions() -> Vec<Definition> {
    use Source::{ArrayLoad, ArraySpace, VolumeLoad};
    let plain = |name, unit, description, source| Definition {
        name,
        unit,
        description,
        source,
        weight: None,
    };
    vec![
        plain(
            p1::ARRAY_TOTAL_LOAD,
            "",
            "How busy the array is: 1.0 is fully busy.",
            ArrayLoad(|p| {
                p1::estimated_load(
                    p.reads_per_sec + p.writes_per_sec,
                    p.read_bytes_per_sec + p.write_bytes_per_sec,
                )
            }),
        ),
        plain(
            p1::ARRAY_TOTAL_CAPACITY,
            "B",
            "Usable capacity.",
            ArraySpace(|s| s.capacity as f64),
        ),
        plain(
            p1::ARRAY_EFFECTIVE_USED_SPACE,
            "B",
            "Data the hosts have written, before reduction.",
            ArraySpace(|s| bytes(s.space.virtual_)),
        ),
        plain(
            p1::ARRAY_DATA_REDUCTION,
            "",
            "Data reduction ratio.",
            ArraySpace(|s| s.space.data_reduction.unwrap_or(1.0)),
        ),
        plain(
            p1::ARRAY_VOLUME_SPACE,
            "B",
            "Physical space volumes hold uniquely.",
            ArraySpace(|s| bytes(s.space.unique)),
        ),
        plain(
            p1::ARRAY_SNAPSHOT_SPACE,
            "B",
            "Physical space snapshots hold.",
            ArraySpace(|s| bytes(s.space.snapshots)),
        ),
        plain(
            p1::ARRAY_SHARED_SPACE,
            "B",
            "Physical space shared by volumes and snapshots.",
            ArraySpace(|s| bytes(s.space.shared)),
        ),
        plain(
            p1::ARRAY_SYSTEM_SPACE,
            "B",
            "Physical space the array keeps for itself.",
            ArraySpace(|s| bytes(s.space.system)),
        ),
        plain(
            p1::ARRAY_READ_IOPS,
            "ops/s",
            "Reads per second.",
            ArrayLoad(reads),
        ),
        plain(
            p1::ARRAY_WRITE_IOPS,
            "ops/s",
            "Writes per second.",
            ArrayLoad(writes),
        ),
        plain(
            p1::ARRAY_READ_BANDWIDTH,
            "B/s",
            "Bytes read per second.",
            ArrayLoad(|p| p.read_bytes_per_sec as f64),
        ),
        plain(
            p1::ARRAY_WRITE_BANDWIDTH,
            "B/s",
            "Bytes written per second.",
            ArrayLoad(|p| p.write_bytes_per_sec as f64),
        ),
        Definition {
            weight: Some(reads),
            ..plain(
                p1::ARRAY_READ_LATENCY_US,
                "us",
                "Read latency.",
                ArrayLoad(|p| p.usec_per_read_op as f64),
            )
        },
        Definition {
            weight: Some(writes),
            ..plain(
                p1::ARRAY_WRITE_LATENCY_US,
                "us",
                "Write latency.",
                ArrayLoad(|p| p.usec_per_write_op as f64),
            )
        },
        plain(
            p1::VOLUME_READ_IOPS,
            "ops/s",
            "Reads per second.",
            VolumeLoad(reads),
        ),
        plain(
            p1::VOLUME_WRITE_IOPS,
            "ops/s",
            "Writes per second.",
            VolumeLoad(writes),
        ),
        plain(
            p1::VOLUME_READ_BANDWIDTH,
            "B/s",
            "Bytes read per second.",
            VolumeLoad(|p| p.read_bytes_per_sec as f64),
        ),
        plain(
            p1::VOLUME_WRITE_BANDWIDTH,
            "B/s",
            "Bytes written per second.",
            VolumeLoad(|p| p.write_bytes_per_sec as f64),
        ),
        Definition {
            weight: Some(reads),
            ..plain(
                p1::VOLUME_READ_LATENCY_US,
                "us",
                "Read latency.",
                VolumeLoad(|p| p.usec_per_read_op as f64),
            )
        },
        Definition {
            weight: Some(writes),
            ..plain(
                p1::VOLUME_WRITE_LATENCY_US,
                "us",
                "Write latency.",
                VolumeLoad(|p| p.usec_per_write_op as f64),
            )
        },
    ]
}

impl Definition {
    fn resource_type(&self) -> &'static str {
        match self.source {
            Source::ArraySpace(_) | Source::ArrayLoad(_) => "arrays",
            Source::VolumeLoad(_) => "volumes",
        }
    }

    fn describe(&self, as_of: i64) -> Metric {
        Metric {
            id: self.name.to_owned(),
            name: self.name.to_owned(),
            as_of,
            availabilities: AVAILABILITIES
                .iter()
                .map(|&(resolution, retention)| MetricAvailability {
                    aggregations: vec!["avg".to_owned(), "max".to_owned()],
                    resolution,
                    retention,
                })
                .collect(),
            description: self.description.to_owned(),
            resource_types: vec![self.resource_type().to_owned()],
            unit: self.unit.to_owned(),
        }
    }
}

/// `GET /metrics?resource_types=…`.
pub async fn list(
    State(sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, Pure1Fault> {
    let types = param(&params, "resource_types").map(quoted_list);
    let now = sim.clock().now_ms();
    let metrics: Vec<Value> = definitions()
        .iter()
        .filter(|definition| {
            types
                .as_ref()
                .is_none_or(|types| types.iter().any(|kind| kind == definition.resource_type()))
        })
        .filter_map(|definition| serde_json::to_value(definition.describe(now)).ok())
        .collect();
    Collection::parse(&params)?
        .page(metrics, "Metric")
        .map(Json)
}

/// A resource a series is about: an array, or a volume on one.
struct Resource {
    member: Member,
    reference: p1::Reference,
    volume: Option<String>,
    installed: i64,
}

fn required_time(params: &[(String, String)], name: &str) -> Result<i64, Pure1Fault> {
    let text = param(params, name).ok_or_else(|| {
        Pure1Fault::bad(
            name,
            format!("{name} is required (milliseconds since the epoch)."),
        )
    })?;
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|value| *value >= 0)
        .ok_or_else(|| {
            Pure1Fault::bad(
                name,
                format!("{name} must be milliseconds since the epoch, not {text:?}."),
            )
        })
}

/// `GET /metrics/history`.
pub async fn history(
    State(sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, Pure1Fault> {
    let aggregation = param(&params, "aggregation")
        .ok_or_else(|| Pure1Fault::bad("aggregation", "aggregation is required: 'avg' or 'max'."))
        .and_then(|text| {
            Aggregation::parse(text).ok_or_else(|| {
                Pure1Fault::bad(
                    "aggregation",
                    format!("aggregation must be 'avg' or 'max', not {text:?}."),
                )
            })
        })?;
    let start = required_time(&params, "start_time")?;
    let end = required_time(&params, "end_time")?;
    let resolution = required_time(&params, "resolution")?;
    let (kept, retention) = kept_for(resolution)?;
    if start >= end {
        return Err(Pure1Fault::bad(
            "start_time",
            "start_time must be before end_time.",
        ));
    }
    if (end - start) / resolution > MAX_POINTS {
        return Err(Pure1Fault::bad(
            "resolution",
            format!(
                "The window holds more than {MAX_POINTS} points at resolution {resolution}: use a coarser resolution or a shorter window."
            ),
        ));
    }
    let all = definitions();
    let wanted = match (param(&params, "names"), param(&params, "ids")) {
        (Some(names), _) => ("names", quoted_list(names)),
        (None, Some(ids)) => ("ids", quoted_list(ids)),
        (None, None) => {
            return Err(Pure1Fault::bad(
                "names",
                "names or ids of the metrics are required.",
            ));
        }
    };
    let metrics = wanted
        .1
        .iter()
        .map(|name| {
            all.iter()
                .find(|definition| definition.name == name)
                .ok_or_else(|| {
                    Pure1Fault::bad(wanted.0, format!("Metric {name:?} does not exist."))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let resources = resolve_resources(&sim, &params)?;
    if metrics.len() * resources.len() > MAX_SERIES {
        return Err(Pure1Fault::bad(
            "names",
            format!(
                "{} metrics for {} resources make {} time series; one call may ask for at most {MAX_SERIES}.",
                metrics.len(),
                resources.len(),
                metrics.len() * resources.len()
            ),
        ));
    }
    let now = sim.clock().now_ms();
    let mut items = Vec::new();
    for metric in &metrics {
        for resource in &resources {
            let wrong_kind = (metric.resource_type() == "volumes") != resource.volume.is_some();
            if wrong_kind {
                return Err(Pure1Fault::bad(
                    "resource_names",
                    format!(
                        "Metric {} is not measured on {} {:?}.",
                        metric.name,
                        if resource.volume.is_some() {
                            "volume"
                        } else {
                            "array"
                        },
                        resource.reference.name
                    ),
                ));
            }
            let first = start.max(now - retention).max(resource.installed);
            let data = series(
                metric,
                resource,
                aggregation,
                first,
                end.min(now),
                resolution,
                samples_per_point(resolution, kept),
            );
            items.push(MetricHistory {
                id: metric.name.to_owned(),
                name: metric.name.to_owned(),
                as_of: now,
                aggregation: aggregation.as_str().to_owned(),
                data,
                resolution,
                resources: vec![resource.reference.clone()],
                unit: metric.unit.to_owned(),
            });
        }
    }
    Ok(Json(
        json!({"total_item_count": items.len(), "items": items}),
    ))
}

/// The kept resolution a requested one is aggregated from, and how far back it reaches: a
/// multiple of a kept resolution is served from the one kept longest (an hour from the
/// 5-minute points, a week from the daily ones), as Pure1 rolls points up.
fn kept_for(resolution: i64) -> Result<(i64, i64), Pure1Fault> {
    AVAILABILITIES
        .iter()
        .filter(|(kept, _)| resolution >= *kept && resolution % kept == 0)
        .max_by_key(|(kept, retention)| (*retention, *kept))
        .copied()
        .ok_or_else(|| {
            Pure1Fault::bad(
                "resolution",
                format!(
                    "resolution {resolution} is not available: use a multiple of 30000 (kept 30 days), 300000 or 86400000 (kept a year)."
                ),
            )
        })
}

/// How many samples a point at `resolution` aggregates when rolled up from `kept`.
fn samples_per_point(resolution: i64, kept: i64) -> i64 {
    (SAMPLES_PER_POINT * (resolution / kept)).min(MOST_SAMPLES_PER_POINT)
}

/// Which part of a reference names it: its name or its id.
type ReferenceField = fn(&p1::Reference) -> Option<&str>;

fn resolve_resources(
    sim: &Pure1Sim,
    params: &[(String, String)],
) -> Result<Vec<Resource>, Pure1Fault> {
    let (context, wanted, field): (&str, Vec<String>, ReferenceField) = match (
        param(params, "resource_names"),
        param(params, "resource_ids"),
    ) {
        (Some(names), _) => ("resource_names", quoted_list(names), |r| {
            Some(r.name.as_str())
        }),
        (None, Some(ids)) => ("resource_ids", quoted_list(ids), |r| r.id.as_deref()),
        (None, None) => {
            return Err(Pure1Fault::bad(
                "resource_names",
                "resource_names or resource_ids are required.",
            ));
        }
    };
    let mut candidates = Vec::new();
    for (member, report) in reports(sim) {
        let array = member.reference(&report);
        for volume in &report.volumes {
            candidates.push(Resource {
                member: member.clone(),
                reference: p1::Reference {
                    id: Some(volume.id.clone()),
                    name: volume.name.clone(),
                    resource_type: Some("volumes".to_owned()),
                    fqdn: None,
                },
                volume: Some(volume.name.clone()),
                installed: report.installed.max(volume.created),
            });
        }
        candidates.push(Resource {
            member,
            reference: array,
            volume: None,
            installed: report.installed,
        });
    }
    wanted
        .iter()
        .map(|wanted| {
            // Arrays first: a volume may share an array's name.
            let position = candidates
                .iter()
                .rposition(|candidate| field(&candidate.reference) == Some(wanted.as_str()))
                .ok_or_else(|| {
                    Pure1Fault::bad(context, format!("Resource {wanted:?} does not exist."))
                })?;
            let found = &candidates[position];
            Ok(Resource {
                member: found.member.clone(),
                reference: found.reference.clone(),
                volume: found.volume.clone(),
                installed: found.installed,
            })
        })
        .collect()
}

/// One series: a point every `resolution` from `first` (aligned up; never before the resource
/// existed) to `last`, each the aggregate of samples across its interval that have happened.
fn series(
    metric: &Definition,
    resource: &Resource,
    aggregation: Aggregation,
    first: i64,
    last: i64,
    resolution: i64,
    per_point: i64,
) -> Vec<(i64, f64)> {
    let aligned = first.div_euclid(resolution) * resolution
        + if first.rem_euclid(resolution) == 0 {
            0
        } else {
            resolution
        };
    let points: Vec<i64> = (0..)
        .map(|step| aligned + step * resolution)
        .take_while(|time| *time <= last)
        .collect();
    let step = resolution / per_point;
    let samples: Vec<i64> = points
        .iter()
        .flat_map(|&point| (0..per_point).map(move |at| point + at * step))
        .map(|time| time.min(last))
        .collect();
    let (values, weights): (Vec<f64>, Vec<f64>) = match metric.source {
        Source::ArraySpace(read) => resource
            .member
            .array
            .space_history(&samples)
            .iter()
            .map(|space| (read(space), 1.0))
            .unzip(),
        Source::ArrayLoad(read) => resource
            .member
            .array
            .performance_history(&samples)
            .iter()
            .map(|load| (read(load), metric.weight.map_or(1.0, |weight| weight(load))))
            .unzip(),
        Source::VolumeLoad(read) => resource
            .volume
            .as_deref()
            .and_then(|volume| {
                resource
                    .member
                    .array
                    .volume_performance_history(volume, &samples)
            })
            .unwrap_or_default()
            .iter()
            .map(|load| (read(load), metric.weight.map_or(1.0, |weight| weight(load))))
            .unzip(),
    };
    aggregate(&points, &values, &weights, per_point as usize, aggregation)
}

fn aggregate(
    points: &[i64],
    values: &[f64],
    weights: &[f64],
    per_point: usize,
    aggregation: Aggregation,
) -> Vec<(i64, f64)> {
    points
        .iter()
        .zip(values.chunks(per_point).zip(weights.chunks(per_point)))
        .map(|(&time, (values, weights))| {
            let value = match aggregation {
                Aggregation::Max => values.iter().copied().fold(f64::MIN, f64::max),
                Aggregation::Avg => {
                    let total: f64 = weights.iter().sum();
                    if total > 0.0 {
                        values
                            .iter()
                            .zip(weights)
                            .map(|(value, weight)| value * weight)
                            .sum::<f64>()
                            / total
                    } else {
                        values.iter().sum::<f64>() / values.len() as f64
                    }
                }
            };
            (time, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_point_aggregates_its_interval_and_latency_is_weighted_by_operations() {
        let points = [0, 300_000];
        let values = [1.0, 3.0, 5.0, 7.0, 10.0, 10.0, 10.0, 10.0];
        let weights = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 3.0];
        assert_eq!(
            aggregate(&points, &values, &weights, 4, Aggregation::Max),
            vec![(0, 7.0), (300_000, 10.0)]
        );
        assert_eq!(
            aggregate(&points, &values, &weights, 4, Aggregation::Avg),
            vec![(0, 4.0), (300_000, 10.0)]
        );
    }

    #[test]
    fn a_multiple_of_a_kept_resolution_rolls_up_from_the_one_kept_longest() {
        const HOUR: i64 = 3_600_000;
        assert_eq!(kept_for(60_000).unwrap(), (30_000, 30 * DAY_MS));
        assert_eq!(kept_for(HOUR).unwrap(), (300_000, 365 * DAY_MS));
        assert_eq!(kept_for(7 * DAY_MS).unwrap(), (DAY_MS, 365 * DAY_MS));
        assert_eq!(kept_for(300_000).unwrap(), (300_000, 365 * DAY_MS));
        for refused in [0, -300_000, 1_000, 45_000] {
            assert!(kept_for(refused).is_err(), "{refused}");
        }
        assert_eq!(samples_per_point(30_000, 30_000), 4);
        assert_eq!(samples_per_point(HOUR, 300_000), 32);
    }

    proptest! {
        #[test]
        fn any_time_parameter_is_read_or_refused_by_name(text in ".{0,24}") {
            let params = vec![("start_time".to_owned(), text.clone())];
            match required_time(&params, "start_time") {
                Ok(value) => prop_assert_eq!(Some(value), text.trim().parse::<i64>().ok()),
                Err(Pure1Fault::Request { context, .. }) => prop_assert_eq!(context.as_deref(), Some("start_time")),
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
