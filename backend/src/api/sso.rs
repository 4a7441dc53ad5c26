//! `/api/auth/…` for single sign-on: how people sign in here, the way out to the identity
//! provider and back, and signing out there too. The browser follows these as pages, so they
//! answer with redirects; a refusal comes back to the sign-in page as `?sso_error=…`.

use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::api::{Action, SSO_ERROR_PARAMETER, SignInMethods};

use super::session::sign_in_record;
use crate::clock::{unix_now, unix_now_ms};
use crate::db::{AuditRecord, DbError, NewAuditRecord, SsoUser};
use crate::error::AppError;
use crate::identity::auth::{
    cookie_header, cookie_value, new_session_cookie, open_session, secure_cookie,
};
use crate::identity::oidc::{Challenge, Oidc, OidcError, SIGN_IN_SECS, bounded, provider_text};
use crate::identity::origin::ClientOrigin;
use crate::state::AppState;

/// The cookie holding a sign-in under way, sealed; `__Host-` prefixed when `Secure`, as the
/// session cookie is.
const SIGN_IN_COOKIE: &str = "flashdeck_sso";
const SECURE_SIGN_IN_COOKIE: &str = "__Host-flashdeck_sso";

/// What a callback that no sign-in of this browser matches is told (and nothing is recorded).
const UNMATCHED: &str =
    "This sign-in was not begun in this browser, or took over ten minutes; sign in again.";

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

/// The most a refusal says, on the sign-in page and in the audit log: the provider's words
/// in it are cut shorter still ([`crate::identity::oidc::MAX_PROVIDER_TEXT_CHARS`]).
const MAX_REFUSAL_CHARS: usize = 500;

fn refusal_text(error: &OidcError) -> String {
    bounded(&error.to_string(), MAX_REFUSAL_CHARS)
}

/// Back to the sign-in page with why single sign-on failed.
fn back_with(error: &str) -> Response {
    let error = bounded(error, MAX_REFUSAL_CHARS);
    let encoded: String =
        reqwest::Url::parse_with_params("http://portal/", &[(SSO_ERROR_PARAMETER, &error)])
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

fn sign_in_cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SIGN_IN_COOKIE
    } else {
        SIGN_IN_COOKIE
    }
}

/// The sign-in cookie: `Lax`, since the provider sends the browser back by a top-level
/// navigation from its own site, which a `Strict` cookie would not follow.
fn sign_in_cookie(secure: bool, value: &str, max_age_secs: i64) -> Result<HeaderValue, AppError> {
    cookie_header(
        sign_in_cookie_name(secure),
        value,
        "Lax",
        max_age_secs,
        secure,
    )
}

/// `GET /api/auth/oidc/start`: off to the provider, the sign-in's secrets sealed in a cookie
/// of this browser. Nothing is stored, so any number of starts costs the portal nothing.
pub async fn start(
    State(state): State<AppState>,
    origin: ClientOrigin,
) -> Result<Response, AppError> {
    let oidc = configured(&state)?;
    let challenge =
        Challenge::new(unix_now()).map_err(|error| AppError::Internal(error.to_string()))?;
    let url = match oidc.authorization_url(&challenge).await {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(%error, "single sign-on cannot start");
            return Ok(back_with(&error.to_string()));
        }
    };
    let sealed = challenge
        .seal(oidc.sealing_key(state.secret_key.as_ref()))
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let cookie = sign_in_cookie(
        secure_cookie(&state.sessions, origin),
        &sealed,
        SIGN_IN_SECS,
    )?;
    let mut response = see_other(&url);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
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

