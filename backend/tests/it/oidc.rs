//! Single sign-on against a real OpenID Connect provider run here (`oidc-provider-mock` from
//! PyPI): the code flow with PKCE and a nonce, groups mapped to a role and arrays, and the
//! refusals (a replayed answer, a user in no mapped group, passwords turned off).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::{TestApp, TestOptions};

#[path = "../support/oidc_provider.rs"]
mod support;

use support::{Provider, http};

const CALLBACK: &str = "http://portal.test/api/auth/oidc/callback";

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
        oidc: Some(provider.config(crate::ARRAY, CALLBACK, true)),
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
        oidc: Some(provider.config(crate::ARRAY, CALLBACK, false)),
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
