//! `/api/arrays/{array}/protection-groups`: groups, their members, schedule and retention,
//! and their snapshots.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use flasharray::ArrayClient;
use serde::Deserialize;
use shared::api::{
    ApiError, CreateProtectionGroupRequest, DestroyedQuery, GroupSnapshotDetail,
    GroupSnapshotRequest, MemberKind, MembersRequest, ProtectionGroupDetail,
};
use shared::flasharray::{ProtectionGroup, ProtectionGroupPatch, VolumeSnapshot};
use shared::names::validate_object_name;

use super::extract::{ApiJson, OnArray, refusal_about};
use super::passed::{ArrayPage, json_answer};
use crate::error::AppError;

const KINDS: [MemberKind; 3] = [
    MemberKind::Volumes,
    MemberKind::Hosts,
    MemberKind::HostGroups,
];

fn client_kind(kind: MemberKind) -> flasharray::MemberKind {
    match kind {
        MemberKind::Volumes => flasharray::MemberKind::Volumes,
        MemberKind::Hosts => flasharray::MemberKind::Hosts,
        MemberKind::HostGroups => flasharray::MemberKind::HostGroups,
    }
}

/// `GET /api/arrays/{array}/protection-groups?destroyed=`.
pub async fn list(on: OnArray, Query(query): Query<DestroyedQuery>) -> Result<Response, AppError> {
    let reply = on
        .client
        .list_protection_groups_raw(Some(query.destroyed))
        .await?;
    json_answer(&ArrayPage::of(&reply)?.items, &reply)
}

/// `POST /api/arrays/{array}/protection-groups`.
pub async fn create(
    on: OnArray,
    ApiJson(request): ApiJson<CreateProtectionGroupRequest>,
) -> Result<(StatusCode, Json<ProtectionGroup>), AppError> {
    validate_object_name("Protection group", &request.name)
        .map_err(|message| AppError::Invalid(ApiError::for_field("name", message)))?;
    let group = on
        .client
        .create_protection_group(&request.name)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&request.name), "name"))?;
    Ok((StatusCode::CREATED, Json(group)))
}

async fn detail(client: &ArrayClient, name: &str) -> Result<ProtectionGroupDetail, AppError> {
    let group = client
        .list_protection_groups(None)
        .await?
        .into_iter()
        .find(|group| group.name == name)
        .ok_or_else(|| AppError::NotFound(format!("No protection group named {name}.")))?;
    for kind in KINDS {
        let members: Vec<String> = client
            .list_group_members(client_kind(kind), Some(name))
            .await?
            .into_iter()
            .filter_map(|membership| membership.member.name)
            .collect();
        if !members.is_empty() {
            return Ok(ProtectionGroupDetail {
                group,
                member_kind: Some(kind),
                members,
            });
        }
    }
    Ok(ProtectionGroupDetail {
        group,
        member_kind: None,
        members: Vec::new(),
    })
}

/// `GET /api/arrays/{array}/protection-groups/{group}`: the group with its members.
pub async fn get_one(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
) -> Result<Json<ProtectionGroupDetail>, AppError> {
    Ok(Json(detail(&on.client, &group).await?))
}

/// `PATCH /api/arrays/{array}/protection-groups/{group}`: schedule, retention, rename,
/// destroy or recover.
pub async fn change(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
    ApiJson(patch): ApiJson<ProtectionGroupPatch>,
) -> Result<Json<ProtectionGroup>, AppError> {
    if patch.retention_lock.is_some() {
        return Err(AppError::Invalid(ApiError::for_field(
            "retention_lock",
            "Lock a group's retention with POST …/retention-lock, which admins may.",
        )));
    }
    let changed = on.client.patch_protection_group(&group, &patch).await?;
    Ok(Json(changed))
}

/// `POST /api/arrays/{array}/protection-groups/{group}/retention-lock`: SafeMode for the group
/// (`retention_lock: ratcheted`). Only Pure Technical Services can undo it; admins only.
pub async fn lock_retention(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
) -> Result<Json<ProtectionGroup>, AppError> {
    let patch = ProtectionGroupPatch {
        retention_lock: Some(shared::flasharray::RATCHETED.to_owned()),
        ..ProtectionGroupPatch::default()
    };
    let locked = on.client.patch_protection_group(&group, &patch).await?;
    Ok(Json(locked))
}

