//! Single sign-on against a real OpenID Connect provider run here (`oidc-provider-mock` from
//! PyPI): the code flow with PKCE and a nonce, groups mapped to a role and arrays, and the
//! refusals (a replayed answer, an answer in another browser, a user in no mapped group,
//! passwords turned off, a provider over plain http), and what is recorded of them.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::{TestApp, TestOptions};

use test_support::oidc_provider::{Provider, http};

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
    get_with(app, path, None).await
}

/// A GET from a browser holding `cookie` (`name=value`).
async fn get_with(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send_for_headers(request.body(Body::empty()).expect("request"))
        .await
}

/// The whole `Set-Cookie` of the cookie named `name`, if the response sets it.
fn set_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|cookie| cookie.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The `name=value` of the cookie named `name` the response sets.
fn cookie_pair(headers: &axum::http::HeaderMap, name: &str) -> String {
    let cookie = set_cookie(headers, name).unwrap_or_else(|| panic!("{name} set: {headers:?}"));
    cookie.split(';').next().expect("pair").to_owned()
}

/// A sign-in begun: where the browser goes, and the cookie it keeps meanwhile.
async fn begin(app: &TestApp) -> (String, String) {
    let (status, headers, _) = get(app, "/api/auth/oidc/start").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let authorize = location(&headers);
    assert!(
        authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="),
        "{authorize}"
    );
    (authorize, cookie_pair(&headers, "flashdeck_sso"))
}

async fn sign_in_through(app: &TestApp, sub: &str) -> (StatusCode, axum::http::HeaderMap) {
    let (authorize, cookie) = begin(app).await;
    let callback = provider_answers(&authorize, sub).await;
    let (status, headers, _) = get_with(app, &callback, Some(&cookie)).await;
    (status, headers)
}

fn users() -> Vec<Value> {
    vec![
        json!({"sub": "u-alice", "preferred_username": "alice", "groups": ["storage-admins"]}),
        json!({"sub": "u-dana", "preferred_username": "dana", "groups": ["dba", "staff"]}),
        json!({"sub": "u-mallory", "preferred_username": "mallory", "groups": ["marketing"]}),
    ]
}

/// The provider with [`users`], from a virtual environment of this crate's own.
async fn start_provider() -> Provider {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider-mock-backend");
    Provider::start(&venv, &users()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn people_sign_in_through_the_provider_with_the_role_their_groups_give() {
    let provider = start_provider().await;
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
    let spent = set_cookie(&headers, "flashdeck_sso").expect("the sign-in's cookie cleared");
    assert!(spent.contains("Max-Age=0"), "{spent}");
    let cookie = cookie_pair(&headers, "flashdeck_session");
    let (status, _, me) = app.call("GET", "/api/auth/me", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me,
        json!({"username": "alice", "role": "admin", "sso": true})
    );

    let (_, headers) = sign_in_through(&app, "u-dana").await;
    let dana = cookie_pair(&headers, "flashdeck_session");
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
    let provider = start_provider().await;
    let app = TestApp::with(TestOptions {
        oidc: Some(provider.config(crate::ARRAY, CALLBACK, false)),
        ..TestOptions::default()
    })
    .await;
    let (authorize, cookie) = begin(&app).await;
    let callback = provider_answers(&authorize, "u-alice").await;
    let (_, first, _) = get_with(&app, &callback, Some(&cookie)).await;
    assert_eq!(location(&first), "/");
    // The browser dropped the cookie; even one that kept it cannot use the code twice.
    for kept in [None, Some(cookie.as_str())] {
        let (_, replayed, _) = get_with(&app, &callback, kept).await;
        assert!(
            location(&replayed).starts_with("/?sso_error="),
            "replay refused"
        );
        assert!(set_cookie(&replayed, "flashdeck_session").is_none());
    }

    let (_, headers) = sign_in_through(&app, "u-mallory").await;
    let refused = location(&headers);
    assert!(refused.contains("none+of+the+groups"), "{refused}");
    assert!(set_cookie(&headers, "flashdeck_session").is_none());
    let (_, cookie) = begin(&app).await;
    let (_, forged, _) = get_with(
        &app,
        "/api/auth/oidc/callback?state=forged&code=x",
        Some(&cookie),
    )
    .await;
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

/// Issue 25: the provider's answer is bound to the browser that began the sign-in, so a link
/// to the callback signs nobody else in as that person (login CSRF).
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_signs_in_only_the_browser_that_began_the_sign_in() {
    let provider = start_provider().await;
    let app = TestApp::with(TestOptions {
        oidc: Some(provider.config(crate::ARRAY, CALLBACK, true)),
        ..TestOptions::default()
    })
    .await;
    let (authorize, victim) = begin(&app).await;
    let started = set_cookie(&app_start_headers(&app).await, "flashdeck_sso").expect("cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Max-Age=600", "Path=/"] {
        assert!(started.contains(attribute), "{attribute}: {started}");
    }
    assert!(!started.contains("Secure"), "plain HTTP here");
    let callback = provider_answers(&authorize, "u-alice").await;

    // Another browser, with no sign-in of its own or with one of its own begun.
    let (_, other_begun) = begin(&app).await;
    for other in [None, Some(other_begun.as_str())] {
        let (status, headers, _) = get_with(&app, &callback, other).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            location(&headers).contains("not+begun+in+this+browser"),
            "{headers:?}"
        );
        assert!(set_cookie(&headers, "flashdeck_session").is_none());
    }
    // A cookie sealed by some other portal, or tampered with, opens nothing.
    let flipped = if victim.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{flipped}", &victim[..victim.len() - 1]);
    let (_, headers, _) = get_with(&app, &callback, Some(&forged)).await;
    assert!(set_cookie(&headers, "flashdeck_session").is_none());

    // The code was never spent on the other browsers: the one that began still finishes.
    let (_, headers, _) = get_with(&app, &callback, Some(&victim)).await;
    assert_eq!(location(&headers), "/");
    let session = cookie_pair(&headers, "flashdeck_session");
    let (_, _, me) = app.call("GET", "/api/auth/me", Some(&session), None).await;
    assert_eq!(me["username"], "alice");
}

async fn app_start_headers(app: &TestApp) -> axum::http::HeaderMap {
    get(app, "/api/auth/oidc/start").await.1
}

/// Issue 25: beginning a sign-in stores nothing, so no number of anonymous starts can fill a
/// table or turn anyone away (10,000 under way used to refuse the next).
#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_anonymous_starts_refuse_nobody() {
    let provider = start_provider().await;
    let app = TestApp::with(TestOptions {
        oidc: Some(provider.config(crate::ARRAY, CALLBACK, true)),
        ..TestOptions::default()
    })
    .await;
    for _ in 0..10_000 {
        let (status, headers, _) = get(&app, "/api/auth/oidc/start").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            location(&headers).starts_with(&provider.issuer),
            "{headers:?}"
        );
    }
    let (_, headers) = sign_in_through(&app, "u-dana").await;
    assert_eq!(location(&headers), "/", "still signs people in");
}

