//! Who is calling: sign-in, server-side sessions behind an HttpOnly cookie, the
//! [`CurrentUser`] extractor with its role check, and the CSRF header check.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use shared::api::{
    ApiError, CSRF_HEADER, CSRF_HEADER_VALUE, Role, SECURE_SESSION_COOKIE, SESSION_COOKIE, UserInfo,
};
use shared::flasharray::AUTH_TOKEN_HEADER;

use crate::clock::unix_now;
use crate::config::SessionConfig;
use crate::db::Database;
use crate::db::{TokenGrant, User};
use crate::error::AppError;
use crate::identity::origin::ClientOrigin;
use crate::identity::session_cache::SessionCache;

/// A new random session token (256 bits, hex) and the hash under which it is stored.
fn new_session_token() -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    let token = hex(&bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// A new personal API token ([`shared::api::TOKEN_PREFIX`] and 256 random bits, hex) and
/// the hash under which it is stored.
pub fn new_api_token() -> Result<(String, String), AppError> {
    let (secret, _) = new_session_token()?;
    let token = format!("{}{secret}", shared::api::TOKEN_PREFIX);
    let hash = token_hash(&token);
    Ok((token, hash))
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What checking and opening sessions needs: the database, the session settings and the
/// sessions checked in the last second.
#[derive(Debug, Clone)]
pub struct Sessions {
    pub db: Database,
    pub config: SessionConfig,
    pub cache: Arc<SessionCache>,
}

/// The session cookie's name: `__Host-` prefixed when it is `Secure`, and then only that
/// name is read.
fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

fn session_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie_value(headers, cookie_name(secure))
}

/// The value of the cookie named exactly `name` among those the request carries.
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// Whether the session cookie is `Secure`: when configured so, or when the browser's
/// connection is HTTPS as a trusted proxy reports it.
pub fn secure_cookie(sessions: &Sessions, origin: ClientOrigin) -> bool {
    sessions.config.secure_cookie || origin.https
}

/// A `Set-Cookie` the browser keeps for the whole site and never shows to scripts; `Secure`
/// when `secure` (its name should then carry the `__Host-` prefix, which needs `Path=/`).
pub fn cookie_header(
    name: &str,
    value: &str,
    same_site: &str,
    max_age_secs: i64,
    secure: bool,
) -> Result<HeaderValue, AppError> {
    let attribute = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{attribute}"
    ))
    .map_err(|error| AppError::Internal(format!("cannot build the {name} cookie: {error}")))
}

/// The session cookie, `Secure` and `__Host-` prefixed as [`secure_cookie`] says.
pub fn session_cookie(
    sessions: &Sessions,
    origin: ClientOrigin,
    value: &str,
    max_age_secs: i64,
) -> Result<HeaderValue, AppError> {
    let secure = secure_cookie(sessions, origin);
    cookie_header(cookie_name(secure), value, "Strict", max_age_secs, secure)
}

/// The signed-in user of a request, checked by the route's gate (`api/gate.rs`) before
/// the handler runs: a handler that takes one cannot run for someone its route refuses. When
/// the request came with a personal API token (or a session opened with one), `user` carries
/// the token's limits: the lower of the two roles, the arrays both allow.
#[derive(Clone)]
pub struct CurrentUser {
    pub user: User,
    credential: Credential,
}

#[derive(Clone)]
enum Credential {
    Session {
        token_hash: String,
        api_token: Option<TokenGrant>,
    },
    ApiToken(TokenGrant),
    /// The portal running a change a second person approved, as its requester.
    Approved,
}

impl std::fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("user", &self.user)
            .field("api_token", &self.api_token().map(|grant| &grant.name))
            .finish()
    }
}

/// Whether the request carries a script's credential header (a bearer token or a REST root
/// session), which then is what it is authenticated by: no other site's page can send one
/// without a CORS preflight, which the portal never grants, so it needs no CSRF header either.
pub fn authenticates_by_header(headers: &HeaderMap) -> bool {
    bearer_token(headers).is_some() || headers.contains_key(AUTH_TOKEN_HEADER)
}

