//! The client against an array that is slow, failing, throttling or dropping connections.

use std::sync::Arc;
use std::time::Duration;

use flasharray::{ArrayClient, ClientConfig, Credentials, Error, TrustAnchor, VolumeQuery};
use flasharray_sim::{FaultConfig, RunningSimulator};

use crate::{api_client, bootstrap, start_sim};

/// A client with quick retries, so the tests do not wait on production backoffs, and room
/// for every call the tests make at once to wait its turn.
fn quick_client(sim: &RunningSimulator, credentials: Credentials) -> ArrayClient {
    let mut config = ClientConfig::new(
        "sim-test",
        sim.url(),
        credentials,
        TrustAnchor::CaPem(sim.certificate_pem().into()),
    );
    config.retry_base_delay = Duration::from_millis(5);
    config.calls_waiting = 256;
    ArrayClient::new(config).expect("client")
}

async fn token_client(sim: &RunningSimulator) -> ArrayClient {
    let token = bootstrap(sim)
        .create_api_token("pureuser")
        .await
        .expect("token");
    quick_client(sim, Credentials::ApiToken(token))
}

/// Makes `count` calls at once, each on its own task, sharing one client.
async fn call_concurrently(client: ArrayClient, count: usize) {
    let client = Arc::new(client);
    let calls: Vec<_> = (0..count)
        .map(|_| {
            let client = Arc::clone(&client);
            tokio::spawn(async move { client.array().await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
}

fn faults(sim: &RunningSimulator, config: FaultConfig) {
    sim.simulator.set_faults(config);
}

#[tokio::test]
async fn a_429_burst_is_waited_out_with_retry_after() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            throttle_next: 2,
            retry_after_secs: 0,
            ..FaultConfig::default()
        },
    );
    client
        .list_volumes(&VolumeQuery::default())
        .await
        .expect("succeeds after the burst");
    assert_eq!(
        sim.simulator.faults_config().throttle_next,
        0,
        "both 429s were seen"
    );
}

#[tokio::test]
async fn a_post_refused_with_429_is_retried_and_applied_once() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            throttle_next: 1,
            retry_after_secs: 0,
            ..FaultConfig::default()
        },
    );
    client
        .create_volume("after-429", 1 << 20)
        .await
        .expect("created on retry");
    assert!(sim.simulator.volume("after-429").is_some());
}

#[tokio::test]
async fn persistent_503s_end_in_the_arrays_error_after_the_retries() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            error_rate: 1.0,
            error_status: 503,
            ..FaultConfig::default()
        },
    );
    let error = client.array().await.unwrap_err();
    assert_eq!(error.status(), Some(503), "{error}");
    assert!(error.to_string().contains("temporarily unable"), "{error}");
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            error_rate: 1.0,
            error_status: 500,
            ..FaultConfig::default()
        },
    );
    assert_eq!(client.array().await.unwrap_err().status(), Some(500));
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_read() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            drop_next: 1,
            ..FaultConfig::default()
        },
    );
    client.array().await.expect("read retried");
    assert_eq!(sim.simulator.faults_config().drop_next, 0);
}

#[tokio::test]
async fn a_dropped_connection_is_not_retried_for_a_create() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            drop_next: 1,
            ..FaultConfig::default()
        },
    );
    let error = client.create_volume("maybe", 1 << 20).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert!(error.request_id().is_some_and(|id| !id.is_empty()));
    client
        .create_volume("certainly", 1 << 20)
        .await
        .expect("the next call works");
}

#[tokio::test]
async fn a_slow_array_hits_the_request_timeout_and_is_named() {
    let sim = start_sim().await;
    faults(
        &sim,
        FaultConfig {
            latency_ms: 2_000,
            ..FaultConfig::default()
        },
    );
    let mut config = ClientConfig::new(
        "slow-array",
        sim.url(),
        Credentials::ApiToken("unused".into()),
        TrustAnchor::CaPem(sim.certificate_pem().into()),
    );
    config.request_timeout = Duration::from_millis(200);
    config.max_retries = 0;
    let error = ArrayClient::new(config)
        .expect("client")
        .version()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("slow-array: cannot reach https://"),
        "{error}"
    );
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn tokens_expiring_mid_run_are_renewed_once() {
    let sim = start_sim().await;
    let token_client = token_client(&sim).await;
    let oauth_client = quick_client(
        &sim,
        Credentials::ApiClient(api_client(&sim, "renew", true).await),
    );
    token_client.array().await.expect("session");
    oauth_client.array().await.expect("access token");
    let before = sim.simulator.stats();

    sim.simulator.expire_all_tokens();
    token_client.array().await.expect("logged in again");
    oauth_client.array().await.expect("exchanged again");
    let after = sim.simulator.stats();
    assert_eq!(after.logins - before.logins, 1);
    assert_eq!(after.token_exchanges - before.token_exchanges, 1);
}

