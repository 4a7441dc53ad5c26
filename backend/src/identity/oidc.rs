//! Single sign-on with OpenID Connect: the authorization code flow with PKCE against a provider
//! found by discovery. The portal sends the browser to the provider with a random `state`, a
//! `nonce` and a PKCE challenge (all three sealed in a cookie of the browser that began, so
//! that only it can finish the sign-in, and nothing is stored until it comes back),
//! exchanges the code it gets back for an ID token (the client secret sent form-urlencoded in
//! HTTP Basic or in the form, redirects never followed), checks the token (the provider's key by `kid`, `iss`, `aud`, `exp`, the
//! nonce) and maps its groups claim to a role and arrays.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::api::Role;
use tokio::sync::Mutex;

use crate::arrays::secrets::SecretKey;
use crate::config::{GroupMapping, OidcConfig, TokenEndpointAuth};

/// How long the provider's discovery document and keys are reused before being read again
/// (a token signed with a key not among them has them read again at once).
const PROVIDER_TTL: Duration = Duration::from_secs(600);

/// What may go wrong signing someone in; every message is safe to show them.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider answered something unexpected: {0}")]
    Provider(String),
    #[error("the ID token was refused: {0}")]
    Token(String),
    #[error("{0}")]
    Refused(String),
    /// The provider vouches for them, but puts them in none of the mapped groups.
    #[error("{username} is in none of the groups that may use this portal; ask an admin.")]
    Unmapped {
        username: String,
        /// `issuer#subject`, as [`Mapped::subject`].
        subject: String,
    },
}

/// The most of the provider's own words (an OAuth error and its description, the name it
/// gives itself) that the portal repeats, wherever it shows or stores them.
pub const MAX_PROVIDER_TEXT_CHARS: usize = 200;

/// At most `max` characters of `text`, control characters left out, `…` marking a cut.
pub fn bounded(text: &str, max: usize) -> String {
    let mut kept: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(max.saturating_add(1))
        .collect();
    if kept.chars().count() > max {
        kept = kept.chars().take(max.saturating_sub(1)).collect();
        kept.push('…');
    }
    kept
}

/// What the provider said, as the portal repeats it.
pub fn provider_text(text: &str) -> String {
    bounded(text, MAX_PROVIDER_TEXT_CHARS)
}

/// The provider's discovery document, as far as the portal needs it.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

impl Discovery {
    /// Refuses endpoints the portal would reach (or send the browser to) over plain `http`,
    /// unless `allow_http`: a sign-in's code, tokens and keys would cross the network in clear.
    fn checked(&self, allow_http: bool) -> Result<(), String> {
        let endpoints = [
            ("authorization_endpoint", Some(&self.authorization_endpoint)),
            ("token_endpoint", Some(&self.token_endpoint)),
            ("jwks_uri", Some(&self.jwks_uri)),
            ("end_session_endpoint", self.end_session_endpoint.as_ref()),
        ];
        endpoints
            .into_iter()
            .filter_map(|(name, url)| Some((name, url?)))
            .try_for_each(|(name, url)| {
                checked_scheme(url, allow_http).map_err(|reason| format!("its {name} {reason}"))
            })
    }
}

/// Refuses a provider's address that is not `https`; plain `http` passes with `allow_http`.
fn checked_scheme(url: &str, allow_http: bool) -> Result<(), String> {
    let shown = provider_text(url);
    let parsed =
        reqwest::Url::parse(url).map_err(|error| format!("{shown:?} is no URL: {error}"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_http => Ok(()),
        "http" => Err(format!(
            "{shown} is plain http, which anyone on the way could read or change: use https, \
             or set oidc.allow_http = true (FLASHDECK_OIDC_ALLOW_HTTP) in a lab"
        )),
        other => Err(format!("{shown} is {other}:, not https")),
    }
}

#[derive(Debug, Clone)]
struct Provider {
    fetched: Instant,
    discovery: Discovery,
    keys: JwkSet,
}

/// Who signed in, as the portal will know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub username: String,
    /// `issuer#subject`.
    pub subject: String,
    pub role: Role,
    pub arrays: Option<Vec<String>>,
    pub array_username: Option<String>,
}

/// How long a sign-in may take at the provider.
pub const SIGN_IN_SECS: i64 = 600;

