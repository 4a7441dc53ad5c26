//! `/sim/...`: the test harness's own endpoints, outside the array's API. No real array has
//! them; they let tests and demos change faults and time from outside the process.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{Router, get, post, put};
use serde::{Deserialize, Serialize};

use crate::faults::FaultConfig;
use crate::simulator::{Simulator, Stats};

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/sim/faults", get(faults).put(set_faults))
        .route("/sim/expire-tokens", post(expire_tokens))
        .route("/sim/stats", get(stats))
        .route("/sim/clock", post(advance_clock))
        .route("/sim/parts/{name}", put(set_part))
}

/// The body of `PUT /sim/parts/{name}`.
#[derive(Debug, Clone, Deserialize)]
struct PartState {
    failed: bool,
    /// What the array says is wrong; a default for the part's kind when absent.
    details: Option<String>,
}

/// `PUT /sim/parts/{name}`: fails a part (`{"failed": true}`) or repairs it.
async fn set_part(
    State(sim): State<Simulator>,
    Path(name): Path<String>,
    Json(part): Json<PartState>,
) -> Result<StatusCode, (StatusCode, String)> {
    let known = if part.failed {
        sim.fail_part(&name, part.details.as_deref())
    } else {
        sim.repair_part(&name)
    };
    if known {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err((
            StatusCode::NOT_FOUND,
            format!("The array has no part {name:?}."),
        ))
    }
}

/// `GET /sim/faults`.
async fn faults(State(sim): State<Simulator>) -> Json<FaultConfig> {
    Json(sim.faults_config())
}

/// `PUT /sim/faults`: replaces the faults in force.
async fn set_faults(
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
async fn expire_tokens(State(sim): State<Simulator>) -> StatusCode {
    sim.expire_all_tokens();
    StatusCode::NO_CONTENT
}

/// `GET /sim/stats`.
async fn stats(State(sim): State<Simulator>) -> Json<Stats> {
    Json(sim.stats())
}

/// The body of `POST /sim/clock`.
#[derive(Debug, Clone, Copy, Deserialize)]
struct AdvanceClock {
    advance_ms: u64,
}

/// The simulator's time after a change.
#[derive(Debug, Clone, Copy, Serialize)]
struct ClockReading {
    now_ms: i64,
}

/// `POST /sim/clock`: moves the array's time forward, so schedules, retention and eradication
/// delays run out without waiting.
async fn advance_clock(
    State(sim): State<Simulator>,
    Json(change): Json<AdvanceClock>,
) -> Json<ClockReading> {
    sim.advance_clock(std::time::Duration::from_millis(change.advance_ms));
    Json(ClockReading {
        now_ms: sim.clock.now_ms(),
    })
}
