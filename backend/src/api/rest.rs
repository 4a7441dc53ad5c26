//! `/api/arrays/{array}/rest/`: an array's REST root seen through the portal, for scripts
//! and the official SDK. A script signs in with a personal API token where an array takes its
//! own API token (`POST api/2.x/login`, header `api-token`, answered with an `x-auth-token`
//! session), then calls `api/2.x/...` as on the array; the portal passes each call on with its
//! own credentials for the array, acting as the caller on per-user arrays. The token's role
//! decides the methods: viewers read, operators also change what the portal's own pages change
//! (provisioning and protection, not eradication), admins do anything.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flasharray::{PassedCall, PassedReply};
use shared::api::{ApiError, REST_API_TOKEN_HEADER, rest_required_role};
use shared::flasharray::AUTH_TOKEN_HEADER;

use crate::auth::{self, CurrentUser};
use crate::error::AppError;
use crate::origin::ClientOrigin;
use crate::state::AppState;

/// Where the REST roots live; every route under it answers errors as arrays do.
pub const ROOT: &str = "/arrays/{array}/rest/";

/// `GET …/rest/api/api_version`: the array's own list, which arrays give without signing in.
pub async fn api_version(
    State(state): State<AppState>,
    Path(array): Path<String>,
) -> Result<Response, AppError> {
    let entry = state
        .arrays
        .get(&array)
        .ok_or_else(|| AppError::NotFound(format!("No array named {array} is registered.")))?;
    Ok(passed(entry.client.pass_api_version().await?))
}

/// `POST …/rest/api/{version}/login`: a personal API token in the `api-token` header opens a
/// session with the token's limits, answered as an array answers, in `x-auth-token`.
pub async fn login(
    State(state): State<AppState>,
    origin: ClientOrigin,
    Path((array, _version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let token = headers
        .get(REST_API_TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            AppError::Invalid(ApiError::for_field(
                REST_API_TOKEN_HEADER,
                "Sign in with a personal API token of the portal in the api-token header.",
            ))
        })?;
    let user = CurrentUser::from_api_token(token, origin, &state).await?;
    user.require_array(&array)?;
    if state.arrays.get(&array).is_none() {
        return Err(AppError::NotFound(format!(
            "No array named {array} is registered."
        )));
    }
    let session = auth::open_token_session(&state, &user).await?;
    let value = HeaderValue::from_str(&session)
        .map_err(|error| AppError::Internal(format!("session header: {error}")))?;
    let body = serde_json::json!({ "items": [{ "username": user.user.username }] });
    Ok(([(AUTH_TOKEN_HEADER, value)], Json(body)).into_response())
}

/// `POST …/rest/api/{version}/logout`: ends the session a login opened.
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    auth::close_session(&state, &user).await?;
    Ok(Json(serde_json::json!({})).into_response())
}

/// Any other `…/rest/api/{version}/{path}`: passed to the array if the caller's role allows.
pub async fn call(
    State(state): State<AppState>,
    user: CurrentUser,
    method: Method,
    Path((array, version, path)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    user.require(rest_required_role(method.as_str(), &path))?;
    // The portal's own session on the array is never the caller's to open or end.
    if matches!(path.trim_end_matches('/'), "login" | "logout") {
        return Err(AppError::NotFound(
            "Sign in and out of a REST root with POST login and POST logout.".into(),
        ));
    }
    let client = super::array(&state, &user, &array)?;
    let reply = client
        .pass_through(PassedCall {
            method: &method,
            version: &version,
            path: &path,
            query: query.as_deref(),
            body: (!body.is_empty()).then_some(&body[..]),
        })
        .await?;
    Ok(passed(reply))
}

fn passed(reply: PassedReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, Body::from(reply.body)).into_response();
    if let Some(value) = reply
        .content_type
        .and_then(|text| HeaderValue::from_str(&text).ok())
    {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// The portal's own refusals on a REST root, in the arrays' envelope
/// (`{"errors": [{"message", "context"}]}`), so the SDK reads them as it reads an array's. The
/// message is also at the top, where arrays' gateways put it in a 403 or 429 and the SDK
/// looks for it then.
pub async fn array_envelope(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let envelope = serde_json::json!({
        "message": error.message,
        "errors": [{ "message": error.message, "context": error.field }],
    });
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(envelope.to_string()))
}
