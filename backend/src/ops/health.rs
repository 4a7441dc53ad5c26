//! `/healthz` (the process is alive) and `/readyz` (it can serve: the database answers).
//! Arrays are reported in `/readyz` but never make the portal unready: one array down must
//! not take the portal out of a load balancer. Anyone can ask, so the answer says only `ok`
//! or `fail` (the reason goes to the log), and the arrays are probed at most once every
//! [`PROBE_REUSE`], however often it is asked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::arrays::registry::ArrayRegistry;
use crate::db::Database;

/// How long an array gets to answer a readiness probe.
const ARRAY_PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the arrays' probe results are answered again before the arrays are asked anew.
pub const PROBE_REUSE: Duration = Duration::from_secs(1);

#[derive(Debug, Serialize)]
pub struct Readiness {
    /// `ok` or `fail`.
    pub database: &'static str,
    pub arrays: Vec<ArrayReadiness>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArrayReadiness {
    pub name: String,
    /// `ok` or `fail`.
    pub status: &'static str,
}

/// The last probe of the arrays. Its lock is held while probing, so that requests arriving
/// meanwhile wait for that probe instead of starting their own.
#[derive(Debug, Default)]
pub struct ProbeCache {
    last: tokio::sync::Mutex<Option<(Instant, Vec<ArrayReadiness>)>>,
}

/// What readiness is judged from: the database, the arrays and their last probe.
#[derive(Debug, Clone)]
pub struct HealthState {
    pub db: Database,
    pub arrays: Arc<ArrayRegistry>,
    pub probes: Arc<ProbeCache>,
}

fn ok_or_fail(ok: bool) -> &'static str {
    if ok { "ok" } else { "fail" }
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<HealthState>) -> (StatusCode, Json<Readiness>) {
    let database_ok = match state.db.ping().await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            false
        }
    };
    let arrays = {
        let mut last = state.probes.last.lock().await;
        match &*last {
            Some((at, arrays)) if at.elapsed() < PROBE_REUSE => arrays.clone(),
            _ => {
                let arrays = probe_arrays(&state).await;
                *last = Some((Instant::now(), arrays.clone()));
                arrays
            }
        }
    };
    let status = if database_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let database = ok_or_fail(database_ok);
    (status, Json(Readiness { database, arrays }))
}

async fn probe_arrays(state: &HealthState) -> Vec<ArrayReadiness> {
    let mut probes = tokio::task::JoinSet::new();
    for summary in state.arrays.summaries() {
        let Some(entry) = state.arrays.get(&summary.name) else {
            continue;
        };
        probes.spawn(async move {
            let ok =
                match tokio::time::timeout(ARRAY_PROBE_TIMEOUT, entry.client.reachable()).await {
                    Ok(Ok(())) => true,
                    Ok(Err(error)) => {
                        tracing::warn!(array = %summary.name, %error, "readiness: array unreachable");
                        false
                    }
                    Err(_) => {
                        tracing::warn!(array = %summary.name, "readiness: array did not answer in time");
                        false
                    }
                };
            ArrayReadiness {
                name: summary.name,
                status: ok_or_fail(ok),
            }
        });
    }
    let mut arrays = probes.join_all().await;
    arrays.sort_by(|a, b| a.name.cmp(&b.name));
    arrays
}
