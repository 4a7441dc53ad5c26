//! Notifications end to end: a webhook channel sealed and tested, a capacity rule, an array
//! filling past it announced once (signed, with an idempotency key) and resolved once when
//! space is freed; a receiver that refuses is retried and its words kept; only admins of
//! every array see or change any of it, and the address never reaches the audit log.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use test_support::webhook_receiver::{REFUSAL, WebhookReceiver};

use flasharray_sim::{Seed, SimulatorConfig};

use crate::{TestApp, TestOptions};

fn signed_correctly(headers: &HeaderMap, body: &Value, secret: &str) -> bool {
    let timestamp = headers["x-flashdeck-timestamp"]
        .to_str()
        .expect("timestamp");
    let signature = headers["x-flashdeck-signature"]
        .to_str()
        .expect("signature");
    let expected = backend::notify::send::signature(
        secret,
        timestamp,
        serde_json::to_vec(body).expect("body").as_slice(),
    );
    signature == expected
}

/// An array holding the demo's data, as the test's second.
const FULL: &str = "fa-filling";

/// Makes [`FULL`] `share` full by changing its capacity, as drives removed would.
fn fill(app: &TestApp, share: f64) {
    let simulator = &app.fleet[0].simulator;
    simulator.set_capacity((simulator.used_bytes() as f64 / share) as u64);
}

/// A portal with notifications running over `array`, its admin signed in, and a channel of
/// `kind` to `receiver`'s `/hook`.
struct Watching {
    app: TestApp,
    notifier: backend::notify::Notifier,
    admin: String,
    channel: i64,
}

async fn watching(receiver: &WebhookReceiver, kind: &str, array: SimulatorConfig) -> Watching {
    let app = TestApp::with(TestOptions {
        notifications: true,
        fleet: vec![array],
        ..TestOptions::default()
    })
    .await;
    let notifier = app.notifier.clone().expect("notifier");
    let admin = app.login("admin").await;
    let hook =
        json!({"name": "hook", "kind": kind, "webhook_url": format!("{}/hook", receiver.base)});
    let (status, _, created) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(&admin),
            Some(hook),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let channel = created["channel"]["id"].as_i64().expect("channel");
    Watching {
        app,
        notifier,
        admin,
        channel,
    }
}

