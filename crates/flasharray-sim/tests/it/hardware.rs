//! The array's hardware on the wire: every read shaped as REST 2.52 describes it, and a part
//! failed through the control endpoint showing in the listings and the alerts.

use std::path::Path;

use flasharray_sim::{Seed, SimulatorConfig};
use reqwest::Method;
use serde_json::{Value, json};
use test_support::python;

use crate::Wire;

const HARDWARE_READS: [&str; 6] = [
    "controllers",
    "drives",
    "hardware",
    "ports",
    "network-interfaces",
    "arrays/eula",
];
/// Reads of the array's administration and load, checked the same way.
const OTHER_READS: [&str; 14] = [
    "admins?expose_api_token=true",
    "hosts/performance",
    "array-connections",
    "array-connections/connection-key",
    "protection-groups",
    "protection-groups/targets",
    "protection-group-snapshots",
    "protection-group-snapshots/transfer",
    "protection-groups/performance/replication",
    "pods",
    "pods/arrays",
    "pod-replica-links",
    "pod-replica-links/lag",
    "volumes?names=app::db",
];
/// Reads of what the simulated arrays never hold: only their page can be checked.
const EMPTY_READS: [&str; 1] = ["volume-groups"];

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().expect("items")
}

#[tokio::test(flavor = "multi_thread")]
async fn hardware_and_other_reads_match_the_rest_2_52_schemas() {
    let wire = Wire::with_config(SimulatorConfig::new("fa-schema").seed(Seed::Demo)).await;
    let token = wire.session().await;
    wire.call(
        &token,
        Method::POST,
        "admins/api-tokens?names=pureuser",
        None,
    )
    .await;
    let peer = Wire::start().await;
    let (status, body) = wire.connect_to(&token, &peer).await;
    assert_eq!(status, 200, "{body}");
    wire.call(&token, Method::POST, "protection-groups?names=pg-dr", None)
        .await;
    let target = format!(
        "protection-groups/targets?group_names=pg-dr&member_names={}",
        body["items"][0]["name"].as_str().unwrap_or_default()
    );
    let (status, body) = wire.call(&token, Method::POST, &target, None).await;
    assert_eq!(status, 200, "{body}");
    let peer_name = target.rsplit('=').next().unwrap_or_default();
    let peer_token = peer.session().await;
    peer.call(&peer_token, Method::POST, "pods?names=app-dr", None)
        .await;
    let demote = json!({"requested_promotion_state": "demoted"});
    peer.call(
        &peer_token,
        Method::PATCH,
        "pods?names=app-dr",
        Some(demote),
    )
    .await;
    wire.call(&token, Method::POST, "pods?names=app", None)
        .await;
    let volume = json!({"provisioned": 1u64 << 30});
    wire.call(&token, Method::POST, "volumes?names=app::db", Some(volume))
        .await;
    let link = format!(
        "pod-replica-links?local_pod_names=app&remote_pod_names=app-dr&remote_names={peer_name}"
    );
    let (status, body) = wire.call(&token, Method::POST, &link, None).await;
    assert_eq!(status, 200, "{body}");
    // The lag history has a sample once the link has sent and ticked again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, lag) = wire
            .call(&token, Method::GET, "pod-replica-links/lag", None)
            .await;
        if !items(&lag).is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no lag sampled: {lag}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let replicate = "protection-group-snapshots?source_names=pg-dr&replicate_now=true";
    let (status, body) = wire.call(&token, Method::POST, replicate, None).await;
    assert_eq!(status, 200, "{body}");
    let mut answers = serde_json::Map::new();
    for path in HARDWARE_READS
        .iter()
        .chain(&OTHER_READS)
        .chain(&EMPTY_READS)
    {
        let (status, body) = wire.call(&token, Method::GET, path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let path = path.split('?').next().unwrap_or(path);
        answers.insert(path.to_owned(), body);
    }
    assert!(
        answers["admins"]["items"][0]["api_token"]["token"].is_string(),
        "the owner asked to see it: {}",
        answers["admins"]
    );
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("answers.json");
    std::fs::write(&file, Value::Object(answers).to_string()).expect("written");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = manifest.join("../../../shared/reference/flasharray-rest-2.52-openapi.yml");
    let spec = spec.to_str().expect("path").to_owned();
    let file = file.to_str().expect("path").to_owned();
    tokio::task::block_in_place(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyyaml");
        let python = python::venv_python(&venv, "PyYAML==6.0.3");
        python::run_scenario(
            &python,
            &manifest.join("tests/python/schema_check.py"),
            &[
                ("SPEC", spec),
                ("ANSWERS", file),
                ("LISTING_NOTHING", EMPTY_READS.join(",")),
            ]
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect::<Vec<_>>(),
        );
    });
}

#[tokio::test]
async fn a_failed_part_shows_where_the_array_lists_it_and_raises_its_alert_until_repaired() {
    let wire = Wire::with_config(SimulatorConfig::new("fa-parts").model("FA-X20R4")).await;
    let token = wire.session().await;
    let (_, drives) = wire.call(&token, Method::GET, "drives", None).await;
    let present = items(&drives)
        .iter()
        .filter(|drive| drive["status"] != "empty")
        .count();
    assert_eq!(present, 12, "an X20's ten flash and two NVRAM modules");

    let part = |name: &str, state: Value| {
        wire.http
            .put(wire.url(&format!("/sim/parts/{name}")))
            .json(&state)
            .send()
    };
    let failed = part("CH0.BAY3", json!({"failed": true}))
        .await
        .expect("sent");
    assert_eq!(failed.status(), 204);
    let unknown = part("CH0.BAY99", json!({"failed": true}))
        .await
        .expect("sent");
    assert_eq!(unknown.status(), 404);
    part("CT1", json!({"failed": true})).await.expect("sent");

    let (_, drives) = wire
        .call(&token, Method::GET, "drives?filter=status='failed'", None)
        .await;
    let names: Vec<&str> = items(&drives)
        .iter()
        .map(|drive| drive["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["CH0.BAY3"]);
    let (_, controllers) = wire
        .call(&token, Method::GET, "controllers?names=CT1", None)
        .await;
    assert_eq!(items(&controllers)[0]["status"], "not ready");
    let (_, alerts) = wire
        .call(&token, Method::GET, "alerts?filter=state='open'", None)
        .await;
    let mut open: Vec<(i64, &str)> = items(&alerts)
        .iter()
        .map(|alert| {
            (
                alert["code"].as_i64().expect("code"),
                alert["component_name"].as_str().expect("component"),
            )
        })
        .collect();
    open.sort_unstable();
    assert_eq!(open, [(1, "CT1"), (13, "CH0.BAY3")]);

    part("CH0.BAY3", json!({"failed": false}))
        .await
        .expect("sent");
    let (_, alerts) = wire
        .call(&token, Method::GET, "alerts?filter=code=13", None)
        .await;
    assert_eq!(items(&alerts)[0]["state"], "closed");
}

#[tokio::test]
async fn naming_a_pod_or_volume_group_the_array_lacks_is_refused_in_its_words() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    for (path, kind) in [
        ("pods?names=pod1", "Pod"),
        ("volume-groups?names=vg1", "Volume group"),
    ] {
        let (status, body) = wire.call(&token, Method::GET, path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
        let message = body["errors"][0]["message"].as_str().expect("message");
        assert!(message.contains(kind), "{path}: {message}");
    }
}
