//! The official Python SDK (py-pure-client, from PyPI) against the simulator: if a script
//! works through it here, it works against an array, and the other way round.

use std::path::{Path, PathBuf};

use flasharray_sim::{ADMIN_USERNAME, SimulatorConfig, release_lines};
use reqwest::Method;
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::json;
use test_support::python;

use crate::Wire;

fn sdk_python() -> PathBuf {
    python::sdk_python(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("py-pure-client"))
}

fn run_scenario(sim: &Wire, env: &[(&str, String)]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_scenario.py");
    let target = sim.sim.url().trim_start_matches("https://").to_owned();
    let mut env: Vec<(&str, &str)> = env
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    env.push(("FA_TARGET", &target));
    python::run_scenario(&sdk_python(), &script, &env);
}

/// An API token for the array's administrator, made over the API.
async fn api_token(wire: &Wire) -> String {
    let token = wire.session().await;
    let (_, body) = wire
        .call(
            &token,
            Method::POST,
            &format!("admins/api-tokens?names={ADMIN_USERNAME}"),
            None,
        )
        .await;
    body["items"][0]["api_token"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

// One test drives both auth methods and every release so the virtual environment is made
// once, not raced.
#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_provisions_and_protects_with_an_api_token_and_an_api_client() {
    // The SDK picks the newest level both it and the array know, so each release is spoken
    // to at its own level, with that level's models.
    for line in release_lines() {
        let wire = Wire::with_config(SimulatorConfig::new("wire").purity(line)).await;
        let peer = Wire::with_config(SimulatorConfig::new("wire-peer")).await;
        let peer_token = api_token(&peer).await;
        let api_token = api_token(&wire).await;
        let peer_key = peer.connection_key().await;
        tokio::task::block_in_place(|| {
            run_scenario(
                &wire,
                &[
                    ("FA_AUTH", "api_token".into()),
                    ("FA_API_TOKEN", api_token),
                    ("FA_EXPECT_VERSION", wire.version.clone()),
                    ("FA_PEER", peer.address().to_owned()),
                    ("FA_PEER_KEY", peer_key),
                    ("FA_PEER_API_TOKEN", peer_token),
                ],
            );
        });
    }

    let client_sim = Wire::start().await;
    let token = client_sim.session().await;
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("key");
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("public PEM");
    let (status, body) = client_sim
        .call(
            &token,
            Method::POST,
            "api-clients?names=sdk",
            Some(json!({
                "issuer": "sdk-test",
                "public_key": public_pem,
                "max_role": "storage_admin",
            })),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let client_id = body["items"][0]["id"].as_str().expect("id").to_owned();
    let key_id = body["items"][0]["key_id"]
        .as_str()
        .expect("key_id")
        .to_owned();
    client_sim
        .call(
            &token,
            Method::PATCH,
            "api-clients?names=sdk",
            Some(json!({"enabled": true})),
        )
        .await;
    let key_dir = tempfile::tempdir().expect("key directory");
    let key_file = key_dir.path().join("sdk-client-key.pem");
    let private_pem = key.to_pkcs8_pem(LineEnding::LF).expect("private PEM");
    std::fs::write(&key_file, private_pem.as_bytes()).expect("key written");
    tokio::task::block_in_place(|| {
        run_scenario(
            &client_sim,
            &[
                ("FA_AUTH", "api_client".into()),
                ("FA_KEY_FILE", key_file.display().to_string()),
                ("FA_USERNAME", ADMIN_USERNAME.into()),
                ("FA_CLIENT_ID", client_id),
                ("FA_KEY_ID", key_id),
                ("FA_ISSUER", "sdk-test".into()),
            ],
        );
    });
}
