//! `/healthz` (the process is alive) and `/readyz` (it can serve: the database answers).
//! Arrays are reported in `/readyz` but never make the portal unready: one array down must
//! not take the portal out of a load balancer.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::AppState;

/// How long an array gets to answer a readiness probe.
const ARRAY_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize)]
pub struct Readiness {
    /// `ok`, or why not.
    pub database: String,
    pub arrays: Vec<ArrayReadiness>,
}

#[derive(Debug, Serialize)]
pub struct ArrayReadiness {
    pub name: String,
    /// `ok`, or why not.
    pub status: String,
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = match state.db.ping().await {
        Ok(()) => "ok".to_owned(),
        Err(error) => error.to_string(),
    };
    let mut probes = tokio::task::JoinSet::new();
    for summary in state.arrays.summaries() {
        let Some(entry) = state.arrays.get(&summary.name) else {
            continue;
        };
        probes.spawn(async move {
            let status =
                match tokio::time::timeout(ARRAY_PROBE_TIMEOUT, entry.client.reachable()).await {
                    Ok(Ok(())) => "ok".to_owned(),
                    Ok(Err(error)) => error.to_string(),
                    Err(_) => format!("no answer within {} s", ARRAY_PROBE_TIMEOUT.as_secs()),
                };
            ArrayReadiness {
                name: summary.name,
                status,
            }
        });
    }
    let mut arrays = probes.join_all().await;
    arrays.sort_by(|a, b| a.name.cmp(&b.name));
    let status = if database == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Readiness { database, arrays }))
}
