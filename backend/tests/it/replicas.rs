//! Two `flashdeck` processes on one database serve the same users, sessions, audit log and
//! registered arrays, as replicas behind a load balancer do. On PostgreSQL (with
//! `FLASHDECK_TEST_POSTGRES`) they also start at the same moment, migrations and first admin
//! included; SQLite replicas start one after the other (SQLite is for one process).

use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use shared::api::CSRF_HEADER;
use test_support::portal::Portal;
use test_support::tls::plain_client;

use crate::process::{array_and_config, start};
use crate::{ARRAY, POSTGRES_ENV};

#[tokio::test]
async fn two_replicas_share_sessions_the_audit_log_and_registered_arrays() {
    let (_dir, sim, config) = array_and_config().await;
    let http = plain_client();
    let (first, second) = if std::env::var(POSTGRES_ENV).is_ok() {
        (start(&config), start(&config))
    } else {
        let first = start(&config);
        first.sign_in(&http).await;
        (first, start(&config))
    };
    let cookie = first.sign_in(&http).await;
    second.sign_in(&http).await;

    let call = |portal: &Portal, method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = http
            .request(method, format!("{}{path}", portal.url))
            .header(CSRF_HEADER, "1")
            .header("cookie", &cookie);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let me = call(&second, reqwest::Method::GET, "/api/auth/me", None)
        .await
        .expect("answer");
    assert_eq!(me.status(), 200, "a session made on one works on the other");
    let health = std::process::Command::new(env!("CARGO_BIN_EXE_flashdeck"))
        .arg("healthcheck")
        .env("FLASHDECK_LISTEN", second.url.trim_start_matches("http://"))
        .status()
        .expect("flashdeck runs");
    assert!(health.success(), "the health check finds a running server");

    for (index, portal) in [&first, &second, &first, &second].into_iter().enumerate() {
        let created = call(
            portal,
            reqwest::Method::POST,
            &format!("/api/arrays/{ARRAY}/volumes"),
            Some(json!({"name": format!("replica-{index}"), "provisioned": 1u64 << 30})),
        )
        .await
        .expect("answer");
        assert_eq!(created.status(), 201);
    }
    for portal in [&first, &second] {
        let audit: Vec<Value> = call(
            portal,
            reqwest::Method::GET,
            "/api/audit?action=volume.create",
            None,
        )
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
        assert_eq!(audit.len(), 4, "one audit log, whichever replica is asked");
    }

    let lab = Simulator::start(SimulatorConfig::new("fa-lab"))
        .await
        .expect("simulator");
    let registration = json!({
        "name": "fa-lab",
        "url": lab.url(),
        "ca_pem": lab.certificate_pem(),
        "auth": {"method": "api_token", "api_token": lab.simulator.api_token(ADMIN_USERNAME)},
    });
    let registered = call(
        &first,
        reqwest::Method::POST,
        "/api/arrays",
        Some(registration),
    )
    .await
    .expect("answer");
    assert_eq!(registered.status(), 201);
    let arrays: Vec<Value> = call(&second, reqwest::Method::GET, "/api/arrays", None)
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert!(
        arrays.iter().any(|array| array["name"] == "fa-lab"),
        "the other replica serves it too: {arrays:?}"
    );
    let lab_volumes = "/api/arrays/fa-lab/volumes";
    let served = call(&second, reqwest::Method::GET, lab_volumes, None)
        .await
        .expect("answer");
    assert_eq!(served.status(), 200);
    let removed = call(&first, reqwest::Method::DELETE, "/api/arrays/fa-lab", None)
        .await
        .expect("answer");
    assert!(removed.status().is_success(), "{}", removed.status());
    // Nobody lists the arrays on the other replica: it stops serving the array by itself.
    let deadline = std::time::Instant::now()
        + backend::arrays::registration::SYNC_INTERVAL
        + std::time::Duration::from_secs(10);
    loop {
        let status = call(&second, reqwest::Method::GET, lab_volumes, None)
            .await
            .expect("answer")
            .status();
        if status == 404 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the removed array is still served: {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }

    let out = call(&second, reqwest::Method::POST, "/api/auth/logout", None)
        .await
        .expect("answer");
    assert_eq!(out.status(), 200);
    let me = call(&first, reqwest::Method::GET, "/api/auth/me", None)
        .await
        .expect("answer");
    assert_eq!(me.status(), 401, "signed out on one, signed out on both");
    lab.shutdown().await;
    sim.shutdown().await;
}

/// One replica watching [`ARRAY`] (demo data, so it can fill up) every second, on a database
/// of the test's own, with a webhook channel to `receiver`'s `path` and a rule for more than
/// 85 % full, forwarding the audit log to a real syslog daemon; [`replica`] starts more.
struct Watched {
    sim: flasharray_sim::RunningSimulator,
    config: std::path::PathBuf,
    http: reqwest::Client,
    cookie: String,
    first: Portal,
    syslog: test_support::syslog_receiver::SyslogReceiver,
    _dir: tempfile::TempDir,
}

fn replica(
    config: &std::path::Path,
    syslog: &test_support::syslog_receiver::SyslogReceiver,
) -> Portal {
    crate::process::launch(config, crate::PASSWORD)
        .env("FLASHDECK_NOTIFICATIONS_WATCH_INTERVAL_SECS", "1")
        .env(
            "FLASHDECK_AUDIT_SYSLOG_URL",
            &format!("tcp://127.0.0.1:{}", syslog.port),
        )
        .spawn()
}

async fn watched(
    receiver: &test_support::webhook_receiver::WebhookReceiver,
    path: &str,
) -> Watched {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Simulator::start(SimulatorConfig::new(ARRAY).seed(flasharray_sim::Seed::Demo))
        .await
        .expect("simulator");
    let config = crate::process::write_config(dir.path(), &sim).await;
    let http = plain_client();
    let syslog = test_support::syslog_receiver::SyslogReceiver::start().await;
    let first = replica(&config, &syslog);
    let cookie = first.sign_in(&http).await;
    let post = |path: &str, body: Value| {
        http.post(format!("{}{path}", first.url))
            .header(CSRF_HEADER, "1")
            .header("cookie", &cookie)
            .json(&body)
            .send()
    };
    let hook = json!({"name": "hook", "kind": "webhook", "webhook_url": format!("{}{path}", receiver.base)});
    let created: Value = post("/api/notifications/channels", hook)
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let channel = created["channel"]["id"].as_i64().expect("channel");
    let rule = json!({"name": "full", "condition": {"kind": "capacity_over", "percent": 85}, "channels": [channel]});
    let made = post("/api/notifications/rules", rule)
        .await
        .expect("answer");
    assert_eq!(made.status(), 201);
    Watched {
        sim,
        config,
        http,
        cookie,
        first,
        syslog,
        _dir: dir,
    }
}

/// Two replicas watch one array for a rule: when it passes the threshold and one replica is
/// killed at that moment, the receiver still hears of it, and of its clearing, once each
/// (by the event's idempotency key: a message sent just before a death may be sent again,
/// under the same key, which receivers drop); the audit log still reaches syslog.
#[tokio::test]
async fn a_condition_is_told_once_whichever_replica_watches_and_dies() {
    let receiver = test_support::webhook_receiver::WebhookReceiver::start().await;
    let Watched {
        sim,
        config,
        http,
        cookie,
        mut first,
        syslog,
        _dir,
    } = watched(&receiver, "/hook").await;
    let second = replica(&config, &syslog);
    second.sign_in(&http).await;
    let fill = |share: f64| {
        sim.simulator
            .set_capacity((sim.simulator.used_bytes() as f64 / share) as u64)
    };
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;

    fill(0.9);
    first.kill();
    let raised = receiver.wait_for(1).await;
    assert_eq!(raised[0].1["event"], "raised", "{:?}", raised[0].1);
    fill(0.5);
    let messages = receiver.wait_for(2).await;
    // Long enough for a second watcher, or a job taken over from the dead replica, to send
    // again if the outbox let it.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let messages = if receiver.received().len() > messages.len() {
        receiver.received()
    } else {
        messages
    };
    let keys: std::collections::BTreeSet<String> = messages
        .iter()
        .map(|(_, body)| {
            body["idempotency_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 2, "one raised and one resolved: {messages:?}");
    let events: Vec<&Value> = messages.iter().map(|(_, body)| &body["event"]).collect();
    assert!(events.contains(&&json!("resolved")), "{events:?}");

    // The audit stream continues from the survivor: what the dead replica did and what the
    // survivor does both reach syslog.
    let created = http
        .post(format!("{}/api/arrays/{ARRAY}/volumes", second.url))
        .header(CSRF_HEADER, "1")
        .header("cookie", &cookie)
        .json(&json!({"name": "after-the-death", "provisioned": 1_048_576}))
        .send()
        .await
        .expect("answer");
    assert_eq!(created.status(), 201);
    syslog
        .wait_for(&[
            "action=\"notification_channel.create\"",
            "target=\"name=after-the-death\"",
        ])
        .await;
    sim.shutdown().await;
}

/// A replica killed while a receiver has its message and has not answered: the job is
/// orphaned, another replica takes it over within the queue's heartbeat and delivers it, under
/// the same idempotency key; the outbox records it delivered once.
#[tokio::test]
async fn a_message_being_sent_when_its_replica_dies_is_sent_by_another() {
    let receiver = test_support::webhook_receiver::WebhookReceiver::start().await;
    let Watched {
        sim,
        config,
        http,
        cookie,
        mut first,
        syslog,
        _dir,
    } = watched(&receiver, "/stall-once").await;
    sim.simulator
        .set_capacity((sim.simulator.used_bytes() as f64 / 0.9) as u64);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while receiver.stall_once_calls() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the message never left"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let second = replica(&config, &syslog);
    second.sign_in(&http).await;
    first.kill();

    let delivered = receiver.wait_for(1).await;
    assert_eq!(delivered[0].1["event"], "raised", "{:?}", delivered[0].1);
    let key = delivered[0].1["idempotency_key"].clone();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(
        receiver
            .received()
            .iter()
            .all(|(_, body)| body["idempotency_key"] == key),
        "one event: {:?}",
        receiver.received()
    );
    let deliveries: Value = http
        .get(format!("{}/api/notifications/deliveries", second.url))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(deliveries.as_array().map(Vec::len), Some(1), "{deliveries}");
    assert_eq!(deliveries[0]["state"], "delivered", "{deliveries}");
    sim.shutdown().await;
}
