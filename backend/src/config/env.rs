//! `FLASHDECK_*` environment variables over the file: every setting has one, every secret
//! can also come from a file named by `…_FILE` (as container secrets are mounted), and
//! arrays can be defined entirely by `FLASHDECK_ARRAY_<ID>_<SETTING>` variables.

use std::collections::BTreeMap;
use std::ffi::OsString;

use super::{ArrayConfig, Config, ConfigError, Pure1Config, TlsConfig};
use crate::arrays::secrets::SecretKey;

const ARRAY_PREFIX: &str = "FLASHDECK_ARRAY_";
const PURE1_PREFIX: &str = "FLASHDECK_PURE1_";
const OIDC_PREFIX: &str = "FLASHDECK_OIDC_";

/// One array's `(SETTING, value)` pairs.
type ArraySettings<'a> = Vec<(&'a str, &'a str)>;

/// A snapshot of the environment: the process's, or a test's own. It holds secrets, so
/// `Debug` shows the variables' names only.
#[derive(Clone, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_set().entries(self.vars.keys()).finish()
    }
}

impl Environment {
    /// The process environment; variables whose name or value is not UTF-8 are not ours.
    pub fn from_process() -> Self {
        let text = |value: OsString| value.into_string().ok();
        Self {
            vars: std::env::vars_os()
                .filter_map(|(name, value)| Some((text(name)?, text(value)?)))
                .collect(),
        }
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A secret given as `NAME` itself or as the contents of the file `NAME_FILE` names
    /// (its trailing newline dropped); both at once is an error.
    pub fn secret(&self, name: &str) -> Result<Option<String>, ConfigError> {
        self.one_of_secret_or_file(name)?;
        let file_var = format!("{name}_FILE");
        match (self.get(name), self.get(&file_var)) {
            (Some(value), _) => Ok(Some(value.to_owned())),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|text| Some(text.trim_end_matches(['\r', '\n']).to_owned()))
                .map_err(|error| ConfigError::Env {
                    name: file_var,
                    message: format!("cannot read {path}: {error}"),
                }),
            (None, None) => Ok(None),
        }
    }

    /// Refuses `NAME` and `NAME_FILE` both set: which one wins would be a guess.
    fn one_of_secret_or_file(&self, name: &str) -> Result<(), ConfigError> {
        let file_var = format!("{name}_FILE");
        if self.get(name).is_some() && self.get(&file_var).is_some() {
            return Err(ConfigError::Env {
                name: file_var,
                message: format!("set either {name} or {name}_FILE, not both"),
            });
        }
        Ok(())
    }

    /// `name` parsed as `T`, if set; an error naming it if it does not parse.
    fn parsed<T: std::str::FromStr>(
        &self,
        name: &str,
        expected: &str,
    ) -> Result<Option<T>, ConfigError> {
        self.get(name)
            .map(|text| {
                text.trim().parse().map_err(|_| ConfigError::Env {
                    name: name.to_owned(),
                    message: format!("{text:?} is not {expected}"),
                })
            })
            .transpose()
    }

    /// `FLASHDECK_ADMIN_USERNAME` and `FLASHDECK_ADMIN_PASSWORD` (or `…_PASSWORD_FILE`): the
    /// first admin, made on a first start with no users.
    pub fn first_admin(&self) -> Result<Option<(String, String)>, ConfigError> {
        let username = self.get("FLASHDECK_ADMIN_USERNAME").unwrap_or_default();
        let password = self.secret("FLASHDECK_ADMIN_PASSWORD")?.unwrap_or_default();
        if username.is_empty() || password.is_empty() {
            return Ok(None);
        }
        // Checked as every user is, so that the first admin can sign in at all.
        for (name, checked) in [
            (
                "FLASHDECK_ADMIN_USERNAME",
                shared::api::validate_username(username),
            ),
            (
                "FLASHDECK_ADMIN_PASSWORD",
                shared::api::validate_password(&password),
            ),
        ] {
            checked.map_err(|error| ConfigError::Env {
                name: name.to_owned(),
                message: error.message,
            })?;
        }
        Ok(Some((username.to_owned(), password)))
    }

    /// The `FLASHDECK_ARRAY_<ID>_<SETTING>` variables, grouped by `<ID>`.
    fn array_groups(&self) -> Result<BTreeMap<&str, ArraySettings<'_>>, ConfigError> {
        let mut groups: BTreeMap<&str, ArraySettings<'_>> = BTreeMap::new();
        for (name, value) in &self.vars {
            let Some(rest) = name.strip_prefix(ARRAY_PREFIX) else {
                continue;
            };
            let Some((id, setting)) = rest.split_once('_').filter(|(id, setting)| {
                !id.is_empty()
                    && !setting.is_empty()
                    && id.chars().all(|c| c.is_ascii_alphanumeric())
            }) else {
                return Err(ConfigError::Env {
                    name: name.clone(),
                    message: format!(
                        "array variables are named {ARRAY_PREFIX}<ID>_<SETTING>, with a letters-and-digits ID such as FA1"
                    ),
                });
            };
            groups.entry(id).or_default().push((setting, value));
        }
        Ok(groups)
    }
}

