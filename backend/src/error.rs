//! The backend's one error type, and how each error becomes an HTTP response.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::ApiError;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("Invalid username or password.")]
    BadCredentials,
    /// A personal API token that is unknown, expired or revoked.
    #[error("{0}")]
    TokenRefused(&'static str),
    #[error("Too many failed sign-ins. Try again in {}.", wait_in_words(*retry_after_secs))]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request came too late: someone else acted first, or it expired.
    #[error("{0}")]
    Conflict(String),
    /// Input the portal refused before it reached an array.
    #[error("{0}")]
    Invalid(ApiError),
    /// An array refused or failed; `field` names the request field the refusal is about.
    #[error("{error}")]
    Array {
        error: flasharray::Error,
        field: Option<&'static str>,
    },
    /// The portal is doing as much of this work as it does at once: try again later.
    #[error("{0}")]
    Busy(String),
    /// An array answered in a way the portal will not pass on.
    #[error("{0}")]
    BadGateway(String),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl From<flasharray::Error> for AppError {
    fn from(error: flasharray::Error) -> Self {
        AppError::Array { error, field: None }
    }
}

impl AppError {
    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials | AppError::TokenRefused(_) => {
                StatusCode::UNAUTHORIZED
            }
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Array {
                error: flasharray::Error::Busy { .. },
                ..
            } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Array { error, .. } => {
                refused_request(error).unwrap_or(StatusCode::BAD_GATEWAY)
            }
            AppError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = match &self {
            AppError::TooManyAttempts { retry_after_secs } => Some(retry_after_secs.to_string()),
            AppError::Array {
                error: flasharray::Error::Busy { .. },
                ..
            } => Some("1".to_owned()),
            AppError::Busy(_) => Some("30".to_owned()),
            _ => None,
        };
        let body = match self {
            AppError::Unauthenticated => ApiError::new("Sign in to continue."),
            AppError::BadCredentials
            | AppError::TooManyAttempts { .. }
            | AppError::TokenRefused(_) => ApiError::new(self.to_string()),
            AppError::Forbidden(message)
            | AppError::NotFound(message)
            | AppError::Conflict(message)
            | AppError::Busy(message)
            | AppError::BadGateway(message) => ApiError::new(message),
            AppError::Invalid(error) => error,
            AppError::Array { error, field } => array_error(&error, field),
            AppError::Database(error) => {
                tracing::error!(%error, "database error");
                ApiError::new("Internal error: the portal database failed.")
            }
            AppError::Internal(message) => {
                tracing::error!(%message, "internal error");
                ApiError::new("Internal error.")
            }
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(value) = retry_after.and_then(|text| header::HeaderValue::from_str(&text).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// The body for an array's failure: a refusal of the user's request keeps the array's
/// message (its status is kept by [`AppError::status`]); a failure of the portal's own link
/// to the array (credentials, network, TLS) is described as such, with a 502.
fn array_error(error: &flasharray::Error, field: Option<&'static str>) -> ApiError {
    let request_id = error.request_id().map(str::to_owned);
    if refused_request(error).is_some() {
        let message = error
            .array_errors()
            .iter()
            .map(|item| item.message.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        ApiError {
            message,
            field: field.map(str::to_owned),
            request_id,
        }
    } else {
        tracing::warn!(%error, "array call failed");
        ApiError {
            message: error.to_string(),
            // Set by a connection test: which setting the failed link is about.
            field: field.map(str::to_owned),
            request_id,
        }
    }
}

/// The status of an array's refusal of the user's request, which the portal passes on.
fn refused_request(error: &flasharray::Error) -> Option<StatusCode> {
    error
        .status()
        .filter(|status| (400..500).contains(status) && ![401, 403].contains(status))
        .and_then(|status| StatusCode::from_u16(status).ok())
        .filter(|_| matches!(error, flasharray::Error::Array { .. }))
}

/// A wait as people say it: seconds under a minute, minutes above.
fn wait_in_words(seconds: i64) -> String {
    if seconds < 60 {
        format!("{} second(s)", seconds.max(1))
    } else {
        format!("{} minute(s)", (seconds + 59) / 60)
    }
}
