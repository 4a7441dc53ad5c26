//! Refusals as Pure1 words them: `{"errors": [{context, message}]}` for bad requests,
//! `{"message": …}` for 403 and 429, and OAuth 2.0 error bodies from the token endpoint.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pure1Fault {
    /// 400 or 404, about one parameter (`context`) or the request.
    Request {
        status: StatusCode,
        context: Option<String>,
        message: String,
    },
    /// 403: no access token, or one Pure1 no longer accepts. The SDK signs in again on it.
    Forbidden(String),
    /// 429 past the organisation's rate limit.
    TooManyRequests { retry_after_secs: u64 },
    /// The token endpoint's refusals.
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
}

impl Pure1Fault {
    pub fn bad(context: &str, message: impl Into<String>) -> Self {
        Pure1Fault::Request {
            status: StatusCode::BAD_REQUEST,
            context: Some(context.to_owned()),
            message: message.into(),
        }
    }

    pub fn invalid_client() -> Self {
        Pure1Fault::OAuth {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Invalid identity: JWT validation failed.".to_owned(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Pure1Fault::OAuth {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
        }
    }
}

impl IntoResponse for Pure1Fault {
    fn into_response(self) -> Response {
        match self {
            Pure1Fault::Request {
                status,
                context,
                message,
            } => {
                let item = match context {
                    Some(context) => json!({"context": context, "message": message}),
                    None => json!({"message": message}),
                };
                (status, Json(json!({"errors": [item]}))).into_response()
            }
            Pure1Fault::Forbidden(message) => {
                (StatusCode::FORBIDDEN, Json(json!({"message": message}))).into_response()
            }
            Pure1Fault::TooManyRequests { retry_after_secs } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({"message": "Rate limit exceeded: too many requests for the organization. Retry later."})),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                response
            }
            Pure1Fault::OAuth {
                status,
                error,
                description,
            } => (
                status,
                Json(json!({"error": error, "error_description": description})),
            )
                .into_response(),
        }
    }
}