async fn logins(app: &TestApp, admin: &str) -> Vec<Value> {
    let (_, _, rows) = app
        .call("GET", "/api/audit?action=session.login", Some(admin), None)
        .await;
    rows.as_array().cloned().unwrap_or_default()
}

/// Issue 25: callbacks are audited only once they answer a sign-in of this browser, and what
/// the provider says is kept short wherever it is stored or shown.
#[tokio::test(flavor = "multi_thread")]
async fn only_answers_to_a_sign_in_begun_here_are_audited_and_provider_text_is_bounded() {
    let provider = start_provider().await;
    let app = TestApp::with(TestOptions {
        oidc: Some(provider.config(crate::ARRAY, CALLBACK, true)),
        ..TestOptions::default()
    })
    .await;
    let admin = app.login("admin").await;
    let before = logins(&app, &admin).await.len();
    let long = "x".repeat(20_000);
    for _ in 0..300 {
        let path =
            format!("/api/auth/oidc/callback?state=s&error=access_denied&error_description={long}");
        let (status, headers, _) = get(&app, &path).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!location(&headers).contains("xxxx"), "not shown either");
    }
    assert_eq!(logins(&app, &admin).await.len(), before, "nothing recorded");

    let (authorize, cookie) = begin(&app).await;
    let state = reqwest::Url::parse(&authorize)
        .expect("url")
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .expect("state");
    let path =
        format!("/api/auth/oidc/callback?state={state}&error={long}&error_description={long}");
    let (_, headers, _) = get_with(&app, &path, Some(&cookie)).await;
    let shown = location(&headers);
    assert!(shown.starts_with("/?sso_error="), "{shown}");
    assert!(shown.len() < 1_500, "{} bytes shown", shown.len());
    let rows = logins(&app, &admin).await;
    assert_eq!(
        rows.len(),
        before + 1,
        "the answer to this sign-in is recorded"
    );
    let message = rows
        .iter()
        .filter_map(|row| row["message"].as_str())
        .find(|message| message.contains("did not sign you in"))
        .expect("the refusal recorded");
    assert!(message.chars().count() < 600, "{message}");
}

/// Issue 25: the client secret (with `+`, `/`, `=` and `%`) is sent as the provider is
/// registered to take it: form-urlencoded in HTTP Basic by default, or in the form.
#[tokio::test(flavor = "multi_thread")]
async fn the_client_secret_may_also_be_sent_in_the_form() {
    let provider = start_provider().await;
    let mut config: backend::config::OidcConfig = provider.config(crate::ARRAY, CALLBACK, true);
    config.token_endpoint_auth = backend::config::TokenEndpointAuth::ClientSecretPost;
    let app = TestApp::with(TestOptions {
        oidc: Some(config),
        ..TestOptions::default()
    })
    .await;
    let (_, headers) = sign_in_through(&app, "u-alice").await;
    assert_eq!(location(&headers), "/", "{headers:?}");
}

