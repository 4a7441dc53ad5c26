//! Known secrets planted in every credential field, then a whole workflow read back: every
//! response, the log, `/metrics` and the audit log. None of them may show any secret.

use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor};
use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use shared::api::CSRF_HEADER;
use shared::flasharray::ApiClientPost;
use test_support::tls::plain_client;

use crate::process::{SECRET_KEY, launch, write_config};
use crate::{ARRAY, POSTGRES_ENV};

const ADMIN_PASSWORD: &str = "planted-admin-password-7f3a";
const CHAP_SECRET: &str = "planted-chap-secret-91c2";
const DB_PASSWORD: &str = "planted-db-password-55e1";
/// The fixture key's password, as `crates/flasharray/tests/fixtures/README.md` says.
const KEY_PASSWORD: &str = "fixture-password";

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/flasharray/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[tokio::test]
async fn no_secret_reaches_a_response_the_log_metrics_or_the_audit_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Simulator::start(SimulatorConfig::new(ARRAY))
        .await
        .expect("simulator");
    let config = write_config(dir.path(), &sim).await;
    // The array's token as the portal holds it: a token made afterwards would replace it.
    let api_token = std::fs::read_to_string(dir.path().join(format!("{ARRAY}.token")))
        .expect("the array's token file");
    // PostgreSQL here trusts every connection, so a password in its URL is planted freely.
    let on_postgres = std::env::var(POSTGRES_ENV).is_ok();
    if on_postgres {
        let text = std::fs::read_to_string(&config).expect("config");
        let url = text
            .lines()
            .find_map(|line| line.strip_prefix("database_url = "))
            .expect("database_url")
            .trim_matches('"')
            .to_owned();
        let user = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['@', '/']).next())
            .filter(|user| !user.contains(':'))
            .unwrap_or("root");
        let with_password = if url.contains('@') {
            url.replacen(&format!("{user}@"), &format!("{user}:{DB_PASSWORD}@"), 1)
        } else {
            url.replacen("://", &format!("://{user}:{DB_PASSWORD}@"), 1)
        };
        std::fs::write(&config, text.replace(&url, &with_password)).expect("config");
    }

    let portal = launch(&config, ADMIN_PASSWORD)
        .env("RUST_LOG", "debug")
        .env("FLASHDECK_AUDIT_STDOUT_JSON", "true")
        .env("FLASHDECK_NOTIFICATIONS_WATCH_INTERVAL_SECS", "1")
        .capture_log()
        .spawn();
    let url = portal.url.clone();
    let http = plain_client();
    let mut seen = String::new();

    portal.wait_until_healthy(&http).await;
    let answer = http
        .post(format!("{url}/api/auth/login"))
        .header(CSRF_HEADER, "1")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("answered");
    assert!(answer.status().is_success(), "{}", answer.status());
    let cookie = answer.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("session cookie")
        .to_owned();
    seen.push_str(&answer.text().await.expect("body"));
    let session_token = cookie.split_once('=').expect("name=value").1.to_owned();

    // A second array, registered in the UI with an API client whose key is encrypted.
    let lab = Simulator::start(SimulatorConfig::new("fa-lab"))
        .await
        .expect("simulator");
    let lab_admin = ArrayClient::new(ClientConfig::new(
        "fa-lab",
        lab.url(),
        Credentials::ApiToken(lab.simulator.api_token(ADMIN_USERNAME).expect("token")),
        TrustAnchor::CaPem(lab.certificate_pem().to_owned()),
    ))
    .expect("client");
    let registered = lab_admin
        .create_api_client(
            "flashdeck",
            &ApiClientPost {
                issuer: "flashdeck-leaks".into(),
                public_key: fixture("rsa-pkcs1.pub.pem"),
                // Connecting arrays reads fa-lab's connection key, which needs an array admin.
                max_role: "array_admin".into(),
                access_token_ttl_in_ms: None,
            },
        )
        .await
        .expect("API client");
    lab_admin
        .set_api_client_enabled("flashdeck", true)
        .await
        .expect("enabled");
    let connection_key = lab_admin.connection_key().await.expect("connection key");
    let private_key = fixture("rsa-pkcs8-encrypted.pem");
    let key_line = private_key
        .lines()
        .nth(1)
        .expect("a line of the key")
        .to_owned();

    let registration = |name: &str, key_password: &str| {
        json!({
            "name": name, "url": lab.url(), "ca_pem": lab.certificate_pem(),
            "auth": {"method": "api_client", "client_id": registered.id, "key_id": registered.key_id,
                     "issuer": "flashdeck-leaks", "username": ADMIN_USERNAME,
                     "private_key": private_key, "private_key_password": key_password},
        })
    };
    // Pure1, connected in the UI with the same encrypted key.
    let pure1 = pure1_sim::Pure1Sim::default();
    pure1.mirror(lab.simulator.clone(), "fa-lab.example.com");
    pure1
        .register_application("pure1:apikey:LeakCheck", &fixture("rsa-pkcs1.pub.pem"))
        .expect("registered in Pure1");
    let pure1 = pure1
        .start(pure1_sim::Pure1Config::default())
        .await
        .expect("Pure1 starts");
    let pure1_connection = |key_password: &str| {
        json!({
            "url": pure1.url(), "app_id": "pure1:apikey:LeakCheck", "ca_pem": pure1.certificate_pem(),
            "key": {"kind": "private_key", "private_key": private_key, "private_key_password": key_password},
        })
    };
    let calls: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (
            reqwest::Method::POST,
            "/api/arrays".into(),
            Some(registration("fa-lab", KEY_PASSWORD)),
        ),
        (
            reqwest::Method::POST,
            "/api/connection-test".into(),
            Some(registration("fa-other", "a wrong one")),
        ),
        (
            reqwest::Method::POST,
            format!("/api/arrays/{ARRAY}/hosts"),
            Some(
                json!({"name": "esx-1", "iqns": ["iqn.2026-01.com.example:esx-1"],
                        "chap": {"host_user": "esx", "host_password": CHAP_SECRET}}),
            ),
        ),
        (
            reqwest::Method::POST,
            "/api/arrays/fa-lab/volumes".into(),
            Some(json!({"name": "leak-check", "provisioned": 1u64 << 20})),
        ),
        (
            reqwest::Method::POST,
            "/api/users".into(),
            Some(json!({"username": "bob", "password": ADMIN_PASSWORD, "role": "viewer"})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/arrays/{ARRAY}/hosts"),
            None,
        ),
        (
            reqwest::Method::GET,
            "/api/arrays/fa-lab/volumes".into(),
            None,
        ),
        (
            reqwest::Method::POST,
            "/api/pure1/test".into(),
            Some(pure1_connection("a wrong one")),
        ),
        (
            reqwest::Method::PUT,
            "/api/pure1".into(),
            Some(pure1_connection(KEY_PASSWORD)),
        ),
        (reqwest::Method::GET, "/api/pure1".into(), None),
        (
            reqwest::Method::POST,
            format!("/api/arrays/{ARRAY}/array-connections"),
            Some(json!({"remote": "fa-lab"})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/arrays/{ARRAY}/array-connections"),
            None,
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/arrays/{ARRAY}/array-connections/fa-lab"),
            None,
        ),
        (reqwest::Method::GET, "/api/fleet/pure1".into(), None),
        (
            reqwest::Method::GET,
            "/api/fleet/placement?size=1G".into(),
            None,
        ),
        (reqwest::Method::GET, "/api/arrays".into(), None),
        (reqwest::Method::GET, "/api/users".into(), None),
        (reqwest::Method::GET, "/api/audit".into(), None),
        (reqwest::Method::GET, "/api/audit.csv".into(), None),
        (reqwest::Method::GET, "/api/recycle-bin".into(), None),
        (reqwest::Method::GET, "/metrics".into(), None),
        (reqwest::Method::GET, "/readyz".into(), None),
        (reqwest::Method::POST, "/api/auth/logout".into(), None),
    ];
    // A personal API token, shown once (that answer is not looked in), then used as a script
    // would: bearer calls, a change, a REST login and a call with its session, a wrong token.
    let created: Value = http
        .post(format!("{url}/api/tokens"))
        .header("cookie", &cookie)
        .header(CSRF_HEADER, "1")
        .json(&json!({"name": "leak check", "expires_in_days": 1, "role": "admin"}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let personal_token = created["token"].as_str().expect("token").to_owned();
    for (method, path, body) in [
        (reqwest::Method::GET, "/api/arrays".to_owned(), None),
        (
            reqwest::Method::POST,
            format!("/api/arrays/{ARRAY}/volumes"),
            Some(json!({"name": "by-token", "provisioned": 1u64 << 20})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/arrays/{ARRAY}/rest/api/2.36/volumes"),
            None,
        ),
    ] {
        let mut request = http
            .request(method, format!("{url}{path}"))
            .bearer_auth(&personal_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.expect("answered");
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        seen.push_str(&format!("{:?}", answer.headers()));
        seen.push_str(&answer.text().await.expect("body"));
    }
    let login = http
        .post(format!("{url}/api/arrays/{ARRAY}/rest/api/2.36/login"))
        .header("api-token", &personal_token)
        .send()
        .await
        .expect("answered");
    let rest_session = login.headers()["x-auth-token"]
        .to_str()
        .expect("session")
        .to_owned();
    let answer = http
        .post(format!(
            "{url}/api/arrays/{ARRAY}/rest/api/2.36/hosts?names=leak-host"
        ))
        .header("x-auth-token", &rest_session)
        .json(&json!({}))
        .send()
        .await
        .expect("answered");
    assert!(answer.status().is_success(), "{}", answer.status());
    seen.push_str(&answer.text().await.expect("body"));
    let wrong = format!("fdk_{}", "0".repeat(64));
    let answer = http
        .get(format!("{url}/api/arrays"))
        .bearer_auth(&wrong)
        .send()
        .await
        .expect("answered");
    seen.push_str(&answer.text().await.expect("body"));

    for (method, path, body) in calls {
        let mut request = http
            .request(method.clone(), format!("{url}{path}"))
            .header("cookie", &cookie)
            .header(CSRF_HEADER, "1");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.expect("answered");
        let status = answer.status();
        seen.push_str(&format!("{:?}", answer.headers()));
        let text = answer.text().await.expect("body");
        if (path == "/api/arrays" && method == reqwest::Method::POST)
            || (path == "/api/pure1" && method == reqwest::Method::PUT)
            || path.contains("array-connections")
        {
            assert!(status.is_success(), "{path}: {status} {text}");
        }
        seen.push_str(&text);
    }
    // A failed sign-in, which is logged and audited too.
    let answer = http
        .post(format!("{url}/api/auth/login"))
        .header(CSRF_HEADER, "1")
        .json(&json!({"username": "admin", "password": "not the password"}))
        .send()
        .await
        .expect("answered");
    seen.push_str(&answer.text().await.expect("body"));

    // The audit rows reach standard output as JSON lines within a watch.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let log = portal.stop();
    assert!(log.contains("request"), "the log was captured: {log}");
    assert!(
        log.lines()
            .any(|line| line.starts_with("{\"type\":\"audit\"")
                && line.contains("\"action\":\"array.register\"")),
        "audit rows as JSON lines on standard output: {log}"
    );
    assert!(
        log.lines().any(|line| line.contains("change made")
            && line.contains("user=admin")
            && line.contains("action=host.create")),
        "every change is logged once it ends, by the gate: {log}"
    );
    seen.push_str(&log);

    assert!(
        seen.contains("\"host_user\":\"esx\"")
            && seen.contains("array.register")
            && seen.contains("pure1.connect")
            && seen.contains("fa-lab.example.com")
            && seen.contains("array_connection.create"),
        "the audit log and Pure1's view were read"
    );
    let mut secrets = vec![
        ("API token", api_token.as_str()),
        ("admin password", ADMIN_PASSWORD),
        ("CHAP secret", CHAP_SECRET),
        ("private key", key_line.as_str()),
        ("key password", KEY_PASSWORD),
        ("session token", session_token.as_str()),
        ("secret key", SECRET_KEY),
        ("personal API token", personal_token.as_str()),
        ("REST session", rest_session.as_str()),
        ("connection key", connection_key.as_str()),
    ];
    if on_postgres {
        secrets.push(("database password", DB_PASSWORD));
    }
    for (what, secret) in secrets {
        let found = seen.matches(secret).count();
        assert_eq!(found, 0, "the {what} appears {found} time(s)");
    }
    pure1.shutdown().await;
    lab.shutdown().await;
    sim.shutdown().await;
}
