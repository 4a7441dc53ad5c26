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
    /// Requests under `/api/`, read or change, whether answered or refused.
    pub api_requests: u64,
}

/// `GET /sim/stats`.
pub async fn stats(State(sim): State<Simulator>) -> Json<Stats> {
    Json(sim.stats())
}

/// The body of `POST /sim/clock`.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct AdvanceClock {
    pub advance_ms: u64,
}

/// The simulator's time after a change.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ClockReading {
    pub now_ms: i64,
}

/// `POST /sim/clock`: moves the array's time forward, so schedules, retention and eradication
/// delays run out without waiting.
pub async fn advance_clock(
    State(sim): State<Simulator>,
    Json(change): Json<AdvanceClock>,
) -> Json<ClockReading> {
    sim.clock
        .advance(std::time::Duration::from_millis(change.advance_ms));
    Json(ClockReading {
        now_ms: sim.clock.now_ms(),
    })
}
