//! The Pure1 simulator on the wire, checked with a plain HTTP client: the token exchange and
//! its refusals, the collections' paging and filters, metric history, rate limits.

use std::time::{SystemTime, UNIX_EPOCH};

use flasharray_sim::{Seed, Simulator};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pure1_sim::{Pure1Config, Pure1Sim, RateLimit, RunningPure1Sim};
use reqwest::StatusCode;
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};

mod python_sdk;

const APP_ID: &str = "pure1:apikey:WireTest01";

struct Wire {
    pure1: RunningPure1Sim,
    http: reqwest::Client,
    private_pem: String,
    public_pem: String,
    /// An array the fleet mirrors.
    array: Simulator,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

impl Wire {
    async fn start() -> Self {
        Self::with_limit(RateLimit {
            per_second: 10_000,
            per_minute: 100_000,
        })
        .await
    }

    async fn with_limit(rate_limit: RateLimit) -> Self {
        let sim = Pure1Sim::default();
        let array = sim.add_array("fa-wire-01", Seed::Demo);
        sim.add_array("fa-wire-02", Seed::Empty);
        let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("key");
        let public_pem = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("public PEM");
        let private_pem = key.to_pkcs8_pem(LineEnding::LF).expect("PEM").to_string();
        sim.register_application(APP_ID, &public_pem)
            .expect("registered");
        let pure1 = sim
            .start(Pure1Config {
                rate_limit,
                ..Pure1Config::default()
            })
            .await
            .expect("started");
        let http = test_support::tls::client_trusting(pure1.certificate_pem());
        Self {
            pure1,
            http,
            private_pem,
            public_pem,
            array,
        }
    }

    fn jwt(&self, claims: Value, pem: &str) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &claims,
            &EncodingKey::from_rsa_pem(pem.as_bytes()).expect("key"),
        )
        .expect("signed")
    }

    async fn exchange(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/oauth2/1.0/token", self.pure1.url()))
            .form(form)
            .send()
            .await
            .expect("sent");
        (response.status(), response.json().await.expect("JSON"))
    }

    async fn exchange_jwt(&self, jwt: &str) -> (StatusCode, Value) {
        self.exchange(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            ("subject_token", jwt),
        ])
        .await
    }

    async fn access_token(&self) -> String {
        let now = now_secs();
        let jwt = self.jwt(
            json!({"iss": APP_ID, "iat": now, "exp": now + 300}),
            &self.private_pem,
        );
        let (status, body) = self.exchange_jwt(&jwt).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().expect("token").to_owned()
    }

    async fn get(
        &self,
        token: &str,
        path_and_query: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let response = self
            .http
            .get(format!("{}/api/1.6/{path_and_query}", self.pure1.url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("sent");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.json().await.expect("JSON"))
    }
}

#[tokio::test]
async fn the_token_exchange_accepts_a_jwt_in_seconds_or_milliseconds_signed_by_the_registered_key()
{
    let wire = Wire::start().await;
    let now = now_secs();
    for claims in [
        json!({"iss": APP_ID, "iat": now, "exp": now + 315_360_000}),
        json!({"iss": APP_ID, "iat": now * 1000, "exp": (now + 60) * 1000}),
    ] {
        let (status, body) = wire
            .exchange_jwt(&wire.jwt(claims, &wire.private_pem))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(
            body["issued_token_type"],
            "urn:ietf:params:oauth:token-type:access_token"
        );
        assert!(
            body["expires_in"]
                .as_u64()
                .is_some_and(|secs| secs > 30_000)
        );
    }
    assert_eq!(wire.pure1.sim.token_exchanges(), 2);
    assert!(wire.public_pem.contains("PUBLIC KEY"));
}