/// Issue 25: a provider over plain `http` is refused unless `[oidc] allow_http` says this is a
/// lab, at the check of the configuration and at start.
#[tokio::test(flavor = "multi_thread")]
async fn a_provider_over_plain_http_is_refused_unless_allowed() {
    let provider = start_provider().await;
    let mut config: backend::config::OidcConfig = provider.config(crate::ARRAY, CALLBACK, true);
    config.allow_http = false;
    let refused = backend::identity::oidc::Oidc::from_config(&config).expect_err("refused");
    assert!(
        refused.contains(&format!("issuer {}", provider.issuer))
            && refused.contains("oidc.allow_http"),
        "{refused}"
    );

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("flashdeck.toml");
    let settings = |allow_http: bool| {
        format!(
            "[oidc]\nissuer = \"{}\"\nclient_id = \"flashdeck\"\nredirect_url = \"{CALLBACK}\"\n\
             allow_http = {allow_http}\n[[oidc.groups]]\ngroup = \"dba\"\nrole = \"viewer\"\n",
            provider.issuer
        )
    };
    for (allow_http, passes) in [(false, false), (true, true)] {
        std::fs::write(&file, settings(allow_http)).expect("config");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_flashdeck"))
            .args(["--config", &file.display().to_string(), "config", "check"])
            .env_remove("FLASHDECK_SECRET_KEY")
            .output()
            .expect("flashdeck runs");
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.success(), passes, "{said}");
        assert_eq!(said.contains("oidc.allow_http"), !passes, "{said}");
    }
}

/// Gives the provider's user `sub` these claims from their next sign-in on, as when an admin
/// there changes their groups.
async fn set_claims(provider: &Provider, sub: &str, claims: &Value) {
    let response = http()
        .put(format!("{}/users/{sub}", provider.issuer))
        .json(claims)
        .send()
        .await
        .expect("provider answers");
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

/// Issue 25: someone the provider takes out of every mapped group loses the portal at their
/// next sign-in: disabled, their sessions ended, their personal API tokens revoked, audited.
#[tokio::test(flavor = "multi_thread")]
async fn someone_the_provider_drops_from_every_group_loses_sessions_and_tokens() {
    let provider = start_provider().await;
    let mut config: backend::config::OidcConfig = provider.config(crate::ARRAY, CALLBACK, true);
    config.max_token_days = Some(30);
    let app = TestApp::with(TestOptions {
        oidc: Some(config),
        ..TestOptions::default()
    })
    .await;
    let (_, headers) = sign_in_through(&app, "u-dana").await;
    let dana = cookie_pair(&headers, "flashdeck_session");
    let token = |days: u32| json!({"name": format!("ci {days}"), "expires_in_days": days, "role": "viewer"});
    let (status, _, refused) = app
        .call("POST", "/api/tokens", Some(&dana), Some(token(90)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refused["field"], "expires_in_days", "{refused}");
    let (status, _, created) = app
        .call("POST", "/api/tokens", Some(&dana), Some(token(30)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["token"].as_str().expect("token").to_owned();
    let operator = app.login("operator").await;
    let (status, _, _) = app
        .call("POST", "/api/tokens", Some(&operator), Some(token(90)))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "local users keep the portal's limit"
    );
    let with_token = || {
        Request::get("/api/auth/me")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(app.send(with_token()).await.0, StatusCode::OK);

    set_claims(
        &provider,
        "u-dana",
        &json!({"preferred_username": "dana", "groups": ["staff"]}),
    )
    .await;
    let (_, headers) = sign_in_through(&app, "u-dana").await;
    assert!(
        location(&headers).contains("none+of+the+groups"),
        "{headers:?}"
    );
    let (status, _, _) = app.call("GET", "/api/auth/me", Some(&dana), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session ended");
    assert_eq!(
        app.send(with_token()).await.0,
        StatusCode::UNAUTHORIZED,
        "the token revoked"
    );

    let admin = app.login("admin").await;
    let (_, _, listed) = app.call("GET", "/api/users", Some(&admin), None).await;
    let row = listed
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["username"] == "dana"))
        .expect("dana");
    assert_eq!(row["disabled"], true, "{row}");
    let (_, _, audit) = app
        .call("GET", "/api/audit?action=user.disable", Some(&admin), None)
        .await;
    assert!(
        audit.as_array().is_some_and(|rows| rows
            .iter()
            .any(|row| row["target"] == "dana" && row["outcome"] == "success")),
        "{audit}"
    );

    // Back in a group, they stay out until an admin lets them in again.
    set_claims(
        &provider,
        "u-dana",
        &json!({"preferred_username": "dana", "groups": ["dba"]}),
    )
    .await;
    let (_, headers) = sign_in_through(&app, "u-dana").await;
    assert!(location(&headers).contains("disabled"), "{headers:?}");
    let (status, _, _) = app
        .call(
            "PATCH",
            "/api/users/dana",
            Some(&admin),
            Some(json!({"disabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, headers) = sign_in_through(&app, "u-dana").await;
    assert_eq!(location(&headers), "/");
}
