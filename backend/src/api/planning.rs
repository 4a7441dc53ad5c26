//! Capacity planning: `GET /api/arrays/{array}/forecast` (when the array reaches 80 % and
//! 100 % at the growth of its last 30 days) and `GET /api/fleet/placement?size=` (which
//! array in the user's scope a new volume of that size should go to, and why; for a user
//! whose scope is the whole fleet, the arrays only Pure1 sees weighed too).

use std::collections::HashMap;

use tokio::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use flasharray::ArrayClient;
use shared::api::{
    ApiError, FORECAST_DAYS, Forecast, LoadSource, Placement, PlacementInput, PlacementQuery,
    Unweighed, forecast, quantile, rank,
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
use crate::pure1::{MAX_SPACE_ARRAYS, Pure1View};
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
        managed: true,
    })
}

/// What placement weighs of the arrays only Pure1 sees, from Pure1's own space metrics and
/// busy meter, by `deadline`; every one of them unweighed, with the reason, when Pure1 does
/// not answer.
async fn pure1_only_inputs(
    state: &AppState,
    view: &Pure1View,
    deadline: Instant,
) -> Vec<Result<PlacementInput, Unweighed>> {
    let mut unmanaged: Vec<String> = view
        .arrays
        .iter()
        .map(|array| array.name.clone())
        .filter(|name| state.arrays.get(name).is_none())
        .collect();
    unmanaged.sort();
    unmanaged.dedup();
    unmanaged.truncate(MAX_SPACE_ARRAYS);
    if unmanaged.is_empty() {
        return Vec::new();
    }
    let now = unix_now_ms();
    let spaces = match tokio::time::timeout_at(
        deadline,
        state.pure1.spaces(
            &state.db,
            state.secret_key.as_ref(),
            unmanaged.clone(),
            FORECAST_DAYS,
        ),
    )
    .await
    {
        Ok(Ok(Some(spaces))) => Ok(spaces),
        Ok(Ok(None)) => Err("Pure1 is not connected.".to_owned()),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(format!(
            "Pure1: no answer within {} s",
            PURE1_DEADLINE.as_secs_f64()
        )),
    };
    unmanaged
        .into_iter()
        .map(|array| {
            let unweighed = |reason: String| Unweighed {
                array: array.clone(),
                reason,
                managed: false,
            };
            let spaces = spaces.as_ref().map_err(|error| unweighed(error.clone()))?;
            let space = spaces.get(&array).ok_or_else(|| {
                unweighed("Pure1 reports no complete day of its capacity and space.".to_owned())
            })?;
            let used = space.used.last().map_or(0.0, |(_, used)| *used);
            let runway = forecast(&array, space.capacity, &space.used, now).to_100;
            let load_p95 = view
                .loads
                .get(&array)
                .and_then(|(_, p95)| *p95)
                .map(|load| (load, LoadSource::Pure1));
            Ok(PlacementInput {
                array,
                capacity: space.capacity,
                used: used as u64,
                load_p95,
                days_to_full: runway.map(|runway| runway.days),
                managed: false,
            })
        })
        .collect()
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
    // One deadline for everything asked of Pure1, the view and then the space behind it.
    let pure1_deadline = Instant::now() + PURE1_DEADLINE;
    // Pure1's busy meter where Pure1 reports the array; its failure leaves the arrays' own.
    let view: Option<std::sync::Arc<Pure1View>> = match tokio::time::timeout_at(
        pure1_deadline,
        state
            .pure1
            .view(&state.db, state.secret_key.as_ref(), PURE1_DEADLINE),
    )
    .await
    {
        Ok(Ok(Some(view))) if view.error.is_none() => Some(view),
        _ => None,
    };
    let pure1_loads: HashMap<String, f64> = view
        .iter()
        .flat_map(|view| view.loads.iter())
        .filter_map(|(array, (_, p95))| Some((array.clone(), (*p95)?)))
        .collect();
    let mut inputs = Vec::new();
    let mut clients = Vec::new();
    for (name, client) in arrays_in_scope(&state, &user) {
        match client {
            Ok(client) => clients.push(client),
            Err(error) => inputs.push(Err(Unweighed {
                array: name,
                reason: error.to_string(),
                managed: true,
            })),
        }
    }
    // Arrays only Pure1 sees are weighed for people whose scope is the whole fleet, as the
    // Pure1 page shows them only to those.
    let pure1_only = async {
        match &view {
            Some(view) if user.user.arrays.is_none() => {
                pure1_only_inputs(&state, view, pure1_deadline).await
            }
            _ => Vec::new(),
        }
    };
    let (answers, pure1_only) = tokio::join!(
        each_array(clients, state.array_deadline(), |client| {
            let load = pure1_loads.get(client.name()).copied();
            placement_input(client, load)
        }),
        pure1_only
    );
    inputs.extend(answers.into_iter().map(|answer| {
        answer.result.map_err(|reason| Unweighed {
            array: answer.array,
            reason,
            managed: true,
        })
    }));
    inputs.extend(pure1_only);
    Ok(Json(rank(size, inputs)))
}
