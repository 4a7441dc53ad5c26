//! `GET /api/arrays`: the registered arrays the user may use, without their credentials.

use axum::Json;
use axum::extract::State;
use shared::api::ArraySummary;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ArraySummary>>, AppError> {
    Ok(Json(
        state
            .arrays
            .summaries()
            .into_iter()
            .filter(|array| user.user.may_use_array(&array.name))
            .collect(),
    ))
}
