//! What one array says of its replication, for the fleet's DR view and the notifications
//! that watch it: its groups and where they replicate, what is on its way, the copies it
//! holds of other arrays' groups, and its pods' ActiveDR links; and each relationship judged
//! on what its target holds, against the source's own clock and schedule.

use std::collections::HashMap;

use flasharray::ArrayClient;
use shared::api::{
    ArrayFailure, FleetReplication, LagFacts, PodLinkRelationship, ReplicationRelationship,
    StretchedPod, judge_pod_link, judge_replication, judge_stretched_pod, newest_copy,
};
use shared::flasharray::{
    Pod, PodReplicaLink, ProtectionGroup, ProtectionGroupSnapshot, ProtectionGroupSnapshotTransfer,
    TargetProtectionGroup,
};

use crate::clock::unix_now_ms;

/// What one array says of its replication.
pub struct ArrayReplication {
    /// The name the array gives itself, by which others name it.
    pub name: String,
    /// The array's time now, when it reports it.
    pub now_ms: Option<i64>,
    pub groups: Vec<ProtectionGroup>,
    pub targets: Vec<TargetProtectionGroup>,
    pub transfers: Vec<ProtectionGroupSnapshotTransfer>,
    /// Snapshots it holds of other arrays' groups (`SOURCE:GROUP.N`).
    pub copies: Vec<ProtectionGroupSnapshot>,
    /// Its pods' ActiveDR links, sending and receiving.
    pub pod_links: Vec<PodReplicaLink>,
    /// Its pods stretched over arrays.
    pub stretched_pods: Vec<Pod>,
}

/// Asks `client` at once everything the DR view needs of its array.
pub async fn replication_of(client: ArrayClient) -> Result<ArrayReplication, flasharray::Error> {
    let (space, groups, targets, transfers, copies, pod_links, pods) = tokio::join!(
        client.array_space(None),
        client.list_protection_groups(None),
        client.all_group_targets(),
        client.all_group_transfers(),
        client.replicated_group_snapshots(),
        client.pod_links(),
        client.pods(),
    );
    // `arrays/space` names the array and gives its clock in one call; an array whose release
    // lacks it is named by `arrays` and judged by the portal's clock.
    let (name, now_ms) = match space.ok().and_then(|space| space.into_iter().next()) {
        Some(space) => (space.name, Some(space.time)),
        None => (client.array().await?.name, None),
    };
    Ok(ArrayReplication {
        name,
        now_ms,
        groups: groups?,
        targets: targets?,
        transfers: transfers?,
        copies: copies?
            .into_iter()
            .filter(|snapshot| snapshot.name.contains(':'))
            .collect(),
        pod_links: pod_links?,
        stretched_pods: pods?.into_iter().filter(Pod::is_stretched).collect(),
    })
}

/// Judges every relationship the arrays that `answered` (by the portal's names for them)
/// report, each on what its target holds; `errors` names those that did not answer.
pub fn judge(
    answered: &[(String, ArrayReplication)],
    errors: Vec<ArrayFailure>,
) -> FleetReplication {
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
    FleetReplication {
        relationships,
        pod_links,
        stretched_pods: stretched_pods(answered),
        errors,
    }
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
