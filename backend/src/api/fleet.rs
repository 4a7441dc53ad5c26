//! `/api/fleet/…`: the dashboard's figures of every array, alerts across arrays, one search
//! over all of them; and `/api/arrays/{array}/…/history`, the charts' data. Every array in
//! the user's scope is asked at once, each under its own deadline (`fanout`).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use flasharray::{ArrayClient, ListParams};
use serde::Deserialize;
use shared::api::{
    ALERT_SEVERITIES, AlertFlag, ApiError, ArrayFailure, ArraySearch, BatchItem, BatchOutcome,
    CHART_POINTS, FleetAlert, FleetAlertQuery, FleetAlerts, FleetDestroyRequest, FleetSearch,
    FleetSnapshotRequest, FleetSummary, FleetTotals, FleetVolume, History, HistoryQuery, LoadPoint,
    SEARCH_HITS_PER_KIND, SearchHit, SearchKind, SearchQuery, SpacePoint, SummaryQuery,
    history_range, validate_fleet_volumes,
};
use shared::flasharray::{
    ARRAY_PERFORMANCE_RESOLUTIONS, HistoryWindow, ListResponse, OBJECT_PERFORMANCE_RESOLUTIONS,
    Performance, SPACE_RESOLUTIONS, VolumePatch,
};

use super::extract::{ApiJson, MAX_SEARCH_LEN, OnArray, array, search_filter};
use crate::arrays::fanout::{ArrayAnswer, each_array};
use crate::arrays::fleet::Asked;
use crate::clock::unix_now_ms;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// Every array in the user's scope, as the user reaches it, in the registry's order.
pub(super) fn arrays_in_scope(
    state: &AppState,
    user: &CurrentUser,
) -> Vec<(String, Result<ArrayClient, AppError>)> {
    state
        .arrays
        .summaries()
        .into_iter()
        .filter(|summary| user.user.may_use_array(&summary.name))
        .map(|summary| {
            let client = array(state, user, &summary.name);
            (summary.name, client)
        })
        .collect()
}

/// The clients of the arrays in the user's scope, and the arrays the user could not be given
/// one for, as a fleet page names them.
pub(super) fn clients_in_scope(
    state: &AppState,
    user: &CurrentUser,
) -> (Vec<ArrayClient>, Vec<ArrayFailure>) {
    let mut clients = Vec::new();
    let mut failures = Vec::new();
    for (name, client) in arrays_in_scope(state, user) {
        match client {
            Ok(client) => clients.push(client),
            Err(error) => failures.push(ArrayFailure {
                array: name,
                error: error.to_string(),
            }),
        }
    }
    (clients, failures)
}

/// `GET /api/fleet/summary`.
pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SummaryQuery>,
) -> Result<Json<FleetSummary>, AppError> {
    let refresh = match query.refresh.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(AppError::Invalid(ApiError::for_field(
                "refresh",
                "refresh is true or false.",
            )));
        }
    };
    let mut order = Vec::new();
    let mut asked = Vec::new();
    let mut unusable = Vec::new();
    for (name, client) in arrays_in_scope(&state, &user) {
        order.push(name.clone());
        match client {
            Ok(client) => {
                let identity = if acts_as_user(&state, &name) {
                    user.user.identity_on_arrays().to_owned()
                } else {
                    String::new()
                };
                asked.push(Asked {
                    key: format!("{name}\u{0}{identity}"),
                    client,
                });
            }
            Err(error) => unusable.push(shared::api::ArrayStatus {
                name,
                as_of: unix_now_ms(),
                figures: None,
                error: Some(error.to_string()),
                failing_since: None,
            }),
        }
    }
    let mut statuses = state
        .fleet
        .statuses(asked, state.array_deadline(), refresh)
        .await;
    statuses.extend(unusable);
    statuses.sort_by_key(|status| order.iter().position(|name| *name == status.name));
    Ok(Json(FleetSummary {
        totals: FleetTotals::of(&statuses),
        arrays: statuses,
    }))
}

fn acts_as_user(state: &AppState, name: &str) -> bool {
    state
        .arrays
        .get(name)
        .is_some_and(|entry| entry.summary.identity == shared::api::Identity::PerUser)
}