/// One array's settings from its variables, as the table `[[array]]` would hold them.
fn array_from_env(id: &str, settings: &[(&str, &str)]) -> Result<ArrayConfig, ConfigError> {
    let variable = |setting: &str| format!("{ARRAY_PREFIX}{id}_{setting}");
    let mut array = toml::Table::new();
    let mut auth = toml::Table::new();
    array.insert("name".into(), id.to_ascii_lowercase().into());
    for &(setting, value) in settings {
        let invalid = |expected: &str| ConfigError::Env {
            name: variable(setting),
            message: format!("{value:?} is not {expected}"),
        };
        let (table, key, value): (&mut toml::Table, String, toml::Value) = match setting {
            "NAME" | "URL" | "CA_FILE" | "TLS_FINGERPRINT" | "REST_VERSION" | "IDENTITY" => {
                (&mut array, setting.to_owned(), value.into())
            }
            "TLS_INSECURE" => (
                &mut array,
                setting.to_owned(),
                value
                    .parse::<bool>()
                    .map_err(|_| invalid("true or false"))?
                    .into(),
            ),
            "CONNECT_TIMEOUT_SECS" | "REQUEST_TIMEOUT_SECS" => (
                &mut array,
                setting.to_owned(),
                value
                    .parse::<u32>()
                    .map_err(|_| invalid("a number of seconds"))?
                    .into(),
            ),
            "AUTH_METHOD" => (&mut auth, "METHOD".to_owned(), value.into()),
            "CLIENT_ID"
            | "KEY_ID"
            | "ISSUER"
            | "USERNAME"
            | "API_TOKEN_FILE"
            | "PRIVATE_KEY_FILE"
            | "PRIVATE_KEY_PASSWORD_FILE"
            | "ID_TOKEN_FILE" => (&mut auth, setting.to_owned(), value.into()),
            // The secret itself stays in the environment; the array reads it from there.
            "API_TOKEN" | "PRIVATE_KEY" | "PRIVATE_KEY_PASSWORD" | "ID_TOKEN" => (
                &mut auth,
                format!("{setting}_ENV"),
                variable(setting).into(),
            ),
            _ => {
                return Err(ConfigError::Env {
                    name: variable(setting),
                    message: format!(
                        "{setting} is not an array setting: use NAME, URL, CA_FILE, TLS_FINGERPRINT, \
                         TLS_INSECURE, REST_VERSION, CONNECT_TIMEOUT_SECS, REQUEST_TIMEOUT_SECS, \
                         IDENTITY, AUTH_METHOD, API_TOKEN(_FILE), CLIENT_ID, KEY_ID, ISSUER, \
                         USERNAME, PRIVATE_KEY(_FILE), PRIVATE_KEY_PASSWORD(_FILE) or ID_TOKEN(_FILE)"
                    ),
                });
            }
        };
        table.insert(key.to_ascii_lowercase(), value);
    }
    if !auth.contains_key("method") {
        let method = if auth.contains_key("client_id") {
            "api_client"
        } else if auth.keys().any(|key| key.starts_with("id_token")) {
            "id_token"
        } else {
            "api_token"
        };
        auth.insert("method".into(), method.into());
    }
    array.insert("auth".into(), auth.into());
    toml::Value::Table(array)
        .try_into()
        .map_err(|error: toml::de::Error| ConfigError::Env {
            name: variable("*"),
            message: error.message().replace("`auth`", "the auth settings"),
        })
}

