//! An array's REST root through the portal (`/api/arrays/{array}/rest/`): the official SDK
//! signs in with a personal API token and works as against the array, within the token's role;
//! every change lands on the array and in the portal's audit log.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use test_support::python;

use crate::{ARRAY, TestApp};

fn sdk_python() -> PathBuf {
    python::sdk_python(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("py-pure-client-portal"))
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

/// The array's volume snapshots, as an admin lists them in the portal.
async fn snapshots_on_the_array(app: &TestApp) -> Value {
    let admin = app.login("admin").await;
    let (_, _, snapshots) = app
        .call(
            "GET",
            &format!("/api/arrays/{ARRAY}/volume-snapshots"),
            Some(&admin),
            None,
        )
        .await;
    snapshots
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
    python::run_scenario(
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

    let snapshots = snapshots_on_the_array(&app).await;
    assert!(
        snapshots.to_string().contains("from-sdk.before-upgrade"),
        "the snapshot is on the array: {snapshots}"
    );
    assert!(
        snapshots.to_string().contains("from-sdk.safety-"),
        "the overwrite took a safety snapshot first: {snapshots}"
    );
    let admin = app.login("admin").await;
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
    // Audited under the same actions as the portal's own pages, named for what was done.
    for action in [
        "volume.create",
        "snapshot.create",
        "volume.restore",
        "volume.destroy",
    ] {
        assert!(
            rows.contains(&(action.into(), "success".into(), "sdk".into())),
            "{action} in {rows:?}"
        );
    }
    // Refused by role at the gate, as any refusal by role, before anything reached the array.
    assert!(
        !rows
            .iter()
            .any(|(action, _, _)| action == "volume.eradicate"),
        "{rows:?}"
    );
    assert!(
        !audit.to_string().contains(&operator),
        "no token in the audit log"
    );
    portal.shutdown().await;
}

/// `GET {root}/api_version`, which needs no credential.
fn api_version(root: &str) -> Request<Body> {
    Request::get(format!("{root}/api_version"))
        .body(Body::empty())
        .expect("request")
}

async fn send(app: &TestApp, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    app.send_for_headers(request).await
}

#[tokio::test]
async fn a_rest_login_opens_a_session_that_keeps_the_tokens_limits_and_ends_at_logout() {
    let app = TestApp::new().await;
    let viewer = token(&app, "viewer", "viewer").await;
    let root = format!("/api/arrays/{ARRAY}/rest/api");

    let (status, _, versions) = send(&app, api_version(&root)).await;
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
            [StatusCode::FORBIDDEN, StatusCode::METHOD_NOT_ALLOWED].contains(&status),
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

/// Every path and method of the FlashArray REST 2.52 description, read from the reference copy
/// beside the repository.
fn spec_operations() -> Vec<(String, String)> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/flasharray-rest-2.52-openapi.yml");
    let text = std::fs::read_to_string(&spec)
        .unwrap_or_else(|error| panic!("{}: {error}", spec.display()));
    let mut operations = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(path) = line
            .strip_prefix("  /api/2.52/")
            .and_then(|rest| rest.strip_suffix(':'))
        {
            current = Some(path.to_owned());
        } else if !line.trim().is_empty() && !line.starts_with("    ") {
            current = None;
        } else if let (Some(path), Some(method)) = (
            &current,
            line.strip_prefix("    ")
                .and_then(|rest| rest.strip_suffix(':'))
                .filter(|method| ["get", "post", "patch", "put", "delete"].contains(method)),
        ) {
            operations.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    operations
}

/// A JSON POST with a personal API token.
fn posted(uri: String, token: &str, body: Value) -> Request<Body> {
    Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn bearer(method: &str, uri: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(if method == "GET" { "" } else { "{}" }))
        .expect("request")
}

#[tokio::test]
async fn no_path_of_the_arrays_api_reaches_the_array_unless_the_table_passes_it() {
    let app = TestApp::new().await;
    let admin = token(&app, "admin", "admin").await;
    let operations = spec_operations();
    assert!(operations.len() > 400, "{} operations", operations.len());
    for collection in shared::api::REST_COLLECTIONS {
        assert!(
            operations.contains(&("GET".to_owned(), collection.path.to_owned())),
            "GET {} is not in the arrays' API",
            collection.path
        );
        for change in collection.changes {
            assert!(
                operations.contains(&(change.method.to_owned(), collection.path.to_owned())),
                "{} {} is not in the arrays' API",
                change.method,
                collection.path
            );
        }
    }
    let mut refused = 0;
    for (method, path) in &operations {
        if shared::api::rest_permit(method, path, "").is_ok() {
            continue;
        }
        let before = app.sim.simulator.stats().api_requests;
        let uri = format!("/api/arrays/{ARRAY}/rest/api/2.52/{path}?names=walk");
        let (status, _, body) = send(&app, bearer(method, &uri, &admin)).await;
        // The REST root's own sign-in and sign-out answer these; they never reach the array.
        if !["login", "logout"].contains(&path.as_str()) {
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        }
        assert!(
            body["errors"][0]["message"].is_string(),
            "in the arrays' envelope: {body}"
        );
        assert_eq!(
            app.sim.simulator.stats().api_requests,
            before,
            "{method} {path} reached the array"
        );
        refused += 1;
    }
    assert!(refused > 300, "{refused} refused");
}

#[tokio::test]
async fn a_viewer_cannot_read_the_portals_credential_for_an_array() {
    let app = TestApp::new().await;
    let viewer = app.login("viewer").await;
    let admin = token(&app, "admin", "admin").await;
    let before = app.sim.simulator.stats().api_requests;
    let theft =
        format!("/api/arrays/{ARRAY}/rest/api/2.52/admins/api-tokens?expose_api_token=true");
    let (status, _, body) = app.call("GET", &theft, Some(&viewer), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("never passes"),
        "{body}"
    );
    for uri in [
        theft.clone(),
        format!("/api/arrays/{ARRAY}/rest/api/2.52/api-clients"),
        format!("/api/arrays/{ARRAY}/rest/api/2.52/volumes?expose%5Fapi%5Ftoken=true"),
    ] {
        let (status, _, body) = send(&app, bearer("GET", &uri, &admin)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
    }
    assert_eq!(app.sim.simulator.stats().api_requests, before);
}

#[tokio::test]
async fn an_array_cannot_serve_a_page_or_a_script_through_its_rest_root() {
    let app = TestApp::new().await;
    let viewer = token(&app, "viewer", "viewer").await;
    let volumes = format!("/api/arrays/{ARRAY}/rest/api/2.36/volumes");
    let (status, headers, _) = send(&app, bearer("GET", &volumes, &viewer)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let policy = headers["content-security-policy"].to_str().expect("policy");
    assert!(
        policy.contains("default-src 'none'") && !policy.contains("script-src"),
        "{policy}"
    );

    app.sim.simulator.set_faults(flasharray_sim::FaultConfig {
        hostile_html_next: 1,
        ..flasharray_sim::FaultConfig::default()
    });
    let (status, headers, body) = send(&app, bearer("GET", &volumes, &viewer)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(headers["content-type"], "application/json");
    assert!(!body.to_string().contains("<script"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("text/html"),
        "{body}"
    );
}

#[tokio::test]
async fn an_operators_overwrite_is_a_restore_with_a_safety_snapshot() {
    let app = TestApp::new().await;
    let operator = token(&app, "operator", "operator").await;
    let root = format!("/api/arrays/{ARRAY}/rest/api/2.36");
    let create = |uri: String, body: Value| posted(uri, &operator, body);
    let (status, _, body) = send(
        &app,
        create(
            format!("{root}/volumes?names=db-1"),
            json!({"provisioned": 1_048_576}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = send(
        &app,
        create(
            format!("{root}/volume-snapshots?source_names=db-1"),
            json!({"suffix": "golden"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, headers, body) = send(
        &app,
        create(
            format!("{root}/volumes?names=db-1&overwrite=true"),
            json!({"source": {"name": "db-1.golden"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let safety = headers["x-flashdeck-safety-snapshots"]
        .to_str()
        .expect("named")
        .to_owned();
    assert!(safety.starts_with("db-1.safety-"), "{safety}");
    let snapshots = snapshots_on_the_array(&app).await;
    assert!(
        snapshots.to_string().contains(&format!("\"{safety}\"")),
        "the safety snapshot is on the array: {snapshots}"
    );
    let (status, _, body) = send(
        &app,
        create(
            format!("{root}/volumes?ids=1&overwrite=true"),
            json!({"source": {"name": "db-1.golden"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let admin = app.login("admin").await;
    let (_, _, audit) = app
        .call(
            "GET",
            "/api/audit?action=volume.restore",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(audit[0]["outcome"], "success", "{audit}");
    assert_eq!(audit[0]["token"], "sdk");
}

#[tokio::test]
async fn reads_are_counted_in_the_audit_log_and_versions_are_not_asked_per_caller() {
    let app = TestApp::new().await;
    let viewer = token(&app, "viewer", "viewer").await;
    let root = format!("/api/arrays/{ARRAY}/rest/api");
    for _ in 0..3 {
        let (status, _, _) =
            send(&app, bearer("GET", &format!("{root}/2.36/hosts"), &viewer)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let admin = app.login("admin").await;
    let (_, _, audit) = app
        .call("GET", "/api/audit?action=rest.read", Some(&admin), None)
        .await;
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    assert_eq!(audit[0]["username"], "viewer");
    assert_eq!(audit[0]["token"], "sdk");
    assert_eq!(audit[0]["array"], ARRAY);
    assert_eq!(audit[0]["target"], "hosts");
    assert!(
        audit[0]["parameters"]
            .as_str()
            .unwrap_or("")
            .contains("\"reads\":3"),
        "{audit}"
    );

    let (status, _, _) = send(&app, api_version(&root)).await;
    assert_eq!(status, StatusCode::OK);
    let after_first = app.sim.simulator.stats().api_requests;
    for _ in 0..20 {
        let (status, _, _) = send(&app, api_version(&root)).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(app.sim.simulator.stats().api_requests, after_first);
}

#[tokio::test]
async fn an_api_token_header_does_not_excuse_a_cookie_from_the_csrf_check() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let forged = Request::post(format!("/api/arrays/{ARRAY}/volumes"))
        .header("cookie", &operator)
        .header("api-token", "anything")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"name": "forged", "provisioned": 1_048_576}).to_string(),
        ))
        .expect("request");
    let (status, _, body) = send(&app, forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(app.sim.simulator.volume("forged").is_none());
}

#[tokio::test]
async fn a_rest_login_sweeps_sessions_that_timed_out() {
    let app = TestApp::new().await;
    let viewer = token(&app, "viewer", "viewer").await;
    let user = app
        .db
        .user_by_name("viewer")
        .await
        .expect("db")
        .expect("viewer");
    let long_ago = backend::clock::unix_now() - 400 * 24 * 3600;
    app.db
        .create_session("stale-session-hash", user.id, long_ago, None)
        .await
        .expect("an old session");
    let login = Request::post(format!("/api/arrays/{ARRAY}/rest/api/2.36/login"))
        .header("api-token", &viewer)
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(&app, login).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        app.db
            .session("stale-session-hash")
            .await
            .expect("db")
            .is_none(),
        "swept"
    );
}

/// Snapshots on the array whose names begin with `prefix`.
async fn snapshots_of(app: &TestApp, prefix: &str) -> Vec<String> {
    let snapshots = snapshots_on_the_array(app).await;
    snapshots
        .as_array()
        .or_else(|| snapshots["items"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|snapshot| snapshot["name"].as_str())
        .filter(|name| name.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn an_overwrite_cannot_skip_its_safety_snapshot_by_naming_a_new_volume_or_a_case() {
    let app = TestApp::new().await;
    let operator = token(&app, "operator", "operator").await;
    let root = format!("/api/arrays/{ARRAY}/rest/api/2.36");
    let post = |uri: String, body: Value| posted(uri, &operator, body);
    for name in ["db-1", "Db-2", "golden"] {
        let (status, _, body) = send(
            &app,
            post(
                format!("{root}/volumes?names={name}"),
                json!({"provisioned": 1_048_576}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A volume named alongside one that does not exist yet, and one spelt as it is.
    for (names, volume) in [
        ("db-1,brand-new", "db-1"),
        ("Db-2", "Db-2"),
        ("DB-1", "db-1"),
    ] {
        let (status, headers, body) = send(
            &app,
            post(
                format!("{root}/volumes?names={names}&overwrite=true"),
                json!({"source": {"name": "golden"}}),
            ),
        )
        .await;
        let taken = snapshots_of(&app, &format!("{volume}.safety-")).await;
        assert!(
            !status.is_success() || !taken.is_empty(),
            "{volume} overwritten ({status}, {body}, {:?}) with no safety snapshot",
            headers.get("x-flashdeck-safety-snapshots")
        );
    }
}

#[tokio::test]
async fn anonymous_callers_cannot_make_the_portal_ask_a_failing_array_at_their_pace() {
    let app = TestApp::new().await;
    app.sim.simulator.set_faults(flasharray_sim::FaultConfig {
        error_rate: 1.0,
        ..Default::default()
    });
    let before = app.sim.simulator.stats().api_requests;
    for _ in 0..10 {
        let request = Request::get(format!("/api/arrays/{ARRAY}/rest/api/api_version"))
            .body(Body::empty())
            .expect("request");
        let (status, _, _) = send(&app, request).await;
        assert!(status.is_server_error(), "{status}");
    }
    let asked = app.sim.simulator.stats().api_requests - before;
    assert!(
        asked <= 4,
        "the array was asked {asked} times for ten callers"
    );
}

#[tokio::test]
async fn a_token_keeps_a_bounded_number_of_rest_sessions() {
    let app = TestApp::new().await;
    let viewer = token(&app, "viewer", "viewer").await;
    let login = || {
        Request::post(format!("/api/arrays/{ARRAY}/rest/api/2.36/login"))
            .header("api-token", &viewer)
            .body(Body::empty())
            .expect("request")
    };
    let mut latest = String::new();
    for _ in 0..backend::identity::auth::MAX_SESSIONS_PER_TOKEN + 10 {
        let (status, headers, body) = send(&app, login()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        latest = headers["x-auth-token"]
            .to_str()
            .expect("session")
            .to_owned();
    }
    let cookie = app.login("viewer").await;
    let (_, _, tokens) = app.call("GET", "/api/tokens", Some(&cookie), None).await;
    let id = tokens[0]["id"].as_i64().expect("token id");
    assert_eq!(
        app.db.count_token_sessions(id).await.expect("db"),
        backend::identity::auth::MAX_SESSIONS_PER_TOKEN
    );
    let newest = Request::get(format!("/api/arrays/{ARRAY}/rest/api/2.36/volumes"))
        .header("x-auth-token", &latest)
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&app, newest).await;
    assert_eq!(status, StatusCode::OK, "the newest session works");
}

#[tokio::test]
async fn an_array_on_an_older_release_is_spoken_to_at_its_level_and_refuses_newer_ones() {
    let app = TestApp::with(crate::TestOptions {
        fleet: vec![flasharray_sim::SimulatorConfig::new("fa-old").purity("6.1")],
        ..crate::TestOptions::default()
    })
    .await;
    let viewer = token(&app, "viewer", "viewer").await;
    let root = "/api/arrays/fa-old/rest/api";
    let (status, _, versions) = send(&app, api_version(root)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        versions["version"].as_array().and_then(|v| v.last()),
        Some(&json!("2.7"))
    );
    let (status, _, hosts) = send(&app, bearer("GET", &format!("{root}/2.7/hosts"), &viewer)).await;
    assert_eq!(status, StatusCode::OK, "{hosts}");
    // A script written for a newer release gets the array's own answer, not a portal error.
    let (status, _, refused) =
        send(&app, bearer("GET", &format!("{root}/2.52/hosts"), &viewer)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    let message = refused["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("REST API version 2.52 is not supported by this array"),
        "{message}"
    );
    // The portal's own pages on that array work at its level.
    let viewer_session = app.login("viewer").await;
    let (status, _, summary) = app
        .call("GET", "/api/fleet/summary", Some(&viewer_session), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let old = summary["arrays"]
        .as_array()
        .expect("arrays")
        .iter()
        .find(|array| array["name"] == "fa-old")
        .expect("fa-old");
    assert_eq!(old["figures"]["rest_version"], "2.7", "{old}");
    assert_eq!(old["figures"]["version"], "6.1.25");
}
