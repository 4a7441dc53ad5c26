//! Password sign-in, sign-out and who is signed in: `/api/auth/login`, `/logout`, `/me`.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::{ApiError, LoginRequest, UserInfo, validate_password_length, validate_username};

use super::extract::ApiJson;
use crate::clock::{unix_now, unix_now_ms};
use crate::db::{AuditRecord, NewAuditRecord, User};
use crate::error::AppError;
use crate::identity::auth::{
    CurrentUser, close_session, new_session_cookie, open_session, session_cookie,
};
use crate::identity::origin::ClientOrigin;
use crate::identity::passwords::DUMMY_PASSWORD_HASH;
use crate::identity::throttle::Subjects;
use crate::state::AppState;

/// `POST /api/auth/login`: the same answer for an unknown user and a wrong password, so the
/// response tells nothing about which accounts exist. A username no user can have is
/// refused before anything is recorded; then the attempt passes the throttle, which records
/// it; only then is it written to the audit log and its password checked.
pub async fn login(
    State(state): State<AppState>,
    origin: ClientOrigin,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let username = request.username.trim().to_owned();
    validate_username(&username).map_err(AppError::Invalid)?;
    validate_password_length(&request.password).map_err(AppError::Invalid)?;
    let subjects = Subjects::new(&username, origin.address);
    let attempt = subjects
        .admit(&state.db, &state.sign_ins, unix_now())
        .await
        .inspect_err(|error| {
            if matches!(error, AppError::TooManyAttempts { .. }) {
                tracing::info!(%username, "sign-in throttled");
            }
        })?;
    let started = Instant::now();
    let record = sign_in_record(&username, serde_json::json!({ "username": username }));
    let audit_id = state.db.begin_audit(&record).await?;
    state.metrics.record_audit_row();
    let outcome = sign_in(&state, &username, request.password).await;
    if outcome.is_ok() {
        subjects
            .succeeded(&state.db, &state.sign_ins, attempt)
            .await?;
    } else {
        subjects.failed(&state.db, &state.sign_ins, attempt).await?;
    }
    let status = match &outcome {
        Ok(_) => StatusCode::OK,
        Err(error) => error.status(),
    };
    let finished = AuditRecord {
        success: outcome.is_ok(),
        status: status.as_u16(),
        message: outcome.as_ref().err().map(ToString::to_string),
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    };
    state.db.finish_audit(audit_id, &finished).await?;
    let (user, token) = outcome?;
    let cookie = new_session_cookie(&state.sessions, origin, &token)?;
    let info = UserInfo {
        username: user.username,
        role: user.role,
        sso: false,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(info)).into_response())
}

/// The audit row of a sign-in, with a password or through the identity provider.
pub fn sign_in_record(username: &str, parameters: serde_json::Value) -> NewAuditRecord {
    NewAuditRecord {
        started_at_ms: unix_now_ms(),
        username: username.to_owned(),
        token: None,
        array: None,
        action: "session.login".to_owned(),
        target: username.to_owned(),
        parameters: parameters.to_string(),
        request_id: uuid::Uuid::new_v4().to_string(),
    }
}

/// Checks the password and opens a session: the user and the session token.
async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<(User, String), AppError> {
    if let Some(oidc) = &state.oidc
        && !oidc.config.local_passwords
        && !oidc
            .config
            .break_glass_users
            .iter()
            .any(|name| name == username)
    {
        return Err(AppError::Invalid(ApiError::for_field(
            "username",
            format!("Sign in with {}.", oidc.config.display_name),
        )));
    }
    let user = state.db.user_by_name(username).await?;
    // An unknown user, and one of the identity provider (who has no password here), are
    // checked against a dummy hash, so timing does not tell them apart.
    let hash = user
        .as_ref()
        .filter(|user| user.sso_subject.is_none())
        .map_or(DUMMY_PASSWORD_HASH, |user| user.password_hash.as_str())
        .to_owned();
    let matches = state.passwords.verify(password, hash).await?;
    let Some(user) = user.filter(|user| matches && !user.disabled && user.sso_subject.is_none())
    else {
        tracing::info!(%username, "login refused");
        return Err(AppError::BadCredentials);
    };
    let token = open_session(&state.sessions, &user).await?;
    tracing::info!(username = %user.username, "login");
    Ok((user, token))
}

/// `POST /api/auth/logout`.
pub async fn logout(
    State(state): State<AppState>,
    origin: ClientOrigin,
    user: CurrentUser,
) -> Result<Response, AppError> {
    close_session(&state.sessions, &user).await?;
    let cookie = session_cookie(&state.sessions, origin, "", 0)?;
    Ok(([(header::SET_COOKIE, cookie)], Json(user.info())).into_response())
}

/// `GET /api/auth/me`.
pub async fn me(user: CurrentUser) -> Json<UserInfo> {
    Json(user.info())
}
