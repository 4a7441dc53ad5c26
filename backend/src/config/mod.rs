//! The server's configuration: one typed struct, read from a TOML file and then overridden
//! by `FLASHDECK_*` environment variables laid over its table (`overlay.rs`).

mod env;
mod overlay;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

pub use env::Environment;

use serde::Deserialize;
use shared::api::{Action, Identity};

/// Everything the server needs to start.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to serve HTTP on.
    pub listen: SocketAddr,
    /// Where the SQLite database lives unless `database_url` says otherwise.
    pub data_dir: PathBuf,
    /// `sqlite://PATH`; defaults to `DATA_DIR/flashdeck.db`.
    pub database_url: Option<String>,
    /// The frontend built by trunk (holds `index.html`).
    pub frontend_dir: PathBuf,
    pub session: SessionConfig,
    pub limits: LimitsConfig,
    /// File holding the key (64 hex characters, `openssl rand -hex 32`) that encrypts the
    /// credentials of arrays registered in the portal. `FLASHDECK_SECRET_KEY` may give the
    /// key itself instead. Without either, arrays are registered in this file only.
    pub secret_key_file: Option<PathBuf>,
    /// Addresses of the TLS-terminating proxies in front of the portal, whose
    /// `X-Forwarded-For` and `X-Forwarded-Proto` are believed (for sign-in throttling and the
    /// cookie's `Secure`); from anyone else those headers are ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// Serve HTTPS with this certificate and key; without it, plain HTTP (behind a
    /// TLS-terminating proxy, say).
    pub tls: Option<TlsConfig>,
    /// The arrays the portal manages.
    #[serde(rename = "array")]
    pub arrays: Vec<ArrayConfig>,
    /// Pure1, read with an application id registered there; admins can also connect it in
    /// the portal when this is unset.
    pub pure1: Option<Pure1Config>,
    pub approvals: ApprovalsConfig,
    /// Single sign-on through an OpenID Connect provider.
    pub oidc: Option<OidcConfig>,
    pub notifications: NotificationsConfig,
    pub audit: AuditConfig,
}

/// Where the audit log is copied to, besides the database.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// `udp://HOST:PORT`, `tcp://HOST:PORT` or `tls://HOST:PORT`: every audit row as an RFC
    /// 5424 message, sent within a watch interval, caught up after the receiver is back.
    pub syslog_url: Option<String>,
    /// For `tls://`: the CA that signed the receiver's certificate (the system's otherwise).
    pub syslog_ca_file: Option<PathBuf>,
    /// The host name the messages carry (`HOSTNAME`, or `flashdeck`, otherwise).
    pub hostname: Option<String>,
    /// Every audit row also as a JSON line on standard output, for a container's log
    /// shipper (the logs themselves go to standard error).
    pub stdout_json: bool,
}

/// Telling people of what happens while nobody looks.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationsConfig {
    /// How often the arrays are watched (one call to each watched array per watch): also
    /// how long a replica that died may hold the watch before another takes it over.
    pub watch_interval_secs: u64,
    /// The portal's address as people reach it (`https://flashdeck.example.com`): mail
    /// links to the page where one acts on it.
    pub portal_url: Option<String>,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            watch_interval_secs: 60,
            portal_url: None,
        }
    }
}

/// An OpenID Connect provider people sign in with, and what its groups make them here.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; its `/.well-known/openid-configuration` says the rest.
    pub issuer: String,
    pub client_id: String,
    /// The client secret, from a file or a variable; none for a public client (PKCE alone).
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// How the client secret reaches the token endpoint (`client_secret_basic`, the default,
    /// or `client_secret_post`), as registered at the provider.
    #[serde(default)]
    pub token_endpoint_auth: TokenEndpointAuth,
    /// The portal's callback as registered at the provider:
    /// `https://PORTAL/api/auth/oidc/callback`.
    pub redirect_url: String,
    /// What the sign-in button says after "Sign in with".
    #[serde(default = "default_oidc_name")]
    pub display_name: String,
    #[serde(default = "default_oidc_scopes")]
    pub scopes: Vec<String>,
    /// The claim holding the user's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// The claim that becomes the portal username.
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The claim that becomes the array username on per-user arrays; the username if unset.
    #[serde(default)]
    pub array_username_claim: Option<String>,
    /// PEM file of the CA to trust for the provider; system roots otherwise.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Accept a provider (its issuer and the endpoints it names) over plain `http`: for labs.
    #[serde(default)]
    pub allow_http: bool,
    /// Whether local portal passwords still sign in; `break_glass_users` always may.
    #[serde(default = "default_true")]
    pub local_passwords: bool,
    /// The longest, in days, the provider's users' personal API tokens may last (at most
    /// `[session] max_api_token_days`): a token outlives the provider's say over its holder.
    #[serde(default)]
    pub max_token_days: Option<u32>,
    /// Local users who may sign in with their password when `local_passwords` is off.
    #[serde(default)]
    pub break_glass_users: Vec<String>,
    /// Which groups make which role, on which arrays. A user in none of them cannot sign in.
    #[serde(default)]
    pub groups: Vec<GroupMapping>,
}

