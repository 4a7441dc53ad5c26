//! Figures, not assertions: the fleet pages over 50 simulated arrays of 2,000 volumes each,
//! against a release `flashdeck` process, beside their goals.
//!
//! - fleet search, fleet summary and the DR view (the arrays connected in pairs, each first
//!   replicating a group to the second): the portal's answer against the slowest single array's
//!   own answer to the same calls, against an admin's script that logs in to each array and
//!   asks it one after another, and against the floor this machine allows (the simulators'
//!   CPU time over 2 cores, since all 50 share them);
//! - the same with every array 20 ms away (the simulators' injected latency);
//! - one array answering after 3 s and one refusing connections, with a 2 s deadline.
//!
//! Run with `cargo xtask bench`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flasharray::{ArrayClient, ClientConfig, Credentials, ListParams, TrustAnchor};
use flasharray_sim::{ADMIN_USERNAME, FaultConfig, RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;
use shared::flasharray::ArrayConnectionPost;
use test_support::portal::{Launch, Portal};
use test_support::tls::plain_client;

const ARRAYS: usize = 50;
const VOLUMES: usize = 2_000;
const SAMPLES: usize = 15;
const ADMIN_PASSWORD: &str = "bench admin password";
const LATENCY_MS: u64 = 20;
/// The name part searched for: 11 volumes of each array's 2,000 match.
const SEARCH: &str = "vol-100";

/// A portal for `arrays`, plus `dead` at an address nothing listens on, giving each array
/// `deadline_secs`; up and answering.
async fn start_portal(
    arrays: &[(String, &RunningSimulator, String)],
    dead: Option<&str>,
    deadline_secs: u64,
) -> Portal {
    let portal = Launch::bench(env!("CARGO_BIN_EXE_flashdeck"), ADMIN_PASSWORD, |config| {
        let config = config
            .setting(format!("frontend_dir = \"{}\"", frontend_dir().display()))
            .setting(format!("[limits]\narray_deadline_secs = {deadline_secs}"));
        let config = arrays.iter().fold(config, |config, (name, sim, token)| {
            config.array(name, sim.url(), sim.certificate_pem(), token)
        });
        match dead {
            Some(name) => config.unreachable_array(name, arrays[0].1.certificate_pem()),
            None => config,
        }
    })
    .spawn();
    portal.wait_until_healthy(&plain_client()).await;
    portal
}

/// The portal's answer to a GET of `path`, which must succeed.
async fn get(portal: &Portal, http: &reqwest::Client, cookie: &str, path: &str) -> Value {
    let answer = http
        .get(format!("{}{path}", portal.url))
        .header("cookie", cookie)
        .send()
        .await
        .expect("answered");
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.expect("JSON")
}

fn frontend_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist")
}

/// CPU time a process has used: the sum of every thread's time on a CPU, in nanoseconds, as
/// the scheduler counts it. `self` is this one: the 50 simulators and the bench's clients.
fn process_cpu_ns(pid: &str) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| {
            tasks
                .flatten()
                .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
                .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0)
}

fn client(name: &str, sim: &RunningSimulator, token: &str) -> ArrayClient {
    ArrayClient::new(ClientConfig::new(
        name,
        sim.url(),
        Credentials::ApiToken(token.to_owned()),
        TrustAnchor::CaPem(sim.certificate_pem().to_owned()),
    ))
    .expect("client")
}

async fn fleet() -> Vec<(String, RunningSimulator, String)> {
    let mut arrays = Vec::new();
    for index in 0..ARRAYS {
        let name = format!("fa-{index:02}");
        let sim = Simulator::start(SimulatorConfig::new(&name))
            .await
            .expect("simulator");
        let token = sim.simulator.api_token(ADMIN_USERNAME).expect("token");
        let setup = client(&name, &sim, &token);
        for chunk in (0..VOLUMES).collect::<Vec<_>>().chunks(500) {
            let names: Vec<String> = chunk.iter().map(|i| format!("vol-{i:04}")).collect();
            setup
                .create_volumes(&names, 1 << 30)
                .await
                .expect("volumes");
        }
        arrays.push((name, sim, token));
    }
    arrays
}

