//! The `/api/2.x` resource endpoints.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::flasharray::{
    AdminApiToken, ApiClient, ApiClientPatch, ApiClientPost, ApiVersions, Array, Audit,
    ListResponse, NEXT_TOKEN_HEADER, Volume, VolumePatch, VolumePost,
};
use shared::size::MIB;

use crate::auth::Caller;
use crate::error::ApiFault;
use crate::fields::{Fields, Projection};
use crate::query::{self, Filter, Lookup, parse_sort};
use crate::server::Simulator;
use crate::state::SUPPORTED_VERSIONS;

/// Query parameters, with malformed ones refused in the array's error envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiFault;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                ApiFault::invalid(format!(
                    "Invalid query parameters: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// A JSON body, with malformed ones refused in the array's error envelope.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiFault;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(|rejection| {
                ApiFault::invalid(format!("Invalid request body: {}", rejection.body_text()))
            })
    }
}

/// `names=a,b,c` as a list; an empty or absent parameter is `None`.
pub(crate) fn split_names(names: Option<&str>) -> Option<Vec<String>> {
    let list: Vec<String> = names?
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect();
    (!list.is_empty()).then_some(list)
}

pub(crate) fn required_names(names: Option<&str>) -> Result<Vec<String>, ApiFault> {
    split_names(names).ok_or_else(|| ApiFault::invalid("Missing required parameter: names."))
}

/// `GET /api/api_version`.
pub async fn api_version() -> Json<ApiVersions> {
    Json(ApiVersions {
        version: SUPPORTED_VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
    })
}

/// `GET /api/2.x/arrays`.
pub async fn arrays(State(sim): State<Simulator>, _caller: Caller) -> Json<ListResponse<Array>> {
    Json(ListResponse::of(vec![sim.lock().array()]))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    names: Option<String>,
    ids: Option<String>,
    pub(crate) destroyed: Option<bool>,
    /// Alerts only: flagged or not.
    pub(crate) flagged: Option<bool>,
    filter: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    continuation_token: Option<String>,
    total_item_count: Option<bool>,
}

/// Keeps the items `names` or `ids` select; every named one must exist, as on an array.
/// `name_and_id` gives an item's name and id.
pub(crate) fn select<T>(
    items: Vec<T>,
    query: &ListQuery,
    name_and_id: impl Fn(&T) -> (&str, &str),
    kind: &str,
) -> Result<Vec<T>, ApiFault> {
    if query.names.is_some() && query.ids.is_some() {
        return Err(ApiFault::invalid("names and ids cannot be given together."));
    }
    let mut selected = items;
    if let Some(names) = split_names(query.names.as_deref()) {
        if let Some(missing) = names.iter().find(|name| {
            !selected
                .iter()
                .any(|item| name_and_id(item).0 == name.as_str())
        }) {
            return Err(ApiFault::bad_request(
                missing.clone(),
                format!("{kind} does not exist."),
            ));
        }
        selected.retain(|item| names.iter().any(|name| name == name_and_id(item).0));
    }
    if let Some(ids) = split_names(query.ids.as_deref()) {
        selected.retain(|item| ids.iter().any(|id| id == name_and_id(item).1));
    }
    Ok(selected)
}

/// Applies `filter` and `sort`, then one page of `limit` from `offset` or the continuation
/// token, as every list endpoint answers.
pub(crate) fn page<T: Fields>(
    selected: Vec<T>,
    query: &ListQuery,
    kind: &str,
) -> Result<Response, ApiFault> {
    let start = match &query.continuation_token {
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| ApiFault::invalid(format!("Invalid continuation_token: {token}")))?,
        None => query.offset.unwrap_or(0),
    };
    if query.limit == Some(0) {
        return Err(ApiFault::invalid("limit must be at least 1."));
    }
    let needed = query.limit.map(|limit| start.saturating_add(limit));
    let (selected, total) = filter_and_sort(selected, query, kind, needed)?;
    let end = query
        .limit
        .map_or(total, |limit| start.saturating_add(limit).min(total));
    let more = end < total;
    let items: Vec<T> = selected
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    // Arrays hand out continuation tokens only for unsorted lists; sorted ones page by offset.
    let next_token = (more && query.sort.is_none()).then(|| end.to_string());
    let body = ListResponse {
        continuation_token: next_token.clone(),
        more_items_remaining: Some(more),
        total_item_count: query
            .total_item_count
            .unwrap_or(false)
            .then_some(total as u64),
        items,
    };
    let mut response = Json(body).into_response();
    if let Some(token) = next_token.and_then(|token| HeaderValue::from_str(&token).ok()) {
        response.headers_mut().insert(NEXT_TOKEN_HEADER, token);
    }
    Ok(response)
}

