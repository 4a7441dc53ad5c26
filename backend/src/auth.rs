//! Who is calling: password hashing, server-side sessions behind an HttpOnly cookie, the
//! [`CurrentUser`] extractor with its role check, and the CSRF header check.

use std::time::{SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use shared::api::{CSRF_HEADER, CSRF_HEADER_VALUE, LoginRequest, Role, SESSION_COOKIE, UserInfo};

use crate::db::User;
use crate::error::AppError;
use crate::state::AppState;

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(format!("cannot hash a password: {error}")))
}

/// Checked against when a login names no user, so that it takes as long as one that does.
/// Made with [`hash_password`] and the same parameters; it matches no password anyone uses.
const DUMMY_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$6ZqWphysXCr5/BPfHChmiw$Q5B7VyplP33hqXROLqBRaMAM27rB/sliSZ5lOiZEgkM";

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A new random session token (256 bits, hex) and the hash under which it is stored.
fn new_session_token() -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    let token = hex(&bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

fn session_cookie(
    state: &AppState,
    value: &str,
    max_age_secs: i64,
) -> Result<HeaderValue, AppError> {
    let secure = if state.session.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .map_err(|error| AppError::Internal(format!("cannot build the session cookie: {error}")))
}

/// The signed-in user of a request. Every API handler but login takes one, and checks the
/// role its action needs with [`CurrentUser::require`].
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    token_hash: String,
}

impl CurrentUser {
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.user.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "This needs the {} role; {} has the {} role.",
                role.as_str(),
                self.user.username,
                self.user.role.as_str()
            )))
        }
    }

    pub fn info(&self) -> UserInfo {
        UserInfo {
            username: self.user.username.clone(),
            role: self.user.role,
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let token_hash = token_hash(token);
        let session = state
            .db
            .session(&token_hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let now = unix_now();
        let idle_limit = i64::from(state.session.idle_timeout_minutes) * 60;
        let absolute_limit = i64::from(state.session.absolute_timeout_hours) * 3600;
        if session.user.disabled
            || now - session.last_seen_at > idle_limit
            || now - session.created_at > absolute_limit
        {
            state.db.delete_session(&token_hash).await?;
            return Err(AppError::Unauthenticated);
        }
        // One write a minute per session is enough to keep the idle timer accurate.
        if now - session.last_seen_at >= 60 {
            state.db.touch_session(&token_hash, now).await?;
        }
        Ok(CurrentUser {
            user: session.user,
            token_hash,
        })
    }
}

/// `POST /api/auth/login`: the same answer for an unknown user and a wrong password, so the
/// response tells nothing about which accounts exist.
pub async fn login(
    State(state): State<AppState>,
    Json(request): Json<LoginRequest>,
) -> Result<Response, AppError> {
    let user = state.db.user_by_name(request.username.trim()).await?;
    let accepted = match &user {
        Some(user) => verify_password(&request.password, &user.password_hash) && !user.disabled,
        None => {
            // Spend the same time as a real check, so timing does not reveal the answer.
            verify_password(&request.password, DUMMY_PASSWORD_HASH);
            false
        }
    };
    let Some(user) = user.filter(|_| accepted) else {
        tracing::info!(username = %request.username, "login refused");
        return Err(AppError::BadCredentials);
    };
    let (token, hash) = new_session_token()?;
    state.db.create_session(&hash, user.id, unix_now()).await?;
    tracing::info!(username = %user.username, "login");
    let max_age = i64::from(state.session.absolute_timeout_hours) * 3600;
    let cookie = session_cookie(&state, &token, max_age)?;
    let info = UserInfo {
        username: user.username,
        role: user.role,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(info)).into_response())
}

/// `POST /api/auth/logout`.
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    state.db.delete_session(&user.token_hash).await?;
    let cookie = session_cookie(&state, "", 0)?;
    Ok(([(header::SET_COOKIE, cookie)], Json(user.info())).into_response())
}

/// `GET /api/auth/me`.
pub async fn me(user: CurrentUser) -> Json<UserInfo> {
    Json(user.info())
}

/// Refuses a state-changing `/api` request without the CSRF header: another site's page can
/// neither set it on a form post nor send it from script without a CORS preflight.
pub async fn require_csrf_header(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let has_header = request
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|value| value.as_bytes() == CSRF_HEADER_VALUE.as_bytes());
    if safe || has_header {
        next.run(request).await
    } else {
        AppError::Forbidden(format!(
            "Missing the {CSRF_HEADER} header; requests that change something must send it."
        ))
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_has_the_real_hashes_cost() {
        let real = hash_password("x").expect("hashes");
        let params = |hash: &str| hash.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(DUMMY_PASSWORD_HASH), params(&real));
        assert!(PasswordHash::new(DUMMY_PASSWORD_HASH).is_ok());
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; flashdeck_session=abc; x=y"),
        );
        assert_eq!(session_token(&headers), Some("abc"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("flashdeck_sessionx=abc"),
        );
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn session_tokens_are_random_and_stored_hashed() {
        let (token, hash) = new_session_token().expect("token");
        let (other, _) = new_session_token().expect("token");
        assert_eq!(token.len(), 64);
        assert_ne!(token, other);
        assert_eq!(hash, token_hash(&token));
        assert_ne!(hash, token);
    }
}
