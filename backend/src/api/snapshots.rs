//! `/api/arrays/{array}/volume-snapshots`: point-in-time copies of volumes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::{Role, SnapshotRequest, validate_snapshot_request};
use shared::flasharray::VolumeSnapshot;

use super::{ApiJson, array, refusal_about};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// `POST /api/arrays/{array}/volume-snapshots`: one consistent set across the volumes.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(array_name): Path<String>,
    ApiJson(request): ApiJson<SnapshotRequest>,
) -> Result<(StatusCode, Json<Vec<VolumeSnapshot>>), AppError> {
    user.require(Role::Operator)?;
    let entry = array(&state, &array_name)?;
    validate_snapshot_request(&request).map_err(AppError::Invalid)?;
    let snapshots = entry
        .client
        .create_volume_snapshots(&request.volumes, request.suffix.as_deref())
        .await
        .map_err(|error| {
            let names: Vec<String> = request
                .volumes
                .iter()
                .filter_map(|volume| {
                    request
                        .suffix
                        .as_ref()
                        .map(|suffix| format!("{volume}.{suffix}"))
                })
                .collect();
            refusal_about(error, &names, "suffix")
        })?;
    tracing::info!(user = %user.user.username, array = %array_name, volumes = %request.volumes.join(","), "snapshots taken");
    Ok((StatusCode::CREATED, Json(snapshots)))
}