/// Applies `filter` and `sort`, evaluated on each item's JSON form. A field that no item has
/// is refused, as arrays refuse it, rather than silently matching nothing.
///
/// Returns the items and how many matched. Only the first `needed` items (all when `None`)
/// come out, in order: a page of 100 out of
/// 100,000 does not need the rest sorted. Ties keep the list's order, so pages never overlap.
fn filter_and_sort<T: Fields>(
    items: Vec<T>,
    query: &ListQuery,
    kind: &str,
    needed: Option<usize>,
) -> Result<(Vec<T>, usize), ApiFault> {
    if query.filter.is_none() && query.sort.is_none() {
        let total = items.len();
        return Ok((items, total));
    }
    let filter = query
        .filter
        .as_deref()
        .map(Filter::parse)
        .transpose()
        .map_err(|reason| ApiFault::invalid(format!("Invalid filter: {reason}.")))?;
    let sort = query
        .sort
        .as_deref()
        .map(parse_sort)
        .transpose()
        .map_err(|reason| ApiFault::invalid(format!("Invalid sort: {reason}.")))?
        .unwrap_or_default();
    let fields: Vec<&str> = filter
        .iter()
        .flat_map(Filter::fields)
        .chain(sort.iter().map(|key| key.field.as_str()))
        .collect();
    // Each item is projected and tested at once, and only matches keep their projection, so
    // a filter over thousands of items holds a few of them, not all.
    let mut seen = vec![false; fields.len()];
    let mut listed_any = false;
    let mut rows: Vec<(Projection, T)> = Vec::new();
    for item in items {
        let projection = item.project(&fields);
        listed_any = true;
        for (known, field) in seen.iter_mut().zip(&fields) {
            *known = *known || projection.lookup(field).is_some();
        }
        if filter
            .as_ref()
            .is_none_or(|filter| filter.matches(&projection))
        {
            rows.push((projection, item));
        }
    }
    if listed_any && let Some((_, field)) = seen.iter().zip(&fields).find(|(known, _)| !**known) {
        return Err(ApiFault::invalid(format!(
            "Invalid field {field}: {kind} objects have no such field."
        )));
    }
    let total = rows.len();
    if !sort.is_empty() {
        let order = |(a, a_position): &(Projection, usize),
                     (b, b_position): &(Projection, usize)| {
            query::compare_by(&sort, a, b).then(a_position.cmp(b_position))
        };
        let mut keyed: Vec<((Projection, usize), T)> = rows
            .into_iter()
            .enumerate()
            .map(|(position, (json, item))| ((json, position), item))
            .collect();
        match needed {
            Some(needed) if needed < keyed.len() => {
                keyed.select_nth_unstable_by(needed, |(a, _), (b, _)| order(a, b));
                keyed.truncate(needed);
            }
            _ => {}
        }
        keyed.sort_unstable_by(|(a, _), (b, _)| order(a, b));
        return Ok((keyed.into_iter().map(|(_, item)| item).collect(), total));
    }
    Ok((rows.into_iter().map(|(_, item)| item).collect(), total))
}

/// `GET /api/2.x/volumes`.
pub async fn list_volumes(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    // Pages are cut from references under the lock: 100,000 volumes are not cloned per call.
    let state = sim.lock();
    let volumes: Vec<&Volume> = state
        .volumes()
        .iter()
        .filter(|volume| {
            query
                .destroyed
                .is_none_or(|destroyed| volume.destroyed == destroyed)
        })
        .collect();
    page(
        select(
            volumes,
            &query,
            |volume| (&volume.name, &volume.id),
            "Volume",
        )?,
        &query,
        "Volume",
    )
}

#[derive(Debug, Deserialize)]
pub struct NamesQuery {
    pub(crate) names: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CreateVolumesQuery {
    names: Option<String>,
    overwrite: Option<bool>,
}

/// `POST /api/2.x/volumes?names=...[&overwrite=true]`: new volumes, or copies of a volume or
/// snapshot when the body names a `source`.
pub async fn create_volumes(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<CreateVolumesQuery>,
    ApiJson(body): ApiJson<VolumePost>,
) -> Result<Json<ListResponse<Volume>>, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    let overwrite = query.overwrite.unwrap_or(false);
    let mut state = sim.lock();
    let created = match &body.source {
        Some(source) => {
            if body.provisioned.is_some() {
                return Err(ApiFault::invalid(
                    "Give either provisioned or source: a copy has its source's size.",
                ));
            }
            state.copy_volumes(&caller.0.username, &names, source, overwrite, now)?
        }
        None if overwrite => {
            return Err(ApiFault::invalid(
                "overwrite applies only to copies: give a source.",
            ));
        }
        None => state.create_volumes(
            &caller.0.username,
            &names,
            body.provisioned.unwrap_or(MIB),
            now,
        )?,
    };
    Ok(Json(ListResponse::of(created)))
}

