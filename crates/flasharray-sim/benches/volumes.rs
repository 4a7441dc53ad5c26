//! Figures, not assertions: how fast one array holding 100,000 volumes lists, filters, sorts
//! and pages them over HTTPS, per page, as a client sees it. Run with `cargo xtask bench`.

use std::time::{Duration, Instant};

use flasharray_sim::{ADMIN_PASSWORD, ADMIN_USERNAME, Simulator, SimulatorConfig};
use serde_json::{Value, json};

const VOLUMES: usize = 100_000;
const BATCH: usize = 1_000;
const ROUNDS: usize = 25;

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |share: f64| samples[((samples.len() - 1) as f64 * share) as usize];
    format!(
        "median {:>8.2?}  p95 {:>8.2?}  max {:>8.2?}",
        at(0.5),
        at(0.95),
        at(1.0)
    )
}

#[tokio::main]
async fn main() {
    let sim = Simulator::start(SimulatorConfig::new("bench"))
        .await
        .expect("simulator");
    let http = test_support::tls::client_trusting(sim.certificate_pem());
    let base = format!("{}/api/2.52", sim.url());
    let login = http
        .post(format!("{base}/login"))
        .json(&json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    let token = login.headers()["x-auth-token"]
        .to_str()
        .expect("token")
        .to_owned();

    let started = Instant::now();
    for batch in 0..VOLUMES / BATCH {
        let names: Vec<String> = (0..BATCH)
            .map(|index| format!("vol-{:06}", batch * BATCH + index))
            .collect();
        let size = (1 + batch as u64 % 64) << 30;
        let response = http
            .post(format!("{base}/volumes?names={}", names.join(",")))
            .header("x-auth-token", &token)
            .json(&json!({"provisioned": size}))
            .send()
            .await
            .expect("created");
        assert!(response.status().is_success(), "{}", response.status());
    }
    println!(
        "created {VOLUMES} volumes in batches of {BATCH}: {:.2?}",
        started.elapsed()
    );

    let cases = [
        ("first page of 100", "volumes?limit=100".to_owned()),
        (
            "page of 100 at offset 50,000",
            "volumes?limit=100&offset=50000".to_owned(),
        ),
        (
            "page of 100 by continuation token",
            "volumes?limit=100&continuation_token=75000".to_owned(),
        ),
        (
            "filter name='vol-0999*'",
            "volumes?limit=100&filter=name%3D'vol-0999*'".to_owned(),
        ),
        (
            "filter provisioned>32G and not destroyed",
            "volumes?limit=100&filter=provisioned%3E34359738368%20and%20destroyed%3Dfalse"
                .to_owned(),
        ),
        (
            "sort -provisioned, page of 100",
            "volumes?limit=100&sort=-provisioned".to_owned(),
        ),
        (
            "sort name-, page of 100",
            "volumes?limit=100&sort=name-".to_owned(),
        ),
        (
            "names=3 volumes",
            "volumes?names=vol-000001,vol-050000,vol-099999".to_owned(),
        ),
    ];
    println!("per page over loopback HTTPS, {ROUNDS} rounds each:");
    for (label, path) in cases {
        let mut samples = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let body: Value = http
                .get(format!("{base}/{path}"))
                .header("x-auth-token", &token)
                .send()
                .await
                .expect("listed")
                .json()
                .await
                .expect("JSON");
            samples.push(started.elapsed());
            assert!(body["items"].is_array(), "{body}");
        }
        println!("  {label:<42} {}", summary(samples));
    }
    sim.shutdown().await;
}
