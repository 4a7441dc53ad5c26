//! What an array holds destroyed, as its recycle bin lists it: the dashboard counts the same
//! items the recycle bin page shows.

use std::collections::HashSet;

use flasharray::ArrayClient;
use shared::api::{RecycledItem, RecycledKind};

/// Destroyed volumes, snapshots (those inside a group snapshot go with it), protection groups
/// and their snapshots, each with the time it has left.
pub async fn destroyed_on(client: &ArrayClient) -> Result<Vec<RecycledItem>, flasharray::Error> {
    let array = client.name().to_owned();
    let item = |kind, name: String, time_remaining: Option<i64>| RecycledItem {
        array: array.clone(),
        kind,
        name,
        time_remaining: time_remaining.unwrap_or_default(),
    };
    let query = flasharray::VolumeQuery {
        destroyed: Some(true),
        ..flasharray::VolumeQuery::default()
    };
    let mut items: Vec<RecycledItem> = client
        .list_volumes(&query)
        .await?
        .items
        .into_iter()
        .map(|volume| item(RecycledKind::Volume, volume.name, volume.time_remaining))
        .collect();
    let groups = client.list_protection_groups(Some(true)).await?;
    let group_snapshots = client.list_group_snapshots(None, Some(true)).await?;
    // Snapshots inside a group snapshot (`GROUP.N.VOLUME`) come back with it; they are not
    // listed twice.
    let group_snapshot_names: HashSet<&str> = group_snapshots
        .iter()
        .map(|snapshot| snapshot.name.as_str())
        .collect();
    let in_group = |name: &str| {
        name.rsplit_once('.')
            .is_some_and(|(within, _)| group_snapshot_names.contains(within))
    };
    items.extend(
        client
            .list_volume_snapshots(None, Some(true))
            .await?
            .into_iter()
            .filter(|snapshot| !in_group(&snapshot.name))
            .map(|snapshot| {
                item(
                    RecycledKind::Snapshot,
                    snapshot.name,
                    snapshot.time_remaining,
                )
            }),
    );
    items.extend(groups.into_iter().map(|group| {
        item(
            RecycledKind::ProtectionGroup,
            group.name,
            group.time_remaining,
        )
    }));
    items.extend(group_snapshots.into_iter().map(|snapshot| {
        item(
            RecycledKind::ProtectionGroupSnapshot,
            snapshot.name,
            snapshot.time_remaining,
        )
    }));
    Ok(items)
}
