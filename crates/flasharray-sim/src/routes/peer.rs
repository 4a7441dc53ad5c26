//! `/sim/peer/…`: what another simulated array calls on this one to connect, disconnect and
//! check the link (see `peer`). The connection key authenticates the caller, as it does
//! between real arrays.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{Router, get, post};

use crate::error::ApiFault;
use crate::peer::{Farewell, Hello, Welcome};
use crate::replication::ConnectionTerms;
use crate::simulator::Simulator;

/// The administrator a peer's change is recorded under in this array's audit trail.
const PEER_USER: &str = "pureuser";

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/sim/peer/array-connections", post(welcome))
        .route("/sim/peer/disconnect", post(farewell))
        .route("/sim/peer/heartbeat", get(heartbeat))
}

fn link_up(sim: &Simulator) -> Result<(), ApiFault> {
    if sim.faults.link_down() {
        Err(ApiFault {
            status: StatusCode::SERVICE_UNAVAILABLE,
            context: None,
            message: "The replication network of the other array is down.".into(),
        })
    } else {
        Ok(())
    }
}

/// Records the connection from the array that presented this array's own key.
async fn welcome(
    State(sim): State<Simulator>,
    Json(hello): Json<Hello>,
) -> Result<Json<Welcome>, ApiFault> {
    link_up(&sim)?;
    let terms = ConnectionTerms::checked(
        Some(&hello.kind),
        Some(&hello.transport),
        Some(&hello.encryption),
        None,
    )?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    if hello.key != state.connection_key {
        return Err(ApiFault::invalid(
            "Invalid connection key: get the key from the array being connected to.",
        ));
    }
    state.record_connection(
        &hello.from,
        hello.replication_addresses,
        &hello.from_key,
        &terms,
        PEER_USER,
        now,
    )?;
    Ok(Json(Welcome {
        identity: state.identity(&sim.peers.address()),
        replication_addresses: state.replication_addresses(),
    }))
}

/// Forgets the connection to the array that proves, with its own key, to be the one named.
async fn farewell(
    State(sim): State<Simulator>,
    Json(farewell): Json<Farewell>,
) -> Result<StatusCode, ApiFault> {
    link_up(&sim)?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    if !state.holds_key_of(&farewell.name, &farewell.from_key) {
        return Err(ApiFault::forbidden("Invalid connection key."));
    }
    state.forget_connection(&farewell.name, PEER_USER, now)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn heartbeat(State(sim): State<Simulator>) -> Result<StatusCode, ApiFault> {
    link_up(&sim)?;
    Ok(StatusCode::NO_CONTENT)
}
