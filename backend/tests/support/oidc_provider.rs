//! A real OpenID Connect provider for tests (`oidc-provider-mock` from PyPI, in a virtual
//! environment of its own made once, by the including crate's `python` module): shared by the
//! backend's tests and the browser tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use backend::config::{GroupMapping, OidcConfig, TokenEndpointAuth};
use serde_json::Value;
use shared::api::Role;

/// The provider's release the tests were written against.
const PROVIDER: &str = "oidc-provider-mock==0.3.4";

/// A client for the provider (plain HTTP here; the TLS setup is the portal's own).
pub fn http() -> reqwest::Client {
    let tls = flasharray::client_config(&flasharray::TrustAnchor::System).expect("TLS");
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A crate's tests share one virtual environment: one makes it while the others wait.
static VENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn provider_python() -> PathBuf {
    let _made_once = VENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(concat!("oidc-provider-mock-", env!("CARGO_PKG_NAME")));
    crate::python::venv_python(&venv, PROVIDER)
}

/// The provider running on a free port, stopped when dropped.
pub struct Provider {
    child: Child,
    pub issuer: String,
    /// Holds the client secret's file.
    secrets: tempfile::TempDir,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    /// Started with `users` (claims with a `sub`) to sign in as.
    pub async fn start(users: &[Value]) -> Self {
        let python = tokio::task::spawn_blocking(provider_python)
            .await
            .expect("venv");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let mut command = Command::new(python);
        command
            .args([
                "-m",
                "oidc_provider_mock",
                "--host",
                "127.0.0.1",
                "--require-nonce",
            ])
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for user in users {
            command.args(["--user-claims", &user.to_string()]);
        }
        let secrets = tempfile::tempdir().expect("dir");
        // As `openssl rand -base64` makes them, and a `%` besides: each must be encoded.
        std::fs::write(secrets.path().join("client-secret"), "q+Z/x9=%41 ok==\n").expect("secret");
        let provider = Self {
            child: command.spawn().expect("provider starts"),
            issuer: format!("http://127.0.0.1:{port}"),
            secrets,
        };
        let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
        for _ in 0..200 {
            if http()
                .get(&discovery)
                .send()
                .await
                .is_ok_and(|response| response.status().is_success())
            {
                return provider;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the OIDC provider did not start at {}", provider.issuer);
    }

    /// The portal's settings for it: `storage-admins` are admins, `dba` operators on `array`;
    /// `admin` may always sign in with a password.
    pub fn config(&self, array: &str, redirect_url: &str, local_passwords: bool) -> OidcConfig {
        OidcConfig {
            issuer: self.issuer.clone(),
            client_id: "flashdeck".to_owned(),
            client_secret_file: Some(self.secrets.path().join("client-secret")),
            client_secret_env: None,
            token_endpoint_auth: TokenEndpointAuth::default(),
            redirect_url: redirect_url.to_owned(),
            display_name: "Mock SSO".to_owned(),
            scopes: ["openid", "profile", "email"].map(str::to_owned).to_vec(),
            groups_claim: "groups".to_owned(),
            username_claim: "preferred_username".to_owned(),
            array_username_claim: None,
            ca_file: None,
            // The provider runs on plain HTTP here, on the loopback.
            allow_http: true,
            max_token_days: None,
            local_passwords,
            break_glass_users: vec!["admin".to_owned()],
            groups: vec![
                GroupMapping {
                    group: "storage-admins".to_owned(),
                    role: Role::Admin,
                    arrays: None,
                },
                GroupMapping {
                    group: "dba".to_owned(),
                    role: Role::Operator,
                    arrays: Some(vec![array.to_owned()]),
                },
            ],
        }
    }
}
