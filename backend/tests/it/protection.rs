//! Data protection through the portal's API: snapshots, restores with a safety snapshot,
//! copies, protection groups and the recycle bin.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{ARRAY, TestApp};

const GIB: u64 = 1 << 30;

fn path(rest: &str) -> String {
    format!("/api/arrays/{ARRAY}/{rest}")
}

async fn volume(app: &TestApp, cookie: &str, name: &str, size: u64) {
    let (status, _, body) = app
        .call(
            "POST",
            &path("volumes"),
            Some(cookie),
            Some(json!({"name": name, "provisioned": size})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|item| item["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test]
async fn a_restore_needs_confirmation_and_keeps_a_safety_snapshot() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    volume(&app, &cookie, "vol1", GIB).await;
    let (status, _, _) = app
        .call(
            "POST",
            &path("volume-snapshots"),
            Some(&cookie),
            Some(json!({"volumes": ["vol1"], "suffix": "before"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.call(
        "PATCH",
        &path("volumes/vol1"),
        Some(&cookie),
        Some(json!({"provisioned": 2 * GIB})),
    )
    .await;

    let (status, _, body) = app
        .call(
            "POST",
            &path("volumes/vol1/restore"),
            Some(&cookie),
            Some(json!({"snapshot": "vol1.before", "safety_snapshot": true})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "overwrite");
    assert_eq!(
        app.sim.simulator.volume("vol1").expect("vol1").provisioned,
        2 * GIB
    );

    let (status, _, body) = app
        .call(
            "POST",
            &path("volumes/vol1/restore"),
            Some(&cookie),
            Some(json!({"snapshot": "vol1.before", "safety_snapshot": true, "overwrite": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["volume"]["provisioned"], GIB);
    let safety = body["safety_snapshot"]["name"].as_str().expect("safety");
    assert!(safety.starts_with("vol1.safety-"), "{safety}");
    assert_eq!(body["safety_snapshot"]["provisioned"], 2 * GIB);

    let (_, _, timeline) = app
        .call(
            "GET",
            &path("volume-snapshots?volume=vol1"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(names(&timeline)[0], "vol1.before", "oldest first");
    assert_eq!(names(&timeline).len(), 2);

    let (status, _, body) = app
        .call(
            "POST",
            &path("volumes/copy"),
            Some(&cookie),
            Some(json!({"source": "vol1.before", "name": "vol1"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "copies never overwrite");
    assert_eq!(body["field"], "name");
    let (status, _, _) = app
        .call(
            "POST",
            &path("volumes/copy"),
            Some(&cookie),
            Some(json!({"source": "vol1.before", "name": "vol1-copy"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn protection_groups_take_members_schedules_and_snapshots() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    volume(&app, &cookie, "db-data", GIB).await;
    volume(&app, &cookie, "db-log", GIB).await;
    let (status, _, _) = app
        .call(
            "POST",
            &path("protection-groups"),
            Some(&cookie),
            Some(json!({"name": "pg-db"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, detail) = app
        .call(
            "POST",
            &path("protection-groups/pg-db/members"),
            Some(&cookie),
            Some(json!({"kind": "volumes", "names": ["db-data", "db-log"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["member_kind"], "volumes");
    assert_eq!(detail["group"]["volume_count"], 2);
    let (status, _, body) = app
        .call(
            "POST",
            &path("protection-groups/pg-db/members"),
            Some(&cookie),
            Some(json!({"kind": "hosts", "names": ["nohost"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, _, group) = app
        .call(
            "PATCH",
            &path("protection-groups/pg-db"),
            Some(&cookie),
            Some(json!({"snapshot_schedule": {"enabled": true, "frequency": 3_600_000}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_eq!(group["snapshot_schedule"]["enabled"], true);

    let (status, _, taken) = app
        .call(
            "POST",
            &path("protection-groups/pg-db/snapshots"),
            Some(&cookie),
            Some(json!({"suffix": "now", "apply_retention": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    assert_eq!(taken["snapshot"]["name"], "pg-db.now");
    assert_eq!(
        names(&taken["volumes"]),
        ["pg-db.now.db-data", "pg-db.now.db-log"]
    );
    let (_, _, listed) = app
        .call(
            "GET",
            &path("protection-groups/pg-db/snapshots"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(listed[0]["snapshot"]["name"], "pg-db.now");
}

#[tokio::test]
async fn the_recycle_bin_lists_destroyed_objects_and_only_admins_eradicate() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    volume(&app, &operator, "gone", GIB).await;
    app.call(
        "PATCH",
        &path("volumes/gone"),
        Some(&operator),
        Some(json!({"destroyed": true})),
    )
    .await;
    app.call(
        "POST",
        &path("protection-groups"),
        Some(&operator),
        Some(json!({"name": "pg-gone"})),
    )
    .await;
    app.call(
        "PATCH",
        &path("protection-groups/pg-gone"),
        Some(&operator),
        Some(json!({"destroyed": true})),
    )
    .await;

    let (status, _, bin) = app
        .call("GET", "/api/recycle-bin", Some(&operator), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<(&str, &str)> = bin["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["kind"].as_str().expect("kind"),
                item["name"].as_str().expect("name"),
            )
        })
        .collect();
    assert!(kinds.contains(&("volume", "gone")), "{bin}");
    assert!(kinds.contains(&("protection_group", "pg-gone")), "{bin}");
    assert!(bin["items"][0]["time_remaining"].as_i64().expect("time") > 0);

    let action = json!({"array": ARRAY, "kind": "volume", "name": "gone"});
    let (status, _, _) = app
        .call(
            "POST",
            "/api/recycle-bin/eradicate",
            Some(&operator),
            Some(action.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app
        .call(
            "POST",
            "/api/recycle-bin/recover",
            Some(&operator),
            Some(json!({"array": ARRAY, "kind": "protection_group", "name": "pg-gone"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let admin = app.login("admin").await;
    let (status, _, _) = app
        .call(
            "POST",
            "/api/recycle-bin/eradicate",
            Some(&admin),
            Some(action),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(app.sim.simulator.volume("gone").is_none());
}
