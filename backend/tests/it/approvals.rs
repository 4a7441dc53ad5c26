//! The two-person rule: a change configured to need approval is held with its reason, runs
//! (as its requester) only when someone else with at least that role approves, once however
//! many approve at once, and never after it is rejected or expired.

use axum::http::StatusCode;
use backend::clock::unix_now;
use backend::config::ApprovalsConfig;
use backend::identity::passwords::hash_password;
use serde_json::{Value, json};
use shared::api::{Action, REASON_HEADER, Role};

use crate::{ARRAY, PASSWORD, TestApp, TestOptions, request};

async fn app_with_eradication_held() -> TestApp {
    app_holding_eradication(TestOptions::default()).await
}

/// A portal holding `action` for approval.
async fn app_holding(action: Action) -> TestApp {
    TestApp::with(TestOptions {
        approvals: ApprovalsConfig {
            actions: vec![action],
            expiry_hours: 24,
        },
        ..TestOptions::default()
    })
    .await
}

/// A portal with `options` holding eradication for approval, and two more admins.
async fn app_holding_eradication(options: TestOptions) -> TestApp {
    let app = TestApp::with(TestOptions {
        approvals: ApprovalsConfig {
            actions: vec![Action::VolumeEradicate],
            expiry_hours: 24,
        },
        ..options
    })
    .await;
    let hash = hash_password(PASSWORD).expect("hash");
    for name in ["admin2", "admin3"] {
        app.db
            .create_user(name, &hash, Role::Admin, unix_now())
            .await
            .expect("second admin");
    }
    app
}

