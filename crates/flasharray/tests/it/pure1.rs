//! The Pure1 client against the Pure1 simulator over real HTTPS: the token's lifecycle,
//! rate limits, paging and refusals.

use std::time::Instant;

use flasharray::{Error, MetricWindow, PrivateKey, Pure1Client, TrustAnchor};
use flasharray_sim::Seed;
use pure1_sim::{Pure1Config, Pure1Sim, RateLimit, RunningPure1Sim};
use shared::pure1::Aggregation;

const APP_ID: &str = "pure1:apikey:ClientTest01";

fn client_of(running: &RunningPure1Sim, private_pem: &str) -> Pure1Client {
    Pure1Client::new(
        running.url(),
        APP_ID,
        PrivateKey::from_pem(private_pem.as_bytes()).expect("key"),
        TrustAnchor::CaPem(running.certificate_pem().to_owned()),
    )
    .expect("client")
}

async fn pure1(rate_limit: RateLimit) -> (RunningPure1Sim, Pure1Client) {
    let sim = Pure1Sim::default();
    sim.add_array("fa-p1-01", Seed::Demo);
    sim.add_array("fa-p1-02", Seed::Empty);
    let (private_pem, public_pem) = PrivateKey::generate_pem().expect("key");
    sim.register_application(APP_ID, &public_pem)
        .expect("registered");
    let running = sim
        .start(Pure1Config {
            rate_limit,
            ..Pure1Config::default()
        })
        .await
        .expect("started");
    let client = client_of(&running, &private_pem);
    (running, client)
}

fn generous() -> RateLimit {
    RateLimit {
        per_second: 10_000,
        per_minute: 100_000,
    }
}

#[tokio::test]
async fn concurrent_reads_share_one_token_exchange_and_an_expired_token_is_renewed() {
    let (running, client) = pure1(generous()).await;
    let reads = (0..50).map(|_| client.arrays());
    for arrays in futures_util::future::join_all(reads).await {
        assert_eq!(arrays.expect("arrays").len(), 2);
    }
    assert_eq!(running.sim.token_exchanges(), 1);
    assert_eq!(client.token_exchanges(), 1);

    running.sim.expire_tokens();
    let arrays = client.arrays().await.expect("renewed after Pure1's 403");
    assert_eq!(arrays.len(), 2);
    assert_eq!(running.sim.token_exchanges(), 2);
}

#[tokio::test]
async fn listings_follow_continuation_tokens_to_the_last_page() {
    let (running, client) = pure1(generous()).await;
    let all = client.volumes(None).await.expect("volumes");
    let paged: Vec<shared::pure1::Volume> = client
        .list_all("volumes", &[("limit", "4".to_owned())])
        .await
        .expect("paged");
    let ids = |volumes: &[shared::pure1::Volume]| -> Vec<String> {
        volumes.iter().map(|volume| volume.id.clone()).collect()
    };
    assert!(all.len() > 8, "{} volumes", all.len());
    assert_eq!(ids(&paged), ids(&all));
    let open = client.alerts(Some("state='open'")).await.expect("alerts");
    assert!(open.iter().all(|alert| alert.state == "open") && !open.is_empty());
    drop(running);
}

#[tokio::test]
async fn past_the_rate_limit_calls_wait_for_retry_after_and_succeed() {
    let (running, client) = pure1(RateLimit {
        per_second: 2,
        per_minute: 1000,
    })
    .await;
    let started = Instant::now();
    for _ in 0..5 {
        client.arrays().await.expect("retried after the 429");
    }
    assert!(
        started.elapsed().as_millis() >= 900,
        "the 429s were waited out"
    );
    drop(running);
}

#[tokio::test]
async fn an_unregistered_key_is_refused_with_pure1s_own_words() {
    let (running, _) = pure1(generous()).await;
    let (stranger, _) = PrivateKey::generate().expect("key");
    let client = Pure1Client::new(
        running.url(),
        APP_ID,
        stranger,
        TrustAnchor::CaPem(running.certificate_pem().to_owned()),
    )
    .expect("client");
    match client.arrays().await {
        Err(Error::TokenExchange {
            status,
            error,
            description,
            ..
        }) => {
            assert_eq!((status, error.as_str()), (401, "invalid_client"));
            assert_eq!(description, "Invalid identity: JWT validation failed.");
        }
        other => panic!("expected the exchange to be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn metric_history_is_read_in_calls_of_at_most_32_series() {
    let sim = Pure1Sim::default();
    let names: Vec<String> = (0..40).map(|i| format!("fa-many-{i:02}")).collect();
    for name in &names {
        sim.add_array(name, Seed::Demo);
    }
    let (private_pem, public_pem) = PrivateKey::generate_pem().expect("key");
    sim.register_application(APP_ID, &public_pem)
        .expect("registered");
    let running = sim.start(Pure1Config::default()).await.expect("started");
    let client = client_of(&running, &private_pem);
    let end = running.sim.clock().now_ms();
    let series = client
        .metric_history(
            shared::pure1::ARRAY_TOTAL_CAPACITY,
            &names,
            Aggregation::Avg,
            MetricWindow {
                start_ms: end - 3_600_000,
                end_ms: end,
                resolution_ms: 300_000,
            },
        )
        .await
        .expect("history");
    assert_eq!(series.len(), 40);
    assert!(series.iter().all(|one| !one.data.is_empty()));
}