/// How the portal authenticates at the provider's token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuth {
    /// HTTP Basic, with the client id and secret form-urlencoded first.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the request's form.
    ClientSecretPost,
}

/// Members of `group` get `role`, on `arrays` (every array when left out).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupMapping {
    pub group: String,
    pub role: shared::api::Role,
    #[serde(default)]
    pub arrays: Option<Vec<String>>,
}

fn default_oidc_name() -> String {
    "single sign-on".to_owned()
}

fn default_oidc_scopes() -> Vec<String> {
    ["openid", "profile", "email"].map(str::to_owned).to_vec()
}

fn default_groups_claim() -> String {
    "groups".to_owned()
}

fn default_username_claim() -> String {
    "preferred_username".to_owned()
}

fn default_true() -> bool {
    true
}

/// The two-person rule: changes that wait for a second person's approval.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalsConfig {
    /// Audited actions, such as `volume.eradicate`, that run only once someone else approves;
    /// a name no change is audited as is refused when the configuration is read.
    pub actions: Vec<Action>,
    /// A request nobody decided on in this time expires, running nothing.
    pub expiry_hours: u32,
}

impl Default for ApprovalsConfig {
    fn default() -> Self {
        Self {
            actions: Vec::new(),
            expiry_hours: 24,
        }
    }
}

/// Changes to users, held whenever anything is: otherwise one admin could make, or take
/// over, the second person who approves.
const USER_ADMINISTRATION: &[Action] = &[Action::UserCreate, Action::UserChange];

impl ApprovalsConfig {
    /// Refuses what the types allow but the rule cannot mean: holding a decision itself, or
    /// requests that expire at once.
    pub fn checked(&self) -> Result<Self, String> {
        if let Some(decision) = self.actions.iter().find(|action| !action.can_be_held()) {
            return Err(format!(
                "[approvals] actions names {decision}, a decision on a held change, which is never held itself"
            ));
        }
        if self.expiry_hours == 0 {
            return Err("[approvals] expiry_hours must be at least 1".to_owned());
        }
        Ok(self.clone())
    }

    pub fn requires(&self, action: Action) -> bool {
        self.held().any(|held| held == action)
    }

    /// Every action that waits for a second person: those named, and while any is, changes
    /// to users.
    pub fn held(&self) -> impl Iterator<Item = Action> {
        let users = if self.actions.is_empty() {
            &[][..]
        } else {
            USER_ADMINISTRATION
        };
        let named = self.actions.iter().copied();
        named.clone().chain(
            users
                .iter()
                .copied()
                .filter(move |action| !named.clone().any(|named| named == *action)),
        )
    }
}

/// Like the derived form, but a database URL (which may hold a password) shows its scheme only.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database_url = self
            .database_url
            .as_deref()
            .map(|url| format!("{}://<redacted>", url.split(':').next().unwrap_or_default()));
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &database_url)
            .field("frontend_dir", &self.frontend_dir)
            .field("session", &self.session)
            .field("limits", &self.limits)
            .field("secret_key_file", &self.secret_key_file)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("tls", &self.tls)
            .field("arrays", &self.arrays)
            .field("pure1", &self.pure1)
            .field("approvals", &self.approvals)
            .field("oidc", &self.oidc)
            .field("notifications", &self.notifications)
            .field("audit", &self.audit)
            .finish()
    }
}

/// Portal session lifetimes.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A session unused for this long ends.
    pub idle_timeout_minutes: u32,
    /// A session ends this long after login, however active.
    pub absolute_timeout_hours: u32,
    /// Mark the cookie `Secure`; set it when the portal is reached over HTTPS.
    pub secure_cookie: bool,
    /// The longest lifetime a personal API token may be given.
    pub max_api_token_days: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
            secure_cookie: false,
            max_api_token_days: 365,
        }
    }
}

