//! `/api/auth/…` for single sign-on: how people sign in here, the way out to the identity
//! provider and back, and signing out there too. The browser follows these as pages, so they
//! answer with redirects; a refusal comes back to the sign-in page as `?sso_error=…`.

use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::api::{SSO_ERROR_PARAMETER, SignInMethods};

use crate::auth::{new_session_cookie, open_session, sign_in_record, unix_now};
use crate::db::{AuditRecord, DbError, SsoUser};
use crate::error::AppError;
use crate::oidc::{Challenge, Oidc, OidcError, state_hash};
use crate::origin::ClientOrigin;
use crate::state::AppState;

/// How long a sign-in may take at the provider.
const SIGN_IN_SECS: i64 = 600;

/// The most sign-ins under way at once: more are refused until some finish or go stale.
const MAX_SIGN_INS_UNDER_WAY: i64 = 10_000;

/// `GET /api/auth/providers`.
pub async fn providers(State(state): State<AppState>) -> Json<SignInMethods> {
    Json(match &state.oidc {
        Some(oidc) => SignInMethods {
            single_sign_on: Some(oidc.config.display_name.clone()),
            local_passwords: oidc.config.local_passwords,
        },
        None => SignInMethods {
            single_sign_on: None,
            local_passwords: true,
        },
    })
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => AppError::Internal("a redirect that is no header".into()).into_response(),
    }
}

/// Back to the sign-in page with why single sign-on failed.
fn back_with(error: &str) -> Response {
    let encoded: String =
        reqwest::Url::parse_with_params("http://portal/", &[(SSO_ERROR_PARAMETER, error)])
            .ok()
            .and_then(|url| url.query().map(str::to_owned))
            .unwrap_or_default();
    see_other(&format!("/?{encoded}"))
}

fn configured(state: &AppState) -> Result<&Oidc, AppError> {
    state
        .oidc
        .as_deref()
        .ok_or_else(|| AppError::NotFound("Single sign-on is not set up.".into()))
}

/// `GET /api/auth/oidc/start`: off to the provider, the sign-in's secrets kept.
pub async fn start(State(state): State<AppState>) -> Result<Response, AppError> {
    let oidc = configured(&state)?;
    let challenge = Challenge::new().map_err(|error| AppError::Internal(error.to_string()))?;
    let url = match oidc.authorization_url(&challenge).await {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(%error, "single sign-on cannot start");
            return Ok(back_with(&error.to_string()));
        }
    };
    let now = unix_now();
    let begun = state
        .db
        .begin_sign_in(
            &state_hash(&challenge.state),
            &challenge.nonce,
            &challenge.verifier,
            now,
            (now - SIGN_IN_SECS, MAX_SIGN_INS_UNDER_WAY),
        )
        .await?;
    if !begun {
        tracing::warn!("too many single sign-ins under way; refusing more for now");
        return Ok(back_with(
            "Too many sign-ins are under way; try again in a few minutes.",
        ));
    }
    Ok(see_other(&url))
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// `GET /api/auth/oidc/callback`: the provider's answer, checked, and a session; audited as a
/// sign-in either way.
pub async fn callback(
    State(state): State<AppState>,
    origin: ClientOrigin,
    Query(answer): Query<Callback>,
) -> Result<Response, AppError> {
    let oidc = configured(&state)?;
    let started = Instant::now();
    let outcome = finish(&state, oidc, &answer).await;
    let (username, refusal) = match &outcome {
        Ok(user) => (user.username.clone(), None),
        Err(error) => ("(single sign-on)".to_owned(), Some(error.to_string())),
    };
    let record = sign_in_record(
        &username,
        serde_json::json!({"via": oidc.config.display_name}),
    );
    let audit_id = state.db.begin_audit(&record).await?;
    state.metrics.record_audit_row();
    state
        .db
        .finish_audit(
            audit_id,
            &AuditRecord {
                success: refusal.is_none(),
                status: if refusal.is_none() { 303 } else { 401 },
                message: refusal.clone(),
                duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            },
        )
        .await?;
    match outcome {
        Ok(user) => {
            tracing::info!(username = %user.username, "login through single sign-on");
            let token = open_session(&state, &user).await?;
            let cookie = new_session_cookie(&state, origin, &token)?;
            let mut response = see_other("/");
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(error) => {
            tracing::info!(%error, "single sign-on refused");
            Ok(back_with(&error.to_string()))
        }
    }
}

async fn finish(
    state: &AppState,
    oidc: &Oidc,
    answer: &Callback,
) -> Result<crate::db::User, OidcError> {
    if let Some(error) = &answer.error {
        return Err(OidcError::Refused(format!(
            "The identity provider did not sign you in: {error} {}",
            answer.error_description.as_deref().unwrap_or_default()
        )));
    }
    let (Some(code), Some(sent_state)) = (&answer.code, &answer.state) else {
        return Err(OidcError::Refused(
            "The identity provider's answer is incomplete.".into(),
        ));
    };
    let now = unix_now();
    let pending = state
        .db
        .take_sign_in(&state_hash(sent_state), now - SIGN_IN_SECS)
        .await
        .map_err(|error| OidcError::Refused(format!("The portal database failed: {error}")))?
        .ok_or_else(|| {
            OidcError::Refused(
                "This sign-in is unknown, used already or too old; sign in again.".into(),
            )
        })?;
    let claims = oidc
        .sign_in(code, &pending.verifier, &pending.nonce)
        .await?;
    let mapped = oidc.map(&claims)?;
    let user = state
        .db
        .sso_user(
            &SsoUser {
                username: &mapped.username,
                subject: &mapped.subject,
                role: mapped.role,
                arrays: mapped.arrays.as_deref(),
                array_username: mapped.array_username.as_deref(),
            },
            now,
        )
        .await
        .map_err(|error| match error {
            DbError::UserExists(name) => OidcError::Refused(format!(
                "A local portal user is named {name}; an admin must rename or remove it first."
            )),
            error => OidcError::Refused(format!("The portal database failed: {error}")),
        })?;
    if user.disabled {
        return Err(OidcError::Refused(format!(
            "{} is disabled in the portal.",
            user.username
        )));
    }
    state.sessions.forget_all();
    Ok(user)
}

/// `GET /api/auth/oidc/end`: after signing out here, out at the provider too when it says how;
/// back to the sign-in page otherwise.
pub async fn end(State(state): State<AppState>) -> Result<Response, AppError> {
    let oidc = configured(&state)?;
    let back_to = oidc
        .config
        .redirect_url
        .split("/api/")
        .next()
        .map_or_else(|| "/".to_owned(), |origin| format!("{origin}/"));
    Ok(match oidc.end_session_url(&back_to).await {
        Some(url) => see_other(&url),
        None => see_other("/"),
    })
}