/// Whether `path` (under `/api`) is a REST root's login, which reads only its `api-token`
/// header, never a cookie, so a forged one could sign nobody in as anybody.
fn is_rest_login(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        segments.as_slice(),
        ["", "arrays", _, "rest", "api", _, "login"]
    )
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// `user` as far as `grant` lets it act: the lower role, the arrays both allow.
fn limited(mut user: User, grant: &TokenGrant) -> User {
    user.role = user.role.min(grant.role);
    user.arrays = match (user.arrays.take(), &grant.arrays) {
        (None, arrays) => arrays.clone(),
        (Some(own), None) => Some(own),
        (Some(own), Some(granted)) => Some(
            own.into_iter()
                .filter(|name| granted.contains(name))
                .collect(),
        ),
    };
    user
}

/// Refuses a token past its expiry.
fn check_expiry(grant: &TokenGrant, now: i64) -> Result<(), AppError> {
    if now >= grant.expires_at {
        return Err(AppError::TokenRefused(
            "The API token has expired; create a new one.",
        ));
    }
    Ok(())
}

impl CurrentUser {
    /// The caller of a request: by `Authorization: Bearer` with a personal API token, else by
    /// the `x-auth-token` of a session a script opened, else by the session cookie.
    pub async fn from_request(
        headers: &HeaderMap,
        origin: ClientOrigin,
        sessions: &Sessions,
    ) -> Result<Self, AppError> {
        if let Some(token) = bearer_token(headers) {
            return Self::from_api_token(token, origin, sessions).await;
        }
        let session = match headers.get(AUTH_TOKEN_HEADER) {
            Some(value) => value.to_str().map_err(|_| AppError::Unauthenticated)?,
            None => session_token(headers, secure_cookie(sessions, origin))
                .ok_or(AppError::Unauthenticated)?,
        };
        Self::from_session(session, sessions).await
    }

    /// The user a personal API token acts for, within the token's limits.
    pub async fn from_api_token(
        token: &str,
        origin: ClientOrigin,
        sessions: &Sessions,
    ) -> Result<Self, AppError> {
        const REFUSED: &str =
            "The API token is not valid: it is mistyped, revoked, or its user is disabled.";
        if !shared::api::looks_like_token(token) {
            return Err(AppError::TokenRefused(REFUSED));
        }
        let token_hash = token_hash(token);
        let cached = sessions.cache.get_token(&token_hash);
        let read = cached.is_none();
        let (user, mut grant) = match cached {
            Some(checked) => checked,
            None => sessions
                .db
                .token_by_hash(&token_hash)
                .await?
                .filter(|(user, _)| !user.disabled)
                .ok_or(AppError::TokenRefused(REFUSED))?,
        };
        let now = unix_now();
        check_expiry(&grant, now)?;
        let address = origin
            .address
            .map_or_else(|| "unknown".to_owned(), |address| address.to_string());
        // One write a minute per token, or when it is used from elsewhere.
        let touch = grant.last_used_at.is_none_or(|last| now - last >= 60)
            || grant.last_used_from.as_deref() != Some(address.as_str());
        if touch {
            if !sessions.db.touch_token(grant.id, now, &address).await? {
                return Err(AppError::TokenRefused(REFUSED));
            }
            grant.last_used_at = Some(now);
            grant.last_used_from = Some(address);
        }
        // Kept from when it was read, never refreshed by use: a revocation on another replica
        // shows here within a second, however the token is used.
        if read {
            sessions
                .cache
                .put_token(token_hash, user.clone(), grant.clone());
        }
        Ok(CurrentUser {
            user: limited(user, &grant),
            credential: Credential::ApiToken(grant),
        })
    }

