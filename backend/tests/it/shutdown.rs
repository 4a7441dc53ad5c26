//! SIGTERM, as a container runtime sends it: requests in flight finish and are answered, and
//! the process exits cleanly.

use std::process::Command;
use std::time::Duration;

use flasharray_sim::FaultConfig;
use serde_json::json;
use shared::api::CSRF_HEADER;
use test_support::tls::plain_client;

use crate::ARRAY;
use crate::process::{array_and_config, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_then_exits_cleanly() {
    let (_dir, sim, config) = array_and_config().await;
    let http = plain_client();
    let mut portal = start(&config);
    let cookie = portal.sign_in(&http).await;
    sim.simulator.set_faults(FaultConfig {
        latency_ms: 1500,
        ..FaultConfig::default()
    });
    let slow = http
        .post(format!("{}/api/arrays/{ARRAY}/volumes", portal.url))
        .header(CSRF_HEADER, "1")
        .header("cookie", &cookie)
        .json(&json!({"name": "made-while-stopping", "provisioned": 1u64 << 30}))
        .send();
    let in_flight = tokio::spawn(slow);
    // The request has reached the array, which takes its time to answer.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = Command::new("kill")
        .args(["-TERM", &portal.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());

    let answer = in_flight
        .await
        .expect("task")
        .expect("answered, not cut off");
    assert!(answer.status().is_success(), "{}", answer.status());
    assert!(sim.simulator.volume("made-while-stopping").is_some());
    let exit = tokio::task::spawn_blocking(move || portal.wait())
        .await
        .expect("task");
    assert!(exit.success(), "a clean exit: {exit}");
}