/// Adds, as `admin`, an email channel `name` sending plain SMTP to `smtp` for
/// storage-oncall@example.com; its id.
pub(crate) async fn mail_channel(
    app: &TestApp,
    admin: &str,
    smtp: &test_support::smtp_receiver::SmtpReceiver,
    name: &str,
) -> i64 {
    let email = json!({
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "security": "none",
        "from": "flashdeck@example.com",
        "to": ["storage-oncall@example.com"],
    });
    let (status, _, created) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(admin),
            Some(json!({"name": name, "kind": "email", "email": email})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["channel"]["id"].as_i64().expect("id")
}

/// Adds, as `admin`, a rule of `condition` on [`FULL`] to `channel`.
async fn rule_on_full(app: &TestApp, admin: &str, name: &str, condition: Value, channel: i64) {
    let (status, _, rule) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(admin),
            Some(json!({
                "name": name,
                "condition": condition,
                "arrays": [FULL],
                "channels": [channel],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
}

#[tokio::test]
async fn an_array_past_its_threshold_is_announced_once_and_resolved_once() {
    let receiver = WebhookReceiver::start().await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        fleet: vec![SimulatorConfig::new(FULL).seed(Seed::Demo)],
        ..TestOptions::default()
    })
    .await;
    let notifier = app.notifier.clone().expect("notifier");
    let admin = app.login("admin").await;
    let url = format!("{}/hook", receiver.base);

    let (status, _, created) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(&admin),
            Some(json!({"name": "ops webhook", "kind": "webhook", "webhook_url": url})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let channel = created["channel"]["id"].as_i64().expect("id");
    let secret = created["signing_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_eq!(created["channel"]["host"], "127.0.0.1");
    let (_, _, listed) = app
        .call("GET", "/api/notifications/channels", Some(&admin), None)
        .await;
    assert!(
        !listed.to_string().contains("/hook"),
        "never shown back: {listed}"
    );
    assert!(!listed.to_string().contains(&secret));

    let (status, _, tested) = app
        .call(
            "POST",
            &format!("/api/notifications/channels/{channel}/test"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tested}");
    assert_eq!(
        tested,
        json!({"delivered": true, "status": 200, "answer": "ok"})
    );
    let test_message = receiver.wait_for(1).await;
    assert!(signed_correctly(
        &test_message[0].0,
        &test_message[0].1,
        &secret
    ));

    rule_on_full(
        &app,
        &admin,
        "Nearly full",
        json!({"kind": "capacity_over", "percent": 85}),
        channel,
    )
    .await;

    notifier.watch_once().await.expect("watched");
    fill(&app, 0.865);
    notifier.watch_once().await.expect("watched");
    notifier.watch_once().await.expect("watched again");
    let messages = receiver.wait_for(2).await;
    let (headers, raised) = &messages[1];
    assert_eq!(raised["event"], "raised");
    assert_eq!(raised["array"], FULL);
    assert_eq!(raised["summary"], "86 % full (more than 85 % full)");
    assert!(signed_correctly(headers, raised, &secret));
    assert_eq!(
        headers["idempotency-key"].to_str().expect("key"),
        raised["idempotency_key"].as_str().expect("key")
    );

    fill(&app, 0.5);
    notifier.watch_once().await.expect("watched");
    let messages = receiver.wait_for(3).await;
    assert_eq!(messages[2].1["event"], "resolved", "{:?}", messages[2].1);
    assert_eq!(
        messages[2].1["summary"],
        "50 % full, no longer more than 85 % full"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 3, "each announced once");

    let (_, _, deliveries) = app
        .call("GET", "/api/notifications/deliveries", Some(&admin), None)
        .await;
    let deliveries = deliveries.as_array().expect("list");
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert!(
        deliveries
            .iter()
            .all(|delivery| delivery["state"] == "delivered")
    );

    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    let audit = audit.to_string();
    assert!(audit.contains("notification_channel.create"), "{audit}");
    assert!(
        !audit.contains("/hook") && !audit.contains(&secret),
        "{audit}"
    );
}

#[tokio::test]
async fn mail_reaches_a_real_smtp_server_with_the_event_as_its_message_id() {
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-backend");
    let smtp = test_support::smtp_receiver::SmtpReceiver::start(&venv).await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        fleet: vec![SimulatorConfig::new(FULL).seed(Seed::Demo)],
        ..TestOptions::default()
    })
    .await;
    let notifier = app.notifier.clone().expect("notifier");
    let admin = app.login("admin").await;
    let email = json!({
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "security": "none",
        "from": "flashdeck@example.com",
        "to": ["storage-oncall@example.com", "dba@example.com"],
    });
    let (status, _, created) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(&admin),
            Some(json!({"name": "on-call mail", "kind": "email", "email": email})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["channel"]["host"], "127.0.0.1");
    let channel = created["channel"]["id"].as_i64().expect("id");
    let (_, _, tested) = app
        .call(
            "POST",
            &format!("/api/notifications/channels/{channel}/test"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(tested["delivered"], true, "{tested}");
    assert_eq!(tested["status"], 250, "{tested}");
    let mails = smtp.wait_for(1).await;
    assert!(
        mails[0].contains("Subject: [Flashdeck] Flashdeck: a test message"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("dba@example.com"), "{}", mails[0]);

    let (status, _, _) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(&admin),
            Some(json!({
                "name": "Nearly full",
                "condition": {"kind": "capacity_over", "percent": 85},
                "arrays": [FULL],
                "channels": [channel],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    fill(&app, 0.905);
    notifier.watch_once().await.expect("watched");
    let mails = smtp.wait_for(2).await;
    let raised = &mails[1];
    assert!(
        raised.contains("Subject: [Flashdeck] fa-filling: 90 % full (more than 85 % full)"),
        "{raised}"
    );
    assert!(raised.contains("Message-ID: <flashdeck-event-"), "{raised}");
    let (_, _, listed) = app
        .call("GET", "/api/notifications/channels", Some(&admin), None)
        .await;
    assert!(!listed.to_string().contains("storage-oncall"), "{listed}");
}

#[tokio::test]
async fn a_receiver_that_refuses_is_tried_again_with_its_words_kept() {
    let receiver = WebhookReceiver::start().await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        ..TestOptions::default()
    })
    .await;
    let notifier = app.notifier.clone().expect("notifier");
    let admin = app.login("admin").await;
    let (_, _, created) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(&admin),
            Some(json!({"name": "slack", "kind": "slack", "webhook_url": format!("{}/down", receiver.base)})),
        )
        .await;
    let channel = created["channel"]["id"].as_i64().expect("id");
    assert!(
        created["signing_secret"].is_null(),
        "Slack messages are not signed"
    );
    let (_, _, tested) = app
        .call(
            "POST",
            &format!("/api/notifications/channels/{channel}/test"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        tested,
        json!({"delivered": false, "status": 503, "answer": REFUSAL})
    );
    let (status, _, _) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(&admin),
            Some(json!({"name": "silent", "condition": {"kind": "not_answering"}, "channels": [channel]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut app = app;
    app.stop_array().await;
    notifier.watch_once().await.expect("watched");
    let mut delivery = Value::Null;
    for _ in 0..100 {
        let (_, _, deliveries) = app
            .call("GET", "/api/notifications/deliveries", Some(&admin), None)
            .await;
        delivery = deliveries[0].clone();
        if delivery["attempts"].as_i64().unwrap_or(0) >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        delivery["state"], "pending",
        "tried again later: {delivery}"
    );
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(
        delivery["last_error"],
        format!("the receiver answered 503: {REFUSAL}")
    );
    assert!(
        delivery["summary"]
            .as_str()
            .expect("summary")
            .contains("not answering")
    );

    let id = delivery["id"].as_i64().expect("id");
    let retry = format!("/api/notifications/deliveries/{id}/retry");
    let (status, _, refused) = app.call("POST", &retry, Some(&admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "only a failed one: {refused}");
    // As a quarter of an hour of refusals would leave it.
    {
        use sqlx::Connection;
        let mut connection = sqlx::AnyConnection::connect(&app.db_url)
            .await
            .expect("database");
        sqlx::query(
            "UPDATE notification_deliveries SET state = 'failed', attempts = 6 WHERE id = $1",
        )
        .bind(id)
        .execute(&mut connection)
        .await
        .expect("updated");
    }
    let (status, _, _) = app.call("POST", &retry, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for _ in 0..100 {
        let (_, _, deliveries) = app
            .call("GET", "/api/notifications/deliveries", Some(&admin), None)
            .await;
        delivery = deliveries[0].clone();
        if delivery["attempts"] == 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        (&delivery["attempts"], &delivery["state"]),
        (&json!(7), &json!("failed")),
        "tried once more, and failed again as the receiver is still down: {delivery}"
    );
}

#[tokio::test]
async fn an_arrays_alerts_are_told_once_a_code_and_again_when_they_close() {
    let receiver = WebhookReceiver::start().await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        ..TestOptions::default()
    })
    .await;
    let notifier = app.notifier.clone().expect("notifier");
    let admin = app.login("admin").await;
    let (_, _, created) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(&admin),
            Some(json!({"name": "teams", "kind": "teams", "webhook_url": format!("{}/hook", receiver.base)})),
        )
        .await;
    let channel = created["channel"]["id"].as_i64().expect("id");
    let (status, _, _) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(&admin),
            Some(json!({
                "name": "hardware",
                "condition": {"kind": "alert_open", "severity": "warning"},
                "channels": [channel],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    notifier.watch_once().await.expect("watched");
    assert!(app.sim.simulator.fail_part("CH0.BAY3", None), "a drive bay");
    notifier.watch_once().await.expect("watched");
    notifier.watch_once().await.expect("watched again");
    let messages = receiver.wait_for(1).await;
    let card = &messages[0].1["attachments"][0]["content"]["body"][1]["text"];
    let text = card.as_str().expect("Teams card text");
    assert!(
        text.contains("alert open, code") && text.contains("CH0.BAY3"),
        "{text}"
    );
    assert!(app.sim.simulator.repair_part("CH0.BAY3"));
    notifier.watch_once().await.expect("watched");
    let messages = receiver.wait_for(2).await;
    let text = messages[1].1["attachments"][0]["content"]["body"][1]["text"]
        .as_str()
        .expect("text");
    assert!(
        text.starts_with("Resolved on fa-test: alert ") && text.contains("closed"),
        "{text}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 2, "once each");
}

#[tokio::test]
async fn only_admins_of_every_array_keep_notifications_and_bad_input_is_named() {
    let app = TestApp::new().await;
    for user in ["viewer", "operator"] {
        let cookie = app.login(user).await;
        let (status, _, _) = app
            .call("GET", "/api/notifications/channels", Some(&cookie), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
    }
    let admin = app.login("admin").await;
    for (body, field) in [
        (
            json!({"name": "x", "kind": "slack", "webhook_url": "http://hooks.example.com/x"}),
            "webhook_url",
        ),
        (
            json!({"name": "", "kind": "slack", "webhook_url": "https://hooks.example.com/x"}),
            "name",
        ),
        (
            json!({"name": "x", "kind": "teams", "webhook_url": "https://h/x", "signing_secret": "0123456789abcdef"}),
            "signing_secret",
        ),
    ] {
        let (status, _, refused) = app
            .call(
                "POST",
                "/api/notifications/channels",
                Some(&admin),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["field"], field, "{refused}");
    }
    let (status, _, _) = app
        .call(
            "POST",
            "/api/notifications/channels",
            Some(&admin),
            Some(json!({"name": "x", "kind": "slack", "webhookUrl": "https://leak.example/T0/SECRET"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a misspelt field is refused"
    );
    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    assert!(
        !audit.to_string().contains("SECRET"),
        "nor audited: {audit}"
    );
    let (status, _, refused) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(&admin),
            Some(json!({"name": "r", "condition": {"kind": "capacity_over", "percent": 85}, "arrays": ["nowhere"], "channels": [1]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "arrays");
}

/// Every audit row reaches a real syslog daemon as an RFC 5424 message naming who did what
/// where; rows written while it is down are sent once it is back, none lost, none twice.
#[tokio::test]
async fn the_audit_log_reaches_syslog_and_catches_up_after_an_outage() {
    use backend::notify::forwarding::{AuditSink, SyslogTarget, forward_once};
    use test_support::syslog_receiver::SyslogReceiver;
    let receiver = SyslogReceiver::start().await;
    let port = receiver.port;
    let app = TestApp::with(TestOptions {
        notifications: true,
        syslog: Some(format!("tcp://127.0.0.1:{port}")),
        ..TestOptions::default()
    })
    .await;
    let target = |scheme: &str| {
        AuditSink::Syslog(
            SyslogTarget::parse(
                &format!("{scheme}://127.0.0.1:{port}"),
                &flasharray::TrustAnchor::System,
                "portal-test",
            )
            .expect("target"),
        )
    };
    let tcp = target("tcp");
    let admin = app.login("admin").await;
    assert_eq!(
        forward_once(&app.db, &tcp).await.expect("forwarded"),
        0,
        "starts from now"
    );
    let volumes = format!("/api/arrays/{}/volumes", crate::ARRAY);
    let create = |name: &'static str| {
        app.call(
            "POST",
            &volumes,
            Some(&admin),
            Some(json!({"name": name, "provisioned": 1_048_576})),
        )
    };
    assert_eq!(create("before-outage").await.0, StatusCode::CREATED);
    assert_eq!(forward_once(&app.db, &tcp).await.expect("forwarded"), 1);
    let lines = receiver
        .wait_for(&["action=\"volume.create\" target=\"name=before-outage\""])
        .await;
    let line = lines
        .iter()
        .find(|line| line.contains("before-outage"))
        .expect("line");
    assert!(
        line.starts_with("<110>1 "),
        "log audit, informational: {line}"
    );
    assert!(
        line.contains(" portal-test flashdeck - volume.create [flashdeck@32473 "),
        "{line}"
    );
    assert!(
        line.contains("user=\"admin\"") && line.contains("outcome=\"success\""),
        "{line}"
    );
    assert!(
        line.contains(&format!("array=\"{}\"", crate::ARRAY)),
        "{line}"
    );

    let stopped = receiver.stop();
    assert_eq!(create("during-outage").await.0, StatusCode::CREATED);
    assert_eq!(
        create("during-outage").await.0,
        StatusCode::BAD_REQUEST,
        "a refusal is audited too"
    );
    assert_eq!(
        forward_once(&app.db, &tcp).await.expect("tried"),
        0,
        "nobody listening"
    );
    let receiver = SyslogReceiver::restart(stopped).await;
    assert_eq!(forward_once(&app.db, &tcp).await.expect("caught up"), 2);
    let (_, _, health) = app
        .call("GET", "/api/audit/forwarding", Some(&admin), None)
        .await;
    assert_eq!(
        (
            health[0]["waiting"].as_i64(),
            health[0]["last_error"].is_null()
        ),
        (Some(0), true),
        "{health}"
    );
    let lines = receiver
        .wait_for(&[
            "target=\"name=during-outage\" outcome=\"success\"",
            "target=\"name=during-outage\" outcome=\"failure\"",
        ])
        .await;
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.contains("before-outage"))
            .count(),
        1,
        "none twice"
    );
    let udp = target("udp");
    assert_eq!(create("over-udp").await.0, StatusCode::CREATED);
    assert_eq!(
        forward_once(&app.db, &udp).await.expect("forwarded"),
        0,
        "a new destination starts from now"
    );
    assert_eq!(create("over-udp-2").await.0, StatusCode::CREATED);
    assert_eq!(forward_once(&app.db, &udp).await.expect("forwarded"), 1);
    receiver.wait_for(&["target=\"name=over-udp-2\""]).await;
}

#[tokio::test]
async fn a_held_change_is_mailed_to_those_who_may_decide_it_and_its_decision_to_its_requester() {
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-backend");
    let smtp = test_support::smtp_receiver::SmtpReceiver::start(&venv).await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        approvals: backend::config::ApprovalsConfig {
            actions: vec![shared::api::Action::VolumeCreate],
            expiry_hours: 24,
        },
        ..TestOptions::default()
    })
    .await;
    let hash = backend::identity::passwords::hash_password(crate::PASSWORD).expect("hash");
    let elsewhere = ["fa-elsewhere".to_owned()];
    for (name, role, arrays) in [
        ("approver", shared::api::Role::Operator, None),
        ("scoped", shared::api::Role::Admin, Some(&elsewhere[..])),
        ("watcher", shared::api::Role::Viewer, None),
        ("requester", shared::api::Role::Operator, None),
    ] {
        app.db
            .create_scoped_user(name, &hash, role, arrays, None, backend::clock::unix_now())
            .await
            .expect("user");
    }
    let admin = app.login("admin").await;

    let (status, _, refused) = app
        .call(
            "PUT",
            "/api/notifications/personal-mail",
            Some(&admin),
            Some(json!({"channel": 999})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "channel");
    let channel = mail_channel(&app, &admin, &smtp, "portal mail").await;
    let (status, _, chosen) = app
        .call(
            "PUT",
            "/api/notifications/personal-mail",
            Some(&admin),
            Some(json!({"channel": channel})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    let (status, _, _) = app
        .call(
            "DELETE",
            &format!("/api/notifications/channels/{channel}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "mail to people goes through it"
    );

    for name in ["approver", "scoped", "watcher", "requester"] {
        let cookie = app.login(name).await;
        let (status, _, refused) = app
            .call(
                "PUT",
                "/api/notifications/mine",
                Some(&cookie),
                Some(json!({"email": null, "topics": ["approval_waiting"]})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["field"], "email");
        let (status, _, mine) = app
            .call(
                "PUT",
                "/api/notifications/mine",
                Some(&cookie),
                Some(json!({
                    "email": format!("{name}@example.com"),
                    "topics": ["approval_waiting", "approval_decided"],
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        assert_eq!(mine["mail_ready"], true, "{mine}");
    }

    let requester = app.login("requester").await;
    let (_, _, token) = app
        .call(
            "POST",
            "/api/tokens",
            Some(&requester),
            Some(json!({"name": "script", "expires_in_days": 1, "role": "viewer"})),
        )
        .await;
    let token = token["token"].as_str().expect("token");
    for method in ["GET", "PUT"] {
        let by_token = axum::http::Request::builder()
            .method(method)
            .uri("/api/notifications/mine")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .header(shared::api::CSRF_HEADER, "1")
            .body(axum::body::Body::from(
                json!({"email": "attacker@evil.example", "topics": ["approval_waiting"]})
                    .to_string(),
            ))
            .expect("request");
        let (status, _, refused) = app.send(by_token).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{method} with a token: {refused}"
        );
    }
    let mut held = crate::request(
        "POST",
        &format!("/api/arrays/{}/volumes", crate::ARRAY),
        Some(&requester),
        Some(json!({"name": "reports-db", "provisioned": 1_048_576})),
    );
    held.headers_mut().insert(
        shared::api::REASON_HEADER,
        "CHG-7: reports <b>database</b>".parse().expect("header"),
    );
    let (status, _, held) = app.send(held).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    let id = held["id"].as_i64().expect("id");

    let mails = smtp.wait_for(1).await;
    assert_eq!(
        mails.len(),
        1,
        "one mail to the one person who may decide: {mails:?}"
    );
    let waiting = &mails[0];
    assert!(waiting.contains("approver@example.com"), "{waiting}");
    for nobody in ["scoped@", "watcher@", "requester@", "storage-oncall@"] {
        assert!(!waiting.contains(nobody), "{nobody} in {waiting}");
    }
    assert!(
        waiting.contains(&format!(
            "Subject: [Flashdeck] Request #{id}: requester (operator) asks for volume.create"
        )),
        "{waiting}"
    );
    assert!(
        waiting.contains("https://flashdeck.example.com/requests"),
        "{waiting}"
    );
    assert!(
        waiting.contains("Their reason: \"CHG-7: reports <b>database</b>\""),
        "quoted on a line of its own: {waiting}"
    );
    let subject = waiting
        .lines()
        .find(|line| line.starts_with("Subject:"))
        .expect("subject");
    assert!(!subject.contains("CHG-7"), "not in the subject: {subject}");

    let approver = app.login("approver").await;
    let (status, _, decided) = app
        .call(
            "POST",
            &format!("/api/approvals/{id}/approve"),
            Some(&approver),
            Some(json!({"comment": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert!(app.sim.simulator.volume("reports-db").is_some(), "it ran");
    let mails = smtp.wait_for(2).await;
    let told = &mails[1];
    assert!(told.contains("requester@example.com"), "{told}");
    assert!(!told.contains("approver@example.com"), "{told}");
    assert!(
        told.contains(&format!(
            "Request #{id}: approver approved volume.create name=reports-db, and it ran."
        )),
        "{told}"
    );
    let (_, _, deliveries) = app
        .call("GET", "/api/notifications/deliveries", Some(&admin), None)
        .await;
    assert_eq!(
        deliveries[0]["recipient"], "requester@example.com",
        "{deliveries}"
    );
    assert_eq!(
        deliveries[0]["rule"],
        format!("Request #{id}"),
        "{deliveries}"
    );
}

#[tokio::test]
async fn nothing_is_told_while_a_silence_holds_and_what_still_holds_is_told_when_it_ends() {
    let receiver = WebhookReceiver::start().await;
    let Watching {
        app,
        notifier,
        admin,
        channel,
    } = watching(
        &receiver,
        "slack",
        SimulatorConfig::new(FULL).seed(Seed::Demo),
    )
    .await;
    let rule = json!({"name": "Nearly full", "condition": {"kind": "capacity_over", "percent": 85}, "channels": [channel]});
    let (_, _, rule) = app
        .call("POST", "/api/notifications/rules", Some(&admin), Some(rule))
        .await;
    let rule = rule["id"].as_i64().expect("rule");

    let silence = |body: Value| {
        app.call(
            "POST",
            "/api/notifications/silences",
            Some(&admin),
            Some(body),
        )
    };
    for (body, field) in [
        (json!({"rule": rule, "hours": 0, "reason": "x"}), "hours"),
        (json!({"rule": rule, "hours": 2161, "reason": "x"}), "hours"),
        (json!({"rule": rule, "hours": 4, "reason": " "}), "reason"),
        (json!({"rule": 999, "hours": 4, "reason": "x"}), "rule"),
        (
            json!({"rule": rule, "array": "fa-nowhere", "hours": 4, "reason": "x"}),
            "array",
        ),
    ] {
        let (status, _, refused) = silence(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["field"], field, "{refused}");
    }
    let operator = app.login("operator").await;
    let (status, _, _) = app
        .call(
            "POST",
            "/api/notifications/silences",
            Some(&operator),
            Some(json!({"rule": rule, "hours": 4, "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, made) = silence(json!({
        "rule": rule, "array": FULL, "hours": 24 * 30, "reason": "CHG-12: drives being replaced",
    }))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["rule_name"], "Nearly full");
    let days = (made["until_ms"].as_i64().expect("until")
        - made["created_at_ms"].as_i64().expect("at"))
        / 86_400_000;
    assert_eq!(days, 30, "{made}");

    fill(&app, 0.9);
    notifier.watch_once().await.expect("watched");
    notifier.watch_once().await.expect("watched again");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        receiver.received().is_empty(),
        "silenced: {:?}",
        receiver.received()
    );

    let (_, _, listed) = app
        .call("GET", "/api/notifications/silences", Some(&admin), None)
        .await;
    assert_eq!(
        listed[0]["reason"], "CHG-12: drives being replaced",
        "{listed}"
    );
    let id = made["id"].as_i64().expect("id");
    let path = format!("/api/notifications/silences/{id}");
    let (status, _, _) = app.call("DELETE", &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app.call("DELETE", &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "ended already");
    notifier.watch_once().await.expect("watched");
    let told = receiver.wait_for(1).await;
    assert!(
        told[0].1["text"]
            .as_str()
            .unwrap_or_default()
            .contains("90 % full"),
        "what still holds is told when the silence ends: {:?}",
        told[0].1
    );
    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    let audit = audit.to_string();
    assert!(
        audit.contains("notification_silence.create") && audit.contains("notification_silence.end"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_rule_reminds_while_its_condition_holds_and_its_quiet_hours_hold_messages_back() {
    let receiver = WebhookReceiver::start().await;
    let Watching {
        app,
        notifier,
        admin,
        channel,
    } = watching(
        &receiver,
        "webhook",
        SimulatorConfig::new(FULL).seed(Seed::Demo),
    )
    .await;
    let rule = |name: &str, extra: Value| {
        let mut rule = json!({"name": name, "condition": {"kind": "capacity_over", "percent": 85}, "channels": [channel]});
        rule.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        app.call("POST", "/api/notifications/rules", Some(&admin), Some(rule))
    };
    let (status, _, refused) = rule("bad", json!({"repeat_hours": 0})).await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("repeat_hours"))
    );
    let (status, _, reminding) = rule("Nearly full, every 4 h", json!({"repeat_hours": 4})).await;
    assert_eq!(status, StatusCode::CREATED, "{reminding}");
    assert_eq!(reminding["repeat_hours"], 4);
    // Quiet from this hour for two, UTC: what it raises now waits until they end.
    let hours = backend::clock::unix_now() / 3600;
    let quiet =
        json!({"from_hour": hours % 24, "until_hour": (hours + 2) % 24, "utc_offset_minutes": 0});
    let (status, _, quiet_rule) = rule("Nearly full, quietly", json!({"quiet_hours": quiet})).await;
    assert_eq!(status, StatusCode::CREATED, "{quiet_rule}");

    fill(&app, 0.9);
    notifier.watch_once().await.expect("watched");
    let raised = receiver.wait_for(1).await;
    assert_eq!(raised[0].1["rule"], "Nearly full, every 4 h");
    notifier.watch_once().await.expect("watched");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "not yet time, and the quiet rule waits"
    );
    let (_, _, deliveries) = app
        .call("GET", "/api/notifications/deliveries", Some(&admin), None)
        .await;
    let held = deliveries
        .as_array()
        .expect("list")
        .iter()
        .find(|delivery| delivery["rule"] == "Nearly full, quietly")
        .expect("the quiet rule's message")
        .clone();
    assert_eq!(held["state"], "pending", "{held}");
    assert_eq!(held["not_before_ms"], (hours + 2) * 3_600_000, "{held}");

    // Four hours on: the condition still holds, so it is told again, once.
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&app.db_url).await.expect("db");
    sqlx::query("UPDATE notification_conditions SET told_at_ms = told_at_ms - 14400000")
        .execute(&mut connection)
        .await
        .expect("four hours pass");
    notifier.watch_once().await.expect("watched");
    notifier.watch_once().await.expect("watched");
    let told = receiver.wait_for(2).await;
    assert_eq!(
        told[1].1["summary"], "still 90 % full (more than 85 % full)",
        "{:?}",
        told[1].1
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 2, "told again once");
}

/// Waits for the receiver's `count`th message, watching the arrays again meanwhile (a
/// scheduled snapshot may take a moment to arrive at its target).
async fn watch_until(
    notifier: &backend::notify::Notifier,
    receiver: &WebhookReceiver,
    count: usize,
) -> Vec<(HeaderMap, Value)> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        notifier.watch_once().await.expect("watched");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let received = receiver.received();
        if received.len() >= count {
            return received;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{count} messages expected: {received:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replication_behind_and_a_group_without_a_schedule_are_told_and_resolved() {
    use crate::replication::{DR, replicate_hourly_from_now, replicating_to_dr};
    let receiver = WebhookReceiver::start().await;
    let Watching {
        app,
        notifier,
        admin,
        channel,
    } = watching(&receiver, "webhook", SimulatorConfig::new(DR).purity("6.5")).await;
    for (name, kind) in [
        ("Behind", "replication_behind"),
        ("No schedule", "protection_unscheduled"),
    ] {
        let rule = json!({"name": name, "condition": {"kind": kind}, "arrays": [crate::ARRAY], "channels": [channel]});
        let (status, _, body) = app
            .call("POST", "/api/notifications/rules", Some(&admin), Some(rule))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let group = replicating_to_dr(&app, &admin).await;
    let told = watch_until(&notifier, &receiver, 1).await;
    assert_eq!(told[0].1["rule"], "No schedule");
    assert_eq!(
        told[0].1["summary"],
        "protection group pg-dr has no schedule: it neither snapshots nor replicates"
    );

    replicate_hourly_from_now(&app, &admin, &group).await;
    let told = watch_until(&notifier, &receiver, 2).await;
    assert_eq!(
        (told[1].1["rule"].as_str(), told[1].1["event"].as_str()),
        (Some("No schedule"), Some("resolved"))
    );

    app.sim.simulator.set_faults(flasharray_sim::FaultConfig {
        link_down: true,
        ..flasharray_sim::FaultConfig::default()
    });
    app.sim
        .simulator
        .advance_clock(std::time::Duration::from_secs(3 * 3600));
    let told = watch_until(&notifier, &receiver, 3).await;
    assert_eq!(told[2].1["rule"], "Behind", "{:?}", told[2].1);
    let summary = told[2].1["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with(&format!(
            "protection group pg-dr to {DR} is past its recovery point, "
        )),
        "{summary}"
    );

    app.sim
        .simulator
        .set_faults(flasharray_sim::FaultConfig::default());
    let told = watch_until(&notifier, &receiver, 4).await;
    assert_eq!(
        (told[3].1["rule"].as_str(), told[3].1["event"].as_str()),
        (Some("Behind"), Some("resolved"))
    );
    assert_eq!(
        told[3].1["summary"],
        format!("protection group pg-dr to {DR}: replicating within its schedule")
    );
}

/// Over TLS, the receiver's certificate is checked: rows reach a real rsyslogd that presents
/// the certificate the portal trusts, and none reach one it does not.
#[tokio::test]
async fn the_audit_log_reaches_syslog_over_tls_only_to_the_trusted_receiver() {
    use backend::notify::forwarding::{AuditSink, SyslogTarget, forward_once};
    use test_support::syslog_receiver::SyslogReceiver;
    let certified = |name: &str| {
        rcgen::generate_simple_self_signed(vec![name.to_owned(), "127.0.0.1".to_owned()])
            .expect("certificate")
    };
    let trusted = certified("siem.example.com");
    let receiver =
        SyslogReceiver::start_tls(&trusted.cert.pem(), &trusted.signing_key.serialize_pem()).await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        ..TestOptions::default()
    })
    .await;
    let sink = |trust: &str| {
        AuditSink::Syslog(
            SyslogTarget::parse(
                &format!("tls://127.0.0.1:{}", receiver.port),
                &flasharray::TrustAnchor::CaPem(trust.to_owned()),
                "portal-test",
            )
            .expect("target"),
        )
    };
    let tls = sink(&trusted.cert.pem());
    assert_eq!(
        forward_once(&app.db, &tls).await.expect("forwarded"),
        0,
        "starts from now"
    );
    let admin = app.login("admin").await;
    let (status, _, _) = app
        .call(
            "POST",
            &format!("/api/arrays/{}/volumes", crate::ARRAY),
            Some(&admin),
            Some(json!({"name": "over-tls", "provisioned": 1_048_576})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        forward_once(&app.db, &tls).await.expect("forwarded"),
        2,
        "sign-in and creation"
    );
    let lines = receiver
        .wait_for(&["action=\"volume.create\" target=\"name=over-tls\""])
        .await;
    assert!(
        lines.iter().any(|line| line.contains("user=\"admin\"")),
        "{lines:?}"
    );

    let impostor = sink(&certified("other.example.com").cert.pem());
    assert_eq!(
        forward_once(&app.db, &impostor).await.expect("tried"),
        0,
        "starts from now"
    );
    app.call(
        "POST",
        &format!("/api/arrays/{}/volumes", crate::ARRAY),
        Some(&admin),
        Some(json!({"name": "not-to-impostors", "provisioned": 1_048_576})),
    )
    .await;
    assert_eq!(
        forward_once(&app.db, &impostor).await.expect("tried"),
        0,
        "refused"
    );
    let state = app
        .db
        .forwarding_state(&impostor.destination(), backend::clock::unix_now_ms())
        .await
        .expect("state");
    let why = state.last_error.unwrap_or_default();
    assert!(why.to_lowercase().contains("certificate"), "{why}");
    assert!(
        !receiver
            .lines()
            .iter()
            .any(|line| line.contains("not-to-impostors"))
    );
}

#[tokio::test]
async fn an_array_that_will_be_full_within_the_days_a_rule_names_is_told_and_resolved_by_more_capacity()
 {
    let receiver = WebhookReceiver::start().await;
    let Watching {
        app,
        notifier,
        admin,
        channel,
    } = watching(
        &receiver,
        "webhook",
        SimulatorConfig::new(FULL).seed(Seed::Demo),
    )
    .await;
    let (_, _, forecast) = app
        .call(
            "GET",
            &format!("/api/arrays/{FULL}/forecast"),
            Some(&admin),
            None,
        )
        .await;
    let days = forecast["to_100"]["days"]
        .as_f64()
        .expect("the demo's array grows");
    let within = (days.ceil() as u64 + 30).min(365);
    let rule = |days: u64| json!({"name": "Full soon", "condition": {"kind": "full_within", "days": days}, "arrays": [FULL], "channels": [channel]});
    let (status, _, refused) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(&admin),
            Some(rule(366)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "condition.days");
    let (status, _, made) = app
        .call(
            "POST",
            "/api/notifications/rules",
            Some(&admin),
            Some(rule(within)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");

    notifier.watch_once().await.expect("watched");
    let told = receiver.wait_for(1).await;
    let summary = told[0].1["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with("full in about ")
            && summary.contains(&format!("full within {within} days")),
        "{summary}"
    );
    // Drives added: ten times the capacity puts the day it is full far off.
    fill(&app, 0.05);
    notifier.watch_once().await.expect("watched");
    let told = receiver.wait_for(2).await;
    assert_eq!(told[1].1["event"], "resolved", "{:?}", told[1].1);
}

#[tokio::test]
async fn a_person_who_asked_hears_the_rules_messages_about_their_arrays_only() {
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-backend");
    let smtp = test_support::smtp_receiver::SmtpReceiver::start(&venv).await;
    let receiver = WebhookReceiver::start().await;
    let Watching {
        app,
        notifier,
        admin,
        channel,
    } = watching(
        &receiver,
        "webhook",
        SimulatorConfig::new(FULL).seed(Seed::Demo),
    )
    .await;
    let mail = mail_channel(&app, &admin, &smtp, "people").await;
    app.call(
        "PUT",
        "/api/notifications/personal-mail",
        Some(&admin),
        Some(json!({"channel": mail})),
    )
    .await;
    let hash = backend::identity::passwords::hash_password(crate::PASSWORD).expect("hash");
    for (name, arrays) in [
        ("filling-watcher", vec![FULL.to_owned()]),
        ("elsewhere-watcher", vec!["fa-elsewhere".to_owned()]),
    ] {
        app.db
            .create_scoped_user(
                name,
                &hash,
                shared::api::Role::Viewer,
                Some(&arrays[..]),
                None,
                backend::clock::unix_now(),
            )
            .await
            .expect("user");
        let cookie = app.login(name).await;
        let (status, _, mine) = app
            .call(
                "PUT",
                "/api/notifications/mine",
                Some(&cookie),
                Some(json!({"email": format!("{name}@example.com"), "topics": ["array_events"]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mine}");
    }
    rule_on_full(
        &app,
        &admin,
        "Nearly full",
        json!({"kind": "capacity_over", "percent": 85}),
        channel,
    )
    .await;
    fill(&app, 0.9);
    notifier.watch_once().await.expect("watched");
    receiver.wait_for(1).await;
    let mails = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mails_now = smtp.mails();
    assert_eq!(mails_now.len(), 1, "one person in scope: {mails_now:?}");
    assert!(
        mails[0].contains("To: filling-watcher@example.com"),
        "{}",
        mails[0]
    );
    assert!(
        !mails[0].contains("storage-oncall@example.com"),
        "the channel's own list is left out"
    );
    assert!(
        mails[0].contains("90 % full (more than 85 % full)"),
        "{}",
        mails[0]
    );
}
