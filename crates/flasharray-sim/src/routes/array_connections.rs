//! `/api/2.x/array-connections`: connecting this array to another for replication, as the
//! array's administrator does with the other array's management address and connection key.
//! Connecting, disconnecting and the connection's status are real exchanges with the other
//! simulator (see `peer`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{Router, get};
use futures_util::future::join_all;
use shared::flasharray::{
    ArrayConnection, ArrayConnectionKey, ArrayConnectionPatch, ArrayConnectionPost, ListResponse,
};

use crate::error::ApiFault;
use crate::peer::{Farewell, Hello};
use crate::replication::Terms;
use crate::replication::{ConnectionTerms, PeerKeys};
use crate::routes::change::Items;
use crate::routes::extract::{ApiJson, ApiQuery, Call, NamesQuery, single_name};
use crate::routes::list::{ListQuery, list};
use crate::simulator::Simulator;
use crate::state::Role;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/array-connections",
            get(list_connections)
                .post(connect)
                .patch(change_connection)
                .delete(disconnect),
        )
        .route(
            "/api/{version}/array-connections/connection-key",
            get(connection_key),
        )
}

/// `GET array-connections`: each connection's status is whether the other array answers now.
async fn list_connections(
    call: Call,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut connections: Vec<ArrayConnection> = call
        .lock()
        .array_connections()
        .map(|linked| linked.connection.clone())
        .collect();
    let sim = call.simulator();
    let link_down = sim.faults.link_down();
    let beats = join_all(connections.iter().map(|connection| async {
        !link_down
            && sim
                .peers
                .beats(connection.management_address.as_deref().unwrap_or_default())
                .await
    }))
    .await;
    for (connection, up) in connections.iter_mut().zip(beats) {
        let status = if up { "connected" } else { "connecting" };
        connection.status = Some(status.to_owned());
    }
    list(connections, &query, "Array connection", |connection| {
        (
            &connection.name,
            connection.id.as_deref().unwrap_or_default(),
        )
    })
}

/// `POST array-connections`: connects to the array at `management_address`, which must
/// recognise its own `connection_key`; both arrays then list the connection.
async fn connect(
    call: Call,
    ApiJson(body): ApiJson<ArrayConnectionPost>,
) -> Items<ArrayConnection> {
    call.require(Role::ArrayAdmin)?;
    let address = required(body.management_address.as_deref(), "management_address")?;
    let key = required(body.connection_key.as_deref(), "connection_key")?;
    let terms = ConnectionTerms::checked(
        body.kind.as_deref(),
        body.replication_transport.as_deref(),
        body.encryption.as_deref(),
        body.replication_addresses.clone(),
    )?;
    let sim = call.simulator();
    if sim.faults.link_down() {
        return Err(ApiFault::invalid(format!(
            "Could not connect to the array at {address}: the replication network is down."
        )));
    }
    let hello = {
        let state = call.lock();
        Hello {
            key: key.clone(),
            from_key: state.connection_key.clone(),
            secret: crate::collection::new_id(),
            from: state.identity(&sim.peers.address()),
            replication_addresses: state.replication_addresses(),
            kind: terms.kind.clone(),
            transport: terms.transport.clone(),
            encryption: terms.encryption.clone(),
        }
    };
    let mut welcome = sim.peers.hello(&address, &hello).await?;
    welcome.identity.management_address = address.clone();
    let now = call.now();
    let made = call.lock().record_connection(
        &welcome.identity,
        welcome.replication_addresses,
        PeerKeys {
            key: &key,
            secret: &hello.secret,
        },
        &terms,
        call.user(),
        now,
    );
    match made {
        Ok(connection) => Ok(Json(ListResponse::of(vec![connection]))),
        Err(refusal) => {
            let farewell = Farewell {
                secret: hello.secret,
                name: hello.from.name,
            };
            sim.peers.farewell(&address, &farewell).await;
            Err(refusal)
        }
    }
}

fn required(value: Option<&str>, field: &str) -> Result<String, ApiFault> {
    value
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ApiFault::invalid(format!("Missing required parameter: {field}.")))
}

/// `PATCH array-connections?names=…`: throttle, addresses, type and encryption.
async fn change_connection(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<ArrayConnectionPatch>,
) -> Items<ArrayConnection> {
    let name = single_name(query.names.as_deref(), "array connection")?;
    let changed = call.change_as(Role::ArrayAdmin, |state, user, now| {
        state
            .patch_connection(&name, &patch, user, now)
            .map(|changed| vec![changed])
    })?;
    // Both ends of a connection replicate on the same terms.
    if patch.kind.is_some() || patch.encryption.is_some() {
        let (address, terms) = {
            let state = call.lock();
            let connection = &changed.items[0];
            let terms = Terms {
                secret: state.secret_with(&name),
                source: state.name.clone(),
                kind: connection.kind.clone(),
                encryption: connection.encryption.clone(),
            };
            (state.address_of(&name).ok(), terms)
        };
        let sim = call.simulator();
        if let Some(address) = address
            && !sim.faults.link_down()
            && let Err(refusal) = sim.peers.tell(&address, "terms", &terms).await
        {
            tracing::info!(message = %refusal.message, "the other array did not hear the new terms");
        }
    }
    Ok(changed)
}

/// `DELETE array-connections?names=…`: both arrays forget the connection; an unreachable
/// other array is told when it can be, as an array disconnects from a dead one too.
async fn disconnect(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    call.require(Role::ArrayAdmin)?;
    let name = single_name(query.names.as_deref(), "array connection")?;
    let address = {
        let state = call.lock();
        let targeting = state.groups_targeting(&name);
        if !targeting.is_empty() {
            return Err(ApiFault::bad_request(
                &name,
                format!(
                    "{name} is a target of protection group(s) {}: remove it from their targets first.",
                    targeting.join(", ")
                ),
            ));
        }
        let linked = state.pods_linked_with(&name);
        if !linked.is_empty() {
            return Err(ApiFault::bad_request(
                &name,
                format!(
                    "Pod(s) {} have replica links with {name}: delete the links first.",
                    linked.join(", ")
                ),
            ));
        }
        state.address_of(&name)?
    };
    let now = call.now();
    let farewell = {
        let mut state = call.lock();
        let secret = state.secret_with(&name);
        state.forget_connection(&name, call.user(), now)?;
        Farewell {
            secret,
            name: state.name.clone(),
        }
    };
    let sim = call.simulator();
    if !sim.faults.link_down() {
        sim.peers.farewell(&address, &farewell).await;
    }
    Ok(StatusCode::OK)
}

/// `GET array-connections/connection-key`: what another array's administrator enters to
/// connect to this one.
async fn connection_key(call: Call) -> Items<ArrayConnectionKey> {
    call.require(Role::ArrayAdmin)?;
    let connection_key = call.lock().connection_key.clone();
    Ok(Json(ListResponse::of(vec![ArrayConnectionKey {
        connection_key,
    }])))
}