#[tokio::test]
async fn the_token_exchange_refuses_as_the_spec_shows() {
    let wire = Wire::start().await;
    let now = now_secs();
    let other = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .expect("key")
        .to_pkcs8_pem(LineEnding::LF)
        .expect("PEM")
        .to_string();
    let refusals = [
        json!({"iss": APP_ID, "iat": now, "exp": now - 3600}),
        json!({"iss": "pure1:apikey:Unregistered", "iat": now, "exp": now + 60}),
    ];
    for claims in refusals {
        let (status, body) = wire
            .exchange_jwt(&wire.jwt(claims, &wire.private_pem))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body,
            json!({"error": "invalid_client", "error_description": "Invalid identity: JWT validation failed."})
        );
    }
    let forged = wire.jwt(json!({"iss": APP_ID, "iat": now, "exp": now + 60}), &other);
    assert_eq!(wire.exchange_jwt(&forged).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = wire
        .exchange(&[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            ("subject_token", &forged),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "Unsupported subject_token_type: urn:ietf:params:oauth:token-type:id_token"
    );
    assert_eq!(wire.pure1.sim.token_exchanges(), 0);
}

#[tokio::test]
async fn data_calls_need_a_token_pure1_still_honours() {
    let wire = Wire::start().await;
    let (status, _, body) = wire.get("not-a-token", "arrays").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("access token"))
    );
    let token = wire.access_token().await;
    assert_eq!(wire.get(&token, "arrays").await.0, StatusCode::OK);
    wire.pure1.sim.expire_tokens();
    assert_eq!(wire.get(&token, "arrays").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_fleet_is_what_the_arrays_hold() {
    let wire = Wire::start().await;
    let token = wire.access_token().await;
    let (status, _, arrays) = wire.get(&token, "arrays?sort=name").await;
    assert_eq!(status, StatusCode::OK, "{arrays}");
    assert_eq!(arrays["total_item_count"], 2);
    let first = &arrays["items"][0];
    assert_eq!(first["name"], "fa-wire-01");
    assert_eq!(first["os"], "Purity//FA");
    assert_eq!(first["fqdn"], "fa-wire-01.example.com");
    assert!(first["_as_of"].as_i64().is_some_and(|ms| ms > 0));

    let report = wire.array.report();
    let live = report
        .volumes
        .iter()
        .filter(|volume| !volume.destroyed)
        .count();
    let (_, _, volumes) = wire.get(&token, "volumes?filter=destroyed%3Dfalse").await;
    assert_eq!(volumes["total_item_count"].as_u64(), Some(live as u64));
    let one = &report.volumes[0];
    let (_, _, named) = wire
        .get(&token, &format!("volumes?names='{}'", one.name))
        .await;
    assert_eq!(named["items"][0]["serial"], one.serial.as_str());
    assert_eq!(named["items"][0]["provisioned"], one.provisioned);
    assert_eq!(named["items"][0]["arrays"][0]["name"], "fa-wire-01");
    let (status, _, missing) = wire.get(&token, "volumes?names='no-such-volume'").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(missing["errors"][0]["context"], "names");

    // Paging with continuation tokens gives every volume once.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let query = match &next {
            Some(token) => format!("volumes?limit=4&continuation_token='{token}'"),
            None => "volumes?limit=4".to_owned(),
        };
        let (_, _, page) = wire.get(&token, &query).await;
        assert_eq!(
            page["total_item_count"].as_u64(),
            Some(report.volumes.len() as u64)
        );
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|item| item["id"].clone()),
        );
        match page["continuation_token"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), report.volumes.len());
    let mut ids: Vec<_> = report
        .volumes
        .iter()
        .map(|volume| json!(volume.id))
        .collect();
    ids.sort_by_key(|id| id.to_string());
    seen.sort_by_key(|id| id.to_string());
    assert_eq!(seen, ids);

    let (_, _, alerts) = wire.get(&token, "alerts?filter=state%3D'open'").await;
    let open = report
        .alerts
        .iter()
        .filter(|alert| alert.state == "open")
        .count();
    assert_eq!(alerts["total_item_count"].as_u64(), Some(open as u64));
    let (_, _, snapshots) = wire.get(&token, "protection-group-snapshots?limit=1").await;
    assert!(
        snapshots["total_item_count"]
            .as_u64()
            .is_some_and(|count| count > 0)
    );
    assert_eq!(snapshots["items"][0]["on"]["name"], "fa-wire-01");
    let (status, _, pods) = wire.get(&token, "pods").await;
    assert_eq!(
        (status, pods["total_item_count"].clone()),
        (StatusCode::OK, json!(0))
    );
}

