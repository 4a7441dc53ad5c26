//! `GET /api/arrays`: the registered arrays, without their credentials.

use axum::Json;
use axum::extract::State;
use shared::api::{ArraySummary, Role};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ArraySummary>>, AppError> {
    user.require(Role::Viewer)?;
    Ok(Json(state.arrays.summaries()))
}
