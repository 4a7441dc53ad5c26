//! The simulator on the wire: paths, headers, status codes and the error envelope, checked
//! with a plain HTTP client rather than the project's own.

use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod fleet;
mod hardware;
mod pods;
mod protection;
mod python_sdk;
mod releases;
mod replication;
mod tolerance;
mod transfers;

struct Wire {
    sim: RunningSimulator,
    http: reqwest::Client,
    /// The REST level calls are made at: the newest the array serves.
    version: String,
}

impl Wire {
    async fn start() -> Self {
        Self::with_config(SimulatorConfig::new("wire")).await
    }

    async fn with_config(config: SimulatorConfig) -> Self {
        let sim = Simulator::start(config).await.expect("simulator");
        let http = test_support::tls::client_trusting(sim.certificate_pem());
        let mut wire = Self {
            sim,
            http,
            version: String::new(),
        };
        wire.version = wire
            .api_versions()
            .await
            .last()
            .and_then(Value::as_str)
            .expect("a version")
            .to_owned();
        wire
    }

    /// `GET /api/api_version`'s list.
    async fn api_versions(&self) -> Vec<Value> {
        let body: Value = self
            .http
            .get(self.url("/api/api_version"))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        body["version"].as_array().expect("list").clone()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    /// One `/api/2.52` call with a session; the status and the JSON body (`null` if none).
    async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(
                method,
                self.url(&format!("/api/{}/{path_and_query}", self.version)),
            )
            .header("x-auth-token", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sent");
        let status = response.status();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        (status, body)
    }

    async fn session(&self) -> String {
        let response = self
            .http
            .post(self.url(&format!("/api/{}/login", self.version)))
            .json(&json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), StatusCode::OK);
        response.headers()["x-auth-token"]
            .to_str()
            .expect("token")
            .to_owned()
    }
}

#[tokio::test]
async fn api_version_lists_every_served_version() {
    let wire = Wire::start().await;
    let versions = wire.api_versions().await;
    assert_eq!(versions.first(), Some(&json!("2.0")));
    assert_eq!(versions.last(), Some(&json!("2.52")));
}

#[tokio::test]
async fn login_returns_the_session_in_x_auth_token_and_the_user_in_items() {
    let wire = Wire::start().await;
    let response = wire
        .http
        .post(wire.url("/api/2.52/login"))
        .json(&json!({"username": "pureuser", "password": "pureuser"}))
        .send()
        .await
        .expect("sent");
    assert!(response.headers().contains_key("x-auth-token"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["items"][0]["username"], "pureuser");
}

#[tokio::test]
async fn calls_without_credentials_get_401_in_the_error_envelope() {
    let wire = Wire::start().await;
    let response = wire
        .http
        .get(wire.url("/api/2.52/volumes"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn the_request_id_is_echoed_or_made_up() {
    let wire = Wire::start().await;
    let echoed = wire
        .http
        .get(wire.url("/api/api_version"))
        .header("X-Request-ID", "abc-123")
        .send()
        .await
        .expect("sent");
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    let made_up = wire
        .http
        .get(wire.url("/api/api_version"))
        .send()
        .await
        .expect("sent");
    assert!(!made_up.headers()["x-request-id"].is_empty());
}

#[tokio::test]
async fn an_unadvertised_version_or_path_is_a_404_envelope() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    for path in ["/api/2.99/volumes", "/api/2.52/no-such-thing"] {
        let response = wire
            .http
            .get(wire.url(path))
            .header("x-auth-token", &token)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.expect("json");
        assert!(body["errors"][0]["message"].is_string(), "{path}: {body}");
    }
}

#[tokio::test]
async fn every_advertised_version_serves_the_api() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    for version in flasharray_sim::SUPPORTED_VERSIONS {
        let response = wire
            .http
            .get(wire.url(&format!("/api/{version}/arrays")))
            .header("x-auth-token", &token)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{version}");
    }
}

#[tokio::test]
async fn create_refusals_name_the_object_in_context() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    let create = |names: &'static str, body: Value| {
        wire.http
            .post(wire.url("/api/2.52/volumes"))
            .query(&[("names", names)])
            .header("x-auth-token", &token)
            .json(&body)
            .send()
    };
    let created: Value = create("vol1", json!({"provisioned": 5_242_880}))
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(created["items"][0]["provisioned"], 5_242_880);
    let refused = create("vol1", json!({"provisioned": 5_242_880}))
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["errors"][0]["context"], "vol1");
    assert_eq!(body["errors"][0]["message"], "Volume already exists.");
    let bad_name = create("-bad", json!({})).await.expect("sent");
    assert_eq!(bad_name.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pages_carry_a_continuation_token_in_the_body_and_x_next_token() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    for name in ["a", "b", "c"] {
        wire.http
            .post(wire.url("/api/2.52/volumes"))
            .query(&[("names", name)])
            .header("x-auth-token", &token)
            .json(&json!({"provisioned": 1_048_576}))
            .send()
            .await
            .expect("created");
    }
    let first = wire
        .http
        .get(wire.url("/api/2.52/volumes"))
        .query(&[("limit", "2"), ("total_item_count", "true")])
        .header("x-auth-token", &token)
        .send()
        .await
        .expect("sent");
    let next = first.headers()["x-next-token"]
        .to_str()
        .expect("header")
        .to_owned();
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["total_item_count"], 3);
    assert_eq!(body["continuation_token"], next.as_str());
    let rest: Value = wire
        .http
        .get(wire.url("/api/2.52/volumes"))
        .query(&[("continuation_token", next.as_str())])
        .header("x-auth-token", &token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(rest["items"][0]["name"], "c");
    assert_eq!(rest["more_items_remaining"], false);
}

