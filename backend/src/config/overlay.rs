//! `FLASHDECK_*` variables laid over the file's table before it is deserialized, by one rule:
//! `key` of `[section]` is `FLASHDECK_SECTION_KEY` (of the top level, `FLASHDECK_KEY`), `key`
//! of an array is `FLASHDECK_ARRAY_<ID>_KEY`, and a secret `KEY` may instead be read from the
//! file that `…KEY_FILE` names, as container secrets are mounted.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use toml::{Table, Value};

use super::{Config, ConfigError, Environment};

const PREFIX: &str = "FLASHDECK_";
const ARRAY_PREFIX: &str = "FLASHDECK_ARRAY_";
const SECONDS: &str = "a number of seconds";

/// How a variable's text becomes its setting's value.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// A socket address, spaces around it ignored.
    Address,
    /// A whole number of what it says.
    Number(&'static str),
    Flag,
    /// Comma-separated.
    List,
    /// `group=role[@array+array…];…`.
    Groups,
    /// The value itself, or the contents of the file `…_FILE` names.
    Secret,
    /// The variable's name as `key_env`, where the secret stays; `…_FILE` as `key_file`.
    SecretInEnv,
}

/// The sections variables reach; those with a name refuse variables that are none of theirs.
const SECTIONS: &[(&str, Option<&str>)] = &[
    ("TLS", None),
    ("SESSION", None),
    ("LIMITS", None),
    ("APPROVALS", None),
    ("NOTIFICATIONS", None),
    ("AUDIT", None),
    ("PURE1", Some("a Pure1 setting")),
    ("OIDC", Some("a single sign-on setting")),
];

/// Every setting a variable gives, named without `FLASHDECK_`; the first word is the section
/// when it is one of [`SECTIONS`].
const SETTINGS: &[(&str, Kind)] = &[
    ("LISTEN", Kind::Address),
    ("DATA_DIR", Kind::Text),
    ("DATABASE_URL", Kind::Secret),
    ("FRONTEND_DIR", Kind::Text),
    ("SECRET_KEY_FILE", Kind::Text),
    ("TRUSTED_PROXIES", Kind::List),
    ("TLS_CERTIFICATE_FILE", Kind::Text),
    ("TLS_KEY_FILE", Kind::Text),
    (
        "SESSION_IDLE_TIMEOUT_MINUTES",
        Kind::Number("a number of minutes"),
    ),
    (
        "SESSION_ABSOLUTE_TIMEOUT_HOURS",
        Kind::Number("a number of hours"),
    ),
    ("SESSION_SECURE_COOKIE", Kind::Flag),
    (
        "SESSION_MAX_API_TOKEN_DAYS",
        Kind::Number("a number of days"),
    ),
    ("LIMITS_ARRAY_DEADLINE_SECS", Kind::Number(SECONDS)),
    ("LIMITS_REQUEST_TIMEOUT_SECS", Kind::Number(SECONDS)),
    (
        "LIMITS_MAX_CONCURRENT_REQUESTS",
        Kind::Number("a number of requests"),
    ),
    ("LIMITS_FLEET_CACHE_SECS", Kind::Number(SECONDS)),
    ("APPROVALS_ACTIONS", Kind::List),
    ("APPROVALS_EXPIRY_HOURS", Kind::Number("a number of hours")),
    ("NOTIFICATIONS_WATCH_INTERVAL_SECS", Kind::Number(SECONDS)),
    ("NOTIFICATIONS_PORTAL_URL", Kind::Text),
    ("AUDIT_SYSLOG_URL", Kind::Text),
    ("AUDIT_SYSLOG_CA_FILE", Kind::Text),
    ("AUDIT_HOSTNAME", Kind::Text),
    ("AUDIT_STDOUT_JSON", Kind::Flag),
    ("PURE1_URL", Kind::Text),
    ("PURE1_APP_ID", Kind::Text),
    ("PURE1_PRIVATE_KEY", Kind::SecretInEnv),
    ("PURE1_PRIVATE_KEY_PASSWORD", Kind::SecretInEnv),
    ("PURE1_CA_FILE", Kind::Text),
    ("OIDC_ISSUER", Kind::Text),
    ("OIDC_CLIENT_ID", Kind::Text),
    ("OIDC_CLIENT_SECRET", Kind::SecretInEnv),
    ("OIDC_TOKEN_ENDPOINT_AUTH", Kind::Text),
    ("OIDC_REDIRECT_URL", Kind::Text),
    ("OIDC_DISPLAY_NAME", Kind::Text),
    ("OIDC_GROUPS_CLAIM", Kind::Text),
    ("OIDC_USERNAME_CLAIM", Kind::Text),
    ("OIDC_CA_FILE", Kind::Text),
    ("OIDC_ALLOW_HTTP", Kind::Flag),
    ("OIDC_MAX_TOKEN_DAYS", Kind::Number("a number of days")),
    ("OIDC_LOCAL_PASSWORDS", Kind::Flag),
    ("OIDC_BREAK_GLASS_USERS", Kind::List),
    ("OIDC_GROUPS", Kind::Groups),
];