/// What a sealed challenge is bound to, so that nothing else sealed with the same key opens
/// as one (array names, the other owners, have no spaces).
const CHALLENGE_OWNER: &str = "oidc sign-in";

/// The sign-in's secrets: sent (state, nonce, the verifier's challenge) and kept, sealed, in
/// the browser that began the sign-in, so only that browser can finish it.
#[derive(Clone, Serialize, Deserialize)]
pub struct Challenge {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// When the sign-in began, in seconds since the Unix epoch.
    pub begun_at: i64,
}

impl Challenge {
    pub fn new(now: i64) -> Result<Self, OidcError> {
        let random = || {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)
                .map(|()| URL_SAFE_NO_PAD.encode(bytes))
                .map_err(|error| OidcError::Refused(format!("no randomness: {error}")))
        };
        Ok(Self {
            state: random()?,
            nonce: random()?,
            verifier: random()?,
            begun_at: now,
        })
    }

    /// The PKCE `S256` challenge of the verifier.
    pub fn code_challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.as_bytes()))
    }

    /// The challenge sealed for the browser's cookie: it cannot read or change it.
    pub fn seal(&self, key: &SecretKey) -> Result<String, OidcError> {
        let json = serde_json::to_string(self)
            .map_err(|error| OidcError::Refused(format!("cannot keep the sign-in: {error}")))?;
        key.seal(&json, CHALLENGE_OWNER)
            .map_err(|error| OidcError::Refused(format!("cannot keep the sign-in: {error}")))
    }

    /// What [`Self::seal`] sealed, unless it does not open with `key` or the sign-in began
    /// more than [`SIGN_IN_SECS`] before `now`.
    pub fn open(sealed: &str, key: &SecretKey, now: i64) -> Option<Self> {
        let json = key.open(sealed, CHALLENGE_OWNER).ok()?;
        serde_json::from_str::<Self>(&json)
            .ok()
            .filter(|challenge| (now - SIGN_IN_SECS..=now + 60).contains(&challenge.begun_at))
    }
}

/// The configured provider and the portal's client at it.
pub struct Oidc {
    pub config: OidcConfig,
    client_secret: Option<String>,
    /// Seals sign-ins under way when the portal has no secret key of its own.
    ephemeral_key: SecretKey,
    http: reqwest::Client,
    provider: Mutex<Option<Provider>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .field("client_id", &self.config.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Oidc {
    /// The client for `config`, its secret read from where the configuration says.
    pub fn from_config(config: &OidcConfig) -> Result<Self, String> {
        checked_scheme(&config.issuer, config.allow_http)
            .map_err(|reason| format!("[oidc] issuer {reason}"))?;
        let client_secret = match (&config.client_secret_file, &config.client_secret_env) {
            (None, None) => None,
            (file, env) => Some(
                crate::arrays::secrets::read_secret(
                    "OIDC client secret",
                    file.as_deref(),
                    env.as_deref(),
                )?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
            ),
        };
        let trust = match &config.ca_file {
            Some(path) => {
                flasharray::TrustAnchor::CaPem(std::fs::read_to_string(path).map_err(|error| {
                    format!("cannot read the OIDC ca_file {}: {error}", path.display())
                })?)
            }
            None => flasharray::TrustAnchor::System,
        };
        let tls = flasharray::client_config(&trust).map_err(|error| error.to_string())?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| format!("cannot build the OIDC client: {error}"))?;
        if config.groups.is_empty() {
            return Err(
                "[oidc] maps no groups ([[oidc.groups]]): nobody could sign in through it".into(),
            );
        }
        Ok(Self {
            config: config.clone(),
            client_secret,
            ephemeral_key: SecretKey::random().map_err(|error| error.to_string())?,
            http,
            provider: Mutex::new(None),
        })
    }

    /// The key that seals sign-ins under way: the portal's secret key, which every replica
    /// shares, or else one made at start, which only this process knows.
    pub fn sealing_key<'a>(&'a self, portal_key: Option<&'a SecretKey>) -> &'a SecretKey {
        portal_key.unwrap_or(&self.ephemeral_key)
    }

    async fn fetch_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let response =
            self.http.get(url).send().await.map_err(|error| {
                OidcError::Unreachable(provider_text(&format!("{url}: {error}")))
            })?;
        if !response.status().is_success() {
            return Err(OidcError::Provider(format!(
                "{} answered {}",
                provider_text(url),
                response.status()
            )));
        }
        read_json(response, url).await
    }