#[derive(Debug, Deserialize)]
pub struct PatchQuery {
    names: Option<String>,
    truncate: Option<bool>,
}

/// `PATCH /api/2.x/volumes?names=...[&truncate=true]`: rename, resize, destroy, recover, QoS.
pub async fn patch_volumes(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PatchQuery>,
    ApiJson(patch): ApiJson<VolumePatch>,
) -> Result<Json<ListResponse<Volume>>, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    let changed = sim.lock().patch_volumes(
        &caller.0.username,
        &names,
        &patch,
        query.truncate.unwrap_or(false),
        now,
    )?;
    Ok(Json(ListResponse::of(changed)))
}

/// `DELETE /api/2.x/volumes?names=...`: eradicates destroyed volumes.
pub async fn eradicate_volumes(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    sim.lock()
        .eradicate_volumes(&caller.0.username, &names, now)?;
    Ok(StatusCode::OK)
}

/// `GET /api/2.x/audits`.
pub async fn list_audits(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let audits = sim.lock().audits();
    page(
        select(
            audits,
            &query,
            |audit: &Audit| (&audit.name, &audit.id),
            "Audit",
        )?,
        &query,
        "Audit",
    )
}

/// `GET /api/2.x/api-clients`.
pub async fn list_api_clients(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let clients = sim.lock().api_clients();
    page(
        select(
            clients,
            &query,
            |client: &ApiClient| (&client.name, &client.id),
            "API client",
        )?,
        &query,
        "API client",
    )
}

/// `POST /api/2.x/api-clients?names=NAME`: registers a client, disabled until patched.
pub async fn create_api_client(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(body): ApiJson<ApiClientPost>,
) -> Result<Json<ListResponse<ApiClient>>, ApiFault> {
    caller.require_array_admin()?;
    let names = required_names(query.names.as_deref())?;
    let [name] = names.as_slice() else {
        return Err(ApiFault::invalid("Create one API client at a time."));
    };
    let client = sim.lock().create_api_client(name, body)?;
    Ok(Json(ListResponse::of(vec![client])))
}

/// `PATCH /api/2.x/api-clients?names=NAME` with `{"enabled": bool}`.
pub async fn patch_api_client(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(body): ApiJson<ApiClientPatch>,
) -> Result<Json<ListResponse<ApiClient>>, ApiFault> {
    caller.require_array_admin()?;
    let names = required_names(query.names.as_deref())?;
    let mut state = sim.lock();
    let clients = names
        .iter()
        .map(|name| state.set_api_client_enabled(name, body.enabled))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListResponse::of(clients)))
}

#[derive(Debug, Deserialize)]
pub struct ApiTokensQuery {
    expose_api_token: Option<bool>,
}

/// `GET /api/2.x/admins/api-tokens`.
pub async fn list_api_tokens(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ApiTokensQuery>,
) -> Json<ListResponse<AdminApiToken>> {
    let tokens = sim
        .lock()
        .api_tokens(&caller.0.username, query.expose_api_token.unwrap_or(false));
    Json(ListResponse::of(tokens))
}

#[derive(Debug, Deserialize)]
pub struct CreateApiTokenQuery {
    names: Option<String>,
    timeout: Option<i64>,
}

/// `POST /api/2.x/admins/api-tokens?names=ADMIN[&timeout=MS]`: replaces the admin's token.
pub async fn create_api_token(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<CreateApiTokenQuery>,
) -> Result<Json<ListResponse<AdminApiToken>>, ApiFault> {
    caller.require_array_admin()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    let tokens = names
        .iter()
        .map(|name| state.create_api_token(name, query.timeout, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListResponse::of(tokens)))
}

/// Any other path: the array's 404, in its envelope.
pub async fn not_found() -> ApiFault {
    ApiFault::not_found("The requested resource does not exist.")
}

/// Refuses a method a path does not support, in the envelope.
pub async fn method_not_allowed() -> ApiFault {
    ApiFault {
        status: StatusCode::METHOD_NOT_ALLOWED,
        context: None,
        message: "Method not allowed on this resource.".into(),
    }
}
