//! The arrays the portal manages, each with its client, built from the configuration.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use flasharray::{
    ApiClientCredentials, ArrayClient, ClientConfig, Credentials, PrivateKey, TrustAnchor,
};
use shared::api::{ArraySummary, AuthMethod, Identity};

use crate::arrays::secrets::{read_secret, read_secret_file};
use crate::config::{ArrayAuthConfig, ArrayConfig};

/// How long shutdown waits for the arrays to end their REST sessions.
const LOGOUT_DEADLINE: Duration = Duration::from_secs(5);

/// One registered array.
#[derive(Debug)]
pub struct ArrayEntry {
    pub summary: ArraySummary,
    pub client: ArrayClient,
}

/// All registered arrays: the configuration file's in its order, then those registered in
/// the portal (see [`crate::arrays::registration`]), which come and go while the server runs.
#[derive(Debug, Default)]
pub struct ArrayRegistry {
    arrays: RwLock<Vec<Arc<ArrayEntry>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("array {array}: {reason}")]
    Config { array: String, reason: String },
    #[error("array {0} is configured twice")]
    Duplicate(String),
    #[error(transparent)]
    Client(#[from] flasharray::Error),
}

impl ArrayRegistry {
    /// Builds a client for each configured array, reading its secrets from files or the
    /// environment as configured.
    pub fn from_config(arrays: &[ArrayConfig]) -> Result<Self, RegistryError> {
        let registry = Self::default();
        for array in arrays {
            let config_error = |reason: String| RegistryError::Config {
                array: array.name.clone(),
                reason,
            };
            shared::address::validate_array_url(&array.url)
                .map_err(|reason| config_error(format!("url: {reason}")))?;
            let trust = trust_anchor(array).map_err(config_error)?;
            let (credentials, method) = match &array.auth {
                ArrayAuthConfig::ApiToken {
                    api_token_file,
                    api_token_env,
                } => {
                    let token = read_secret(
                        "API token",
                        api_token_file.as_deref(),
                        api_token_env.as_deref(),
                    )
                    .map_err(config_error)?;
                    (
                        Credentials::ApiToken(token.trim().to_owned()),
                        AuthMethod::ApiToken,
                    )
                }
                ArrayAuthConfig::ApiClient {
                    client_id,
                    key_id,
                    issuer,
                    username,
                    private_key_file,
                    private_key_env,
                    private_key_password_file,
                    private_key_password_env,
                } => {
                    let pem = read_secret(
                        "private key",
                        private_key_file.as_deref(),
                        private_key_env.as_deref(),
                    )
                    .map_err(config_error)?;
                    let password = match (private_key_password_file, private_key_password_env) {
                        (None, None) => None,
                        (file, env) => Some(
                            read_secret("private key password", file.as_deref(), env.as_deref())
                                .map_err(config_error)?,
                        ),
                    };
                    let password = password
                        .as_deref()
                        .map(|text| text.trim_end_matches(['\r', '\n']));
                    let private_key = PrivateKey::from_pem_with_password(pem.as_bytes(), password)
                        .map_err(|error| config_error(error.to_string()))?;
                    let client = ApiClientCredentials {
                        client_id: client_id.clone(),
                        key_id: key_id.clone(),
                        issuer: issuer.clone(),
                        username: username.clone(),
                        private_key,
                    };
                    (Credentials::ApiClient(client), AuthMethod::ApiClient)
                }
                ArrayAuthConfig::IdToken {
                    id_token_file,
                    id_token_env,
                } => {
                    let token = read_secret(
                        "ID token",
                        id_token_file.as_deref(),
                        id_token_env.as_deref(),
                    )
                    .map_err(config_error)?;
                    (
                        Credentials::IdToken(token.trim().to_owned()),
                        AuthMethod::ApiClient,
                    )
                }
            };
            let mut client_config = ClientConfig::new(&array.name, &array.url, credentials, trust);
            client_config.version = array.rest_version.clone();
            client_config.connect_timeout = Duration::from_secs(array.connect_timeout_secs);
            client_config.request_timeout = Duration::from_secs(array.request_timeout_secs);
            client_config.calls_at_once = array.calls_at_once.max(1);
            client_config.calls_waiting = array.calls_waiting;
            if array.identity == Identity::PerUser
                && !matches!(array.auth, ArrayAuthConfig::ApiClient { .. })
            {
                return Err(config_error(
                    "per_user identity needs api_client authentication: an API token always acts \
                     as the administrator it belongs to"
                        .to_owned(),
                ));
            }
            let client = ArrayClient::new(client_config)?;
            registry.register(client, method, array.identity)?;
        }
        Ok(registry)
    }

    /// Adds an array of the configuration file with a ready client.
    pub fn register(
        &self,
        client: ArrayClient,
        auth_method: AuthMethod,
        identity: Identity,
    ) -> Result<(), RegistryError> {
        self.add(client, auth_method, identity, false)
    }

