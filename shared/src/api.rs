//! The portal's own HTTP API between the frontend and the backend (`/api/...`).

use serde::{Deserialize, Serialize};

use crate::flasharray::Volume;

/// Name of the session cookie; HttpOnly, so the frontend never reads it.
pub const SESSION_COOKIE: &str = "flashdeck_session";
/// Header every mutating request must carry. A cross-site form cannot set a custom header,
/// and a cross-site script cannot send one without a CORS preflight the backend refuses.
pub const CSRF_HEADER: &str = "x-flashdeck-csrf";
/// The value of [`CSRF_HEADER`].
pub const CSRF_HEADER_VALUE: &str = "1";

/// What a portal user may do. Ordered: each role may do everything the one before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [Role::Viewer, Role::Operator, Role::Admin]
            .into_iter()
            .find(|role| role.as_str() == text)
    }
}

/// `POST /api/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The signed-in user (`GET /api/auth/me`, and the answer to a login).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub username: String,
    pub role: Role,
}

/// How the backend authenticates to an array. Credentials themselves never leave the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// An administrator's API token, exchanged for a REST session at login.
    ApiToken,
    /// An API client: an RS256 ID token exchanged for an OAuth 2.0 access token.
    ApiClient,
}

impl AuthMethod {
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::ApiToken => "API token",
            AuthMethod::ApiClient => "API client (OAuth 2.0)",
        }
    }
}

/// A registered array, as the portal lists it (`GET /api/arrays`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArraySummary {
    pub name: String,
    pub url: String,
    pub auth_method: AuthMethod,
}

/// `GET /api/arrays/{array}/volumes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeList {
    pub items: Vec<Volume>,
    pub total_item_count: u64,
}

/// `POST /api/arrays/{array}/volumes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateVolumeRequest {
    pub name: String,
    /// Bytes; the frontend parses what the admin typed with [`crate::size::parse_volume_size`].
    pub provisioned: u64,
}

/// Every portal API error has this body; the HTTP status tells the category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// For a person: the array's own message when the array refused.
    pub message: String,
    /// The request field the message is about, so the UI can show it next to that field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The array's `x-request-id` when the error came from an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: None,
            request_id: None,
        }
    }

    pub fn for_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: Some(field.to_owned()),
            request_id: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks a volume creation request as both the frontend and the backend do before it
/// reaches an array.
pub fn validate_create_volume(request: &CreateVolumeRequest) -> Result<(), ApiError> {
    crate::names::validate_object_name("Volume", &request.name)
        .map_err(|message| ApiError::for_field("name", message))?;
    crate::size::validate_volume_size(request.provisioned)
        .map_err(|error| ApiError::for_field("provisioned", error.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        assert_eq!(Role::parse("operator"), Some(Role::Operator));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn create_volume_errors_name_the_field() {
        let bad_name = CreateVolumeRequest {
            name: "-x".into(),
            provisioned: 1 << 20,
        };
        assert_eq!(
            validate_create_volume(&bad_name)
                .unwrap_err()
                .field
                .as_deref(),
            Some("name")
        );
        let bad_size = CreateVolumeRequest {
            name: "x".into(),
            provisioned: 1000,
        };
        assert_eq!(
            validate_create_volume(&bad_size)
                .unwrap_err()
                .field
                .as_deref(),
            Some("provisioned")
        );
    }
}
