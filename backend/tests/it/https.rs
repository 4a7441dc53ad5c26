//! The portal serving HTTPS itself, its health check over it, and an array defined by
//! environment variables alone, as a container would be configured.

use std::process::Command;

use flasharray::TrustAnchor;
use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};

use crate::ARRAY;
use crate::process::Portal;

#[tokio::test]
async fn serves_https_with_its_own_certificate_and_env_defined_arrays() {
    let lab = Simulator::start(SimulatorConfig::new(ARRAY))
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).display().to_string();
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("certificate");
    std::fs::write(path("portal.pem"), certified.cert.pem()).expect("writes");
    std::fs::write(path("portal.key"), certified.signing_key.serialize_pem()).expect("writes");
    std::fs::write(path("array-ca.pem"), lab.certificate_pem()).expect("writes");
    std::fs::write(
        path("array-token"),
        lab.simulator.api_token(ADMIN_USERNAME).expect("token"),
    )
    .expect("writes");
    std::fs::write(path("index.html"), "<!doctype html>").expect("writes");
    std::fs::write(
        path("flashdeck.toml"),
        format!(
            "database_url = \"{database}\"\nfrontend_dir = \"{dir}\"\n\n[tls]\ncertificate_file = \"{cert}\"\nkey_file = \"{key}\"\n",
            database = crate::test_database_url(dir.path()).await,
            dir = dir.path().display(),
            cert = path("portal.pem"),
            key = path("portal.key"),
        ),
    )
    .expect("writes");
    let (ca, token) = (path("array-ca.pem"), path("array-token"));
    let portal = Portal::start_with(
        &dir.path().join("flashdeck.toml"),
        "https",
        &[
            ("FLASHDECK_ARRAY_LAB_NAME", ARRAY),
            ("FLASHDECK_ARRAY_LAB_URL", lab.url()),
            ("FLASHDECK_ARRAY_LAB_CA_FILE", &ca),
            ("FLASHDECK_ARRAY_LAB_API_TOKEN_FILE", &token),
        ],
    );
    let tls = flasharray::client_config(&TrustAnchor::CaPem(certified.cert.pem())).expect("TLS");
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .expect("client");

    let set_cookie = portal.sign_in_set_cookie(&http).await;
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    assert!(
        set_cookie.starts_with("__Host-flashdeck_session="),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().expect("session cookie");

    let get = |path: &str| {
        http.get(format!("{}{path}", portal.url))
            .header("cookie", cookie)
            .send()
    };
    let arrays: serde_json::Value = get("/api/arrays")
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(arrays[0]["name"], ARRAY, "{arrays}");
    let ready: serde_json::Value = get("/readyz")
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(ready["arrays"][0]["status"], "ok", "{ready}");

    let plain = portal.url.replace("https://", "http://");
    let refused = crate::process::http_client()
        .get(format!("{plain}/healthz"))
        .send()
        .await;
    assert!(
        refused.is_err() || !refused.expect("checked").status().is_success(),
        "plain HTTP must not be served"
    );

    let listen = portal.url.trim_start_matches("https://");
    let healthcheck = |config: &str| {
        Command::new(env!("CARGO_BIN_EXE_flashdeck"))
            .args(["--config", config, "healthcheck"])
            .env("FLASHDECK_LISTEN", listen)
            .output()
            .expect("runs")
    };
    let output = healthcheck(&path("flashdeck.toml"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Without the certificate, the check speaks plain HTTP to an HTTPS port and fails.
    std::fs::write(path("plain.toml"), "").expect("writes");
    let output = healthcheck(&path("plain.toml"));
    assert!(!output.status.success());
}
