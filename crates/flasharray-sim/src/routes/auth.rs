//! How callers prove who they are: `POST /api/2.x/login` sessions (API token or password)
//! and the OAuth 2.0 token exchange with an API client's RS256 ID token.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{Router, post};
use axum::{Form, Json};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use shared::flasharray::{
    ACCESS_TOKEN_TYPE, API_TOKEN_HEADER, AUTH_TOKEN_HEADER, JWT_TOKEN_TYPE, ListResponse,
    LoginPost, OAuthTokenResponse, TOKEN_EXCHANGE_GRANT, Username,
};

use crate::error::{ApiFault, OAuthFault};
use crate::routes::extract::header_str;
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/oauth2/1.0/token", post(token))
        .route("/api/{version}/login", post(login))
        .route("/api/{version}/logout", post(logout))
}

/// Tolerated difference between the caller's clock and the array's, in seconds.
const CLOCK_SKEW_SECS: i64 = 60;

/// `POST /api/2.x/login`: an `api-token` header, or a username and password in the body.
async fn login(State(sim): State<Simulator>, headers: HeaderMap, body: Bytes) -> Response {
    let now = sim.clock.now_ms();
    let mut state = sim.lock();
    let username = if let Some(api_token) = header_str(&headers, API_TOKEN_HEADER) {
        state.api_token_owner(api_token.trim(), now)
    } else {
        match serde_json::from_slice::<LoginPost>(&body) {
            Ok(login) => state
                .check_password(&login.username, &login.password)
                .then_some(login.username),
            Err(_) => {
                return ApiFault::invalid(
                    "Send an api-token header, or a username and password in the body.",
                )
                .into_response();
            }
        }
    };
    let Some(username) = username else {
        return ApiFault::unauthorized("Invalid credentials.").into_response();
    };
    let session = state.open_session(&username, now);
    sim.count_login();
    let body = ListResponse::of(vec![Username { username }]);
    (StatusCode::OK, [(AUTH_TOKEN_HEADER, session)], Json(body)).into_response()
}

/// `POST /api/2.x/logout`: ends the session named by `x-auth-token`, if any.
async fn logout(State(sim): State<Simulator>, headers: HeaderMap) -> StatusCode {
    if let Some(token) = header_str(&headers, AUTH_TOKEN_HEADER) {
        sim.lock().close_session(token);
    }
    StatusCode::OK
}

#[derive(Debug, Deserialize)]
struct TokenExchange {
    grant_type: Option<String>,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IdTokenClaims {
    sub: String,
    iat: i64,
    exp: i64,
}

/// `POST /oauth2/1.0/token`: exchanges an ID token signed by an API client for an access token.
async fn token(
    State(sim): State<Simulator>,
    Form(form): Form<TokenExchange>,
) -> Result<Json<OAuthTokenResponse>, OAuthFault> {
    if form.grant_type.as_deref() != Some(TOKEN_EXCHANGE_GRANT) {
        return Err(OAuthFault::invalid_request(format!(
            "Unsupported grant_type: {}",
            form.grant_type.unwrap_or_default()
        )));
    }
    if form.subject_token_type.as_deref() != Some(JWT_TOKEN_TYPE) {
        return Err(OAuthFault::invalid_request(format!(
            "Unsupported subject_token_type: {}",
            form.subject_token_type.unwrap_or_default()
        )));
    }
    let id_token = form
        .subject_token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| OAuthFault::invalid_request("subject_token is required."))?;

    let header = jsonwebtoken::decode_header(&id_token)
        .map_err(|_| OAuthFault::invalid_client("Invalid identity: the ID token is not a JWT."))?;
    if header.alg != Algorithm::RS256 {
        return Err(OAuthFault::invalid_client(
            "Invalid identity: the ID token must be signed with RS256.",
        ));
    }
    let key_id = header
        .kid
        .ok_or_else(|| OAuthFault::invalid_client("Invalid identity: the ID token has no kid."))?;

    let now_ms = sim.clock.now_ms();
    let mut state = sim.lock();
    let client = state
        .api_client_by_key_id(&key_id)
        .cloned()
        .ok_or_else(|| {
            OAuthFault::invalid_client("Invalid identity: no API client has this key id.")
        })?;
    if !client.enabled {
        return Err(OAuthFault::invalid_client(format!(
            "API client {} is disabled.",
            client.name
        )));
    }
    let key = DecodingKey::from_rsa_pem(client.public_key.as_bytes()).map_err(|_| {
        OAuthFault::invalid_client("Invalid identity: the API client's public key is unusable.")
    })?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&client.id]);
    validation.set_issuer(&[&client.issuer]);
    // Expiry is checked below against the simulator's clock, which tests can move.
    validation.validate_exp = false;
    validation.required_spec_claims =
        HashSet::from(["exp", "iat", "sub", "aud", "iss"].map(String::from));
    let claims = jsonwebtoken::decode::<IdTokenClaims>(&id_token, &key, &validation)
        .map_err(|error| {
            OAuthFault::invalid_client(format!("Invalid identity: JWT validation failed: {error}."))
        })?
        .claims;

    let now_secs = now_ms / 1000;
    if claims.exp + CLOCK_SKEW_SECS < now_secs {
        return Err(OAuthFault::invalid_client(
            "Invalid identity: the ID token has expired.",
        ));
    }
    if claims.iat - CLOCK_SKEW_SECS > now_secs {
        return Err(OAuthFault::invalid_client(
            "Invalid identity: the ID token was issued in the future.",
        ));
    }
    if !state.is_admin(&claims.sub) {
        return Err(OAuthFault::invalid_client(format!(
            "Invalid identity: {} is not an administrator on this array.",
            claims.sub
        )));
    }
    let (access_token, expires_in) = state.issue_access_token(&client, &claims.sub, now_ms);
    sim.count_token_exchange();
    Ok(Json(OAuthTokenResponse {
        access_token,
        issued_token_type: Some(ACCESS_TOKEN_TYPE.into()),
        token_type: Some("Bearer".into()),
        expires_in,
    }))
}
