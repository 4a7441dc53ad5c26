//! `flashdeck config check`: the file as `serve` would read it, problems named, exit status.

use std::process::Command;

fn check(config: &str, env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flashdeck.toml");
    std::fs::write(&path, config).expect("config");
    let output = Command::new(env!("CARGO_BIN_EXE_flashdeck"))
        .args(["--config", &path.display().to_string(), "config", "check"])
        .env_remove("FLASHDECK_SECRET_KEY")
        .envs(env.iter().copied())
        .output()
        .expect("flashdeck runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

const ARRAY: &str = r#"
[[array]]
name = "fa-1"
url = "https://fa-1.example.com"
auth = { method = "api_token", api_token_env = "CLI_TEST_FA1_TOKEN" }
"#;

#[test]
fn a_good_file_passes_and_says_what_it_holds() {
    let (ok, text) = check(
        &format!("database_url = \"postgres://flashdeck@db/flashdeck\"\n{ARRAY}"),
        &[
            ("CLI_TEST_FA1_TOKEN", "a-token"),
            ("FLASHDECK_SECRET_KEY", &"ab".repeat(32)),
        ],
    );
    assert!(ok, "{text}");
    assert!(text.contains("1 array(s) (fa-1 by API token)"), "{text}");
    assert!(text.contains("database: PostgreSQL"), "{text}");
    assert!(text.contains("serving HTTP;"), "{text}");
    assert!(
        text.contains("secret key for arrays registered in the UI: set"),
        "{text}"
    );
    assert!(!text.contains("a-token"), "{text}");
}

#[test]
fn problems_are_named_and_fail_the_check() {
    let (ok, text) = check("listne = \"0.0.0.0:8080\"\n", &[]);
    assert!(!ok);
    assert!(text.contains("unknown field `listne`"), "{text}");

    let (ok, text) = check(ARRAY, &[]);
    assert!(!ok);
    assert!(
        text.contains(
            "array fa-1: the API token is to come from environment variable CLI_TEST_FA1_TOKEN"
        ),
        "{text}"
    );

    let (ok, text) = check(
        ARRAY,
        &[
            ("CLI_TEST_FA1_TOKEN", "t"),
            ("FLASHDECK_SECRET_KEY", "short"),
        ],
    );
    assert!(!ok);
    assert!(
        text.contains("FLASHDECK_SECRET_KEY: the secret key must be 64 hexadecimal characters"),
        "{text}"
    );

    let (ok, text) = check(
        "[tls]\ncertificate_file = \"/nonexistent/cert.pem\"\nkey_file = \"/nonexistent/key.pem\"\n",
        &[],
    );
    assert!(!ok);
    assert!(text.contains("cannot read /nonexistent/cert.pem"), "{text}");

    let (ok, text) = check(
        "database_url = \"mysql://flashdeck:s3cret@db/flashdeck\"\n",
        &[],
    );
    assert!(!ok);
    assert!(
        text.contains("database_url: \"mysql\" is neither"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
}

#[test]
fn the_health_check_fails_when_nothing_answers() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let output = Command::new(env!("CARGO_BIN_EXE_flashdeck"))
        .arg("healthcheck")
        .env("FLASHDECK_LISTEN", format!("127.0.0.1:{port}"))
        .output()
        .expect("flashdeck runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing answers"));
}

#[tokio::test]
async fn user_unlock_forgets_a_users_failed_sign_ins_from_every_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("flashdeck.db");
    let db = backend::db::Database::connect(&format!("sqlite://{}", database.display()))
        .await
        .expect("database");
    let now = backend::clock::unix_now();
    for address in ["192.0.2.1", "192.0.2.2"] {
        let pair = format!("pair:alice@{address}");
        let from = format!("addr:{address}");
        db.record_login_attempt(
            &format!("a-{address}"),
            &[&pair, "user:alice", &from],
            now,
            now - 60,
        )
        .await
        .expect("recorded");
    }
    db.record_login_attempt("a-bob", &["user:bob"], now, now - 60)
        .await
        .expect("recorded");
    let config = dir.path().join("flashdeck.toml");
    std::fs::write(
        &config,
        format!("data_dir = \"{}\"\n", dir.path().display()),
    )
    .expect("config");
    let output = Command::new(env!("CARGO_BIN_EXE_flashdeck"))
        .args([
            "--config",
            &config.display().to_string(),
            "user",
            "unlock",
            "Alice",
        ])
        .env_remove("FLASHDECK_DATABASE_URL")
        .output()
        .expect("flashdeck runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("Alice: 4 failed sign-in(s) forgotten"),
        "{text}"
    );
    let remaining = |subject: &'static str| {
        let db = db.clone();
        async move { db.login_failures(subject, 0).await.expect("count").attempts }
    };
    assert_eq!(remaining("user:bob").await, 1, "others keep theirs");
    assert_eq!(
        remaining("addr:192.0.2.1").await,
        1,
        "the address keeps its count"
    );
}