impl Wire {
    async fn create(&self, token: &str, name: &str, provisioned: u64) {
        let response = self
            .http
            .post(self.url("/api/2.52/volumes"))
            .query(&[("names", name)])
            .header("x-auth-token", token)
            .json(&json!({ "provisioned": provisioned }))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{name}");
    }

    async fn list(
        &self,
        token: &str,
        query: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, Value) {
        let response = self
            .http
            .get(self.url("/api/2.52/volumes"))
            .query(query)
            .header("x-auth-token", token)
            .send()
            .await
            .expect("sent");
        let next = response
            .headers()
            .get("x-next-token")
            .map(|value| value.to_str().unwrap_or_default().to_owned());
        (
            response.status(),
            next,
            response.json().await.expect("json"),
        )
    }
}

fn names(body: &Value) -> Vec<&str> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect()
}

#[tokio::test]
async fn filter_and_sort_as_arrays_take_them() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    for (name, size) in [("db-1", 4u64 << 30), ("DB-2", 1 << 30), ("log-1", 2 << 30)] {
        wire.create(&token, name, size).await;
    }
    let (_, _, body) = wire.list(&token, &[("filter", "name='db*'")]).await;
    assert_eq!(names(&body), ["db-1", "DB-2"]);
    let (_, _, body) = wire
        .list(
            &token,
            &[(
                "filter",
                "provisioned>1073741824 and not(contains(name,'log'))",
            )],
        )
        .await;
    assert_eq!(names(&body), ["db-1"]);
    for descending in ["-provisioned", "provisioned-"] {
        let (_, _, body) = wire.list(&token, &[("sort", descending)]).await;
        assert_eq!(names(&body), ["db-1", "log-1", "DB-2"], "{descending}");
    }
    let (_, next, body) = wire.list(&token, &[("sort", "name"), ("limit", "1")]).await;
    assert_eq!(names(&body), ["db-1"]);
    assert_eq!(
        next, None,
        "sorted lists page by offset, without a continuation token"
    );
    assert!(
        body.get("continuation_token").is_none_or(Value::is_null),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_filters_and_unknown_fields_are_refused_in_the_envelope() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    wire.create(&token, "vol1", 1 << 20).await;
    for (query, reason) in [
        (("filter", "name="), "Invalid filter"),
        (("filter", "colour='red'"), "no such field"),
        (("sort", "colour"), "no such field"),
        (("sort", "name;x"), "Invalid sort"),
    ] {
        let (status, _, body) = wire.list(&token, &[query]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{query:?}: {message}");
    }
}

#[tokio::test]
async fn lists_without_names_ignore_names_and_still_page() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    let response = wire
        .http
        .get(wire.url("/api/2.52/connections"))
        .query(&[("limit", "10"), ("total_item_count", "true")])
        .header("x-auth-token", &token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["total_item_count"], 0);
}

#[tokio::test]
async fn a_state_file_keeps_every_acknowledged_change_across_a_restart() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sim-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let config = || SimulatorConfig {
        state_file: Some(path.clone()),
        ..SimulatorConfig::new("kept")
    };
    let first = Wire::with_config(config()).await;
    let token = first.session().await;
    let (_, body) = first
        .call(
            &token,
            reqwest::Method::POST,
            &format!("admins/api-tokens?names={ADMIN_USERNAME}"),
            None,
        )
        .await;
    let api_token = body["items"][0]["api_token"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (status, _) = first
        .call(
            &token,
            reqwest::Method::POST,
            "volumes?names=kept-vol",
            Some(json!({"provisioned": 1 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    first.sim.shutdown().await;

    let second = Wire::with_config(config()).await;
    let login = second
        .http
        .post(second.url("/api/2.52/login"))
        .header("api-token", &api_token)
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), StatusCode::OK, "the API token survived");
    let token = login.headers()["x-auth-token"]
        .to_str()
        .expect("token")
        .to_owned();
    let (_, body) = second
        .call(&token, reqwest::Method::GET, "volumes?names=kept-vol", None)
        .await;
    assert_eq!(body["items"][0]["provisioned"], 1u64 << 30);
    second.sim.shutdown().await;
    std::fs::remove_file(&path).expect("state file written");
}

#[tokio::test]
async fn sorted_pages_with_equal_keys_neither_overlap_nor_skip() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    for index in 0..30u64 {
        wire.create(&token, &format!("v{index:02}"), (1 + index % 3) << 30)
            .await;
    }
    let mut seen = Vec::new();
    for offset in (0..30).step_by(7) {
        let offset = offset.to_string();
        let (status, _, body) = wire
            .list(
                &token,
                &[
                    ("sort", "provisioned"),
                    ("limit", "7"),
                    ("offset", &offset),
                    ("total_item_count", "true"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["total_item_count"], 30);
        let sizes: Vec<u64> = body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["provisioned"].as_u64().expect("size"))
            .collect();
        assert!(sizes.is_sorted(), "{sizes:?}");
        seen.extend(names(&body).into_iter().map(str::to_owned));
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 30, "{seen:?}");
}
