//! `GET /api/fleet/replication`: disaster recovery over the fleet. Every array in the
//! caller's scope is asked at once (each under its own deadline) what its groups replicate
//! where, what is on its way and which copies it holds of others' groups; each relationship
//! is then judged on what its target holds, against the source's own clock and schedule;
//! each pod's ActiveDR link on the lag its array reports.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use shared::api::{ArrayFailure, FleetReplication, FleetThroughput, ThroughputPoint};

use super::fleet::clients_in_scope;
use crate::arrays::fanout::each_array;
use crate::arrays::replication::{judge, replication_of};
use crate::clock::unix_now_ms;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// `GET /api/fleet/replication`.
pub async fn fleet(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<FleetReplication>, AppError> {
    let (clients, mut errors) = clients_in_scope(&state, &user);
    let mut answered = Vec::new();
    for answer in each_array(clients, state.array_deadline(), replication_of).await {
        match answer.result {
            Ok(replication) => answered.push((answer.array, replication)),
            Err(error) => errors.push(ArrayFailure {
                array: answer.array,
                error,
            }),
        }
    }
    Ok(Json(judge(&answered, errors)))
}

/// The window of the DR page's throughput chart, and its resolution.
const THROUGHPUT_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
const THROUGHPUT_RESOLUTION_MS: i64 = 30 * 60 * 1000;

/// `GET /api/fleet/replication/throughput`: what the caller's arrays sent over their
/// replication links over the last day, summed per sample; each array asked at once, under
/// its own deadline. A group replicated here (`SOURCE:GROUP`) is what another sent, so only
/// each array's own groups count.
pub async fn throughput(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<FleetThroughput>, AppError> {
    let now = unix_now_ms();
    let start = now - THROUGHPUT_WINDOW_MS;
    let (clients, mut errors) = clients_in_scope(&state, &user);
    let read = move |client: flasharray::ArrayClient| async move {
        client
            .group_replication_performance(start, THROUGHPUT_RESOLUTION_MS)
            .await
    };
    let mut sent: BTreeMap<i64, u64> = BTreeMap::new();
    for answer in each_array(clients, state.array_deadline(), read).await {
        match answer.result {
            Ok(samples) => {
                for sample in samples.iter().filter(|sample| !sample.name.contains(':')) {
                    let total = sent.entry(sample.time).or_default();
                    *total = total.saturating_add(sample.bytes_per_sec);
                }
            }
            Err(error) => errors.push(ArrayFailure {
                array: answer.array,
                error,
            }),
        }
    }
    // Arrays answer by their own clocks, which may run ahead of the portal's.
    let end = sent.keys().next_back().map_or(now, |last| now.max(*last));
    Ok(Json(FleetThroughput {
        start_time: start,
        end_time: end,
        points: sent
            .into_iter()
            .filter(|(time, _)| *time >= start)
            .map(|(time, bytes_per_sec)| ThroughputPoint {
                time,
                bytes_per_sec,
            })
            .collect(),
        errors,
    }))
}
