//! `/api/arrays/{array}/volumes`: list and create volumes on one array.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use flasharray::VolumeQuery;
use serde::Deserialize;
use shared::api::{CreateVolumeRequest, Role, VolumeList, validate_create_volume};
use shared::flasharray::Volume;

use super::ApiJson;
use crate::arrays::ArrayEntry;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The most volumes one page may hold.
const MAX_PAGE: u32 = 1000;

fn array(state: &AppState, name: &str) -> Result<Arc<ArrayEntry>, AppError> {
    state
        .arrays
        .get(name)
        .ok_or_else(|| AppError::NotFound(format!("No array named {name} is registered.")))
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    limit: Option<u32>,
    offset: Option<u32>,
}

/// `GET /api/arrays/{array}/volumes?limit=&offset=`: volumes not pending eradication.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(array_name): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Json<VolumeList>, AppError> {
    user.require(Role::Viewer)?;
    let entry = array(&state, &array_name)?;
    let query = VolumeQuery {
        destroyed: Some(false),
        limit: Some(paging.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE)),
        offset: paging.offset,
        total_item_count: true,
        ..VolumeQuery::default()
    };
    let page = entry.client.list_volumes(&query).await?;
    let total_item_count = page.total_item_count.unwrap_or(page.items.len() as u64);
    Ok(Json(VolumeList {
        items: page.items,
        total_item_count,
    }))
}

/// `POST /api/arrays/{array}/volumes`: checked here first, then by the array itself.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(array_name): Path<String>,
    ApiJson(request): ApiJson<CreateVolumeRequest>,
) -> Result<(StatusCode, Json<Volume>), AppError> {
    user.require(Role::Operator)?;
    let entry = array(&state, &array_name)?;
    validate_create_volume(&request).map_err(AppError::Invalid)?;
    match entry
        .client
        .create_volume(&request.name, request.provisioned)
        .await
    {
        Ok(volume) => {
            tracing::info!(user = %user.user.username, array = %array_name, volume = %volume.name, provisioned = volume.provisioned, "volume created");
            Ok((StatusCode::CREATED, Json(volume)))
        }
        Err(error) => {
            // The array names the object it refused in `context`: here, the new volume.
            let about_name = error.array_errors().iter().any(|item| {
                item.context
                    .as_deref()
                    .is_some_and(|context| context.eq_ignore_ascii_case(&request.name))
            });
            Err(AppError::Array {
                error,
                field: about_name.then_some("name"),
            })
        }
    }
}
