//! What handlers take from a request: the authenticated caller, query parameters and JSON
//! bodies (malformed ones refused in the array's error envelope), and the `names` lists.

use std::sync::MutexGuard;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::flasharray::AUTH_TOKEN_HEADER;

use crate::error::ApiFault;
use crate::simulator::Simulator;
use crate::state::{ArrayState, Principal, Role};

/// A call to an authenticated `/api/2.x` endpoint: the array it reaches and who makes it.
#[derive(Debug, Clone)]
pub struct Call {
    sim: Simulator,
    caller: Principal,
}

impl Call {
    /// Refuses callers below `needed`, as an API client's `max_role` caps its tokens.
    pub(crate) fn require(&self, needed: Role) -> Result<(), ApiFault> {
        if self.caller.role >= needed {
            Ok(())
        } else {
            Err(ApiFault::forbidden(format!(
                "Insufficient privileges: this needs the {} role and the caller has {}.",
                needed.name(),
                self.caller.role.name()
            )))
        }
    }

    /// The administrator the array's audit trail names for the caller's changes.
    pub fn user(&self) -> &str {
        &self.caller.username
    }

    /// The array's time.
    pub fn now(&self) -> i64 {
        self.sim.clock.now_ms()
    }

    /// The array the call reaches.
    pub(crate) fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// The array's state, locked.
    pub fn lock(&self) -> MutexGuard<'_, ArrayState> {
        self.sim.lock()
    }
}

impl FromRequestParts<Simulator> for Call {
    type Rejection = ApiFault;

    async fn from_request_parts(
        parts: &mut Parts,
        sim: &Simulator,
    ) -> Result<Self, Self::Rejection> {
        let now = sim.clock.now_ms();
        let mut state = sim.lock();
        let caller = if let Some(token) = header_str(&parts.headers, AUTH_TOKEN_HEADER) {
            state.use_session(token, now).ok_or_else(|| {
                ApiFault::unauthorized("Invalid or expired session token. Log in again.")
            })
        } else if let Some(bearer) = header_str(&parts.headers, header::AUTHORIZATION.as_str())
            .and_then(|value| value.strip_prefix("Bearer "))
        {
            state
                .use_access_token(bearer.trim(), now)
                .ok_or_else(|| ApiFault::unauthorized("Invalid or expired access token."))
        } else {
            Err(ApiFault::unauthorized(
                "Authentication required: send an x-auth-token session or an Authorization: Bearer access token.",
            ))
        }?;
        drop(state);
        Ok(Call {
            sim: sim.clone(),
            caller,
        })
    }
}

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Query parameters, with malformed ones refused in the array's error envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiFault;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                ApiFault::invalid(format!(
                    "Invalid query parameters: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// A JSON body, with malformed ones refused in the array's error envelope. Every body of the
/// REST API is an object: another shape (an array of the fields in order, which serde would
/// take) is refused as an array refuses it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiFault;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let invalid = |reason: String| ApiFault::invalid(format!("Invalid request body: {reason}"));
        let Json(value) = Json::<serde_json::Value>::from_request(request, state)
            .await
            .map_err(|rejection| invalid(rejection.body_text()))?;
        if !value.is_object() {
            return Err(invalid("expected a JSON object.".to_owned()));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|error| invalid(error.to_string()))
    }
}

/// A JSON body the endpoint does not require: none at all (what the SDK sends when the call
/// has no body arguments) means the defaults.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiFault;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| ApiFault::invalid(rejection.body_text()))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        let invalid = |reason: String| ApiFault::invalid(format!("Invalid request body: {reason}"));
        let Json(value) = Json::<serde_json::Value>::from_bytes(&body)
            .map_err(|rejection| invalid(rejection.body_text()))?;
        if !value.is_object() {
            return Err(invalid("expected a JSON object.".to_owned()));
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(|error| invalid(error.to_string()))
    }
}

/// `?names=…`: the objects a change is for.
#[derive(Debug, Deserialize)]
pub struct NamesQuery {
    pub(crate) names: Option<String>,
}

impl NamesQuery {
    pub(crate) fn required(&self) -> Result<Vec<String>, ApiFault> {
        required_names(self.names.as_deref())
    }
}

/// `names=a,b,c` as a list; an empty or absent parameter is `None`.
pub(crate) fn split_names(names: Option<&str>) -> Option<Vec<String>> {
    let list: Vec<String> = names?
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect();
    (!list.is_empty()).then_some(list)
}

pub(crate) fn required_names(names: Option<&str>) -> Result<Vec<String>, ApiFault> {
    split_names(names).ok_or_else(|| ApiFault::invalid("Missing required parameter: names."))
}

/// The one name a call acts on.
pub(crate) fn single_name(names: Option<&str>, what: &str) -> Result<String, ApiFault> {
    match required_names(names)?.as_slice() {
        [name] => Ok(name.clone()),
        _ => Err(ApiFault::invalid(format!("Give exactly one {what}."))),
    }
}

/// Whether an item named `name` is among `names` (every item is, without a list).
pub(crate) fn named_in(names: Option<&[String]>, name: Option<&str>) -> bool {
    names.is_none_or(|names| name.is_some_and(|name| names.iter().any(|wanted| wanted == name)))
}
