//! Figures, not assertions: requests per second through the client against an in-process
//! simulator over HTTPS, and how many token exchanges 1,000 concurrent requests cause on a
//! cold token cache. Run with `cargo xtask bench`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor};
use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig,
};

const SEQUENTIAL: u32 = 2_000;
const CONCURRENCY: u32 = 32;
const PER_TASK: u32 = 100;
const COLD_CACHE_REQUESTS: u32 = 1_000;

fn client(sim: &RunningSimulator, credentials: Credentials) -> ArrayClient {
    let trust = TrustAnchor::CaPem(sim.certificate_pem().to_owned());
    let mut config = ClientConfig::new("bench", sim.url(), credentials, trust);
    // Every one of the 1,000 concurrent calls waits its turn rather than being refused.
    config.calls_waiting = 2_000;
    ArrayClient::new(config).expect("client")
}

async fn concurrent(client: &Arc<ArrayClient>, tasks: u32, per_task: u32) -> Duration {
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let client = Arc::clone(client);
            tokio::spawn(async move {
                for _ in 0..per_task {
                    client.array().await.expect("call");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.expect("task");
    }
    started.elapsed()
}

fn rate(requests: u32, elapsed: Duration) -> String {
    format!(
        "{:>8.0} requests/s ({requests} in {:.2?})",
        f64::from(requests) / elapsed.as_secs_f64(),
        elapsed
    )
}

#[tokio::main]
async fn main() {
    let sim = Simulator::start(SimulatorConfig::new("bench"))
        .await
        .expect("simulator");
    let admin = client(
        &sim,
        Credentials::Password {
            username: ADMIN_USERNAME.into(),
            password: ADMIN_PASSWORD.into(),
        },
    );
    let api_client = admin
        .provision_api_client("bench", "bench", ADMIN_USERNAME, "storage_admin")
        .await
        .expect("API client");
    let api_token = admin
        .create_api_token(ADMIN_USERNAME)
        .await
        .expect("API token");

    println!("flasharray client against the simulator (HTTPS on loopback, one process)");
    for (label, credentials) in [
        ("API token (session)", Credentials::ApiToken(api_token)),
        (
            "API client (OAuth 2.0)",
            Credentials::ApiClient(api_client.clone()),
        ),
    ] {
        let client = Arc::new(client(&sim, credentials));
        client.array().await.expect("warm-up");
        let started = Instant::now();
        for _ in 0..SEQUENTIAL {
            client.array().await.expect("call");
        }
        println!(
            "  {label:<24} sequential     {}",
            rate(SEQUENTIAL, started.elapsed())
        );
        let elapsed = concurrent(&client, CONCURRENCY, PER_TASK).await;
        println!(
            "  {label:<24} {CONCURRENCY} concurrent  {}",
            rate(CONCURRENCY * PER_TASK, elapsed)
        );
    }

    let before = sim.simulator.stats().token_exchanges;
    let cold = Arc::new(client(&sim, Credentials::ApiClient(api_client)));
    let elapsed = concurrent(&cold, COLD_CACHE_REQUESTS, 1).await;
    let exchanges = sim.simulator.stats().token_exchanges - before;
    println!(
        "  cold cache: {COLD_CACHE_REQUESTS} concurrent requests made {exchanges} token exchange(s); {}",
        rate(COLD_CACHE_REQUESTS, elapsed)
    );
}