/// An array's settings, after `FLASHDECK_ARRAY_<ID>_`.
const ARRAY_SETTINGS: &[(&str, Kind)] = &[
    ("NAME", Kind::Text),
    ("URL", Kind::Text),
    ("CA_FILE", Kind::Text),
    ("TLS_FINGERPRINT", Kind::Text),
    ("TLS_INSECURE", Kind::Flag),
    ("REST_VERSION", Kind::Text),
    ("CONNECT_TIMEOUT_SECS", Kind::Number(SECONDS)),
    ("REQUEST_TIMEOUT_SECS", Kind::Number(SECONDS)),
    ("IDENTITY", Kind::Text),
];

/// The settings of an array's `auth`, `AUTH_METHOD` being its `method`.
const AUTH_SETTINGS: &[(&str, Kind)] = &[
    ("AUTH_METHOD", Kind::Text),
    ("API_TOKEN", Kind::SecretInEnv),
    ("CLIENT_ID", Kind::Text),
    ("KEY_ID", Kind::Text),
    ("ISSUER", Kind::Text),
    ("USERNAME", Kind::Text),
    ("PRIVATE_KEY", Kind::SecretInEnv),
    ("PRIVATE_KEY_PASSWORD", Kind::SecretInEnv),
    ("ID_TOKEN", Kind::SecretInEnv),
];

/// The file's table (empty without a file) with the variables over it, deserialized once.
pub(super) fn over(file: Table, env: &Environment) -> Result<Config, ConfigError> {
    let layers = layers(env)?;
    let mut table = file.clone();
    for (name, layer) in &layers {
        lay(&mut table, layer, name)?;
    }
    table.try_into().map_err(|error: toml::de::Error| {
        // The file deserializes on its own, so variables are to blame: the first layer of
        // them that fails over the file alone.
        layers
            .iter()
            .find_map(|(name, layer)| {
                let mut alone = file.clone();
                lay(&mut alone, layer, name).ok()?;
                let error = alone.try_into::<Config>().err()?;
                Some(refusal(name, error.message()))
            })
            .unwrap_or_else(|| refusal(&format!("{PREFIX}*"), error.message()))
    })
}

/// The variables as tables to lay over the file's, named by the variables they come from:
/// a top-level setting's alone, a section's or an array's together (`…_*`).
fn layers(env: &Environment) -> Result<BTreeMap<String, Table>, ConfigError> {
    env.one_of_secret_or_file("FLASHDECK_SECRET_KEY")?;
    let mut layers: BTreeMap<String, Table> = BTreeMap::new();
    let mut arrays: BTreeMap<&str, (Table, Table)> = BTreeMap::new();
    for (variable, text) in env.vars() {
        if let Some(rest) = variable.strip_prefix(ARRAY_PREFIX) {
            let (id, setting) = array_variable(variable, rest)?;
            let (array, auth) = arrays.entry(id).or_default();
            let (table, row, kind) =
                match (find(ARRAY_SETTINGS, setting), find(AUTH_SETTINGS, setting)) {
                    (Some((row, kind)), _) => (array, row, kind),
                    (None, Some((row, kind))) => (auth, row, kind),
                    (None, None) => {
                        let rows = ARRAY_SETTINGS.iter().chain(AUTH_SETTINGS).copied();
                        return Err(unknown(variable, setting, "an array setting", rows));
                    }
                };
            let key = row.strip_prefix("AUTH_").unwrap_or(row);
            let secret = format!("{ARRAY_PREFIX}{id}_{row}");
            let (key, value) = value(env, variable, &secret, key, kind, text)?;
            table.insert(key, value);
            continue;
        }
        let Some(setting) = variable.strip_prefix(PREFIX) else {
            continue;
        };
        let section = setting
            .split_once('_')
            .and_then(|(word, _)| SECTIONS.iter().find(|(section, _)| *section == word));
        let Some((row, kind)) = find(SETTINGS, setting) else {
            match section {
                Some((word, Some(what))) => {
                    let rows = SETTINGS.iter().filter_map(|&(row, kind)| {
                        Some((row.strip_prefix(word)?.strip_prefix('_')?, kind))
                    });
                    return Err(unknown(variable, &setting[word.len() + 1..], what, rows));
                }
                _ => continue,
            }
        };
        let secret = format!("{PREFIX}{row}");
        let (layer, key) = match section {
            Some((word, _)) => {
                let layer = layers.entry(format!("{PREFIX}{word}_*")).or_default();
                let section = layer
                    .entry(word.to_ascii_lowercase())
                    .or_insert(Table::new().into());
                (
                    section.as_table_mut().expect("a section"),
                    &row[word.len() + 1..],
                )
            }
            None => (layers.entry(variable.to_owned()).or_default(), row),
        };
        let (key, value) = value(env, variable, &secret, key, kind, text)?;
        layer.insert(key, value);
    }
    for (id, (mut array, mut auth)) in arrays {
        array
            .entry("name")
            .or_insert(id.to_ascii_lowercase().into());
        if !auth.contains_key("method") {
            let method = if auth.contains_key("client_id") {
                "api_client"
            } else if auth.contains_key("id_token_env") || auth.contains_key("id_token_file") {
                "id_token"
            } else {
                "api_token"
            };
            auth.insert("method".into(), method.into());
        }
        array.insert("auth".into(), auth.into());
        let layer = Table::from_iter([("array".to_owned(), vec![Value::from(array)].into())]);
        layers.insert(format!("{ARRAY_PREFIX}{id}_*"), layer);
    }
    Ok(layers)
}

