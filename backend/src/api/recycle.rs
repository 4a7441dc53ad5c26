//! `/api/recycle-bin`: destroyed volumes, snapshots, protection groups and their snapshots on
//! every array, with the time each has left, and recovering or eradicating them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::api::{RecycleAction, RecycleBin, RecycledKind};
use shared::flasharray::{VolumePatch, VolumeSnapshotPatch};

use super::extract::{ApiJson, array};
use crate::arrays::fanout::each_array;
use crate::arrays::recycle::destroyed_on;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

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
    Ok(StatusCode::NO_CONTENT)
}
