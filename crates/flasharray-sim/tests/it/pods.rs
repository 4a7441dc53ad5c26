//! ActiveDR between two simulated arrays: a pod linked to a demoted pod on the other array
//! baselines, then keeps it seconds behind; the target refuses writes until promoted; after
//! the source is demoted and the target promoted, the link turns round.

use std::time::{Duration, Instant};

use flasharray_sim::{Seed, SimulatorConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::Wire;

const GIB: u64 = 1 << 30;

impl Wire {
    async fn ok(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.call(token, method.clone(), path, body).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {answer}");
        answer
    }

    async fn promote(&self, token: &str, pod: &str, state: &str) -> (StatusCode, Value) {
        let body = json!({"requested_promotion_state": state});
        self.call(
            token,
            Method::PATCH,
            &format!("pods?names={pod}"),
            Some(body),
        )
        .await
    }

    /// The only replica link this array holds, once `ready` says it is as awaited.
    async fn link_when(&self, token: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let links = self.ok(token, Method::GET, "pod-replica-links", None).await;
            let link = links["items"][0].clone();
            if ready(&link) {
                return link;
            }
            assert!(
                Instant::now() < deadline,
                "the link never got there: {link}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn volume_names(&self, token: &str) -> Vec<String> {
        let volumes = self.ok(token, Method::GET, "volumes", None).await;
        volumes["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|volume| volume["name"].as_str().map(str::to_owned))
            .collect()
    }
}

#[tokio::test]
async fn a_linked_pod_is_mirrored_refuses_writes_and_fails_over() {
    let source = Wire::with_config(SimulatorConfig::new("fa-src").seed(Seed::Empty)).await;
    let target = Wire::with_config(SimulatorConfig::new("fa-dst").seed(Seed::Empty)).await;
    let (source_token, target_token) = (source.session().await, target.session().await);
    let (status, body) = source.connect_to(&source_token, &target).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    source
        .ok(&source_token, Method::POST, "pods?names=prod", None)
        .await;
    let create = json!({"provisioned": 10 * GIB});
    source
        .ok(
            &source_token,
            Method::POST,
            "volumes?names=prod::db",
            Some(create.clone()),
        )
        .await;
    let (status, body) = source
        .call(
            &source_token,
            Method::POST,
            "volumes?names=none::db",
            Some(create.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["message"], "Pod does not exist.");

    target
        .ok(
            &target_token,
            Method::POST,
            "pods?names=dr",
            Some(json!({})),
        )
        .await;
    let link = "pod-replica-links?local_pod_names=prod&remote_pod_names=dr&remote_names=fa-dst";
    let (status, body) = source.call(&source_token, Method::POST, link, None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a promoted target is refused: {body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("demoted"),
        "{body}"
    );
    let (status, body) = target.promote(&target_token, "dr", "demoted").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["promotion_status"], "demoted");
    let made = source.ok(&source_token, Method::POST, link, None).await;
    assert_eq!(made["items"][0]["direction"], "outbound");

    let inbound = target
        .link_when(&target_token, |link| link["status"] == "replicating")
        .await;
    assert_eq!(inbound["direction"], "inbound");
    assert_eq!(inbound["remotes"][0]["name"], "fa-src");
    assert!(inbound["lag"].as_i64().unwrap() < 10_000, "{inbound}");
    let mirrored = target
        .ok(&target_token, Method::GET, "volumes?names=dr::db", None)
        .await;
    assert_eq!(mirrored["items"][0]["provisioned"], 10 * GIB);
    assert_eq!(mirrored["items"][0]["pod"]["name"], "dr");
    let (status, body) = target
        .call(
            &target_token,
            Method::POST,
            "volumes?names=dr::mine",
            Some(create.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a demoted pod refuses writes: {body}"
    );

    // Paused, the target stops hearing of new volumes.
    let paused = source
        .ok(
            &source_token,
            Method::PATCH,
            link,
            Some(json!({"paused": true})),
        )
        .await;
    assert_eq!(paused["items"][0]["status"], "paused");
    source
        .ok(
            &source_token,
            Method::POST,
            "volumes?names=prod::logs",
            Some(create.clone()),
        )
        .await;
    target
        .link_when(&target_token, |link| link["paused"] == true)
        .await;
    assert!(
        !target
            .volume_names(&target_token)
            .await
            .contains(&"dr::logs".to_owned())
    );
    source
        .ok(
            &source_token,
            Method::PATCH,
            link,
            Some(json!({"paused": false})),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !target
        .volume_names(&target_token)
        .await
        .contains(&"dr::logs".to_owned())
    {
        assert!(Instant::now() < deadline, "dr::logs never arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Failover: the source demoted, the target promoted; the link turns round.
    let (status, body) = source.promote(&source_token, "prod", "demoted").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = target.promote(&target_token, "dr", "promoted").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    target
        .ok(
            &target_token,
            Method::POST,
            "volumes?names=dr::after-failover",
            Some(create),
        )
        .await;
    target
        .link_when(&target_token, |link| link["direction"] == "outbound")
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !source
        .volume_names(&source_token)
        .await
        .contains(&"prod::after-failover".to_owned())
    {
        assert!(Instant::now() < deadline, "the turned link never sent back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = source
        .call(
            &source_token,
            Method::DELETE,
            "array-connections?names=fa-dst",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a linked array stays connected: {body}"
    );
    let (status, body) = source
        .call(
            &source_token,
            Method::GET,
            "pod-replica-links/lag?end_time=-9223372036854775808",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let audits = source.ok(&source_token, Method::GET, "audits", None).await;
    assert!(
        audits.to_string().contains("replica-link create"),
        "{audits}"
    );
}

#[tokio::test]
async fn a_pod_holding_volumes_or_links_is_not_destroyed_and_eradicates_with_its_contents() {
    let array = Wire::with_config(SimulatorConfig::new("fa-one").seed(Seed::Empty)).await;
    let token = array.session().await;
    array.ok(&token, Method::POST, "pods?names=app", None).await;
    let (status, _) = array
        .call(&token, Method::POST, "pods?names=APP", None)
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "names are unique ignoring case"
    );
    array
        .ok(
            &token,
            Method::POST,
            "volumes?names=app::v1",
            Some(json!({"provisioned": GIB})),
        )
        .await;
    let destroy = Some(json!({"destroyed": true}));
    let (status, body) = array
        .call(&token, Method::PATCH, "pods?names=app", destroy.clone())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    array
        .ok(
            &token,
            Method::PATCH,
            "volumes?names=app::v1",
            destroy.clone(),
        )
        .await;
    let destroyed = array
        .ok(&token, Method::PATCH, "pods?names=app", destroy)
        .await;
    assert_eq!(destroyed["items"][0]["destroyed"], true);
    let (status, body) = array
        .call(&token, Method::DELETE, "pods?names=app", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    array
        .ok(
            &token,
            Method::DELETE,
            "pods?names=app&eradicate_contents=true",
            None,
        )
        .await;
    assert!(array.volume_names(&token).await.is_empty());
    let pods = array
        .ok(&token, Method::GET, "pods?destroyed=true", None)
        .await;
    assert_eq!(pods["items"], json!([]));
    let (status, body) = array
        .call(
            &token,
            Method::PATCH,
            "pods?names=app",
            Some(json!({"requested_promotion_state": "sideways"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn a_stretched_pod_is_written_on_either_array_and_unstretching_leaves_a_restretch() {
    let first = Wire::with_config(SimulatorConfig::new("fa-east").seed(Seed::Empty)).await;
    let second = Wire::with_config(SimulatorConfig::new("fa-west").seed(Seed::Empty)).await;
    let (first_token, second_token) = (first.session().await, second.session().await);
    first
        .ok(&first_token, Method::POST, "pods?names=db", None)
        .await;
    let volume = json!({"provisioned": GIB});
    first
        .ok(
            &first_token,
            Method::POST,
            "volumes?names=db::data",
            Some(volume.clone()),
        )
        .await;
    let stretch = "pods/arrays?group_names=db&member_names=fa-west";
    let (status, body) = first.connect_to(&first_token, &second).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = first.call(&first_token, Method::POST, stretch, None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an asynchronous connection: {body}"
    );
    assert!(body.to_string().contains("sync-replication"), "{body}");
    let (status, body) = first
        .call(
            &first_token,
            Method::PATCH,
            "array-connections?names=fa-west",
            Some(json!({"type": "sync-replication", "connection_key": second.connection_key().await})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let theirs = second
        .ok(&second_token, Method::GET, "array-connections", None)
        .await;
    assert_eq!(
        theirs["items"][0]["type"], "sync-replication",
        "both ends replicate on the same terms: {theirs}"
    );

    first.ok(&first_token, Method::POST, stretch, None).await;
    let pods = second
        .ok(&second_token, Method::GET, "pods?names=db", None)
        .await;
    assert_eq!(pods["items"][0]["array_count"], 2, "{pods}");
    assert_eq!(pods["items"][0]["arrays"][0]["status"], "online");
    assert!(
        second
            .volume_names(&second_token)
            .await
            .contains(&"db::data".to_owned())
    );
    // Written on the second array, the first holds it before the write is answered.
    second
        .ok(
            &second_token,
            Method::POST,
            "volumes?names=db::logs",
            Some(volume),
        )
        .await;
    assert!(
        first
            .volume_names(&first_token)
            .await
            .contains(&"db::logs".to_owned())
    );
    let members = first
        .ok(&first_token, Method::GET, "pods/arrays", None)
        .await;
    assert_eq!(
        members["items"].as_array().map(Vec::len),
        Some(2),
        "{members}"
    );

    let (status, body) = second
        .call(
            &second_token,
            Method::PATCH,
            "pods?names=db",
            Some(json!({"destroyed": true})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a stretched pod stays: {body}"
    );

    // Cut apart, only the array the pod was stretched from keeps taking writes.
    first.cut_link(true);
    second.cut_link(true);
    let split = json!({"provisioned": GIB});
    // Until it misses the other's heartbeat, the second array may still take a write.
    let deadline = Instant::now() + Duration::from_secs(20);
    for attempt in 0.. {
        let path = format!("volumes?names=db::split-{attempt}");
        let (status, _) = second
            .call(&second_token, Method::POST, &path, Some(split.clone()))
            .await;
        if status == StatusCode::BAD_REQUEST {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second array never took the pod offline"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    first
        .ok(
            &first_token,
            Method::POST,
            "volumes?names=db::while-apart",
            Some(split),
        )
        .await;
    first.cut_link(false);
    second.cut_link(false);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !second
        .volume_names(&second_token)
        .await
        .contains(&"db::while-apart".to_owned())
    {
        assert!(
            Instant::now() < deadline,
            "the second array never caught up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let unstretch = "pods/arrays?group_names=db&member_names=fa-west";
    first
        .ok(&first_token, Method::DELETE, unstretch, None)
        .await;
    let left = second
        .ok(&second_token, Method::GET, "pods?destroyed=true", None)
        .await;
    assert_eq!(left["items"][0]["name"], "db.restretch", "{left}");
    let kept = first
        .ok(&first_token, Method::GET, "pods?names=db", None)
        .await;
    assert_eq!(kept["items"][0]["array_count"], 1, "{kept}");
    first.ok(&first_token, Method::POST, stretch, None).await;
    let (status, body) = first
        .call(&first_token, Method::DELETE, unstretch, None)
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the last restretch is still there: {body}"
    );
}
