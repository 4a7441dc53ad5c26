//! The fleet's collections: `arrays`, `volumes`, `pods`, `alerts` and
//! `protection-group-snapshots`, read from the arrays themselves at each request, so Pure1
//! and the arrays never disagree (real Pure1 lags its arrays by minutes; `_as_of` says when).

use axum::Json;
use axum::extract::{Query, State};
use flasharray_sim::report::ArrayReport;
use serde::Serialize;
use serde_json::Value;
use shared::pure1::{self, FLASHARRAY_OS, Reference};

use crate::auth::Caller;
use crate::collection::{Collection, param, quoted_list};
use crate::error::Pure1Fault;
use crate::state::{Member, Pure1Sim};

/// The model every simulated array reports.
pub const MODEL: &str = "FA-X70R4";

type Params = Query<Vec<(String, String)>>;

/// Every member's report, with its member.
pub fn reports(sim: &Pure1Sim) -> Vec<(Member, ArrayReport)> {
    sim.members()
        .into_iter()
        .map(|member| {
            let report = member.array.report();
            (member, report)
        })
        .collect()
}

fn json_items<T: Serialize>(items: Vec<T>) -> Vec<Value> {
    items
        .into_iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

fn answer(
    params: &[(String, String)],
    items: Vec<Value>,
    kind: &str,
) -> Result<Json<Value>, Pure1Fault> {
    Collection::parse(params)?.page(items, kind).map(Json)
}

pub async fn arrays(
    State(sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Params,
) -> Result<Json<Value>, Pure1Fault> {
    let fqdns = param(&params, "fqdns").map(quoted_list);
    let arrays = reports(&sim)
        .into_iter()
        .filter(|(member, _)| {
            fqdns
                .as_ref()
                .is_none_or(|fqdns| fqdns.contains(&member.fqdn))
        })
        .map(|(member, report)| pure1::Array {
            id: report.array.id.clone(),
            name: report.array.name.clone(),
            as_of: report.as_of,
            fqdn: Some(member.fqdn.clone()),
            model: Some(MODEL.to_owned()),
            os: Some(FLASHARRAY_OS.to_owned()),
            version: report.array.version.clone(),
        })
        .collect();
    answer(&params, json_items(arrays), "Array")
}

pub async fn volumes(
    State(sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Params,
) -> Result<Json<Value>, Pure1Fault> {
    let mut volumes = Vec::new();
    for (member, report) in reports(&sim) {
        let on = member.reference(&report);
        volumes.extend(report.volumes.iter().map(|volume| pure1::Volume {
            id: volume.id.clone(),
            name: volume.name.clone(),
            as_of: report.as_of,
            arrays: vec![on.clone()],
            created: Some(volume.created),
            destroyed: volume.destroyed,
            eradicated: false,
            pod: None,
            provisioned: Some(volume.provisioned),
            serial: Some(volume.serial.clone()),
            source: volume.source.as_ref().and_then(|source| {
                Some(Reference {
                    id: source.id.clone(),
                    name: source.name.clone()?,
                    resource_type: Some("volumes".to_owned()),
                    fqdn: None,
                })
            }),
        }));
    }
    answer(&params, json_items(volumes), "Volume")
}

/// The simulated arrays have no pods; the collection still answers, filters and pages.
pub async fn pods(
    State(_sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Params,
) -> Result<Json<Value>, Pure1Fault> {
    answer(&params, json_items(Vec::<pure1::Pod>::new()), "Pod")
}

pub async fn alerts(
    State(sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Params,
) -> Result<Json<Value>, Pure1Fault> {
    let mut alerts = Vec::new();
    for (member, report) in reports(&sim) {
        let on = member.reference(&report);
        alerts.extend(report.alerts.iter().map(|alert| pure1::Alert {
            id: alert.id.clone(),
            name: format!("{}.{}", report.array.name, alert.name),
            as_of: report.as_of,
            arrays: vec![on.clone()],
            actual: alert.actual.clone(),
            category: alert.category.clone(),
            closed: alert.closed,
            code: Some(alert.code),
            component_name: alert.component_name.clone(),
            component_type: alert.component_type.clone(),
            created: Some(alert.created),
            description: alert.description.clone(),
            expected: alert.expected.clone(),
            knowledge_base_url: alert.knowledge_base_url.clone(),
            notified: Some(alert.created),
            origin: Some("array".to_owned()),
            severity: alert.severity.clone(),
            state: alert.state.clone(),
            summary: alert.summary.clone(),
            updated: Some(alert.updated),
        }));
    }
    answer(&params, json_items(alerts), "Alert")
}

pub async fn protection_group_snapshots(
    State(sim): State<Pure1Sim>,
    _caller: Caller,
    Query(params): Params,
) -> Result<Json<Value>, Pure1Fault> {
    let sources = param(&params, "source_names").map(quoted_list);
    let mut snapshots = Vec::new();
    for (member, report) in reports(&sim) {
        let on = member.reference(&report);
        snapshots.extend(
            report
                .group_snapshots
                .iter()
                .filter(|snapshot| !snapshot.destroyed)
                .filter(|snapshot| {
                    sources.as_ref().is_none_or(|sources| {
                        snapshot
                            .source
                            .name
                            .as_ref()
                            .is_some_and(|name| sources.contains(name))
                    })
                })
                .map(|snapshot| pure1::ProtectionGroupSnapshot {
                    id: snapshot.id.clone(),
                    name: snapshot.name.clone(),
                    as_of: report.as_of,
                    created: Some(snapshot.created),
                    on: Some(on.clone()),
                    pod: None,
                    source: snapshot.source.name.clone().map(|name| Reference {
                        id: snapshot.source.id.clone(),
                        name,
                        resource_type: Some("protection-groups".to_owned()),
                        fqdn: None,
                    }),
                }),
        );
    }
    answer(&params, json_items(snapshots), "Protection group snapshot")
}
