//! Space and performance: `volumes/space`, `arrays/space`, `volumes/performance`,
//! `hosts/performance` and `arrays/performance`, now or over a window of history.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{Router, get};
use shared::flasharray::{Performance, Volume, VolumeSpace};

use crate::error::ApiFault;
use crate::fields::Fields;
use crate::history::{HistoryQuery, Series};
use crate::routes::extract::{ApiQuery, Call};
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
        .route(
            "/api/{version}/hosts/performance",
            get(list_host_performances),
        )
        .route("/api/{version}/arrays/space", get(array_space))
        .route("/api/{version}/arrays/performance", get(array_performance))
}

/// A figures request: which objects, and now or which window of history.
struct Window {
    query: ListQuery,
    history: HistoryQuery,
}

impl<S: Send + Sync> FromRequestParts<S> for Window {
    type Rejection = ApiFault;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(query) = ApiQuery::from_request_parts(parts, state).await?;
        let ApiQuery(history) = ApiQuery::from_request_parts(parts, state).await?;
        Ok(Window { query, history })
    }
}

/// `GET /volumes/space`, now or over a window of history.
async fn list_volume_spaces(call: Call, window: Window) -> Result<Response, ApiFault> {
    let (present, past) = (ArrayState::volume_spaces, ArrayState::volume_space_history);
    volume_figures(
        &call,
        &window,
        Series::Space,
        present,
        past,
        |space: &VolumeSpace| (&space.name, &space.id),
    )
}

/// `GET /volumes/performance`, now or over a window of history.
async fn list_volume_performances(call: Call, window: Window) -> Result<Response, ApiFault> {
    let past = |state: &ArrayState, volumes: &[&Volume], times: &[i64], _now| {
        state.volume_performance_history(volumes, times)
    };
    let present = ArrayState::volume_performances;
    volume_figures(
        &call,
        &window,
        Series::ObjectPerformance,
        present,
        past,
        |figures: &Performance| (&figures.name, &figures.id),
    )
}

/// `GET /hosts/performance`, now or over a window of history: each selected host's figures,
/// host by host, oldest first.
async fn list_host_performances(call: Call, window: Window) -> Result<Response, ApiFault> {
    let Window { query, history } = &window;
    let now = call.now();
    let state = call.lock();
    let hosts = select(
        state.hosts.iter().collect(),
        query,
        |host| (&host.name, &host.name),
        "Host",
    )?;
    let times = if history.asked() {
        history.sample_times(
            Series::ObjectPerformance,
            now,
            state.installed_ms,
            hosts.len(),
        )?
    } else {
        vec![now]
    };
    let figures: Vec<Performance> = hosts
        .iter()
        .flat_map(|host| times.iter().map(|&time| state.host_performance(host, time)))
        .collect();
    drop(state);
    page(figures, query, "Host")
}

/// `GET /arrays/space`, now or over a window of history.
async fn array_space(call: Call, window: Window) -> Result<Response, ApiFault> {
    array_figures(
        &call,
        &window,
        Series::Space,
        ArrayState::array_space,
        ArrayState::array_space_at,
    )
}

/// `GET /arrays/performance`, now or over a window of history.
async fn array_performance(call: Call, window: Window) -> Result<Response, ApiFault> {
    let at = |state: &ArrayState, time, _now| state.array_performance(time);
    array_figures(
        &call,
        &window,
        Series::ArrayPerformance,
        ArrayState::array_performance,
        at,
    )
}

/// Figures of each selected volume: now, or at each of the window's sample times.
fn volume_figures<T: Fields>(
    call: &Call,
    Window { query, history }: &Window,
    series: Series,
    present: impl Fn(&ArrayState, Option<bool>, i64) -> Vec<T>,
    past: impl Fn(&ArrayState, &[&Volume], &[i64], i64) -> Vec<T>,
    name_and_id: impl Fn(&T) -> (&str, &str),
) -> Result<Response, ApiFault> {
    let now = call.now();
    let state = call.lock();
    let listed = if history.asked() {
        // The volumes a history request names (all, by default), as `names`, `ids` and
        // `destroyed` select them.
        let volumes = select(
            state.volumes_in(query.destroyed).collect(),
            query,
            |volume| (&volume.name, &volume.id),
            "Volume",
        )?;
        let times = history.sample_times(series, now, state.installed_ms, volumes.len())?;
        past(&state, &volumes, &times, now)
    } else {
        select(
            present(&state, query.destroyed, now),
            query,
            name_and_id,
            "Volume",
        )?
    };
    drop(state);
    page(listed, query, "Volume")
}

/// The array's figure: now, or at each of the window's sample times.
fn array_figures<T: Fields>(
    call: &Call,
    Window { query, history }: &Window,
    series: Series,
    present: impl Fn(&ArrayState, i64) -> T,
    past: impl Fn(&ArrayState, i64, i64) -> T,
) -> Result<Response, ApiFault> {
    let now = call.now();
    let state = call.lock();
    let figures = if history.asked() {
        history
            .sample_times(series, now, state.installed_ms, 1)?
            .into_iter()
            .map(|time| past(&state, time, now))
            .collect()
    } else {
        vec![present(&state, now)]
    };
    drop(state);
    page(figures, query, "Array")
}
