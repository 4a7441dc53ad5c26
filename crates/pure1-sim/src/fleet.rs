//! The fleet's collections: `arrays`, `volumes`, `pods`, `alerts` and
//! `protection-group-snapshots`, read from the arrays themselves at each request, so Pure1
//! and the arrays never disagree (real Pure1 lags its arrays by minutes; `_as_of` says when).

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::{MethodRouter, get};
use flasharray_sim::report::ArrayReport;
use serde::Serialize;
use serde_json::Value;
use shared::pure1::{self, FLASHARRAY_OS, Reference};

use crate::auth::Caller;
use crate::collection::{Collection, param, quoted_list};
use crate::state::{Member, Pure1Sim};

/// The model every simulated array reports.
pub const MODEL: &str = "FA-X70R4";

type Params = [(String, String)];

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

/// A collection's `GET`: `gather` reads its items from the arrays at each request, then the
/// request's filter, sort and page apply.
pub fn collection<T: Serialize + 'static>(
    kind: &'static str,
    gather: fn(&Pure1Sim, &Params) -> Vec<T>,
) -> MethodRouter<Pure1Sim> {
    get(
        move |State(sim): State<Pure1Sim>,
              _caller: Caller,
              Query(params): Query<Vec<(String, String)>>| async move {
            let items = json_items(gather(&sim, &params));
            Collection::parse(&params)?.page(items, kind).map(Json)
        },
    )
}

/// Every array's objects of one kind, each told which array it is on.
fn across_arrays<T>(
    sim: &Pure1Sim,
    objects: impl Fn(&ArrayReport, &Reference) -> Vec<T>,
) -> Vec<T> {
    reports(sim)
        .into_iter()
        .flat_map(|(member, report)| objects(&report, &member.reference(&report)))
        .collect()
}

pub fn arrays(sim: &Pure1Sim, params: &Params) -> Vec<pure1::Array> {
    let fqdns = param(params, "fqdns").map(quoted_list);
    reports(sim)
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
        .collect()
}

pub fn volumes(sim: &Pure1Sim, _params: &Params) -> Vec<pure1::Volume> {
    across_arrays(sim, |report, on| {
        report
            .volumes
            .iter()
            .map(|volume| pure1::Volume {
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
            })
            .collect()
    })
}

/// The simulated arrays have no pods; the collection still answers, filters and pages.
pub fn pods(_sim: &Pure1Sim, _params: &Params) -> Vec<pure1::Pod> {
    Vec::new()
}

pub fn alerts(sim: &Pure1Sim, _params: &Params) -> Vec<pure1::Alert> {
    across_arrays(sim, |report, on| {
        report
            .alerts
            .iter()
            .map(|alert| pure1::Alert {
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
            })
            .collect()
    })
}

pub fn protection_group_snapshots(
    sim: &Pure1Sim,
    params: &Params,
) -> Vec<pure1::ProtectionGroupSnapshot> {
    let sources = param(params, "source_names").map(quoted_list);
    across_arrays(sim, |report, on| {
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
            })
            .collect()
    })
}