/// Connects the arrays in pairs, the first of each replicating `pg-dr` (with one snapshot
/// sent) to the second, as the DR view's 25 relationships.
async fn pair_for_replication(arrays: &[(String, RunningSimulator, String)]) {
    for pair in arrays.chunks(2) {
        let [
            (source_name, source, source_token),
            (target_name, target, target_token),
        ] = pair
        else {
            continue;
        };
        let (from, to) = (
            client(source_name, source, source_token),
            client(target_name, target, target_token),
        );
        let key = to.connection_key().await.expect("key");
        from.connect_array(&ArrayConnectionPost {
            management_address: Some(target.url().trim_start_matches("https://").to_owned()),
            connection_key: Some(key),
            ..ArrayConnectionPost::default()
        })
        .await
        .expect("connected");
        from.create_protection_group("pg-dr").await.expect("group");
        from.add_group_target("pg-dr", target_name)
            .await
            .expect("target");
        from.create_group_snapshot("pg-dr", None, false, true)
            .await
            .expect("replicated");
    }
}

fn set_latency(arrays: &[(String, RunningSimulator, String)], latency_ms: u64) {
    for (_, sim, _) in arrays {
        sim.simulator.set_faults(FaultConfig {
            latency_ms,
            ..FaultConfig::default()
        });
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn figure(name: &str, measured: &str, goal: &str) {
    println!("  {name:<58} {measured:>14}   goal {goal}");
}

/// What the portal does for one array's part of a search: every kind at once.
async fn search_one(client: &ArrayClient) {
    let params = ListParams {
        filter: Some(format!("name='*{SEARCH}*'")),
        sort: Some("name".to_owned()),
        limit: Some(50),
        total_item_count: true,
        ..ListParams::default()
    };
    let _ = tokio::join!(
        client.list_page::<Value>("volumes", &params),
        client.list_page::<Value>("volume-snapshots", &params),
        client.list_page::<Value>("hosts", &params),
        client.list_page::<Value>("host-groups", &params),
        client.list_page::<Value>("protection-groups", &params),
    );
}

#[derive(Clone, Copy)]
enum Work {
    Search,
    Summary,
    Replication,
}

impl Work {
    fn path(self) -> String {
        match self {
            Work::Search => format!("/api/fleet/search?q={SEARCH}"),
            Work::Summary => "/api/fleet/summary?refresh=true".to_owned(),
            Work::Replication => "/api/fleet/replication".to_owned(),
        }
    }

    async fn on(self, client: &ArrayClient) {
        match self {
            Work::Search => search_one(client).await,
            Work::Summary => {
                let _ = backend::arrays::fleet::figures_of(client).await;
            }
            Work::Replication => {
                let _ = backend::arrays::replication::replication_of(client.clone()).await;
            }
        }
    }
}

/// `goals`: the figures are those the goals are set for (arrays 20 ms away); without latency
/// they are printed for comparison.
async fn measure(
    title: &str,
    work: Work,
    portal: &Portal,
    arrays: &[(String, RunningSimulator, String)],
    goals: bool,
) {
    let goal = |text: &'static str| if goals { text } else { "- (set with latency)" };
    let http = plain_client();
    let cookie = portal.sign_in(&http).await;
    // Warm: the portal's clients have logged in, as they would have long before.
    get(portal, &http, &cookie, &work.path()).await;
    let mut through = Vec::new();
    let mut floors = Vec::new();
    let mut portal_cpu = Vec::new();
    let pid = portal.id().to_string();
    for _ in 0..SAMPLES {
        let (cpu, own) = (process_cpu_ns("self"), process_cpu_ns(&pid));
        let started = Instant::now();
        get(portal, &http, &cookie, &work.path()).await;
        through.push(started.elapsed());
        floors.push(Duration::from_nanos(
            process_cpu_ns("self").saturating_sub(cpu) / 2,
        ));
        portal_cpu.push(Duration::from_nanos(
            process_cpu_ns(&pid).saturating_sub(own) / 2,
        ));
    }
    // Each array asked on its own, with warm clients, one after another: its own answer.
    let clients: Vec<ArrayClient> = arrays
        .iter()
        .map(|(name, sim, token)| client(name, sim, token))
        .collect();
    for client in &clients {
        work.on(client).await;
    }
    let mut slowest = Duration::ZERO;
    for client in &clients {
        let mut own = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            work.on(client).await;
            own.push(started.elapsed());
        }
        slowest = slowest.max(median(own));
    }
    // An admin's script: a new client per array (log in, ask), one array after another.
    let started = Instant::now();
    for (name, sim, token) in arrays {
        let script = client(name, sim, token);
        work.on(&script).await;
        script.logout().await;
    }
    let sequential = started.elapsed();
    let (portal_time, floor) = (median(through), median(floors));
    let bound = slowest.max(floor);
    println!("{title}");
    figure("portal's answer (median)", &ms(portal_time), "-");
    figure("slowest array's own answer", &ms(slowest), "-");
    figure("floor: simulators' CPU time / 2 cores", &ms(floor), "-");
    let own = median(portal_cpu);
    figure("the portal's own CPU time / 2 cores", &ms(own), "-");
    figure(
        "portal / (slowest answer or all CPU / 2, the higher)",
        &format!(
            "{:.2}x",
            portal_time.as_secs_f64() / slowest.max(floor + own).as_secs_f64().max(1e-9)
        ),
        "- (the portal shares the cores)",
    );
    figure(
        "portal / higher of the two",
        &format!(
            "{:.2}x",
            portal_time.as_secs_f64() / bound.as_secs_f64().max(1e-9)
        ),
        goal("<= 1.50x"),
    );
    figure("script asking each array in turn", &ms(sequential), "-");
    figure(
        "script / portal",
        &format!(
            "{:.0}x",
            sequential.as_secs_f64() / portal_time.as_secs_f64().max(1e-9)
        ),
        goal(">= 20x"),
    );
}

#[tokio::main]
async fn main() {
    println!("Setting up {ARRAYS} simulated arrays of {VOLUMES} volumes…");
    let arrays = fleet().await;
    pair_for_replication(&arrays).await;
    let listed: Vec<(String, &RunningSimulator, String)> = arrays
        .iter()
        .map(|(name, sim, token)| (name.clone(), sim, token.clone()))
        .collect();
    let portal = start_portal(&listed, None, 5).await;
    for latency in [0, LATENCY_MS] {
        set_latency(&arrays, latency);
        let away = if latency == 0 {
            "no added latency".to_owned()
        } else {
            format!("{latency} ms per request")
        };
        measure(
            &format!("Fleet search over {ARRAYS} arrays × {VOLUMES} volumes, {away}"),
            Work::Search,
            &portal,
            &arrays,
            latency > 0,
        )
        .await;
        measure(
            &format!("Fleet summary of {ARRAYS} arrays, {away}"),
            Work::Summary,
            &portal,
            &arrays,
            latency > 0,
        )
        .await;
        measure(
            &format!(
                "DR view of {ARRAYS} arrays in {} replicated pairs, {away}",
                ARRAYS / 2
            ),
            Work::Replication,
            &portal,
            &arrays,
            latency > 0,
        )
        .await;
    }
    drop(portal);

    // One array slow past a 2 s deadline, one refusing connections.
    set_latency(&arrays, LATENCY_MS);
    arrays[0].1.simulator.set_faults(FaultConfig {
        latency_ms: 3_000,
        ..FaultConfig::default()
    });
    let portal = start_portal(&listed[..ARRAYS - 1], Some("fa-dead"), 2).await;
    let http = plain_client();
    let cookie = portal.sign_in(&http).await;
    let started = Instant::now();
    let summary = get(&portal, &http, &cookie, "/api/fleet/summary?refresh=true").await;
    let took = started.elapsed();
    let statuses = summary["arrays"].as_array().cloned().unwrap_or_default();
    let answered = statuses
        .iter()
        .filter(|status| status["figures"].is_object())
        .count();
    let failing: Vec<String> = statuses
        .iter()
        .filter(|status| status["figures"].is_null())
        .map(|status| {
            format!(
                "{} ({})",
                status["name"].as_str().unwrap_or("?"),
                status["error"].as_str().unwrap_or("?")
            )
        })
        .collect();
    println!(
        "Fleet summary with fa-00 answering after 3 s and fa-dead refusing connections, 2 s deadline"
    );
    figure("answer", &ms(took), "<= 2 s deadline + a little");
    figure(
        "arrays that answered",
        &format!("{answered} of {}", statuses.len()),
        &format!("{} of {}", ARRAYS - 2, ARRAYS),
    );
    println!("  reported failing: {}", failing.join("; "));
}
