//! What one array says of its replication, for the fleet's DR view: its groups and where
//! they replicate, what is on its way, the copies it holds of other arrays' groups, and its
//! pods' ActiveDR links.

use flasharray::ArrayClient;
use shared::flasharray::{
    Pod, PodReplicaLink, ProtectionGroup, ProtectionGroupSnapshot, ProtectionGroupSnapshotTransfer,
    TargetProtectionGroup,
};

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
