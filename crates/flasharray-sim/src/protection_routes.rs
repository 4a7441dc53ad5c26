//! The `/api/2.x` endpoints for protection groups, their members and their snapshots.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shared::flasharray::{
    ListResponse, Membership, ProtectionGroup, ProtectionGroupPatch, ProtectionGroupSnapshot,
    ProtectionGroupSnapshotPatch, ProtectionGroupSnapshotPost,
};

use crate::api::{
    ApiJson, ApiQuery, ListQuery, NamesQuery, page, required_names, select, split_names,
};
use crate::auth::Caller;
use crate::error::ApiFault;
use crate::protection::MemberKind;
use crate::server::Simulator;
use crate::snapshot_routes::SourceQuery;

/// `GET /protection-groups`.
pub async fn list_protection_groups(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut groups = sim.lock().protection_groups_view();
    groups.retain(|group| {
        query
            .destroyed
            .is_none_or(|destroyed| group.destroyed == destroyed)
    });
    page(
        select(
            groups,
            &query,
            |group| (&group.name, &group.id),
            "Protection group",
        )?,
        &query,
        "Protection group",
    )
}

/// `POST /protection-groups?names=...`.
pub async fn create_protection_groups(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<Json<ListResponse<ProtectionGroup>>, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    let created = sim
        .lock()
        .create_protection_groups(&caller.0.username, &names, now)?;
    Ok(Json(ListResponse::of(created)))
}

/// `PATCH /protection-groups?names=...`: rename, schedule, retention, destroy, recover.
pub async fn patch_protection_groups(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<ProtectionGroupPatch>,
) -> Result<Json<ListResponse<ProtectionGroup>>, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    if names.len() > 1 && patch.name.is_some() {
        return Err(ApiFault::invalid("Rename one protection group at a time."));
    }
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    let changed = names
        .iter()
        .map(|name| state.patch_protection_group(&caller.0.username, name, &patch, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListResponse::of(changed)))
}