    /// The user of the session `token` names, if it is still open.
    async fn from_session(token: &str, sessions: &Sessions) -> Result<Self, AppError> {
        let token_hash = token_hash(token);
        let mut session = match sessions.cache.get(&token_hash) {
            Some(session) => session,
            None => {
                let session = sessions
                    .db
                    .session(&token_hash)
                    .await?
                    .ok_or(AppError::Unauthenticated)?;
                sessions.cache.put(token_hash.clone(), session.clone());
                session
            }
        };
        let now = unix_now();
        let idle_limit = i64::from(sessions.config.idle_timeout_minutes) * 60;
        let absolute_limit = i64::from(sessions.config.absolute_timeout_hours) * 3600;
        let token_expired = session
            .token
            .as_ref()
            .is_some_and(|grant| now >= grant.expires_at);
        if session.user.disabled
            || token_expired
            || now - session.last_seen_at > idle_limit
            || now - session.created_at > absolute_limit
        {
            sessions.db.delete_session(&token_hash).await?;
            sessions.cache.forget_all();
            return Err(AppError::Unauthenticated);
        }
        // One write a minute per session is enough to keep the idle timer accurate.
        if now - session.last_seen_at >= 60 {
            sessions.db.touch_session(&token_hash, now).await?;
            session.last_seen_at = now;
            sessions.cache.put(token_hash.clone(), session.clone());
        }
        let user = match &session.token {
            Some(grant) => limited(session.user, grant),
            None => session.user,
        };
        Ok(CurrentUser {
            user,
            credential: Credential::Session {
                token_hash,
                api_token: session.token,
            },
        })
    }

    /// The requester of an approved change, for the portal to run it as them, within the
    /// limits of the token they asked with.
    pub fn approved(user: User, token: Option<&TokenGrant>) -> Self {
        CurrentUser {
            user: match token {
                Some(grant) => limited(user, grant),
                None => user,
            },
            credential: Credential::Approved,
        }
    }

    /// The personal API token behind the request, directly or through a session it opened.
    pub fn api_token(&self) -> Option<&TokenGrant> {
        match &self.credential {
            Credential::ApiToken(grant) => Some(grant),
            Credential::Session { api_token, .. } => api_token.as_ref(),
            Credential::Approved => None,
        }
    }

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

    /// Refuses a user limited to some arrays: what concerns every array (registering one) is
    /// for those who may use them all.
    pub fn require_every_array(&self) -> Result<(), AppError> {
        match self.user.arrays {
            None => Ok(()),
            Some(_) => Err(AppError::Forbidden(format!(
                "{} may use only some arrays, so may not register new ones.",
                self.user.username
            ))),
        }
    }

    /// Refuses an array outside the user's scope.
    pub fn require_array(&self, array: &str) -> Result<(), AppError> {
        if self.user.may_use_array(array) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "{} may not use array {array}.",
                self.user.username
            )))
        }
    }

    pub fn info(&self) -> UserInfo {
        UserInfo {
            username: self.user.username.clone(),
            role: self.user.role,
            sso: self.user.sso_subject.is_some(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "{} {} has no access policy",
                    parts.method,
                    parts.uri.path()
                ))
            })
    }
}

/// Opens a session for `user` and returns its token, for the cookie.
pub async fn open_session(sessions: &Sessions, user: &User) -> Result<String, AppError> {
    let (token, hash) = new_session_token()?;
    let now = unix_now();
    purge_expired_sessions(sessions, now).await?;
    sessions
        .db
        .create_session(&hash, user.id, now, None)
        .await?;
    Ok(token)
}

/// Sessions that ended by timing out are never used again; each sign-in, in the browser or
/// at a REST root, sweeps them.
async fn purge_expired_sessions(sessions: &Sessions, now: i64) -> Result<(), AppError> {
    sessions
        .db
        .purge_expired_sessions(
            now - i64::from(sessions.config.idle_timeout_minutes) * 60,
            now - i64::from(sessions.config.absolute_timeout_hours) * 3600,
        )
        .await?;
    Ok(())
}

/// The `Set-Cookie` of a new session, lasting as long as sessions may.
pub fn new_session_cookie(
    sessions: &Sessions,
    origin: ClientOrigin,
    token: &str,
) -> Result<HeaderValue, AppError> {
    let max_age = i64::from(sessions.config.absolute_timeout_hours) * 3600;
    session_cookie(sessions, origin, token, max_age)
}

