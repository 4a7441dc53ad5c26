//! Who may do what: the role matrix over every route, array scopes, sessions, sign-in
//! throttling, user administration, per-user identity and the audit log.

use std::collections::HashSet;

use axum::http::{Method, StatusCode, header};
use backend::api::gate::{Access, REQUEST_ID_HEADER};
use backend::config::SessionConfig;
use serde_json::{Value, json};
use shared::api::{Identity, Role};

use crate::{ARRAY, PASSWORD, TestApp, TestOptions, request};

/// Fills every `{param}` of a route with a name nothing has, so a permitted call is
/// answered by its handler (a 404 or a 400) and changes nothing.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "matrix-probe"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_its_policy_names() {
    let app = TestApp::new().await;
    let mut cookies = Vec::new();
    for role in ["viewer", "operator", "admin"] {
        cookies.push((Role::parse(role).expect("role"), app.login(role).await));
    }
    let endpoints = backend::api::endpoints();
    assert!(endpoints.len() > 40, "{} routes", endpoints.len());
    for endpoint in &endpoints {
        let path = format!("/api{}", concrete(endpoint.path));
        let method = endpoint.method.as_str();
        let anonymous = app.call(method, &path, None, Some(json!({}))).await;
        let required = match endpoint.access {
            Access::Role(required) => required,
            Access::Public => {
                assert_ne!(anonymous.0, StatusCode::UNAUTHORIZED, "{method} {path}");
                continue;
            }
            // Its table is walked with every role in tests/it/rest_root.rs.
            Access::RestRoot => {
                assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED, "{method} {path}");
                continue;
            }
        };
        assert_eq!(
            anonymous.0,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a session: {}",
            anonymous.2
        );
        for (role, cookie) in &mut cookies {
            let (status, _, body) = app.call(method, &path, Some(cookie), Some(json!({}))).await;
            if *role >= required {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{method} {path} as {role:?} (needs {required:?}): {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} as {role:?} (needs {required:?}): {body}"
                );
                assert!(
                    body["message"]
                        .as_str()
                        .is_some_and(|message| message.contains(required.as_str())),
                    "{body}"
                );
            }
            if endpoint.path == "/auth/logout" && status == StatusCode::OK {
                *cookie = app.login(role.as_str()).await;
            }
        }
    }
}

#[test]
fn every_change_is_audited_under_a_name_of_its_own() {
    let endpoints = backend::api::endpoints();
    let mut actions = HashSet::new();
    for endpoint in &endpoints {
        let reads = endpoint.method == Method::GET;
        match (endpoint.access, endpoint.action) {
            // Audited under its collection's action, as tests/it/rest_root.rs checks.
            (Access::Public | Access::RestRoot, None) => {}
            (Access::RestRoot, Some(action)) => {
                panic!("{action}: a REST root's table names its actions")
            }
            (Access::Role(_), None) => assert!(
                reads,
                "{} {} changes unaudited",
                endpoint.method, endpoint.path
            ),
            (Access::Role(_), Some(action)) => {
                assert!(!reads, "{} {} is a read", endpoint.method, endpoint.path);
                assert!(actions.insert(action), "{action} is used twice");
            }
            (Access::Public, Some(action)) => {
                panic!("{action}: public routes are audited by their handler")
            }
        }
    }
}

