//! `/sim/...`: the test harness's own endpoints, outside the array's API. No real array has
//! them; they let tests and demos change faults and time from outside the process.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::faults::FaultConfig;
use crate::server::Simulator;

/// `GET /sim/faults`.
pub async fn faults(State(sim): State<Simulator>) -> Json<FaultConfig> {
    Json(sim.faults.config())
}

/// `PUT /sim/faults`: replaces the faults in force.
pub async fn set_faults(
    State(sim): State<Simulator>,
    Json(config): Json<FaultConfig>,
) -> Result<Json<FaultConfig>, (StatusCode, String)> {
    config
        .validate()
        .map_err(|message| (StatusCode::BAD_REQUEST, message))?;
    sim.set_faults(config.clone());
    Ok(Json(config))
}

/// `POST /sim/expire-tokens`: ends every session and access token, as an array restart does.
pub async fn expire_tokens(State(sim): State<Simulator>) -> StatusCode {
    sim.expire_all_tokens();
    StatusCode::NO_CONTENT
}

/// Counters a test can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub logins: u64,
    pub token_exchanges: u64,
}

/// `GET /sim/stats`.
pub async fn stats(State(sim): State<Simulator>) -> Json<Stats> {
    Json(sim.stats())
}
