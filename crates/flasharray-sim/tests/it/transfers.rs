//! Replicated snapshots between two simulated arrays: sent now or on the replication
//! schedule, arriving on the target after the link's rate allows (a baseline first, then
//! only what changed), held back by a cut link or a blackout window, and restorable there.

use std::time::{Duration, Instant};

use flasharray_sim::{Seed, SimulatorConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::Wire;

const HOUR_MS: u64 = 3_600_000;

/// Two arrays connected, `fa-src` (seeded as `seed`) replicating `group` (made if the seed
/// lacks it) to `fa-dst` (seeded as `target_seed`).
async fn replicating_pair(
    seed: Seed,
    target_seed: Seed,
    group: &str,
) -> (Wire, Wire, String, String) {
    let source = Wire::with_config(SimulatorConfig::new("fa-src").seed(seed)).await;
    let target = Wire::with_config(SimulatorConfig::new("fa-dst").seed(target_seed)).await;
    let (source_token, target_token) = (source.session().await, target.session().await);
    let create = format!("protection-groups?names={group}");
    source
        .call(&source_token, Method::POST, &create, None)
        .await;
    let (status, body) = source.connect_to(&source_token, &target).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let add = format!("protection-groups/targets?group_names={group}&member_names=fa-dst");
    let (status, body) = source.call(&source_token, Method::POST, &add, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (source, target, source_token, target_token)
}

impl Wire {
    /// The group snapshots this array holds whose names start with `prefix`.
    async fn group_snapshot_names(&self, token: &str, prefix: &str) -> Vec<String> {
        let (status, body) = self
            .call(token, Method::GET, "protection-group-snapshots", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|item| item["name"].as_str())
            .filter(|name| name.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    /// The `protection-group-snapshots/transfer` row of `name`.
    async fn transfer(&self, token: &str, name: &str) -> Value {
        let (status, body) = self
            .call(
                token,
                Method::GET,
                &format!("protection-group-snapshots/transfer?names={name}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"][0].clone()
    }

    /// The transfer row of `name` once the target said it arrived, which it says a moment
    /// after it holds the snapshot.
    async fn acknowledged(&self, token: &str, name: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let row = self.transfer(token, name).await;
            if row["completed"].is_i64() {
                return row;
            }
            assert!(
                Instant::now() < deadline,
                "{name} was never acknowledged: {row}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Snapshots `group` and sends it to its targets now; the new snapshot's name.
    async fn replicate_now(&self, token: &str, group: &str) -> String {
        let (status, body) = self
            .call(
                token,
                Method::POST,
                &format!("protection-group-snapshots?source_names={group}&replicate_now=true"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["items"][0]["name"].as_str().expect("name").to_owned()
    }

    /// Waits until this array holds the group snapshot `name`, as the replicator sends it
    /// within a second of its time.
    async fn receives(&self, token: &str, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.group_snapshot_names(token, name).await.is_empty() {
            assert!(Instant::now() < deadline, "{name} never arrived");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_sent_now_arrives_after_its_baseline_has_crossed_then_only_changes_travel() {
    // The target holds destroyed objects of its own, whose eradication must spare the copies.
    let (source, target, mut source_token, target_token) =
        replicating_pair(Seed::Demo, Seed::DemoRecovery, "pg-oracle").await;

    let first = source.replicate_now(&source_token, "pg-oracle").await;
    let sending = source.transfer(&source_token, &first).await;
    assert!(sending["completed"].is_null(), "{sending}");
    assert!(sending["progress"].as_f64().expect("progress") < 1.0);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let replica = format!("fa-src:{first}");
    assert!(
        target
            .group_snapshot_names(&target_token, &replica)
            .await
            .is_empty(),
        "a terabyte baseline does not cross in a second"
    );

    source
        .sim
        .simulator
        .advance_clock(Duration::from_secs(3 * 3600));
    source_token = source.session().await;
    target.receives(&target_token, &replica).await;
    let sent = source.acknowledged(&source_token, &first).await;
    let arrived = target.transfer(&target_token, &replica).await;
    let (_, listed) = target
        .call(
            &target_token,
            Method::GET,
            "protection-groups?names=fa-src:pg-oracle",
            None,
        )
        .await;
    assert_eq!(listed["items"][0]["is_local"], false, "{listed}");
    assert_eq!(sent["progress"], 1.0, "{sent}");
    assert_eq!(arrived["progress"], 1.0, "{arrived}");
    assert_eq!(sent["completed"], arrived["completed"]);
    let baseline = arrived["data_transferred"].as_u64().expect("bytes");
    assert!(
        baseline > 100 * 1024 * 1024 * 1024,
        "the whole data: {baseline}"
    );
    let taken = baseline * 1000 / 1_000_000_000;
    assert_eq!(
        arrived["completed"].as_i64().expect("completed") - arrived["started"].as_i64().unwrap(),
        i64::try_from(taken).unwrap(),
        "at the default rate"
    );
    let started = sent["started"].as_i64().expect("started");
    let (_, throughput) = source
        .call(
            &source_token,
            Method::GET,
            &format!(
                "protection-groups/performance/replication?names=pg-oracle&start_time={started}&resolution=30000"
            ),
            None,
        )
        .await;
    let fastest = throughput["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|sample| sample["bytes_per_sec"].as_u64())
        .max()
        .unwrap_or(0);
    assert!(
        (990_000_000..=1_001_000_000).contains(&fastest),
        "the link's rate while the baseline crossed, not {fastest} bytes a second"
    );
    let (_, volumes) = target
        .call(
            &target_token,
            Method::GET,
            &format!("volume-snapshots?filter=name='{replica}.*'"),
            None,
        )
        .await;
    let mut names: Vec<&str> = volumes["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            format!("{replica}.oracle-prod-data01"),
            format!("{replica}.oracle-prod-data02"),
            format!("{replica}.oracle-prod-redo"),
        ]
    );

    let second = source.replicate_now(&source_token, "pg-oracle").await;
    source
        .sim
        .simulator
        .advance_clock(Duration::from_secs(HOUR_MS / 1000));
    let replica_two = format!("fa-src:{second}");
    target.receives(&target_token, &replica_two).await;
    let changes = target.transfer(&target_token, &replica_two).await["data_transferred"]
        .as_u64()
        .expect("bytes");
    assert!(
        changes < baseline / 10,
        "only what changed: {changes} of {baseline}"
    );

    let (status, body) = target
        .call(
            &target_token,
            Method::POST,
            "volumes?names=redo-restored",
            Some(json!({"source": {"name": format!("{replica_two}.oracle-prod-redo")}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "restored on the target: {body}");
    assert_eq!(body["items"][0]["provisioned"], 200u64 * 1024 * 1024 * 1024);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_link_holds_a_snapshot_back_until_it_is_restored() {
    let (source, target, source_token, target_token) =
        replicating_pair(Seed::Empty, Seed::Empty, "pg1").await;
    source.cut_link(true);
    let name = source.replicate_now(&source_token, "pg1").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let replica = format!("fa-src:{name}");
    assert!(
        target
            .group_snapshot_names(&target_token, &replica)
            .await
            .is_empty()
    );
    let held = source.transfer(&source_token, &name).await;
    assert!(held["completed"].is_null(), "{held}");

    source.cut_link(false);
    target.receives(&target_token, &replica).await;
    let arrived = target.transfer(&target_token, &replica).await;
    assert!(
        arrived["completed"].as_i64() >= held["started"].as_i64().map(|started| started + 1000),
        "it arrived once the link was back: {arrived}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_replication_schedule_sends_on_its_slots_except_in_the_blackout_window() {
    let (source, target, mut source_token, target_token) =
        replicating_pair(Seed::Empty, Seed::Empty, "pg1").await;
    let now = u64::try_from(source.sim.simulator.clock.now_ms()).expect("after 1970");
    let next_hour = (now / HOUR_MS + 1) % 24;
    let schedule = json!({"replication_schedule": {
        "enabled": true,
        "frequency": HOUR_MS,
        "blackout": {"start": next_hour * HOUR_MS, "end": (next_hour + 1) % 24 * HOUR_MS},
    }});
    let (status, body) = source
        .call(
            &source_token,
            Method::PATCH,
            "protection-groups?names=pg1",
            Some(schedule),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["items"][0]["replication_schedule"]["blackout"]["start"],
        next_hour * HOUR_MS
    );

    source
        .sim
        .simulator
        .advance_clock(Duration::from_secs(HOUR_MS / 1000));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    source_token = source.session().await;
    assert!(
        source
            .group_snapshot_names(&source_token, "pg1.")
            .await
            .is_empty(),
        "nothing is sent in the blackout"
    );

    let clear = json!({"replication_schedule": {"blackout": ""}});
    let (status, body) = source
        .call(
            &source_token,
            Method::PATCH,
            "protection-groups?names=pg1",
            Some(clear),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["items"][0]["replication_schedule"]["blackout"].is_null());
    source
        .sim
        .simulator
        .advance_clock(Duration::from_secs(HOUR_MS / 1000));
    target.receives(&target_token, "fa-src:pg1.1").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_of_replicate_and_of_a_replication_schedule_name_what_is_wrong() {
    let source = Wire::with_config(SimulatorConfig::new("fa-src")).await;
    let token = source.session().await;
    source
        .call(&token, Method::POST, "protection-groups?names=pg1", None)
        .await;
    let (status, body) = source
        .call(
            &token,
            Method::POST,
            "protection-group-snapshots?source_names=pg1&replicate=true&replicate_now=true",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("replicate_now"))
    );
    for (patch, word) in [
        (json!({"frequency": 60_000}), "frequency"),
        (
            json!({"blackout": {"start": 1_800_000, "end": 7_200_000}}),
            "blackout",
        ),
        (json!({"blackout": "tonight"}), "blackout"),
    ] {
        let (status, body) = source
            .call(
                &token,
                Method::PATCH,
                "protection-groups?names=pg1",
                Some(json!({"replication_schedule": patch})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{patch}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|message| message.contains(word)),
            "{patch}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_array_that_knows_the_sources_key_cannot_send_snapshots_in_its_name() {
    let (source, target, _, target_token) = replicating_pair(Seed::Empty, Seed::Empty, "pg1").await;
    // Every array the source connects to learns its connection key in the handshake.
    let known_key = source.connection_key().await;
    let forged = json!({
        "secret": known_key,
        "source": "fa-src",
        "group": "pg1",
        "suffix": "666",
        "created": 1,
        "started": 1,
        "completed": 2,
        "bytes": 0,
        "retention": {"all_for_sec": 86400, "per_day": 4, "days": 7},
        "volumes": [],
    });
    let refused = target
        .http
        .post(target.url("/sim/peer/snapshots"))
        .json(&forged)
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        target
            .group_snapshot_names(&target_token, "fa-src:pg1.666")
            .await
            .is_empty()
    );
}