/// `FLASHDECK_ARRAY_<ID>_<SETTING>` as `(ID, SETTING)`.
fn array_variable<'a>(variable: &str, rest: &'a str) -> Result<(&'a str, &'a str), ConfigError> {
    rest.split_once('_')
        .filter(|(id, setting)| {
            !id.is_empty() && !setting.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .ok_or_else(|| ConfigError::Env {
            name: variable.to_owned(),
            message: format!(
                "array variables are named {ARRAY_PREFIX}<ID>_<SETTING>, with a letters-and-digits ID such as FA1"
            ),
        })
}

/// The row of `rows` that `setting` sets, a secret's `…_FILE` included.
fn find(rows: &[(&'static str, Kind)], setting: &str) -> Option<(&'static str, Kind)> {
    rows.iter().copied().find(|&(row, kind)| {
        row == setting
            || matches!(kind, Kind::Secret | Kind::SecretInEnv)
                && setting.strip_suffix("_FILE") == Some(row)
    })
}

fn unknown<'a>(
    variable: &str,
    setting: &str,
    what: &str,
    rows: impl Iterator<Item = (&'a str, Kind)>,
) -> ConfigError {
    let known: Vec<String> = rows
        .map(|(row, kind)| match kind {
            Kind::Secret | Kind::SecretInEnv => format!("{row}(_FILE)"),
            _ => row.to_owned(),
        })
        .collect();
    ConfigError::Env {
        name: variable.to_owned(),
        message: format!("{setting} is not {what}: use {}", known.join(", ")),
    }
}

/// What `variable` sets: `key` as `kind` says; for a secret left in the environment
/// (`secret` being its name without `_FILE`), where it is.
fn value(
    env: &Environment,
    variable: &str,
    secret: &str,
    key: &str,
    kind: Kind,
    text: &str,
) -> Result<(String, Value), ConfigError> {
    let key = key.to_ascii_lowercase();
    let refused = |message: String| ConfigError::Env {
        name: variable.to_owned(),
        message,
    };
    let invalid = |expected: &str| refused(format!("{text:?} is not {expected}"));
    let value = match kind {
        Kind::Text => text.into(),
        Kind::Address => {
            let address = text.trim();
            address
                .parse::<SocketAddr>()
                .map_err(|_| invalid("an address such as 0.0.0.0:8080"))?;
            address.into()
        }
        Kind::Number(unit) => text
            .trim()
            .parse::<u64>()
            .ok()
            .and_then(|number| i64::try_from(number).ok())
            .ok_or_else(|| invalid(unit))?
            .into(),
        Kind::Flag => text
            .trim()
            .parse::<bool>()
            .map_err(|_| invalid("true or false"))?
            .into(),
        Kind::List => list(text, ',').map(Value::from).collect::<Vec<_>>().into(),
        Kind::Groups => group_mappings(text).map_err(refused)?,
        Kind::Secret => env.secret(secret)?.unwrap_or_default().into(),
        Kind::SecretInEnv => {
            env.one_of_secret_or_file(secret)?;
            return Ok(if variable == secret {
                (format!("{key}_env"), secret.into())
            } else {
                (format!("{key}_file"), text.into())
            });
        }
    };
    Ok((key, value))
}

/// The non-empty items of a `separator`-separated list, trimmed.
fn list(text: &str, separator: char) -> impl Iterator<Item = &str> {
    text.split(separator)
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// `group=role[@array+array…];…` as `[oidc] groups` holds it.
fn group_mappings(text: &str) -> Result<Value, String> {
    list(text, ';')
        .map(|mapping| {
            let (group, grant) = mapping.split_once('=').ok_or_else(|| {
                format!("{mapping:?} is not group=role or group=role@array+array")
            })?;
            let (role, arrays) = grant.split_once('@').unzip();
            let role = role.unwrap_or(grant).trim();
            let role = shared::api::Role::parse(role)
                .ok_or_else(|| format!("{role:?} is not viewer, operator or admin"))?;
            let mut mapping = Table::new();
            mapping.insert("group".into(), group.trim().into());
            mapping.insert("role".into(), role.as_str().into());
            if let Some(arrays) = arrays {
                let names = arrays.split('+').map(|name| Value::from(name.trim()));
                mapping.insert("arrays".into(), names.collect::<Vec<_>>().into());
            }
            Ok(Value::Table(mapping))
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Value::from)
}

/// Lays `layer` over `table`: tables merge, the arrays of `[[array]]` add up (each named
/// once), anything else replaces what was there, and a secret given in one place (`…_env`
/// or `…_file`) replaces the other.
fn lay(table: &mut Table, layer: &Table, name: &str) -> Result<(), ConfigError> {
    for (key, value) in layer {
        match (table.get_mut(key), value) {
            (Some(Value::Table(below)), Value::Table(above)) => lay(below, above, name)?,
            (Some(Value::Array(arrays)), Value::Array(more)) if key == "array" => {
                for array in more {
                    let named = array.get("name");
                    if arrays.iter().any(|other| other.get("name") == named) {
                        let named = named.and_then(Value::as_str).unwrap_or_default();
                        return Err(ConfigError::Env {
                            name: name.to_owned(),
                            message: format!(
                                "array {named:?} is also in the configuration file: define each array in one place"
                            ),
                        });
                    }
                    arrays.push(array.clone());
                }
            }
            _ => {
                let secret = key.strip_suffix("_env").or(key.strip_suffix("_file"));
                for place in secret
                    .map(|secret| [format!("{secret}_env"), format!("{secret}_file")])
                    .into_iter()
                    .flatten()
                {
                    table.remove(&place);
                }
                table.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(())
}

/// Why the table with the variables `name` names over it does not deserialize; a missing
/// setting is named by the variable that would give it.
fn refusal(name: &str, message: &str) -> ConfigError {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|key| key.strip_suffix('`'));
    match (name.strip_suffix('*'), missing) {
        (Some(prefix), Some(key)) => ConfigError::Env {
            name: format!("{prefix}{}", key.to_ascii_uppercase()),
            message: format!("missing, and needed with the other {name} variables"),
        },
        _ => ConfigError::Env {
            name: name.to_owned(),
            message: message.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ArrayAuthConfig;
    use shared::api::Identity;

    fn over_file(file: &str, pairs: &[(&str, &str)]) -> Result<Config, String> {
        let file = toml::from_str(file).expect("the file parses");
        over(file, &Environment::from_pairs(pairs.iter().copied()))
            .map_err(|error| error.to_string())
    }

    fn applied(pairs: &[(&str, &str)]) -> Result<Config, String> {
        over_file("", pairs)
    }

    #[rustfmt::skip]
    /// Every variable README.md documents (besides those `main` reads), a value, and what the
    /// configuration then shows; secrets by value here, in files in [`IN_FILES`].
    const DOCUMENTED: &[(&str, &str, &str)] = &[
        ("FLASHDECK_LISTEN", "0.0.0.0:9000", "listen: 0.0.0.0:9000"),
        ("FLASHDECK_DATA_DIR", "/var/lib/fd", r#"data_dir: "/var/lib/fd""#),
        ("FLASHDECK_DATABASE_URL", "postgres://fd:pw@db/fd", r#"database_url: Some("postgres://<redacted>")"#),
        ("FLASHDECK_FRONTEND_DIR", "/usr/share/fd", r#"frontend_dir: "/usr/share/fd""#),
        ("FLASHDECK_SECRET_KEY_FILE", "/run/key", r#"secret_key_file: Some("/run/key")"#),
        ("FLASHDECK_TRUSTED_PROXIES", "10.0.0.2, ::1", "trusted_proxies: [10.0.0.2, ::1]"),
        ("FLASHDECK_TLS_CERTIFICATE_FILE", "/tls/cert.pem", r#"certificate_file: "/tls/cert.pem""#),
        ("FLASHDECK_TLS_KEY_FILE", "/tls/key.pem", r#"key_file: "/tls/key.pem""#),
        ("FLASHDECK_SESSION_IDLE_TIMEOUT_MINUTES", "5", "idle_timeout_minutes: 5"),
        ("FLASHDECK_SESSION_ABSOLUTE_TIMEOUT_HOURS", "6", "absolute_timeout_hours: 6"),
        ("FLASHDECK_SESSION_SECURE_COOKIE", "true", "secure_cookie: true"),
        ("FLASHDECK_SESSION_MAX_API_TOKEN_DAYS", "7", "max_api_token_days: 7"),
        ("FLASHDECK_LIMITS_ARRAY_DEADLINE_SECS", "3", "array_deadline_secs: 3"),
        ("FLASHDECK_LIMITS_REQUEST_TIMEOUT_SECS", "31", "request_timeout_secs: 31"),
        ("FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS", "64", "max_concurrent_requests: 64"),
        ("FLASHDECK_LIMITS_FLEET_CACHE_SECS", "0", "fleet_cache_secs: 0"),
        ("FLASHDECK_APPROVALS_ACTIONS", "volume.eradicate, volume.restore", "actions: [VolumeEradicate, VolumeRestore]"),
        ("FLASHDECK_APPROVALS_EXPIRY_HOURS", "48", "expiry_hours: 48"),
        ("FLASHDECK_NOTIFICATIONS_WATCH_INTERVAL_SECS", "30", "watch_interval_secs: 30"),
        ("FLASHDECK_NOTIFICATIONS_PORTAL_URL", "https://flashdeck.example.com", r#"portal_url: Some("https://flashdeck.example.com")"#),
        ("FLASHDECK_AUDIT_SYSLOG_URL", "tls://siem:6514", r#"syslog_url: Some("tls://siem:6514")"#),
        ("FLASHDECK_AUDIT_STDOUT_JSON", "true", "stdout_json: true"),
        ("FLASHDECK_PURE1_URL", "https://pure1.example.com", r#"url: "https://pure1.example.com""#),
        ("FLASHDECK_PURE1_APP_ID", "pure1:apikey:A", r#"app_id: "pure1:apikey:A""#),
        ("FLASHDECK_PURE1_PRIVATE_KEY", "PEM", r#"private_key_env: Some("FLASHDECK_PURE1_PRIVATE_KEY")"#),
        ("FLASHDECK_PURE1_PRIVATE_KEY_PASSWORD", "pw", r#"private_key_password_env: Some("FLASHDECK_PURE1_PRIVATE_KEY_PASSWORD")"#),
        ("FLASHDECK_PURE1_CA_FILE", "/pure1-ca.pem", r#"ca_file: Some("/pure1-ca.pem")"#),
        ("FLASHDECK_OIDC_ISSUER", "https://sso.example.com", r#"issuer: "https://sso.example.com""#),
        ("FLASHDECK_OIDC_CLIENT_ID", "flashdeck", r#"client_id: "flashdeck""#),
        ("FLASHDECK_OIDC_CLIENT_SECRET", "s", r#"client_secret_env: Some("FLASHDECK_OIDC_CLIENT_SECRET")"#),
        ("FLASHDECK_OIDC_TOKEN_ENDPOINT_AUTH", "client_secret_post", "token_endpoint_auth: ClientSecretPost"),
        ("FLASHDECK_OIDC_REDIRECT_URL", "https://p/api/auth/oidc/callback", r#"redirect_url: "https://p/api/auth/oidc/callback""#),
        ("FLASHDECK_OIDC_DISPLAY_NAME", "Corp SSO", r#"display_name: "Corp SSO""#),
        ("FLASHDECK_OIDC_GROUPS_CLAIM", "roles", r#"groups_claim: "roles""#),
        ("FLASHDECK_OIDC_USERNAME_CLAIM", "email", r#"username_claim: "email""#),
        ("FLASHDECK_OIDC_CA_FILE", "/sso-ca.pem", r#"ca_file: Some("/sso-ca.pem")"#),
        ("FLASHDECK_OIDC_ALLOW_HTTP", "true", "allow_http: true"),
        ("FLASHDECK_OIDC_MAX_TOKEN_DAYS", "30", "max_token_days: Some(30)"),
        ("FLASHDECK_OIDC_LOCAL_PASSWORDS", "false", "local_passwords: false"),
        ("FLASHDECK_OIDC_BREAK_GLASS_USERS", "root, ops", r#"break_glass_users: ["root", "ops"]"#),
        ("FLASHDECK_OIDC_GROUPS", "storage-admins=admin;dba=operator@fa-prod-01+fa-dr-01", r#"GroupMapping { group: "dba", role: Operator, arrays: Some(["fa-prod-01", "fa-dr-01"]) }"#),
        ("FLASHDECK_ARRAY_PROD_NAME", "fa-prod-01", r#"name: "fa-prod-01""#),
        ("FLASHDECK_ARRAY_PROD_URL", "https://fa-prod-01.example.com", r#"url: "https://fa-prod-01.example.com""#),
        ("FLASHDECK_ARRAY_PROD_CA_FILE", "/certs/prod.pem", r#"ca_file: Some("/certs/prod.pem")"#),
        ("FLASHDECK_ARRAY_PROD_TLS_FINGERPRINT", "AB:CD", r#"tls_fingerprint: Some("AB:CD")"#),
        ("FLASHDECK_ARRAY_PROD_TLS_INSECURE", "true", "tls_insecure: true"),
        ("FLASHDECK_ARRAY_PROD_REST_VERSION", "2.36", r#"rest_version: Some("2.36")"#),
        ("FLASHDECK_ARRAY_PROD_CONNECT_TIMEOUT_SECS", "9", "connect_timeout_secs: 9"),
        ("FLASHDECK_ARRAY_PROD_REQUEST_TIMEOUT_SECS", "61", "request_timeout_secs: 61"),
        ("FLASHDECK_ARRAY_PROD_IDENTITY", "per_user", "identity: PerUser"),
        ("FLASHDECK_ARRAY_PROD_AUTH_METHOD", "api_client", "auth: ApiClient {"),
        ("FLASHDECK_ARRAY_PROD_CLIENT_ID", "array-client", r#"client_id: "array-client""#),
        ("FLASHDECK_ARRAY_PROD_KEY_ID", "key-1", r#"key_id: "key-1""#),
        ("FLASHDECK_ARRAY_PROD_ISSUER", "fd-issuer", r#"issuer: "fd-issuer""#),
        ("FLASHDECK_ARRAY_PROD_USERNAME", "pureuser", r#"username: "pureuser""#),
        ("FLASHDECK_ARRAY_PROD_PRIVATE_KEY", "PEM", r#"private_key_env: Some("FLASHDECK_ARRAY_PROD_PRIVATE_KEY")"#),
        ("FLASHDECK_ARRAY_PROD_PRIVATE_KEY_PASSWORD", "pw", r#"private_key_password_env: Some("FLASHDECK_ARRAY_PROD_PRIVATE_KEY_PASSWORD")"#),
        ("FLASHDECK_ARRAY_TOKEN_URL", "https://token", r#"name: "token""#),
        ("FLASHDECK_ARRAY_TOKEN_API_TOKEN", "t", r#"api_token_env: Some("FLASHDECK_ARRAY_TOKEN_API_TOKEN")"#),
        ("FLASHDECK_ARRAY_JWT_URL", "https://jwt", r#"name: "jwt""#),
        ("FLASHDECK_ARRAY_JWT_ID_TOKEN", "t", r#"id_token_env: Some("FLASHDECK_ARRAY_JWT_ID_TOKEN")"#),
    ];

    #[rustfmt::skip]
    /// The secrets of [`DOCUMENTED`] in files, with the settings they need beside them; the
    /// database URL's file is written by the test.
    const IN_FILES: &[(&str, &str, &str)] = &[
        ("FLASHDECK_PURE1_APP_ID", "pure1:apikey:A", ""),
        ("FLASHDECK_PURE1_PRIVATE_KEY_FILE", "/k.pem", r#"private_key_file: Some("/k.pem")"#),
        ("FLASHDECK_PURE1_PRIVATE_KEY_PASSWORD_FILE", "/pw", r#"private_key_password_file: Some("/pw")"#),
        ("FLASHDECK_OIDC_ISSUER", "https://sso", ""),
        ("FLASHDECK_OIDC_CLIENT_ID", "flashdeck", ""),
        ("FLASHDECK_OIDC_REDIRECT_URL", "https://p/api/auth/oidc/callback", ""),
        ("FLASHDECK_OIDC_CLIENT_SECRET_FILE", "/oidc", r#"client_secret_file: Some("/oidc")"#),
        ("FLASHDECK_ARRAY_KEY_URL", "https://key", r#"name: "key""#),
        ("FLASHDECK_ARRAY_KEY_CLIENT_ID", "c", "auth: ApiClient {"),
        ("FLASHDECK_ARRAY_KEY_KEY_ID", "k", ""),
        ("FLASHDECK_ARRAY_KEY_ISSUER", "i", ""),
        ("FLASHDECK_ARRAY_KEY_USERNAME", "u", ""),
        ("FLASHDECK_ARRAY_KEY_PRIVATE_KEY_FILE", "/key.pem", r#"private_key_file: Some("/key.pem")"#),
        ("FLASHDECK_ARRAY_KEY_PRIVATE_KEY_PASSWORD_FILE", "/key-pw", r#"private_key_password_file: Some("/key-pw")"#),
        ("FLASHDECK_ARRAY_PROD_URL", "https://prod", r#"name: "prod""#),
        ("FLASHDECK_ARRAY_PROD_API_TOKEN_FILE", "/token", r#"api_token_file: Some("/token")"#),
        ("FLASHDECK_DATABASE_URL_FILE", "", r#"database_url: Some("postgres://<redacted>")"#),
        ("FLASHDECK_ARRAY_JWT_URL", "https://jwt", r#"name: "jwt""#),
        ("FLASHDECK_ARRAY_JWT_ID_TOKEN_FILE", "/jwt", r#"id_token_file: Some("/jwt")"#),
    ];

    #[test]
    fn every_documented_variable_sets_its_setting() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir.path().join("database-url");
        std::fs::write(&url, "postgres://fd:pw@db/fd\n").expect("writes");
        let url = url.to_str().expect("utf-8");
        for rows in [DOCUMENTED, IN_FILES] {
            let pairs: Vec<_> = rows
                .iter()
                .map(|&(name, value, _)| (name, if value.is_empty() { url } else { value }))
                .collect();
            let shown = format!("{:?}", applied(&pairs).expect("applies"));
            for (name, _, expected) in rows {
                assert!(
                    shown.contains(expected),
                    "{name}: {expected} not in {shown}"
                );
            }
        }
    }

    #[test]
    fn the_walk_has_every_variable_the_documentation_names() {
        let read_elsewhere = [
            "FLASHDECK_CONFIG",
            "FLASHDECK_LOG_FORMAT",
            "FLASHDECK_SECRET_KEY",
            "FLASHDECK_ADMIN_USERNAME",
            "FLASHDECK_ADMIN_PASSWORD",
            "FLASHDECK_ADMIN_PASSWORD_FILE",
            "FLASHDECK_TEST_POSTGRES",
            "FLASHDECK_BENCH_LOAD_SECS",
        ];
        let documentation = [
            include_str!("../../../README.md"),
            include_str!("../../../deploy/flashdeck.example.toml"),
            include_str!("../../../deploy/compose.yaml"),
        ]
        .concat();
        let named = documentation
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| word.starts_with(PREFIX) && !word.ends_with('_'));
        for name in named {
            assert!(
                read_elsewhere.contains(&name)
                    || DOCUMENTED.iter().chain(IN_FILES).any(|row| row.0 == name),
                "{name} is documented but not walked"
            );
        }
    }

    #[test]
    fn variables_override_the_file_and_leave_the_rest_as_it_was() {
        let file = r#"
            listen = "0.0.0.0:8080"
            data_dir = "/srv/flashdeck"
            [pure1]
            app_id = "pure1:apikey:File"
            private_key_file = "/run/secrets/pure1.pem"
        "#;
        let config = over_file(
            file,
            &[
                ("FLASHDECK_LISTEN", " 127.0.0.1:9999 "),
                ("FLASHDECK_PURE1_PRIVATE_KEY", "PEM"),
                ("FLASHDECK_UNKNOWN_THING", "ignored"),
                ("FLASHDECK_SESSION_UNKNOWN", "ignored"),
            ],
        )
        .expect("applies");
        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.data_dir, std::path::Path::new("/srv/flashdeck"));
        let pure1 = config.pure1.expect("from the file");
        assert_eq!(pure1.app_id, "pure1:apikey:File");
        assert_eq!(pure1.url, shared::pure1::DEFAULT_URL);
        assert_eq!(
            pure1.private_key_file, None,
            "the variable replaces the file's"
        );
        assert_eq!(
            pure1.private_key_env.as_deref(),
            Some("FLASHDECK_PURE1_PRIVATE_KEY")
        );
        let oidc = applied(&[
            ("FLASHDECK_OIDC_ISSUER", "https://sso"),
            ("FLASHDECK_OIDC_CLIENT_ID", "c"),
            (
                "FLASHDECK_OIDC_REDIRECT_URL",
                "https://p/api/auth/oidc/callback",
            ),
        ])
        .expect("applies")
        .oidc
        .expect("single sign-on");
        assert_eq!(oidc.username_claim, "preferred_username", "defaults kept");
        assert!(oidc.local_passwords);
        let [array] = &applied(&[("FLASHDECK_ARRAY_DR_URL", "https://dr")])
            .expect("applies")
            .arrays[..]
        else {
            panic!("one array");
        };
        assert_eq!(array.name, "dr", "named by its ID");
        assert!(matches!(array.auth, ArrayAuthConfig::ApiToken { .. }));
        assert_eq!(array.identity, Identity::Service);
    }

    #[rustfmt::skip]
    #[test]
    fn refusals_name_the_variable_and_what_is_wrong() {
        let oidc = [
            ("FLASHDECK_OIDC_ISSUER", "https://sso"),
            ("FLASHDECK_OIDC_CLIENT_ID", "c"),
            ("FLASHDECK_OIDC_REDIRECT_URL", "https://p/api/auth/oidc/callback"),
        ];
        let file_array = r#"
            [[array]]
            name = "fa1"
            url = "https://fa1.example.com"
            auth = { method = "api_token", api_token_file = "/run/secrets/fa1" }
        "#;
        for (file, pairs, expected) in [
            ("", &[("FLASHDECK_LISTEN", "nonsense")][..], r#"FLASHDECK_LISTEN: "nonsense" is not an address such as 0.0.0.0:8080"#),
            ("", &[("FLASHDECK_TRUSTED_PROXIES", "10.0.0.2, proxy")], "FLASHDECK_TRUSTED_PROXIES: invalid IP address syntax"),
            ("", &[("FLASHDECK_SESSION_ABSOLUTE_TIMEOUT_HOURS", "soon")], r#"FLASHDECK_SESSION_ABSOLUTE_TIMEOUT_HOURS: "soon" is not a number of hours"#),
            ("", &[("FLASHDECK_SESSION_SECURE_COOKIE", "yes")], r#"FLASHDECK_SESSION_SECURE_COOKIE: "yes" is not true or false"#),
            ("", &[("FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS", "-1")], r#"FLASHDECK_LIMITS_MAX_CONCURRENT_REQUESTS: "-1" is not a number of requests"#),
            ("", &[("FLASHDECK_DATABASE_URL_FILE", "/nonexistent"), ("FLASHDECK_DATABASE_URL", "postgres://db")], "FLASHDECK_DATABASE_URL_FILE: set either FLASHDECK_DATABASE_URL or FLASHDECK_DATABASE_URL_FILE, not both"),
            ("", &[("FLASHDECK_DATABASE_URL_FILE", "/nonexistent")], "FLASHDECK_DATABASE_URL_FILE: cannot read /nonexistent"),
            ("", &[("FLASHDECK_SECRET_KEY_FILE", "/k"), ("FLASHDECK_SECRET_KEY", "00")], "FLASHDECK_SECRET_KEY_FILE: set either"),
            ("", &[("FLASHDECK_TLS_CERTIFICATE_FILE", "/tls/cert.pem")], "FLASHDECK_TLS_KEY_FILE: missing, and needed with the other FLASHDECK_TLS_* variables"),
            ("", &[("FLASHDECK_PURE1_PRIVATE_KEY_FILE", "/k")], "FLASHDECK_PURE1_APP_ID: missing"),
            ("", &[("FLASHDECK_PURE1_APP_ID", "pure1:apikey:A"), ("FLASHDECK_PURE1_KEY", "x")], "FLASHDECK_PURE1_KEY: KEY is not a Pure1 setting: use URL, APP_ID, PRIVATE_KEY(_FILE), PRIVATE_KEY_PASSWORD(_FILE), CA_FILE"),
            ("", &[("FLASHDECK_PURE1_PRIVATE_KEY", "x"), ("FLASHDECK_PURE1_PRIVATE_KEY_FILE", "/k")], "FLASHDECK_PURE1_PRIVATE_KEY_FILE: set either"),
            ("", &[("FLASHDECK_OIDC_ISSUER", "https://sso")], "FLASHDECK_OIDC_CLIENT_ID: missing, and needed with the other FLASHDECK_OIDC_* variables"),
            ("", &[("FLASHDECK_OIDC_GROUP", "x=admin")], "FLASHDECK_OIDC_GROUP: GROUP is not a single sign-on setting"),
            ("", &[oidc[0], oidc[1], oidc[2], ("FLASHDECK_OIDC_GROUPS", "x=root")], r#"FLASHDECK_OIDC_GROUPS: "root" is not viewer, operator or admin"#),
            ("", &[oidc[0], oidc[1], oidc[2], ("FLASHDECK_OIDC_GROUPS", "admins")], r#"FLASHDECK_OIDC_GROUPS: "admins" is not group=role"#),
            ("", &[oidc[0], oidc[1], oidc[2], ("FLASHDECK_OIDC_TOKEN_ENDPOINT_AUTH", "jwt")], "FLASHDECK_OIDC_*: unknown variant `jwt`, expected `client_secret_basic` or `client_secret_post`"),
            ("", &[("FLASHDECK_ARRAY_FA1_URLL", "https://x")], "FLASHDECK_ARRAY_FA1_URLL: URLL is not an array setting: use NAME, URL, CA_FILE, TLS_FINGERPRINT, TLS_INSECURE, REST_VERSION, CONNECT_TIMEOUT_SECS, REQUEST_TIMEOUT_SECS, IDENTITY, AUTH_METHOD, API_TOKEN(_FILE), CLIENT_ID, KEY_ID, ISSUER, USERNAME, PRIVATE_KEY(_FILE), PRIVATE_KEY_PASSWORD(_FILE), ID_TOKEN(_FILE)"),
            ("", &[("FLASHDECK_ARRAY_FA1_API_TOKEN", "t")], "FLASHDECK_ARRAY_FA1_URL: missing, and needed with the other FLASHDECK_ARRAY_FA1_* variables"),
            ("", &[("FLASHDECK_ARRAY_FA-1_URL", "https://x")], "FLASHDECK_ARRAY_FA-1_URL: array variables are named FLASHDECK_ARRAY_<ID>_<SETTING>"),
            ("", &[("FLASHDECK_ARRAY_FA1_URL", "https://x"), ("FLASHDECK_ARRAY_FA1_CONNECT_TIMEOUT_SECS", "soon")], r#"FLASHDECK_ARRAY_FA1_CONNECT_TIMEOUT_SECS: "soon" is not a number of seconds"#),
            ("", &[("FLASHDECK_ARRAY_FA1_URL", "https://x"), ("FLASHDECK_ARRAY_FA1_AUTH_METHOD", "password")], "FLASHDECK_ARRAY_FA1_*: unknown variant `password`"),
            ("", &[("FLASHDECK_ARRAY_FA1_URL", "https://x"), ("FLASHDECK_ARRAY_FA1_AUTH_METHOD", "api_client")], "FLASHDECK_ARRAY_FA1_CLIENT_ID: missing"),
            ("", &[("FLASHDECK_ARRAY_A_URL", "https://a"), ("FLASHDECK_ARRAY_B_URL", "https://b"), ("FLASHDECK_ARRAY_B_NAME", "a")], r#"FLASHDECK_ARRAY_B_*: array "a" is also in the configuration file: define each array in one place"#),
            (file_array, &[("FLASHDECK_ARRAY_FA1_URL", "https://elsewhere")], r#"FLASHDECK_ARRAY_FA1_*: array "fa1" is also in the configuration file"#),
        ] {
            let error = over_file(file, pairs).expect_err(expected);
            assert!(error.contains(expected), "{error}\nis not\n{expected}");
        }
    }
}
