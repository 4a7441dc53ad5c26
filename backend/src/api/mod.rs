//! The portal's JSON API under `/api`.

mod arrays;
mod volumes;

use axum::extract::{FromRequest, Request};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde::de::DeserializeOwned;
use shared::api::ApiError;

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
