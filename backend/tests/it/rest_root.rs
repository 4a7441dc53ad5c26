//! An array's REST root through the portal (`/api/arrays/{array}/rest/`): the official SDK
//! signs in with a personal API token and works as against the array, within the token's role;
//! every change lands on the array and in the portal's audit log.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::{ARRAY, TestApp};

fn sdk_python() -> PathBuf {
    crate::python::sdk_python(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("py-pure-client-portal"))
}

async fn token(app: &TestApp, username: &str, role: &str) -> String {
    let cookie = app.login(username).await;
    let (status, _, created) = app
        .call(
            "POST",
            "/api/tokens",
            Some(&cookie),
            Some(json!({"name": "sdk", "expires_in_days": 1, "role": role})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["token"].as_str().expect("token").to_owned()
}

fn run_scenario(portal: &tls_listener::HttpsServer, token: &str, role: &str, volume: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/rest_root.py");
    let dir = tempfile::tempdir().expect("directory");
    let ca = dir.path().join("portal-ca.pem");
    std::fs::write(&ca, portal.certificate_pem()).expect("CA written");
    let target = format!(
        "{}/api/arrays/{ARRAY}/rest",
        portal.url().trim_start_matches("https://")
    );
    let ca = ca.display().to_string();
    crate::python::run_scenario(
        &sdk_python(),
        &script,
        &[
            ("PORTAL_TARGET", &target),
            ("PORTAL_TOKEN", token),
            ("PORTAL_CA", &ca),
            ("PORTAL_ROLE", role),
            ("VOLUME", volume),
        ],
    );
}

// One test runs every role so that the virtual environment is made once, not raced.
#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_works_through_the_portal_with_a_personal_token() {
    let app = TestApp::new().await;
    let portal = app.serve_https().await;
    let operator = token(&app, "operator", "operator").await;
    let viewer = token(&app, "viewer", "viewer").await;
    tokio::task::block_in_place(|| {
        run_scenario(&portal, &operator, "operator", "from-sdk");
        run_scenario(&portal, &viewer, "viewer", "not-made");
    });
    let made = app
        .sim
        .simulator
        .volume("from-sdk")
        .expect("created on the array");
    assert!(made.destroyed, "destroyed, not eradicated");
    assert!(app.sim.simulator.volume("not-made").is_none());

    let admin = app.login("admin").await;
    let (_, _, snapshots) = app
        .call(
            "GET",
            &format!("/api/arrays/{ARRAY}/volume-snapshots"),
            Some(&admin),
            None,
        )
        .await;
    assert!(
        snapshots.to_string().contains("from-sdk.before-upgrade"),
        "the snapshot is on the array: {snapshots}"
    );
    let (_, _, audit) = app
        .call("GET", "/api/audit?user=operator", Some(&admin), None)
        .await;
    let rows: Vec<(String, String, String)> = audit
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["action"].as_str().unwrap_or("").to_owned(),
                row["outcome"].as_str().unwrap_or("").to_owned(),
                row["token"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for action in ["rest.post", "rest.patch"] {
        assert!(
            rows.contains(&(action.into(), "success".into(), "sdk".into())),
            "{action} in {rows:?}"
        );
    }
    // Refused by role at the gate, as any refusal by role, before anything reached the array.
    assert!(
        !rows.iter().any(|(action, _, _)| action == "rest.delete"),
        "{rows:?}"
    );
    assert!(
        !audit.to_string().contains(&operator),
        "no token in the audit log"
    );
    portal.shutdown().await;
}

async fn send(app: &TestApp, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    app.send_for_headers(request).await
}

#[tokio::test]
async fn a_rest_login_opens_a_session_that_keeps_the_tokens_limits_and_ends_at_logout() {
    let app = TestApp::new().await;
    let viewer = token(&app, "viewer", "viewer").await;
    let root = format!("/api/arrays/{ARRAY}/rest/api");

    let (status, _, versions) = send(
        &app,
        Request::get(format!("{root}/api_version"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        versions["version"]
            .as_array()
            .is_some_and(|list| !list.is_empty())
    );

    let login = |token: &str| {
        Request::post(format!("{root}/2.36/login"))
            .header("api-token", token)
            .body(Body::empty())
            .expect("request")
    };
    let (status, _, refusal) = send(&app, login("fdk_wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        refusal["errors"][0]["message"].is_string(),
        "as an array says it: {refusal}"
    );
    let (status, headers, body) = send(&app, login(&viewer)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["username"], "viewer");
    let session = headers["x-auth-token"]
        .to_str()
        .expect("session")
        .to_owned();

    let with_session = |method: &str, path: &str| {
        Request::builder()
            .method(method)
            .uri(format!("{root}/2.36/{path}"))
            .header("x-auth-token", &session)
            .body(Body::empty())
            .expect("request")
    };
    let (status, _, body) = send(&app, with_session("GET", "volumes?limit=1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["items"].is_array());
    let (status, _, body) = send(&app, with_session("POST", "hosts?names=h1")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("operator")),
        "{body}"
    );
    // Even an admin's token never reaches the portal's own session on the array.
    let admin = token(&app, "admin", "admin").await;
    for (method, path) in [("GET", "login"), ("DELETE", "logout"), ("PATCH", "logout/")] {
        let request = Request::builder()
            .method(method)
            .uri(format!("{root}/2.36/{path}"))
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::empty())
            .expect("request");
        let (status, _, body) = send(&app, request).await;
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&status),
            "not passed to the array: {method} {path} {status} {body}"
        );
    }
    let (status, _, body) = send(&app, with_session("GET", "../../auth/me")).await;
    assert!(status.is_client_error(), "{status} {body}");

    let (status, _, _) = send(&app, with_session("POST", "logout")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&app, with_session("GET", "volumes")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session ended");
}
