//! An array's hardware for its Overview.

use axum::Json;
use shared::api::HardwareReport;

use super::extract::OnArray;
use crate::error::AppError;

/// `GET /api/arrays/{array}/hardware`: controllers, modules and every other part, failing
/// first, asked of the array at once.
pub async fn report(on: OnArray) -> Result<Json<HardwareReport>, AppError> {
    let (controllers, drives, hardware) =
        on.client
            .parts()
            .await
            .map_err(|error| match error.status() {
                // These lists name no object: a 404 is a path the array's release does not know.
                Some(404) => AppError::NotFound(format!(
                    "{}'s Purity release does not report its hardware.",
                    on.array
                )),
                _ => error.into(),
            })?;
    Ok(Json(HardwareReport {
        rest_version: on.client.version().await.ok().map(str::to_owned),
        ..HardwareReport::of(controllers, drives, hardware)
    }))
}
