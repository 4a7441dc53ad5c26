//! A real OpenID Connect provider for tests (`oidc-provider-mock` from PyPI, in a virtual
//! environment of its own made once): the backend's tests and the browser tests sign in
//! through it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The provider's release the tests were written against.
const PROVIDER: &str = "oidc-provider-mock==0.3.4";

/// A client for the provider (plain HTTP here; the TLS setup is the portal's own).
pub fn http() -> reqwest::Client {
    crate::tls::plain_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A test binary's tests share one virtual environment: one makes it while the others wait.
static VENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn provider_python(venv: &Path) -> PathBuf {
    let _made_once = VENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    crate::python::venv_python(venv, PROVIDER)
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
    /// Started with `users` (claims with a `sub`) to sign in as, from the virtual environment
    /// in `venv` (made there first if need be).
    pub async fn start(venv: &Path, users: &[Value]) -> Self {
        let venv = venv.to_owned();
        let python = tokio::task::spawn_blocking(move || provider_python(&venv))
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

    /// The portal's `[oidc]` settings for it, as the portal's configuration type (whichever
    /// deserializes them): `storage-admins` are admins, `dba` operators on `array`; `admin` may
    /// always sign in with a password.
    pub fn config<C: DeserializeOwned>(
        &self,
        array: &str,
        redirect_url: &str,
        local_passwords: bool,
    ) -> C {
        let settings = json!({
            "issuer": self.issuer,
            "client_id": "flashdeck",
            "client_secret_file": self.secrets.path().join("client-secret"),
            "token_endpoint_auth": "client_secret_basic",
            "redirect_url": redirect_url,
            "display_name": "Mock SSO",
            "scopes": ["openid", "profile", "email"],
            "groups_claim": "groups",
            "username_claim": "preferred_username",
            // The provider runs on plain HTTP here, on the loopback.
            "allow_http": true,
            "local_passwords": local_passwords,
            "break_glass_users": ["admin"],
            "groups": [
                {"group": "storage-admins", "role": "admin"},
                {"group": "dba", "role": "operator", "arrays": [array]},
            ],
        });
        serde_json::from_value(settings).expect("the portal takes these OIDC settings")
    }
}
