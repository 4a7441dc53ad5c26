//! The portal's Pure1 connection (`/api/pure1`, admins) and what the dashboard shows of
//! Pure1 (`/api/fleet/pure1`).

use serde::{Deserialize, Serialize};

use super::ApiError;

/// Where the portal's Pure1 connection is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Pure1Source {
    /// The configuration file or `FLASHDECK_PURE1_*` variables: changed there only.
    Configuration,
    /// Connected by an admin in the portal, stored sealed.
    Portal,
}

/// `GET /api/pure1`. Never holds a private key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1Status {
    pub connected: bool,
    pub source: Option<Pure1Source>,
    pub url: Option<String>,
    pub app_id: Option<String>,
    /// The public half of the key pair the portal generated, to register in Pure1.
    pub generated_public_key: Option<String>,
    /// Whether the portal may store a connection (it has a secret key to seal it with).
    pub can_store: bool,
}

/// Which private key signs the portal's JWTs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pure1Key {
    /// The key pair the portal generated (`POST /api/pure1/key-pair`).
    Generated,
    /// One the admin has, PEM (PKCS#1 or PKCS#8, encrypted or not).
    PrivateKey {
        private_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_key_password: Option<String>,
    },
}

impl std::fmt::Debug for Pure1Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Generated => f.write_str("Generated"),
            Self::PrivateKey {
                private_key_password,
                ..
            } => f
                .debug_struct("PrivateKey")
                .field("private_key", &"<redacted>")
                .field(
                    "private_key_password",
                    &private_key_password.as_ref().map(|_| "<redacted>"),
                )
                .finish(),
        }
    }
}

/// `POST /api/pure1/test` and `PUT /api/pure1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1ConnectRequest {
    /// Pure1's address; [`crate::pure1::DEFAULT_URL`] when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `pure1:apikey:…`, as Pure1's API Registration shows it.
    pub app_id: String,
    pub key: Pure1Key,
    /// PEM of the CA to trust for `url` (a proxy's, or the simulator's); system roots when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
}

/// What a successful test saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1Test {
    pub arrays: Vec<String>,
}

/// `POST /api/pure1/key-pair`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1KeyPair {
    pub public_key: String,
}

/// The most a PEM given through the UI may hold.
const MAX_PEM_BYTES: usize = 64 * 1024;

/// Checks what can be checked without Pure1; each refusal names its field.
pub fn validate_pure1_connect(request: &Pure1ConnectRequest) -> Result<(), ApiError> {
    let app_id = request.app_id.trim();
    let key = app_id.strip_prefix("pure1:apikey:").unwrap_or_default();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::for_field(
            "app_id",
            "The application id looks like pure1:apikey:AuccHqCmfIYqBWcW: copy it from Pure1's Administration → API Registration.",
        ));
    }
    if let Some(url) = request.url.as_deref().filter(|url| !url.trim().is_empty())
        && !url.trim().starts_with("https://")
    {
        return Err(ApiError::for_field(
            "url",
            "Pure1's address must start with https://.",
        ));
    }
    if let Pure1Key::PrivateKey { private_key, .. } = &request.key {
        if private_key.trim().is_empty() {
            return Err(ApiError::for_field(
                "private_key",
                "Paste the private key (PEM).",
            ));
        }
        if private_key.len() > MAX_PEM_BYTES {
            return Err(ApiError::for_field(
                "private_key",
                "A private key is a few kilobytes of PEM; this is too long.",
            ));
        }
    }
    if request
        .ca_pem
        .as_ref()
        .is_some_and(|pem| pem.len() > MAX_PEM_BYTES)
    {
        return Err(ApiError::for_field(
            "ca_pem",
            "The CA certificate is too long.",
        ));
    }
    Ok(())
}

/// An array as Pure1 reports it, with its busy meter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1Array {
    pub name: String,
    pub fqdn: Option<String>,
    pub model: Option<String>,
    pub os: Option<String>,
    pub version: Option<String>,
    /// Registered in the portal too; `false`: seen by Pure1 only.
    pub managed: bool,
    /// `array_total_load` now (0.3 = 30 %).
    pub load_now: Option<f64>,
    /// Its 95th percentile over the last seven days.
    pub load_p95: Option<f64>,
}

/// An alert Pure1 reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1Alert {
    pub id: String,
    pub array: String,
    pub severity: String,
    pub state: String,
    pub summary: String,
    pub code: Option<i64>,
    pub component_name: Option<String>,
    /// `array` or `Pure1`.
    pub origin: Option<String>,
    pub created: Option<i64>,
}

/// `GET /api/fleet/pure1`: what Pure1 adds to the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pure1Fleet {
    pub connected: bool,
    /// When Pure1 was read (ms).
    pub as_of: Option<i64>,
    /// Why Pure1 could not be read, when it could not.
    pub error: Option<String>,
    pub arrays: Vec<Pure1Array>,
    /// Open alerts, newest first.
    pub alerts: Vec<Pure1Alert>,
}

impl Pure1Fleet {
    pub fn not_connected() -> Self {
        Self {
            connected: false,
            as_of: None,
            error: None,
            arrays: Vec::new(),
            alerts: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(app_id: &str) -> Pure1ConnectRequest {
        Pure1ConnectRequest {
            url: None,
            app_id: app_id.to_owned(),
            key: Pure1Key::Generated,
            ca_pem: None,
        }
    }

    #[test]
    fn refusals_name_the_field() {
        assert!(validate_pure1_connect(&request("pure1:apikey:AuccHqCmfIYqBWcW")).is_ok());
        for bad in ["", "apikey", "pure1:apikey:", "pure1:apikey:a b"] {
            let error = validate_pure1_connect(&request(bad)).expect_err(bad);
            assert_eq!(error.field.as_deref(), Some("app_id"));
        }
        let mut plain = request("pure1:apikey:A1");
        plain.url = Some("http://pure1.example.com".into());
        assert_eq!(
            validate_pure1_connect(&plain)
                .expect_err("http")
                .field
                .as_deref(),
            Some("url")
        );
        plain.url = None;
        plain.key = Pure1Key::PrivateKey {
            private_key: " ".into(),
            private_key_password: None,
        };
        assert_eq!(
            validate_pure1_connect(&plain)
                .expect_err("empty")
                .field
                .as_deref(),
            Some("private_key")
        );
    }

    #[test]
    fn debug_output_never_shows_the_private_key_or_its_password() {
        let mut connect = request("pure1:apikey:A1");
        connect.key = Pure1Key::PrivateKey {
            private_key: "-----BEGIN PRIVATE KEY-----secret-key".into(),
            private_key_password: Some("key-password".into()),
        };
        let shown = format!("{connect:?}");
        assert!(
            !shown.contains("secret-key") && !shown.contains("key-password"),
            "{shown}"
        );
        assert!(shown.contains("pure1:apikey:A1") && shown.contains("<redacted>"));
    }

    #[test]
    fn the_key_choice_is_tagged() {
        let text = serde_json::to_string(&Pure1Key::Generated).expect("JSON");
        assert_eq!(text, r#"{"kind":"generated"}"#);
    }
}
