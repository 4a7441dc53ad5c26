//! `/api/pure1` (admins): connect the portal to Pure1 — generate a key pair to register
//! there, or give a private key — test it, store it sealed, disconnect; and
//! `/api/fleet/pure1`: what Pure1 adds to the dashboard, within the user's scope.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::api::{
    ApiError, Pure1Alert, Pure1Array, Pure1ConnectRequest, Pure1Fleet, Pure1KeyPair, Pure1Status,
    Pure1Test, validate_pure1_connect,
};

use super::extract::ApiJson;
use crate::arrays::secrets::SecretKey;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// How long Pure1 gets to answer everything the dashboard asks of it: seven days of busy
/// meter for every array take it longer than an array's figures take an array.
pub const PURE1_DEADLINE: Duration = Duration::from_secs(20);

fn secret_key(state: &AppState) -> Result<&SecretKey, AppError> {
    state.secret_key.as_ref().ok_or_else(|| {
        AppError::Invalid(ApiError::new(
            "Connecting Pure1 in the portal needs a secret key to encrypt its private key: set \
             FLASHDECK_SECRET_KEY (64 hex characters) or secret_key_file, or set Pure1 up in the \
             configuration file.",
        ))
    })
}

fn not_in_file(state: &AppState) -> Result<(), AppError> {
    if state.pure1.is_configured() {
        return Err(AppError::Invalid(ApiError::new(
            "Pure1 is set up in the configuration file (or FLASHDECK_PURE1_* variables); change it there.",
        )));
    }
    Ok(())
}

/// `GET /api/pure1`.
pub async fn status(State(state): State<AppState>) -> Result<Json<Pure1Status>, AppError> {
    let key = state.secret_key.as_ref();
    let link = state.pure1.link(&state.db, key).await?;
    Ok(Json(Pure1Status {
        connected: link.is_some(),
        source: link.as_ref().map(|link| link.source),
        url: link.as_ref().map(|link| link.url.clone()),
        app_id: link.as_ref().map(|link| link.app_id.clone()),
        generated_public_key: state.pure1.generated_public_key(&state.db, key).await?,
        can_store: key.is_some() && !state.pure1.is_configured(),
    }))
}

/// `POST /api/pure1/key-pair`: a new key pair; its public half is to be registered in Pure1.
pub async fn generate_key_pair(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<Pure1KeyPair>), AppError> {
    not_in_file(&state)?;
    let key = secret_key(&state)?;
    let public_key = state.pure1.generate_key(&state.db, key).await?;
    Ok((StatusCode::CREATED, Json(Pure1KeyPair { public_key })))
}

/// Signs in to Pure1 as `request` describes and lists the arrays it reports.
async fn try_connection(
    state: &AppState,
    request: &Pure1ConnectRequest,
) -> Result<(Pure1Test, String), AppError> {
    validate_pure1_connect(request).map_err(AppError::Invalid)?;
    let key = secret_key(state)?;
    let (client, sealed) = state.pure1.client_for(&state.db, key, request).await?;
    let arrays = tokio::time::timeout(PURE1_DEADLINE, client.arrays())
        .await
        .map_err(|_| {
            AppError::Invalid(ApiError::for_field(
                "url",
                format!(
                    "Pure1 did not answer within {} s.",
                    PURE1_DEADLINE.as_secs()
                ),
            ))
        })?
        .map_err(|error| {
            let field = match &error {
                flasharray::Error::TokenExchange { .. } => Some("app_id"),
                flasharray::Error::Transport { .. } | flasharray::Error::Config { .. } => {
                    Some("url")
                }
                _ => None,
            };
            AppError::Array { error, field }
        })?;
    let test = Pure1Test {
        arrays: arrays.into_iter().map(|array| array.name).collect(),
    };
    Ok((test, sealed))
}

/// `POST /api/pure1/test`: nothing is stored.
pub async fn test(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<Pure1ConnectRequest>,
) -> Result<Json<Pure1Test>, AppError> {
    Ok(Json(try_connection(&state, &request).await?.0))
}

/// `PUT /api/pure1`: tested first, so only a connection that works is stored.
pub async fn connect(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<Pure1ConnectRequest>,
) -> Result<Json<Pure1Test>, AppError> {
    not_in_file(&state)?;
    let (test, sealed) = try_connection(&state, &request).await?;
    state.pure1.store(&state.db, &sealed).await?;
    Ok(Json(test))
}

/// `DELETE /api/pure1`.
pub async fn disconnect(State(state): State<AppState>) -> Result<StatusCode, AppError> {
    not_in_file(&state)?;
    state.pure1.disconnect(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/fleet/pure1`: Pure1's arrays (those the user may see: every one for a user
/// without an array scope, else only those in it), their busy meter, and open alerts.
pub async fn fleet(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Pure1Fleet>, AppError> {
    let Some(view) = state
        .pure1
        .view(&state.db, state.secret_key.as_ref(), PURE1_DEADLINE)
        .await?
    else {
        return Ok(Json(Pure1Fleet::not_connected()));
    };
    let managed = |name: &str| state.arrays.get(name).is_some();
    let unscoped = user.user.arrays.is_none();
    let visible = |name: &str| unscoped || (managed(name) && user.user.may_use_array(name));
    let arrays = view
        .arrays
        .iter()
        .filter(|array| visible(&array.name))
        .map(|array| {
            let (load_now, load_p95) = view.loads.get(&array.name).copied().unwrap_or_default();
            Pure1Array {
                name: array.name.clone(),
                fqdn: array.fqdn.clone(),
                model: array.model.clone(),
                os: array.os.clone(),
                version: array.version.clone(),
                managed: managed(&array.name),
                load_now,
                load_p95,
            }
        })
        .collect();
    let alerts = view
        .alerts
        .iter()
        .filter_map(|alert| {
            let array = alert.arrays.first()?.name.clone();
            visible(&array).then(|| Pure1Alert {
                id: alert.id.clone(),
                array,
                severity: alert.severity.clone(),
                state: alert.state.clone(),
                summary: alert.summary.clone(),
                code: alert.code,
                component_name: alert.component_name.clone(),
                origin: alert.origin.clone(),
                created: alert.created,
            })
        })
        .collect();
    Ok(Json(Pure1Fleet {
        connected: true,
        as_of: Some(view.as_of),
        // Pure1's own words may name arrays outside a scoped user's arrays.
        error: view.error.as_ref().map(|error| {
            if unscoped {
                error.clone()
            } else {
                "Pure1 could not be read; an admin can see why on the Pure1 page.".to_owned()
            }
        }),
        arrays,
        alerts,
    }))
}