/// A volume the operator made on the array; the path of its collection.
async fn made_volume(app: &TestApp, operator: &str, name: &str) -> String {
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let (status, _, body) = app
        .call(
            "POST",
            &volumes,
            Some(operator),
            Some(json!({"name": name, "provisioned": 1_048_576})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    volumes
}

/// A destroyed volume on the array, ready to be eradicated.
async fn destroyed_volume(app: &TestApp, name: &str) {
    let operator = app.login("operator").await;
    let volumes = made_volume(app, &operator, name).await;
    let (status, _, body) = app
        .call(
            "PATCH",
            &format!("{volumes}/{name}"),
            Some(&operator),
            Some(json!({"destroyed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn ask_to_eradicate(
    app: &TestApp,
    cookie: &str,
    name: &str,
    reason: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = request(
        "DELETE",
        &format!("/api/arrays/{ARRAY}/volumes/{name}"),
        Some(cookie),
        None,
    );
    if let Some(reason) = reason {
        request
            .headers_mut()
            .insert(REASON_HEADER, reason.parse().expect("header"));
    }
    let (status, _, body) = app.send(request).await;
    (status, body)
}

async fn decide(app: &TestApp, cookie: &str, id: i64, verb: &str) -> (StatusCode, Value) {
    let (status, _, body) = app
        .call(
            "POST",
            &format!("/api/approvals/{id}/{verb}"),
            Some(cookie),
            Some(json!({"comment": "checked with the DBA"})),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn a_held_change_runs_as_its_requester_only_when_someone_else_approves() {
    let app = app_with_eradication_held().await;
    destroyed_volume(&app, "old-logs").await;
    let admin = app.login("admin").await;

    let (status, refusal) = ask_to_eradicate(&app, &admin, "old-logs", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refusal}");
    assert_eq!(refusal["field"], "reason");
    let (status, held) =
        ask_to_eradicate(&app, &admin, "old-logs", Some("CHG-1042: retired app")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["state"], "pending");
    assert_eq!(held["requester"], "admin");
    let id = held["id"].as_i64().expect("id");
    assert!(
        app.sim.simulator.volume("old-logs").is_some(),
        "nothing ran before approval"
    );

    let (_, _, mine) = app.call("GET", "/api/approvals", Some(&admin), None).await;
    assert_eq!(
        mine["waiting_for_you"],
        json!([]),
        "not the requester's to decide"
    );
    assert_eq!(mine["recent"][0]["reason"], "CHG-1042: retired app");
    let (status, body) = decide(&app, &admin, id, "approve").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let operator = app.login("operator").await;
    let (status, body) = decide(&app, &operator, id, "approve").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an operator cannot approve an admin's change: {body}"
    );

    let second = app.login("admin2").await;
    let (_, _, waiting) = app.call("GET", "/api/approvals", Some(&second), None).await;
    assert_eq!(waiting["waiting_for_you"][0]["id"], id, "{waiting}");
    assert_eq!(
        waiting["actions"],
        json!(["volume.eradicate", "user.create", "user.change"]),
        "changes to users are held with anything"
    );
    let (status, decided) = decide(&app, &second, id, "approve").await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "executed", "{decided}");
    assert_eq!(decided["decided_by"], "admin2");
    assert_eq!(decided["outcome_status"], 204);
    assert!(
        app.sim.simulator.volume("old-logs").is_none(),
        "eradicated on the array"
    );

    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    let rows = audit.as_array().expect("rows");
    let row = |action: &str| {
        rows.iter()
            .find(|row| row["action"] == action)
            .unwrap_or_else(|| panic!("no {action} row in {audit}"))
    };
    assert!(
        row("approval.request")["target"]
            .as_str()
            .unwrap_or("")
            .starts_with(&format!("#{id} "))
    );
    assert_eq!(row("approval.approve")["username"], "admin2");
    assert_eq!(row("approval.approve")["target"], id.to_string());
    let ran = row("volume.eradicate");
    assert_eq!(ran["username"], "admin", "run as the requester");
    assert_eq!(ran["outcome"], "success");
    assert!(
        ran["parameters"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("\"approval\":{id}")),
        "{ran}"
    );
}

#[tokio::test]
async fn two_approvers_at_once_run_the_change_once() {
    let app = app_with_eradication_held().await;
    destroyed_volume(&app, "twice").await;
    let admin = app.login("admin").await;
    let (_, held) = ask_to_eradicate(&app, &admin, "twice", Some("cleanup")).await;
    let id = held["id"].as_i64().expect("id");
    let (second, third) = (app.login("admin2").await, app.login("admin3").await);
    let ((first_status, _), (second_status, _)) = tokio::join!(
        decide(&app, &second, id, "approve"),
        decide(&app, &third, id, "approve"),
    );
    let mut statuses = [first_status, second_status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let (_, _, audit) = app
        .call(
            "GET",
            "/api/audit?action=volume.eradicate",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
}

#[tokio::test]
async fn a_rejected_or_expired_request_runs_nothing() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    let second = app.login("admin2").await;
    destroyed_volume(&app, "kept").await;
    let (_, held) = ask_to_eradicate(&app, &admin, "kept", Some("cleanup")).await;
    let id = held["id"].as_i64().expect("id");
    let (status, decided) = decide(&app, &second, id, "reject").await;
    assert_eq!(
        (status, decided["state"].as_str()),
        (StatusCode::OK, Some("rejected"))
    );
    assert_eq!(decided["comment"], "checked with the DBA");
    let (status, _) = decide(&app, &app.login("admin3").await, id, "approve").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(app.sim.simulator.volume("kept").is_some());

    destroyed_volume(&app, "late").await;
    let (_, held) = ask_to_eradicate(&app, &admin, "late", Some("cleanup")).await;
    let id = held["id"].as_i64().expect("id");
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(&app.db_url).await.expect("db");
        sqlx::query("UPDATE approval_requests SET expires_at_ms = 0 WHERE id = $1")
            .bind(id)
            .execute(&mut connection)
            .await
            .expect("a day passes");
        connection.close().await.expect("closed");
    }
    let (status, refusal) = decide(&app, &second, id, "approve").await;
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap_or("")
            .contains("expired"),
        "{refusal}"
    );
    assert!(app.sim.simulator.volume("late").is_some(), "nothing ran");
    let (_, _, listed) = app.call("GET", "/api/approvals", Some(&admin), None).await;
    assert_eq!(listed["recent"][0]["state"], "expired");
}

#[tokio::test]
async fn neither_the_recycle_bin_nor_a_rest_root_gets_around_the_rule() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    destroyed_volume(&app, "via-bin").await;
    let bin = json!({"array": ARRAY, "kind": "volume", "name": "via-bin"});
    let (status, _, refusal) = app
        .call(
            "POST",
            "/api/recycle-bin/eradicate",
            Some(&admin),
            Some(bin.clone()),
        )
        .await;
    assert_eq!(
        (status, refusal["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reason"))
    );
    let (status, _, held) = app
        .call(
            "POST",
            "/api/recycle-bin/eradicate?reason=tidy%20up",
            Some(&admin),
            Some(bin),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["reason"], "tidy up");
    assert!(app.sim.simulator.volume("via-bin").is_some());

    destroyed_volume(&app, "via-rest").await;
    let (status, _, created) = app
        .call(
            "POST",
            "/api/tokens",
            Some(&admin),
            Some(json!({"name": "script", "expires_in_days": 1, "role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token");
    let eradicate = axum::http::Request::delete(format!(
        "/api/arrays/{ARRAY}/rest/api/2.36/volumes?names=via-rest"
    ))
    .header("authorization", format!("Bearer {token}"))
    .header(REASON_HEADER, "retired")
    .body(axum::body::Body::empty())
    .expect("request");
    let (status, _, held) = app.send(eradicate).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["action"], "volume.eradicate", "as the volume page's");
    assert!(
        app.sim.simulator.volume("via-rest").is_some(),
        "held, not run"
    );
    let second = app.login("admin2").await;
    let (status, decided) =
        decide(&app, &second, held["id"].as_i64().expect("id"), "approve").await;
    assert_eq!(
        (status, decided["state"].as_str()),
        (StatusCode::OK, Some("executed")),
        "{decided}"
    );
    assert!(
        app.sim.simulator.volume("via-rest").is_none(),
        "run once approved"
    );
}

/// Approves request `id` as `cookie` to run in `window`.
async fn schedule(app: &TestApp, cookie: &str, id: i64, window: Value) -> (StatusCode, Value) {
    let (status, _, body) = app
        .call(
            "POST",
            &format!("/api/approvals/{id}/approve"),
            Some(cookie),
            Some(json!({"comment": "in Saturday's window", "window": window})),
        )
        .await;
    (status, body)
}

async fn cancel(app: &TestApp, cookie: &str, id: i64) -> (StatusCode, Option<String>, Value) {
    app.call(
        "POST",
        &format!("/api/approvals/{id}/cancel"),
        Some(cookie),
        None,
    )
    .await
}

/// The request `id` as `cookie` reads it, once `done` holds of it (within 30 s).
async fn request_once(
    app: &TestApp,
    cookie: &str,
    id: i64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..300 {
        let (_, _, approvals) = app.call("GET", "/api/approvals", Some(cookie), None).await;
        let request = approvals["recent"]
            .as_array()
            .and_then(|recent| recent.iter().find(|request| request["id"] == id))
            .cloned()
            .unwrap_or(Value::Null);
        if done(&request) {
            return request;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("request #{id} never got there");
}

#[tokio::test]
async fn an_approved_change_runs_once_in_its_maintenance_window_unless_cancelled_first() {
    let app = app_holding_eradication(TestOptions {
        notifications: true,
        ..TestOptions::default()
    })
    .await;
    let admin = app.login("admin").await;
    let second = app.login("admin2").await;
    let operator = app.login("operator").await;
    let now_ms = || backend::clock::unix_now_ms();
    let ask = |name: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            destroyed_volume(app, name).await;
            let (status, held) = ask_to_eradicate(app, &admin, name, Some("CHG-7: retired")).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{held}");
            held["id"].as_i64().expect("id")
        }
    };

    let soon = ask("scratch-soon").await;
    for (window, field) in [
        (
            json!({"starts_at_ms": now_ms() + 60_000, "hours": 0}),
            "window.hours",
        ),
        (
            json!({"starts_at_ms": now_ms() + 60_000, "hours": 25}),
            "window.hours",
        ),
        (
            json!({"starts_at_ms": now_ms() - 3_600_000, "hours": 1}),
            "window.starts_at_ms",
        ),
        (
            json!({"starts_at_ms": now_ms() + 40 * 86_400_000_i64, "hours": 1}),
            "window.starts_at_ms",
        ),
    ] {
        let (status, refused) = schedule(&app, &second, soon, window).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["field"], field, "{refused}");
    }
    let (status, _, refused) = app
        .call(
            "POST",
            &format!("/api/approvals/{soon}/reject"),
            Some(&second),
            Some(json!({"window": {"starts_at_ms": now_ms() + 60_000, "hours": 1}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "window");

    let starts_at_ms = now_ms() + 2_000;
    let (status, scheduled) = schedule(
        &app,
        &second,
        soon,
        json!({"starts_at_ms": starts_at_ms, "hours": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    assert_eq!(scheduled["state"], "scheduled", "{scheduled}");
    assert_eq!(scheduled["window"]["starts_at_ms"], starts_at_ms);
    assert_eq!(scheduled["decided_by"], "admin2");
    assert!(
        app.sim.simulator.volume("scratch-soon").is_some(),
        "nothing runs before the window"
    );
    let (status, refused) = decide(&app, &second, soon, "approve").await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once: {refused}");

    let ran = request_once(&app, &admin, soon, |request| request["state"] == "executed").await;
    assert_eq!(ran["outcome_status"], 204, "{ran}");
    assert!(
        app.sim.simulator.volume("scratch-soon").is_none(),
        "eradicated on the array when the window began"
    );
    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    let runs: Vec<&Value> = audit
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["action"] == "volume.eradicate" && row["outcome"] == "success")
        .collect();
    assert_eq!(runs.len(), 1, "ran once: {audit}");
    assert_eq!(runs[0]["username"], "admin", "as its requester");
    assert!(
        runs[0]["parameters"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("\"approval\":{soon}")),
        "{}",
        runs[0]
    );
    // Every replica's leader queues due changes again: nothing runs twice.
    let notifier = app.notifier.clone().expect("notifier");
    notifier.queue_due_changes().await.expect("queued");

    let later = ask("scratch-later").await;
    let (status, scheduled) = schedule(
        &app,
        &second,
        later,
        json!({"starts_at_ms": now_ms() + 3_600_000, "hours": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    let (_, _, seen) = app
        .call("GET", "/api/approvals", Some(&operator), None)
        .await;
    assert_eq!(seen["may_cancel"], json!([]), "an operator may not: {seen}");
    let (status, _, refused) = cancel(&app, &operator, later).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (_, _, seen) = app.call("GET", "/api/approvals", Some(&admin), None).await;
    assert_eq!(seen["may_cancel"], json!([later]), "{seen}");
    let (status, _, cancelled) = cancel(&app, &admin, later).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["cancelled_by"], "admin");
    let (status, _, refused) = cancel(&app, &second, later).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        app.sim.simulator.volume("scratch-later").is_some(),
        "a cancelled change never runs"
    );

    // A window the portal was down for ends the change unrun.
    let missed = ask("scratch-missed").await;
    let claim = app
        .db
        .claim_approval(
            missed,
            shared::api::ApprovalState::Scheduled,
            Some(shared::api::MaintenanceWindow {
                starts_at_ms: now_ms() - 7_200_000,
                hours: 1,
            }),
            "admin2",
            None,
            now_ms(),
            None,
        )
        .await
        .expect("claimed");
    assert_eq!(claim, backend::db::Claim::Won);
    notifier.queue_due_changes().await.expect("queued");
    let failed = request_once(&app, &admin, missed, |request| request["state"] == "failed").await;
    assert_eq!(
        failed["outcome_message"],
        backend::db::WINDOW_MISSED,
        "{failed}"
    );
    assert!(app.sim.simulator.volume("scratch-missed").is_some());
}

#[tokio::test]
async fn a_scheduled_change_runs_only_while_its_approver_may_decide_it_and_only_its_requester_in_scope_cancels()
 {
    let app = app_holding_eradication(TestOptions {
        notifications: true,
        fleet: vec![flasharray_sim::SimulatorConfig::new("fa-elsewhere")],
        ..TestOptions::default()
    })
    .await;
    let admin = app.login("admin").await;
    let second = app.login("admin2").await;
    let now_ms = backend::clock::unix_now_ms;
    destroyed_volume(&app, "scratch-kept").await;
    let (_, held) = ask_to_eradicate(&app, &admin, "scratch-kept", Some("CHG-9")).await;
    let id = held["id"].as_i64().expect("id");

    // The requester's token limited to another array does not reach it.
    let (status, _, created) = app
        .call(
            "POST",
            "/api/tokens",
            Some(&admin),
            Some(json!({"name": "elsewhere", "expires_in_days": 1, "role": "admin", "arrays": ["fa-elsewhere"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token").to_owned();
    let (status, scheduled) = schedule(
        &app,
        &second,
        id,
        json!({"starts_at_ms": now_ms() + 1_500, "hours": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    let refused = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/api/approvals/{id}/cancel"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let (status, _, body) = app.send(refused).await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status} {body}"
    );

    // Its approver is disabled before the window: it ends unrun, and says why.
    let approver = app
        .db
        .user_by_name("admin2")
        .await
        .expect("read")
        .expect("admin2");
    app.db
        .update_user(
            approver.id,
            &backend::db::UserUpdate {
                disabled: Some(true),
                ..backend::db::UserUpdate::default()
            },
        )
        .await
        .expect("disabled");
    let failed = request_once(&app, &admin, id, |request| request["state"] == "failed").await;
    assert!(
        failed["outcome_message"]
            .as_str()
            .unwrap_or_default()
            .contains("admin2, who approved it, may no longer decide it"),
        "{failed}"
    );
    assert!(app.sim.simulator.volume("scratch-kept").is_some());
    let unrun = audit_row_once(&app, &admin, "approval.run").await;
    assert_eq!(unrun["outcome"], "failure");
    assert_eq!(unrun["target"], id.to_string());
}

/// The audit row of `action`, once written: a change that ends unrun is recorded failed
/// first and audited a moment after.
async fn audit_row_once(app: &TestApp, cookie: &str, action: &str) -> Value {
    let mut audit = Value::Null;
    for _ in 0..100 {
        audit = app.call("GET", "/api/audit", Some(cookie), None).await.2;
        let found = audit
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["action"] == action))
            .cloned();
        if let Some(row) = found {
            return row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no {action} row in {audit}");
}

#[tokio::test]
async fn nobody_fills_the_queue() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    for n in 0..50 {
        let (status, body) =
            ask_to_eradicate(&app, &admin, &format!("vol-{n}"), Some("cleanup")).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let (status, refusal) = ask_to_eradicate(&app, &admin, "vol-50", Some("cleanup")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap_or("")
            .contains("50 requests waiting")
    );
    let second = app.login("admin2").await;
    let (status, _) = ask_to_eradicate(&app, &second, "vol-50", Some("cleanup")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "a limit per person");
}

async fn admin_token(app: &TestApp, cookie: &str) -> String {
    let (status, _, created) = app
        .call(
            "POST",
            "/api/tokens",
            Some(cookie),
            Some(json!({"name": "script", "expires_in_days": 1, "role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["token"].as_str().expect("token").to_owned()
}

fn rest_call(
    method: &str,
    path_and_query: &str,
    token: &str,
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(format!(
            "/api/arrays/{ARRAY}/rest/api/2.36/{path_and_query}"
        ))
        .header("authorization", format!("Bearer {token}"))
        .header(REASON_HEADER, "retired")
        .body(axum::body::Body::empty())
        .expect("request")
}

#[tokio::test]
async fn a_body_the_gate_cannot_read_is_refused_rather_than_run_unheld() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    destroyed_volume(&app, "padded").await;
    // A number out of range, and a key given twice (the gate would read one kind, the
    // handler might act on the other).
    for body in [
        format!(r#"{{"array": "{ARRAY}", "kind": "volume", "name": "padded", "pad": 1e400}}"#),
        format!(r#"{{"array": "{ARRAY}", "kind": "volume", "name": "padded", "kind": "host"}}"#),
    ] {
        let padded = axum::http::Request::post("/api/recycle-bin/eradicate?reason=tidy")
            .header("cookie", &admin)
            .header("x-flashdeck-csrf", "1")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .expect("request");
        let (status, _, refusal) = app.send(padded).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refusal}");
        assert!(
            refusal["message"].as_str().unwrap_or("").contains("JSON"),
            "{refusal}"
        );
    }
    assert!(
        app.sim.simulator.volume("padded").is_some(),
        "not eradicated"
    );
    let (_, _, listed) = app.call("GET", "/api/approvals", Some(&admin), None).await;
    assert_eq!(listed["recent"], json!([]), "nothing queued either");
}

#[tokio::test]
async fn one_admin_alone_neither_mints_array_credentials_nor_eradicates_containers() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    let token = admin_token(&app, &admin).await;
    let before = app.sim.simulator.stats().api_requests;
    for (method, path) in [
        ("POST", "admins/api-tokens?names=pureuser"),
        ("GET", "admins/api-tokens?expose_api_token=true"),
        ("POST", "api-clients?names=mine"),
        ("PATCH", "arrays"),
    ] {
        let (status, _, refusal) = app.send(rest_call(method, path, &token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {refusal}");
    }
    for (path, action) in [
        ("pods?names=p1&eradicate_contents=true", "pod.eradicate"),
        ("volume-groups?names=vg1", "volume_group.eradicate"),
    ] {
        let (status, _, held) = app.send(rest_call("DELETE", path, &token)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{path}: {held}");
        assert_eq!(held["action"], action);
    }
    assert_eq!(
        app.sim.simulator.stats().api_requests,
        before,
        "nothing reached the array"
    );
}

#[tokio::test]
async fn an_approved_change_runs_within_the_token_it_was_asked_with() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    destroyed_volume(&app, "by-token").await;
    let token = admin_token(&app, &admin).await;
    let (status, _, held) = app
        .send(rest_call("DELETE", "volumes?names=by-token", &token))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    let (_, _, tokens) = app.call("GET", "/api/tokens", Some(&admin), None).await;
    let id = tokens[0]["id"].as_i64().expect("token id");
    let (status, _, _) = app
        .call("DELETE", &format!("/api/tokens/{id}"), Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let second = app.login("admin2").await;
    let (status, decided) =
        decide(&app, &second, held["id"].as_i64().expect("id"), "approve").await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "failed", "{decided}");
    assert!(
        decided["outcome_message"]
            .as_str()
            .unwrap_or("")
            .contains("revoked"),
        "{decided}"
    );
    assert!(
        app.sim.simulator.volume("by-token").is_some(),
        "the revoked token's change never ran"
    );
}

#[tokio::test]
async fn a_change_about_no_array_is_decided_only_by_someone_with_every_array() {
    let app = app_holding(Action::UserChange).await;
    let hash = hash_password(PASSWORD).expect("hash");
    app.db
        .create_scoped_user(
            "scoped-admin",
            &hash,
            Role::Admin,
            Some(&[ARRAY.to_owned()]),
            None,
            unix_now(),
        )
        .await
        .expect("scoped admin");
    app.db
        .create_user("admin2", &hash, Role::Admin, unix_now())
        .await
        .expect("second admin");
    let admin = app.login("admin").await;
    let (status, _, held) = app
        .call(
            "PATCH",
            "/api/users/operator?reason=leaves%20the%20team",
            Some(&admin),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    let id = held["id"].as_i64().expect("id");
    let scoped = app.login("scoped-admin").await;
    let (_, _, listed) = app.call("GET", "/api/approvals", Some(&scoped), None).await;
    assert_eq!(listed["recent"], json!([]), "not shown: {listed}");
    let (status, body) = decide(&app, &scoped, id, "approve").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, decided) = decide(&app, &app.login("admin2").await, id, "approve").await;
    assert_eq!(
        (status, decided["state"].as_str()),
        (StatusCode::OK, Some("executed")),
        "{decided}"
    );
}

#[tokio::test]
async fn eradicating_a_protection_group_is_held_as_eradicating_its_snapshots() {
    let app = app_holding(Action::ProtectionGroupSnapshotEradicate).await;
    let admin = app.login("admin").await;
    let token = admin_token(&app, &admin).await;
    let with_body = |method: &str, path: &str, body: Value| {
        let mut request = rest_call(method, path, &token);
        request.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            "application/json".parse().expect("header"),
        );
        *request.body_mut() = axum::body::Body::from(body.to_string());
        request
    };
    for (method, path, body) in [
        ("POST", "protection-groups?names=pg-old", json!({})),
        (
            "POST",
            "protection-group-snapshots?source_names=pg-old",
            json!({}),
        ),
        (
            "PATCH",
            "protection-groups?names=pg-old",
            json!({"destroyed": true}),
        ),
    ] {
        let (status, _, body) = app.send(with_body(method, path, body)).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {body}");
    }
    let (status, _, held) = app
        .send(rest_call(
            "DELETE",
            "protection-groups?names=pg-old",
            &token,
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    let (status, _, held) = app
        .call(
            "DELETE",
            &format!("/api/arrays/{ARRAY}/protection-groups/pg-old?reason=retired"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "the page's own way: {held}");
    let bin = json!({"array": ARRAY, "kind": "protection_group", "name": "pg-old"});
    let (status, _, held) = app
        .call(
            "POST",
            "/api/recycle-bin/eradicate?reason=retired",
            Some(&admin),
            Some(bin),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "the recycle bin's: {held}");
}

#[tokio::test]
async fn one_admin_cannot_make_or_take_over_the_second_approver() {
    let app = app_with_eradication_held().await;
    let admin = app.login("admin").await;
    let (status, _, held) = app
        .call(
            "POST",
            "/api/users?reason=my%20other%20self",
            Some(&admin),
            Some(json!({"username": "sock-puppet", "password": PASSWORD, "role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["action"], "user.create");
    assert!(
        app.db
            .user_by_name("sock-puppet")
            .await
            .expect("db")
            .is_none()
    );
    let (status, _, held) = app
        .call(
            "PATCH",
            "/api/users/admin2?reason=forgot",
            Some(&admin),
            Some(json!({"password": "now-i-know-it-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["action"], "user.reset_password");
}

#[tokio::test]
async fn a_change_is_audited_and_held_as_what_it_does() {
    let app = app_holding(Action::VolumeDestroy).await;
    let operator = app.login("operator").await;
    let volumes = made_volume(&app, &operator, "named-for-it").await;
    for (change, name) in [
        (json!({"provisioned": 2_097_152}), "named-for-it"),
        (json!({"name": "renamed-for-it"}), "named-for-it"),
    ] {
        let (status, _, body) = app
            .call(
                "PATCH",
                &format!("{volumes}/{name}"),
                Some(&operator),
                Some(change),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a resize or rename is not held: {body}"
        );
    }
    let mut destroy = request(
        "PATCH",
        &format!("{volumes}/renamed-for-it"),
        Some(&operator),
        Some(json!({"destroyed": true})),
    );
    destroy
        .headers_mut()
        .insert(REASON_HEADER, "CHG-7: retired".parse().expect("header"));
    let (status, _, held) = app.send(destroy).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["action"], "volume.destroy");
    assert!(
        !app.sim
            .simulator
            .volume("renamed-for-it")
            .expect("still there")
            .destroyed,
        "held, not destroyed"
    );

    // A field spelt twice in two cases could mean one thing to the gate, another to the
    // handler; nor may a body be anything but an object, whose fields the gate reads (serde
    // would take an array for a struct's fields in order, unseen by the rule).
    for unread in [
        json!({"DESTROYED": false, "destroyed": true}),
        json!([null, true]),
    ] {
        let (status, _, body) = app
            .call(
                "PATCH",
                &format!("{volumes}/renamed-for-it"),
                Some(&operator),
                Some(unread.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{unread}: {body}");
    }
    // Every way of destroying a volume is held by the rule: the fleet-wide destroy too.
    let mut fleet = request(
        "POST",
        "/api/fleet/destroy",
        Some(&operator),
        Some(json!({"volumes": [{"array": ARRAY, "name": "renamed-for-it"}]})),
    );
    fleet
        .headers_mut()
        .insert(REASON_HEADER, "CHG-8: retired".parse().expect("header"));
    let (status, _, held) = app.send(fleet).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!(held["target"], format!("volumes={ARRAY}/renamed-for-it"));
    assert!(
        !app.sim
            .simulator
            .volume("renamed-for-it")
            .expect("still there")
            .destroyed,
        "held, not destroyed"
    );

    let admin = app.login("admin").await;
    let (_, _, audit) = app
        .call("GET", "/api/audit?user=operator", Some(&admin), None)
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|row| row["action"].as_str())
        .collect();
    for done in [
        "volume.create",
        "volume.resize",
        "volume.rename",
        "approval.request",
    ] {
        assert!(actions.contains(&done), "{done} in {actions:?}");
    }
    assert!(!actions.contains(&"volume.change"), "{actions:?}");
    // Searched as one would in Purity's audit trail.
    let (_, _, found) = app
        .call("GET", "/api/audit?action=resize", Some(&admin), None)
        .await;
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
}