/// `DELETE /api/arrays/{array}/protection-groups/{group}`: eradicates; admins only.
pub async fn eradicate(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.eradicate_protection_group(&group).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/arrays/{array}/protection-groups/{group}/members`.
pub async fn add_members(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
    ApiJson(request): ApiJson<MembersRequest>,
) -> Result<Json<ProtectionGroupDetail>, AppError> {
    if request.names.is_empty() {
        return Err(AppError::Invalid(ApiError::for_field(
            "names",
            format!("Name the {} to add.", request.kind.label()),
        )));
    }
    on.client
        .add_group_members(client_kind(request.kind), &group, &request.names)
        .await
        // The form has only the kind and the names; whatever the array refuses is about them.
        .map_err(|error| AppError::Array {
            error,
            field: Some("names"),
        })?;
    Ok(Json(detail(&on.client, &group).await?))
}

/// `DELETE /api/arrays/{array}/protection-groups/{group}/members` with the members in the body.
pub async fn remove_members(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
    ApiJson(request): ApiJson<MembersRequest>,
) -> Result<Json<ProtectionGroupDetail>, AppError> {
    for member in &request.names {
        on.client
            .remove_group_member(client_kind(request.kind), &group, member)
            .await?;
    }
    Ok(Json(detail(&on.client, &group).await?))
}

/// `GET /api/arrays/{array}/protection-groups/{group}/snapshots?destroyed=`: newest first,
/// each with its volume snapshots.
pub async fn snapshots(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
    Query(query): Query<DestroyedQuery>,
) -> Result<Json<Vec<GroupSnapshotDetail>>, AppError> {
    let mut group_snapshots = on
        .client
        .list_group_snapshots(Some(&group), Some(query.destroyed))
        .await?;
    group_snapshots.sort_by(|a, b| b.created.cmp(&a.created).then(b.name.cmp(&a.name)));
    let mut by_group_snapshot: HashMap<String, Vec<VolumeSnapshot>> = HashMap::new();
    for volume in on.client.volume_snapshots_within(&group).await? {
        if let Some((group_snapshot, _)) = volume.name.rsplit_once('.') {
            by_group_snapshot
                .entry(group_snapshot.to_owned())
                .or_default()
                .push(volume);
        }
    }
    let details = group_snapshots
        .into_iter()
        .map(|snapshot| {
            let volumes = by_group_snapshot.remove(&snapshot.name).unwrap_or_default();
            GroupSnapshotDetail { snapshot, volumes }
        })
        .collect();
    Ok(Json(details))
}

/// `POST /api/arrays/{array}/protection-groups/{group}/snapshots`: snapshot now.
pub async fn snapshot_now(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
    ApiJson(request): ApiJson<GroupSnapshotRequest>,
) -> Result<(StatusCode, Json<GroupSnapshotDetail>), AppError> {
    if let Some(suffix) = &request.suffix {
        shared::api::validate_snapshot_suffix(suffix).map_err(AppError::Invalid)?;
    }
    let snapshot = on
        .client
        .create_group_snapshot(
            &group,
            request.suffix.as_deref(),
            request.apply_retention,
            request.replicate_now,
        )
        .await
        .map_err(|error| {
            let name = request
                .suffix
                .as_ref()
                .map(|suffix| format!("{group}.{suffix}"))
                .unwrap_or_default();
            refusal_about(error, &[name], "suffix")
        })?;
    let volumes = on.client.volume_snapshots_within(&snapshot.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(GroupSnapshotDetail { snapshot, volumes }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DestroyedChange {
    destroyed: bool,
}

/// `PATCH /api/arrays/{array}/protection-group-snapshots/{snapshot}`: destroy or recover.
pub async fn change_snapshot(
    on: OnArray,
    Path((_, snapshot)): Path<(String, String)>,
    ApiJson(change): ApiJson<DestroyedChange>,
) -> Result<StatusCode, AppError> {
    on.client
        .set_group_snapshot_destroyed(&snapshot, change.destroyed)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/arrays/{array}/protection-group-snapshots/{snapshot}`: admins only.
pub async fn eradicate_snapshot(
    on: OnArray,
    Path((_, snapshot)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.eradicate_group_snapshot(&snapshot).await?;
    Ok(StatusCode::NO_CONTENT)
}
