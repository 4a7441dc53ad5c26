//! Figures, not assertions: a release `flashdeck` process under load, beside its goals.
//!
//! - proxy overhead: the portal's volume page against the same array calls made directly
//!   by the same client, one at a time and 16 at once (four rounds, turn and turn about);
//! - one address: 200 people behind one proxy signing in at once, each with the right
//!   password, none refused;
//! - load: 200 users signing in at once, then browsing (volume pages, searches, 10 %
//!   changes), with the process's resident memory sampled throughout;
//! - faults: the same load with one array answering after 2 s and one refusing connections;
//! - the cold load of the UI: bytes a browser transfers for the first page.
//!
//! Run with `cargo xtask bench`; `FLASHDECK_BENCH_LOAD_SECS` shortens the load phases
//! (60 s each by default).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor, VolumeQuery};
use flasharray_sim::{ADMIN_USERNAME, FaultConfig, RunningSimulator, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use shared::api::CSRF_HEADER;
use test_support::portal::{Launch, Portal, sign_in};
use test_support::tls::{plain_builder, plain_client};

const ADMIN_PASSWORD: &str = "bench admin password";
const USER_PASSWORD: &str = "bench user password";
const USERS: usize = 200;
const VOLUMES: usize = 100;
const PROXY_SAMPLES: usize = 400;
const PROXY_CONCURRENCY: usize = 16;
const PROXY_SECS: u64 = 2;
/// Rounds of the throughput comparison, each direct then through the portal.
const PROXY_ROUNDS: u32 = 4;
const THINK_TIME: Duration = Duration::from_millis(250);
/// Latencies are counted after this much browsing, once the start's burst has passed.
const WARM_UP: Duration = Duration::from_secs(5);
const RSS_GOAL_MIB: f64 = 150.0;
/// The UI's cold load: issue 30 asks for at most 400 KB with more pages than it had (it was
/// 464 KB then, 632 KB once disaster recovery, notifications and the console's second round
/// landed). The figure is printed beside it whether or not it is met.
const UI_GOAL_BYTES: u64 = 400_000;

/// A portal for `arrays`, plus `dead` at an address nothing listens on, up and answering.
async fn start_portal(
    arrays: &[(&str, &RunningSimulator)],
    dead: Option<&str>,
    http: &reqwest::Client,
) -> Portal {
    let portal = Launch::bench(env!("CARGO_BIN_EXE_flashdeck"), ADMIN_PASSWORD, |config| {
        let config = config.setting(format!("frontend_dir = \"{}\"", frontend_dir().display()));
        let config = arrays.iter().fold(config, |config, (name, sim)| {
            let token = sim.simulator.api_token(ADMIN_USERNAME).expect("token");
            config.array(name, sim.url(), sim.certificate_pem(), &token)
        });
        match dead {
            Some(name) => config.unreachable_array(name, arrays[0].1.certificate_pem()),
            None => config,
        }
    })
    .spawn();
    portal.wait_until_healthy(http).await;
    portal
}

/// The resident memory of the portal's process, in MiB.
fn rss_mib(portal: &Portal) -> f64 {
    rss_kib(portal.id()) as f64 / 1024.0
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn frontend_dir() -> PathBuf {
    std::env::var_os("FLASHDECK_FRONTEND_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist"),
        PathBuf::from,
    )
}

/// A browser-like client from its own loopback address, as each person has their own.
fn user_client(index: usize) -> reqwest::Client {
    let octets = u8::try_from(index % 250 + 1).expect("small");
    let local = IpAddr::V4(Ipv4Addr::new(127, 0, 1, octets));
    plain_builder()
        .local_address(local)
        .pool_max_idle_per_host(1)
        .build()
        .expect("client")
}

/// How long a user reads before the next click: half to one and a half [`THINK_TIME`], drawn
/// per user and step. People who wait for the same slow array together would otherwise click
/// together ever after, in bursts no real crowd makes.
fn think_time(user: usize, step: usize) -> Duration {
    // SplitMix64's finaliser: a spread-out draw from the two numbers, the same every run.
    let mut draw = (user as u64) << 32 ^ step as u64;
    draw = (draw ^ (draw >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    draw = (draw ^ (draw >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    draw ^= draw >> 31;
    THINK_TIME.mul_f64(0.5 + (draw >> 11) as f64 / (1u64 << 53) as f64)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// Prints one figure beside its goal.
fn figure(name: &str, measured: &str, goal: &str) {
    println!("  {name:<52} {measured:>16}   goal {goal}");
}

/// A client of the bench's own, signed in with the array admin's password: asking for an
/// API token would replace the one the portal uses.
fn admin_client(sim: &RunningSimulator) -> ArrayClient {
    let trust = TrustAnchor::CaPem(sim.certificate_pem().to_owned());
    let credentials = Credentials::Password {
        username: ADMIN_USERNAME.to_owned(),
        password: flasharray_sim::ADMIN_PASSWORD.to_owned(),
    };
    ArrayClient::new(ClientConfig::new("direct", sim.url(), credentials, trust)).expect("client")
}

/// What the portal's volume page asks the array: one page with its total, and the
/// protection groups of the volumes on it.
async fn volume_page_directly(client: &ArrayClient) {
    let query = VolumeQuery {
        destroyed: Some(false),
        limit: Some(VOLUMES as u32),
        total_item_count: true,
        ..VolumeQuery::default()
    };
    let page = client.list_volumes(&query).await.expect("volumes");
    let names: Vec<String> = page.items.into_iter().map(|volume| volume.name).collect();
    client
        .volume_protection_groups(&names)
        .await
        .expect("memberships");
}

async fn volume_page_through(http: &reqwest::Client, url: &str, cookie: &str) {
    let answer = http
        .get(format!("{url}/api/arrays/fa-a/volumes?limit={VOLUMES}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("answered");
    let status = answer.status();
    let body = answer.text().await.expect("body");
    assert!(status.is_success(), "{status}: {body}");
}

async fn throughput<F, Fut>(concurrency: usize, seconds: u64, call: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let stop = Instant::now() + Duration::from_secs(seconds);
    let done = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                while Instant::now() < stop {
                    call().await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    done.load(Ordering::Relaxed) as f64 / seconds as f64
}

async fn proxy_overhead(sim: &RunningSimulator, portal: &Portal, http: &reqwest::Client) {
    let direct = admin_client(sim);
    let cookie = portal.sign_in(http).await;
    for _ in 0..20 {
        volume_page_directly(&direct).await;
        volume_page_through(http, &portal.url, &cookie).await;
    }
    let mut direct_times = Vec::new();
    let mut portal_times = Vec::new();
    for _ in 0..PROXY_SAMPLES {
        let started = Instant::now();
        volume_page_directly(&direct).await;
        direct_times.push(started.elapsed());
        let started = Instant::now();
        volume_page_through(http, &portal.url, &cookie).await;
        portal_times.push(started.elapsed());
    }
    direct_times.sort();
    portal_times.sort();
    let added = |fraction| {
        percentile(&portal_times, fraction).saturating_sub(percentile(&direct_times, fraction))
    };
    // Turn and turn about, so that a spell of noise on the shared machine falls on both.
    let (mut direct_rate, mut portal_rate) = (0.0, 0.0);
    for _ in 0..PROXY_ROUNDS {
        direct_rate += {
            let direct = direct.clone();
            throughput(PROXY_CONCURRENCY, PROXY_SECS, move || {
                let direct = direct.clone();
                async move { volume_page_directly(&direct).await }
            })
            .await
        } / PROXY_ROUNDS as f64;
        portal_rate += {
            let http = http.clone();
            let url = portal.url.clone();
            let cookie = cookie.clone();
            throughput(PROXY_CONCURRENCY, PROXY_SECS, move || {
                let (http, url, cookie) = (http.clone(), url.clone(), cookie.clone());
                async move { volume_page_through(&http, &url, &cookie).await }
            })
            .await
        } / PROXY_ROUNDS as f64;
    }
    println!("Proxy overhead: the volume page ({VOLUMES} volumes), {PROXY_SAMPLES} one at a time");
    figure(
        "direct p50 / p99",
        &format!(
            "{} / {}",
            ms(percentile(&direct_times, 0.5)),
            ms(percentile(&direct_times, 0.99))
        ),
        "-",
    );
    figure(
        "through the portal p50 / p99",
        &format!(
            "{} / {}",
            ms(percentile(&portal_times, 0.5)),
            ms(percentile(&portal_times, 0.99))
        ),
        "-",
    );
    figure("added p50", &ms(added(0.5)), "<= 0.50 ms");
    figure("added p99", &ms(added(0.99)), "<= 2.00 ms");
    figure(
        &format!("throughput at {PROXY_CONCURRENCY} at once, portal / direct"),
        &format!(
            "{portal_rate:.0} / {direct_rate:.0} /s = {:.2}x",
            portal_rate / direct_rate
        ),
        ">= 0.90x",
    );
}

/// A personal API token of `cookie`'s user, for scripts' routes.
async fn api_token(http: &reqwest::Client, url: &str, cookie: &str) -> String {
    let created: serde_json::Value = http
        .post(format!("{url}/api/tokens"))
        .header("cookie", cookie)
        .header("x-flashdeck-csrf", "1")
        .json(&serde_json::json!({"name": "bench", "expires_in_days": 1, "role": "admin"}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("token");
    created["token"].as_str().expect("token").to_owned()
}

/// The same page of volumes asked through the array's REST root and of the array itself.
async fn rest_root_overhead(sim: &RunningSimulator, portal: &Portal, http: &reqwest::Client) {
    let direct = admin_client(sim);
    let cookie = portal.sign_in(http).await;
    let token = api_token(http, &portal.url, &cookie).await;
    let query = VolumeQuery {
        limit: Some(VOLUMES as u32),
        ..VolumeQuery::default()
    };
    let through = || async {
        let answer = http
            .get(format!(
                "{}/api/arrays/fa-a/rest/api/2.36/volumes?limit={VOLUMES}",
                portal.url
            ))
            .bearer_auth(&token)
            .send()
            .await
            .expect("answered");
        assert!(answer.status().is_success(), "{}", answer.status());
        answer.bytes().await.expect("body");
    };
    for _ in 0..20 {
        direct.list_volumes(&query).await.expect("volumes");
        through().await;
    }
    let mut direct_times = Vec::new();
    let mut portal_times = Vec::new();
    for _ in 0..PROXY_SAMPLES {
        let started = Instant::now();
        direct.list_volumes(&query).await.expect("volumes");
        direct_times.push(started.elapsed());
        let started = Instant::now();
        through().await;
        portal_times.push(started.elapsed());
    }
    direct_times.sort();
    portal_times.sort();
    let added = |fraction| {
        percentile(&portal_times, fraction).saturating_sub(percentile(&direct_times, fraction))
    };
    println!(
        "REST root overhead: GET volumes ({VOLUMES}) through /api/arrays/fa-a/rest and of the array, {PROXY_SAMPLES} one at a time"
    );
    figure(
        "direct p50 / through the REST root p50",
        &format!(
            "{} / {}",
            ms(percentile(&direct_times, 0.5)),
            ms(percentile(&portal_times, 0.5))
        ),
        "-",
    );
    figure("added p50", &ms(added(0.5)), "<= 0.50 ms");
    figure("added p99", &ms(added(0.99)), "<= 2.00 ms");
}

/// Requests with made-up methods, as the hostile caller who once grew `/metrics` sent them.
async fn hostile_methods(portal: &Portal, http: &reqwest::Client) {
    let metrics = || async {
        http.get(format!("{}/metrics", portal.url))
            .send()
            .await
            .expect("answered")
            .bytes()
            .await
            .expect("body")
            .len()
    };
    let (size_before, rss_before) = (metrics().await, rss_mib(portal));
    let mut answered = 0;
    for index in 0..300 {
        let name = format!("M{index}{}", "X".repeat(100_000));
        let method = reqwest::Method::from_bytes(name.as_bytes()).expect("method");
        if http
            .request(method, format!("{}/api/auth/login", portal.url))
            .header("x-flashdeck-csrf", "1")
            .send()
            .await
            .is_ok()
        {
            answered += 1;
        }
    }
    println!("Hostile methods: 300 requests with made-up 100 KB methods ({answered} answered)");
    figure(
        "/metrics size before / after",
        &format!("{size_before} / {} B", metrics().await),
        "bounded (+< 4 KB)",
    );
    figure(
        "RSS before / after",
        &format!("{rss_before:.0} / {:.0} MiB", rss_mib(portal)),
        "bounded (+< 10 MiB)",
    );
}

/// What the load phase saw.
#[derive(Default)]
struct LoadFigures {
    requests: u64,
    errors: u64,
    /// Requests about the slow array answered 503 at once because its share was taken.
    shed: u64,
    /// Latencies by the array a request concerned.
    by_array: BTreeMap<String, Vec<Duration>>,
    recycle_bin_waits: Vec<Duration>,
    recycle_bin_failing: Vec<String>,
    sign_in_all: Duration,
    peak_rss_mib: f64,
    rss_after_sign_in_mib: f64,
}

async fn create_users(portal: &Portal, http: &reqwest::Client) {
    let cookie = portal.sign_in(http).await;
    for index in 0..USERS {
        let answer = http
            .post(format!("{}/api/users", portal.url))
            .header("cookie", &cookie)
            .header(CSRF_HEADER, "1")
            .json(&json!({"username": format!("user{index}"), "password": USER_PASSWORD, "role": "operator"}))
            .send()
            .await
            .expect("answered");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
}

/// `USERS` people behind one address (an office's proxy) sign in at once with the right
/// passwords: they wait their turn rather than being refused.
async fn sign_ins_from_one_address(portal: &Portal, http: &reqwest::Client) {
    let sign_ins = (0..USERS).map(|index| {
        let http = http.clone();
        let url = format!("{}/api/auth/login", portal.url);
        tokio::spawn(async move {
            let started = Instant::now();
            let status = http
                .post(url)
                .header(CSRF_HEADER, "1")
                .json(&json!({"username": format!("user{index}"), "password": USER_PASSWORD}))
                .send()
                .await
                .map(|answer| answer.status());
            (status, started.elapsed())
        })
    });
    let mut refused = 0;
    let mut slowest = Duration::ZERO;
    for sign_in in futures_util::future::join_all(sign_ins).await {
        let (status, waited) = sign_in.expect("task");
        if !status.is_ok_and(|status| status.is_success()) {
            refused += 1;
        }
        slowest = slowest.max(waited);
    }
    println!("One address: {USERS} people behind one proxy");
    figure(
        &format!("{USERS} correct sign-ins at once: refusals"),
        &refused.to_string(),
        "0",
    );
    figure(
        "slowest wait",
        &ms(slowest),
        &format!(
            "< {} s",
            backend::identity::sign_in_queue::MAX_WAIT.as_secs()
        ),
    );
}

/// `USERS` people sign in at once, then browse for `seconds`: a volume page or a search on
/// a random array, or (one request in ten) a change: a volume made, then destroyed.
async fn load(portal: &Portal, run: &'static str, arrays: &[&str], seconds: u64) -> LoadFigures {
    let running = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let running = Arc::clone(&running);
        let peak = Arc::clone(&peak);
        let pid = portal.id();
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let started = Instant::now();
    let clients: Vec<reqwest::Client> = (0..USERS).map(user_client).collect();
    let sign_ins = clients.iter().enumerate().map(|(index, http)| {
        let url = portal.url.clone();
        let http = http.clone();
        tokio::spawn(
            async move { sign_in(&http, &url, &format!("user{index}"), USER_PASSWORD).await },
        )
    });
    let cookies: Vec<String> = futures_util::future::join_all(sign_ins)
        .await
        .into_iter()
        .map(|cookie| cookie.expect("signed in"))
        .collect();
    let sign_in_all = started.elapsed();
    let rss_after_sign_in_mib = rss_mib(portal);
    let measured_from = Instant::now() + WARM_UP;
    let stop = measured_from + Duration::from_secs(seconds);
    let arrays: Arc<Vec<String>> = Arc::new(arrays.iter().map(|name| (*name).to_owned()).collect());
    let users = clients
        .into_iter()
        .zip(cookies)
        .enumerate()
        .map(|(index, (http, cookie))| {
            let url = portal.url.clone();
            let arrays = Arc::clone(&arrays);
            tokio::spawn(async move {
                let mut figures = LoadFigures::default();
                let mut step = index;
                let mut made: Vec<(String, String)> = Vec::new();
                // People do not all click at the same millisecond.
                tokio::time::sleep(THINK_TIME.mul_f64(index as f64 / USERS as f64)).await;
                while Instant::now() < stop {
                    step += 1;
                    // Changes go round the arrays too, so that no array grows more than another.
                    let mut array = if step % 10 == 0 {
                        arrays[(step / 10) % arrays.len()].clone()
                    } else {
                        arrays[step % arrays.len()].clone()
                    };
                    let mut creating = None;
                    let request = match step % 10 {
                        0 => match made.pop() {
                            Some((made_on, name)) => {
                                array = made_on;
                                http.patch(format!("{url}/api/arrays/{array}/volumes/{name}"))
                                    .json(&json!({"destroyed": true}))
                            }
                            None => {
                                let name = format!("{run}-{index}-{step}");
                                creating = Some((array.clone(), name.clone()));
                                http.post(format!("{url}/api/arrays/{array}/volumes"))
                                    .json(&json!({"name": name, "provisioned": 1u64 << 20}))
                            }
                        },
                        1 if index % 20 == 0 => http.get(format!("{url}/api/recycle-bin")),
                        2 | 5 | 8 => http.get(format!(
                            "{url}/api/arrays/{array}/volumes?limit=50&search=vol-{}",
                            step % 10
                        )),
                        _ => http.get(format!(
                            "{url}/api/arrays/{array}/volumes?limit=50&sort=name"
                        )),
                    };
                    let recycle_bin = step % 10 == 1 && index % 20 == 0;
                    let started = Instant::now();
                    let answer = request
                        .header("cookie", &cookie)
                        .header(CSRF_HEADER, "1")
                        .send()
                        .await;
                    let (failure, body) = match answer {
                        Ok(answer) if answer.status().is_success() => {
                            (None, answer.bytes().await.ok())
                        }
                        Ok(answer) => {
                            let status = answer.status();
                            let text = answer.text().await.unwrap_or_default();
                            (Some(format!("{status} {text}")), None)
                        }
                        Err(error) => (Some(error.to_string()), None),
                    };
                    let took = started.elapsed();
                    figures.requests += 1;
                    if body.is_some() {
                        made.extend(creating);
                    }
                    // Requests about the dead array are meant to fail, and those about the
                    // slow one may be refused while its share is taken; nothing else is.
                    let shed = !recycle_bin
                        && failure
                            .as_deref()
                            .is_some_and(|failure| failure.contains("is answering slowly"));
                    if shed {
                        figures.shed += 1;
                    } else if body.is_none() && (recycle_bin || !array.starts_with("fa-dead")) {
                        figures.errors += 1;
                        if figures.errors <= 2 {
                            eprintln!("  error: {}", failure.unwrap_or_default());
                        }
                    }
                    if recycle_bin {
                        figures.recycle_bin_waits.push(took);
                        if let Some(bin) =
                            body.and_then(|body| serde_json::from_slice::<Value>(&body).ok())
                        {
                            figures.recycle_bin_failing = bin["errors"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str)
                                .map(|error| error.split(':').next().unwrap_or_default().to_owned())
                                .collect();
                        }
                    } else if started >= measured_from {
                        figures.by_array.entry(array).or_default().push(took);
                    }
                    tokio::time::sleep(think_time(index, step)).await;
                }
                figures
            })
        });
    let mut total = LoadFigures {
        sign_in_all,
        rss_after_sign_in_mib,
        ..LoadFigures::default()
    };
    for user in futures_util::future::join_all(users).await {
        let figures = user.expect("user task");
        total.requests += figures.requests;
        total.errors += figures.errors;
        total.shed += figures.shed;
        for (array, times) in figures.by_array {
            total.by_array.entry(array).or_default().extend(times);
        }
        total.recycle_bin_waits.extend(figures.recycle_bin_waits);
        if !figures.recycle_bin_failing.is_empty() {
            total.recycle_bin_failing = figures.recycle_bin_failing;
        }
    }
    running.store(false, Ordering::Relaxed);
    sampler.await.expect("sampler");
    total.peak_rss_mib = peak.load(Ordering::Relaxed) as f64 / 1024.0;
    for times in total.by_array.values_mut() {
        times.sort();
    }
    total.recycle_bin_waits.sort();
    total
}

fn print_load(title: &str, figures: &LoadFigures) {
    println!("{title}");
    figure(
        &format!("{USERS} sign-ins at once, all done in"),
        &ms(figures.sign_in_all),
        "-",
    );
    figure(
        "requests / errors",
        &format!("{} / {}", figures.requests, figures.errors),
        "0 errors",
    );
    if figures.shed > 0 {
        figure(
            "refused at once, the slow array's share taken",
            &figures.shed.to_string(),
            "-",
        );
    }
    for (array, times) in &figures.by_array {
        figure(
            &format!("{array}: p50 / p99"),
            &format!(
                "{} / {}",
                ms(percentile(times, 0.5)),
                ms(percentile(times, 0.99))
            ),
            "-",
        );
    }
    if !figures.recycle_bin_waits.is_empty() {
        figure(
            "recycle bin: slowest answer",
            &ms(*figures.recycle_bin_waits.last().unwrap_or(&Duration::ZERO)),
            "<= 5 s deadline + 1 s",
        );
    }
    figure(
        "RSS after sign-ins / peak",
        &format!(
            "{:.0} / {:.0} MiB",
            figures.rss_after_sign_in_mib, figures.peak_rss_mib
        ),
        &format!("< {RSS_GOAL_MIB:.0} MiB"),
    );
}

async fn cold_ui_load(portal: &Portal, http: &reqwest::Client) {
    let fetch = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", portal.url);
        async move {
            let answer = http
                .get(url)
                .header("accept-encoding", "br, gzip")
                .send()
                .await
                .expect("answered");
            let encoding = answer
                .headers()
                .get("content-encoding")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            let body = answer.bytes().await.expect("body");
            (body, encoding)
        }
    };
    // What is sent is compressed; links and imports are read from plain copies.
    let plain = |path: String| {
        let http = http.clone();
        let url = format!("{}{path}", portal.url);
        async move {
            http.get(url)
                .send()
                .await
                .expect("answered")
                .text()
                .await
                .expect("text")
        }
    };
    let (index, _) = fetch("/".to_owned()).await;
    let html = plain("/".to_owned()).await;
    let mut assets: Vec<String> = html
        .split(['"', '\''])
        .filter(|part| {
            part.starts_with('/')
                && [".js", ".wasm", ".css"]
                    .iter()
                    .any(|extension| part.ends_with(extension))
        })
        .map(str::to_owned)
        .collect();
    // A script's static imports are part of the first load: the loader of the pages
    // fetched on demand is one.
    let mut scripts: Vec<String> = assets
        .iter()
        .filter(|asset| asset.ends_with(".js"))
        .cloned()
        .collect();
    let mut loader = None;
    while let Some(script) = scripts.pop() {
        for import in static_imports(&plain(script).await) {
            if import.ends_with("__wasm_split.js") {
                loader = Some(import.clone());
            }
            if !assets.contains(&import) {
                assets.push(import.clone());
                scripts.push(import);
            }
        }
    }
    assets.sort();
    assets.dedup();
    println!("Cold UI load (Accept-Encoding: br, gzip)");
    let mut app_bytes = 0u64;
    for asset in &assets {
        let (body, encoding) = fetch(asset.clone()).await;
        app_bytes += body.len() as u64;
        figure(asset, &format!("{} B ({encoding})", body.len()), "-");
    }
    figure("index.html", &format!("{} B", index.len()), "-");
    figure(
        "wasm + js + css transferred",
        &format!("{:.1} KB", app_bytes as f64 / 1000.0),
        &format!("<= {} KB", UI_GOAL_BYTES / 1000),
    );

    let Some(loader) = loader else {
        println!("  (no pages are fetched on demand)");
        return;
    };
    println!("Pages fetched on demand, the first time one of a group opens (br, gzip)");
    for (group, modules) in groups_on_demand(&plain(loader).await) {
        let mut bytes = 0u64;
        for module in &modules {
            bytes += fetch(format!("/{module}")).await.0.len() as u64;
        }
        figure(
            &format!("{group} ({} modules)", modules.len()),
            &format!("{:.1} KB", bytes as f64 / 1000.0),
            "-",
        );
    }
}

/// The paths a script imports statically: `import ... from "./x.js"`.
fn static_imports(script: &str) -> Vec<String> {
    script
        .split(" from ")
        .skip(1)
        .filter_map(|rest| {
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let path = rest[1..].split(quote).next()?;
            Some(format!("/{}", path.strip_prefix("./")?))
        })
        .collect()
}

/// Each group of pages the loader fetches on demand, with the modules it needs: its own and
/// those it shares with other groups.
fn groups_on_demand(loader: &str) -> Vec<(String, Vec<String>)> {
    let mut pieces = loader.split("export const __wasm_split_load_");
    let shared = pieces.next().unwrap_or_default();
    let module_of = |text: &str| {
        text.split("new URL(\"./")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
    };
    let chunks: BTreeMap<String, String> = shared
        // Only the loader's own constants start a line; a loader's inner ones are indented.
        .split("\nconst ")
        .filter_map(|piece| {
            let (name, rest) = piece.split_once(" = makeLoad(")?;
            Some((name.to_owned(), module_of(rest)?))
        })
        .collect();
    pieces
        .filter_map(|piece| {
            let name = piece.split(" = ").next()?;
            // The split point's name, without the hash that keeps it unique.
            let group = name
                .rsplit_once('_')
                .filter(|(_, hash)| hash.chars().all(|c| c.is_ascii_digit()))
                .map_or(name, |(group, _)| group);
            let mut modules = vec![module_of(piece)?];
            let deps = piece.rsplit_once(", [")?.1;
            modules.extend(
                deps.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter_map(|dep| chunks.get(dep).cloned()),
            );
            Some((group.to_owned(), modules))
        })
        .collect()
}

async fn simulator(name: &str) -> RunningSimulator {
    let sim = Simulator::start(SimulatorConfig::new(name))
        .await
        .expect("simulator");
    let client = admin_client(&sim);
    let names: Vec<String> = (0..VOLUMES).map(|index| format!("vol-{index}")).collect();
    client
        .create_volumes(&names, 1 << 30)
        .await
        .expect("volumes");
    sim
}

#[tokio::main]
async fn main() {
    let seconds = std::env::var("FLASHDECK_BENCH_LOAD_SECS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(60);
    let http = plain_client();
    let fa_a = simulator("fa-a").await;
    let fa_b = simulator("fa-b").await;

    let portal = start_portal(&[("fa-a", &fa_a), ("fa-b", &fa_b)], None, &http).await;
    println!("Idle portal RSS: {:.0} MiB", rss_mib(&portal));
    proxy_overhead(&fa_a, &portal, &http).await;
    rest_root_overhead(&fa_a, &portal, &http).await;
    hostile_methods(&portal, &http).await;
    if frontend_dir().join("index.html").is_file() {
        cold_ui_load(&portal, &http).await;
    } else {
        println!(
            "Cold UI load: no built frontend at {}",
            frontend_dir().display()
        );
    }
    create_users(&portal, &http).await;
    println!(
        "RSS after {USERS} users were made: {:.0} MiB",
        rss_mib(&portal)
    );
    sign_ins_from_one_address(&portal, &http).await;
    let calm = load(&portal, "calm", &["fa-a", "fa-b"], seconds).await;
    print_load(
        &format!("Load: {USERS} users for {seconds} s, two healthy arrays"),
        &calm,
    );
    drop(portal);
    fa_a.shutdown().await;
    fa_b.shutdown().await;

    // Arrays as they were before the first load, so that both runs list the same volumes.
    let fa_a = simulator("fa-a").await;
    let fa_b = simulator("fa-b").await;
    let portal = start_portal(&[("fa-a", &fa_a), ("fa-b", &fa_b)], Some("fa-dead"), &http).await;
    create_users(&portal, &http).await;
    fa_b.simulator.set_faults(FaultConfig {
        latency_ms: 2_000,
        ..FaultConfig::default()
    });
    let faulty = load(&portal, "faults", &["fa-a", "fa-b", "fa-dead"], seconds).await;
    print_load(
        "Faults: the same load with fa-b answering after 2 s and fa-dead refusing connections",
        &faulty,
    );
    let healthy_p99 = |figures: &LoadFigures| {
        figures
            .by_array
            .get("fa-a")
            .map_or(Duration::ZERO, |times| percentile(times, 0.99))
    };
    figure(
        "fa-a p99 with faults / without",
        &format!(
            "{:.2}x",
            healthy_p99(&faulty).as_secs_f64() / healthy_p99(&calm).as_secs_f64().max(1e-9)
        ),
        "<= 1.50x",
    );
    figure(
        "recycle bin lists as failing",
        &faulty.recycle_bin_failing.join(", "),
        "fa-b, fa-dead",
    );
}
