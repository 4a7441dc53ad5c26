//! Credentials, and how each becomes an `Authorization` for API calls.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header};
use serde::Serialize;

use crate::keys::PrivateKey;

/// How long a signed ID token stays valid; it is exchanged at once.
const ID_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// An access token is renewed this long before the array would let it expire, or after four
/// fifths of its life when it lives less than five minutes.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

/// What an API client registered on the array needs to sign ID tokens.
#[derive(Debug, Clone)]
pub struct ApiClientCredentials {
    /// The API client's `id`, the ID token's audience.
    pub client_id: String,
    /// The API client's `key_id`, the ID token's `kid` header.
    pub key_id: String,
    /// The API client's `issuer`.
    pub issuer: String,
    /// The array administrator the access token acts as (`sub`).
    pub username: String,
    pub private_key: PrivateKey,
}

/// How the client proves who it is to an array.
#[derive(Clone)]
pub enum Credentials {
    /// An administrator's API token, exchanged for a REST session.
    ApiToken(String),
    /// An administrator's username and password, exchanged for a REST session. Meant only
    /// for first-time setup, such as creating an API token or API client.
    Password { username: String, password: String },
    /// An API client's private key: each access token comes from a freshly signed ID token.
    ApiClient(ApiClientCredentials),
    /// An ID token signed elsewhere, exchanged as it is. It cannot be renewed here, so calls
    /// fail once it expires.
    IdToken(String),
    /// An application registered in Pure1: its id (`pure1:apikey:…`, the ID token's `iss`)
    /// and the private key whose public half was registered.
    Pure1 {
        app_id: String,
        private_key: PrivateKey,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Credentials::Password { username, .. } => {
                write!(
                    f,
                    "Password {{ username: {username:?}, password: <redacted> }}"
                )
            }
            Credentials::ApiClient(client) => f.debug_tuple("ApiClient").field(client).finish(),
            Credentials::IdToken(_) => f.write_str("IdToken(<redacted>)"),
            Credentials::Pure1 { app_id, .. } => {
                write!(f, "Pure1 {{ app_id: {app_id:?}, private_key: <redacted> }}")
            }
        }
    }
}

/// A credential the array accepted, as a header to send on every call.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub header: &'static str,
    pub value: String,
    /// `None` for sessions: the array ends them when idle, and a 401 says so.
    pub renew_at: Option<Instant>,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("header", &self.header)
            .field("value", &"<redacted>")
            .field("renew_at", &self.renew_at)
            .finish()
    }
}

impl Authorization {
    pub fn session(token: String) -> Self {
        Self {
            header: shared::flasharray::AUTH_TOKEN_HEADER,
            value: token,
            renew_at: None,
        }
    }

    pub fn bearer(access_token: &str, expires_in: Duration) -> Self {
        Self {
            header: "authorization",
            value: format!("Bearer {access_token}"),
            renew_at: Some(Instant::now() + renewal_delay(expires_in)),
        }
    }

    pub fn is_fresh(&self) -> bool {
        self.renew_at
            .is_none_or(|renew_at| Instant::now() < renew_at)
    }
}

/// How long after issue an access token living `expires_in` is replaced.
fn renewal_delay(expires_in: Duration) -> Duration {
    expires_in.saturating_sub(RENEW_BEFORE_EXPIRY.min(expires_in / 5))
}

/// The claims of an ID token: Pure1's carry only `iss`, `iat` and `exp`.
#[derive(Debug, Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
    iat: u64,
    exp: u64,
}

/// Signs an ID token for the token exchange, acting as array user `username`: RS256,
/// `kid` = key id, `aud` = client id.
pub(crate) fn sign_id_token(
    client: &ApiClientCredentials,
    username: &str,
) -> Result<String, String> {
    let kid = Some(client.key_id.clone());
    let (aud, sub) = (Some(client.client_id.as_str()), Some(username));
    sign(&client.issuer, aud, sub, kid, &client.private_key)
}

/// Signs an ID token for Pure1's token exchange: RS256 with only `iss` (the application id),
/// `iat` and `exp`, in seconds as the official SDK sends them (Pure1 accepts both units).
pub(crate) fn sign_pure1_id_token(
    app_id: &str,
    private_key: &PrivateKey,
) -> Result<String, String> {
    sign(app_id, None, None, None, private_key)
}

/// Signs an RS256 ID token valid from now for [`ID_TOKEN_LIFETIME`], naming the key as `kid`
/// when given.
fn sign(
    iss: &str,
    aud: Option<&str>,
    sub: Option<&str>,
    kid: Option<String>,
    key: &PrivateKey,
) -> Result<String, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the system clock is before 1970".to_owned())?
        .as_secs();
    let claims = IdTokenClaims {
        iss,
        aud,
        sub,
        iat: now,
        exp: now + ID_TOKEN_LIFETIME.as_secs(),
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid;
    jsonwebtoken::encode(&header, &claims, &key.0)
        .map_err(|error| format!("cannot sign the ID token: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_are_renewed_before_they_expire() {
        assert_eq!(
            renewal_delay(Duration::from_secs(36_000)),
            Duration::from_secs(35_940)
        );
        assert_eq!(
            renewal_delay(Duration::from_secs(100)),
            Duration::from_secs(80)
        );
        assert_eq!(renewal_delay(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn credentials_never_print_secrets() {
        let printed = format!(
            "{:?} {:?}",
            Credentials::ApiToken("secret-token".into()),
            Credentials::Password {
                username: "pureuser".into(),
                password: "secret-password".into()
            }
        );
        assert!(!printed.contains("secret"), "{printed}");
    }
}
