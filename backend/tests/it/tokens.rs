//! Personal API tokens: created within their user's limits, shown once, stored hashed, used
//! as `Authorization: Bearer` without the CSRF header, audited by name, revoked.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use backend::clock::unix_now;
use backend::db::NewToken;
use backend::identity::auth::new_api_token;
use flasharray_sim::SimulatorConfig;
use serde_json::{Value, json};
use shared::api::Role;

use crate::{ARRAY, TestApp, TestOptions};

/// A request as a script sends it: the token, no cookie, no CSRF header.
fn bearer(method: &str, path: &str, token: &str, body: Option<Value>) -> Request<Body> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .expect("request")
}

async fn create_token(app: &TestApp, cookie: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, body) = app
        .call("POST", "/api/tokens", Some(cookie), Some(body))
        .await;
    (status, body)
}

#[tokio::test]
async fn a_token_acts_within_its_role_without_csrf_and_is_audited_by_name() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;

    let (status, created) = create_token(
        &app,
        &operator,
        json!({"name": "nightly report", "expires_in_days": 30, "role": "viewer"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let reader = created["token"].as_str().expect("token").to_owned();
    assert!(reader.starts_with("fdk_") && reader.len() == 68, "{reader}");
    let (status, _, listed) = app.call("GET", "/api/tokens", Some(&operator), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["name"], "nightly report");
    assert!(!listed.to_string().contains(&reader), "never listed again");
    assert!(listed[0]["last_used_at"].is_null());

    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, body) = app.send(bearer("GET", &volumes, &reader, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new_volume = json!({"name": "by-script", "provisioned": 1_048_576});
    let (status, _, body) = app
        .send(bearer("POST", &volumes, &reader, Some(new_volume.clone())))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer token: {body}");
    assert!(body["message"].as_str().unwrap_or("").contains("operator"));
    let (_, _, listed) = app.call("GET", "/api/tokens", Some(&operator), None).await;
    assert!(listed[0]["last_used_at"].is_i64(), "{listed}");

    let (status, created) = create_token(
        &app,
        &operator,
        json!({"name": "provisioning", "expires_in_days": 7, "role": "operator"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let writer = created["token"].as_str().expect("token").to_owned();
    let (status, _, body) = app
        .send(bearer("POST", &volumes, &writer, Some(new_volume)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "no CSRF header needed: {body}");
    assert!(app.sim.simulator.volume("by-script").is_some());

    let admin = app.login("admin").await;
    let (_, _, audit) = app
        .call("GET", "/api/audit?action=volume.create", Some(&admin), None)
        .await;
    assert_eq!(audit[0]["username"], "operator", "{audit}");
    assert_eq!(audit[0]["token"], "provisioning", "{audit}");
    assert!(!audit.to_string().contains(&writer));

    let (status, _, body) = app
        .send(bearer(
            "POST",
            "/api/tokens",
            &writer,
            Some(json!({"name": "more", "expires_in_days": 1, "role": "viewer"})),
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "no token from a token: {body}"
    );
    let (status, _, _) = app
        .send(bearer("POST", "/api/auth/logout", &writer, None))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a token is revoked, not signed out"
    );
}

#[tokio::test]
async fn a_token_cannot_exceed_its_user_and_bad_requests_name_the_field() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    for (body, field) in [
        (
            json!({"name": "x", "expires_in_days": 30, "role": "admin"}),
            "role",
        ),
        (
            json!({"name": "x", "expires_in_days": 366, "role": "viewer"}),
            "expires_in_days",
        ),
        (
            json!({"name": "x", "expires_in_days": 0, "role": "viewer"}),
            "expires_in_days",
        ),
        (
            json!({"name": "", "expires_in_days": 1, "role": "viewer"}),
            "name",
        ),
        (
            json!({"name": "x", "expires_in_days": 1, "role": "viewer", "arrays": ["nowhere"]}),
            "arrays",
        ),
    ] {
        let (status, refusal) = create_token(&app, &operator, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {refusal}");
        assert_eq!(refusal["field"], field, "{body}: {refusal}");
    }
    let body = json!({"name": "twice", "expires_in_days": 1, "role": "viewer"});
    assert_eq!(
        create_token(&app, &operator, body.clone()).await.0,
        StatusCode::CREATED
    );
    let (status, refusal) = create_token(&app, &operator, body).await;
    assert_eq!(
        (status, refusal["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );

    for token in ["", "fdk_short", &format!("fdk_{}", "0".repeat(64))] {
        let (status, _, body) = app.send(bearer("GET", "/api/auth/me", token, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
    }
}

#[tokio::test]
async fn a_token_reaches_only_the_arrays_it_names() {
    let app = TestApp::with(TestOptions {
        fleet: vec![SimulatorConfig::new("fa-other")],
        ..TestOptions::default()
    })
    .await;
    let viewer = app.login("viewer").await;
    let (status, created) = create_token(
        &app,
        &viewer,
        json!({"name": "other only", "expires_in_days": 1, "role": "viewer", "arrays": ["fa-other"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token");
    let (status, _, _) = app
        .send(bearer("GET", "/api/arrays/fa-other/volumes", token, None))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = app
        .send(bearer(
            "GET",
            &format!("/api/arrays/{ARRAY}/volumes"),
            token,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn revoked_expired_and_disabled_users_tokens_stop_working() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let admin = app.login("admin").await;
    let mut tokens = Vec::new();
    for name in ["revoked by its user", "revoked by an admin", "kept"] {
        let (status, created) = create_token(
            &app,
            &operator,
            json!({"name": name, "expires_in_days": 1, "role": "viewer"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        tokens.push((
            created["token"].as_str().expect("token").to_owned(),
            created["summary"]["id"].clone(),
        ));
    }
    let works = |token: String| {
        let app = &app;
        async move {
            app.send(bearer("GET", "/api/auth/me", &token, None))
                .await
                .0
                == StatusCode::OK
        }
    };
    let viewer = app.login("viewer").await;
    let (status, _, _) = app
        .call(
            "DELETE",
            &format!("/api/tokens/{}", tokens[0].1),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not the viewer's to revoke");
    assert!(works(tokens[0].0.clone()).await);
    let (status, _, _) = app
        .call(
            "DELETE",
            &format!("/api/tokens/{}", tokens[0].1),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!works(tokens[0].0.clone()).await);
    let (_, _, all) = app.call("GET", "/api/tokens/all", Some(&admin), None).await;
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    assert_eq!(all[0]["username"], "operator");
    let (status, _, _) = app
        .call(
            "DELETE",
            &format!("/api/tokens/{}", tokens[1].1),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!works(tokens[1].0.clone()).await);

    let (token, hash) = new_api_token().expect("token");
    let operator_id = app
        .db
        .user_by_name("operator")
        .await
        .expect("read")
        .expect("operator")
        .id;
    app.db
        .create_token(&NewToken {
            user_id: operator_id,
            name: "expired",
            token_hash: &hash,
            role: Role::Viewer,
            arrays: None,
            created_at: unix_now() - 7200,
            expires_at: unix_now() - 1,
        })
        .await
        .expect("stored");
    let (status, _, body) = app.send(bearer("GET", "/api/auth/me", &token, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["message"].as_str().unwrap_or("").contains("expired"),
        "{body}"
    );

    assert!(works(tokens[2].0.clone()).await);
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/operator",
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!works(tokens[2].0.clone()).await, "disabling revokes");
    let (_, _, all) = app.call("GET", "/api/tokens/all", Some(&admin), None).await;
    assert_eq!(all, json!([]));
}

/// Another replica revokes a token in the shared database: this one, which checked the token
/// a moment ago, refuses it once its second of belief is over.
#[tokio::test]
async fn a_token_revoked_by_another_replica_stops_working_here_within_a_second() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let (status, created) = create_token(
        &app,
        &operator,
        json!({"name": "nightly", "expires_in_days": 1, "role": "viewer"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = created["token"].as_str().expect("token").to_owned();
    let me = || bearer("GET", "/api/auth/me", &token, None);
    assert_eq!(app.send(me()).await.0, StatusCode::OK);
    let id = created["summary"]["id"].as_i64().expect("id");
    assert!(app.db.delete_token(id).await.expect("revoked"));
    // Used from another address, the use is recorded: the token is found gone at once, and
    // alternating addresses never keeps it believed.
    let mut elsewhere = me();
    let address = SocketAddr::from(([192, 0, 2, 7], 50_000));
    elsewhere.extensions_mut().insert(ConnectInfo(address));
    assert_eq!(app.send(elsewhere).await.0, StatusCode::UNAUTHORIZED);
    tokio::time::sleep(backend::identity::session_cache::REUSE + Duration::from_millis(100)).await;
    assert_eq!(app.send(me()).await.0, StatusCode::UNAUTHORIZED);
}

/// A password reset is what an admin does when an account may be in the wrong hands, so
/// whatever the old password opened closes with it.
#[tokio::test]
async fn a_password_reset_revokes_the_users_tokens_and_ends_their_sessions() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let admin = app.login("admin").await;
    let (status, created) = create_token(
        &app,
        &operator,
        json!({"name": "nightly report", "expires_in_days": 30, "role": "viewer"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token").to_owned();
    let me = || bearer("GET", "/api/auth/me", &token, None);
    assert_eq!(app.send(me()).await.0, StatusCode::OK);

    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/operator",
            Some(&admin),
            Some(json!({"password": "a new long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.send(me()).await.0, StatusCode::UNAUTHORIZED, "revoked");
    assert_eq!(
        app.call("GET", "/api/auth/me", Some(&operator), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "signed out"
    );
    let (_, _, all) = app.call("GET", "/api/tokens/all", Some(&admin), None).await;
    assert_eq!(all, json!([]));
}