/// `GET /api/fleet/alerts?severity=&array=&closed=`: newest first.
pub async fn alerts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FleetAlertQuery>,
) -> Result<Json<FleetAlerts>, AppError> {
    if let Some(severity) = &query.severity
        && !ALERT_SEVERITIES.contains(&severity.as_str())
    {
        return Err(AppError::Invalid(ApiError::for_field(
            "severity",
            format!("Severity is one of {}.", ALERT_SEVERITIES.join(", ")),
        )));
    }
    if let Some(array) = &query.array {
        user.require_array(array)?;
    }
    let mut clients = Vec::new();
    let mut failures = Vec::new();
    for (name, client) in arrays_in_scope(&state, &user) {
        if query.array.as_ref().is_some_and(|wanted| *wanted != name) {
            continue;
        }
        match client {
            Ok(client) => clients.push(client),
            Err(error) => failures.push(ArrayFailure {
                array: name,
                error: error.to_string(),
            }),
        }
    }
    let mut filters = Vec::new();
    if !query.closed {
        filters.push("state!='closed'".to_owned());
    }
    if let Some(severity) = &query.severity {
        filters.push(format!("severity='{severity}'"));
    }
    let params = ListParams {
        filter: (!filters.is_empty()).then(|| filters.join(" and ")),
        sort: Some("created-".to_owned()),
        limit: Some(1000),
        ..ListParams::default()
    };
    let answers = each_array(clients, state.array_deadline(), |client| {
        let params = params.clone();
        async move { client.list_alerts(&params).await }
    })
    .await;
    let mut listed = FleetAlerts {
        errors: failures,
        ..FleetAlerts::default()
    };
    for answer in answers {
        match answer.result {
            Ok(page) => listed
                .items
                .extend(page.items.into_iter().map(|alert| FleetAlert {
                    array: answer.array.clone(),
                    alert,
                })),
            Err(error) => listed.errors.push(ArrayFailure {
                array: answer.array,
                error,
            }),
        }
    }
    listed
        .items
        .sort_by_key(|item| std::cmp::Reverse(item.alert.created));
    Ok(Json(listed))
}

/// `PUT /api/arrays/{array}/alerts/{alert}/flag`: the alert as the array now holds it.
pub async fn flag_alert(
    on: OnArray,
    Path((_, alert)): Path<(String, String)>,
    ApiJson(flag): ApiJson<AlertFlag>,
) -> Result<Json<shared::flasharray::Alert>, AppError> {
    let flagged = on
        .client
        .flag_alert(&alert, flag.flagged)
        .await
        .map_err(|error| {
            super::extract::refusal_about(error, std::slice::from_ref(&alert), "alert")
        })?;
    Ok(Json(flagged))
}

/// A search as the arrays' filter: a name part, or, when it reads as one (it compares or
/// calls a function), a filter in the arrays' own grammar, passed as it is.
fn search_as_filter(q: &str) -> Result<String, AppError> {
    let q = q.trim();
    if q.is_empty() {
        return Err(AppError::Invalid(ApiError::for_field(
            "q",
            "Search for part of a name, or an array filter such as name='sql-*'.",
        )));
    }
    if q.len() > MAX_SEARCH_LEN {
        return Err(AppError::Invalid(ApiError::for_field(
            "q",
            format!("Search for at most {MAX_SEARCH_LEN} characters."),
        )));
    }
    if q.contains(['=', '<', '>', '(']) {
        return Ok(q.to_owned());
    }
    search_filter(q).map_err(|_| {
        AppError::Invalid(ApiError::for_field(
            "q",
            "Search for letters, digits, '-' and '_', or write an array filter such as name='sql-*'.",
        ))
    })
}

fn search_kinds(kinds: Option<&str>) -> Result<Vec<SearchKind>, AppError> {
    let Some(kinds) = kinds.filter(|kinds| !kinds.trim().is_empty()) else {
        return Ok(SearchKind::ALL.to_vec());
    };
    let mut chosen = Vec::new();
    for text in kinds.split(',').map(str::trim) {
        let kind = SearchKind::parse(text).ok_or_else(|| {
            let known: Vec<&str> = SearchKind::ALL.iter().map(|kind| kind.as_str()).collect();
            AppError::Invalid(ApiError::for_field(
                "kinds",
                format!("Unknown kind {text:?}; kinds are {}.", known.join(", ")),
            ))
        })?;
        if !chosen.contains(&kind) {
            chosen.push(kind);
        }
    }
    Ok(chosen)
}

