//! Two simulated arrays connected for replication, each in its own state and reached over its
//! own HTTPS: the connection key, both sides listing the connection, the link cut and
//! restored, and a disconnect both sides see.

use flasharray_sim::{FaultConfig, SimulatorConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::Wire;

impl Wire {
    /// `host:port`, as another array is given it for `management_address`.
    pub(crate) fn address(&self) -> &str {
        self.sim.url().trim_start_matches("https://")
    }

    pub(crate) async fn connection_key(&self) -> String {
        let token = self.session().await;
        let (status, body) = self
            .call(
                &token,
                Method::GET,
                "array-connections/connection-key",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"][0]["connection_key"]
            .as_str()
            .expect("key")
            .to_owned()
    }

    /// Connects this array to `other` with the key `other` hands out.
    pub(crate) async fn connect_to(&self, token: &str, other: &Wire) -> (StatusCode, Value) {
        let key = other.connection_key().await;
        let body = json!({"management_address": other.address(), "connection_key": key});
        self.call(token, Method::POST, "array-connections", Some(body))
            .await
    }

    /// Each connected array's name and status.
    async fn connections(&self, token: &str) -> Vec<(String, String)> {
        let (status, body) = self
            .call(token, Method::GET, "array-connections", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| {
                (
                    item["name"].as_str().unwrap_or_default().to_owned(),
                    item["status"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    pub(crate) fn cut_link(&self, down: bool) {
        self.sim.simulator.set_faults(FaultConfig {
            link_down: down,
            ..FaultConfig::default()
        });
    }
}

fn connected(name: &str, status: &str) -> Vec<(String, String)> {
    vec![(name.to_owned(), status.to_owned())]
}

#[tokio::test(flavor = "multi_thread")]
async fn two_arrays_connect_with_the_key_and_both_list_the_connection_until_disconnected() {
    let a = Wire::with_config(SimulatorConfig::new("fa-a").purity("6.9")).await;
    let b = Wire::with_config(SimulatorConfig::new("fa-b").purity("6.5")).await;
    let (a_token, b_token) = (a.session().await, b.session().await);

    let wrong = json!({"management_address": b.address(), "connection_key": "not-the-key"});
    let (status, body) = a
        .call(&a_token, Method::POST, "array-connections", Some(wrong))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("connection key")),
        "{body}"
    );
    assert!(a.connections(&a_token).await.is_empty());
    assert!(b.connections(&b_token).await.is_empty());

    let (status, body) = a.connect_to(&a_token, &b).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let made = &body["items"][0];
    assert_eq!(made["name"], "fa-b");
    assert_eq!(made["status"], "connected");
    assert_eq!(made["type"], "async-replication");
    assert_eq!(made["version"], "6.5.10", "the other array's Purity");
    assert_eq!(made["management_address"], b.address());
    assert_eq!(
        a.connections(&a_token).await,
        connected("fa-b", "connected")
    );
    assert_eq!(
        b.connections(&b_token).await,
        connected("fa-a", "connected")
    );

    let (status, body) = a.connect_to(&a_token, &b).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = b.connect_to(&b_token, &a).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "from either side: {body}");

    let (status, _) = a
        .call(
            &a_token,
            Method::DELETE,
            "array-connections?names=fa-b",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(a.connections(&a_token).await.is_empty());
    assert!(
        b.connections(&b_token).await.is_empty(),
        "the other side forgot it too"
    );
    let (status, body) = a
        .call(
            &a_token,
            Method::DELETE,
            "array-connections?names=fa-b",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["context"], "fa-b");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_link_or_a_dead_array_shows_the_connection_as_connecting() {
    let a = Wire::with_config(SimulatorConfig::new("fa-a")).await;
    let b = Wire::with_config(SimulatorConfig::new("fa-b")).await;
    let (a_token, b_token) = (a.session().await, b.session().await);
    let (status, body) = a.connect_to(&a_token, &b).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    b.cut_link(true);
    assert_eq!(
        a.connections(&a_token).await,
        connected("fa-b", "connecting")
    );
    assert_eq!(
        b.connections(&b_token).await,
        connected("fa-a", "connecting")
    );
    let c = Wire::start().await;
    let (status, body) = b.connect_to(&b_token, &c).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "nothing connects while it is cut: {body}"
    );

    b.cut_link(false);
    assert_eq!(
        a.connections(&a_token).await,
        connected("fa-b", "connected")
    );

    b.sim.shutdown().await;
    assert_eq!(
        a.connections(&a_token).await,
        connected("fa-b", "connecting")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_refuses_what_is_missing_or_unknown_naming_the_field() {
    let a = Wire::start().await;
    let token = a.session().await;
    for (body, field) in [
        (json!({"connection_key": "k"}), "management_address"),
        (
            json!({"management_address": "127.0.0.1:9"}),
            "connection_key",
        ),
        (
            json!({"management_address": "127.0.0.1:9", "connection_key": "k", "type": "sometimes"}),
            "type",
        ),
    ] {
        let (status, answer) = a
            .call(&token, Method::POST, "array-connections", Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{field}: {message}");
    }
    let nobody = json!({"management_address": "127.0.0.1:9", "connection_key": "k"});
    let (status, answer) = a
        .call(&token, Method::POST, "array-connections", Some(nobody))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("127.0.0.1:9")),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_throttle_and_addresses_change_and_going_synchronous_needs_the_key() {
    let a = Wire::start().await;
    let b = Wire::with_config(SimulatorConfig::new("fa-b")).await;
    let token = a.session().await;
    a.connect_to(&token, &b).await;
    let throttle = json!({"throttle": {"default_limit": 1_073_741_824u64, "window_limit": 2_097_152, "window": {"start": 3_600_000, "end": 7_200_000}}});
    let (status, body) = a
        .call(
            &token,
            Method::PATCH,
            "array-connections?names=fa-b",
            Some(throttle),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["items"][0]["throttle"]["default_limit"],
        1_073_741_824u64
    );
    let sync = json!({"type": "sync-replication"});
    let (status, body) = a
        .call(
            &token,
            Method::PATCH,
            "array-connections?names=fa-b",
            Some(sync),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let key = b.connection_key().await;
    let sync = json!({"type": "sync-replication", "connection_key": key});
    let (status, body) = a
        .call(
            &token,
            Method::PATCH,
            "array-connections?names=fa-b",
            Some(sync),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["type"], "sync-replication");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_connected_array_cannot_end_a_connection_that_is_not_its_own() {
    let a = Wire::with_config(SimulatorConfig::new("fa-a")).await;
    let b = Wire::with_config(SimulatorConfig::new("fa-b")).await;
    let c = Wire::with_config(SimulatorConfig::new("fa-c")).await;
    let b_token = b.session().await;
    for other in [&a, &c] {
        let token = other.session().await;
        let (status, body) = other.connect_to(&token, &b).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Connection keys are handed out; the secret fa-a and fa-b agreed is not, so not even
    // fa-a's own key proves anyone to be fa-a.
    for key in [
        b.connection_key().await,
        c.connection_key().await,
        a.connection_key().await,
    ] {
        let forged = b
            .http
            .post(b.url("/sim/peer/disconnect"))
            .json(&json!({"secret": key, "name": "fa-a"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    }
    let mut listed: Vec<String> = b
        .connections(&b_token)
        .await
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    listed.sort();
    assert_eq!(listed, ["fa-a", "fa-c"], "fa-b still lists both");
}

impl Wire {
    /// `protection-groups/targets` rows as (group, target array, allowed, status).
    async fn targets(&self, token: &str) -> Vec<(String, String, bool, String)> {
        let (status, body) = self
            .call(token, Method::GET, "protection-groups/targets", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|row| {
                (
                    row["group"]["name"].as_str().unwrap_or_default().to_owned(),
                    row["member"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    row["allowed"].as_bool().unwrap_or_default(),
                    row["status"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

fn row(group: &str, array: &str, allowed: bool) -> (String, String, bool, String) {
    let status = if allowed { "replicating" } else { "disallowed" };
    (
        group.to_owned(),
        array.to_owned(),
        allowed,
        status.to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_replicates_to_a_connected_array_which_allows_or_disallows_it() {
    let a = Wire::with_config(SimulatorConfig::new("fa-a")).await;
    let b = Wire::with_config(SimulatorConfig::new("fa-b")).await;
    let (a_token, b_token) = (a.session().await, b.session().await);
    a.call(&a_token, Method::POST, "protection-groups?names=pg1", None)
        .await;
    let add = "protection-groups/targets?group_names=pg1&member_names=fa-b";
    let (status, body) = a.call(&a_token, Method::POST, add, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not connected yet: {body}");
    assert_eq!(body["errors"][0]["context"], "fa-b");
    a.connect_to(&a_token, &b).await;

    let (status, body) = a.call(&a_token, Method::POST, add, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["status"], "replicating");
    let (status, body) = a.call(&a_token, Method::POST, add, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "twice: {body}");
    let (_, groups) = a
        .call(&a_token, Method::GET, "protection-groups?names=pg1", None)
        .await;
    assert_eq!(groups["items"][0]["target_count"], 1);
    assert_eq!(a.targets(&a_token).await, [row("pg1", "fa-b", true)]);
    assert_eq!(b.targets(&b_token).await, [row("fa-a:pg1", "fa-b", true)]);

    let disallow = "protection-groups/targets?group_names=fa-a:pg1&member_names=fa-b";
    let (status, body) = b
        .call(
            &b_token,
            Method::PATCH,
            disallow,
            Some(json!({"allowed": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        a.targets(&a_token).await,
        [row("pg1", "fa-b", false)],
        "the source heard"
    );
    let (status, body) = a
        .call(
            &a_token,
            Method::PATCH,
            "protection-groups/targets?group_names=pg1&member_names=fa-a",
            Some(json!({"allowed": true})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only the target allows: {body}"
    );

    let (status, body) = a
        .call(
            &a_token,
            Method::DELETE,
            "array-connections?names=fa-b",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a target is not disconnected: {body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("pg1")),
        "{body}"
    );
    let (status, _) = a.call(&a_token, Method::DELETE, add, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(a.targets(&a_token).await.is_empty());
    assert!(
        b.targets(&b_token).await.is_empty(),
        "the target no longer lists the group"
    );
    let (status, body) = a.call(&a_token, Method::POST, add, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        a.targets(&a_token).await,
        [row("pg1", "fa-b", false)],
        "added again, it is still disallowed there"
    );
}
