//! Refusals, rendered as an array renders them: the `{"errors": [...]}` envelope for
//! `/api/2.x`, and OAuth 2.0 error bodies for the token endpoint.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::flasharray::{ErrorItem, ErrorResponse, OAuthError};

/// A refusal of a REST 2.x request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFault {
    pub status: StatusCode,
    pub context: Option<String>,
    pub message: String,
}

impl ApiFault {
    pub fn bad_request(context: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            context: Some(context.into()),
            message: message.into(),
        }
    }

    /// A request-level refusal that concerns no single object.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            context: None,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            context: None,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            context: None,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            context: None,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiFault {
    fn into_response(self) -> Response {
        let body = ErrorResponse {
            errors: vec![ErrorItem {
                context: self.context,
                message: self.message,
            }],
        };
        (self.status, Json(body)).into_response()
    }
}

/// A refusal of `POST /oauth2/1.0/token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthFault {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl OAuthFault {
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
        }
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthFault {
    fn into_response(self) -> Response {
        let body = OAuthError {
            error: self.error.to_owned(),
            error_description: self.description,
        };
        (self.status, Json(body)).into_response()
    }
}