    /// Adds an array with a ready client; `registered_in_portal` for those an admin added in
    /// the UI.
    pub fn add(
        &self,
        client: ArrayClient,
        auth_method: AuthMethod,
        identity: Identity,
        registered_in_portal: bool,
    ) -> Result<(), RegistryError> {
        let mut arrays = self.write();
        if arrays
            .iter()
            .any(|entry| entry.summary.name == client.name())
        {
            return Err(RegistryError::Duplicate(client.name().to_owned()));
        }
        let summary = ArraySummary {
            name: client.name().to_owned(),
            url: client.url().to_owned(),
            auth_method,
            identity,
            registered_in_portal,
        };
        arrays.push(Arc::new(ArrayEntry { summary, client }));
        Ok(())
    }

    /// Removes an array registered in the portal; configured arrays stay.
    pub fn remove_registered(&self, name: &str) -> Option<Arc<ArrayEntry>> {
        let mut arrays = self.write();
        let index = arrays
            .iter()
            .position(|entry| entry.summary.name == name && entry.summary.registered_in_portal)?;
        Some(arrays.remove(index))
    }

    pub fn get(&self, name: &str) -> Option<Arc<ArrayEntry>> {
        self.read()
            .iter()
            .find(|entry| entry.summary.name == name)
            .cloned()
    }

    pub fn summaries(&self) -> Vec<ArraySummary> {
        self.read()
            .iter()
            .map(|entry| entry.summary.clone())
            .collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<ArrayEntry>>> {
        self.arrays
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Arc<ArrayEntry>>> {
        self.arrays
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Ends every array's REST session, all at once; called on shutdown.
    pub async fn logout_all(&self) {
        let entries: Vec<Arc<ArrayEntry>> = self.read().clone();
        let mut logouts = tokio::task::JoinSet::new();
        for entry in entries {
            logouts.spawn(async move { entry.client.logout().await });
        }
        // Container runtimes kill a process that takes longer than 10 s to stop.
        if tokio::time::timeout(LOGOUT_DEADLINE, logouts.join_all())
            .await
            .is_err()
        {
            tracing::warn!(
                "some arrays did not answer the logout in time: their sessions are left to expire"
            );
        }
    }
}

fn trust_anchor(array: &ArrayConfig) -> Result<TrustAnchor, String> {
    match (&array.ca_file, &array.tls_fingerprint, array.tls_insecure) {
        (None, None, false) => Ok(TrustAnchor::System),
        (Some(path), None, false) => read_secret_file(path, "CA file").map(TrustAnchor::CaPem),
        (None, Some(fingerprint), false) => TrustAnchor::fingerprint(fingerprint),
        (None, None, true) => Ok(TrustAnchor::Insecure),
        _ => Err("set at most one of ca_file, tls_fingerprint and tls_insecure".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn registry(toml: &str) -> Result<ArrayRegistry, RegistryError> {
        ArrayRegistry::from_config(&Config::parse(toml).expect("parses").arrays)
    }

    #[test]
    fn trust_settings_are_exclusive_and_checked() {
        let both = r#"[[array]]
            name = "fa"
            url = "https://fa"
            tls_insecure = true
            tls_fingerprint = "00"
            auth = { method = "api_token", api_token_env = "UNUSED" }"#;
        let error = registry(both).unwrap_err().to_string();
        assert!(
            error.contains("at most one of ca_file, tls_fingerprint and tls_insecure"),
            "{error}"
        );
        let bad_fingerprint = both.replace("tls_insecure = true", "");
        let error = registry(&bad_fingerprint).unwrap_err().to_string();
        assert!(error.contains("not a SHA-256 fingerprint"), "{error}");
    }

    #[test]
    fn an_encrypted_key_without_its_password_says_so() {
        let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/flasharray/tests/fixtures/rsa-pkcs1-aes256.pem");
        let config = format!(
            r#"[[array]]
            name = "fa"
            url = "https://fa"
            auth = {{ method = "api_client", client_id = "c", key_id = "k", issuer = "i", username = "u", private_key_file = "{}" }}"#,
            key.display()
        );
        let error = registry(&config).unwrap_err().to_string();
        assert_eq!(
            error,
            "array fa: the private key is encrypted: give its password"
        );
        let password = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(password.path(), "not-the-password\n").expect("written");
        let wrong = config.replace(
            " }",
            &format!(
                r#", private_key_password_file = "{}" }}"#,
                password.path().display()
            ),
        );
        let error = registry(&wrong).unwrap_err().to_string();
        assert_eq!(error, "array fa: wrong password for the private key");
    }

    #[test]
    fn a_missing_secret_names_where_it_was_looked_for() {
        let error = registry(
            r#"[[array]]
            name = "fa"
            url = "https://fa"
            auth = { method = "api_client", client_id = "c", key_id = "k", issuer = "i", username = "u", private_key_file = "/nonexistent/key.pem" }"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("array fa: cannot read the private key from /nonexistent/key.pem"),
            "{error}"
        );
    }
}
