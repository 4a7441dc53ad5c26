//! `/api/arrays/{array}/rest/`: an array's REST root seen through the portal, for scripts
//! and the official SDK. A script signs in with a personal API token where an array takes its
//! own API token (`POST api/2.x/login`, header `api-token`, answered with an `x-auth-token`
//! session), then calls `api/2.x/...` as on the array; the portal passes each call on with its
//! own credentials for the array, acting as the caller on per-user arrays. What passes, and for
//! whom, is `shared::api::REST_COLLECTIONS`, checked by the gate; what the array answers reaches
//! the caller only as JSON.

use axum::Extension;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flasharray::{ArrayClient, PassedCall, PassedReply, VolumeQuery};
use shared::api::{ApiError, REST_API_TOKEN_HEADER, RestPermit};
use shared::flasharray::AUTH_TOKEN_HEADER;

use crate::error::AppError;
use crate::identity::auth::{self, CurrentUser};
use crate::identity::origin::ClientOrigin;
use crate::state::AppState;

/// Where the REST roots live; every route under it answers errors as arrays do.
pub const ROOT: &str = "/arrays/{array}/rest/";

/// `GET …/rest/api/api_version`: the array's own list, which arrays give without signing in;
/// read again at most every few minutes, so anonymous callers cannot make the portal call the
/// array at their pace.
pub async fn api_version(
    State(state): State<AppState>,
    Path(array): Path<String>,
) -> Result<Response, AppError> {
    let entry = state
        .arrays
        .get(&array)
        .ok_or_else(|| AppError::NotFound(format!("No array named {array} is registered.")))?;
    let reply = match state.rest_root.versions(&array) {
        Some(reply) => reply,
        None if state.rest_root.versions_failed_lately(&array) => {
            return Err(AppError::BadGateway(format!(
                "{array} could not give its REST versions just now; try again in a few seconds."
            )));
        }
        None => {
            let reply = entry
                .client
                .pass_api_version()
                .await
                .inspect_err(|_| state.rest_root.versions_failed(&array))?;
            if reply.status == 200 {
                state.rest_root.keep_versions(&array, reply.clone());
            } else {
                state.rest_root.versions_failed(&array);
            }
            reply
        }
    };
    passed(reply)
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
    let user = CurrentUser::from_api_token(token, origin, &state.sessions).await?;
    user.require_array(&array)?;
    if state.arrays.get(&array).is_none() {
        return Err(AppError::NotFound(format!(
            "No array named {array} is registered."
        )));
    }
    let session = auth::open_token_session(&state.sessions, &user).await?;
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
    auth::close_session(&state.sessions, &user).await?;
    Ok(Json(serde_json::json!({})).into_response())
}

/// Any other `…/rest/api/{version}/{path}`: passed to the array as the gate's [`RestPermit`]
/// allows, after a safety snapshot of each volume it overwrites.
pub async fn call(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(permit): Extension<RestPermit>,
    method: Method,
    Path((array, version, path)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    let client = super::extract::array(&state, &user, &array)?;
    let safety_snapshots = safety_snapshots(&client, &permit.overwrites).await?;
    let reply = client
        .pass_through(PassedCall {
            method: &method,
            version: &version,
            path: &path,
            query: query.as_deref(),
            // Only a change's body, which the gate read and audited, reaches the array.
            body: (permit.action.is_some() && !body.is_empty()).then_some(&body[..]),
        })
        .await?;
    let mut response = passed(reply)?;
    if let Some(names) = safety_snapshots
        .filter(|names| !names.is_empty())
        .and_then(|names| HeaderValue::from_str(&names).ok())
    {
        response.headers_mut().insert(SAFETY_SNAPSHOT_HEADER, names);
    }
    Ok(response)
}

/// Where a REST root's answer names the safety snapshots taken before an overwrite.
pub const SAFETY_SNAPSHOT_HEADER: &str = "x-flashdeck-safety-snapshots";

/// Snapshots the volumes `overwrites` names, as the portal's own restore does before it
/// replaces a volume's contents: their names, comma-separated. Every volume named must exist:
/// an overwrite that would also create volumes, or names one the array does not list as
/// written, is refused rather than run without a safety snapshot.
async fn safety_snapshots(
    client: &ArrayClient,
    overwrites: &[String],
) -> Result<Option<String>, AppError> {
    if overwrites.is_empty() {
        return Ok(None);
    }
    let unlisted = || {
        AppError::Invalid(ApiError::for_field(
            "names",
            "An overwrite names only volumes that exist, as the array spells them, so that each gets a safety snapshot first; create new volumes in a call without overwrite.",
        ))
    };
    let existing: Vec<String> = client
        .list_volumes(&VolumeQuery {
            names: overwrites.to_vec(),
            ..VolumeQuery::default()
        })
        .await
        .map_err(|error| match error.status() {
            // Arrays refuse a list naming a volume they do not have.
            Some(400 | 404) => unlisted(),
            _ => AppError::from(error),
        })?
        .items
        .into_iter()
        .map(|volume| volume.name)
        .filter(|name| {
            overwrites
                .iter()
                .any(|overwritten| overwritten.eq_ignore_ascii_case(name))
        })
        .collect();
    if overwrites.iter().any(|overwritten| {
        !existing
            .iter()
            .any(|name| name.eq_ignore_ascii_case(overwritten))
    }) {
        return Err(unlisted());
    }
    let suffix = super::snapshots::safety_suffix(crate::clock::unix_now_ms());
    let taken = client
        .create_volume_snapshots(&existing, Some(&suffix))
        .await?;
    Ok(Some(
        taken
            .into_iter()
            .map(|snapshot| snapshot.name)
            .collect::<Vec<_>>()
            .join(","),
    ))
}

/// The array's answer as the caller's: JSON only, whatever the array says it sent, so that
/// an array cannot serve a page or a script on the portal's origin.
fn passed(reply: PassedReply) -> Result<Response, AppError> {
    let json = reply.content_type.as_deref().is_some_and(|content_type| {
        content_type
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json && !reply.body.is_empty() {
        return Err(AppError::BadGateway(format!(
            "The array answered with {:.60} rather than JSON; the portal passes only JSON.",
            reply.content_type.as_deref().unwrap_or("no content type")
        )));
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, Body::from(reply.body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
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