/// `DELETE /protection-groups?names=...`: eradicates destroyed groups.
pub async fn eradicate_protection_groups(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    sim.lock()
        .eradicate_protection_groups(&caller.0.username, &names, now)?;
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct MemberQuery {
    group_names: Option<String>,
    member_names: Option<String>,
}

/// Lists memberships of one kind, from either side (`protection-groups/volumes` and
/// `volumes/protection-groups` list the same pairs).
async fn list_members(
    sim: Simulator,
    kind: MemberKind,
    selection: MemberQuery,
    query: ListQuery,
) -> Result<Response, ApiFault> {
    let groups = split_names(selection.group_names.as_deref());
    let members = split_names(selection.member_names.as_deref());
    let named = |names: &Option<Vec<String>>, name: &Option<String>| {
        names
            .as_ref()
            .is_none_or(|names| name.as_ref().is_some_and(|name| names.contains(name)))
    };
    let memberships: Vec<Membership> = sim
        .lock()
        .protection_memberships(kind)
        .into_iter()
        .filter(|membership| named(&groups, &membership.group.name))
        .filter(|membership| named(&members, &membership.member.name))
        .collect();
    page(memberships, &query, "Membership")
}

async fn add_members(
    sim: Simulator,
    caller: Caller,
    kind: MemberKind,
    selection: MemberQuery,
) -> Result<Json<ListResponse<Membership>>, ApiFault> {
    caller.require_storage()?;
    let groups = split_names(selection.group_names.as_deref())
        .ok_or_else(|| ApiFault::invalid("Missing required parameter: group_names."))?;
    let members = split_names(selection.member_names.as_deref())
        .ok_or_else(|| ApiFault::invalid("Missing required parameter: member_names."))?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    let mut added = Vec::new();
    for group in &groups {
        added.extend(state.add_protection_members(
            &caller.0.username,
            kind,
            group,
            &members,
            now,
        )?);
    }
    Ok(Json(ListResponse::of(added)))
}

async fn remove_members(
    sim: Simulator,
    caller: Caller,
    kind: MemberKind,
    selection: MemberQuery,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let groups = split_names(selection.group_names.as_deref())
        .ok_or_else(|| ApiFault::invalid("Missing required parameter: group_names."))?;
    let members = split_names(selection.member_names.as_deref())
        .ok_or_else(|| ApiFault::invalid("Missing required parameter: member_names."))?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    for group in &groups {
        state.remove_protection_members(&caller.0.username, kind, group, &members, now)?;
    }
    Ok(StatusCode::OK)
}

/// `GET /protection-groups/volumes` and `GET /volumes/protection-groups`.
pub async fn list_volume_members(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    list_members(sim, MemberKind::Volume, selection, query).await
}

/// `POST /protection-groups/volumes` and `POST /volumes/protection-groups`.
pub async fn add_volume_members(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
) -> Result<Json<ListResponse<Membership>>, ApiFault> {
    add_members(sim, caller, MemberKind::Volume, selection).await
}

/// `DELETE /protection-groups/volumes` and `DELETE /volumes/protection-groups`.
pub async fn remove_volume_members(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
) -> Result<StatusCode, ApiFault> {
    remove_members(sim, caller, MemberKind::Volume, selection).await
}

/// `GET /protection-groups/hosts` and `GET /hosts/protection-groups`.
pub async fn list_host_members(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    list_members(sim, MemberKind::Host, selection, query).await
}

/// `POST /protection-groups/hosts` and `POST /hosts/protection-groups`.
pub async fn add_host_members(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
) -> Result<Json<ListResponse<Membership>>, ApiFault> {
    add_members(sim, caller, MemberKind::Host, selection).await
}

/// `DELETE /protection-groups/hosts` and `DELETE /hosts/protection-groups`.
pub async fn remove_host_members(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
) -> Result<StatusCode, ApiFault> {
    remove_members(sim, caller, MemberKind::Host, selection).await
}

/// `GET /protection-groups/host-groups` and `GET /host-groups/protection-groups`.
pub async fn list_host_group_members(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    list_members(sim, MemberKind::HostGroup, selection, query).await
}

/// `POST /protection-groups/host-groups` and `POST /host-groups/protection-groups`.
pub async fn add_host_group_members(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
) -> Result<Json<ListResponse<Membership>>, ApiFault> {
    add_members(sim, caller, MemberKind::HostGroup, selection).await
}

/// `DELETE /protection-groups/host-groups` and `DELETE /host-groups/protection-groups`.
pub async fn remove_host_group_members(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MemberQuery>,
) -> Result<StatusCode, ApiFault> {
    remove_members(sim, caller, MemberKind::HostGroup, selection).await
}

/// `GET /protection-group-snapshots`.
pub async fn list_group_snapshots(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut snapshots = sim.lock().group_snapshots_view();
    snapshots.retain(|snapshot| {
        query
            .destroyed
            .is_none_or(|destroyed| snapshot.destroyed == destroyed)
    });
    sources.keep(&mut snapshots, |snapshot: &ProtectionGroupSnapshot| {
        (
            snapshot.source.name.as_deref().unwrap_or_default(),
            snapshot.source.id.as_deref().unwrap_or_default(),
        )
    })?;
    page(
        select(
            snapshots,
            &query,
            |snapshot| (&snapshot.name, &snapshot.id),
            "Protection group snapshot",
        )?,
        &query,
        "Protection group snapshot",
    )
}

#[derive(Debug, Deserialize)]
pub struct GroupSnapshotQuery {
    apply_retention: Option<bool>,
}

/// `POST /protection-group-snapshots?source_names=...[&apply_retention=true]`.
pub async fn create_group_snapshots(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(options): ApiQuery<GroupSnapshotQuery>,
    ApiJson(post): ApiJson<ProtectionGroupSnapshotPost>,
) -> Result<Json<ListResponse<ProtectionGroupSnapshot>>, ApiFault> {
    caller.require_storage()?;
    let sources = sources.required()?;
    let now = sim.clock.now_ms();
    let created = sim.lock().create_group_snapshots(
        &caller.0.username,
        &sources,
        post.suffix.as_deref(),
        options.apply_retention.unwrap_or(false),
        now,
    )?;
    Ok(Json(ListResponse::of(created)))
}

/// `PATCH /protection-group-snapshots?names=...`: destroy or recover.
pub async fn patch_group_snapshots(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<ProtectionGroupSnapshotPatch>,
) -> Result<Json<ListResponse<ProtectionGroupSnapshot>>, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    let changed =
        sim.lock()
            .patch_group_snapshots(&caller.0.username, &names, patch.destroyed, now)?;
    Ok(Json(ListResponse::of(changed)))
}

/// `DELETE /protection-group-snapshots?names=...`: eradicates destroyed ones.
pub async fn eradicate_group_snapshots(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    sim.lock()
        .eradicate_group_snapshots(&caller.0.username, &names, now)?;
    Ok(StatusCode::OK)
}