/// `GET /api/auth/oidc/callback`: the provider's answer, checked against the sign-in this
/// browser began, and a session. Only an answer to such a sign-in is audited (as a sign-in,
/// either way): anyone can call this address with anything.
pub async fn callback(
    State(state): State<AppState>,
    origin: ClientOrigin,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Result<Response, AppError> {
    let oidc = configured(&state)?;
    let started = Instant::now();
    let secure = secure_cookie(&state.sessions, origin);
    let key = oidc.sealing_key(state.secret_key.as_ref());
    let challenge = cookie_value(&headers, sign_in_cookie_name(secure))
        .and_then(|sealed| Challenge::open(sealed, key, unix_now()))
        .filter(|challenge| answer.state.as_deref() == Some(challenge.state.as_str()));
    let Some(challenge) = challenge else {
        tracing::info!("single sign-on answer matching no sign-in of this browser");
        return Ok(back_with(UNMATCHED));
    };
    let outcome = finish(&state, oidc, &answer, &challenge).await;
    let username = match &outcome {
        Ok(user) => user.username.clone(),
        Err(OidcError::Unmapped { username, .. }) => username.clone(),
        Err(_) => "(single sign-on)".to_owned(),
    };
    let outcome = outcome.map_err(|error| refusal_text(&error));
    let refusal = outcome.as_ref().err().cloned();
    let record = sign_in_record(
        &username,
        serde_json::json!({"via": oidc.config.display_name}),
    );
    state
        .audit_finished(
            &record,
            &AuditRecord {
                success: refusal.is_none(),
                status: if refusal.is_none() { 303 } else { 401 },
                message: refusal,
                duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            },
        )
        .await?;
    // Used once, whatever became of it.
    let spent = sign_in_cookie(secure, "", 0)?;
    let mut response = match outcome {
        Ok(user) => {
            tracing::info!(username = %user.username, "login through single sign-on");
            let token = open_session(&state.sessions, &user).await?;
            let cookie = new_session_cookie(&state.sessions, origin, &token)?;
            let mut response = see_other("/");
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(refusal) => {
            tracing::info!(error = %refusal, "single sign-on refused");
            back_with(&refusal)
        }
    };
    response.headers_mut().append(header::SET_COOKIE, spent);
    Ok(response)
}

async fn finish(
    state: &AppState,
    oidc: &Oidc,
    answer: &Callback,
    challenge: &Challenge,
) -> Result<crate::db::User, OidcError> {
    if let Some(error) = &answer.error {
        return Err(OidcError::Refused(format!(
            "The identity provider did not sign you in: {} {}",
            provider_text(error),
            provider_text(answer.error_description.as_deref().unwrap_or_default())
        )));
    }
    let Some(code) = &answer.code else {
        return Err(OidcError::Refused(
            "The identity provider's answer is incomplete.".into(),
        ));
    };
    let claims = oidc.sign_in(code, challenge).await?;
    let mapped = match oidc.map(&claims) {
        Err(OidcError::Unmapped { username, subject }) => {
            withdraw(state, oidc, &subject)
                .await
                .map_err(|error| OidcError::Refused(format!("The portal failed: {error}")))?;
            return Err(OidcError::Unmapped { username, subject });
        }
        mapped => mapped?,
    };
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
            unix_now(),
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
    state.sessions.cache.forget_all();
    Ok(user)
}

/// What the provider's user `subject` names could still do with the portal, withdrawn now that
/// the provider puts them in no mapped group: otherwise their sessions and personal API tokens
/// would keep the role they had, for as long as those last. Audited as a change of the user.
async fn withdraw(state: &AppState, oidc: &Oidc, subject: &str) -> Result<(), DbError> {
    let Some(user) = state.db.disable_sso_user(subject).await? else {
        return Ok(());
    };
    state.sessions.cache.forget_all();
    if user.disabled {
        return Ok(());
    }
    tracing::warn!(username = %user.username, "disabled: in no mapped group at the identity provider");
    let record = NewAuditRecord {
        started_at_ms: unix_now_ms(),
        username: "(single sign-on)".to_owned(),
        token: None,
        array: None,
        action: Action::UserDisable.name().to_owned(),
        target: user.username.clone(),
        parameters: serde_json::json!({
            "disabled": true,
            "via": oidc.config.display_name,
            "reason": "in none of the mapped groups: sessions ended, API tokens revoked",
        })
        .to_string(),
        request_id: uuid::Uuid::new_v4().to_string(),
    };
    state
        .audit_finished(
            &record,
            &AuditRecord {
                success: true,
                status: 200,
                message: None,
                duration_ms: 0,
            },
        )
        .await
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