    /// The discovery document and keys, read again when older than [`PROVIDER_TTL`] or when
    /// `refresh` asks (a key id not among them).
    async fn provider(&self, refresh: bool) -> Result<Provider, OidcError> {
        let mut cached = self.provider.lock().await;
        if let Some(provider) = cached
            .as_ref()
            .filter(|provider| !refresh && provider.fetched.elapsed() < PROVIDER_TTL)
        {
            return Ok(provider.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.fetch_json(&url).await?;
        if discovery.issuer.trim_end_matches('/') != self.config.issuer.trim_end_matches('/') {
            return Err(OidcError::Provider(format!(
                "it names itself {}, not the configured issuer {}",
                provider_text(&discovery.issuer),
                self.config.issuer
            )));
        }
        discovery
            .checked(self.config.allow_http)
            .map_err(OidcError::Provider)?;
        let keys: JwkSet = self.fetch_json(&discovery.jwks_uri).await?;
        let provider = Provider {
            fetched: Instant::now(),
            discovery,
            keys,
        };
        *cached = Some(provider.clone());
        Ok(provider)
    }

    /// Where to send the browser to sign in.
    pub async fn authorization_url(&self, challenge: &Challenge) -> Result<String, OidcError> {
        let provider = self.provider(false).await?;
        let scopes = self.config.scopes.join(" ");
        let url = reqwest::Url::parse_with_params(
            &provider.discovery.authorization_endpoint,
            &[
                ("response_type", "code"),
                ("client_id", self.config.client_id.as_str()),
                ("redirect_uri", self.config.redirect_url.as_str()),
                ("scope", scopes.as_str()),
                ("state", challenge.state.as_str()),
                ("nonce", challenge.nonce.as_str()),
                ("code_challenge", challenge.code_challenge().as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
        .map_err(|error| OidcError::Provider(format!("authorization_endpoint: {error}")))?;
        Ok(url.into())
    }

    /// Trades the code for the ID token, and checks it.
    pub async fn sign_in(&self, code: &str, challenge: &Challenge) -> Result<Value, OidcError> {
        let provider = self.provider(false).await?;
        let request = self.token_request(&provider.discovery.token_endpoint, code, challenge);
        let response = request
            .send()
            .await
            .map_err(|error| OidcError::Unreachable(format!("token endpoint: {error}")))?;
        let status = response.status();
        let body: Value = read_json(response, "token endpoint").await?;
        if !status.is_success() {
            // The OAuth error's code and description, never the request (it held the secret).
            return Err(OidcError::Refused(format!(
                "the identity provider refused the sign-in: {} {}",
                provider_text(body["error"].as_str().unwrap_or("error")),
                provider_text(body["error_description"].as_str().unwrap_or_default())
            )));
        }
        let id_token = body["id_token"]
            .as_str()
            .ok_or_else(|| OidcError::Provider("the token answer holds no id_token".into()))?;
        let kid = decode_header(id_token)
            .map_err(|error| OidcError::Token(error.to_string()))?
            .kid;
        let keys = match kid.as_deref() {
            Some(kid) if provider.keys.find(kid).is_none() => self.provider(true).await?.keys,
            _ => provider.keys,
        };
        verify_id_token(
            id_token,
            &keys,
            &provider.discovery.issuer,
            &self.config.client_id,
            &challenge.nonce,
        )
    }

    /// The code's exchange at the token endpoint, the client authenticated as configured.
    fn token_request(
        &self,
        endpoint: &str,
        code: &str,
        challenge: &Challenge,
    ) -> reqwest::RequestBuilder {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_url.as_str()),
            ("code_verifier", challenge.verifier.as_str()),
            ("client_id", self.config.client_id.as_str()),
        ];
        let request = self.http.post(endpoint);
        match (&self.client_secret, self.config.token_endpoint_auth) {
            (None, _) => request.form(&form),
            (Some(secret), TokenEndpointAuth::ClientSecretPost) => {
                form.push(("client_secret", secret));
                request.form(&form)
            }
            // RFC 6749 §2.3.1: both are form-urlencoded before they become the Basic
            // credentials, so a secret with `+`, `/`, `=` or `%` reaches the provider intact.
            (Some(secret), TokenEndpointAuth::ClientSecretBasic) => request.form(&form).basic_auth(
                form_encoded(&self.config.client_id),
                Some(form_encoded(secret)),
            ),
        }
    }

    /// Where to send the browser to end its session at the provider too, when it says.
    pub async fn end_session_url(&self, back_to: &str) -> Option<String> {
        let provider = self.provider(false).await.ok()?;
        let endpoint = provider.discovery.end_session_endpoint?;
        reqwest::Url::parse_with_params(
            &endpoint,
            &[
                ("client_id", self.config.client_id.as_str()),
                ("post_logout_redirect_uri", back_to),
            ],
        )
        .ok()
        .map(Into::into)
    }

    /// The portal user an ID token's claims make: refused when no configured group matches.
    pub fn map(&self, claims: &Value) -> Result<Mapped, OidcError> {
        map_claims(&self.config, claims)
    }
}

fn form_encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The most a provider's answer (discovery, keys, tokens) may hold.
const MAX_PROVIDER_REPLY_BYTES: usize = 1024 * 1024;

/// A provider's JSON answer, read up to [`MAX_PROVIDER_REPLY_BYTES`].
async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, OidcError> {
    let failed = |error: &dyn std::fmt::Display| {
        OidcError::Provider(provider_text(&format!("{what}: {error}")))
    };
    let body = flasharray::read_body_within(response, MAX_PROVIDER_REPLY_BYTES)
        .await
        .map_err(|error| failed(&error))?;
    serde_json::from_slice(&body).map_err(|error| failed(&error))
}

/// Checks an ID token's signature against the provider's keys, its issuer, audience (and
/// authorized party), expiry and nonce; its claims when all hold.
pub fn verify_id_token(
    id_token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<Value, OidcError> {
    let refused = |error: jsonwebtoken::errors::Error| OidcError::Token(error.to_string());
    let header = decode_header(id_token).map_err(refused)?;
    let jwk = match header.kid.as_deref() {
        Some(kid) => keys.find(kid),
        None => keys.keys.first(),
    }
    .ok_or_else(|| OidcError::Token("signed with a key the provider does not publish".into()))?;
    let key = DecodingKey::from_jwk(jwk).map_err(refused)?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = decode::<Value>(id_token, &key, &validation)
        .map_err(refused)?
        .claims;
    // A token for several audiences was asked for by the one `azp` names; without it, or
    // naming another client, it may be another application's (OpenID Connect Core §3.1.3.7).
    let audiences = claims["aud"].as_array().map_or(1, Vec::len);
    match claims.get("azp") {
        Some(azp) if azp.as_str() != Some(client_id) => {
            return Err(OidcError::Token(
                "it was issued to another client (its azp)".into(),
            ));
        }
        None if audiences > 1 => {
            return Err(OidcError::Token(
                "it names several audiences and not which of them asked for it (azp)".into(),
            ));
        }
        _ => {}
    }
    if claims["nonce"].as_str() != Some(nonce) {
        return Err(OidcError::Token(
            "its nonce is not the one this sign-in sent (a replayed token?)".into(),
        ));
    }
    Ok(claims)
}

/// The role of the highest group the user is in, on the arrays of the groups that give it.
pub fn map_claims(config: &OidcConfig, claims: &Value) -> Result<Mapped, OidcError> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let subject = text("sub").ok_or_else(|| OidcError::Token("it names no subject".into()))?;
    let username = text(&config.username_claim).ok_or_else(|| {
        OidcError::Refused(format!(
            "The identity provider sent no {} claim to name you by.",
            config.username_claim
        ))
    })?;
    // The rule's message names the name only when it is short.
    shared::api::validate_username(&username).map_err(|error| {
        OidcError::Refused(format!(
            "Your name at the identity provider cannot be a portal username: {}",
            error.message
        ))
    })?;
    let groups: Vec<&str> = match claims.get(&config.groups_claim) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    };
    let matched: Vec<&GroupMapping> = config
        .groups
        .iter()
        .filter(|mapping| groups.contains(&mapping.group.as_str()))
        .collect();
    let subject = format!("{}#{subject}", config.issuer.trim_end_matches('/'));
    let Some(role) = matched.iter().map(|mapping| mapping.role).max() else {
        return Err(OidcError::Unmapped { username, subject });
    };
    let giving: Vec<&&GroupMapping> = matched
        .iter()
        .filter(|mapping| mapping.role == role)
        .collect();
    let arrays = if giving.iter().any(|mapping| mapping.arrays.is_none()) {
        None
    } else {
        let mut names: Vec<String> = giving
            .iter()
            .flat_map(|mapping| mapping.arrays.clone().unwrap_or_default())
            .collect();
        names.sort();
        names.dedup();
        Some(names)
    };
    let array_username = config
        .array_username_claim
        .as_deref()
        .and_then(text)
        .filter(|name| *name != username);
    // The same rules as an admin's choice: it becomes the `sub` the arrays are asked for.
    if let Some(name) = &array_username {
        shared::api::validate_array_username(name).map_err(|error| {
            OidcError::Refused(format!(
                "Your array username at the identity provider cannot be used: {}",
                error.message
            ))
        })?;
    }
    Ok(Mapped {
        subject,
        username,
        role,
        arrays,
        array_username,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    use serde_json::json;

    const ISSUER: &str = "https://sso.example.com";

    fn config() -> OidcConfig {
        let toml = r#"
            issuer = "https://sso.example.com"
            client_id = "flashdeck"
            redirect_url = "https://portal/api/auth/oidc/callback"
            array_username_claim = "array_user"
            [[groups]]
            group = "storage-admins"
            role = "admin"
            [[groups]]
            group = "dba"
            role = "operator"
            arrays = ["fa-prod-01"]
            [[groups]]
            group = "readers"
            role = "viewer"
        "#;
        toml::from_str(toml).expect("parses")
    }

    struct Signer {
        key: EncodingKey,
        keys: JwkSet,
    }

    fn new_signer() -> Signer {
        let (private_pem, _) = flasharray::PrivateKey::generate_pem().expect("key");
        let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("key");
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("jwk");
        jwk.common.key_id = Some("k1".into());
        Signer {
            key,
            keys: JwkSet { keys: vec![jwk] },
        }
    }

    fn token(signer: &Signer, claims: Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("k1".into());
        encode(&header, &claims, &signer.key).expect("signed")
    }

    fn claims(changes: Value) -> Value {
        let now = crate::clock::unix_now();
        let mut claims = json!({
            "iss": ISSUER, "aud": "flashdeck", "sub": "u-1", "exp": now + 300, "iat": now,
            "nonce": "n-1", "preferred_username": "alice", "groups": ["dba"],
        });
        for (name, value) in changes.as_object().expect("object") {
            claims[name] = value.clone();
        }
        claims
    }

    #[test]
    fn a_good_token_passes_and_every_bad_one_is_refused_with_its_reason() {
        let signer = new_signer();
        let verify = |claims: Value| {
            verify_id_token(
                &token(&signer, claims),
                &signer.keys,
                ISSUER,
                "flashdeck",
                "n-1",
            )
        };
        assert!(verify(claims(json!({}))).is_ok());
        let refusal = |changes: Value| verify(claims(changes)).expect_err("refused").to_string();
        assert!(refusal(json!({"aud": "someone-else"})).contains("ID token was refused"));
        assert!(refusal(json!({"iss": "https://evil.example.com"})).contains("refused"));
        assert!(refusal(json!({"exp": crate::clock::unix_now() - 3600})).contains("refused"));
        assert!(refusal(json!({"nonce": "n-2"})).contains("nonce"));
        let other = new_signer();
        let forged = token(&other, claims(json!({})));
        assert!(verify_id_token(&forged, &signer.keys, ISSUER, "flashdeck", "n-1").is_err());
    }

    #[test]
    fn a_token_for_several_audiences_must_name_this_client_as_its_authorized_party() {
        let signer = new_signer();
        let verify = |changes: Value| {
            verify_id_token(
                &token(&signer, claims(changes)),
                &signer.keys,
                ISSUER,
                "flashdeck",
                "n-1",
            )
        };
        assert!(verify(json!({"aud": ["flashdeck"]})).is_ok());
        assert!(verify(json!({"aud": ["flashdeck", "wiki"], "azp": "flashdeck"})).is_ok());
        assert!(verify(json!({"azp": "flashdeck"})).is_ok());
        let refusal = |changes: Value| verify(changes).expect_err("refused").to_string();
        assert!(refusal(json!({"aud": ["wiki", "flashdeck"]})).contains("azp"));
        assert!(refusal(json!({"aud": ["flashdeck", "wiki"], "azp": "wiki"})).contains("azp"));
        assert!(refusal(json!({"azp": "wiki"})).contains("another client"));
        assert!(refusal(json!({"azp": 7})).contains("another client"));
    }

    #[test]
    fn a_token_signed_with_another_algorithm_than_its_key_is_refused_without_a_panic() {
        let signer = new_signer();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let hmac = EncodingKey::from_secret(b"the public key, guessed");
        let forged = encode(&header, &claims(json!({})), &hmac).expect("signed");
        assert!(verify_id_token(&forged, &signer.keys, ISSUER, "flashdeck", "n-1").is_err());
        for garbage in ["", "a.b", "a.b.c", "..", "eyJhbGciOiJub25lIn0.e30."] {
            assert!(verify_id_token(garbage, &signer.keys, ISSUER, "flashdeck", "n-1").is_err());
        }
    }

    #[test]
    fn groups_give_the_highest_role_on_the_arrays_of_the_groups_giving_it() {
        let config = config();
        let mapped =
            map_claims(&config, &claims(json!({"groups": ["dba", "readers"]}))).expect("mapped");
        assert_eq!(mapped.role, Role::Operator);
        assert_eq!(mapped.arrays, Some(vec!["fa-prod-01".to_owned()]));
        assert_eq!(mapped.subject, "https://sso.example.com#u-1");
        let admin = map_claims(
            &config,
            &claims(json!({"groups": ["dba", "storage-admins"], "array_user": "pureuser-alice"})),
        )
        .expect("mapped");
        assert_eq!((admin.role, admin.arrays), (Role::Admin, None));
        assert_eq!(admin.array_username.as_deref(), Some("pureuser-alice"));
        let refused = map_claims(&config, &claims(json!({"groups": ["marketing"]})));
        let Err(OidcError::Unmapped { username, subject }) = refused else {
            panic!("refused as in no mapped group: {refused:?}");
        };
        assert_eq!(
            (username.as_str(), subject.as_str()),
            ("alice", "https://sso.example.com#u-1")
        );
        let nameless = map_claims(&config, &claims(json!({"preferred_username": null})));
        assert!(nameless.is_err());
    }

    #[test]
    fn array_usernames_from_the_provider_follow_the_portals_rules() {
        let config = config();
        for bad in [
            "pure user",
            "-alice",
            "alice;rm",
            "ålice",
            &"a".repeat(10_000),
        ] {
            let refused = map_claims(&config, &claims(json!({"array_user": bad})))
                .expect_err("refused")
                .to_string();
            assert!(refused.contains("array username"), "{refused}");
            assert!(refused.len() < 300, "{refused}");
        }
        let mapped =
            map_claims(&config, &claims(json!({"array_user": "alice-fa"}))).expect("mapped");
        assert_eq!(mapped.array_username.as_deref(), Some("alice-fa"));
    }

    #[test]
    fn a_sealed_sign_in_opens_only_with_its_key_within_ten_minutes() {
        let key = SecretKey::random().expect("key");
        let challenge = Challenge::new(1_000_000).expect("random");
        let sealed = challenge.seal(&key).expect("sealed");
        assert!(!sealed.contains(&challenge.verifier) && !sealed.contains(&challenge.state));
        let opened = Challenge::open(&sealed, &key, 1_000_000 + SIGN_IN_SECS).expect("opens");
        assert_eq!(
            (opened.state, opened.nonce, opened.verifier),
            (challenge.state, challenge.nonce, challenge.verifier)
        );
        assert!(Challenge::open(&sealed, &key, 1_000_001 + SIGN_IN_SECS).is_none());
        let other = SecretKey::random().expect("key");
        assert!(Challenge::open(&sealed, &other, 1_000_000).is_none());
        let array_secret = key.seal("{}", "fa-1").expect("sealed");
        assert!(Challenge::open(&array_secret, &key, 1_000_000).is_none());
        assert!(Challenge::open("v2:00", &key, 1_000_000).is_none());
    }

    #[test]
    fn a_provider_is_reached_over_https_unless_plain_http_is_allowed() {
        let discovery = |token_endpoint: &str| Discovery {
            issuer: ISSUER.into(),
            authorization_endpoint: format!("{ISSUER}/authorize"),
            token_endpoint: token_endpoint.into(),
            jwks_uri: format!("{ISSUER}/jwks"),
            end_session_endpoint: Some("http://sso.example.com/logout".into()),
        };
        let refused = discovery(&format!("{ISSUER}/token"))
            .checked(false)
            .expect_err("plain http");
        assert!(refused.contains("end_session_endpoint"), "{refused}");
        assert!(refused.contains("oidc.allow_http"), "{refused}");
        let token = discovery("http://sso.example.com/token").checked(false);
        assert!(token.expect_err("refused").contains("token_endpoint"));
        assert!(
            discovery("http://sso.example.com/token")
                .checked(true)
                .is_ok()
        );
        assert!(
            discovery("ftp://sso.example.com/token")
                .checked(true)
                .is_err()
        );
        assert!(discovery("/token").checked(true).is_err());

        let mut config = config();
        config.issuer = "http://sso.example.com".into();
        let refused = Oidc::from_config(&config).expect_err("plain http");
        assert!(
            refused.contains("issuer http://sso.example.com") && refused.contains("allow_http"),
            "{refused}"
        );
        config.allow_http = true;
        assert!(Oidc::from_config(&config).is_ok());
    }

    #[test]
    fn client_secrets_reach_the_token_endpoint_form_urlencoded_or_in_the_form() {
        let dir = tempfile::tempdir().expect("dir");
        let secret_file = dir.path().join("secret");
        std::fs::write(&secret_file, "a+b/c=d%e f\n").expect("secret");
        let mut config = config();
        config.client_id = "flash deck+1".into();
        config.client_secret_file = Some(secret_file);
        let challenge = Challenge::new(0).expect("random");
        let request = |config: &OidcConfig| {
            Oidc::from_config(config)
                .expect("client")
                .token_request("https://sso.example.com/token", "c-1", &challenge)
                .build()
                .expect("request")
        };
        let basic = request(&config);
        let header = basic.headers()[reqwest::header::AUTHORIZATION]
            .to_str()
            .expect("ascii");
        let credentials = base64::engine::general_purpose::STANDARD
            .decode(header.strip_prefix("Basic ").expect("basic"))
            .expect("base64");
        assert_eq!(
            String::from_utf8(credentials).expect("text"),
            "flash+deck%2B1:a%2Bb%2Fc%3Dd%25e+f"
        );
        let body = |request: &reqwest::Request| {
            String::from_utf8(
                request
                    .body()
                    .and_then(reqwest::Body::as_bytes)
                    .expect("a form")
                    .to_vec(),
            )
            .expect("text")
        };
        assert!(!body(&basic).contains("client_secret"));

        config.token_endpoint_auth = TokenEndpointAuth::ClientSecretPost;
        let post = request(&config);
        assert!(!post.headers().contains_key(reqwest::header::AUTHORIZATION));
        let form: Vec<(String, String)> = form_urlencoded::parse(body(&post).as_bytes())
            .into_owned()
            .collect();
        assert!(form.contains(&("client_secret".into(), "a+b/c=d%e f".into())));
        assert!(form.contains(&("client_id".into(), "flash deck+1".into())));
    }

    #[test]
    fn the_providers_words_are_cut_short_and_kept_printable() {
        assert_eq!(provider_text("access_denied"), "access_denied");
        let long = provider_text(&"é".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_PROVIDER_TEXT_CHARS);
        assert!(long.ends_with('…'));
        assert_eq!(provider_text("a\r\nb\u{1b}[31m"), "ab[31m");
        let refused = map_claims(
            &config(),
            &claims(json!({"preferred_username": "x".repeat(100_000)})),
        )
        .expect_err("refused")
        .to_string();
        assert!(refused.len() < 300, "{refused}");
    }

    #[test]
    fn pkce_challenges_are_the_verifiers_sha256() {
        let challenge = Challenge::new(0).expect("random");
        assert_eq!(challenge.verifier.len(), 43);
        assert_ne!(challenge.state, challenge.nonce);
        assert_eq!(
            challenge.code_challenge(),
            URL_SAFE_NO_PAD.encode(Sha256::digest(challenge.verifier.as_bytes()))
        );
    }
}
