//! `POST /oauth2/1.0/token`: an application's RS256-signed JWT (`iss` = its application id)
//! exchanged for a bearer access token; and the check of that token on every data call.

use std::collections::HashMap;

use axum::Form;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shared::flasharray::{
    ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, OAuthTokenResponse, TOKEN_EXCHANGE_GRANT,
};

use crate::error::Pure1Fault;
use crate::state::Pure1Sim;

/// Access tokens live about ten hours, as Pure1's do.
pub const ACCESS_TOKEN_LIFETIME_SECS: u64 = 35_999;
/// Tolerated difference between the caller's clock and Pure1's.
const CLOCK_SKEW_MS: i64 = 60_000;
/// `iat`/`exp` above this are milliseconds (the spec's unit); below, seconds (the SDK's).
const MILLISECONDS_FROM: i64 = 100_000_000_000;

#[derive(Debug, Deserialize)]
struct IdTokenClaims {
    iss: String,
    iat: i64,
    exp: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct AccessTokenClaims {
    sub: String,
    jti: String,
    iat: i64,
    exp: i64,
}

fn as_ms(time: i64) -> i64 {
    if time.abs() >= MILLISECONDS_FROM {
        time
    } else {
        time.saturating_mul(1000)
    }
}

/// The token exchange. Refusals are OAuth 2.0 error bodies, as the spec's examples show.
pub async fn token(
    State(sim): State<Pure1Sim>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<OAuthTokenResponse>, Pure1Fault> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != TOKEN_EXCHANGE_GRANT {
        return Err(Pure1Fault::invalid_request(format!(
            "Unsupported grant_type: {}",
            field("grant_type")
        )));
    }
    if field("subject_token_type") != JWT_TOKEN_TYPE {
        return Err(Pure1Fault::invalid_request(format!(
            "Unsupported subject_token_type: {}",
            field("subject_token_type")
        )));
    }
    let subject_token = field("subject_token");
    if subject_token.is_empty() {
        return Err(Pure1Fault::invalid_request("Missing subject_token"));
    }
    let app_id = verify_id_token(&sim, subject_token)?;
    let now = sim.clock().now_ms();
    let lifetime_ms = ACCESS_TOKEN_LIFETIME_SECS as i64 * 1000;
    let claims = AccessTokenClaims {
        sub: app_id,
        jti: uuid::Uuid::new_v4().to_string(),
        iat: now / 1000,
        exp: (now + lifetime_ms) / 1000,
    };
    let access_token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(sim.signing_secret()),
    )
    .map_err(|_| Pure1Fault::invalid_client())?;
    sim.lock().tokens.insert(claims.jti, now + lifetime_ms);
    sim.count_token_exchange();
    Ok(Json(OAuthTokenResponse {
        access_token,
        issued_token_type: Some(ACCESS_TOKEN_TYPE.to_owned()),
        token_type: Some("Bearer".to_owned()),
        expires_in: ACCESS_TOKEN_LIFETIME_SECS,
    }))
}

/// The application id of a JWT signed with the key registered for its `iss`, issued and not
/// yet expired (in seconds or milliseconds).
fn verify_id_token(sim: &Pure1Sim, jwt: &str) -> Result<String, Pure1Fault> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| Pure1Fault::invalid_client())?;
    if header.alg != Algorithm::RS256 {
        return Err(Pure1Fault::invalid_client());
    }
    let issuer = unverified_issuer(jwt).ok_or_else(Pure1Fault::invalid_client)?;
    let key = sim
        .lock()
        .applications
        .get(&issuer)
        .cloned()
        .ok_or_else(Pure1Fault::invalid_client)?;
    let mut validation = Validation::new(Algorithm::RS256);
    // Expiry is checked below, in whichever unit the caller used.
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<IdTokenClaims>(jwt, &key, &validation)
        .map_err(|_| Pure1Fault::invalid_client())?
        .claims;
    let now = sim.clock().now_ms();
    if claims.iss != issuer
        || as_ms(claims.exp) <= now - CLOCK_SKEW_MS
        || as_ms(claims.iat) > now + CLOCK_SKEW_MS
    {
        return Err(Pure1Fault::invalid_client());
    }
    Ok(issuer)
}

/// `iss` read without checking the signature: it says whose key checks it.
fn unverified_issuer(jwt: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    jsonwebtoken::dangerous::insecure_decode_claims::<Issuer>(jwt)
        .ok()
        .map(|claims| claims.iss)
}

/// A data call's caller: one holding a bearer access token Pure1 issued and
/// still honours.
#[derive(Debug, Clone, Copy)]
pub struct Caller;

impl FromRequestParts<Pure1Sim> for Caller {
    type Rejection = Pure1Fault;

    async fn from_request_parts(
        parts: &mut Parts,
        sim: &Pure1Sim,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| {
                Pure1Fault::Forbidden(
                    "Missing access token: send Authorization: Bearer <access token>.".to_owned(),
                )
            })?;
        let refused = || Pure1Fault::Forbidden("Invalid or expired access token.".to_owned());
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<AccessTokenClaims>(
            token.trim(),
            &DecodingKey::from_secret(sim.signing_secret()),
            &validation,
        )
        .map_err(|_| refused())?
        .claims;
        let now = sim.clock().now_ms();
        let in_force = sim
            .lock()
            .tokens
            .get(&claims.jti)
            .is_some_and(|&expires| expires > now);
        if in_force { Ok(Caller) } else { Err(refused()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_seconds_and_in_milliseconds_mean_the_same_instant() {
        assert_eq!(as_ms(1_700_000_000), 1_700_000_000_000);
        assert_eq!(as_ms(1_700_000_000_000), 1_700_000_000_000);
    }
}
