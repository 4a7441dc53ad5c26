//! The portal serving HTTPS itself, its health check over it, and an array defined by
//! environment variables alone, as a container would be configured.

use std::process::Command;

use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};
use test_support::portal::ConfigFile;
use test_support::tls;

use crate::ARRAY;
use crate::process::launch;

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
    let config = ConfigFile::new(dir.path())
        .setting(format!(
            "database_url = \"{}\"",
            crate::test_database_url(dir.path()).await
        ))
        .setting(format!("frontend_dir = \"{}\"", dir.path().display()))
        .setting(format!(
            "[tls]\ncertificate_file = \"{}\"\nkey_file = \"{}\"",
            path("portal.pem"),
            path("portal.key")
        ))
        .write();
    let portal = launch(&config, crate::PASSWORD)
        .https()
        .env("FLASHDECK_ARRAY_LAB_NAME", ARRAY)
        .env("FLASHDECK_ARRAY_LAB_URL", lab.url())
        .env("FLASHDECK_ARRAY_LAB_CA_FILE", &path("array-ca.pem"))
        .env("FLASHDECK_ARRAY_LAB_API_TOKEN_FILE", &path("array-token"))
        .spawn();
    let http = tls::client_trusting(&certified.cert.pem());

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
    let refused = tls::plain_client()
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
