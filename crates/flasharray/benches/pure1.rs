//! Figures, not assertions: 1,000 concurrent Pure1 reads through one client on a cold token
//! cache (goal: exactly one token exchange), and the rate of reads once the token is cached,
//! against the in-process Pure1 simulator over HTTPS. Run with `cargo xtask bench`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use flasharray::{PrivateKey, Pure1Client, TrustAnchor};
use flasharray_sim::Seed;
use pure1_sim::{Pure1Config, Pure1Sim, RateLimit};

const APP_ID: &str = "pure1:apikey:Bench01";
const COLD_CACHE_READS: usize = 1_000;
const EXCHANGES_GOAL: u64 = 1;

async fn concurrent(client: &Arc<Pure1Client>, reads: usize) -> Duration {
    let started = Instant::now();
    let tasks: Vec<_> = (0..reads)
        .map(|_| {
            let client = Arc::clone(client);
            tokio::spawn(async move { client.arrays().await.expect("read") })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let sim = Pure1Sim::default();
    for name in ["fa-bench-01", "fa-bench-02", "fa-bench-03"] {
        sim.add_array(name, Seed::Demo);
    }
    let (private_pem, public_pem) = PrivateKey::generate_pem().expect("key");
    sim.register_application(APP_ID, &public_pem)
        .expect("registered");
    // Pure1 publishes no limits; these figures are about the client, not the limiter.
    let running = sim
        .start(Pure1Config {
            rate_limit: RateLimit {
                per_second: 1_000_000,
                per_minute: 60_000_000,
            },
            ..Pure1Config::default()
        })
        .await
        .expect("Pure1 simulator");
    let client = Arc::new(
        Pure1Client::new(
            running.url(),
            APP_ID,
            PrivateKey::from_pem(private_pem.as_bytes()).expect("key"),
            TrustAnchor::CaPem(running.certificate_pem().to_owned()),
        )
        .expect("client"),
    );
    println!("Pure1 client against the Pure1 simulator (HTTPS on loopback, one process)");
    let cold = concurrent(&client, COLD_CACHE_READS).await;
    let exchanges = running.sim.token_exchanges();
    println!(
        "  cold cache: {COLD_CACHE_READS} concurrent reads made {exchanges} token exchange(s) (goal: {EXCHANGES_GOAL}) {}; {:.0} reads/s",
        if exchanges == EXCHANGES_GOAL {
            "met"
        } else {
            "MISSED"
        },
        COLD_CACHE_READS as f64 / cold.as_secs_f64()
    );
    let warm = concurrent(&client, COLD_CACHE_READS).await;
    println!(
        "  warm cache: {COLD_CACHE_READS} concurrent reads in {warm:.2?} ({:.0} reads/s), {} exchange(s) in all",
        COLD_CACHE_READS as f64 / warm.as_secs_f64(),
        running.sim.token_exchanges()
    );
}