/// Ends the caller's session; a token has none to end.
pub async fn close_session(sessions: &Sessions, user: &CurrentUser) -> Result<(), AppError> {
    let Credential::Session { token_hash, .. } = &user.credential else {
        return Err(AppError::Invalid(ApiError::new(
            "An API token is not signed out; revoke it under API tokens.",
        )));
    };
    sessions.db.delete_session(token_hash).await?;
    sessions.cache.forget_all();
    Ok(())
}

/// The most REST root sessions one personal API token keeps open.
pub const MAX_SESSIONS_PER_TOKEN: i64 = 100;

/// Opens a session with the limits of the personal API token `user` came with (a script's
/// REST login through the portal) and returns its token, for the `x-auth-token` header.
pub async fn open_token_session(
    sessions: &Sessions,
    user: &CurrentUser,
) -> Result<String, AppError> {
    let grant = user
        .api_token()
        .ok_or_else(|| AppError::Internal("a token session opened without a token".to_owned()))?;
    let (token, hash) = new_session_token()?;
    let now = unix_now();
    purge_expired_sessions(sessions, now).await?;
    // A script that signs in on every run and never signs out keeps only its newest sessions.
    sessions
        .db
        .keep_newest_token_sessions(grant.id, MAX_SESSIONS_PER_TOKEN - 1)
        .await?;
    sessions
        .db
        .create_session(&hash, user.user.id, now, Some(grant.id))
        .await?;
    Ok(token)
}

/// Refuses a state-changing `/api` request without the CSRF header: another site's page can
/// neither set it on a form post nor send it from script without a CORS preflight. A request
/// that authenticates by a header of its own (a script's) cannot be forged that way either.
pub async fn require_csrf_header(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let has_header = request
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|value| value.as_bytes() == CSRF_HEADER_VALUE.as_bytes());
    if safe
        || has_header
        || authenticates_by_header(request.headers())
        || is_rest_login(request.uri().path())
    {
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
    fn finds_the_session_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; flashdeck_session=abc; x=y"),
        );
        assert_eq!(session_token(&headers, false), Some("abc"));
        assert_eq!(
            session_token(&headers, true),
            None,
            "only __Host- over HTTPS"
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("flashdeck_sessionx=abc; __Host-flashdeck_session=def"),
        );
        assert_eq!(session_token(&headers, false), None);
        assert_eq!(session_token(&headers, true), Some("def"));
    }

    #[test]
    fn a_token_limits_its_user_to_the_lower_role_and_the_arrays_both_allow() {
        let user = User {
            id: 1,
            username: "dba".into(),
            password_hash: String::new(),
            role: Role::Operator,
            disabled: false,
            arrays: Some(vec!["fa-1".into(), "fa-2".into()]),
            array_username: None,
            sso_subject: None,
        };
        let grant = |role, arrays: Option<Vec<&str>>| TokenGrant {
            id: 1,
            name: "ci".into(),
            role,
            arrays: arrays.map(|names| names.into_iter().map(str::to_owned).collect()),
            expires_at: 0,
            last_used_at: None,
            last_used_from: None,
        };
        let limited_by = |grant: TokenGrant| limited(user.clone(), &grant);
        let wider = limited_by(grant(Role::Admin, None));
        assert_eq!(
            (wider.role, wider.arrays),
            (Role::Operator, user.arrays.clone())
        );
        let narrower = limited_by(grant(Role::Viewer, Some(vec!["fa-2", "fa-3"])));
        assert_eq!(narrower.role, Role::Viewer);
        assert_eq!(narrower.arrays, Some(vec!["fa-2".to_owned()]));
    }

    #[test]
    fn only_a_bearer_authorization_is_taken_for_a_token() {
        let mut headers = HeaderMap::new();
        assert!(!authenticates_by_header(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
        assert!(!authenticates_by_header(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  fdk_x "),
        );
        assert_eq!(bearer_token(&headers), Some("fdk_x"));
        assert!(authenticates_by_header(&headers));
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