impl Config {
    /// Applies the `FLASHDECK_*` variables over the file's values, and adds the arrays that
    /// `FLASHDECK_ARRAY_<ID>_*` variables define.
    pub fn with_env(mut self, env: &Environment) -> Result<Self, ConfigError> {
        if let Some(listen) = env.parsed("FLASHDECK_LISTEN", "an address such as 0.0.0.0:8080")? {
            self.listen = listen;
        }
        if let Some(dir) = env.get("FLASHDECK_DATA_DIR") {
            self.data_dir = dir.into();
        }
        if let Some(url) = env.secret("FLASHDECK_DATABASE_URL")? {
            self.database_url = Some(url);
        }
        if let Some(dir) = env.get("FLASHDECK_FRONTEND_DIR") {
            self.frontend_dir = dir.into();
        }
        env.one_of_secret_or_file("FLASHDECK_SECRET_KEY")?;
        if let Some(path) = env.get("FLASHDECK_SECRET_KEY_FILE") {
            self.secret_key_file = Some(path.into());
        }
        if let Some(list) = env.get("FLASHDECK_TRUSTED_PROXIES") {
            self.trusted_proxies = list
                .split(',')
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(|text| text.parse())
                .collect::<Result<_, _>>()
                .map_err(|_| ConfigError::Env {
                    name: "FLASHDECK_TRUSTED_PROXIES".to_owned(),
                    message: format!("{list:?} is not a comma-separated list of IP addresses"),
                })?;
        }
        self.apply_tls_env(env)?;
        if let Some(minutes) = env.parsed(
            "FLASHDECK_SESSION_IDLE_TIMEOUT_MINUTES",
            "a number of minutes",
        )? {
            self.session.idle_timeout_minutes = minutes;
        }
        if let Some(hours) = env.parsed(
            "FLASHDECK_SESSION_ABSOLUTE_TIMEOUT_HOURS",
            "a number of hours",
        )? {
            self.session.absolute_timeout_hours = hours;
        }
        if let Some(secure) = env.parsed("FLASHDECK_SESSION_SECURE_COOKIE", "true or false")? {
            self.session.secure_cookie = secure;
        }
        if let Some(days) =
            env.parsed("FLASHDECK_SESSION_MAX_API_TOKEN_DAYS", "a number of days")?
        {
            self.session.max_api_token_days = days;
        }
        if let Some(list) = env.get("FLASHDECK_APPROVALS_ACTIONS") {
            self.approvals.actions = list
                .split(',')
                .map(str::trim)
                .filter(|action| !action.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(hours) = env.parsed("FLASHDECK_APPROVALS_EXPIRY_HOURS", "a number of hours")? {
            self.approvals.expiry_hours = hours;
        }
        if let Some(secs) = env.parsed(
            "FLASHDECK_LIMITS_ARRAY_DEADLINE_SECS",
            "a number of seconds",
        )? {
            self.limits.array_deadline_secs = secs;
        }
        if let Some(secs) = env.parsed(
            "FLASHDECK_LIMITS_REQUEST_TIMEOUT_SECS",
            "a number of seconds",
        )? {
            self.limits.request_timeout_secs = secs;
        }
        if let Some(count) = env.parsed(
            "FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS",
            "a number of requests",
        )? {
            self.limits.max_concurrent_requests = count;
        }
        if let Some(secs) =
            env.parsed("FLASHDECK_LIMITS_FLEET_CACHE_SECS", "a number of seconds")?
        {
            self.limits.fleet_cache_secs = secs;
        }
        self.apply_pure1_env(env)?;
        self.apply_oidc_env(env)?;
        for (id, settings) in env.array_groups()? {
            let array = array_from_env(id, &settings)?;
            if self.arrays.iter().any(|other| other.name == array.name) {
                return Err(ConfigError::Env {
                    name: format!("{ARRAY_PREFIX}{id}_*"),
                    message: format!(
                        "array {:?} is also in the configuration file: define each array in one place",
                        array.name
                    ),
                });
            }
            self.arrays.push(array);
        }
        Ok(self)
    }

    /// `FLASHDECK_PURE1_URL`, `_APP_ID`, `_PRIVATE_KEY(_FILE)`, `_PRIVATE_KEY_PASSWORD(_FILE)`
    /// and `_CA_FILE`, over (or instead of) the file's `[pure1]`.
    fn apply_pure1_env(&mut self, env: &Environment) -> Result<(), ConfigError> {
        const KNOWN: [&str; 7] = [
            "URL",
            "APP_ID",
            "PRIVATE_KEY",
            "PRIVATE_KEY_FILE",
            "PRIVATE_KEY_PASSWORD",
            "PRIVATE_KEY_PASSWORD_FILE",
            "CA_FILE",
        ];
        let set: Vec<(&str, &str)> = env
            .vars
            .iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(PURE1_PREFIX)?, value.as_str())))
            .collect();
        if set.is_empty() {
            return Ok(());
        }
        if let Some((unknown, _)) = set.iter().find(|(setting, _)| !KNOWN.contains(setting)) {
            return Err(ConfigError::Env {
                name: format!("{PURE1_PREFIX}{unknown}"),
                message: format!(
                    "not a Pure1 setting: use {PURE1_PREFIX}{}",
                    KNOWN.join(&format!(", {PURE1_PREFIX}"))
                ),
            });
        }
        for name in ["PRIVATE_KEY", "PRIVATE_KEY_PASSWORD"] {
            env.one_of_secret_or_file(&format!("{PURE1_PREFIX}{name}"))?;
        }
        let app_id = env
            .get("FLASHDECK_PURE1_APP_ID")
            .map(str::to_owned)
            .or_else(|| self.pure1.as_ref().map(|pure1| pure1.app_id.clone()))
            .ok_or_else(|| ConfigError::Env {
                name: "FLASHDECK_PURE1_APP_ID".to_owned(),
                message:
                    "the other FLASHDECK_PURE1_* variables need the application id (pure1:apikey:…)"
                        .to_owned(),
            })?;
        let pure1 = self.pure1.get_or_insert_with(|| Pure1Config {
            url: shared::pure1::DEFAULT_URL.to_owned(),
            app_id: app_id.clone(),
            private_key_file: None,
            private_key_env: None,
            private_key_password_file: None,
            private_key_password_env: None,
            ca_file: None,
        });
        pure1.app_id = app_id;
        for (setting, value) in set {
            let variable = format!("{PURE1_PREFIX}{setting}");
            match setting {
                "URL" => pure1.url = value.to_owned(),
                "PRIVATE_KEY" => {
                    (pure1.private_key_env, pure1.private_key_file) = (Some(variable), None)
                }
                "PRIVATE_KEY_FILE" => {
                    (pure1.private_key_file, pure1.private_key_env) = (Some(value.into()), None)
                }
                "PRIVATE_KEY_PASSWORD" => {
                    (
                        pure1.private_key_password_env,
                        pure1.private_key_password_file,
                    ) = (Some(variable), None)
                }
                "PRIVATE_KEY_PASSWORD_FILE" => {
                    (
                        pure1.private_key_password_file,
                        pure1.private_key_password_env,
                    ) = (Some(value.into()), None)
                }
                "CA_FILE" => pure1.ca_file = Some(value.into()),
                _ => {}
            }
        }
        Ok(())
    }

    /// `[oidc]` from `FLASHDECK_OIDC_*`; the group mappings as
    /// `FLASHDECK_OIDC_GROUPS=storage-admins=admin;dba=operator@fa-prod-01+fa-dr-01`.
    fn apply_oidc_env(&mut self, env: &Environment) -> Result<(), ConfigError> {
        const KNOWN: [&str; 15] = [
            "ISSUER",
            "CLIENT_ID",
            "CLIENT_SECRET",
            "CLIENT_SECRET_FILE",
            "TOKEN_ENDPOINT_AUTH",
            "REDIRECT_URL",
            "DISPLAY_NAME",
            "GROUPS_CLAIM",
            "USERNAME_CLAIM",
            "CA_FILE",
            "ALLOW_HTTP",
            "MAX_TOKEN_DAYS",
            "LOCAL_PASSWORDS",
            "BREAK_GLASS_USERS",
            "GROUPS",
        ];
        let set: Vec<(&str, &str)> = env
            .vars
            .iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(OIDC_PREFIX)?, value.as_str())))
            .collect();
        if set.is_empty() {
            return Ok(());
        }
        let variable = |setting: &str| format!("{OIDC_PREFIX}{setting}");
        let flag = |setting: &str, value: &str| {
            value.parse::<bool>().map_err(|_| ConfigError::Env {
                name: variable(setting),
                message: format!("{value:?} is not true or false"),
            })
        };
        if let Some((unknown, _)) = set.iter().find(|(setting, _)| !KNOWN.contains(setting)) {
            return Err(ConfigError::Env {
                name: variable(unknown),
                message: format!(
                    "not a single sign-on setting: use {OIDC_PREFIX}{}",
                    KNOWN.join(&format!(", {OIDC_PREFIX}"))
                ),
            });
        }
        env.one_of_secret_or_file(&variable("CLIENT_SECRET"))?;
        let required = |setting: &str, current: Option<&str>| {
            env.get(&variable(setting))
                .or(current)
                .map(str::to_owned)
                .ok_or_else(|| ConfigError::Env {
                    name: variable(setting),
                    message: "single sign-on needs it with the other FLASHDECK_OIDC_* variables"
                        .to_owned(),
                })
        };
        let issuer = required(
            "ISSUER",
            self.oidc.as_ref().map(|oidc| oidc.issuer.as_str()),
        )?;
        let client_id = required(
            "CLIENT_ID",
            self.oidc.as_ref().map(|oidc| oidc.client_id.as_str()),
        )?;
        let redirect_url = required(
            "REDIRECT_URL",
            self.oidc.as_ref().map(|oidc| oidc.redirect_url.as_str()),
        )?;
        let oidc = self.oidc.get_or_insert_with(|| {
            toml::from_str(&format!(
                "issuer = {issuer:?}\nclient_id = {client_id:?}\nredirect_url = {redirect_url:?}"
            ))
            .expect("the defaults of [oidc] parse")
        });
        (oidc.issuer, oidc.client_id, oidc.redirect_url) = (issuer, client_id, redirect_url);
        for (setting, value) in set {
            match setting {
                "CLIENT_SECRET" => {
                    (oidc.client_secret_env, oidc.client_secret_file) =
                        (Some(variable(setting)), None)
                }
                "CLIENT_SECRET_FILE" => {
                    (oidc.client_secret_file, oidc.client_secret_env) = (Some(value.into()), None)
                }
                "TOKEN_ENDPOINT_AUTH" => {
                    oidc.token_endpoint_auth =
                        value.parse().map_err(|message| ConfigError::Env {
                            name: variable(setting),
                            message,
                        })?
                }
                "DISPLAY_NAME" => oidc.display_name = value.to_owned(),
                "GROUPS_CLAIM" => oidc.groups_claim = value.to_owned(),
                "USERNAME_CLAIM" => oidc.username_claim = value.to_owned(),
                "CA_FILE" => oidc.ca_file = Some(value.into()),
                "LOCAL_PASSWORDS" => oidc.local_passwords = flag(setting, value)?,
                "ALLOW_HTTP" => oidc.allow_http = flag(setting, value)?,
                "MAX_TOKEN_DAYS" => {
                    oidc.max_token_days = Some(value.parse().map_err(|_| ConfigError::Env {
                        name: variable(setting),
                        message: format!("{value:?} is not a number of days"),
                    })?)
                }
                "BREAK_GLASS_USERS" => {
                    oidc.break_glass_users = value
                        .split(',')
                        .map(str::trim)
                        .filter(|name| !name.is_empty())
                        .map(str::to_owned)
                        .collect()
                }
                "GROUPS" => {
                    oidc.groups =
                        parse_group_mappings(value).map_err(|message| ConfigError::Env {
                            name: variable(setting),
                            message,
                        })?
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn apply_tls_env(&mut self, env: &Environment) -> Result<(), ConfigError> {
        let certificate = env.get("FLASHDECK_TLS_CERTIFICATE_FILE");
        let key = env.get("FLASHDECK_TLS_KEY_FILE");
        match (certificate, key, &mut self.tls) {
            (None, None, _) => {}
            (Some(certificate), Some(key), tls) => {
                *tls = Some(TlsConfig {
                    certificate_file: certificate.into(),
                    key_file: key.into(),
                });
            }
            (Some(certificate), None, Some(tls)) => tls.certificate_file = certificate.into(),
            (None, Some(key), Some(tls)) => tls.key_file = key.into(),
            (Some(_), None, None) | (None, Some(_), None) => {
                let missing = if certificate.is_none() {
                    "FLASHDECK_TLS_CERTIFICATE_FILE"
                } else {
                    "FLASHDECK_TLS_KEY_FILE"
                };
                return Err(ConfigError::Env {
                    name: missing.to_owned(),
                    message: "HTTPS needs both a certificate and a key file".to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The key that seals portal-registered arrays' credentials: `FLASHDECK_SECRET_KEY`, or
    /// the contents of `secret_key_file`; `None` if neither is set.
    pub fn secret_key(&self, env: &Environment) -> Result<Option<SecretKey>, ConfigError> {
        if let Some(key) = env.get("FLASHDECK_SECRET_KEY") {
            return SecretKey::from_hex(key)
                .map(Some)
                .map_err(|error| ConfigError::Env {
                    name: "FLASHDECK_SECRET_KEY".to_owned(),
                    message: error.to_string(),
                });
        }
        let Some(path) = &self.secret_key_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        if let Some(mode) = readable_by_others(path) {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:o}"),
                "the secret key file can be read by other users: chmod 600 it (or 400)"
            );
        }
        SecretKey::from_hex(&text)
            .map(Some)
            .map_err(|error| ConfigError::Parse {
                path: path.clone(),
                message: error.to_string(),
            })
    }
}

/// The file's permission bits when users other than its owner may read or write it.
#[cfg(unix)]
pub fn readable_by_others(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub fn readable_by_others(_: &std::path::Path) -> Option<u32> {
    None
}

/// `group=role[@array+array…];…`.
fn parse_group_mappings(text: &str) -> Result<Vec<super::GroupMapping>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|mapping| !mapping.is_empty())
        .map(|mapping| {
            let (group, grant) = mapping.split_once('=').ok_or_else(|| {
                format!("{mapping:?} is not group=role or group=role@array+array")
            })?;
            let (role, arrays) = match grant.split_once('@') {
                Some((role, arrays)) => (
                    role,
                    Some(
                        arrays
                            .split('+')
                            .map(|name| name.trim().to_owned())
                            .collect(),
                    ),
                ),
                None => (grant, None),
            };
            Ok(super::GroupMapping {
                group: group.trim().to_owned(),
                role: shared::api::Role::parse(role.trim())
                    .ok_or_else(|| format!("{role:?} is not viewer, operator or admin"))?,
                arrays,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_noticed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("secret-key");
        std::fs::write(&path, "00").expect("file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(readable_by_others(&path), Some(0o644));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(readable_by_others(&path), None);
    }
    use crate::config::ArrayAuthConfig;
    use shared::api::Identity;

    fn applied(pairs: &[(&str, &str)]) -> Result<Config, String> {
        Config::default()
            .with_env(&Environment::from_pairs(pairs.iter().copied()))
            .map_err(|error| error.to_string())
    }

    #[test]
    fn single_sign_on_comes_from_its_variables_groups_included() {
        let config = applied(&[
            ("FLASHDECK_OIDC_ISSUER", "https://sso.example.com"),
            ("FLASHDECK_OIDC_CLIENT_ID", "flashdeck"),
            ("FLASHDECK_OIDC_CLIENT_SECRET_FILE", "/run/secrets/oidc"),
            (
                "FLASHDECK_OIDC_REDIRECT_URL",
                "https://portal/api/auth/oidc/callback",
            ),
            ("FLASHDECK_OIDC_LOCAL_PASSWORDS", "false"),
            ("FLASHDECK_OIDC_BREAK_GLASS_USERS", "root-admin"),
            ("FLASHDECK_OIDC_TOKEN_ENDPOINT_AUTH", "client_secret_post"),
            ("FLASHDECK_OIDC_ALLOW_HTTP", "true"),
            ("FLASHDECK_OIDC_MAX_TOKEN_DAYS", "30"),
            (
                "FLASHDECK_OIDC_GROUPS",
                "storage-admins=admin; dba=operator@fa-prod-01+fa-dr-01",
            ),
        ])
        .expect("applies");
        let oidc = config.oidc.expect("configured");
        assert_eq!(oidc.issuer, "https://sso.example.com");
        assert!(!oidc.local_passwords);
        assert_eq!(oidc.break_glass_users, ["root-admin"]);
        assert_eq!(
            oidc.token_endpoint_auth,
            crate::config::TokenEndpointAuth::ClientSecretPost
        );
        assert!(oidc.allow_http);
        assert_eq!(oidc.max_token_days, Some(30));
        assert_eq!(oidc.username_claim, "preferred_username", "defaults kept");
        assert_eq!(oidc.groups.len(), 2);
        assert_eq!(oidc.groups[1].role, shared::api::Role::Operator);
        assert_eq!(
            oidc.groups[1].arrays.as_deref(),
            Some(&["fa-prod-01".to_owned(), "fa-dr-01".to_owned()][..])
        );
        let refused = |pairs: &[(&str, &str)]| applied(pairs).expect_err("refused");
        assert!(
            refused(&[("FLASHDECK_OIDC_ISSUER", "https://sso")])
                .contains("FLASHDECK_OIDC_CLIENT_ID")
        );
        assert!(
            refused(&[("FLASHDECK_OIDC_GROUP", "x=admin")])
                .contains("not a single sign-on setting")
        );
        let bad_role = refused(&[
            ("FLASHDECK_OIDC_ISSUER", "https://sso"),
            ("FLASHDECK_OIDC_CLIENT_ID", "c"),
            (
                "FLASHDECK_OIDC_REDIRECT_URL",
                "https://p/api/auth/oidc/callback",
            ),
            ("FLASHDECK_OIDC_GROUPS", "x=root"),
        ]);
        assert!(
            bad_role.contains("not viewer, operator or admin"),
            "{bad_role}"
        );
    }

    #[test]
    fn pure1_comes_from_its_variables_with_the_key_in_a_file_or_a_variable() {
        let config = applied(&[
            ("FLASHDECK_PURE1_APP_ID", "pure1:apikey:Abc123"),
            ("FLASHDECK_PURE1_PRIVATE_KEY_FILE", "/run/secrets/pure1.pem"),
            ("FLASHDECK_PURE1_URL", "https://pure1-proxy.example.com"),
        ])
        .expect("applies");
        let pure1 = config.pure1.expect("Pure1 configured");
        assert_eq!(pure1.app_id, "pure1:apikey:Abc123");
        assert_eq!(pure1.url, "https://pure1-proxy.example.com");
        assert_eq!(
            pure1.private_key_file.as_deref(),
            Some(std::path::Path::new("/run/secrets/pure1.pem"))
        );
        let inline = applied(&[
            ("FLASHDECK_PURE1_APP_ID", "pure1:apikey:Abc123"),
            ("FLASHDECK_PURE1_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----"),
        ])
        .expect("applies")
        .pure1
        .expect("Pure1 configured");
        assert_eq!(
            inline.private_key_env.as_deref(),
            Some("FLASHDECK_PURE1_PRIVATE_KEY")
        );
        assert_eq!(inline.url, shared::pure1::DEFAULT_URL);
        for (pairs, named) in [
            (
                vec![("FLASHDECK_PURE1_PRIVATE_KEY_FILE", "/k")],
                "FLASHDECK_PURE1_APP_ID",
            ),
            (
                vec![
                    ("FLASHDECK_PURE1_APP_ID", "pure1:apikey:A"),
                    ("FLASHDECK_PURE1_KEY", "x"),
                ],
                "FLASHDECK_PURE1_KEY",
            ),
            (
                vec![
                    ("FLASHDECK_PURE1_APP_ID", "pure1:apikey:A"),
                    ("FLASHDECK_PURE1_PRIVATE_KEY", "x"),
                    ("FLASHDECK_PURE1_PRIVATE_KEY_FILE", "/k"),
                ],
                "FLASHDECK_PURE1_PRIVATE_KEY_FILE",
            ),
        ] {
            let error = applied(&pairs).expect_err("refused");
            assert!(error.contains(named), "{error}");
        }
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = applied(&[("FLASHDECK_LISTEN", "127.0.0.1:9999")]).expect("applies");
        assert_eq!(config.listen.port(), 9999);
        let error = applied(&[("FLASHDECK_LISTEN", "nonsense")]).unwrap_err();
        assert!(error.contains("FLASHDECK_LISTEN"), "{error}");
    }

    #[test]
    fn session_settings_and_proxies_come_from_the_environment_too() {
        let config = applied(&[
            ("FLASHDECK_SESSION_IDLE_TIMEOUT_MINUTES", "5"),
            ("FLASHDECK_SESSION_SECURE_COOKIE", "true"),
            ("FLASHDECK_TRUSTED_PROXIES", "10.0.0.2, ::1"),
        ])
        .expect("applies");
        assert_eq!(config.session.idle_timeout_minutes, 5);
        assert!(config.session.secure_cookie);
        assert_eq!(config.trusted_proxies.len(), 2);
        let error = applied(&[("FLASHDECK_SESSION_ABSOLUTE_TIMEOUT_HOURS", "soon")]).unwrap_err();
        assert!(
            error.contains("FLASHDECK_SESSION_ABSOLUTE_TIMEOUT_HOURS"),
            "{error}"
        );
    }

    #[test]
    fn limits_come_from_the_environment_too() {
        let config = applied(&[
            ("FLASHDECK_LIMITS_ARRAY_DEADLINE_SECS", "3"),
            ("FLASHDECK_LIMITS_REQUEST_TIMEOUT_SECS", "30"),
            ("FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS", "64"),
            ("FLASHDECK_LIMITS_FLEET_CACHE_SECS", "0"),
        ])
        .expect("applies");
        assert_eq!(config.limits.array_deadline_secs, 3);
        assert_eq!(config.limits.fleet_cache_secs, 0);
        assert_eq!(config.limits.request_timeout_secs, 30);
        assert_eq!(config.limits.max_concurrent_requests, 64);
        let error = applied(&[("FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS", "many")]).unwrap_err();
        assert!(
            error.contains("FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS"),
            "{error}"
        );
    }

    #[test]
    fn secrets_come_from_the_variable_or_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("url");
        std::fs::write(&file, "postgres://flashdeck:s3cret@db/flashdeck\n").expect("writes");
        let path = file.to_str().expect("utf-8");
        let config = applied(&[("FLASHDECK_DATABASE_URL_FILE", path)]).expect("applies");
        assert_eq!(
            config.database_url.as_deref(),
            Some("postgres://flashdeck:s3cret@db/flashdeck")
        );
        let error = applied(&[
            ("FLASHDECK_DATABASE_URL_FILE", path),
            ("FLASHDECK_DATABASE_URL", "postgres://db"),
        ])
        .unwrap_err();
        assert!(error.contains("not both"), "{error}");
        let error = applied(&[("FLASHDECK_DATABASE_URL_FILE", "/nonexistent")]).unwrap_err();
        assert!(
            error.contains("FLASHDECK_DATABASE_URL_FILE: cannot read /nonexistent"),
            "{error}"
        );
        let env = Environment::from_pairs([
            ("FLASHDECK_ADMIN_USERNAME", "admin"),
            ("FLASHDECK_ADMIN_PASSWORD_FILE", path),
        ]);
        let (_, password) = env.first_admin().expect("reads").expect("given");
        assert!(password.ends_with("flashdeck"), "trailing newline dropped");
        for (username, password, variable) in [
            (
                "admin@example.com",
                "long enough",
                "FLASHDECK_ADMIN_USERNAME",
            ),
            ("admin", "short", "FLASHDECK_ADMIN_PASSWORD"),
        ] {
            let env = Environment::from_pairs([
                ("FLASHDECK_ADMIN_USERNAME", username),
                ("FLASHDECK_ADMIN_PASSWORD", password),
            ]);
            let error = env.first_admin().expect_err("refused").to_string();
            assert!(error.contains(variable), "{error}");
        }
        let shown = format!(
            "{:?}",
            Environment::from_pairs([("FLASHDECK_SECRET_KEY", "s3cret")])
        );
        assert!(
            shown.contains("FLASHDECK_SECRET_KEY") && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn https_needs_both_files() {
        let config = applied(&[
            ("FLASHDECK_TLS_CERTIFICATE_FILE", "/tls/cert.pem"),
            ("FLASHDECK_TLS_KEY_FILE", "/tls/key.pem"),
        ])
        .expect("applies");
        assert_eq!(
            config.tls.map(|tls| tls.key_file),
            Some("/tls/key.pem".into())
        );
        let error = applied(&[("FLASHDECK_TLS_CERTIFICATE_FILE", "/tls/cert.pem")]).unwrap_err();
        assert!(error.contains("FLASHDECK_TLS_KEY_FILE"), "{error}");
    }

    #[test]
    fn arrays_come_from_variables() {
        let config = applied(&[
            ("FLASHDECK_ARRAY_PROD_NAME", "fa-prod-01"),
            ("FLASHDECK_ARRAY_PROD_URL", "https://fa-prod-01.example.com"),
            ("FLASHDECK_ARRAY_PROD_CA_FILE", "/certs/prod.pem"),
            ("FLASHDECK_ARRAY_PROD_API_TOKEN_FILE", "/run/secrets/prod"),
            ("FLASHDECK_ARRAY_PROD_REQUEST_TIMEOUT_SECS", "60"),
            ("FLASHDECK_ARRAY_DR_URL", "https://fa-dr.example.com"),
            ("FLASHDECK_ARRAY_DR_TLS_INSECURE", "true"),
            ("FLASHDECK_ARRAY_DR_IDENTITY", "per_user"),
            ("FLASHDECK_ARRAY_DR_CLIENT_ID", "c"),
            ("FLASHDECK_ARRAY_DR_KEY_ID", "k"),
            ("FLASHDECK_ARRAY_DR_ISSUER", "flashdeck"),
            ("FLASHDECK_ARRAY_DR_USERNAME", "pureuser"),
            (
                "FLASHDECK_ARRAY_DR_PRIVATE_KEY",
                "-----BEGIN PRIVATE KEY-----",
            ),
        ])
        .expect("applies");
        let [dr, prod] = &config.arrays[..] else {
            panic!("two arrays: {:?}", config.arrays);
        };
        assert_eq!(prod.name, "fa-prod-01");
        assert_eq!(prod.request_timeout_secs, 60);
        assert!(matches!(
            &prod.auth,
            ArrayAuthConfig::ApiToken { api_token_file: Some(file), .. } if file.ends_with("prod")
        ));
        assert_eq!(dr.name, "dr");
        assert!(dr.tls_insecure);
        assert_eq!(dr.identity, Identity::PerUser);
        assert!(matches!(
            &dr.auth,
            ArrayAuthConfig::ApiClient { private_key_env: Some(var), .. }
                if var == "FLASHDECK_ARRAY_DR_PRIVATE_KEY"
        ));
    }

    #[test]
    fn array_variables_are_checked() {
        for (pairs, expected) in [
            (
                &[("FLASHDECK_ARRAY_FA1_URLL", "https://x")][..],
                "FLASHDECK_ARRAY_FA1_URLL: URLL is not an array setting",
            ),
            (
                &[("FLASHDECK_ARRAY_FA1_API_TOKEN", "t")][..],
                "FLASHDECK_ARRAY_FA1_*: missing field `url`",
            ),
            (
                &[("FLASHDECK_ARRAY_FA-1_URL", "https://x")][..],
                "FLASHDECK_ARRAY_FA-1_URL: array variables are named",
            ),
            (
                &[
                    ("FLASHDECK_ARRAY_FA1_URL", "https://x"),
                    ("FLASHDECK_ARRAY_FA1_CONNECT_TIMEOUT_SECS", "soon"),
                ][..],
                "FLASHDECK_ARRAY_FA1_CONNECT_TIMEOUT_SECS: \"soon\" is not a number of seconds",
            ),
            (
                &[
                    ("FLASHDECK_ARRAY_FA1_URL", "https://x"),
                    ("FLASHDECK_ARRAY_FA1_AUTH_METHOD", "password"),
                ][..],
                "FLASHDECK_ARRAY_FA1_*: unknown variant `password`",
            ),
        ] {
            let error = applied(pairs).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn an_array_is_defined_in_one_place() {
        let file = Config::parse(
            r#"
            [[array]]
            name = "fa1"
            url = "https://fa1.example.com"
            auth = { method = "api_token", api_token_file = "/run/secrets/fa1" }
            "#,
        )
        .expect("parses");
        let error = file
            .with_env(&Environment::from_pairs([(
                "FLASHDECK_ARRAY_FA1_URL",
                "https://elsewhere",
            )]))
            .unwrap_err();
        assert!(
            error.to_string().contains("also in the configuration file"),
            "{error}"
        );
    }
}
