//! The portal's JSON API under `/api`.

mod arrays;
mod connections;
mod hosts;
mod protection;
mod recycle;
mod snapshots;
mod volumes;

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router, middleware};
use serde::de::DeserializeOwned;
use shared::api::ApiError;

use crate::arrays::ArrayEntry;
use crate::auth;
use crate::error::AppError;
use crate::state::AppState;

/// Every `/api` route. Unknown paths get a JSON 404, never the frontend's `index.html`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/arrays", get(arrays::list))
        .route(
            "/arrays/{array}/volumes",
            get(volumes::list).post(volumes::create),
        )
        .route(
            "/arrays/{array}/volumes/{volume}",
            get(volumes::get_one)
                .patch(volumes::change)
                .delete(volumes::eradicate),
        )
        .route(
            "/arrays/{array}/hosts",
            get(hosts::list).post(hosts::create),
        )
        .route(
            "/arrays/{array}/hosts/{host}",
            patch(hosts::change).delete(hosts::delete),
        )
        .route(
            "/arrays/{array}/host-groups",
            get(hosts::list_groups).post(hosts::create_group),
        )
        .route(
            "/arrays/{array}/host-groups/{group}",
            delete(hosts::delete_group),
        )
        .route(
            "/arrays/{array}/host-groups/{group}/hosts/{host}",
            put(hosts::add_member).delete(hosts::remove_member),
        )
        .route(
            "/arrays/{array}/volume-snapshots",
            get(snapshots::list).post(snapshots::create),
        )
        .route(
            "/arrays/{array}/volume-snapshots/{snapshot}",
            patch(snapshots::change).delete(snapshots::eradicate),
        )
        .route("/arrays/{array}/volumes/copy", post(snapshots::copy))
        .route(
            "/arrays/{array}/volumes/{volume}/restore",
            post(snapshots::restore),
        )
        .route(
            "/arrays/{array}/protection-groups",
            get(protection::list).post(protection::create),
        )
        .route(
            "/arrays/{array}/protection-groups/{group}",
            get(protection::get_one)
                .patch(protection::change)
                .delete(protection::eradicate),
        )
        .route(
            "/arrays/{array}/protection-groups/{group}/members",
            post(protection::add_members).delete(protection::remove_members),
        )
        .route(
            "/arrays/{array}/protection-groups/{group}/snapshots",
            get(protection::snapshots).post(protection::snapshot_now),
        )
        .route(
            "/arrays/{array}/protection-group-snapshots/{snapshot}",
            patch(protection::change_snapshot).delete(protection::eradicate_snapshot),
        )
        .route("/recycle-bin", get(recycle::list))
        .route("/recycle-bin/recover", post(recycle::recover))
        .route("/recycle-bin/eradicate", post(recycle::eradicate))
        .route(
            "/arrays/{array}/connections",
            get(connections::list)
                .post(connections::create)
                .delete(connections::delete),
        )
        .fallback(|| async { AppError::NotFound("No such API endpoint.".into()) })
        .layer(middleware::from_fn(auth::require_csrf_header))
}

/// A JSON body whose rejection is an [`ApiError`] like every other error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(|rejection| {
                AppError::Invalid(ApiError::new(format!(
                    "Invalid request body: {}",
                    rejection.body_text()
                )))
            })
    }
}

/// The registered array `name`, or a 404 that names it.
fn array(state: &AppState, name: &str) -> Result<Arc<ArrayEntry>, AppError> {
    state
        .arrays
        .get(name)
        .ok_or_else(|| AppError::NotFound(format!("No array named {name} is registered.")))
}

/// An array's refusal, tied to `field` when the array names one of `objects` as its context
/// (arrays put the refused object's name there), so the UI shows it next to that field.
fn refusal_about(error: flasharray::Error, objects: &[String], field: &'static str) -> AppError {
    let about = error.array_errors().iter().any(|item| {
        item.context.as_deref().is_some_and(|context| {
            objects
                .iter()
                .any(|object| context.eq_ignore_ascii_case(object))
        })
    });
    AppError::Array {
        error,
        field: about.then_some(field),
    }
}