#[tokio::test]
async fn a_scope_names_registered_arrays_and_only_admins_set_it() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let user = |arrays: Value| json!({"username": "scoped", "password": PASSWORD, "role": "operator", "arrays": arrays});
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&admin),
            Some(user(json!(["fa-elsewhere"]))),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "arrays");
    assert_eq!(
        body["message"],
        "No array named fa-elsewhere is registered."
    );
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&admin),
            Some(user(json!([ARRAY]))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let scoped = app.login("scoped").await;
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/scoped",
            Some(&scoped),
            Some(json!({"arrays": null})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    assert_eq!(
        app.call("GET", &volumes, Some(&scoped), None).await.0,
        StatusCode::OK
    );
}

/// An admin limited to one array administers the users of that array and nobody else: they
/// cannot make an admin of every array, reach users beyond their scope, or their tokens.
#[tokio::test]
async fn a_scoped_admin_administers_only_users_within_their_scope() {
    let app = TestApp::with(TestOptions {
        dead_arrays: vec!["fa-other"],
        ..TestOptions::default()
    })
    .await;
    let admin = app.login("admin").await;
    async fn create(
        app: &TestApp,
        cookie: &str,
        username: &str,
        role: &str,
        arrays: Value,
    ) -> (StatusCode, Option<String>, Value) {
        let user =
            json!({"username": username, "password": PASSWORD, "role": role, "arrays": arrays});
        app.call("POST", "/api/users", Some(cookie), Some(user))
            .await
    }
    for (username, role, arrays) in [
        ("scoped-admin", "admin", json!([ARRAY])),
        ("local", "operator", json!([ARRAY])),
        ("remote", "operator", json!(["fa-other"])),
    ] {
        let (status, _, body) = create(&app, &admin, username, role, arrays).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let scoped = app.login("scoped-admin").await;

    for arrays in [json!(null), json!(["fa-other"]), json!([ARRAY, "fa-other"])] {
        let (status, _, body) = create(&app, &scoped, "wider", "admin", arrays.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{arrays}: {body}");
        assert_eq!(body["field"], "arrays");
        let (status, _, body) = app
            .call(
                "PATCH",
                "/api/users/local",
                Some(&scoped),
                Some(json!({"arrays": arrays})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{arrays}: {body}");
    }
    let (status, _, body) = create(&app, &scoped, "narrow", "admin", json!([ARRAY])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/local",
            Some(&scoped),
            Some(json!({"role": "viewer", "password": "a new long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for beyond in ["admin", "operator", "remote"] {
        for change in [
            json!({"password": "a new long password"}),
            json!({"disabled": true}),
            json!({"role": "viewer"}),
        ] {
            let (status, _, body) = app
                .call(
                    "PATCH",
                    &format!("/api/users/{beyond}"),
                    Some(&scoped),
                    Some(change),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{beyond}: {body}");
        }
        let (status, _, _) = app
            .call(
                "DELETE",
                &format!("/api/users/{beyond}/sessions"),
                Some(&scoped),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{beyond}");
    }
    let usernames = |users: &Value| -> HashSet<String> {
        users
            .as_array()
            .expect("users")
            .iter()
            .map(|user| user["username"].as_str().expect("name").to_owned())
            .collect()
    };
    let (_, _, users) = app.call("GET", "/api/users", Some(&scoped), None).await;
    assert_eq!(
        usernames(&users),
        HashSet::from(["scoped-admin", "local", "narrow"].map(str::to_owned))
    );
    let (_, _, users) = app.call("GET", "/api/users", Some(&admin), None).await;
    assert_eq!(usernames(&users).len(), 7, "{users}");

    let mut token_ids = Vec::new();
    for username in ["operator", "remote", "narrow"] {
        let cookie = app.login(username).await;
        let (status, _, created) = app
            .call(
                "POST",
                "/api/tokens",
                Some(&cookie),
                Some(json!({"name": "script", "expires_in_days": 30, "role": "viewer"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        token_ids.push(created["summary"]["id"].as_i64().expect("id"));
    }
    let (_, _, tokens) = app
        .call("GET", "/api/tokens/all", Some(&scoped), None)
        .await;
    let listed: Vec<&Value> = tokens.as_array().expect("tokens").iter().collect();
    assert_eq!(listed.len(), 1, "{tokens}");
    assert_eq!(listed[0]["username"], "narrow");
    for (id, expected) in token_ids.iter().zip([
        StatusCode::NOT_FOUND,
        StatusCode::NOT_FOUND,
        StatusCode::NO_CONTENT,
    ]) {
        let path = format!("/api/tokens/{id}");
        let (status, _, _) = app.call("DELETE", &path, Some(&scoped), None).await;
        assert_eq!(status, expected, "token {id}");
    }
    let (_, _, tokens) = app.call("GET", "/api/tokens/all", Some(&admin), None).await;
    assert_eq!(tokens.as_array().map(Vec::len), Some(2), "{tokens}");
}

#[tokio::test]
async fn arrays_outside_a_users_scope_are_refused_by_path_and_by_body() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/operator",
            Some(&admin),
            Some(json!({"arrays": [ARRAY]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["arrays"], json!([ARRAY]));
    let operator = app.login("operator").await;
    let other_path = "/api/arrays/fa-other/volumes";
    let (status, _, body) = app
        .call(
            "POST",
            other_path,
            Some(&operator),
            Some(json!({"name": "v", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["message"], "operator may not use array fa-other.");
    let (status, _, body) = app
        .call(
            "POST",
            "/api/recycle-bin/recover",
            Some(&operator),
            Some(json!({"array": "fa-other", "kind": "volume", "name": "v"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, _, arrays) = app.call("GET", "/api/arrays", Some(&operator), None).await;
    assert_eq!(arrays.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_idle_session_ends_and_a_disabled_users_sessions_end_at_once() {
    let app = TestApp::with(TestOptions {
        session: SessionConfig {
            idle_timeout_minutes: 0,
            ..SessionConfig::default()
        },
        identity: Identity::Service,
        ..TestOptions::default()
    })
    .await;
    let viewer = app.login("viewer").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, _, _) = app.call("GET", "/api/arrays", Some(&viewer), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let viewer = app.login("viewer").await;
    let (_, _, users) = app.call("GET", "/api/users", Some(&admin), None).await;
    let sessions = users
        .as_array()
        .and_then(|users| users.iter().find(|user| user["username"] == "viewer"))
        .map(|user| user["sessions"].clone());
    assert_eq!(sessions, Some(json!(1)));
    assert!(!users.to_string().contains("argon2"), "no hashes: {users}");
    let (status, _, _) = app
        .call(
            "PATCH",
            "/api/users/viewer",
            Some(&admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app.call("GET", "/api/arrays", Some(&viewer), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refused = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "viewer", "password": PASSWORD})),
        )
        .await;
    assert_eq!(refused.0, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.2["message"], "Invalid username or password.");
}

#[tokio::test]
async fn an_admin_resets_a_password_and_ends_sessions_and_the_last_admin_stays() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let operator = app.login("operator").await;
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/operator",
            Some(&admin),
            Some(json!({"password": "short"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "password");
    let (status, _, _) = app
        .call(
            "PATCH",
            "/api/users/operator",
            Some(&admin),
            Some(json!({"password": "a new long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.call("GET", "/api/arrays", Some(&operator), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let signed_in = app
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "operator", "password": "a new long password"})),
        )
        .await;
    assert_eq!(signed_in.0, StatusCode::OK);

    let viewer = app.login("viewer").await;
    let (status, _, _) = app
        .call("DELETE", "/api/users/viewer/sessions", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call("GET", "/api/arrays", Some(&viewer), None).await.0,
        StatusCode::UNAUTHORIZED
    );

    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/admin",
            Some(&admin),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["message"],
        "Admins cannot change their own role; ask another admin."
    );
    for own in [
        json!({"disabled": true}),
        json!({"arrays": [ARRAY]}),
        json!({"array_username": "someone-else"}),
    ] {
        let (status, _, body) = app
            .call("PATCH", "/api/users/admin", Some(&admin), Some(own.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{own}: {body}");
    }
    // The role they already have is no change.
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/admin",
            Some(&admin),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&admin),
            Some(json!({"username": "operator", "password": PASSWORD, "role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "username");
    assert_eq!(body["message"], "A user named operator already exists.");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled_for_real_and_unknown_names_alike() {
    let app = TestApp::new().await;
    let attempt = |username: &'static str, password: &'static str| {
        request(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
    };
    for username in ["admin", "nobody"] {
        for _ in 0..backend::identity::throttle::PER_USERNAME_AND_ADDRESS {
            let (status, _, _) = app
                .send_for_headers(attempt(username, "wrong password"))
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, headers, body) = app.send_for_headers(attempt(username, PASSWORD)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{username}: {body}");
        assert_eq!(
            body["message"],
            "Too many failed sign-ins. Try again in 15 minute(s)."
        );
        let retry_after: i64 = headers
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok())
            .expect("Retry-After");
        assert!((1..=900).contains(&retry_after), "{retry_after}");
    }
    // Other accounts are not locked out by someone guessing at one.
    app.login("operator").await;
}

#[tokio::test]
async fn each_change_is_audited_with_its_outcome_and_the_arrays_request_id() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let admin = app.login("admin").await;
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let created = app
        .send_for_headers(request(
            "POST",
            &volumes,
            Some(&operator),
            Some(json!({"name": "audited", "provisioned": 1u64 << 30})),
        ))
        .await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.2);
    let request_id = created
        .1
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .expect("request id")
        .to_owned();
    let refused = app
        .call(
            "POST",
            &volumes,
            Some(&operator),
            Some(json!({"name": "audited", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(refused.0, StatusCode::BAD_REQUEST);
    let chap = json!({"name": "esx-audit", "iqns": ["iqn.2010-01.com.example:esx"], "chap": {"host_user": "esx", "host_password": "chap-secret-123"}});
    app.call(
        "POST",
        &format!("/api/arrays/{ARRAY}/hosts"),
        Some(&operator),
        Some(chap),
    )
    .await;

    let (status, _, entries) = app
        .call("GET", "/api/audit?action=volume.create", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = entries.as_array().expect("entries").clone();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (failure, success) = (&entries[0], &entries[1]);
    assert_eq!(success["username"], "operator");
    assert_eq!(success["array"], ARRAY);
    assert_eq!(success["target"], "name=audited");
    assert_eq!(success["outcome"], "success");
    assert_eq!(success["status"], 201);
    assert_eq!(success["request_id"], request_id.as_str());
    assert_eq!(failure["outcome"], "failure");
    assert_eq!(failure["message"], refused.2["message"]);
    assert!(
        failure["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty())
    );

    // The array saw the same request id, so its logs and ours meet.
    assert!(
        app.sim
            .simulator
            .change_requests()
            .iter()
            .any(|change| change.request_id == request_id && change.path.ends_with("/volumes")),
        "{:?}",
        app.sim.simulator.change_requests()
    );

    let (_, _, all) = app.call("GET", "/api/audit", Some(&admin), None).await;
    let text = all.to_string();
    assert!(
        !text.contains("chap-secret-123") && !text.contains(PASSWORD),
        "{text}"
    );
    assert!(text.contains("session.login"), "{text}");

    let csv = app
        .send_for_headers(request(
            "GET",
            "/api/audit.csv?user=operator",
            Some(&admin),
            None,
        ))
        .await;
    assert_eq!(csv.0, StatusCode::OK);
    assert_eq!(
        csv.1
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    let body = csv.2.as_str().expect("text").to_owned();
    let mut lines = body.lines();
    assert!(
        lines
            .next()
            .is_some_and(|header| header.starts_with("time,user,array,action"))
    );
    assert!(body.contains(&request_id), "{body}");
    assert!(lines.all(|line| line.contains(",operator,")), "{body}");
    assert_eq!(
        app.call("GET", "/api/audit", Some(&operator), None).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn concurrent_changes_each_leave_exactly_one_completed_audit_row() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    let admin = app.login("admin").await;
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let calls = (0..24).map(|index| {
        let name = if index % 4 == 0 {
            "clash".to_owned()
        } else {
            format!("burst-{index}")
        };
        app.send_for_headers(request(
            "POST",
            &volumes,
            Some(&operator),
            Some(json!({"name": name, "provisioned": 1u64 << 30})),
        ))
    });
    let answers = futures_util::future::join_all(calls).await;
    let ids: HashSet<String> = answers
        .iter()
        .filter_map(|(_, headers, _)| {
            headers
                .get(REQUEST_ID_HEADER)?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(ids.len(), 24);
    let (_, _, entries) = app
        .call(
            "GET",
            "/api/audit?action=volume.create&limit=100",
            Some(&admin),
            None,
        )
        .await;
    let entries = entries.as_array().expect("entries");
    assert_eq!(entries.len(), 24);
    let audited: HashSet<String> = entries
        .iter()
        .filter_map(|entry| entry["request_id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(audited, ids);
    let successes = entries
        .iter()
        .filter(|entry| entry["outcome"] == "success")
        .count();
    let created = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::CREATED)
        .count();
    assert_eq!(successes, created);
    assert_eq!(created, 19, "18 distinct names and one of the six clashes");
}

#[tokio::test]
async fn per_user_identity_names_the_portal_user_in_the_arrays_audit() {
    let app = TestApp::with(TestOptions {
        identity: Identity::PerUser,
        ..TestOptions::default()
    })
    .await;
    let operator = app.login("operator").await;
    let (status, _, arrays) = app.call("GET", "/api/arrays", Some(&operator), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(arrays[0]["identity"], "per_user");
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, body) = app
        .call(
            "POST",
            &volumes,
            Some(&operator),
            Some(json!({"name": "by-operator", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let audit = app.sim.simulator.audits();
    let created = audit
        .iter()
        .find(|entry| entry.arguments.contains("by-operator"))
        .expect("audited on the array");
    assert_eq!(created.user, "operator");
}

#[tokio::test]
async fn an_admin_limited_to_some_arrays_cannot_make_or_become_one_with_more() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&admin),
            Some(json!({"username": "scoped-admin", "password": PASSWORD, "role": "admin", "arrays": [ARRAY]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let scoped = app.login("scoped-admin").await;
    // A new user with every array, or one of its own arrays and more.
    for arrays in [Value::Null, json!([ARRAY, "fa-other"])] {
        let (status, _, body) = app
            .call(
                "POST",
                "/api/users",
                Some(&scoped),
                Some(json!({"username": "helper", "password": PASSWORD, "role": "admin", "arrays": arrays})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{arrays}: {body}");
        assert_eq!(body["field"], "arrays", "{body}");
    }
    // Someone else's scope widened, or the password of an admin with every array reset.
    for (user, change) in [
        ("operator", json!({"arrays": null})),
        ("admin", json!({"password": "taken-over-password-1"})),
        ("admin", json!({"disabled": true})),
    ] {
        let (status, _, body) = app
            .call(
                "PATCH",
                &format!("/api/users/{user}"),
                Some(&scoped),
                Some(change.clone()),
            )
            .await;
        // Users outside its scope are not there for it at all.
        assert_eq!(status, StatusCode::NOT_FOUND, "{user} {change}: {body}");
    }
    // Within its own arrays it still manages users.
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&scoped),
            Some(json!({"username": "helper", "password": PASSWORD, "role": "operator", "arrays": [ARRAY]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, body) = app
        .call(
            "PATCH",
            "/api/users/helper",
            Some(&scoped),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_admin_limited_to_some_arrays_registers_none() {
    let app = TestApp::new().await;
    let hash = backend::identity::passwords::hash_password(PASSWORD).expect("hash");
    app.db
        .create_scoped_user(
            "scoped-registrar",
            &hash,
            Role::Admin,
            Some(&[ARRAY.to_owned()]),
            None,
            backend::clock::unix_now(),
        )
        .await
        .expect("scoped admin");
    let scoped = app.login("scoped-registrar").await;
    let registration = json!({
        "name": "fa-new", "url": "https://127.0.0.1:9",
        "auth": {"method": "api_token", "api_token": "01234567-89ab-cdef-0123-456789abcdef"},
    });
    for path in ["/api/arrays", "/api/connection-test"] {
        let (status, _, body) = app
            .call("POST", path, Some(&scoped), Some(registration.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
}