/// Bounds on the work one request may cause.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Where several arrays are asked at once, how long each gets before it is reported
    /// as not answering.
    pub array_deadline_secs: u64,
    /// An API request still running after this long is answered 504 (a change it started
    /// still finishes and is audited).
    pub request_timeout_secs: u64,
    /// API requests served at once; more wait their turn. Health checks and metrics never wait.
    pub max_concurrent_requests: usize,
    /// How long the fleet dashboard's figures of an array are reused before it is asked again.
    pub fleet_cache_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            array_deadline_secs: 5,
            request_timeout_secs: 120,
            max_concurrent_requests: 256,
            fleet_cache_secs: 15,
        }
    }
}

/// Pure1's public REST API, read-only, with an application id registered in Pure1
/// (Administration → API Registration) and the private key whose public half was registered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pure1Config {
    #[serde(default = "default_pure1_url")]
    pub url: String,
    /// `pure1:apikey:…`.
    pub app_id: String,
    #[serde(default)]
    pub private_key_file: Option<PathBuf>,
    #[serde(default)]
    pub private_key_env: Option<String>,
    #[serde(default)]
    pub private_key_password_file: Option<PathBuf>,
    #[serde(default)]
    pub private_key_password_env: Option<String>,
    /// PEM file of the CA to trust for `url` (a TLS-inspecting proxy's); system roots otherwise.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_pure1_url() -> String {
    shared::pure1::DEFAULT_URL.to_owned()
}

/// The portal's own HTTPS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, the server's certificate first.
    pub certificate_file: PathBuf,
    /// PEM private key of that certificate (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// One array and how the portal authenticates to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrayConfig {
    pub name: String,
    /// `https://array.example.com`.
    pub url: String,
    /// PEM file of the CA (or the array's own self-signed certificate) to trust. Without it,
    /// `tls_fingerprint` or `tls_insecure`, the system's trusted certificates are used.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// SHA-256 fingerprint of the array's certificate (`openssl x509 -fingerprint -sha256`).
    #[serde(default)]
    pub tls_fingerprint: Option<String>,
    /// Accept any certificate. Encrypted but not authenticated: for labs only; logged at start.
    #[serde(default)]
    pub tls_insecure: bool,
    /// Use exactly this REST version (such as "2.36"); by default the highest both sides speak.
    #[serde(default)]
    pub rest_version: Option<String>,
    /// Give up connecting after this long.
    #[serde(default = "default_connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// Give up on a call, token exchange included, after this long.
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// Calls the portal makes to this array at once; more wait their turn.
    #[serde(default = "default_calls_at_once")]
    pub calls_at_once: usize,
    /// Calls that may wait for a turn; beyond them the portal answers 503 at once, so that a
    /// slow or dead array never takes more than its share of the portal.
    #[serde(default = "default_calls_waiting")]
    pub calls_waiting: usize,
    /// `service` (default): the array sees every portal user as the configured array user.
    /// `per_user`: as their own array user, so the array's audit log names the person;
    /// needs `api_client` authentication.
    #[serde(default)]
    pub identity: Identity,
    pub auth: ArrayAuthConfig,
}

/// Where the array credential comes from. Secrets are never written in the file itself:
/// each is read from a file (container secrets) or an environment variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum ArrayAuthConfig {
    ApiToken {
        #[serde(default)]
        api_token_file: Option<PathBuf>,
        #[serde(default)]
        api_token_env: Option<String>,
    },
    ApiClient {
        client_id: String,
        key_id: String,
        issuer: String,
        /// The array administrator the portal acts as.
        username: String,
        #[serde(default)]
        private_key_file: Option<PathBuf>,
        #[serde(default)]
        private_key_env: Option<String>,
        /// For an encrypted private key: where its password is.
        #[serde(default)]
        private_key_password_file: Option<PathBuf>,
        #[serde(default)]
        private_key_password_env: Option<String>,
    },
    /// An ID token signed elsewhere, exchanged as it is; calls fail once it expires.
    IdToken {
        #[serde(default)]
        id_token_file: Option<PathBuf>,
        #[serde(default)]
        id_token_env: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

fn default_connect_timeout_secs() -> u64 {
    5
}

fn default_calls_at_once() -> usize {
    flasharray::DEFAULT_CALLS_AT_ONCE
}

fn default_calls_waiting() -> usize {
    flasharray::DEFAULT_CALLS_WAITING
}

fn default_request_timeout_secs() -> u64 {
    30
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("flashdeck-data"),
            database_url: None,
            frontend_dir: PathBuf::from("frontend/dist"),
            session: SessionConfig::default(),
            limits: LimitsConfig::default(),
            secret_key_file: None,
            trusted_proxies: Vec::new(),
            tls: None,
            arrays: Vec::new(),
            pure1: None,
            approvals: ApprovalsConfig::default(),
            oidc: None,
            notifications: NotificationsConfig::default(),
            audit: AuditConfig::default(),
        }
    }
}

