//! The environment the server reads: a snapshot of its variables, the secrets given in them
//! or in the files `…_FILE` variables name, the first admin and the secret key.

use std::collections::BTreeMap;
use std::ffi::OsString;

use super::{Config, ConfigError};
use crate::arrays::secrets::SecretKey;

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

    /// Every variable, by name.
    pub(super) fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
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
    pub(super) fn one_of_secret_or_file(&self, name: &str) -> Result<(), ConfigError> {
        let file_var = format!("{name}_FILE");
        if self.get(name).is_some() && self.get(&file_var).is_some() {
            return Err(ConfigError::Env {
                name: file_var,
                message: format!("set either {name} or {name}_FILE, not both"),
            });
        }
        Ok(())
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
}

impl Config {
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

    #[test]
    fn the_first_admin_is_checked_and_its_password_may_be_in_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("password");
        std::fs::write(&file, "long enough passphrase\n").expect("writes");
        let path = file.to_str().expect("utf-8");
        let env = Environment::from_pairs([
            ("FLASHDECK_ADMIN_USERNAME", "admin"),
            ("FLASHDECK_ADMIN_PASSWORD_FILE", path),
        ]);
        let (_, password) = env.first_admin().expect("reads").expect("given");
        assert_eq!(
            password, "long enough passphrase",
            "trailing newline dropped"
        );
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
}
