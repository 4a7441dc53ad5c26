//! `/api/recycle-bin`: destroyed volumes, snapshots, protection groups and their snapshots on
//! every array, with the time each has left, and recovering or eradicating them.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use flasharray::ArrayClient;
use shared::api::{RecycleAction, RecycleBin, RecycledItem, RecycledKind};
use shared::flasharray::{VolumePatch, VolumeSnapshotPatch};

use super::extract::{ApiJson, array};
use crate::arrays::fanout::each_array;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

async fn destroyed_on(client: &ArrayClient) -> Result<Vec<RecycledItem>, flasharray::Error> {
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

/// `GET /api/recycle-bin`: soonest eradicated first; arrays that could not be read are named.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<RecycleBin>, AppError> {
    let mut clients = Vec::new();
    for summary in state.arrays.summaries() {
        if user.user.may_use_array(&summary.name) {
            clients.push(array(&state, &user, &summary.name)?);
        }
    }
    let mut bin = RecycleBin::default();
    let answers = each_array(clients, state.array_deadline(), |client| async move {
        destroyed_on(&client).await
    })
    .await;
    for answer in answers {
        match answer.result {
            Ok(items) => bin.items.extend(items),
            Err(error) => bin.errors.push(format!("{}: {error}", answer.array)),
        }
    }
    bin.items.sort_by(|a, b| {
        a.time_remaining
            .cmp(&b.time_remaining)
            .then(a.name.cmp(&b.name))
    });
    Ok(Json(bin))
}

/// `POST /api/recycle-bin/recover`.
pub async fn recover(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(action): ApiJson<RecycleAction>,
) -> Result<StatusCode, AppError> {
    let client = array(&state, &user, &action.array)?;
    match action.kind {
        RecycledKind::Volume => {
            let patch = VolumePatch {
                destroyed: Some(false),
                ..VolumePatch::default()
            };
            client.patch_volume(&action.name, &patch, false).await?;
        }
        RecycledKind::Snapshot => {
            let patch = VolumeSnapshotPatch {
                destroyed: Some(false),
                ..VolumeSnapshotPatch::default()
            };
            client.patch_volume_snapshot(&action.name, &patch).await?;
        }
        RecycledKind::ProtectionGroup => {
            let patch = shared::flasharray::ProtectionGroupPatch {
                destroyed: Some(false),
                ..Default::default()
            };
            client.patch_protection_group(&action.name, &patch).await?;
        }
        RecycledKind::ProtectionGroupSnapshot => {
            client
                .set_group_snapshot_destroyed(&action.name, false)
                .await?;
        }
    }
    tracing::info!(user = %user.user.username, array = %action.array, kind = action.kind.label(), name = %action.name, "recovered");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/recycle-bin/eradicate`: no undo, so admins only.
pub async fn eradicate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(action): ApiJson<RecycleAction>,
) -> Result<StatusCode, AppError> {
    let client = array(&state, &user, &action.array)?;
    match action.kind {
        RecycledKind::Volume => client.eradicate_volume(&action.name).await?,
        RecycledKind::Snapshot => client.eradicate_volume_snapshot(&action.name).await?,
        RecycledKind::ProtectionGroup => client.eradicate_protection_group(&action.name).await?,
        RecycledKind::ProtectionGroupSnapshot => {
            client.eradicate_group_snapshot(&action.name).await?;
        }
    }
    tracing::info!(user = %user.user.username, array = %action.array, kind = action.kind.label(), name = %action.name, "eradicated");
    Ok(StatusCode::NO_CONTENT)
}
