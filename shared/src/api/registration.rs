//! Arrays registered through the portal (`POST /api/arrays`), and connection tests.

use serde::{Deserialize, Serialize};

use super::{ApiError, Identity};

/// `POST /api/arrays` and `POST /api/arrays/test`. The secrets go to the server once and
/// are stored encrypted; no endpoint ever returns them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterArrayRequest {
    pub name: String,
    /// `https://array.example.com`.
    pub url: String,
    /// PEM of the CA (or the array's own certificate) to trust; else the fingerprint, else
    /// the system's trusted certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    /// SHA-256 fingerprint of the array's certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_fingerprint: Option<String>,
    pub auth: RegisterAuth,
    #[serde(default)]
    pub identity: Identity,
}

/// The credential the portal uses on the array.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum RegisterAuth {
    ApiToken {
        api_token: String,
    },
    ApiClient {
        client_id: String,
        key_id: String,
        issuer: String,
        /// The array user the portal acts as (with service identity).
        username: String,
        /// PEM.
        private_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_key_password: Option<String>,
    },
}

impl std::fmt::Debug for RegisterArrayRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let method = match self.auth {
            RegisterAuth::ApiToken { .. } => "api_token",
            RegisterAuth::ApiClient { .. } => "api_client",
        };
        f.debug_struct("RegisterArrayRequest")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("auth", &method)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// What an array answered a connection test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionTest {
    /// The array's own name for itself.
    pub array_name: String,
    pub os: Option<String>,
    pub version: Option<String>,
    /// The REST version the portal and the array agreed on.
    pub rest_version: String,
}

/// Checks a registration before it is sent; the field of the first problem.
pub fn validate_register_array(request: &RegisterArrayRequest) -> Result<(), ApiError> {
    crate::names::validate_object_name("Array", &request.name)
        .map_err(|message| ApiError::for_field("name", message))?;
    crate::address::validate_array_url(&request.url)
        .map_err(|message| ApiError::for_field("url", message))?;
    if request.ca_pem.is_some() && request.tls_fingerprint.is_some() {
        return Err(ApiError::for_field(
            "tls_fingerprint",
            "Give a CA certificate or a fingerprint, not both.",
        ));
    }
    if let Some(pem) = &request.ca_pem
        && !pem.contains("-----BEGIN CERTIFICATE-----")
    {
        return Err(ApiError::for_field(
            "ca_pem",
            "Paste the certificate in PEM form (-----BEGIN CERTIFICATE-----).",
        ));
    }
    let required = |field: &str, value: &str, what: &str| {
        if value.trim().is_empty() {
            Err(ApiError::for_field(field, format!("{what} is required.")))
        } else {
            Ok(())
        }
    };
    match &request.auth {
        RegisterAuth::ApiToken { api_token } => required("api_token", api_token, "The API token"),
        RegisterAuth::ApiClient {
            client_id,
            key_id,
            issuer,
            username,
            private_key,
            ..
        } => {
            required("client_id", client_id, "The client id")?;
            required("key_id", key_id, "The key id")?;
            required("issuer", issuer, "The issuer")?;
            required("username", username, "The array username")?;
            required("private_key", private_key, "The private key")
        }
    }?;
    if request.identity == Identity::PerUser
        && matches!(request.auth, RegisterAuth::ApiToken { .. })
    {
        return Err(ApiError::for_field(
            "identity",
            "Per-user identity needs an API client: an API token always acts as its own administrator.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RegisterArrayRequest {
        RegisterArrayRequest {
            name: "fa-lab".into(),
            url: "https://fa-lab.example.com".into(),
            ca_pem: None,
            tls_fingerprint: None,
            auth: RegisterAuth::ApiToken {
                api_token: "secret-token-value".into(),
            },
            identity: Identity::Service,
        }
    }

    #[test]
    fn registrations_are_checked_field_by_field() {
        assert!(validate_register_array(&request()).is_ok());
        let field =
            |request: RegisterArrayRequest| validate_register_array(&request).unwrap_err().field;
        assert_eq!(
            field(RegisterArrayRequest {
                url: "http://fa".into(),
                ..request()
            })
            .as_deref(),
            Some("url")
        );
        assert_eq!(
            field(RegisterArrayRequest {
                identity: Identity::PerUser,
                ..request()
            })
            .as_deref(),
            Some("identity")
        );
        assert_eq!(
            field(RegisterArrayRequest {
                auth: RegisterAuth::ApiToken {
                    api_token: " ".into()
                },
                ..request()
            })
            .as_deref(),
            Some("api_token")
        );
    }

    #[test]
    fn debug_output_hides_the_credential() {
        assert!(!format!("{:?}", request()).contains("secret-token-value"));
        let with_key = RegisterArrayRequest {
            auth: RegisterAuth::ApiClient {
                client_id: "client".into(),
                key_id: "key".into(),
                issuer: "flashdeck".into(),
                username: "pureuser".into(),
                private_key: "-----BEGIN PRIVATE KEY-----secret-key".into(),
                private_key_password: Some("key-password".into()),
            },
            ..request()
        };
        let shown = format!("{with_key:?}");
        assert!(
            !shown.contains("secret-key") && !shown.contains("key-password"),
            "{shown}"
        );
    }
}
