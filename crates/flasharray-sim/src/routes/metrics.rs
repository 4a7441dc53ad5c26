//! Space and performance: `volumes/space`, `arrays/space`, `volumes/performance` and
//! `arrays/performance`, now or over a window of history.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{Router, get};
use shared::flasharray::Volume;

use crate::error::ApiFault;
use crate::history::{HistoryQuery, Series};
use crate::routes::extract::{ApiQuery, Caller};
use crate::routes::list::{ListQuery, page, select};
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/api/{version}/volumes/space", get(list_volume_spaces))
        .route(
            "/api/{version}/volumes/performance",
            get(list_volume_performances),
        )
        .route("/api/{version}/arrays/space", get(array_space))
        .route("/api/{version}/arrays/performance", get(array_performance))
}

/// The volumes a history request names (all, by default), as `names`, `ids` and
/// `destroyed` select them.
fn selected_volumes<'a>(
    state: &'a ArrayState,
    query: &ListQuery,
) -> Result<Vec<&'a Volume>, ApiFault> {
    select(
        state.volumes_in(query.destroyed).collect(),
        query,
        |volume| (&volume.name, &volume.id),
        "Volume",
    )
}

/// `GET /volumes/space`, now or over a window of history.
async fn list_volume_spaces(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(history): ApiQuery<HistoryQuery>,
) -> Result<Response, ApiFault> {
    let now = sim.clock.now_ms();
    let state = sim.lock();
    let spaces = if history.asked() {
        let volumes = selected_volumes(&state, &query)?;
        let times = history.sample_times(Series::Space, now, state.installed_ms, volumes.len())?;
        state.volume_space_history(&volumes, &times, now)
    } else {
        select(
            state.volume_spaces(query.destroyed, now),
            &query,
            |space| (&space.name, &space.id),
            "Volume",
        )?
    };
    drop(state);
    page(spaces, &query, "Volume")
}

/// `GET /arrays/space`, now or over a window of history.
async fn array_space(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(history): ApiQuery<HistoryQuery>,
) -> Result<Response, ApiFault> {
    let now = sim.clock.now_ms();
    let state = sim.lock();
    let spaces = if history.asked() {
        history
            .sample_times(Series::Space, now, state.installed_ms, 1)?
            .into_iter()
            .map(|time| state.array_space_at(time, now))
            .collect()
    } else {
        vec![state.array_space(now)]
    };
    drop(state);
    page(spaces, &query, "Array")
}

/// `GET /volumes/performance`, now or over a window of history.
async fn list_volume_performances(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(history): ApiQuery<HistoryQuery>,
) -> Result<Response, ApiFault> {
    let now = sim.clock.now_ms();
    let state = sim.lock();
    let figures = if history.asked() {
        let volumes = selected_volumes(&state, &query)?;
        let times = history.sample_times(
            Series::ObjectPerformance,
            now,
            state.installed_ms,
            volumes.len(),
        )?;
        state.volume_performance_history(&volumes, &times)
    } else {
        select(
            state.volume_performances(query.destroyed, now),
            &query,
            |figures| (&figures.name, &figures.id),
            "Volume",
        )?
    };
    drop(state);
    page(figures, &query, "Volume")
}

/// `GET /arrays/performance`, now or over a window of history.
async fn array_performance(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiQuery(history): ApiQuery<HistoryQuery>,
) -> Result<Response, ApiFault> {
    let now = sim.clock.now_ms();
    let state = sim.lock();
    let figures = if history.asked() {
        history
            .sample_times(Series::ArrayPerformance, now, state.installed_ms, 1)?
            .into_iter()
            .map(|time| state.array_performance(time))
            .collect()
    } else {
        vec![state.array_performance(now)]
    };
    drop(state);
    page(figures, &query, "Array")
}
