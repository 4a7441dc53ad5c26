//! `/api/2.x/hosts` and `/api/2.x/host-groups`: list, create, change and delete them.

use axum::http::StatusCode;
use axum::routing::Router;
use shared::flasharray::{Host, HostGroup, HostGroupPatch, HostPatch, HostPost};

use crate::error::ApiFault;
use crate::routes::change::Items;
use crate::routes::extract::{ApiJson, ApiQuery, Call, NamesQuery, single_name};
use crate::routes::list::listing;
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/hosts",
            listing(ArrayState::hosts_view, "Host", |host| {
                (&host.name, &host.name)
            })
            .post(create_host)
            .patch(patch_host)
            .delete(delete_host),
        )
        .route(
            "/api/{version}/host-groups",
            listing(ArrayState::host_groups_view, "Host group", |group| {
                (&group.name, &group.name)
            })
            .post(create_host_group)
            .patch(patch_host_group)
            .delete(delete_host_group),
        )
}

/// `POST /hosts?names=NAME`.
async fn create_host(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(post): ApiJson<HostPost>,
) -> Items<Host> {
    call.change(|state, user, now| {
        let name = single_name(query.names.as_deref(), "host name")?;
        state
            .create_host(user, &name, &post, now)
            .map(|host| [host])
    })
}

/// `PATCH /hosts?names=NAME`.
async fn patch_host(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<HostPatch>,
) -> Items<Host> {
    call.change(|state, user, now| {
        let name = single_name(query.names.as_deref(), "host name")?;
        state
            .patch_host(user, &name, &patch, now)
            .map(|host| [host])
    })
}

/// `DELETE /hosts?names=NAME`.
async fn delete_host(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    call.remove(|state, user, now| {
        let name = single_name(query.names.as_deref(), "host name")?;
        state.delete_host(user, &name, now)
    })
}

/// `POST /host-groups?names=NAME`.
async fn create_host_group(call: Call, ApiQuery(query): ApiQuery<NamesQuery>) -> Items<HostGroup> {
    call.change(|state, user, now| {
        let name = single_name(query.names.as_deref(), "host group name")?;
        state
            .create_host_group(user, &name, now)
            .map(|group| [group])
    })
}

/// `PATCH /host-groups?names=NAME` with `{"name": NEW}`: renames a host group.
async fn patch_host_group(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<HostGroupPatch>,
) -> Items<HostGroup> {
    call.change(|state, user, now| {
        let name = single_name(query.names.as_deref(), "host group name")?;
        let group = match &patch.name {
            Some(new_name) => state.rename_host_group(user, &name, new_name, now)?,
            None => state
                .host_groups_view()
                .into_iter()
                .find(|group| group.name == name)
                .ok_or_else(|| ApiFault::bad_request(&name, "Host group does not exist."))?,
        };
        Ok([group])
    })
}

/// `DELETE /host-groups?names=NAME`.
async fn delete_host_group(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    call.remove(|state, user, now| {
        let name = single_name(query.names.as_deref(), "host group name")?;
        state.delete_host_group(user, &name, now)
    })
}
