//! `flashdeck serve` as a process of its own, for tests that kill or duplicate it.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use shared::api::CSRF_HEADER;

use flasharray_sim::{ADMIN_USERNAME, RunningSimulator};

use crate::{ARRAY, PASSWORD, test_database_url};

/// The secret key the test portals share, as replicas do.
pub const SECRET_KEY: &str = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";

/// A configuration in `dir` for a portal with `sim` as [`ARRAY`] (an API token in a file, its
/// certificate trusted) and a database of its own; its path.
pub async fn write_config(dir: &Path, sim: &RunningSimulator) -> std::path::PathBuf {
    let token = sim.simulator.api_token(ADMIN_USERNAME).expect("API token");
    std::fs::write(dir.join("token"), token).expect("token file");
    std::fs::write(dir.join("ca.pem"), sim.certificate_pem()).expect("CA file");
    std::fs::write(dir.join("index.html"), "<!doctype html>").expect("index");
    let config = dir.join("flashdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"database_url = "{database}"
frontend_dir = "{dir}"

[[array]]
name = "{ARRAY}"
url = "{url}"
ca_file = "{dir}/ca.pem"
auth = {{ method = "api_token", api_token_file = "{dir}/token" }}
"#,
            database = test_database_url(dir).await,
            dir = dir.display(),
            url = sim.url(),
        ),
    )
    .expect("config");
    config
}

/// A client for the portal, which is reached over plain HTTP; reqwest is built without a
/// default TLS provider, so one is installed for the process.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A running `flashdeck serve`.
pub struct Portal {
    pub child: Child,
    pub url: String,
}

impl Portal {
    /// Starts `flashdeck --config CONFIG serve` on a free port; the first admin is `admin`
    /// with [`PASSWORD`], made on first start.
    pub fn start(config: &Path) -> Self {
        Self::start_with(config, "http", &[])
    }

    /// As [`Portal::start`], reached by `scheme` (`https` when the configuration serves it),
    /// with `env` set too.
    pub fn start_with(config: &Path, scheme: &str, env: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_flashdeck"))
            .args(["--config", &config.display().to_string(), "serve"])
            .env("FLASHDECK_LISTEN", format!("127.0.0.1:{port}"))
            .env("FLASHDECK_ADMIN_USERNAME", "admin")
            .env("FLASHDECK_ADMIN_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .env("FLASHDECK_SECRET_KEY", SECRET_KEY)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("flashdeck starts");
        Self {
            child,
            url: format!("{scheme}://127.0.0.1:{port}"),
        }
    }

    /// Signs in as `admin` once the server answers; the `name=value` of the session cookie.
    pub async fn sign_in(&self, http: &reqwest::Client) -> String {
        let set_cookie = self.sign_in_set_cookie(http).await;
        set_cookie
            .split(';')
            .next()
            .expect("session cookie")
            .to_owned()
    }

    /// As [`Portal::sign_in`], but the whole `Set-Cookie`, attributes included.
    pub async fn sign_in_set_cookie(&self, http: &reqwest::Client) -> String {
        for _ in 0..200 {
            let answer = http
                .post(format!("{}/api/auth/login", self.url))
                .header(CSRF_HEADER, "1")
                .json(&json!({"username": "admin", "password": PASSWORD}))
                .send()
                .await;
            if let Ok(response) = answer {
                assert!(response.status().is_success(), "{}", response.status());
                return response
                    .headers()
                    .get("set-cookie")
                    .and_then(|value| value.to_str().ok())
                    .expect("session cookie")
                    .to_owned();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("flashdeck did not start at {}", self.url);
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
