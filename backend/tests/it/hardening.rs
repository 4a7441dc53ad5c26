//! Hostile input: what an unauthenticated or careless caller can make the portal store,
//! compute or lock, each bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use backend::identity::throttle::{PER_ADDRESS, PER_USERNAME_AND_ADDRESS};
use serde_json::{Value, json};
use shared::api::AuditQuery;

use crate::{ARRAY, PASSWORD, TestApp, request};

/// A sign-in as it arrives from `address`.
fn sign_in_from(
    address: &str,
    username: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut sign_in = request(
        "POST",
        "/api/auth/login",
        None,
        Some(json!({"username": username, "password": password})),
    );
    let address: SocketAddr = format!("{address}:40000").parse().expect("address");
    sign_in.extensions_mut().insert(ConnectInfo(address));
    sign_in
}

async fn sign_in_rows(app: &TestApp) -> usize {
    let query = AuditQuery {
        action: Some("session.login".into()),
        ..AuditQuery::default()
    };
    app.db
        .audit_entries(&query, None, i64::MAX)
        .await
        .expect("audit")
        .len()
}

#[tokio::test]
async fn a_username_no_user_can_have_is_refused_before_anything_is_written() {
    let app = TestApp::new().await;
    let huge = "x".repeat(200 * 1024);
    for username in [huge.as_str(), "bad name", "a,b", "'; DROP TABLE users; --"] {
        let (status, _, body) = app
            .send(sign_in_from("192.0.2.1", username, "wrong password"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["field"], "username");
        assert!(body.to_string().len() < 300, "the answer does not echo it");
    }
    let (status, _, body) = app
        .send(sign_in_from("192.0.2.1", "admin", &"p".repeat(100_000)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "password");
    assert_eq!(sign_in_rows(&app).await, 0, "no audit row");
    let count = app
        .db
        .login_failures("addr:192.0.2.1", 0)
        .await
        .expect("count");
    assert_eq!(count.attempts, 0, "no throttle row");
}

#[tokio::test]
async fn throttled_sign_ins_write_no_audit_rows() {
    let app = TestApp::new().await;
    for _ in 0..PER_USERNAME_AND_ADDRESS + 10 {
        app.send(sign_in_from("192.0.2.2", "admin", "wrong password"))
            .await;
    }
    assert_eq!(
        sign_in_rows(&app).await,
        usize::try_from(PER_USERNAME_AND_ADDRESS).expect("small"),
        "only the attempts let through are audited"
    );
}

/// Sends 30 wrong passwords from `address` at once, as `username(index)`: how many were
/// checked (401) and how many refused (429).
async fn parallel_guesses(
    app: &Arc<TestApp>,
    address: &'static str,
    username: fn(usize) -> String,
) -> (usize, usize) {
    let guesses = (0..30).map(|index| {
        let app = Arc::clone(app);
        tokio::spawn(async move {
            app.send(sign_in_from(address, &username(index), "wrong password"))
                .await
                .0
        })
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(guesses)
        .await
        .into_iter()
        .map(|status| status.expect("task"))
        .collect();
    let count = |wanted: StatusCode| statuses.iter().filter(|status| **status == wanted).count();
    let (checked, refused) = (
        count(StatusCode::UNAUTHORIZED),
        count(StatusCode::TOO_MANY_REQUESTS),
    );
    assert_eq!(checked + refused, 30, "{statuses:?}");
    (checked, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_are_counted_as_they_arrive() {
    let app = Arc::new(TestApp::new().await);
    let (checked, _) = parallel_guesses(&app, "192.0.2.3", |_| "admin".to_owned()).await;
    assert_eq!(
        checked,
        usize::try_from(PER_USERNAME_AND_ADDRESS).expect("small"),
        "one username from one address"
    );
    let (checked, _) = parallel_guesses(&app, "192.0.2.4", |index| format!("nobody{index}")).await;
    assert_eq!(
        checked,
        usize::try_from(PER_ADDRESS).expect("small"),
        "any usernames from one address"
    );
}

#[tokio::test]
async fn an_attempt_whose_request_went_away_counts_as_a_failure_not_as_running() {
    let app = TestApp::new().await;
    let queues = backend::identity::sign_in_queue::SignInQueues::default();
    let subjects = backend::identity::throttle::Subjects::new("admin", "192.0.2.5".parse().ok());
    let attempt = subjects
        .admit(&app.db, &queues, backend::clock::unix_now())
        .await
        .expect("admitted");
    drop(attempt);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let count = app
            .db
            .login_failures("addr:192.0.2.5", 0)
            .await
            .expect("count");
        if count.failures == 1 {
            assert_eq!(count.attempts, 1, "{count:?}");
            break;
        }
        assert!(Instant::now() < deadline, "still running: {count:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_guesser_elsewhere_cannot_lock_out_the_account_and_an_admin_can_unlock_it() {
    let app = TestApp::new().await;
    for _ in 0..PER_USERNAME_AND_ADDRESS {
        let (status, _, _) = app
            .send(sign_in_from("198.51.100.66", "operator", "wrong password"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = app
        .send(sign_in_from("198.51.100.66", "operator", PASSWORD))
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser is refused"
    );
    let (status, _, body) = app
        .send(sign_in_from("192.0.2.10", "operator", PASSWORD))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the owner signs in elsewhere: {body}"
    );

    let forgotten = backend::identity::throttle::unlock(&app.db, "OPERATOR")
        .await
        .expect("unlocked");
    assert!(forgotten >= 1, "{forgotten}");
    let (status, _, body) = app
        .send(sign_in_from("198.51.100.66", "operator", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::OK, "unlocked: {body}");
}

#[tokio::test]
async fn one_address_is_refused_after_its_own_limit_across_usernames() {
    let app = TestApp::new().await;
    let limit = usize::try_from(PER_ADDRESS).expect("small");
    for index in 0..limit {
        let (status, _, _) = app
            .send(sign_in_from(
                "192.0.2.20",
                &format!("nobody{index}"),
                "wrong password",
            ))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = app
        .send(sign_in_from("192.0.2.20", "viewer", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = app
        .send(sign_in_from("192.0.2.21", "viewer", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_label_only_the_arrays_the_portal_knows() {
    let app = TestApp::new().await;
    for index in 0..50 {
        app.call(
            "GET",
            &format!("/api/arrays/made-up-{index}/volumes"),
            None,
            None,
        )
        .await;
    }
    let cookie = app.login("viewer").await;
    app.call(
        "GET",
        &format!("/api/arrays/{ARRAY}/volumes"),
        Some(&cookie),
        None,
    )
    .await;
    let (_, _, body) = app.call("GET", "/metrics", None, None).await;
    let text = body.as_str().expect("text");
    assert!(!text.contains("made-up"), "{text}");
    assert!(
        text.contains(
            "flashdeck_api_requests_total{array=\"other\",method=\"GET\",status=\"401\"} 50"
        ),
        "{text}"
    );
    assert!(text.contains(&format!("array=\"{ARRAY}\"")), "{text}");
}

#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() {
    let app = TestApp::new().await;
    let (_, _, before) = app.call("GET", "/metrics", None, None).await;
    for index in 0..300 {
        let method = format!("M{index}{}", "X".repeat(10_000));
        let request = axum::http::Request::builder()
            .method(axum::http::Method::from_bytes(method.as_bytes()).expect("a method"))
            .uri(["/api/auth/login", "/api/fleet/summary", "/api/audit"][index % 3])
            .header("x-flashdeck-csrf", "1")
            .body(axum::body::Body::empty())
            .expect("request");
        let (status, _, _) = app.send(request).await;
        assert!(status.is_client_error(), "{status}");
    }
    let (_, _, after) = app.call("GET", "/metrics", None, None).await;
    let (before, after) = (
        before.as_str().expect("text"),
        after.as_str().expect("text"),
    );
    assert!(!after.contains("XXXX"), "no made-up method is a label");
    assert!(
        after.len() < before.len() + 4_000,
        "{} bytes after, {} before",
        after.len(),
        before.len()
    );
    assert!(after.contains("method=\"other\""), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_check_answers_while_passwords_are_checked() {
    let app = Arc::new(TestApp::new().await);
    let sign_ins: Vec<_> = (0..20)
        .map(|index| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                app.send(sign_in_from(
                    &format!("192.0.2.{}", 100 + index),
                    "admin",
                    PASSWORD,
                ))
                .await
                .0
            })
        })
        .collect();
    let mut waits = Vec::new();
    while waits.len() < 10 {
        let started = Instant::now();
        let (status, _, _) = app.call("GET", "/healthz", None, None).await;
        assert_eq!(status, StatusCode::OK);
        waits.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for sign_in in sign_ins {
        assert_eq!(sign_in.await.expect("task"), StatusCode::OK);
    }
    waits.sort();
    let median = waits[waits.len() / 2];
    println!(
        "/healthz during 20 sign-ins: median {median:?}, slowest {:?}",
        waits[waits.len() - 1]
    );
    assert!(
        median < Duration::from_millis(100),
        "argon2 must not run on the runtime's threads: {waits:?}"
    );
}

#[tokio::test]
async fn a_path_naming_several_objects_is_refused_before_the_array() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let admin = app.login("admin").await;
    for name in ["x", "y"] {
        let (status, _, body) = app
            .call(
                "POST",
                &format!("/api/arrays/{ARRAY}/volumes"),
                Some(&operator),
                Some(json!({"name": name, "provisioned": 1u64 << 20})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for (method, path, cookie) in [
        ("DELETE", format!("/api/arrays/{ARRAY}/volumes/x,y"), &admin),
        (
            "PATCH",
            format!("/api/arrays/{ARRAY}/volumes/x,y"),
            &operator,
        ),
        ("GET", format!("/api/arrays/{ARRAY}/volumes/x,y"), &operator),
    ] {
        let body = (method == "PATCH").then(|| json!({"destroyed": true}));
        let (status, _, answer) = app.call(method, &path, Some(cookie), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {answer}");
        assert_eq!(answer["field"], "volume", "{answer}");
    }
    for name in ["x", "y"] {
        let volume = app.sim.simulator.volume(name).expect("still there");
        assert!(!volume.destroyed, "{name} untouched");
    }
}

#[tokio::test]
async fn the_audit_row_names_the_array_the_handler_acts_on() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let (status, _, body) = app
        .call(
            "POST",
            "/api/recycle-bin/recover?array=somewhere-else",
            Some(&operator),
            Some(json!({"array": ARRAY, "kind": "volume", "name": "missing"})),
        )
        .await;
    assert_ne!(status, StatusCode::OK, "{body}");
    let query = AuditQuery {
        action: Some("recycle_bin.recover".into()),
        ..AuditQuery::default()
    };
    let rows = app
        .db
        .audit_entries(&query, None, i64::MAX)
        .await
        .expect("audit");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].array.as_deref(), Some(ARRAY), "{:?}", rows[0]);
}

#[tokio::test]
async fn a_scoped_admin_reads_only_their_arrays_audit_and_cannot_widen_their_scope() {
    let app = TestApp::new().await;
    // An array the portal no longer has: the scope outlives it.
    let hash = backend::identity::passwords::hash_password(PASSWORD).expect("hash");
    app.db
        .create_scoped_user(
            "scoped",
            &hash,
            shared::api::Role::Admin,
            Some(&["fa-other".to_owned()]),
            None,
            backend::clock::unix_now(),
        )
        .await
        .expect("user");
    let operator = app.login("operator").await;
    app.call(
        "POST",
        &format!("/api/arrays/{ARRAY}/volumes"),
        Some(&operator),
        Some(json!({"name": "audited", "provisioned": 1u64 << 20})),
    )
    .await;
    let scoped = app.login("scoped").await;
    let (status, _, rows) = app.call("GET", "/api/audit", Some(&scoped), None).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let arrays: Vec<&Value> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| &row["array"])
        .collect();
    assert!(arrays.iter().all(|array| array.is_null()), "{rows}");
    let (_, _, csv) = app.call("GET", "/api/audit.csv", Some(&scoped), None).await;
    assert!(!csv.as_str().expect("text").contains(ARRAY), "{csv}");

    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/scoped",
            Some(&scoped),
            Some(json!({"arrays": null})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_two_admins_cannot_demote_each_other_at_once() {
    let app = Arc::new(TestApp::new().await);
    let admin = app.login("admin").await;
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&admin),
            Some(json!({"username": "second", "password": PASSWORD, "role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let second = app.login("second").await;
    let demote = |cookie: String, whom: &'static str| {
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            app.call(
                "PATCH",
                &format!("/api/users/{whom}"),
                Some(&cookie),
                Some(json!({"role": "viewer"})),
            )
            .await
            .0
        })
    };
    let first = demote(admin, "second");
    let other = demote(second, "admin");
    let statuses = [first.await.expect("task"), other.await.expect("task")];
    let users = app.db.users().await.expect("users");
    let admins = users
        .iter()
        .filter(|(user, _)| user.role == shared::api::Role::Admin && !user.disabled)
        .count();
    assert!(admins >= 1, "{statuses:?}: no admin left");
}

/// A portal with `limits` whose array answers after `latency_ms`; sign in before calling it,
/// since sign-ins do not reach the array.
async fn app_slowed_by_an_array(limits: backend::config::LimitsConfig, latency_ms: u64) -> TestApp {
    let app = TestApp::with(crate::TestOptions {
        limits,
        ..crate::TestOptions::default()
    })
    .await;
    app.sim.simulator.set_faults(flasharray_sim::FaultConfig {
        latency_ms,
        ..flasharray_sim::FaultConfig::default()
    });
    app
}

#[tokio::test]
async fn the_recycle_bin_reports_a_hung_array_at_its_deadline() {
    let app = app_slowed_by_an_array(
        backend::config::LimitsConfig {
            array_deadline_secs: 1,
            ..backend::config::LimitsConfig::default()
        },
        20_000,
    )
    .await;
    let viewer = app.login("viewer").await;
    let started = Instant::now();
    let (status, _, bin) = app
        .call("GET", "/api/recycle-bin", Some(&viewer), None)
        .await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{bin}");
    assert!(
        took < Duration::from_secs(10),
        "waited {took:?} for a hung array"
    );
    let error = bin["errors"][0].as_str().expect("the array is reported");
    assert!(
        error.contains(ARRAY) && error.contains("no answer within 1 s"),
        "{error}"
    );
}

#[tokio::test]
async fn api_requests_past_the_timeout_are_answered_504_and_their_change_still_audited() {
    let app = app_slowed_by_an_array(
        backend::config::LimitsConfig {
            request_timeout_secs: 1,
            ..backend::config::LimitsConfig::default()
        },
        2_500,
    )
    .await;
    let operator = app.login("operator").await;
    let (status, _, body) = app
        .call(
            "POST",
            &format!("/api/arrays/{ARRAY}/volumes"),
            Some(&operator),
            Some(json!({"name": "slow-one", "provisioned": 1u64 << 20})),
        )
        .await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
    let query = AuditQuery {
        action: Some("volume.create".into()),
        ..AuditQuery::default()
    };
    let mut outcome = String::new();
    for _ in 0..100 {
        let rows = app
            .db
            .audit_entries(&query, None, backend::clock::unix_now_ms())
            .await
            .expect("audit");
        outcome = format!("{:?}", rows[0].outcome);
        if outcome != "Pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        outcome, "Success",
        "the change ran to its end and was recorded"
    );
    assert!(app.sim.simulator.volume("slow-one").is_some());
}

#[tokio::test]
async fn only_admins_may_restore_without_a_safety_snapshot() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let admin = app.login("admin").await;
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    app.call(
        "POST",
        &volumes,
        Some(&operator),
        Some(json!({"name": "vol1", "provisioned": 1u64 << 20})),
    )
    .await;
    let (status, _, body) = app
        .call(
            "POST",
            &format!("/api/arrays/{ARRAY}/volume-snapshots"),
            Some(&operator),
            Some(json!({"volumes": ["vol1"], "suffix": "before"})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let restore = format!("/api/arrays/{ARRAY}/volumes/vol1/restore");
    let without = json!({"snapshot": "vol1.before", "safety_snapshot": false, "overwrite": true});
    let (status, _, body) = app
        .call("POST", &restore, Some(&operator), Some(without.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = app
        .call("POST", &restore, Some(&admin), Some(without))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = app
        .call(
            "POST",
            &restore,
            Some(&operator),
            Some(json!({"snapshot": "vol1.before", "overwrite": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["safety_snapshot"]["name"].is_string(),
        "taken by default: {body}"
    );
}

/// A portal serving `files` as its built frontend.
async fn portal_serving(files: &[(&str, &[u8])]) -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, contents) in files {
        std::fs::write(dir.path().join(name), contents).expect("file");
    }
    let db = crate::test_database(dir.path()).await;
    let state = backend::AppState::new(
        db,
        backend::arrays::registry::ArrayRegistry::default(),
        backend::config::SessionConfig::default(),
    )
    .serving_https();
    (backend::router(state, dir.path()), dir)
}

async fn get_with(
    router: &axum::Router,
    path: &str,
    accept_encoding: &str,
) -> axum::http::Response<axum::body::Body> {
    use tower::ServiceExt;
    let request = axum::http::Request::get(path)
        .header("accept-encoding", accept_encoding)
        .body(axum::body::Body::empty())
        .expect("request");
    router.clone().oneshot(request).await.expect("response")
}

#[tokio::test]
async fn the_frontend_is_served_precompressed_cached_by_hash_and_under_a_policy() {
    let loader = "import init from '/frontend-0123456789abcdef.js';init();";
    let index = format!("<!doctype html><script type=\"module\">{loader}</script>");
    let (router, _dir) = portal_serving(&[
        ("index.html", index.as_bytes()),
        ("frontend-0123456789abcdef_bg.wasm", b"plain wasm"),
        ("frontend-0123456789abcdef_bg.wasm.br", b"brotli wasm"),
        ("frontend-0123456789abcdef_bg.wasm.gz", b"gzip wasm"),
    ])
    .await;
    let wasm = "/frontend-0123456789abcdef_bg.wasm";
    let brotli = get_with(&router, wasm, "gzip, deflate, br").await;
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(
        brotli.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let gzip = get_with(&router, wasm, "gzip").await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let plain = get_with(&router, wasm, "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());

    let page = get_with(&router, "/arrays/fa-1/volumes", "br").await;
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("text")
        .to_owned();
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader));
    assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
    assert!(policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"));
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn a_build_file_that_is_gone_is_not_found_and_never_the_app_page_kept_for_a_year() {
    let (router, _dir) = portal_serving(&[
        ("index.html", b"<!doctype html>"),
        ("chunk_4-0123456789abcdef.wasm", b"module"),
    ])
    .await;
    let kept = get_with(&router, "/chunk_4-0123456789abcdef.wasm", "identity").await;
    assert_eq!(kept.status(), axum::http::StatusCode::OK);
    // A tab opened before an upgrade asks for the old build's module.
    let gone = get_with(&router, "/chunk_4-fedcba9876543210.wasm", "identity").await;
    assert_eq!(gone.status(), axum::http::StatusCode::NOT_FOUND);
    assert_eq!(gone.headers()["cache-control"], "no-cache");
    let deep_link = get_with(&router, "/arrays/fa-1/volumes", "identity").await;
    assert_eq!(deep_link.status(), axum::http::StatusCode::OK);
    // A volume whose name ends like a content hash is still the app's page.
    let named_like_a_hash = "/arrays/fa-1/volumes/db-0123456789abcdef";
    let deep_link = get_with(&router, named_like_a_hash, "identity").await;
    assert_eq!(deep_link.status(), axum::http::StatusCode::OK);
    assert_ne!(
        deep_link.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[test]
fn debug_output_never_shows_a_password_hash_or_a_token_hash() {
    let user = backend::db::User {
        id: 1,
        username: "alice".into(),
        password_hash: "$argon2id$secret-hash".into(),
        role: shared::api::Role::Admin,
        disabled: false,
        arrays: None,
        array_username: None,
        sso_subject: None,
    };
    let shown = format!("{user:?}");
    assert!(
        !shown.contains("secret-hash") && shown.contains("alice"),
        "{shown}"
    );
    let update = backend::db::UserUpdate {
        password_hash: Some("$argon2id$secret-hash".into()),
        ..backend::db::UserUpdate::default()
    };
    let shown = format!("{update:?}");
    assert!(!shown.contains("secret-hash"), "{shown}");
    let token = backend::db::NewToken {
        user_id: 1,
        name: "nightly",
        token_hash: "secret-token-hash",
        role: shared::api::Role::Viewer,
        arrays: None,
        created_at: 0,
        expires_at: 1,
    };
    let shown = format!("{token:?}");
    assert!(
        !shown.contains("secret-token-hash") && shown.contains("nightly"),
        "{shown}"
    );
}

/// An office behind one proxy at nine o'clock: everyone's password is right, and nobody is
/// refused for the others' sign-ins still running; they wait their turn instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_behind_one_address_sign_in_together() {
    let app = Arc::new(TestApp::new().await);
    let hash = backend::identity::passwords::hash_password(PASSWORD).expect("hash");
    for index in 0..200 {
        app.db
            .create_user(
                &format!("colleague{index}"),
                &hash,
                shared::api::Role::Viewer,
                backend::clock::unix_now(),
            )
            .await
            .expect("user");
    }
    let sign_ins = (0..200).map(|index| {
        let app = Arc::clone(&app);
        // A few sign in twice at once, as from two tabs.
        let username = match index % 20 {
            0 => "admin".to_owned(),
            _ => format!("colleague{index}"),
        };
        tokio::spawn(async move {
            let (status, _, body) = app
                .send(sign_in_from("203.0.113.50", &username, PASSWORD))
                .await;
            (status, body)
        })
    });
    for sign_in in futures_util::future::join_all(sign_ins).await {
        let (status, body) = sign_in.expect("task");
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let count = app
        .db
        .login_failures("addr:203.0.113.50", 0)
        .await
        .expect("count");
    assert_eq!(
        count.attempts, 0,
        "successful sign-ins leave nothing behind"
    );
}

#[tokio::test]
async fn sessions_past_their_limits_are_deleted_at_the_next_sign_in() {
    let app = TestApp::new().await;
    let now = backend::clock::unix_now();
    let users = app.db.users().await.expect("users");
    let viewer = users
        .iter()
        .find(|(user, _)| user.username == "viewer")
        .map(|(user, _)| user.id)
        .expect("viewer");
    app.db
        .create_session("stale-hash", viewer, now - 40 * 24 * 3600, None)
        .await
        .expect("session");
    assert_eq!(app.db.count_sessions_of(viewer).await.expect("count"), 1);
    app.login("admin").await;
    assert_eq!(
        app.db.count_sessions_of(viewer).await.expect("count"),
        0,
        "the expired session is gone"
    );
}
