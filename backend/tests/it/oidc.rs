//! Single sign-on against a real OpenID Connect provider run here (`oidc-provider-mock` from
//! PyPI): the code flow with PKCE and a nonce, groups mapped to a role and arrays, and the
//! refusals (a replayed answer, a user in no mapped group, passwords turned off).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backend::config::OidcConfig;
use serde_json::{Value, json};

use crate::{TestApp, TestOptions};

/// The provider's release the tests were written against.
const PROVIDER: &str = "oidc-provider-mock==0.3.4";

/// A client for the provider (plain HTTP here; the TLS setup is the portal's own).
fn http() -> reqwest::Client {
    let tls = flasharray::client_config(&flasharray::TrustAnchor::System).expect("TLS");
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The tests share one virtual environment: one makes it while the others wait.
static VENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn provider_python() -> PathBuf {
    let _made_once = VENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider-mock");
    let python = venv.join("bin/python");
    let ready = venv.join(".installed");
    if std::fs::read_to_string(&ready).is_ok_and(|installed| installed == PROVIDER) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .expect("python3");
    assert!(made.success());
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PROVIDER,
        ])
        .status()
        .expect("pip");
    assert!(
        installed.success(),
        "pip install {PROVIDER} (PyPI must be reachable)"
    );
    std::fs::write(&ready, PROVIDER).expect("marker");
    python
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
        std::fs::write(secrets.path().join("client-secret"), "a client secret\n").expect("secret");
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

    pub fn config(&self, local_passwords: bool) -> OidcConfig {
        toml::from_str(&format!(
            r#"
            issuer = "{issuer}"
            client_id = "flashdeck"
            client_secret_file = "{secret}"
            redirect_url = "http://portal.test/api/auth/oidc/callback"
            display_name = "Mock SSO"
            local_passwords = {local_passwords}
            break_glass_users = ["admin"]
            [[groups]]
            group = "storage-admins"
            role = "admin"
            [[groups]]
            group = "dba"
            role = "operator"
            arrays = ["{array}"]
            "#,
            issuer = self.issuer,
            secret = self.secrets.path().join("client-secret").display(),
            array = crate::ARRAY,
        ))
        .expect("OIDC configuration")
    }
}

fn location(headers: &axum::http::HeaderMap) -> String {
    headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

/// Signs in as `sub` at the provider, as its form does: the portal's callback address.
async fn provider_answers(authorize: &str, sub: &str) -> String {
    let response = http()
        .post(authorize)
        .form(&[("sub", sub)])
        .send()
        .await
        .expect("provider answers");
    assert_eq!(response.status(), 302, "{:?}", response.text().await);
    let callback = response.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let path = callback
        .strip_prefix("http://portal.test")
        .unwrap_or_else(|| panic!("back to the portal's callback: {callback}"));
    path.to_owned()
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
    app.send_for_headers(Request::get(path).body(Body::empty()).expect("request"))
        .await
}

async fn sign_in_through(app: &TestApp, sub: &str) -> (StatusCode, axum::http::HeaderMap) {
    let (status, headers, _) = get(app, "/api/auth/oidc/start").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let authorize = location(&headers);
    assert!(
        authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="),
        "{authorize}"
    );
    let callback = provider_answers(&authorize, sub).await;
    let (status, headers, _) = get(app, &callback).await;
    (status, headers)
}

fn users() -> Vec<Value> {
    vec![
        json!({"sub": "u-alice", "preferred_username": "alice", "groups": ["storage-admins"]}),
        json!({"sub": "u-dana", "preferred_username": "dana", "groups": ["dba", "staff"]}),
        json!({"sub": "u-mallory", "preferred_username": "mallory", "groups": ["marketing"]}),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn people_sign_in_through_the_provider_with_the_role_their_groups_give() {
    let provider = Provider::start(&users()).await;
    let app = TestApp::with(TestOptions {
        oidc: Some(provider.config(true)),
        ..TestOptions::default()
    })
    .await;
    let (status, _, methods) = get(&app, "/api/auth/providers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        methods,
        json!({"single_sign_on": "Mock SSO", "local_passwords": true})
    );

    let (status, headers) = sign_in_through(&app, "u-alice").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/");
    let cookie = headers[header::SET_COOKIE].to_str().expect("cookie");
    let cookie = cookie.split(';').next().expect("pair").to_owned();
    let (status, _, me) = app.call("GET", "/api/auth/me", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me,
        json!({"username": "alice", "role": "admin", "sso": true})
    );

    let (_, headers) = sign_in_through(&app, "u-dana").await;
    let cookie = headers[header::SET_COOKIE].to_str().expect("cookie");
    let dana = cookie.split(';').next().expect("pair").to_owned();
    let (_, _, users) = app.call("GET", "/api/users", Some(&dana), None).await;
    assert!(
        users["message"].as_str().unwrap_or("").contains("admin"),
        "an operator: {users}"
    );
    let admin = app.login("admin").await;
    let (_, _, listed) = app.call("GET", "/api/users", Some(&admin), None).await;
    let dana_row = listed
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["username"] == "dana"))
        .expect("dana is a portal user now");
    assert_eq!(dana_row["role"], "operator");
    assert_eq!(dana_row["arrays"], json!([crate::ARRAY]));
    let (_, _, refused) = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "dana", "password": "anything at all"})),
        )
        .await;
    assert_eq!(
        refused["message"], "Invalid username or password.",
        "no password for SSO users"
    );

    let (_, _, audit) = app
        .call("GET", "/api/audit?action=session.login", Some(&admin), None)
        .await;
    assert!(
        audit
            .as_array()
            .is_some_and(|rows| rows.iter().any(|row| row["username"] == "alice"
                && row["parameters"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Mock SSO"))),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn replayed_answers_unmapped_users_and_passwords_turned_off_are_refused() {
    let provider = Provider::start(&users()).await;
    let app = TestApp::with(TestOptions {
        oidc: Some(provider.config(false)),
        ..TestOptions::default()
    })
    .await;
    let (status, headers, _) = get(&app, "/api/auth/oidc/start").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let callback = provider_answers(&location(&headers), "u-alice").await;
    let (_, first, _) = get(&app, &callback).await;
    assert_eq!(location(&first), "/");
    let (_, replayed, _) = get(&app, &callback).await;
    assert!(
        location(&replayed).starts_with("/?sso_error="),
        "replay refused"
    );
    assert!(!replayed.contains_key(header::SET_COOKIE));

    let (_, headers) = sign_in_through(&app, "u-mallory").await;
    let refused = location(&headers);
    assert!(refused.contains("none+of+the+groups"), "{refused}");
    assert!(!headers.contains_key(header::SET_COOKIE));
    let (_, forged, _) = get(&app, "/api/auth/oidc/callback?state=forged&code=x").await;
    assert!(
        location(&forged).starts_with("/?sso_error="),
        "an unknown state"
    );

    let (status, _, refusal) = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "operator", "password": crate::PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refusal["message"], "Sign in with Mock SSO.");
    app.login("admin").await;
}
