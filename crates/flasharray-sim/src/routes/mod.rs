//! The REST API as the array serves it: one module of handlers per resource, each with its
//! routes, and the middleware every call goes through.

mod admins;
mod alerts;
mod array_connections;
mod arrays;
mod auth;
mod change;
mod connections;
mod containers;
mod control;
mod eradicate;
mod extract;
mod faults;
mod hardware;
mod hosts;
mod list;
mod memberships;
mod metrics;
mod peer;
mod pods;
mod protection;
mod snapshots;
mod targets;
mod versions;
mod volumes;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use shared::flasharray::REQUEST_ID_HEADER;

use crate::error::ApiFault;
use crate::simulator::{ChangeRequest, Simulator};

/// The REST API of `sim`, for serving or for calling without a socket.
pub fn router(sim: &Simulator) -> Router {
    Router::new()
        .merge(arrays::routes())
        .merge(auth::routes())
        .merge(hosts::routes())
        .merge(memberships::routes())
        .merge(connections::routes())
        .merge(volumes::routes())
        .merge(metrics::routes())
        .merge(alerts::routes())
        .merge(snapshots::routes())
        .merge(protection::routes())
        .merge(admins::routes())
        .merge(hardware::routes())
        .merge(containers::routes())
        .merge(pods::routes())
        .merge(array_connections::routes())
        .merge(peer::routes())
        .merge(targets::routes())
        .merge(control::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(sim.clone(), write_through))
        .layer(middleware::from_fn_with_state(sim.clone(), faults::inject))
        .layer(middleware::from_fn_with_state(
            sim.clone(),
            versions::check_version,
        ))
        .layer(middleware::from_fn_with_state(sim.clone(), request_id))
        .with_state(sim.clone())
}

/// Any other path: the array's 404, in its envelope.
async fn not_found() -> ApiFault {
    ApiFault::not_found("The requested resource does not exist.")
}

/// Refuses a method a path does not support, in the envelope.
async fn method_not_allowed() -> ApiFault {
    ApiFault {
        status: StatusCode::METHOD_NOT_ALLOWED,
        context: None,
        message: "Method not allowed on this resource.".into(),
    }
}

/// Echoes the caller's `X-Request-ID`, or makes one up, on every response, and keeps the
/// request log of changes.
async fn request_id(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .cloned()
        .or_else(|| HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).ok());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") {
        sim.count_api_request();
    }
    let mut response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), request_id = ?id, "request");
    if method != Method::GET && path.starts_with("/api/") {
        sim.record_change(ChangeRequest {
            method: method.to_string(),
            path,
            request_id: id
                .as_ref()
                .and_then(|id| id.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            status: response.status().as_u16(),
        });
    }
    if let Some(id) = id {
        response.headers_mut().insert(REQUEST_ID_HEADER, id);
    }
    response
}

/// Saves the state after every request that may have changed it, before answering: a change
/// the array cannot record is refused rather than acknowledged.
async fn write_through(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let changes = request.method() != Method::GET && request.method() != Method::HEAD;
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if changes && api && response.status().is_success() {
        mirror_stretched(&sim).await;
    }
    if changes && let Err(error) = sim.save() {
        tracing::error!(%error, "state not saved");
        return ApiFault {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            context: None,
            message: "The array could not record the change. Retry the request.".into(),
        }
        .into_response();
    }
    response
}

/// After a change, sends each stretched pod's contents to the other array before answering,
/// as ActiveCluster acknowledges a write once both arrays hold it.
async fn mirror_stretched(sim: &Simulator) {
    let mirrors = {
        let state = sim.lock();
        if !state.has_stretched_pods() {
            return;
        }
        state.stretched_mirrors()
    };
    let link_down = sim.faults.link_down();
    for mirror in mirrors {
        let heard = !link_down
            && sim
                .peers
                .tell(&mirror.address, "pods/mirror", &mirror.contents)
                .await
                .is_ok();
        let now = sim.clock.now_ms();
        sim.lock()
            .member_heard(&mirror.contents.pod, &mirror.peer, heard, now);
    }
}