#[tokio::test]
async fn metric_history_follows_the_arrays_own_figures() {
    let wire = Wire::start().await;
    let token = wire.access_token().await;
    let (_, _, metrics) = wire.get(&token, "metrics?resource_types='arrays'").await;
    let names: Vec<&str> = metrics["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert!(names.contains(&"array_total_load") && !names.contains(&"volume_read_iops"));

    let end = wire.pure1.sim.clock().now_ms();
    let start = end - 6 * 3_600_000;
    let (status, _, history) = wire
        .get(
            &token,
            &format!("metrics/history?aggregation='max'&start_time={start}&end_time={end}&resolution=300000&names='array_total_load','array_total_capacity'&resource_names='fa-wire-01','fa-wire-02'"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let series = history["items"].as_array().expect("items");
    assert_eq!(series.len(), 4);
    let capacity = wire.array.report().array.capacity.expect("capacity") as f64;
    let capacity_series = series
        .iter()
        .find(|s| s["name"] == "array_total_capacity" && s["resources"][0]["name"] == "fa-wire-01")
        .expect("capacity series");
    let points = capacity_series["data"].as_array().expect("data");
    assert!((70..=73).contains(&points.len()), "{} points", points.len());
    for point in points {
        assert_eq!(point[1].as_f64(), Some(capacity));
        assert_eq!(point[0].as_i64().expect("time") % 300_000, 0);
    }
    // The busy meter's maximum is at least the load at the point's own time.
    let load = series
        .iter()
        .find(|s| s["name"] == "array_total_load" && s["resources"][0]["name"] == "fa-wire-01")
        .expect("load series");
    let (time, value) = (
        load["data"][0][0].as_i64().expect("t"),
        load["data"][0][1].as_f64().expect("v"),
    );
    let at = &wire.array.performance_history(&[time])[0];
    let expected = shared::pure1::estimated_load(
        at.reads_per_sec + at.writes_per_sec,
        at.read_bytes_per_sec + at.write_bytes_per_sec,
    );
    assert!(
        value >= expected - 1e-12 && value > 0.0,
        "{value} < {expected}"
    );

    let names = (0..17)
        .map(|_| "'array_read_iops'")
        .collect::<Vec<_>>()
        .join(",");
    let (status, _, refused) = wire
        .get(&token, &format!("metrics/history?aggregation=avg&start_time={start}&end_time={end}&resolution=300000&names={names}&resource_names='fa-wire-01','fa-wire-02'"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 32"))
    );
    for (query, context) in [
        (
            format!(
                "start_time={start}&end_time={end}&resolution=300000&names='array_read_iops'&resource_names='fa-wire-01'"
            ),
            "aggregation",
        ),
        (
            format!(
                "aggregation=avg&start_time={start}&end_time={end}&resolution=1000&names='array_read_iops'&resource_names='fa-wire-01'"
            ),
            "resolution",
        ),
        (
            format!(
                "aggregation=avg&start_time={end}&end_time={start}&resolution=300000&names='array_read_iops'&resource_names='fa-wire-01'"
            ),
            "start_time",
        ),
        (
            format!(
                "aggregation=avg&start_time={start}&end_time={end}&resolution=300000&names='no_such_metric'&resource_names='fa-wire-01'"
            ),
            "names",
        ),
        (
            format!(
                "aggregation=avg&start_time={start}&end_time={end}&resolution=300000&names='array_read_iops'&resource_names='nowhere'"
            ),
            "resource_names",
        ),
    ] {
        let (status, _, body) = wire.get(&token, &format!("metrics/history?{query}")).await;
        assert_eq!(
            (status, body["errors"][0]["context"].as_str()),
            (StatusCode::BAD_REQUEST, Some(context)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn past_the_rate_limit_pure1_answers_429_with_retry_after() {
    let wire = Wire::with_limit(RateLimit {
        per_second: 3,
        per_minute: 1000,
    })
    .await;
    let token = wire.access_token().await;
    let (status, headers, _) = wire.get(&token, "arrays").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-ratelimit-limit-second"], "3");
    assert_eq!(headers["x-ratelimit-limit-minute"], "1000");
    assert!(headers.contains_key("x-ratelimit-remaining-second"));
    let mut refused = None;
    for _ in 0..8 {
        let (status, headers, body) = wire.get(&token, "arrays").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((headers, body));
            break;
        }
    }
    let (headers, body) = refused.expect("a 429 within eight calls past a limit of three a second");
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(headers["x-ratelimit-remaining-second"], "0");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("Rate limit"))
    );
}
