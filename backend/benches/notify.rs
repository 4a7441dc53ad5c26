//! Figures, not assertions: notifications over 50 simulated arrays, in process, on SQLite.
//!
//! - the cost of watching: how long one watch of 50 arrays' space and alerts takes, and how
//!   many calls each array gets per watch (a watch a minute by default);
//! - from an alert raised on an array to the webhook receiving it, when the watch runs right
//!   after (the time to the next watch, up to `watch_interval_secs`, comes on top);
//! - throughput: alerts raised on 30 arrays at once, delivered.
//!
//! Run with `cargo xtask bench`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::arrays::registry::ArrayRegistry;
use backend::arrays::secrets::SecretKey;
use backend::db::Database;
use backend::notify::{Notifier, sealing_owner};
use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor};
use flasharray_sim::{ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig};
use shared::api::{AlertSeverity, AuthMethod, Channel, ChannelKind, Identity, Rule, RuleCondition};
use test_support::webhook_receiver::WebhookReceiver;

const ARRAYS: usize = 50;
/// Arrays whose alert is timed one at a time; the rest raise theirs together.
const TIMED: usize = 20;
const WATCHES: u64 = 3;
/// A drive bay every simulated model has.
const PART: &str = "CH0.BAY3";

fn row(name: &str, measured: String, goal: &str) {
    println!("  {name:<58} {measured:>14}   goal {goal}");
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn fleet() -> (Vec<RunningSimulator>, ArrayRegistry) {
    let registry = ArrayRegistry::default();
    let mut sims = Vec::new();
    for index in 0..ARRAYS {
        let name = format!("fa-{index:02}");
        let sim = Simulator::start(SimulatorConfig::new(&name))
            .await
            .expect("simulator");
        let token = sim.simulator.api_token(ADMIN_USERNAME).expect("token");
        let client = ArrayClient::new(ClientConfig::new(
            &name,
            sim.url(),
            Credentials::ApiToken(token),
            TrustAnchor::CaPem(sim.certificate_pem().into()),
        ))
        .expect("client");
        registry
            .register(client, AuthMethod::ApiToken, Identity::Service)
            .expect("registered");
        sims.push(sim);
    }
    (sims, registry)
}

fn calls(sims: &[RunningSimulator]) -> u64 {
    sims.iter()
        .map(|sim| sim.simulator.stats().api_requests)
        .sum()
}

#[tokio::main]
async fn main() {
    println!("Setting up {ARRAYS} simulated arrays, a webhook receiver and an alert rule…");
    let (sims, registry) = fleet().await;
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Database::connect(&url).await.expect("database");
    let key = SecretKey::random().expect("key");
    let receiver = WebhookReceiver::start().await;
    let notifier = Notifier::connect(
        &url,
        db.clone(),
        Some(key.clone()),
        Arc::new(registry),
        Duration::from_secs(5),
    )
    .await
    .expect("job queue");
    notifier.start_worker();
    let channel = Channel {
        id: 0,
        name: "bench".into(),
        kind: ChannelKind::Webhook,
        host: "127.0.0.1".into(),
        created_by: "bench".into(),
        created_at: 0,
    };
    let sealed = key
        .seal(&format!("{}/hook", receiver.base), &sealing_owner("bench"))
        .expect("sealed");
    let channel = db
        .create_channel(&channel, &sealed, None)
        .await
        .expect("stored")
        .expect("new");
    db.create_rule(&Rule {
        id: 0,
        name: "alerts".into(),
        condition: RuleCondition::AlertOpen {
            severity: AlertSeverity::Warning,
            code: None,
        },
        arrays: None,
        channels: vec![channel],
        created_by: "bench".into(),
        created_at: 0,
        repeat_hours: None,
        quiet_hours: None,
    })
    .await
    .expect("rule");

    println!("\nWatching {ARRAYS} arrays (space and open alerts)");
    notifier.watch_once().await.expect("first watch");
    let before = calls(&sims);
    let mut passes = Vec::new();
    for _ in 0..WATCHES {
        let started = Instant::now();
        notifier.watch_once().await.expect("watched");
        passes.push(started.elapsed());
    }
    passes.sort();
    let per_array = (calls(&sims) - before) as f64 / (ARRAYS as u64 * WATCHES) as f64;
    row(
        "one watch of every array (median)",
        format!("{:.1} ms", passes[passes.len() / 2].as_secs_f64() * 1000.0),
        "≤ 60 s",
    );
    row(
        "calls per array per watch (one watch a minute)",
        format!("{per_array:.1}"),
        "≤ 4 a minute",
    );

    println!("\nAn alert raised → the webhook receiving it ({TIMED} alerts, one at a time)");
    let mut latencies = Vec::new();
    for (index, sim) in sims.iter().take(TIMED).enumerate() {
        let started = Instant::now();
        assert!(sim.simulator.fail_part(PART, None), "a part to fail");
        notifier.watch_once().await.expect("watched");
        receiver.wait_for(index + 1).await;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    row(
        "median, with the watch right after",
        format!(
            "{:.0} ms",
            percentile(&latencies, 0.5).as_secs_f64() * 1000.0
        ),
        "next watch + ≤ 2 s",
    );
    row(
        "p99",
        format!(
            "{:.0} ms",
            percentile(&latencies, 0.99).as_secs_f64() * 1000.0
        ),
        "next watch + ≤ 2 s",
    );

    let together = ARRAYS - TIMED;
    println!("\n{together} arrays raising an alert at once");
    let started = Instant::now();
    for sim in sims.iter().skip(TIMED) {
        assert!(sim.simulator.fail_part(PART, None), "a part to fail");
    }
    notifier.watch_once().await.expect("watched");
    receiver.wait_for(ARRAYS).await;
    let took = started.elapsed();
    row(
        "all delivered in",
        format!("{:.0} ms", took.as_secs_f64() * 1000.0),
        "—",
    );
    row(
        "throughput",
        format!("{:.0} events/s", together as f64 / took.as_secs_f64()),
        "—",
    );
}