/// The end of year 9999 in milliseconds: a creation time past it is an array's nonsense.
const LATEST_CREATED_MS: i64 = 253_402_300_799_999;

/// What a search reads of any listed object.
#[derive(Debug, Deserialize)]
struct Found {
    name: String,
    #[serde(default)]
    provisioned: Option<u64>,
    #[serde(default)]
    destroyed: Option<bool>,
    /// Read leniently: a hostile array's odd space or time must not fail its whole search.
    #[serde(default)]
    space: Option<serde_json::Value>,
    #[serde(default)]
    created: Option<serde_json::Value>,
}

/// A listed object as a search hit: what a snapshot holds and when anything was made read
/// leniently, a nonsensical value left out rather than failing the array's search.
fn hit_of(kind: SearchKind, found: Found) -> SearchHit {
    SearchHit {
        kind,
        name: found.name,
        size: found.provisioned,
        held: found
            .space
            .as_ref()
            .and_then(|space| space.get("total_physical"))
            .and_then(serde_json::Value::as_u64)
            .filter(|_| kind == SearchKind::Snapshot),
        created: found
            .created
            .as_ref()
            .and_then(serde_json::Value::as_i64)
            .filter(|ms| (0..=LATEST_CREATED_MS).contains(ms)),
        destroyed: found.destroyed.unwrap_or(false),
    }
}

async fn search_array(
    client: ArrayClient,
    kinds: Vec<SearchKind>,
    filter: String,
) -> Result<(Vec<SearchHit>, u64), flasharray::Error> {
    let params = ListParams {
        filter: Some(filter),
        sort: Some("name".to_owned()),
        limit: Some(SEARCH_HITS_PER_KIND),
        total_item_count: true,
        ..ListParams::default()
    };
    // Every kind at once, within this array's task: the array filters and pages each list.
    let pages = kinds.iter().map(|kind| {
        let (client, params) = (&client, &params);
        async move {
            let page: ListResponse<Found> = client.list_page(kind.path(), params).await?;
            Ok::<_, flasharray::Error>((*kind, page))
        }
    });
    let mut hits = Vec::new();
    let mut total = 0;
    for (kind, page) in futures_util::future::try_join_all(pages).await? {
        total += page.total_item_count.unwrap_or(page.items.len() as u64);
        hits.extend(page.items.into_iter().map(|found| hit_of(kind, found)));
    }
    hits.sort_by(|a, b| {
        let rank = |kind| SearchKind::ALL.iter().position(|k| *k == kind);
        rank(a.kind).cmp(&rank(b.kind)).then(a.name.cmp(&b.name))
    });
    Ok((hits, total))
}

/// `GET /api/fleet/search?q=&kinds=`: each array filters its own lists and sends a page.
pub async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> Result<Json<FleetSearch>, AppError> {
    let filter = search_as_filter(query.q.as_deref().unwrap_or(""))?;
    let kinds = search_kinds(query.kinds.as_deref())?;
    let mut clients = Vec::new();
    let mut results = Vec::new();
    let mut order = Vec::new();
    for (name, client) in arrays_in_scope(&state, &user) {
        order.push(name.clone());
        match client {
            Ok(client) => clients.push(client),
            Err(error) => results.push(ArraySearch {
                array: name,
                error: Some(error.to_string()),
                ..ArraySearch::default()
            }),
        }
    }
    let answers = each_array(clients, state.array_deadline(), |client| {
        search_array(client, kinds.clone(), filter.clone())
    })
    .await;
    for answer in answers {
        results.push(match answer.result {
            Ok((hits, total)) => ArraySearch {
                array: answer.array,
                hits,
                total,
                error: None,
            },
            Err(error) => ArraySearch {
                array: answer.array,
                error: Some(error),
                ..ArraySearch::default()
            },
        });
    }
    results.sort_by_key(|result| order.iter().position(|name| *name == result.array));
    Ok(Json(FleetSearch { arrays: results }))
}

/// The window a chart's range covers, ending now.
fn window_of(range: Option<&str>) -> Result<(i64, i64), AppError> {
    let range = range.unwrap_or("24h");
    let span = history_range(range).ok_or_else(|| {
        let known: Vec<&str> = shared::api::HISTORY_RANGES
            .iter()
            .map(|(name, _)| *name)
            .collect();
        AppError::Invalid(ApiError::for_field(
            "range",
            format!("Range is one of {}.", known.join(", ")),
        ))
    })?;
    let end = unix_now_ms();
    Ok((end - span, end))
}

