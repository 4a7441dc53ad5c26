//! The array's own administration: the administrators, API clients (for the OAuth token
//! exchange) and the administrators' API tokens.

use axum::Json;
use axum::response::Response;
use axum::routing::{Router, get};
use serde::Deserialize;
use shared::flasharray::{AdminApiToken, ApiClient, ApiClientPatch, ApiClientPost, ListResponse};

use crate::error::ApiFault;
use crate::routes::change::Items;
use crate::routes::extract::{ApiJson, ApiQuery, Call, NamesQuery, required_names};
use crate::routes::list::{ListQuery, list, listing};
use crate::simulator::Simulator;
use crate::state::{ArrayState, Role};

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/api-clients",
            listing(ArrayState::api_clients, "API client", |client| {
                (&client.name, &client.id)
            })
            .post(create_api_client)
            .patch(patch_api_client),
        )
        .route("/api/{version}/admins", get(list_admins))
        .route(
            "/api/{version}/admins/api-tokens",
            get(list_api_tokens).post(create_api_token),
        )
}

/// `POST /api/2.x/api-clients?names=NAME`: registers a client, disabled until patched.
async fn create_api_client(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(body): ApiJson<ApiClientPost>,
) -> Items<ApiClient> {
    call.change_as(Role::ArrayAdmin, |state, _, _| {
        let names = query.required()?;
        let [name] = names.as_slice() else {
            return Err(ApiFault::invalid("Create one API client at a time."));
        };
        state.create_api_client(name, body).map(|client| [client])
    })
}

/// `PATCH /api/2.x/api-clients?names=NAME` with `{"enabled": bool}`.
async fn patch_api_client(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(body): ApiJson<ApiClientPatch>,
) -> Items<ApiClient> {
    call.change_as(Role::ArrayAdmin, |state, _, _| {
        query
            .required()?
            .iter()
            .map(|name| state.set_api_client_enabled(name, body.enabled))
            .collect::<Result<Vec<_>, _>>()
    })
}

#[derive(Debug, Deserialize)]
struct ApiTokensQuery {
    expose_api_token: Option<bool>,
}

/// `GET /api/2.x/admins/api-tokens`.
async fn list_api_tokens(
    call: Call,
    ApiQuery(query): ApiQuery<ApiTokensQuery>,
) -> Json<ListResponse<AdminApiToken>> {
    let tokens = call
        .lock()
        .api_tokens(call.user(), query.expose_api_token.unwrap_or(false));
    Json(ListResponse::of(tokens))
}

/// `GET /api/2.x/admins[?expose_api_token=true]`, with names, filter, sort and paging.
async fn list_admins(
    call: Call,
    ApiQuery(tokens): ApiQuery<ApiTokensQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let admins = call
        .lock()
        .admins(call.user(), tokens.expose_api_token.unwrap_or(false));
    list(admins, &query, "Admin", |admin| (&admin.name, &admin.name))
}

#[derive(Debug, Deserialize)]
struct CreateApiTokenQuery {
    names: Option<String>,
    timeout: Option<i64>,
}

/// `POST /api/2.x/admins/api-tokens?names=ADMIN[&timeout=MS]`: replaces the admin's token.
async fn create_api_token(
    call: Call,
    ApiQuery(query): ApiQuery<CreateApiTokenQuery>,
) -> Items<AdminApiToken> {
    call.change_as(Role::ArrayAdmin, |state, _, now| {
        required_names(query.names.as_deref())?
            .iter()
            .map(|name| state.create_api_token(name, query.timeout, now))
            .collect::<Result<Vec<_>, _>>()
    })
}
