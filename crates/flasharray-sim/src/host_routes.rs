//! The `/api/2.x` endpoints for hosts, host groups, memberships and connections.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shared::flasharray::{
    Connection, ConnectionPost, Host, HostGroup, HostGroupPatch, HostPatch, HostPost, ListResponse,
    Membership,
};

use crate::api::{
    ApiJson, ApiQuery, ListQuery, NamesQuery, page, required_names, select, split_names,
};
use crate::auth::Caller;
use crate::error::ApiFault;
use crate::hosts::Target;
use crate::server::Simulator;

/// The one name a call acts on.
fn single_name(names: Option<&str>, what: &str) -> Result<String, ApiFault> {
    match required_names(names)?.as_slice() {
        [name] => Ok(name.clone()),
        _ => Err(ApiFault::invalid(format!("Give exactly one {what}."))),
    }
}

/// `GET /hosts`.
pub async fn list_hosts(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let hosts = sim.lock().hosts_view();
    page(
        select(
            hosts,
            &query,
            |host: &Host| (&host.name, &host.name),
            "Host",
        )?,
        &query,
        "Host",
    )
}

/// `POST /hosts?names=NAME`.
pub async fn create_host(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(post): ApiJson<HostPost>,
) -> Result<Json<ListResponse<Host>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host name")?;
    let now = sim.clock.now_ms();
    let host = sim
        .lock()
        .create_host(&caller.0.username, &name, &post, now)?;
    Ok(Json(ListResponse::of(vec![host])))
}

/// `PATCH /hosts?names=NAME`.
pub async fn patch_host(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<HostPatch>,
) -> Result<Json<ListResponse<Host>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host name")?;
    let now = sim.clock.now_ms();
    let host = sim
        .lock()
        .patch_host(&caller.0.username, &name, &patch, now)?;
    Ok(Json(ListResponse::of(vec![host])))
}

/// `DELETE /hosts?names=NAME`.
pub async fn delete_host(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host name")?;
    let now = sim.clock.now_ms();
    sim.lock().delete_host(&caller.0.username, &name, now)?;
    Ok(StatusCode::OK)
}

/// `GET /host-groups`.
pub async fn list_host_groups(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let groups = sim.lock().host_groups_view();
    page(
        select(
            groups,
            &query,
            |group: &HostGroup| (&group.name, &group.name),
            "Host group",
        )?,
        &query,
        "Host group",
    )
}

/// `POST /host-groups?names=NAME`.
pub async fn create_host_group(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<Json<ListResponse<HostGroup>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host group name")?;
    let now = sim.clock.now_ms();
    let group = sim
        .lock()
        .create_host_group(&caller.0.username, &name, now)?;
    Ok(Json(ListResponse::of(vec![group])))
}

/// `PATCH /host-groups?names=NAME` with `{"name": NEW}`: renames a host group.
pub async fn patch_host_group(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<HostGroupPatch>,
) -> Result<Json<ListResponse<HostGroup>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host group name")?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    let group = match &patch.name {
        Some(new_name) => state.rename_host_group(&caller.0.username, &name, new_name, now)?,
        None => state
            .host_groups_view()
            .into_iter()
            .find(|group| group.name == name)
            .ok_or_else(|| ApiFault::bad_request(&name, "Host group does not exist."))?,
    };
    Ok(Json(ListResponse::of(vec![group])))
}

