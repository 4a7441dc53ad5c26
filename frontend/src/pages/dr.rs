//! Disaster recovery over the fleet: every protection group replicating to another array,
//! worst first, judged against its schedule; filtered by health and array (kept in the URL),
//! with the arrays that could not be asked named.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    FleetReplication, LAG_BREACH, LAG_WARNING, POD_LAG_BREACH_MS, POD_LAG_WARNING_MS,
    ReplicationHealth,
};
use shared::flasharray::ReplicationSchedule;
use shared::time::describe_seconds;

use crate::api;
use crate::components::chart::{Series, TimeChart, Unit};
use crate::components::table::{ArrayFailures, ArrayFilter, EmptyState};
use crate::components::{Loaded, PlainTable, UrlState, encode, live_resource, page_title};
use crate::pages::replication::{NewestCopy, TransferState, describe_lag};

#[component]
pub fn DrPage() -> impl IntoView {
    page_title("Disaster recovery");
    let state = UrlState::new("");
    let replication = live_resource(api::fleet_replication);
    let throughput = live_resource(api::fleet_throughput);
    let choose = move |key: &'static str| {
        move |event: leptos::ev::Event| {
            state.set_from_start(key, Some(event_target_value(&event)), false)
        }
    };
    view! {
        <h1>"Disaster recovery"</h1>
        <p class="hint">
            {format!(
                "Each protection group replicating to another array, judged by how far its target's newest copy is behind the source: a warning beyond {} %, a breach beyond {} % of its replication interval.",
                LAG_WARNING * 100.0,
                LAG_BREACH * 100.0
            )}
        </p>
        <div class="toolbar" id="dr-filters">
            <label>
                <span>"Health"</span>
                <select id="dr-health" on:change=choose("health")>
                    <option value="" selected=move || state.text("health").is_empty()>"Any"</option>
                    {ReplicationHealth::ALL.iter().map(|health| {
                        let (key, label) = (health.key(), health.label());
                        view! { <option value=key selected=move || state.text("health") == key>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <ArrayFilter id="dr-array" state />
        </div>
        <Loaded resource=throughput loading="" let:throughput>
            <TimeChart
                id="dr-throughput"
                title="Sent over replication links, last day"
                unit=Unit::Bandwidth
                start=throughput.start_time
                end=throughput.end_time
                times=throughput.points.iter().map(|point| point.time).collect()
                series=vec![Series {
                    label: "Sent",
                    class: "s-read",
                    values: throughput.points.iter().map(|point| point.bytes_per_sec as f64).collect(),
                }]
            />
        </Loaded>
        <Loaded resource=replication loading="Asking the arrays…" error_id="dr-error" let:replication>
            <RelationshipTable replication=replication.clone() health=state.text("health") array=state.text("array") />
            <PodLinkTable replication=replication.clone() health=state.text("health") array=state.text("array") />
            <StretchedPodTable replication health=state.text("health") array=state.text("array") />
        </Loaded>
    }
}

/// `every 1 h, not 08:00–18:00`.
fn describe_replication(schedule: &ReplicationSchedule) -> String {
    if !schedule.enabled {
        return "by hand".to_owned();
    }
    let every = describe_seconds(schedule.frequency / 1000);
    match schedule.blackout {
        Some(window) if window.start != window.end => format!(
            "every {every}, not {:02}:00–{:02}:00",
            window.start / 3_600_000,
            window.end / 3_600_000
        ),
        _ => format!("every {every}"),
    }
}

#[component]
fn RelationshipTable(
    replication: FleetReplication,
    health: String,
    array: String,
) -> impl IntoView {
    let failures = replication.errors.clone();
    let shown: Vec<_> = replication
        .relationships
        .into_iter()
        .filter(|relationship| health.is_empty() || relationship.health.key() == health)
        .filter(|relationship| {
            array.is_empty() || relationship.source == array || relationship.target == array
        })
        .collect();
    if shown.is_empty() {
        return view! {
            <ArrayFailures failures=failures.clone() />
            <EmptyState id="dr-empty" text="No protection group replicates to another array here. Add a target on a protection group's page." />
        }
        .into_any();
    }
    let rows = shown
        .into_iter()
        .map(|relationship| {
            let key = format!("{}/{}/{}", relationship.source, relationship.group, relationship.target);
            let href = format!(
                "/arrays/{}/protection/{}",
                encode(&relationship.source),
                encode(&relationship.group)
            );
            let health = relationship.health;
            let newest = view! {
                <NewestCopy unread=relationship.unread newest=relationship.newest_copy />
            };
            let lag = describe_lag(relationship.lag_ms);
            let transfer = relationship.last_transfer.map(|transfer| {
                view! { {transfer.name.clone()} ", " <TransferState transfer /> }
            });
            view! {
                <tr data-relationship=key>
                    <td class="health"><span class=format!("pill health-{}", health.key())>{health.label()}</span></td>
                    <td>{relationship.source.clone()}</td>
                    <td><A href=href>{relationship.group.clone()}</A></td>
                    <td>{relationship.target.clone()}</td>
                    <td class="newest">{newest}</td>
                    <td class="lag">{lag}</td>
                    <td class="schedule">{describe_replication(&relationship.schedule)}</td>
                    <td class="transfer">{transfer}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ArrayFailures failures=failures.clone() />
        <PlainTable id="dr-relationships" headers=&["Health", "Source", "Protection group", "Target", "Newest copy (recovery point)", "Behind by", "Replicates", "Last transfer"]>{rows}</PlainTable>
    }
    .into_any()
}

/// Each pod's ActiveDR link, listed once, judged on its lag.
#[component]
fn PodLinkTable(replication: FleetReplication, health: String, array: String) -> impl IntoView {
    let shown: Vec<_> = replication
        .pod_links
        .into_iter()
        .filter(|link| health.is_empty() || link.health.key() == health)
        .filter(|link| array.is_empty() || link.array == array || link.remote == array)
        .collect();
    if shown.is_empty() {
        return None;
    }
    let rows = shown
        .into_iter()
        .map(|link| {
            let key = format!("{}/{}", link.array, link.pod);
            let href = format!("/arrays/{}/pods", encode(&link.array));
            let (from, to) = if link.direction == "outbound" {
                (
                    format!("{}: {}", link.array, link.pod),
                    format!("{}: {}", link.remote, link.remote_pod),
                )
            } else {
                (
                    format!("{}: {}", link.remote, link.remote_pod),
                    format!("{}: {}", link.array, link.pod),
                )
            };
            let lag = match link.recovery_point {
                Some(_) => describe_lag(link.lag_ms),
                None => "no recovery point yet".to_owned(),
            };
            view! {
                <tr data-pod-link=key>
                    <td class="health"><span class=format!("pill health-{}", link.health.key())>{link.health.label()}</span></td>
                    <td><A href=href>{from}</A></td>
                    <td>{to}</td>
                    <td class="status">{link.status.clone()}</td>
                    <td class="lag">{lag}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <h2>"ActiveDR pod links"</h2>
        <p class="hint">
            {format!(
                "Continuous replication keeps a target seconds behind: a warning beyond {}, a breach beyond {}.",
                describe_seconds(POD_LAG_WARNING_MS as u64 / 1000),
                describe_seconds(POD_LAG_BREACH_MS as u64 / 1000)
            )}
        </p>
        <PlainTable id="dr-pod-links" headers=&["Health", "Source pod", "Target pod", "Status", "Behind by"]>{rows}</PlainTable>
    })
}

/// Each pod stretched over arrays, once, with each array's state and mediator status.
#[component]
fn StretchedPodTable(
    replication: FleetReplication,
    health: String,
    array: String,
) -> impl IntoView {
    let shown: Vec<_> = replication
        .stretched_pods
        .into_iter()
        .filter(|pod| health.is_empty() || pod.health.key() == health)
        .filter(|pod| {
            array.is_empty()
                || pod.array == array
                || pod
                    .arrays
                    .iter()
                    .any(|member| member.name.as_deref() == Some(array.as_str()))
        })
        .collect();
    if shown.is_empty() {
        return None;
    }
    let rows = shown
        .into_iter()
        .map(|pod| {
            let key = format!("{}/{}", pod.array, pod.pod);
            let href = format!("/arrays/{}/pods", encode(&pod.array));
            let members = pod
                .arrays
                .iter()
                .map(|member| {
                    format!(
                        "{}: {}, mediator {}",
                        member.name.clone().unwrap_or_default(),
                        member.status.clone().unwrap_or_else(|| "unknown".into()),
                        member.mediator_status.clone().unwrap_or_else(|| "unknown".into())
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            view! {
                <tr data-stretched-pod=key>
                    <td class="health"><span class=format!("pill health-{}", pod.health.key())>{pod.health.label()}</span></td>
                    <td><A href=href>{pod.pod.clone()}</A></td>
                    <td class="members">{members}</td>
                    <td class="mediator">{pod.mediator.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <h2>"ActiveCluster stretched pods"</h2>
        <p class="hint">"Both arrays hold the pod and take its writes: a breach when one is offline, a warning when one cannot reach the mediator."</p>
        <PlainTable id="dr-stretched-pods" headers=&["Health", "Pod", "Arrays", "Mediator"]>{rows}</PlainTable>
    })
}
