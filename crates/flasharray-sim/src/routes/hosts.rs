//! `/api/2.x/hosts` and `/api/2.x/host-groups`: list, create, change and delete them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{Router, get};
use shared::flasharray::{Host, HostGroup, HostGroupPatch, HostPatch, HostPost, ListResponse};

use crate::error::ApiFault;
use crate::routes::extract::{ApiJson, ApiQuery, Caller, NamesQuery, single_name};
use crate::routes::list::{ListQuery, list};
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/hosts",
            get(list_hosts)
                .post(create_host)
                .patch(patch_host)
                .delete(delete_host),
        )
        .route(
            "/api/{version}/host-groups",
            get(list_host_groups)
                .post(create_host_group)
                .patch(patch_host_group)
                .delete(delete_host_group),
        )
}

/// `GET /hosts`.
async fn list_hosts(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let hosts = sim.lock().hosts_view();
    list(hosts, &query, "Host", |host: &Host| {
        (&host.name, &host.name)
    })
}

/// `POST /hosts?names=NAME`.
async fn create_host(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(post): ApiJson<HostPost>,
) -> Result<Json<ListResponse<Host>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host name")?;
    let now = sim.clock.now_ms();
    let host = sim.lock().create_host(caller.user(), &name, &post, now)?;
    Ok(Json(ListResponse::of(vec![host])))
}

/// `PATCH /hosts?names=NAME`.
async fn patch_host(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<HostPatch>,
) -> Result<Json<ListResponse<Host>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host name")?;
    let now = sim.clock.now_ms();
    let host = sim.lock().patch_host(caller.user(), &name, &patch, now)?;
    Ok(Json(ListResponse::of(vec![host])))
}

/// `DELETE /hosts?names=NAME`.
async fn delete_host(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host name")?;
    let now = sim.clock.now_ms();
    sim.lock().delete_host(caller.user(), &name, now)?;
    Ok(StatusCode::OK)
}

/// `GET /host-groups`.
async fn list_host_groups(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let groups = sim.lock().host_groups_view();
    list(groups, &query, "Host group", |group: &HostGroup| {
        (&group.name, &group.name)
    })
}

/// `POST /host-groups?names=NAME`.
async fn create_host_group(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<Json<ListResponse<HostGroup>>, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host group name")?;
    let now = sim.clock.now_ms();
    let group = sim.lock().create_host_group(caller.user(), &name, now)?;
    Ok(Json(ListResponse::of(vec![group])))
}

/// `PATCH /host-groups?names=NAME` with `{"name": NEW}`: renames a host group.
async fn patch_host_group(
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
        Some(new_name) => state.rename_host_group(caller.user(), &name, new_name, now)?,
        None => state
            .host_groups_view()
            .into_iter()
            .find(|group| group.name == name)
            .ok_or_else(|| ApiFault::bad_request(&name, "Host group does not exist."))?,
    };
    Ok(Json(ListResponse::of(vec![group])))
}

/// `DELETE /host-groups?names=NAME`.
async fn delete_host_group(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let name = single_name(query.names.as_deref(), "host group name")?;
    let now = sim.clock.now_ms();
    sim.lock().delete_host_group(caller.user(), &name, now)?;
    Ok(StatusCode::OK)
}
