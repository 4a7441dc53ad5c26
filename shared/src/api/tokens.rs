//! Personal API tokens (`/api/tokens`): what a script signs in with, `Authorization: Bearer`,
//! and the header a REST root's login takes it in.

use serde::{Deserialize, Serialize};

use super::{ApiError, Role};

/// Every token starts with this, so secret scanners and people can tell one apart.
pub const TOKEN_PREFIX: &str = "fdk_";

/// The header in which an array's REST login takes an API token, and the portal's REST roots
/// a personal one.
pub const REST_API_TOKEN_HEADER: &str = "api-token";

/// The longest token name.
pub const MAX_TOKEN_NAME_CHARS: usize = 64;

/// The most tokens one user may hold at once.
pub const MAX_TOKENS_PER_USER: usize = 50;

/// `POST /api/tokens`: what the token may do, at most what its user may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTokenRequest {
    pub name: String,
    /// Days until the token stops working; at most the portal's `max_token_days`.
    pub expires_in_days: u32,
    pub role: Role,
    /// The arrays it may reach; `None`: every array its user may.
    #[serde(default)]
    pub arrays: Option<Vec<String>>,
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenSummary {
    pub id: i64,
    /// Whose token it is.
    pub username: String,
    pub name: String,
    pub role: Role,
    pub arrays: Option<Vec<String>>,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    /// The client address of its last use.
    pub last_used_from: Option<String>,
}

/// The answer to `POST /api/tokens`: the token, shown this once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: String,
    pub summary: TokenSummary,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &"<redacted>")
            .field("summary", &self.summary)
            .finish()
    }
}

/// Checks a new token's name and lifetime; its role and arrays are checked against its user.
pub fn validate_create_token(request: &CreateTokenRequest, max_days: u32) -> Result<(), ApiError> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(ApiError::for_field(
            "name",
            "Name the token after what uses it.",
        ));
    }
    if name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(ApiError::for_field(
            "name",
            format!("A token name is at most {MAX_TOKEN_NAME_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::for_field(
            "name",
            "A token name cannot hold control characters.",
        ));
    }
    if request.expires_in_days == 0 || request.expires_in_days > max_days {
        return Err(ApiError::for_field(
            "expires_in_days",
            format!("A token expires after 1 to {max_days} days."),
        ));
    }
    if request.arrays.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::for_field(
            "arrays",
            "Choose at least one array, or every array.",
        ));
    }
    Ok(())
}

/// Whether `text` has the shape of a portal token, before anything is looked up.
pub fn looks_like_token(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn request(name: &str, days: u32) -> CreateTokenRequest {
        CreateTokenRequest {
            name: name.to_owned(),
            expires_in_days: days,
            role: Role::Viewer,
            arrays: None,
        }
    }

    #[test]
    fn debug_output_hides_a_new_token() {
        let created = CreatedToken {
            token: "fdk_secret-token-value".into(),
            summary: TokenSummary {
                id: 1,
                username: "alice".into(),
                name: "nightly".into(),
                role: Role::Viewer,
                arrays: None,
                created_at: 0,
                expires_at: 1,
                last_used_at: None,
                last_used_from: None,
            },
        };
        let shown = format!("{created:?}");
        assert!(
            !shown.contains("secret-token-value") && shown.contains("nightly"),
            "{shown}"
        );
    }

    #[test]
    fn names_and_lifetimes_are_bounded() {
        assert!(validate_create_token(&request("nightly backup", 30), 365).is_ok());
        let field = |request: &CreateTokenRequest| {
            validate_create_token(request, 365)
                .expect_err("refused")
                .field
                .expect("field")
        };
        assert_eq!(field(&request(" ", 30)), "name");
        assert_eq!(field(&request(&"x".repeat(65), 30)), "name");
        assert_eq!(field(&request("tab\there", 30)), "name");
        assert_eq!(field(&request("ci", 0)), "expires_in_days");
        assert_eq!(field(&request("ci", 366)), "expires_in_days");
        let mut nowhere = request("ci", 30);
        nowhere.arrays = Some(Vec::new());
        assert_eq!(field(&nowhere), "arrays");
    }

    #[test]
    fn only_the_portal_token_shape_is_taken_for_one() {
        assert!(looks_like_token(&format!("fdk_{}", "a1".repeat(32))));
        assert!(!looks_like_token(&"a1".repeat(32)));
        assert!(!looks_like_token(&format!("fdk_{}", "a1".repeat(31))));
        assert!(!looks_like_token(&format!("fdk_{}z", "a1".repeat(31))));
    }

    proptest! {
        #[test]
        fn any_text_is_judged_without_panicking(text in ".{0,100}", days in 0u32..1000) {
            let _ = looks_like_token(&text);
            let _ = validate_create_token(&request(&text, days), 365);
        }
    }
}
