//! Capacity planning: `GET /api/arrays/{array}/forecast` (when the array reaches 80 % and
//! 100 % at the growth of its last 30 days) and `GET /api/fleet/placement?size=` (which
//! array in the user's scope a new volume of that size should go to, and why).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use flasharray::ArrayClient;
use shared::api::{
    ApiError, Forecast, LoadSource, Placement, PlacementInput, PlacementQuery, quantile, rank,
};
use shared::flasharray::{ARRAY_PERFORMANCE_RESOLUTIONS, HistoryWindow};
use shared::pure1::estimated_load;

use super::extract::OnArray;
use super::fleet::arrays_in_scope;
use super::pure1::PURE1_DEADLINE;
use crate::arrays::fanout::each_array;
use crate::arrays::forecast::forecast_of;
use crate::clock::unix_now_ms;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

const DAY_MS: i64 = 86_400_000;
/// The busy meter's window when the array's own history stands in for Pure1's.
const LOAD_DAYS: i64 = 7;
/// Points asked for: enough for a fit and a percentile, few enough to be quick.
const POINTS: i64 = 400;

/// `GET /api/arrays/{array}/forecast`.
pub async fn array_forecast(on: OnArray) -> Result<Json<Forecast>, AppError> {
    Ok(Json(forecast_of(&on.client).await?.0))
}

/// The busy meter's 7-day 95th percentile estimated from the array's own performance.
async fn own_load_p95(client: &ArrayClient) -> Result<Option<f64>, flasharray::Error> {
    let now = unix_now_ms();
    let window = HistoryWindow::for_points(
        now - LOAD_DAYS * DAY_MS,
        now,
        POINTS,
        &ARRAY_PERFORMANCE_RESOLUTIONS,
    );
    let history = client.array_performance(Some(&window)).await?;
    let loads: Vec<f64> = history
        .iter()
        .map(|point| {
            estimated_load(
                point.reads_per_sec + point.writes_per_sec,
                point.read_bytes_per_sec + point.write_bytes_per_sec,
            )
        })
        .collect();
    Ok(quantile(&loads, 0.95))
}

async fn placement_input(
    client: ArrayClient,
    pure1_load: Option<f64>,
) -> Result<PlacementInput, flasharray::Error> {
    let ((forecast, used), own_load) = tokio::try_join!(forecast_of(&client), async {
        match pure1_load {
            Some(_) => Ok(None),
            None => own_load_p95(&client).await,
        }
    })?;
    let load_p95 = match pure1_load {
        Some(load) => Some((load, LoadSource::Pure1)),
        None => own_load.map(|load| (load, LoadSource::Array)),
    };
    Ok(PlacementInput {
        array: client.name().to_owned(),
        capacity: forecast.capacity,
        used,
        load_p95,
        days_to_full: forecast.to_100.map(|runway| runway.days),
    })
}

/// `GET /api/fleet/placement?size=2T`: every array in the user's scope asked at once.
pub async fn placement(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PlacementQuery>,
) -> Result<Json<Placement>, AppError> {
    let size_text = query.size.unwrap_or_default();
    let size = shared::size::parse_volume_size(&size_text)
        .map_err(|error| AppError::Invalid(ApiError::for_field("size", error.to_string())))?;
    // Pure1's busy meter where Pure1 reports the array; its failure leaves the arrays' own.
    let pure1_loads: HashMap<String, f64> = match tokio::time::timeout(
        PURE1_DEADLINE,
        state
            .pure1
            .view(&state.db, state.secret_key.as_ref(), PURE1_DEADLINE),
    )
    .await
    {
        Ok(Ok(Some(view))) => view
            .loads
            .iter()
            .filter_map(|(array, (_, p95))| Some((array.clone(), (*p95)?)))
            .collect(),
        _ => HashMap::new(),
    };
    let mut inputs = Vec::new();
    let mut clients = Vec::new();
    for (name, client) in arrays_in_scope(&state, &user) {
        match client {
            Ok(client) => clients.push(client),
            Err(error) => inputs.push(Err((name, error.to_string()))),
        }
    }
    let answers = each_array(clients, state.array_deadline(), |client| {
        let load = pure1_loads.get(client.name()).copied();
        placement_input(client, load)
    })
    .await;
    inputs.extend(
        answers
            .into_iter()
            .map(|answer| answer.result.map_err(|reason| (answer.array, reason))),
    );
    Ok(Json(rank(size, inputs)))
}
