//! `/api/2.x/connections`: which volumes a host or host group sees, and at which LUN.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{Router, get};
use serde::Deserialize;
use shared::flasharray::{Connection, ConnectionPost};

use crate::error::ApiFault;
use crate::records::Target;
use crate::routes::change::Items;
use crate::routes::extract::{ApiQuery, Call, OptionalJson, named_in, single_name, split_names};
use crate::routes::list::{ListQuery, page};
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new().route(
        "/api/{version}/connections",
        get(list_connections)
            .post(create_connection)
            .delete(delete_connection),
    )
}

#[derive(Debug, Deserialize)]
struct ConnectionQuery {
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
async fn list_connections(
    call: Call,
    ApiQuery(selection): ApiQuery<ConnectionQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let hosts = split_names(selection.host_names.as_deref());
    let groups = split_names(selection.host_group_names.as_deref());
    let volumes = split_names(selection.volume_names.as_deref());
    let connections: Vec<Connection> = call
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
async fn create_connection(
    call: Call,
    ApiQuery(selection): ApiQuery<ConnectionQuery>,
    OptionalJson(post): OptionalJson<ConnectionPost>,
) -> Items<Connection> {
    call.change(|state, user, now| {
        let target = selection.target()?;
        let volume = single_name(selection.volume_names.as_deref(), "volume name")?;
        state
            .connect(user, &target, &volume, post.lun, now)
            .map(|connection| [connection])
    })
}

/// `DELETE /connections?host_names=H|host_group_names=G&volume_names=V`.
async fn delete_connection(
    call: Call,
    ApiQuery(selection): ApiQuery<ConnectionQuery>,
) -> Result<StatusCode, ApiFault> {
    call.remove(|state, user, now| {
        let target = selection.target()?;
        let volume = single_name(selection.volume_names.as_deref(), "volume name")?;
        state.disconnect(user, &target, &volume, now)
    })
}
