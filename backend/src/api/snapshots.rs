//! `/api/arrays/{array}/volume-snapshots` and the restore and copy of volumes: point-in-time
//! copies of volumes, and bringing them back.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use shared::api::{
    ApiError, CopyRequest, RestoreRequest, RestoreResult, Role, SnapshotListQuery, SnapshotRequest,
    validate_snapshot_request,
};
use shared::flasharray::{Volume, VolumeSnapshot, VolumeSnapshotPatch};
use shared::names::validate_object_name;

use super::extract::{ApiJson, OnArray, refusal_about};
use crate::error::AppError;

/// `POST /api/arrays/{array}/volume-snapshots`: one consistent set across the volumes.
pub async fn create(
    on: OnArray,
    ApiJson(request): ApiJson<SnapshotRequest>,
) -> Result<(StatusCode, Json<Vec<VolumeSnapshot>>), AppError> {
    validate_snapshot_request(&request).map_err(AppError::Invalid)?;
    let snapshots = on
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
    Ok((StatusCode::CREATED, Json(snapshots)))
}

/// `GET /api/arrays/{array}/volume-snapshots?volume=&destroyed=`: a volume's snapshots, taken
/// directly or through its protection groups, oldest first: its timeline.
pub async fn list(
    on: OnArray,
    Query(query): Query<SnapshotListQuery>,
) -> Result<Json<Vec<VolumeSnapshot>>, AppError> {
    let mut snapshots = on
        .client
        .list_volume_snapshots(query.volume.as_deref(), query.destroyed)
        .await?;
    snapshots.sort_by(|a, b| a.created.cmp(&b.created).then(a.name.cmp(&b.name)));
    Ok(Json(snapshots))
}

/// `PATCH /api/arrays/{array}/volume-snapshots/{snapshot}`: rename, destroy or recover.
pub async fn change(
    on: OnArray,
    Path((_, snapshot)): Path<(String, String)>,
    ApiJson(patch): ApiJson<VolumeSnapshotPatch>,
) -> Result<Json<VolumeSnapshot>, AppError> {
    let changed = on
        .client
        .patch_volume_snapshot(&snapshot, &patch)
        .await
        .map_err(|error| AppError::Array {
            error,
            field: patch.name.as_ref().map(|_| "name"),
        })?;
    Ok(Json(changed))
}

/// `DELETE /api/arrays/{array}/volume-snapshots/{snapshot}`: eradicates; admins only.
pub async fn eradicate(
    on: OnArray,
    Path((_, snapshot)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.eradicate_volume_snapshot(&snapshot).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A name for the snapshot taken just before a restore: `safety-YYYYMMDD-HHMMSS`.
pub(super) fn safety_suffix(now_ms: i64) -> String {
    let stamp: String = shared::time::format_timestamp_ms(now_ms)
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    format!(
        "safety-{}-{}",
        &stamp[..8.min(stamp.len())],
        &stamp[8.min(stamp.len())..]
    )
}

/// `POST /api/arrays/{array}/volumes/{volume}/restore`: replaces the volume's contents with a
/// snapshot's, after an optional safety snapshot of what it holds now. Hosts connected to the
/// volume see the restored contents at once, so the caller must confirm `overwrite`.
pub async fn restore(
    on: OnArray,
    Path((_, volume)): Path<(String, String)>,
    ApiJson(request): ApiJson<RestoreRequest>,
) -> Result<Json<RestoreResult>, AppError> {
    if !request.overwrite {
        return Err(AppError::Invalid(ApiError::for_field(
            "overwrite",
            format!(
                "Restoring replaces everything {volume} holds now: confirm the overwrite first."
            ),
        )));
    }
    if !request.safety_snapshot && on.user.user.role < Role::Admin {
        return Err(AppError::Forbidden(
            "Only admins may restore without taking a safety snapshot first.".into(),
        ));
    }
    let safety_snapshot = if request.safety_snapshot {
        let suffix = safety_suffix(crate::clock::unix_now() * 1000);
        let taken = on
            .client
            .create_volume_snapshots(std::slice::from_ref(&volume), Some(&suffix))
            .await?;
        taken.into_iter().next()
    } else {
        None
    };
    let restored = on
        .client
        .copy_volume(&request.snapshot, &volume, true)
        .await?;
    Ok(Json(RestoreResult {
        volume: restored,
        safety_snapshot,
    }))
}

/// `POST /api/arrays/{array}/volumes/copy`: a new volume from a volume or snapshot. It never
/// overwrites; restoring is the explicit way to replace a volume's contents.
pub async fn copy(
    on: OnArray,
    ApiJson(request): ApiJson<CopyRequest>,
) -> Result<(StatusCode, Json<Volume>), AppError> {
    validate_object_name("Volume", &request.name)
        .map_err(|message| AppError::Invalid(ApiError::for_field("name", message)))?;
    let copied = on
        .client
        .copy_volume(&request.source, &request.name, false)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&request.name), "name"))?;
    Ok((StatusCode::CREATED, Json(copied)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_snapshots_are_named_by_when_they_were_taken() {
        let suffix = safety_suffix(1_700_000_000_000);
        assert!(suffix.starts_with("safety-2023"), "{suffix}");
        assert!(
            validate_object_name("Snapshot suffix", &suffix).is_ok(),
            "{suffix}"
        );
    }
}