impl Config {
    /// Reads `path` if given (defaults otherwise), then applies `env`.
    pub fn load(path: Option<&Path>, env: &Environment) -> Result<Self, ConfigError> {
        let file = match path {
            Some(path) => Self::read(path)?,
            None => toml::Table::new(),
        };
        overlay::over(file, env)
    }

    /// The file's table, once it deserializes on its own: its errors are located in it.
    fn read(path: &Path) -> Result<toml::Table, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let refused = |message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        };
        Self::parse(&text).map_err(refused)?;
        toml::from_str(&text).map_err(|error: toml::de::Error| refused(error.to_string()))
    }

    /// Parses TOML; unknown keys are errors that name the key.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|error| error.to_string())
    }

    /// The database to open.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("flashdeck.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_a_database_password() {
        let config = Config::parse(r#"database_url = "postgres://flashdeck:hunter2@db/flashdeck""#)
            .expect("parses");
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://<redacted>"), "{shown}");
    }

    #[test]
    fn parses_both_auth_methods() {
        let config = Config::parse(
            r#"
            listen = "0.0.0.0:9000"
            [[array]]
            name = "fa-1"
            url = "https://fa-1.example.com"
            ca_file = "/etc/flashdeck/fa-1.pem"
            auth = { method = "api_token", api_token_file = "/run/secrets/fa-1-token" }
            [[array]]
            name = "fa-2"
            url = "https://fa-2.example.com"
            tls_fingerprint = "AB:CD"
            [array.auth]
            method = "api_client"
            client_id = "c"
            key_id = "k"
            issuer = "flashdeck"
            username = "pureuser"
            private_key_env = "FA2_KEY"
            "#,
        )
        .expect("parses");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.arrays.len(), 2);
        assert!(matches!(
            config.arrays[1].auth,
            ArrayAuthConfig::ApiClient { .. }
        ));
    }

    #[test]
    fn the_sample_configuration_parses() {
        let config = Config::parse(include_str!("../../../deploy/flashdeck.example.toml"))
            .expect("deploy/flashdeck.example.toml parses");
        assert!(config.tls.is_some());
        let [token, client] = &config.arrays[..] else {
            panic!("two arrays: {:?}", config.arrays);
        };
        assert!(matches!(token.auth, ArrayAuthConfig::ApiToken { .. }));
        assert!(matches!(client.auth, ArrayAuthConfig::ApiClient { .. }));
        assert_eq!(client.identity, Identity::PerUser);
        let approvals = config
            .approvals
            .checked()
            .expect("a rule the portal can keep");
        assert!(approvals.requires(Action::VolumeEradicate));
        let oidc = config.oidc.expect("single sign-on");
        assert_eq!(
            oidc.token_endpoint_auth,
            TokenEndpointAuth::ClientSecretBasic
        );
        assert!(!oidc.allow_http);
        assert_eq!(oidc.max_token_days, Some(30));
        let misspelt = Config::parse("[approvals]\nactions = [\"volume.eradikate\"]").unwrap_err();
        assert!(misspelt.contains("volume.eradikate"), "{misspelt}");
        let mut decisions = approvals;
        decisions.actions.push(Action::ApprovalApprove);
        assert!(decisions.checked().is_err());
    }

    #[test]
    fn unknown_keys_are_named() {
        let error = Config::parse("listne = \"0.0.0.0:1\"").unwrap_err();
        assert!(error.contains("listne"), "{error}");
    }

    #[test]
    fn the_database_defaults_to_sqlite_in_the_data_dir() {
        let config = Config {
            data_dir: "/var/lib/flashdeck".into(),
            ..Config::default()
        };
        assert_eq!(
            config.database_url(),
            "sqlite:///var/lib/flashdeck/flashdeck.db"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_is_a_configuration_or_a_reason(text in any::<String>()) {
            if let Err(message) = Config::parse(&text) {
                prop_assert!(!message.is_empty());
            }
        }

        #[test]
        fn settings_of_any_value_are_parsed_or_named(
            key in "listen|data_dir|database_url|trusted_proxies|session|limits|array",
            value in "\"[^\"\\\\]{0,20}\"|[0-9]{1,25}|true|\\[\\]|\\{\\}",
        ) {
            let _ = Config::parse(&format!("{key} = {value}"));
        }
    }
}
