//! `/api/arrays/{array}/connections`: which hosts and host groups see which volumes.

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use flasharray::ConnectionTarget;
use shared::api::{ApiError, ConnectionQuery, ConnectionRequest, validate_connection};
use shared::flasharray::Connection;

use super::extract::{ApiJson, OnArray};
use crate::error::AppError;

fn target(request: &ConnectionRequest) -> Result<ConnectionTarget<'_>, AppError> {
    validate_connection(request).map_err(AppError::Invalid)?;
    match (&request.host, &request.host_group) {
        (Some(host), None) => Ok(ConnectionTarget::Host(host)),
        (None, Some(group)) => Ok(ConnectionTarget::HostGroup(group)),
        _ => Err(AppError::Invalid(ApiError::for_field(
            "target",
            "Choose a host or a host group.",
        ))),
    }
}

/// `GET /api/arrays/{array}/connections?volume=|host=|host_group=`: a host's list includes
/// what it sees through its host group.
pub async fn list(
    on: OnArray,
    Query(query): Query<ConnectionQuery>,
) -> Result<Json<Vec<Connection>>, AppError> {
    let target = match (&query.host, &query.host_group) {
        (Some(host), _) => Some(ConnectionTarget::Host(host)),
        (_, Some(group)) => Some(ConnectionTarget::HostGroup(group)),
        (None, None) => None,
    };
    Ok(Json(
        on.client
            .list_connections(target, query.volume.as_deref())
            .await?,
    ))
}

/// `POST /api/arrays/{array}/connections`: at the LUN given, or the lowest free one.
pub async fn create(
    on: OnArray,
    ApiJson(request): ApiJson<ConnectionRequest>,
) -> Result<(StatusCode, Json<Connection>), AppError> {
    let target = target(&request)?;
    let connection = on
        .client
        .connect(target, &request.volume, request.lun)
        .await
        .map_err(|error| {
            let about_lun = error
                .array_errors()
                .iter()
                .any(|item| item.message.contains("LUN"));
            AppError::Array {
                error,
                field: about_lun.then_some("lun"),
            }
        })?;
    Ok((StatusCode::CREATED, Json(connection)))
}

/// `DELETE /api/arrays/{array}/connections?volume=&host=|host_group=`.
pub async fn delete(
    on: OnArray,
    Query(request): Query<ConnectionRequest>,
) -> Result<StatusCode, AppError> {
    let target = target(&request)?;
    on.client.disconnect(target, &request.volume).await?;
    Ok(StatusCode::NO_CONTENT)
}
