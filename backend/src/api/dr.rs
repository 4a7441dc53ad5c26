//! `GET /api/fleet/replication`: disaster recovery over the fleet. Every array in the
//! caller's scope is asked at once (each under its own deadline) what its groups replicate
//! where, what is on its way and which copies it holds of others' groups; each relationship
//! is then judged on what its target holds, against the source's own clock and schedule;
//! each pod's ActiveDR link on the lag its array reports.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::State;
use shared::api::{
    ArrayFailure, FleetReplication, FleetThroughput, LagFacts, PodLinkRelationship,
    ReplicationRelationship, StretchedPod, ThroughputPoint, judge_pod_link, judge_replication,
    judge_stretched_pod, newest_copy,
};
use shared::flasharray::{
    PodReplicaLink, ProtectionGroup, ProtectionGroupSnapshotTransfer, TargetProtectionGroup,
};

use super::fleet::clients_in_scope;
use crate::arrays::fanout::each_array;
use crate::arrays::replication::{ArrayReplication, replication_of};
use crate::clock::unix_now_ms;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// `GET /api/fleet/replication`.
pub async fn fleet(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<FleetReplication>, AppError> {
    let (clients, mut errors) = clients_in_scope(&state, &user);
    let mut answered = Vec::new();
    for answer in each_array(clients, state.array_deadline(), replication_of).await {
        match answer.result {
            Ok(replication) => answered.push((answer.array, replication)),
            Err(error) => errors.push(ArrayFailure {
                array: answer.array,
                error,
            }),
        }
    }
    let failing: HashMap<String, &str> = errors
        .iter()
        .map(|failure| (failure.array.to_ascii_lowercase(), failure.error.as_str()))
        .collect();
    let by_name: HashMap<String, &ArrayReplication> = answered
        .iter()
        .map(|(_, replication)| (replication.name.to_ascii_lowercase(), replication))
        .collect();
    let mut relationships: Vec<ReplicationRelationship> = answered
        .iter()
        .flat_map(|(portal_name, source)| {
            source.targets.iter().filter_map(|target| {
                let group = source.groups.iter().find(|group| {
                    group.is_local && Some(&group.name) == target.group.name.as_ref()
                })?;
                Some(relationship(
                    portal_name,
                    source,
                    group,
                    target,
                    &by_name,
                    &failing,
                ))
            })
        })
        .collect();
    relationships.sort_by(|a, b| {
        (a.health, &a.source, &a.group, &a.target).cmp(&(b.health, &b.source, &b.group, &b.target))
    });
    let mut pod_links: Vec<PodLinkRelationship> = answered
        .iter()
        .flat_map(|(portal_name, replication)| {
            replication
                .pod_links
                .iter()
                .filter(|link| shown_once(link, &by_name))
                .map(|link| pod_link(portal_name, link))
        })
        .collect();
    pod_links.sort_by(|a, b| (a.health, &a.array, &a.pod).cmp(&(b.health, &b.array, &b.pod)));
    Ok(Json(FleetReplication {
        relationships,
        pod_links,
        stretched_pods: stretched_pods(&answered),
        errors,
    }))
}

/// Each stretched pod once, as the array holding it that sees it worst reports it: both
/// arrays of a stretched pod report it under the same name, and each may see the other lost.
fn stretched_pods(answered: &[(String, ArrayReplication)]) -> Vec<StretchedPod> {
    let mut by_pod: HashMap<(String, Vec<String>), StretchedPod> = HashMap::new();
    for (portal_name, replication) in answered {
        for pod in &replication.stretched_pods {
            let arrays = pod.arrays.clone().unwrap_or_default();
            let mut members: Vec<String> = arrays
                .iter()
                .filter_map(|array| array.name.as_ref().map(|name| name.to_ascii_lowercase()))
                .collect();
            members.sort();
            let reported = StretchedPod {
                array: portal_name.clone(),
                pod: pod.name.clone(),
                health: judge_stretched_pod(&arrays),
                arrays,
                mediator: pod.mediator.clone(),
            };
            let key = (pod.name.to_ascii_lowercase(), members);
            match by_pod.get(&key) {
                Some(known)
                    if (known.health, &known.array) <= (reported.health, &reported.array) => {}
                _ => {
                    by_pod.insert(key, reported);
                }
            }
        }
    }
    let mut pods: Vec<StretchedPod> = by_pod.into_values().collect();
    pods.sort_by(|a, b| (a.health, &a.array, &a.pod).cmp(&(b.health, &b.array, &b.pod)));
    pods
}

/// Each link is listed by the array that sends; by the one that receives only when the
/// sender did not answer or is outside the caller's arrays.
fn shown_once(link: &PodReplicaLink, by_name: &HashMap<String, &ArrayReplication>) -> bool {
    let sender_answered = link
        .remote_array()
        .is_some_and(|remote| by_name.contains_key(&remote.to_ascii_lowercase()));
    link.direction.as_deref() == Some("outbound") || !sender_answered
}

fn pod_link(portal_name: &str, link: &PodReplicaLink) -> PodLinkRelationship {
    let name = |pod: &Option<shared::flasharray::Reference>| {
        pod.as_ref()
            .and_then(|pod| pod.name.clone())
            .unwrap_or_default()
    };
    PodLinkRelationship {
        array: portal_name.to_owned(),
        pod: name(&link.local_pod),
        direction: link.direction.clone().unwrap_or_default(),
        remote: link.remote_array().unwrap_or_default().to_owned(),
        remote_pod: name(&link.remote_pod),
        status: link.status.clone().unwrap_or_default(),
        lag_ms: link.lag,
        recovery_point: link.recovery_point,
        health: judge_pod_link(link),
    }
}

/// The window of the DR page's throughput chart, and its resolution.
const THROUGHPUT_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
const THROUGHPUT_RESOLUTION_MS: i64 = 30 * 60 * 1000;

/// `GET /api/fleet/replication/throughput`: what the caller's arrays sent over their
/// replication links over the last day, summed per sample; each array asked at once, under
/// its own deadline. A group replicated here (`SOURCE:GROUP`) is what another sent, so only
/// each array's own groups count.
pub async fn throughput(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<FleetThroughput>, AppError> {
    let now = unix_now_ms();
    let start = now - THROUGHPUT_WINDOW_MS;
    let (clients, mut errors) = clients_in_scope(&state, &user);
    let read = move |client: flasharray::ArrayClient| async move {
        client
            .group_replication_performance(start, THROUGHPUT_RESOLUTION_MS)
            .await
    };
    let mut sent: BTreeMap<i64, u64> = BTreeMap::new();
    for answer in each_array(clients, state.array_deadline(), read).await {
        match answer.result {
            Ok(samples) => {
                for sample in samples.iter().filter(|sample| !sample.name.contains(':')) {
                    let total = sent.entry(sample.time).or_default();
                    *total = total.saturating_add(sample.bytes_per_sec);
                }
            }
            Err(error) => errors.push(ArrayFailure {
                array: answer.array,
                error,
            }),
        }
    }
    // Arrays answer by their own clocks, which may run ahead of the portal's.
    let end = sent.keys().next_back().map_or(now, |last| now.max(*last));
    Ok(Json(FleetThroughput {
        start_time: start,
        end_time: end,
        points: sent
            .into_iter()
            .filter(|(time, _)| *time >= start)
            .map(|(time, bytes_per_sec)| ThroughputPoint {
                time,
                bytes_per_sec,
            })
            .collect(),
        errors,
    }))
}

/// `group` of `source` replicating to the array `target` names, judged on what that array
/// holds of it if the caller may read it.
fn relationship(
    portal_name: &str,
    source: &ArrayReplication,
    group: &ProtectionGroup,
    target: &TargetProtectionGroup,
    by_name: &HashMap<String, &ArrayReplication>,
    failing: &HashMap<String, &str>,
) -> ReplicationRelationship {
    let target_name = target.member.name.clone().unwrap_or_default();
    let prefix = format!("{}.", group.name);
    let sent: Vec<&ProtectionGroupSnapshotTransfer> = source
        .transfers
        .iter()
        .filter(|transfer| transfer.name.starts_with(&prefix))
        .collect();
    let last_transfer = sent
        .iter()
        .max_by_key(|transfer| (transfer.started, transfer.name.clone()))
        .map(|transfer| (*transfer).clone());
    let in_flight = sent.iter().any(|transfer| transfer.completed.is_none());
    let now_ms = source.now_ms.unwrap_or_else(unix_now_ms);
    let copies = format!("{}:{}.", source.name, group.name).to_ascii_lowercase();
    let (newest, unread) = match by_name.get(&target_name.to_ascii_lowercase()) {
        Some(held) => (
            newest_copy(
                held.copies
                    .iter()
                    .filter(|copy| copy.name.to_ascii_lowercase().starts_with(&copies)),
                now_ms,
            )
            .map(|(copy, lag)| (copy.clone(), lag)),
            None,
        ),
        None => {
            let why = match failing.get(&target_name.to_ascii_lowercase()) {
                Some(error) => format!("{target_name} did not answer: {error}"),
                None => {
                    format!("{target_name} is not among your arrays: its copies are not shown.")
                }
            };
            (None, Some(why))
        }
    };
    let (newest_copy, lag_ms) = newest.unzip();
    let health = judge_replication(&LagFacts {
        schedule: &group.replication_schedule,
        allowed: target.allowed,
        lag_ms,
        target_read: unread.is_none(),
        in_flight,
        now_ms,
    });
    ReplicationRelationship {
        source: portal_name.to_owned(),
        group: group.name.clone(),
        target: target_name,
        allowed: target.allowed,
        schedule: group.replication_schedule,
        health,
        lag_ms,
        newest_copy,
        last_transfer,
        unread,
    }
}
