//! The container image as an operator runs it: a configuration mounted read-only, secrets
//! as files, a named data volume, the image's own health check, a sign-in, an array reached
//! over TLS from inside, a clean stop on SIGTERM and a restart that keeps the data.
//!
//! `cargo xtask test` builds the image and runs this with `FLASHDECK_TEST_IMAGE` (and the
//! engine to use) set; it is ignored otherwise, since it needs an image built first.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor, VolumeQuery};
use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use shared::api::CSRF_HEADER;
use test_support::portal::{free_port, sign_in, wait_until_healthy};
use test_support::tls::plain_client;

const PASSWORD: &str = "a long password";

/// The engine to run, as `cargo xtask test` found it.
struct Engine {
    program: String,
    runtime: Option<String>,
}

impl Engine {
    fn from_env() -> Self {
        Self {
            program: std::env::var("FLASHDECK_TEST_CONTAINER_ENGINE")
                .unwrap_or_else(|_| "podman".to_owned()),
            runtime: std::env::var("FLASHDECK_TEST_CONTAINER_RUNTIME").ok(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.program)
            .args(args)
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.program))
    }

    /// Runs `args`, panicking with the engine's own words if it fails; its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{} {}: {}",
            self.program,
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

/// Removes the container and its volume however the test ends.
struct Cleanup<'a> {
    engine: &'a Engine,
    container: String,
    volume: String,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.engine.run(&["rm", "--force", &self.container]);
        let _ = self.engine.run(&["volume", "rm", "--force", &self.volume]);
    }
}

/// Writes `contents` to `dir/name`, readable by the image's unprivileged user.
fn write_readable(dir: &Path, name: &str, contents: &str) {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("writes");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
}

async fn get_json(http: &reqwest::Client, url: &str, cookie: &str) -> (u16, Value) {
    let answer = http
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .expect("answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

// Several threads: the simulator must answer the portal while this test waits on the engine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs an image: run by `cargo xtask test`, which builds one"]
async fn the_image_serves_a_mounted_configuration_and_keeps_its_data() {
    let image = std::env::var("FLASHDECK_TEST_IMAGE")
        .expect("FLASHDECK_TEST_IMAGE names the image to test (cargo xtask test sets it)");
    let engine = Engine::from_env();
    let lab = Simulator::start(SimulatorConfig::new("fa-lab"))
        .await
        .expect("simulator");

    let config_dir = tempfile::tempdir().expect("temp dir");
    let dir = config_dir.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    write_readable(dir, "array-ca.pem", lab.certificate_pem());
    write_readable(
        dir,
        "array-token",
        &lab.simulator.api_token(ADMIN_USERNAME).expect("token"),
    );
    write_readable(dir, "admin-password", &format!("{PASSWORD}\n"));
    write_readable(
        dir,
        "flashdeck.toml",
        &format!(
            r#"[session]
idle_timeout_minutes = 60

[[array]]
name = "fa-lab"
url = "{url}"
ca_file = "/etc/flashdeck/array-ca.pem"
auth = {{ method = "api_token", api_token_file = "/etc/flashdeck/array-token" }}
"#,
            url = lab.url()
        ),
    );

    let name = format!("flashdeck-test-{}", free_port());
    let cleanup = Cleanup {
        engine: &engine,
        container: name.clone(),
        volume: format!("{name}-data"),
    };
    engine.ok(&["volume", "create", &cleanup.volume]);
    let port = free_port();
    let listen = format!("FLASHDECK_LISTEN=127.0.0.1:{port}");
    let config_mount = format!("{}:/etc/flashdeck:ro", dir.display());
    let data_mount = format!("{}:/var/lib/flashdeck", cleanup.volume);
    let mut run = vec!["run", "--detach", "--name", &name];
    if let Some(runtime) = &engine.runtime {
        run.extend(["--runtime", runtime]);
    }
    // The host's network, so that the container reaches the simulator on loopback.
    run.extend([
        "--network",
        "host",
        "--volume",
        &config_mount,
        "--volume",
        &data_mount,
        "--env",
        "FLASHDECK_CONFIG=/etc/flashdeck/flashdeck.toml",
        "--env",
        &listen,
        "--env",
        "FLASHDECK_ADMIN_USERNAME=admin",
        "--env",
        "FLASHDECK_ADMIN_PASSWORD_FILE=/etc/flashdeck/admin-password",
        &image,
    ]);
    engine.ok(&run);

    let http = plain_client();
    let url = format!("http://127.0.0.1:{port}");
    wait_until_healthy(&http, &url).await;

    assert_eq!(
        engine.ok(&["inspect", "--format", "{{.Config.User}}", &name]),
        "65532:65532",
        "runs as an unprivileged user"
    );
    let healthcheck = engine.ok(&["inspect", "--format", "{{json .Config.Healthcheck}}", &name]);
    assert!(healthcheck.contains("/flashdeck"), "{healthcheck}");
    engine.ok(&["exec", &name, "/flashdeck", "healthcheck"]);
    if engine.program == "podman" {
        engine.ok(&["healthcheck", "run", &name]);
    }

    let cookie = sign_in(&http, &url, "admin", PASSWORD).await;
    let (status, arrays) = get_json(&http, &format!("{url}/api/arrays"), &cookie).await;
    assert_eq!(status, 200, "{arrays}");
    assert_eq!(arrays[0]["name"], "fa-lab", "{arrays}");
    let (_, ready) = get_json(&http, &format!("{url}/readyz"), "").await;
    assert_eq!(ready["database"], "ok", "{ready}");
    assert_eq!(ready["arrays"][0]["status"], "ok", "{ready}");

    // A volume made through the portal in the container lands on the array.
    let created = http
        .post(format!("{url}/api/arrays/fa-lab/volumes"))
        .header(CSRF_HEADER, "1")
        .header("cookie", &cookie)
        .json(&json!({"name": "from-the-container", "provisioned": 1u64 << 30}))
        .send()
        .await
        .expect("answers");
    assert!(
        created.status().is_success(),
        "{}",
        created.text().await.unwrap_or_default()
    );
    let client = ArrayClient::new(ClientConfig::new(
        "fa-lab",
        lab.url(),
        Credentials::ApiToken(lab.simulator.api_token(ADMIN_USERNAME).expect("token")),
        TrustAnchor::CaPem(lab.certificate_pem().to_owned()),
    ))
    .expect("client");
    let query = VolumeQuery {
        names: vec!["from-the-container".to_owned()],
        ..VolumeQuery::default()
    };
    let on_array = client
        .list_volumes(&query)
        .await
        .expect("the array answers");
    assert_eq!(on_array.items.len(), 1, "the volume is on the array");
    assert_eq!(on_array.items[0].provisioned, 1 << 30);

    // SIGTERM ends it cleanly; a restart keeps the database, and with it the session.
    engine.ok(&["stop", "--time", "20", &name]);
    assert_eq!(
        engine.ok(&["inspect", "--format", "{{.State.ExitCode}}", &name]),
        "0",
        "a clean exit on SIGTERM"
    );
    engine.ok(&["start", &name]);
    wait_until_healthy(&http, &url).await;
    let (status, me) = get_json(&http, &format!("{url}/api/auth/me"), &cookie).await;
    assert_eq!(status, 200, "the session survived the restart: {me}");
    let logs = engine.run(&["logs", &name]);
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&logs.stdout),
        String::from_utf8_lossy(&logs.stderr)
    );
    assert!(logs.contains("Flashdeck on http://"), "{logs}");
    assert!(
        !logs.contains(PASSWORD),
        "the password never reaches the log"
    );
    drop(cleanup);
}
