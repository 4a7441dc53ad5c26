//! `/api/arrays`: the registered arrays the user may use, without their credentials; for
//! admins, registering one in the portal, testing a connection, removing one.

use axum::Json;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use shared::api::{
    ApiError, ArraySummary, ConnectionTest, RegisterArrayRequest, validate_register_array,
};

use super::extract::{ApiJson, OnArray};
use crate::arrays::registration::{Registrations, client_for, sync, test_connection};
use crate::clock::unix_now;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ArraySummary>>, AppError> {
    sync(&Registrations::from_ref(&state)).await?;
    Ok(Json(
        state
            .arrays
            .summaries()
            .into_iter()
            .filter(|array| user.user.may_use_array(&array.name))
            .collect(),
    ))
}

/// `POST /api/arrays`: tested before it is stored, so only an array that answered is
/// registered; the registration is stored sealed and never returned.
pub async fn register(
    State(state): State<AppState>,
    admin: CurrentUser,
    ApiJson(request): ApiJson<RegisterArrayRequest>,
) -> Result<(StatusCode, Json<ArraySummary>), AppError> {
    admin.require_every_array()?;
    validate_register_array(&request).map_err(AppError::Invalid)?;
    let Some(key) = state.secret_key.clone() else {
        return Err(AppError::Invalid(ApiError::new(
            "Registering arrays in the portal needs a secret key to encrypt their credentials: \
             set FLASHDECK_SECRET_KEY (64 hex characters) or secret_key_file, or register the \
             array in the configuration file.",
        )));
    };
    let taken = || {
        AppError::Invalid(ApiError::for_field(
            "name",
            format!("An array named {} is already registered.", request.name),
        ))
    };
    if state.arrays.get(&request.name).is_some() {
        return Err(taken());
    }
    let (client, method) = client_for(&request)?;
    test_connection(&client).await?;
    let text = serde_json::to_string(&request)
        .map_err(|error| AppError::Internal(format!("cannot store a registration: {error}")))?;
    let sealed = key
        .seal(&text, &request.name)
        .map_err(|error| AppError::Internal(error.to_string()))?;
    if !state
        .db
        .insert_registered_array(&request.name, &sealed, unix_now())
        .await?
    {
        return Err(taken());
    }
    state
        .arrays
        .add(client, method, request.identity, true)
        .map_err(|_| taken())?;
    let summary = state
        .arrays
        .summaries()
        .into_iter()
        .find(|array| array.name == request.name)
        .ok_or_else(|| AppError::Internal("a registered array went missing".to_owned()))?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// `POST /api/connection-test`: what the array a registration describes answers, without
/// storing anything.
pub async fn test_unsaved(
    admin: CurrentUser,
    ApiJson(request): ApiJson<RegisterArrayRequest>,
) -> Result<Json<ConnectionTest>, AppError> {
    admin.require_every_array()?;
    validate_register_array(&request).map_err(AppError::Invalid)?;
    let (client, _) = client_for(&request)?;
    let answer = test_connection(&client).await;
    client.logout().await;
    Ok(Json(answer?))
}

/// `POST /api/arrays/{array}/connection-test`.
pub async fn test_registered(on: OnArray) -> Result<Json<ConnectionTest>, AppError> {
    Ok(Json(test_connection(&on.client).await?))
}

/// `DELETE /api/arrays/{array}`: only arrays registered in the portal; the configuration
/// file's stay until the file changes.
pub async fn remove(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<StatusCode, AppError> {
    match state.arrays.get(&name) {
        None => Err(AppError::NotFound(format!(
            "No array named {name} is registered."
        ))),
        Some(entry) if !entry.summary.registered_in_portal => {
            Err(AppError::Invalid(ApiError::new(format!(
                "{name} is registered in the configuration file; remove it there."
            ))))
        }
        Some(_) => {
            state.db.delete_registered_array(&name).await?;
            if let Some(entry) = state.arrays.remove_registered(&name) {
                entry.client.logout().await;
            }
            Ok(StatusCode::NO_CONTENT)
        }
    }
}