/// `DELETE /host-groups?names=NAME`.
pub async fn delete_host_group(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host group name")?;
    let now = sim.clock.now_ms();
    sim.lock()
        .delete_host_group(&caller.0.username, &name, now)?;
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct MembershipQuery {
    group_names: Option<String>,
    member_names: Option<String>,
}

/// `GET /host-groups/hosts` and `GET /hosts/host-groups`.
pub async fn list_memberships(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(selection): ApiQuery<MembershipQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let groups = split_names(selection.group_names.as_deref());
    let members = split_names(selection.member_names.as_deref());
    let memberships: Vec<Membership> = sim
        .lock()
        .memberships()
        .into_iter()
        .filter(|membership| named_in(groups.as_deref(), membership.group.name.as_deref()))
        .filter(|membership| named_in(members.as_deref(), membership.member.name.as_deref()))
        .collect();
    page(memberships, &query, "Membership")
}

fn named_in(names: Option<&[String]>, name: Option<&str>) -> bool {
    names.is_none_or(|names| name.is_some_and(|name| names.iter().any(|wanted| wanted == name)))
}

/// `POST /host-groups/hosts?group_names=G&member_names=H`.
pub async fn add_membership(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MembershipQuery>,
) -> Result<Json<ListResponse<Membership>>, ApiFault> {
    caller.require_storage()?;
    let group = single_name(selection.group_names.as_deref(), "group name")?;
    let members = required_names(selection.member_names.as_deref())?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    let added = members
        .iter()
        .map(|member| state.add_member(&caller.0.username, &group, member, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListResponse::of(added)))
}

/// `DELETE /host-groups/hosts?group_names=G&member_names=H`.
pub async fn remove_membership(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<MembershipQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let group = single_name(selection.group_names.as_deref(), "group name")?;
    let members = required_names(selection.member_names.as_deref())?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    for member in &members {
        state.remove_member(&caller.0.username, &group, member, now)?;
    }
    Ok(StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct ConnectionQuery {
    host_names: Option<String>,
    host_group_names: Option<String>,
    volume_names: Option<String>,
}

impl ConnectionQuery {
    /// The one host or host group a change is for.
    fn target(&self) -> Result<Target, ApiFault> {
        match (&self.host_names, &self.host_group_names) {
            (Some(host), None) => Ok(Target::Host(single_name(Some(host), "host name")?)),
            (None, Some(group)) => Ok(Target::Group(single_name(Some(group), "host group name")?)),
            _ => Err(ApiFault::invalid(
                "Give host_names or host_group_names, not both.",
            )),
        }
    }
}

/// `GET /connections[?host_names=&host_group_names=&volume_names=]`.
pub async fn list_connections(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(selection): ApiQuery<ConnectionQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let hosts = split_names(selection.host_names.as_deref());
    let groups = split_names(selection.host_group_names.as_deref());
    let volumes = split_names(selection.volume_names.as_deref());
    let connections: Vec<Connection> = sim
        .lock()
        .connections_view()
        .into_iter()
        .filter(|connection| named_in(hosts.as_deref(), connection.host.name.as_deref()))
        .filter(|connection| named_in(groups.as_deref(), connection.host_group.name.as_deref()))
        .filter(|connection| named_in(volumes.as_deref(), connection.volume.name.as_deref()))
        .collect();
    page(connections, &query, "Connection")
}

/// `POST /connections?host_names=H|host_group_names=G&volume_names=V`, with an optional LUN.
pub async fn create_connection(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<ConnectionQuery>,
    body: Bytes,
) -> Result<Json<ListResponse<Connection>>, ApiFault> {
    caller.require_storage()?;
    let target = selection.target()?;
    let volume = single_name(selection.volume_names.as_deref(), "volume name")?;
    // The body is optional: without one the array picks the LUN.
    let post: ConnectionPost = if body.is_empty() {
        ConnectionPost::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|error| ApiFault::invalid(format!("Invalid request body: {error}")))?
    };
    let lun = post.lun;
    let now = sim.clock.now_ms();
    let connection = sim
        .lock()
        .connect(&caller.0.username, &target, &volume, lun, now)?;
    Ok(Json(ListResponse::of(vec![connection])))
}

/// `DELETE /connections?host_names=H|host_group_names=G&volume_names=V`.
pub async fn delete_connection(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(selection): ApiQuery<ConnectionQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let target = selection.target()?;
    let volume = single_name(selection.volume_names.as_deref(), "volume name")?;
    let now = sim.clock.now_ms();
    sim.lock()
        .disconnect(&caller.0.username, &target, &volume, now)?;
    Ok(StatusCode::OK)
}
