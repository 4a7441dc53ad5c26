use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::{ARRAY, PASSWORD, TestApp};

#[tokio::test]
async fn login_refuses_unknown_users_and_wrong_passwords_alike() {
    let app = TestApp::new().await;
    let unknown = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "nobody", "password": PASSWORD})),
        )
        .await;
    let wrong = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "admin", "password": "wrong"})),
        )
        .await;
    assert_eq!(unknown.0, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.2, wrong.2);
    assert_eq!(unknown.2["message"], "Invalid username or password.");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict() {
    let app = TestApp::new().await;
    let (_, cookie, _) = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "admin", "password": PASSWORD})),
        )
        .await;
    let cookie = cookie.expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

#[tokio::test]
async fn api_calls_need_a_session_and_logout_ends_it() {
    let app = TestApp::new().await;
    assert_eq!(
        app.call("GET", "/api/arrays", None, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let cookie = app.login("viewer").await;
    let (status, _, body) = app.call("GET", "/api/arrays", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["name"], ARRAY);
    assert_eq!(body[0]["auth_method"], "api_token");
    assert_eq!(
        app.call("POST", "/api/auth/logout", Some(&cookie), None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.call("GET", "/api/arrays", Some(&cookie), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn creates_a_volume_on_the_array() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    let path = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, body) = app
        .call(
            "POST",
            &path,
            Some(&cookie),
            Some(json!({"name": "vol1", "provisioned": 5u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body[0]["provisioned"], 5u64 << 30);
    assert_eq!(
        app.sim
            .simulator
            .volume("vol1")
            .expect("on the array")
            .provisioned,
        5 << 30
    );

    let (_, _, list) = app.call("GET", &path, Some(&cookie), None).await;
    assert_eq!(list["total_item_count"], 1);
    assert_eq!(list["items"][0]["name"], "vol1");
}

#[tokio::test]
async fn invalid_input_names_the_field_and_reaches_no_array() {
    let app = TestApp::new().await;
    let cookie = app.login("admin").await;
    let path = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, body) = app
        .call(
            "POST",
            &path,
            Some(&cookie),
            Some(json!({"name": "bad_name", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "name");
    let (status, _, body) = app
        .call(
            "POST",
            &path,
            Some(&cookie),
            Some(json!({"name": "ok", "provisioned": 1000})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "provisioned");
    let (status, _, body) = app
        .call("POST", &path, Some(&cookie), Some(json!({"name": "ok"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("provisioned"),
        "{body}"
    );
    assert!(app.sim.simulator.volume("ok").is_none());
}

#[tokio::test]
async fn the_arrays_refusal_reaches_the_user_next_to_the_field() {
    let app = TestApp::new().await;
    let cookie = app.login("admin").await;
    let path = format!("/api/arrays/{ARRAY}/volumes");
    app.call(
        "POST",
        &path,
        Some(&cookie),
        Some(json!({"name": "vol1", "provisioned": 1u64 << 30})),
    )
    .await;
    let (status, _, body) = app
        .call(
            "POST",
            &path,
            Some(&cookie),
            Some(json!({"name": "VOL1", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Volume already exists.");
    assert_eq!(body["field"], "name");
    assert!(
        body["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn a_viewer_cannot_create() {
    let app = TestApp::new().await;
    let cookie = app.login("viewer").await;
    let path = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, body) = app
        .call(
            "POST",
            &path,
            Some(&cookie),
            Some(json!({"name": "vol1", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("operator role"),
        "{body}"
    );
    assert!(app.sim.simulator.volume("vol1").is_none());
}

#[tokio::test]
async fn a_mutation_without_the_csrf_header_is_refused() {
    let app = TestApp::new().await;
    let cookie = app.login("admin").await;
    let request = Request::post(format!("/api/arrays/{ARRAY}/volumes"))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"name": "vol1", "provisioned": 1u64 << 30}).to_string(),
        ))
        .expect("request");
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("x-flashdeck-csrf"),
        "{body}"
    );
    assert!(app.sim.simulator.volume("vol1").is_none());
}

#[tokio::test]
async fn unknown_arrays_and_api_paths_are_json_404s_and_other_paths_get_the_frontend() {
    let app = TestApp::new().await;
    let cookie = app.login("admin").await;
    let (status, _, body) = app
        .call("GET", "/api/arrays/nope/volumes", Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "No array named nope is registered.");
    let (status, _, body) = app
        .call("GET", "/api/no/such/thing", Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "No such API endpoint.");
    let (status, _, body) = app.call("GET", "/arrays/fa-test/volumes", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.as_str()
            .expect("html")
            .contains("<title>Flashdeck</title>")
    );
}

#[tokio::test]
async fn an_unreachable_array_is_a_bad_gateway_naming_it() {
    let mut app = TestApp::new().await;
    let cookie = app.login("admin").await;
    app.stop_array().await;
    let (status, _, body) = app
        .call(
            "GET",
            &format!("/api/arrays/{ARRAY}/volumes"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .starts_with("fa-test: cannot reach https://"),
        "{body}"
    );
}

#[tokio::test]
async fn readiness_follows_the_database_and_only_reports_the_arrays() {
    let mut app = TestApp::new().await;
    let (status, _, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["arrays"][0]["name"], ARRAY);
    assert_eq!(body["arrays"][0]["status"], "ok");
    app.stop_array().await;
    // Within the reuse time the last probe is answered; the arrays are not asked again.
    let (_, _, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(body["arrays"][0]["status"], "ok");
    tokio::time::sleep(backend::ops::health::PROBE_REUSE).await;
    let (status, _, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "one array down leaves the portal ready: {body}"
    );
    assert_eq!(
        body["arrays"][0]["status"], "fail",
        "only ok or fail: {body}"
    );
    app.db.close().await;
    let (status, _, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["database"], "fail", "{body}");
}

#[tokio::test]
async fn metrics_count_requests_by_array_sign_ins_sessions_and_audit_rows() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    let path = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, _) = app
        .call(
            "POST",
            &path,
            Some(&cookie),
            Some(json!({"name": "counted", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, body) = app.call("GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().expect("text");
    for line in [
        format!(
            "flashdeck_api_requests_total{{array=\"{ARRAY}\",method=\"POST\",status=\"201\"}} 1"
        ),
        format!("flashdeck_api_request_duration_seconds_count{{array=\"{ARRAY}\"}} 1"),
        format!("flashdeck_array_sign_ins_total{{array=\"{ARRAY}\"}} 1"),
        "flashdeck_sessions 1".to_owned(),
        "flashdeck_audit_rows_total 2".to_owned(),
    ] {
        assert!(
            text.lines().any(|found| found == line),
            "{line} not in\n{text}"
        );
    }
}
