//! The official Python SDK's Pure1 client (py-pure-client, from PyPI) against the simulator:
//! if a script works through it here, it works against Pure1, and the other way round.

use std::path::{Path, PathBuf};

use flasharray_sim::Seed;
use pure1_sim::{Pure1Config, Pure1Sim};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use test_support::python;

fn sdk_python() -> PathBuf {
    python::sdk_python(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("py-pure-client-pure1"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_reads_the_fleet_with_an_application_id_and_a_private_key_file() {
    let sim = Pure1Sim::default();
    let array = sim.add_array("fa-sdk-01", Seed::Demo);
    sim.add_array("fa-sdk-02", Seed::Empty);
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("key");
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("PEM");
    sim.register_application("pure1:apikey:SdkTest01", &public_pem)
        .expect("registered");
    let running = sim.start(Pure1Config::default()).await.expect("started");
    let key_dir = tempfile::tempdir().expect("directory");
    let key_file = key_dir.path().join("pure1-private.pem");
    std::fs::write(
        &key_file,
        key.to_pkcs8_pem(LineEnding::LF).expect("PEM").as_bytes(),
    )
    .expect("key written");
    let volumes = array.report().volumes.len();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_scenario.py");
    let key_path = key_file.display().to_string();
    let volumes = volumes.to_string();
    tokio::task::block_in_place(|| {
        python::run_scenario(
            &sdk_python(),
            &script,
            &[
                ("PURE1_TARGET", running.url().trim_start_matches("https://")),
                ("PURE1_APP_ID", "pure1:apikey:SdkTest01"),
                ("PURE1_PRIVATE_KEY_FILE", &key_path),
                ("EXPECTED_VOLUMES", &volumes),
            ],
        );
    });
    assert_eq!(
        running.sim.token_exchanges(),
        1,
        "the SDK exchanged its JWT once"
    );
}