#[tokio::test]
async fn concurrent_requests_on_a_cold_cache_share_one_token_exchange() {
    let sim = start_sim().await;
    let client = quick_client(
        &sim,
        Credentials::ApiClient(api_client(&sim, "busy", true).await),
    );
    call_concurrently(client, 200).await;
    assert_eq!(sim.simulator.stats().token_exchanges, 1);
}

#[tokio::test]
async fn concurrent_requests_share_one_session() {
    let sim = start_sim().await;
    let client = token_client(&sim).await;
    let before = sim.simulator.stats().logins;
    call_concurrently(client, 100).await;
    assert_eq!(sim.simulator.stats().logins - before, 1);
}

/// A client of an array at an address nothing listens on, configured by `configure`.
fn nobody_listening(configure: impl FnOnce(&mut ClientConfig)) -> ArrayClient {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let mut config = ClientConfig::new(
        "fa-gone",
        &format!("https://127.0.0.1:{port}"),
        Credentials::ApiToken("unused".into()),
        TrustAnchor::System,
    );
    configure(&mut config);
    ArrayClient::new(config).expect("client")
}

#[tokio::test]
async fn an_array_that_cannot_be_reached_fails_at_once_until_it_is_tried_again() {
    let client = nobody_listening(|config| config.retry_base_delay = Duration::from_millis(10));
    let first = client.array().await.expect_err("nothing listens");
    assert!(matches!(first, Error::Transport { .. }), "{first}");
    assert!(!first.to_string().contains("not tried again"), "{first}");
    // Callers queued behind it learn the same at once rather than each trying again.
    let second = client.array().await.expect_err("still nothing");
    assert!(second.to_string().contains("not tried again"), "{second}");
    assert!(second.to_string().contains("fa-gone"), "{second}");
}

#[tokio::test]
async fn once_an_unreachable_array_is_due_one_call_tries_it_while_the_others_fail_at_once() {
    let client = nobody_listening(|config| {
        config.retry_base_delay = Duration::from_millis(200);
        config.max_retries = 2;
        config.unreachable_for = Duration::from_millis(100);
    });
    client.array().await.expect_err("nothing listens");
    tokio::time::sleep(Duration::from_millis(150)).await;
    // The first call after the window tries again (and waits through its retries); one
    // made while it tries is answered from what is known, without waiting for it.
    let finished = std::sync::Mutex::new(Vec::new());
    let (probe, other) = tokio::join!(
        async {
            let outcome = client.array().await;
            finished.lock().expect("order").push("probe");
            outcome
        },
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let outcome = client.array().await;
            finished.lock().expect("order").push("other");
            outcome
        }
    );
    let probe = probe.expect_err("still nothing");
    assert!(!probe.to_string().contains("not tried again"), "{probe}");
    let other = other.expect_err("still nothing");
    assert!(other.to_string().contains("not tried again"), "{other}");
    assert_eq!(*finished.lock().expect("order"), ["other", "probe"]);
}

#[tokio::test]
async fn a_call_that_tries_an_unreachable_array_again_and_is_given_up_lets_the_next_one_try() {
    let client = nobody_listening(|config| {
        config.retry_base_delay = Duration::from_millis(300);
        config.max_retries = 1;
        config.unreachable_for = Duration::from_millis(100);
    });
    client.array().await.expect_err("nothing listens");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let given_up = tokio::time::timeout(Duration::from_millis(50), client.array()).await;
    assert!(given_up.is_err(), "the call was still waiting to retry");
    let next = client.array().await.expect_err("still nothing");
    assert!(!next.to_string().contains("not tried again"), "{next}");
}

#[tokio::test]
async fn a_slow_array_gets_its_share_of_calls_and_further_ones_are_refused_at_once() {
    let sim = start_sim().await;
    let token = bootstrap(&sim)
        .create_api_token("pureuser")
        .await
        .expect("token");
    let mut config = ClientConfig::new(
        "fa-slow",
        sim.url(),
        Credentials::ApiToken(token),
        TrustAnchor::CaPem(sim.certificate_pem().into()),
    );
    config.calls_at_once = 2;
    config.calls_waiting = 2;
    let client = Arc::new(ArrayClient::new(config).expect("client"));
    client.array().await.expect("logged in");
    faults(
        &sim,
        FaultConfig {
            latency_ms: 600,
            ..FaultConfig::default()
        },
    );
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = Arc::clone(&client);
            tokio::spawn(async move {
                let started = std::time::Instant::now();
                (client.array().await, started.elapsed())
            })
        })
        .collect();
    let mut answered = 0;
    for call in calls {
        match call.await.expect("task") {
            (Ok(_), _) => answered += 1,
            (Err(Error::Busy { array, waiting }), took) => {
                assert_eq!((array.as_str(), waiting), ("fa-slow", 2));
                assert!(
                    took < Duration::from_millis(300),
                    "refused at once, not after {took:?}"
                );
            }
            (Err(other), _) => panic!("{other}"),
        }
    }
    assert_eq!(answered, 4, "two at once and two waiting");
    faults(&sim, FaultConfig::default());
    client.array().await.expect("turns given back");
}
