//! What an array's Overview shows of it: its hardware, and how long it keeps what is destroyed.

use axum::Json;
use shared::api::HardwareReport;
use shared::flasharray::ArrayEradicationConfig;

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

/// `GET /api/arrays/{array}/eradication-config`: how long the array keeps what is destroyed
/// (SafeMode's objects apart) and whether anything may be eradicated by hand, as it reports
/// them; an array whose release reports none answers an empty one.
pub async fn eradication_config(on: OnArray) -> Result<Json<ArrayEradicationConfig>, AppError> {
    Ok(Json(
        on.client
            .array()
            .await?
            .eradication_config
            .unwrap_or_default(),
    ))
}
