//! Portal administration: users (`/api/users`) and the audit log (`/api/audit`).

use serde::{Deserialize, Serialize};

use super::{ApiError, Role};

/// The shortest password the portal accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted, so that no request makes the server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A portal user as an admin sees it (`GET /api/users`). No password hash, ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    /// The arrays the user may act on; `None`: every array.
    pub arrays: Option<Vec<String>>,
    /// The array username used on arrays set up for per-user identity; `None`: the username.
    pub array_username: Option<String>,
    /// Sessions open now.
    pub sessions: u64,
}

/// `POST /api/users`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUserRequest {
    pub username: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub arrays: Option<Vec<String>>,
    #[serde(default)]
    pub array_username: Option<String>,
}

impl std::fmt::Debug for CreateUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUserRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .field("arrays", &self.arrays)
            .finish_non_exhaustive()
    }
}

/// `PATCH /api/users/{name}`: only the fields present change. `arrays: Some(None)` gives
/// the user every array; `array_username: Some(None)` goes back to the portal username.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// A new password (a reset by an admin); the user's sessions end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub arrays: Option<Option<Vec<String>>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub array_username: Option<Option<String>>,
}

impl std::fmt::Debug for UserChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserChange")
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("arrays", &self.arrays)
            .field("array_username", &self.array_username)
            .finish()
    }
}

/// A present `null` is `Some(None)`, an absent field `None`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Checks a new user before it is sent: the field of the first problem, and what it is.
pub fn validate_create_user(request: &CreateUserRequest) -> Result<(), ApiError> {
    validate_username(&request.username)?;
    validate_password(&request.password)?;
    validate_array_scope(request.arrays.as_deref())?;
    if let Some(name) = &request.array_username {
        validate_array_username(name)?;
    }
    Ok(())
}

/// Checks a change before it is sent.
pub fn validate_user_change(change: &UserChange) -> Result<(), ApiError> {
    if let Some(password) = &change.password {
        validate_password(password)?;
    }
    if let Some(arrays) = &change.arrays {
        validate_array_scope(arrays.as_deref())?;
    }
    if let Some(Some(name)) = &change.array_username {
        validate_array_username(name)?;
    }
    Ok(())
}

/// Checks a username by the rules every portal user was created under, so that a sign-in
/// naming a user who cannot exist is refused before anything is recorded.
pub fn validate_username(username: &str) -> Result<(), ApiError> {
    crate::names::validate_object_name("User", username)
        .map_err(|message| ApiError::for_field("username", message))
}

pub fn validate_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::for_field(
            "password",
            format!("The password must be at least {MIN_PASSWORD_CHARS} characters long."),
        ));
    }
    validate_password_length(password)
}

/// Refuses a password longer than any a user can have, without judging it otherwise.
pub fn validate_password_length(password: &str) -> Result<(), ApiError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::for_field(
            "password",
            format!("The password is longer than {MAX_PASSWORD_BYTES} bytes."),
        ));
    }
    Ok(())
}

fn validate_array_scope(arrays: Option<&[String]>) -> Result<(), ApiError> {
    match arrays {
        Some([]) => Err(ApiError::for_field(
            "arrays",
            "Name at least one array, or give the user every array.",
        )),
        Some(names) => names.iter().try_for_each(|name| {
            crate::names::validate_object_name("Array", name)
                .map_err(|message| ApiError::for_field("arrays", message))
        }),
        None => Ok(()),
    }
}

/// Checks the name a user is known by on arrays of per-user identity, however it was given.
pub fn validate_array_username(name: &str) -> Result<(), ApiError> {
    crate::names::validate_object_name("Array username", name)
        .map_err(|message| ApiError::for_field("array_username", message))
}

/// What became of an audited request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    Success,
    Failure,
    /// Recorded before it reached the array, never completed: the portal stopped meanwhile.
    /// Whether the array applied it, its own audit log tells, under the request id.
    Unknown,
    /// Still running.
    Pending,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
            AuditOutcome::Unknown => "unknown",
            AuditOutcome::Pending => "pending",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            AuditOutcome::Success,
            AuditOutcome::Failure,
            AuditOutcome::Unknown,
            AuditOutcome::Pending,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == text)
    }
}

/// One audited request (`GET /api/audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Unix milliseconds.
    pub started_at_ms: i64,
    pub username: String,
    /// The name of the personal API token the request came with, if it did.
    #[serde(default)]
    pub token: Option<String>,
    pub array: Option<String>,
    /// Such as `volume.create`.
    pub action: String,
    /// What the action was on, such as the volume's name.
    pub target: String,
    /// The request body with every secret removed, as JSON.
    pub parameters: String,
    pub outcome: AuditOutcome,
    /// The HTTP status the portal answered.
    pub status: Option<u16>,
    /// The error message, the array's own when the array refused.
    pub message: Option<String>,
    pub duration_ms: Option<i64>,
    /// Sent to the array as `x-request-id`: the array's audit and logs carry it too.
    pub request_id: String,
}

/// Where the audit log is forwarded and how it goes (`GET /api/audit/forwarding`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditForwarding {
    /// Such as `tls://siem.example.com:6514`.
    pub destination: String,
    /// Rows the receiver has taken since forwarding began.
    pub forwarded: i64,
    /// Rows written and not yet taken.
    pub waiting: i64,
    /// Why the last try failed, when it did.
    pub last_error: Option<String>,
    /// Unix milliseconds of the last try.
    pub updated_at_ms: i64,
}

/// The filters of `GET /api/audit` and `GET /api/audit.csv`. Text filters match any part,
/// ignoring case; times are Unix milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<AuditOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ms: Option<i64>,
    /// Newest first; at most this many (default and cap 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Entries older than this id, for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_tells_absent_from_null() {
        let change: UserChange = serde_json::from_str(r#"{"arrays": null}"#).expect("parses");
        assert_eq!(change.arrays, Some(None));
        let change: UserChange = serde_json::from_str("{}").expect("parses");
        assert_eq!(change.arrays, None);
        let change: UserChange = serde_json::from_str(r#"{"arrays": ["fa-1"]}"#).expect("parses");
        assert_eq!(change.arrays, Some(Some(vec!["fa-1".to_owned()])));
    }

    #[test]
    fn new_users_are_checked_field_by_field() {
        let mut request = CreateUserRequest {
            username: "alice".into(),
            password: "short".into(),
            role: Role::Operator,
            arrays: None,
            array_username: None,
        };
        assert_eq!(
            validate_create_user(&request).unwrap_err().field.as_deref(),
            Some("password")
        );
        request.password = "long enough".into();
        request.arrays = Some(Vec::new());
        assert_eq!(
            validate_create_user(&request).unwrap_err().field.as_deref(),
            Some("arrays")
        );
        request.arrays = Some(vec!["fa-1".into()]);
        assert!(validate_create_user(&request).is_ok());
        request.username = "bad name".into();
        assert_eq!(
            validate_create_user(&request).unwrap_err().field.as_deref(),
            Some("username")
        );
    }

    #[test]
    fn debug_output_hides_passwords() {
        let change = UserChange {
            password: Some("hunter2hunter2".into()),
            ..UserChange::default()
        };
        assert!(!format!("{change:?}").contains("hunter2"));
        let create = CreateUserRequest {
            username: "alice".into(),
            password: "hunter2hunter2".into(),
            role: Role::Viewer,
            arrays: None,
            array_username: None,
        };
        let shown = format!("{create:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("alice"),
            "{shown}"
        );
    }
}
