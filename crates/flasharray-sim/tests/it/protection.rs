//! Data protection on the wire: volume snapshots, copies and restores, protection groups,
//! their schedule and retention.

use std::time::Duration;

use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::Wire;

const GIB: u64 = 1 << 30;
const HOUR_MS: u64 = 3_600_000;

fn item<'a>(body: &'a Value, field: &str) -> &'a Value {
    &body["items"][0][field]
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list, not {body}"))
        .iter()
        .map(|item| item["name"].as_str().expect("name").to_owned())
        .collect()
}

fn refusal(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .expect("error message")
        .to_owned()
}

async fn volume(wire: &Wire, token: &str, name: &str, size: u64) {
    let (status, body) = wire
        .call(
            token,
            Method::POST,
            &format!("volumes?names={name}"),
            Some(json!({"provisioned": size})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_snapshot_restores_a_volume_only_with_overwrite_and_copies_to_a_new_one() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", GIB).await;

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volume-snapshots?source_names=vol1",
            Some(json!({"suffix": "before"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(item(&body, "name"), "vol1.before");
    assert_eq!(item(&body, "source")["name"], "vol1");
    assert_eq!(item(&body, "provisioned"), GIB);

    let (_, numbered) = wire
        .call(
            &token,
            Method::POST,
            "volume-snapshots?source_names=vol1",
            Some(json!({})),
        )
        .await;
    assert_eq!(item(&numbered, "name"), "vol1.1");
    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volume-snapshots?source_names=vol1",
            Some(json!({"suffix": "before"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refusal(&body), "Snapshot already exists.");

    let (status, _) = wire
        .call(
            &token,
            Method::PATCH,
            "volumes?names=vol1",
            Some(json!({"provisioned": 2 * GIB})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let restore = json!({"source": {"name": "vol1.before"}});
    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volumes?names=vol1",
            Some(restore.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refusal(&body).contains("overwrite=true"), "{body}");
    assert_eq!(
        wire.sim.simulator.volume("vol1").expect("vol1").provisioned,
        2 * GIB
    );

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volumes?names=vol1&overwrite=true",
            Some(restore.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(item(&body, "provisioned"), GIB);
    assert_eq!(item(&body, "source")["name"], "vol1");

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volumes?names=vol1-copy",
            Some(restore),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let copy = wire.sim.simulator.volume("vol1-copy").expect("copy");
    let original = wire.sim.simulator.volume("vol1").expect("vol1");
    assert_eq!(copy.provisioned, GIB);
    assert_ne!(copy.serial, original.serial);

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volumes?names=other",
            Some(json!({"source": {"name": "vol1.missing"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["context"], "vol1.missing");
}

#[tokio::test]
async fn snapshots_of_several_volumes_are_one_consistent_set_listed_by_source() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "db-data", GIB).await;
    volume(&wire, &token, "db-log", GIB).await;
    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volume-snapshots?source_names=db-data,db-log",
            Some(json!({"suffix": "nightly"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["db-data.nightly", "db-log.nightly"]);
    assert_eq!(body["items"][0]["created"], body["items"][1]["created"]);

    let (_, listed) = wire
        .call(
            &token,
            Method::GET,
            "volume-snapshots?source_names=db-log",
            None,
        )
        .await;
    assert_eq!(names(&listed), ["db-log.nightly"]);

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volume-snapshots?source_names=db-data,nope",
            Some(json!({"suffix": "again"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["context"], "nope");
    let (_, all) = wire
        .call(&token, Method::GET, "volume-snapshots", None)
        .await;
    assert_eq!(names(&all).len(), 2, "a refused set must create nothing");
}

#[tokio::test]
async fn snapshots_rename_destroy_recover_and_eradicate_and_follow_their_volume() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", GIB).await;
    wire.call(
        &token,
        Method::POST,
        "volume-snapshots?source_names=vol1",
        Some(json!({"suffix": "a"})),
    )
    .await;

    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "volume-snapshots?names=vol1.a",
            Some(json!({"name": "vol1.b"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(item(&body, "name"), "vol1.b");
    assert_eq!(item(&body, "suffix"), "b");

    let (status, body) = wire
        .call(
            &token,
            Method::DELETE,
            "volume-snapshots?names=vol1.b",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refusal(&body).contains("must be destroyed"), "{body}");

    wire.call(
        &token,
        Method::PATCH,
        "volumes?names=vol1",
        Some(json!({"destroyed": true})),
    )
    .await;
    let (_, body) = wire
        .call(&token, Method::GET, "volume-snapshots?names=vol1.b", None)
        .await;
    assert_eq!(
        item(&body, "destroyed"),
        true,
        "destroying a volume destroys its snapshots"
    );
    assert!(
        item(&body, "time_remaining")
            .as_i64()
            .expect("time_remaining")
            > 0
    );
    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "volume-snapshots?names=vol1.b",
            Some(json!({"destroyed": false})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refusal(&body).contains("Recover the volume first"),
        "{body}"
    );

    wire.call(
        &token,
        Method::PATCH,
        "volumes?names=vol1",
        Some(json!({"destroyed": false})),
    )
    .await;
    let (_, body) = wire
        .call(&token, Method::GET, "volume-snapshots?names=vol1.b", None)
        .await;
    assert_eq!(
        item(&body, "destroyed"),
        false,
        "recovering the volume recovers them"
    );

    wire.call(
        &token,
        Method::PATCH,
        "volume-snapshots?names=vol1.b",
        Some(json!({"destroyed": true})),
    )
    .await;
    let (status, _) = wire
        .call(
            &token,
            Method::DELETE,
            "volume-snapshots?names=vol1.b",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = wire
        .call(&token, Method::GET, "volume-snapshots?names=vol1.b", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(refusal(&body), "Snapshot does not exist.");
}

#[tokio::test]
async fn a_protection_group_protects_one_kind_and_its_snapshots_hold_each_volume() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "app-data", GIB).await;
    volume(&wire, &token, "app-log", GIB).await;
    wire.call(
        &token,
        Method::POST,
        "hosts?names=app-host",
        Some(json!({"iqns": ["iqn.2001-04.com.example:app"]})),
    )
    .await;
    let (status, _) = wire
        .call(&token, Method::POST, "protection-groups?names=app-pg", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "protection-groups/volumes?group_names=app-pg&member_names=app-data,app-log",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "protection-groups/hosts?group_names=app-pg&member_names=app-host",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refusal(&body).contains("one kind"), "{body}");

    let (_, members) = wire
        .call(
            &token,
            Method::GET,
            "volumes/protection-groups?member_names=app-log",
            None,
        )
        .await;
    assert_eq!(members["items"][0]["group"]["name"], "app-pg");

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "protection-group-snapshots?source_names=app-pg",
            Some(json!({"suffix": "adhoc"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(item(&body, "name"), "app-pg.adhoc");
    let (_, inside) = wire
        .call(
            &token,
            Method::GET,
            "volume-snapshots?filter=name='app-pg.adhoc.*'",
            None,
        )
        .await;
    assert_eq!(
        names(&inside),
        ["app-pg.adhoc.app-data", "app-pg.adhoc.app-log"]
    );

    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "volume-snapshots?names=app-pg.adhoc.app-log",
            Some(json!({"destroyed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refusal(&body).contains("protection group snapshot"),
        "{body}"
    );

    let (status, body) = wire
        .call(
            &token,
            Method::POST,
            "volumes?names=app-log-restored",
            Some(json!({"source": {"name": "app-pg.adhoc.app-log"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(item(&body, "source")["name"], "app-log");

    wire.call(
        &token,
        Method::PATCH,
        "protection-group-snapshots?names=app-pg.adhoc",
        Some(json!({"destroyed": true})),
    )
    .await;
    let (_, inside) = wire
        .call(
            &token,
            Method::GET,
            "volume-snapshots?names=app-pg.adhoc.app-data",
            None,
        )
        .await;
    assert_eq!(item(&inside, "destroyed"), true);
    let (status, _) = wire
        .call(
            &token,
            Method::DELETE,
            "protection-group-snapshots?names=app-pg.adhoc",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, left) = wire
        .call(&token, Method::GET, "volume-snapshots", None)
        .await;
    assert!(
        names(&left).is_empty(),
        "eradicating the group snapshot eradicates its volume snapshots"
    );
}

#[tokio::test]
async fn the_schedule_takes_snapshots_as_time_passes_and_retention_prunes_them() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", GIB).await;
    wire.call(&token, Method::POST, "protection-groups?names=hourly", None)
        .await;
    wire.call(
        &token,
        Method::POST,
        "protection-groups/volumes?group_names=hourly&member_names=vol1",
        None,
    )
    .await;
    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "protection-groups?names=hourly",
            Some(json!({
                "snapshot_schedule": {"enabled": true, "frequency": HOUR_MS},
                "source_retention": {"all_for_sec": 7200, "per_day": 2, "days": 1}
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, none_yet) = wire
        .call(&token, Method::GET, "protection-group-snapshots", None)
        .await;
    assert!(names(&none_yet).is_empty());

    wire.sim
        .simulator
        .clock
        .advance(Duration::from_millis(30 * HOUR_MS));
    // The session went idle while time passed, as it would on an array.
    let token = wire.session().await;
    let (_, live) = wire
        .call(
            &token,
            Method::GET,
            "protection-group-snapshots?source_names=hourly&destroyed=false&sort=created",
            None,
        )
        .await;
    let (_, pruned) = wire
        .call(
            &token,
            Method::GET,
            "protection-group-snapshots?destroyed=true",
            None,
        )
        .await;
    // Every snapshot of the last 2 hours, then the newest of each half day for one day.
    assert_eq!(names(&live).len(), 4, "{live}");
    assert!(names(&pruned).len() >= 22, "{pruned}");
    let created: Vec<i64> = live["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|snapshot| snapshot["created"].as_i64().expect("created"))
        .collect();
    assert!(
        created.iter().all(|at| at % HOUR_MS as i64 == 0),
        "taken on the hour: {created:?}"
    );

    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "protection-groups?names=hourly",
            Some(json!({"snapshot_schedule": {"frequency": 60_000}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refusal(&body).contains("5 minutes"), "{body}");

    // `at` is seconds after midnight, as REST 2.x says: a daily schedule at 02:00 is 7200.
    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "protection-groups?names=hourly",
            Some(json!({"snapshot_schedule": {"frequency": 24 * HOUR_MS, "at": 7200}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    wire.sim
        .simulator
        .clock
        .advance(Duration::from_millis(50 * HOUR_MS));
    let token = wire.session().await;
    let (_, daily) = wire
        .call(
            &token,
            Method::GET,
            "protection-group-snapshots?source_names=hourly&destroyed=false&sort=-created&limit=1",
            None,
        )
        .await;
    let newest = daily["items"][0]["created"].as_i64().expect("created");
    assert_eq!(
        newest.rem_euclid(24 * HOUR_MS as i64),
        2 * HOUR_MS as i64,
        "taken at 02:00: {daily}"
    );
    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "protection-groups?names=hourly",
            Some(json!({"snapshot_schedule": {"at": 86_400}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(refusal(&body).contains("seconds after midnight"), "{body}");
    // An hourly schedule keeps an `at` it does not use, as the array's description says.
    let (status, body) = wire
        .call(
            &token,
            Method::PATCH,
            "protection-groups?names=hourly",
            Some(json!({"snapshot_schedule": {"frequency": HOUR_MS, "at": 3600}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn destroying_a_group_destroys_its_snapshots_until_recovered_or_eradicated() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", GIB).await;
    wire.call(&token, Method::POST, "protection-groups?names=pg1", None)
        .await;
    wire.call(
        &token,
        Method::POST,
        "protection-groups/volumes?group_names=pg1&member_names=vol1",
        None,
    )
    .await;
    wire.call(
        &token,
        Method::POST,
        "protection-group-snapshots?source_names=pg1",
        Some(json!({})),
    )
    .await;
    let (status, body) = wire
        .call(&token, Method::DELETE, "protection-groups?names=pg1", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refusal(&body).contains("must be destroyed"), "{body}");

    wire.call(
        &token,
        Method::PATCH,
        "protection-groups?names=pg1",
        Some(json!({"destroyed": true})),
    )
    .await;
    let (_, snapshots) = wire
        .call(
            &token,
            Method::GET,
            "protection-group-snapshots?names=pg1.1",
            None,
        )
        .await;
    assert_eq!(item(&snapshots, "destroyed"), true);
    wire.call(
        &token,
        Method::PATCH,
        "protection-groups?names=pg1",
        Some(json!({"destroyed": false})),
    )
    .await;
    let (_, snapshots) = wire
        .call(
            &token,
            Method::GET,
            "protection-group-snapshots?names=pg1.1",
            None,
        )
        .await;
    assert_eq!(item(&snapshots, "destroyed"), false);

    wire.call(
        &token,
        Method::PATCH,
        "protection-groups?names=pg1",
        Some(json!({"destroyed": true})),
    )
    .await;
    wire.sim
        .simulator
        .clock
        .advance(Duration::from_millis(25 * HOUR_MS));
    // The session went idle while time passed, as it would on an array.
    let token = wire.session().await;
    let (_, groups) = wire
        .call(&token, Method::GET, "protection-groups", None)
        .await;
    assert!(
        names(&groups).is_empty(),
        "eradicated when the delay ran out"
    );
    let (_, snapshots) = wire
        .call(&token, Method::GET, "volume-snapshots", None)
        .await;
    assert!(names(&snapshots).is_empty());
}

#[tokio::test]
async fn space_adds_up_and_performance_is_deterministic() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", GIB).await;
    let (status, space) = wire.call(&token, Method::GET, "arrays/space", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item(&space, "space")["total_provisioned"], GIB);
    assert!(item(&space, "capacity").as_u64().expect("capacity") > 0);
    let (status, volumes) = wire
        .call(&token, Method::GET, "volumes/space?names=vol1", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item(&volumes, "space")["total_provisioned"], GIB);
    let (_, first) = wire
        .call(&token, Method::GET, "volumes/performance?names=vol1", None)
        .await;
    let (_, second) = wire
        .call(&token, Method::GET, "volumes/performance?names=vol1", None)
        .await;
    assert_eq!(
        item(&first, "reads_per_sec"),
        item(&second, "reads_per_sec")
    );
    let (status, _) = wire
        .call(&token, Method::GET, "arrays/performance", None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Group `pg1` holding `vol1`, with one snapshot, `pg1.1`.
async fn group_with_a_snapshot(wire: &Wire, token: &str) {
    for path in [
        "protection-groups?names=pg1",
        "protection-groups/volumes?group_names=pg1&member_names=vol1",
        "protection-group-snapshots?source_names=pg1",
    ] {
        let (status, body) = wire.call(token, Method::POST, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
}

#[tokio::test]
async fn a_ratcheted_group_refuses_what_would_let_its_snapshots_go_early() {
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", 1 << 30).await;
    let call = |method: Method, path: &'static str, body: Option<Value>| {
        let (wire, token) = (&wire, &token);
        async move { wire.call(token, method, path, body).await }
    };
    group_with_a_snapshot(&wire, &token).await;
    let group = "protection-groups?names=pg1";
    let fields_in_order = json!([null, null, null, null, null, null, "ratcheted"]);
    let (status, body) = call(Method::PATCH, group, Some(fields_in_order)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a body is an object: {body}"
    );
    let (status, body) = call(
        Method::PATCH,
        group,
        Some(json!({"retention_lock": "locked"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(refusal(&body).contains("retention_lock"), "{body}");
    let (status, body) = call(
        Method::PATCH,
        group,
        Some(json!({"retention_lock": "ratcheted"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, listed) = call(Method::GET, group, None).await;
    assert_eq!(item(&listed, "retention_lock"), "ratcheted");
    assert_eq!(
        item(&listed, "eradication_config")["manual_eradication"],
        "disabled"
    );

    for (method, path, body) in [
        (Method::PATCH, group, Some(json!({"destroyed": true}))),
        (
            Method::PATCH,
            group,
            Some(json!({"snapshot_schedule": {"enabled": false}})),
        ),
        (
            Method::PATCH,
            group,
            Some(json!({"source_retention": {"days": 1}})),
        ),
        (
            Method::PATCH,
            group,
            Some(json!({"retention_lock": "unlocked"})),
        ),
        (
            Method::DELETE,
            "protection-groups/volumes?group_names=pg1&member_names=vol1",
            None,
        ),
    ] {
        let (status, answer) = call(method.clone(), path, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method} {path} {body:?}: {answer}"
        );
        let message = refusal(&answer);
        assert!(
            message.contains("SafeMode") || message.contains("Pure Technical Services"),
            "{message}"
        );
    }
    let (status, body) = call(
        Method::PATCH,
        group,
        Some(json!({"source_retention": {"days": 30}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "keeping more is allowed: {body}");
    let (status, body) = call(
        Method::PATCH,
        "protection-group-snapshots?names=pg1.1",
        Some(json!({"destroyed": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        Method::DELETE,
        "protection-group-snapshots?names=pg1.1",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not eradicated: {body}");
    assert!(refusal(&body).contains("SafeMode"), "{body}");
}

#[tokio::test]
async fn an_arrays_eradication_delays_are_whole_days_and_what_safemode_keeps_waits_its_own() {
    const DAY: i64 = 86_400_000;
    let wire = Wire::start().await;
    let token = wire.session().await;
    volume(&wire, &token, "vol1", 1 << 30).await;
    let call = |method: Method, path: &'static str, body: Option<Value>| {
        let (wire, token) = (&wire, &token);
        async move { wire.call(token, method, path, body).await }
    };
    let config = |array: &Value| item(array, "eradication_config").clone();
    let (_, array) = call(Method::GET, "arrays", None).await;
    assert_eq!(
        config(&array),
        json!({"enabled_delay": DAY, "disabled_delay": DAY, "eradication_delay": DAY, "manual_eradication": "all-enabled"})
    );
    let patch = |delays: Value| Some(json!({ "eradication_config": delays }));
    let (status, body) = call(
        Method::PATCH,
        "arrays",
        patch(json!({"enabled_delay": 3 * DAY + 5})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        config(&body)["enabled_delay"],
        3 * DAY,
        "rounded down to a day"
    );
    assert!(
        config(&body).get("eradication_delay").is_none(),
        "the delays differ: {body}"
    );
    for (refused, names) in [
        (patch(json!({"enabled_delay": 31 * DAY})), "enabled_delay"),
        (patch(json!({"disabled_delay": DAY - 1})), "disabled_delay"),
        (
            patch(json!({"eradication_delay": DAY})),
            "eradication_delay",
        ),
        (Some(json!({"banner": "hello"})), "banner"),
    ] {
        let (status, body) = call(Method::PATCH, "arrays", refused.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused:?}: {body}");
        assert!(refusal(&body).contains(names), "{refused:?}: {body}");
    }

    group_with_a_snapshot(&wire, &token).await;
    let locked = Some(json!({"retention_lock": "ratcheted"}));
    call(Method::PATCH, "protection-groups?names=pg1", locked).await;
    let safemode_delay = |days: i64| {
        call(
            Method::PATCH,
            "arrays",
            patch(json!({ "disabled_delay": days * DAY })),
        )
    };
    let (status, body) = safemode_delay(7).await;
    assert_eq!(status, StatusCode::OK, "keeping longer is allowed: {body}");
    assert_eq!(config(&body)["manual_eradication"], "partially-disabled");
    let (status, body) = safemode_delay(2).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(refusal(&body).contains("Pure Technical Services"), "{body}");

    let destroy = Some(json!({"destroyed": true}));
    call(
        Method::PATCH,
        "protection-group-snapshots?names=pg1.1",
        destroy.clone(),
    )
    .await;
    call(Method::PATCH, "volumes?names=vol1", destroy).await;
    for (path, days) in [
        ("protection-group-snapshots?names=pg1.1", 7),
        ("volumes?names=vol1&destroyed=true", 3),
    ] {
        let (_, listed) = call(Method::GET, path, None).await;
        let left = item(&listed, "time_remaining")
            .as_i64()
            .expect("time remaining");
        assert!(
            ((days - 1) * DAY..=days * DAY).contains(&left),
            "{days} days: {listed}"
        );
    }
}