fn history(
    space_window: &HistoryWindow,
    load_window: &HistoryWindow,
    space: Vec<SpacePoint>,
    load: &[Performance],
) -> History {
    History {
        start_time: space_window.start_time,
        end_time: space_window.end_time,
        space_resolution: space_window.resolution,
        performance_resolution: load_window.resolution,
        space,
        performance: load.iter().map(LoadPoint::from).collect(),
    }
}

/// The space and performance windows of a chart's range, each at the resolution (of those
/// `performance_resolutions` and space allow) that gives at most [`CHART_POINTS`] points.
fn windows_of(
    range: Option<&str>,
    performance_resolutions: &[i64],
) -> Result<(HistoryWindow, HistoryWindow), AppError> {
    let (start, end) = window_of(range)?;
    Ok((
        HistoryWindow::for_points(start, end, CHART_POINTS, &SPACE_RESOLUTIONS),
        HistoryWindow::for_points(start, end, CHART_POINTS, performance_resolutions),
    ))
}

/// `GET /api/arrays/{array}/history?range=24h`: the array's space and load over the range.
pub async fn array_history(
    on: OnArray,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<History>, AppError> {
    let (space_window, load_window) =
        windows_of(query.range.as_deref(), &ARRAY_PERFORMANCE_RESOLUTIONS)?;
    let (space, load) = tokio::try_join!(
        on.client.array_space(Some(&space_window)),
        on.client.array_performance(Some(&load_window)),
    )?;
    let space = space.iter().map(SpacePoint::from).collect();
    Ok(Json(history(&space_window, &load_window, space, &load)))
}

/// `GET /api/arrays/{array}/volumes/{volume}/history?range=24h`.
pub async fn volume_history(
    on: OnArray,
    Path((_, volume)): Path<(String, String)>,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<History>, AppError> {
    let (space_window, load_window) =
        windows_of(query.range.as_deref(), &OBJECT_PERFORMANCE_RESOLUTIONS)?;
    let (space, load) = tokio::try_join!(
        on.client.volume_space_history(&volume, &space_window),
        on.client.volume_performance_history(&volume, &load_window),
    )
    .map_err(|error| {
        super::extract::refusal_about(error, std::slice::from_ref(&volume), "volume")
    })?;
    let space = space.iter().map(SpacePoint::from).collect();
    Ok(Json(history(&space_window, &load_window, space, &load)))
}

/// The arrays of a fleet-wide action with their volumes, in the order first named, each
/// array's client resolved first: one outside the user's scope refuses the whole action
/// before anything is done.
fn batch_by_array(
    state: &AppState,
    user: &CurrentUser,
    volumes: &[FleetVolume],
) -> Result<Vec<(ArrayClient, Vec<String>)>, AppError> {
    validate_fleet_volumes(volumes).map_err(AppError::Invalid)?;
    let mut batches: Vec<(ArrayClient, Vec<String>)> = Vec::new();
    for volume in volumes {
        match batches
            .iter_mut()
            .find(|(client, _)| client.name() == volume.array)
        {
            Some((_, names)) => names.push(volume.name.clone()),
            None => batches.push((
                array(state, user, &volume.array)?,
                vec![volume.name.clone()],
            )),
        }
    }
    Ok(batches)
}

type Batches = (
    Vec<ArrayClient>,
    Vec<Vec<String>>,
    HashMap<String, Vec<String>>,
);

/// The clients, each one's volumes in the same order, and the volumes by array name.
fn split_batches(batches: Vec<(ArrayClient, Vec<String>)>) -> Batches {
    let by_array = batches
        .iter()
        .map(|(client, names)| (client.name().to_owned(), names.clone()))
        .collect();
    let (clients, names) = batches.into_iter().unzip();
    (clients, names, by_array)
}

/// Changes are given the request's whole time, not the short deadline of reads: cutting
/// one off would leave its outcome unknown.
fn change_deadline(state: &AppState) -> std::time::Duration {
    std::time::Duration::from_secs(state.limits.request_timeout_secs.max(1))
}

/// Each volume's outcome: its array's answer for it, or the array's failure for all of its
/// volumes. `batch` is the request id every array's log carries too.
fn batch_outcome(
    answers: Vec<ArrayAnswer<VolumeResults>>,
    names: Vec<Vec<String>>,
) -> BatchOutcome {
    let mut items = Vec::new();
    for (answer, names) in answers.into_iter().zip(names) {
        let results = match answer.result {
            Ok(results) => results,
            Err(error) => names
                .into_iter()
                .map(|volume| (volume, Err(error.clone())))
                .collect(),
        };
        items.extend(results.into_iter().map(|(volume, result)| BatchItem {
            array: answer.array.clone(),
            volume,
            ok: result.is_ok(),
            detail: result.unwrap_or_else(|error| error),
        }));
    }
    BatchOutcome {
        batch: flasharray::current_request_id().unwrap_or_default(),
        items,
    }
}

/// What happened to each volume on one array: the snapshot's name or "destroyed", or why not.
type VolumeResults = Vec<(String, Result<String, String>)>;

/// `POST /api/fleet/snapshots`: one consistent set per array, all arrays at once.
pub async fn snapshot_volumes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<FleetSnapshotRequest>,
) -> Result<Json<BatchOutcome>, AppError> {
    if let Some(suffix) = &request.suffix {
        shared::api::validate_snapshot_suffix(suffix).map_err(AppError::Invalid)?;
    }
    let (clients, names, by_array) =
        split_batches(batch_by_array(&state, &user, &request.volumes)?);
    let suffix = request.suffix.clone();
    let answers = each_array(clients, change_deadline(&state), |client| {
        let mine = by_array.get(client.name()).cloned().unwrap_or_default();
        let suffix = suffix.clone();
        async move {
            let snapshots = client
                .create_volume_snapshots(&mine, suffix.as_deref())
                .await?;
            Ok(mine
                .into_iter()
                .map(|volume| {
                    let taken = snapshots
                        .iter()
                        .find(|snapshot| snapshot.source.name.as_deref() == Some(volume.as_str()))
                        .map(|snapshot| snapshot.name.clone())
                        .unwrap_or_default();
                    (volume, Ok(taken))
                })
                .collect())
        }
    })
    .await;
    Ok(Json(batch_outcome(answers, names)))
}

/// `POST /api/fleet/destroy`: each volume destroyed, all arrays at once; each volume's
/// outcome is its own.
pub async fn destroy_volumes(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<FleetDestroyRequest>,
) -> Result<Json<BatchOutcome>, AppError> {
    let (clients, names, by_array) =
        split_batches(batch_by_array(&state, &user, &request.volumes)?);
    let answers = each_array(clients, change_deadline(&state), |client| {
        let mine = by_array.get(client.name()).cloned().unwrap_or_default();
        async move {
            let patch = VolumePatch {
                destroyed: Some(true),
                ..VolumePatch::default()
            };
            let mut results = Vec::new();
            for name in mine {
                let result = client
                    .patch_volume(&name, &patch, false)
                    .await
                    .map(|_| "destroyed".to_owned())
                    .map_err(|error| error.to_string());
                results.push((name, result));
            }
            Ok::<_, flasharray::Error>(results)
        }
    })
    .await;
    Ok(Json(batch_outcome(answers, names)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(created: serde_json::Value) -> Found {
        serde_json::from_value(serde_json::json!({"name": "v", "created": created}))
            .expect("a listed object")
    }

    #[test]
    fn a_creation_time_is_kept_only_when_it_is_a_time() {
        let created = |value| hit_of(SearchKind::Volume, found(value)).created;
        assert_eq!(
            created(serde_json::json!(1_700_000_000_000_i64)),
            Some(1_700_000_000_000)
        );
        assert_eq!(created(serde_json::json!(-1)), None);
        assert_eq!(created(serde_json::json!(i64::MAX)), None);
        assert_eq!(created(serde_json::json!("yesterday")), None);
        assert_eq!(created(serde_json::json!(1.5)), None);
        assert_eq!(created(serde_json::Value::Null), None);
    }

    proptest! {
        #[test]
        fn any_json_as_a_creation_time_makes_a_hit(text in "[-0-9.e\"a-z]{0,24}") {
            let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
            let hit = hit_of(SearchKind::Snapshot, found(value));
            prop_assert!(hit.created.is_none_or(|ms| (0..=LATEST_CREATED_MS).contains(&ms)));
        }
    }
}
