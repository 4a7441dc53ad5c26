//! Connecting two managed arrays for replication: one step for an admin, checked on both
//! arrays; the connection key never leaves the server; the same gate as every change (role,
//! the caller's arrays, the two-person rule).

use axum::http::StatusCode;
use backend::clock::unix_now;
use backend::config::ApprovalsConfig;
use backend::identity::passwords::hash_password;
use flasharray_sim::SimulatorConfig;
use serde_json::json;
use shared::api::{Action, REASON_HEADER, Role};

use crate::{ARRAY, PASSWORD, TestApp, TestOptions, direct, request};

pub(crate) const DR: &str = "fa-dr";

pub(crate) async fn pair(approvals: Vec<Action>) -> TestApp {
    let app = TestApp::with(TestOptions {
        fleet: vec![SimulatorConfig::new(DR).purity("6.5")],
        approvals: ApprovalsConfig {
            actions: approvals,
            expiry_hours: 24,
        },
        ..TestOptions::default()
    })
    .await;
    let hash = hash_password(PASSWORD).expect("hash");
    app.db
        .create_user("admin2", &hash, Role::Admin, unix_now())
        .await
        .expect("second admin");
    app
}

/// The names each array lists as connected, read on the arrays themselves.
async fn connected(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let names = |connections: Vec<shared::flasharray::ArrayConnection>| {
        connections.into_iter().map(|c| c.name).collect::<Vec<_>>()
    };
    let here = direct(&app.sim, ARRAY)
        .array_connections()
        .await
        .expect("list");
    let there = direct(&app.fleet[0], DR)
        .array_connections()
        .await
        .expect("list");
    (names(here), names(there))
}

fn connections_path() -> String {
    format!("/api/arrays/{ARRAY}/array-connections")
}

/// `POST …/array-connections` with `body`, as the user of `cookie`.
pub(crate) async fn ask_to_connect(
    app: &TestApp,
    cookie: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let (status, _, answer) = app
        .call("POST", &connections_path(), Some(cookie), Some(body))
        .await;
    (status, answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_connects_two_arrays_in_one_step_and_the_key_stays_on_the_server() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    let key = direct(&app.fleet[0], DR)
        .connection_key()
        .await
        .expect("key");

    let (status, made) = ask_to_connect(&app, &admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["name"], DR);
    assert_eq!(made["status"], "connected");
    assert_eq!(made["version"], "6.5.10");
    assert_eq!(
        connected(&app).await,
        (vec![DR.to_owned()], vec![ARRAY.to_owned()]),
        "both arrays list the connection"
    );

    let viewer = app.login("viewer").await;
    let (status, _, listed) = app
        .call("GET", &connections_path(), Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed[0]["name"], DR);
    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    assert!(
        audit.to_string().contains("array_connection.create"),
        "audited: {audit}"
    );
    for answer in [&made, &listed, &audit] {
        assert!(
            !answer.to_string().contains(&key),
            "the connection key never leaves the server"
        );
    }

    let (status, again) = ask_to_connect(&app, &admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");
    assert!(
        again["message"]
            .as_str()
            .is_some_and(|m| m.contains("already connected")),
        "the array's own words: {again}"
    );

    let remove = format!("{}/{DR}", connections_path());
    let (status, _, body) = app.call("DELETE", &remove, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        connected(&app).await,
        (vec![], vec![]),
        "both sides forgot it"
    );
    let (status, _, gone) = app.call("DELETE", &remove, Some(&admin), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{gone}");
    assert_eq!(gone["field"], "remote");
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_is_refused_below_admin_outside_the_callers_arrays_and_for_bad_input() {
    let app = pair(Vec::new()).await;
    let operator = app.login("operator").await;
    let (status, body) = ask_to_connect(&app, &operator, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let admin = app.login("admin").await;
    let local = admin_of(&app, "local-admin", ARRAY).await;
    let (status, body) = ask_to_connect(&app, &local, json!({"remote": DR})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an admin of one array cannot reach the other's key: {body}"
    );

    for (body, field) in [
        (json!({"remote": ""}), "remote"),
        (json!({"remote": ARRAY}), "remote"),
        (json!({"remote": "fa-nowhere"}), "remote"),
        (json!({"remote": DR, "type": "hourly"}), "type"),
    ] {
        let (status, refused) = ask_to_connect(&app, &admin, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {refused}");
        assert_eq!(refused["field"], field, "{body}: {refused}");
    }
    assert_eq!(
        connected(&app).await,
        (vec![], vec![]),
        "nothing was connected"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disconnect_can_be_held_for_a_second_admin() {
    let app = pair(vec![Action::ArrayConnectionDelete]).await;
    let admin = app.login("admin").await;
    let (status, made) = ask_to_connect(&app, &admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let mut held = request(
        "DELETE",
        &format!("{}/{DR}", connections_path()),
        Some(&admin),
        None,
    );
    held.headers_mut().insert(
        REASON_HEADER,
        "CHG-7: DR site retired".parse().expect("header"),
    );
    let (status, _, body) = app.send(held).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        connected(&app).await.0,
        vec![DR.to_owned()],
        "held, not run"
    );

    let second = app.login("admin2").await;
    let id = body["id"].as_i64().expect("id");
    let (status, _, decided) = app
        .call(
            "POST",
            &format!("/api/approvals/{id}/approve"),
            Some(&second),
            Some(json!({"comment": "DR site is gone"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "executed", "{decided}");
    assert_eq!(connected(&app).await, (vec![], vec![]));
}

/// A new admin who may use `array` only.
pub(crate) async fn admin_of(app: &TestApp, username: &str, array: &str) -> String {
    let hash = hash_password(PASSWORD).expect("hash");
    app.db
        .create_scoped_user(
            username,
            &hash,
            Role::Admin,
            Some(&[array.to_owned()]),
            None,
            unix_now(),
        )
        .await
        .expect("scoped admin");
    app.login(username).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_of_one_array_can_neither_disconnect_the_other_nor_approve_what_touches_it() {
    let app = pair(vec![Action::ArrayConnectionCreate]).await;
    let local = admin_of(&app, "local-admin", ARRAY).await;
    let (status, body) = ask_to_connect(&app, &local, json!({"remote": DR})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "refused before it is held for anyone: {body}"
    );

    let admin = app.login("admin").await;
    let mut asked = request(
        "POST",
        &connections_path(),
        Some(&admin),
        Some(json!({"remote": DR})),
    );
    asked
        .headers_mut()
        .insert(REASON_HEADER, "CHG-9: DR site".parse().expect("header"));
    let (status, _, held) = app.send(asked).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    let id = held["id"].as_i64().expect("id");
    let (status, _, refused) = app
        .call(
            "POST",
            &format!("/api/approvals/{id}/approve"),
            Some(&local),
            Some(json!({"comment": "looks fine from here"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the change reads the other array's key, so it is not this admin's to see: {refused}"
    );
    assert_eq!(connected(&app).await, (vec![], vec![]), "nothing ran");
    let second = app.login("admin2").await;
    let (status, _, decided) = app
        .call(
            "POST",
            &format!("/api/approvals/{id}/approve"),
            Some(&second),
            Some(json!({"comment": "both sites agreed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["state"], "executed", "{decided}");

    let (status, _, body) = app
        .call(
            "DELETE",
            &format!("{}/{DR}", connections_path()),
            Some(&local),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the other array would forget it too: {body}"
    );
    assert_eq!(
        connected(&app).await,
        (vec![DR.to_owned()], vec![ARRAY.to_owned()]),
        "still connected on both"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protection_group_replicates_to_the_connected_array_and_is_allowed_there_in_one_step() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    let (status, made) = ask_to_connect(&app, &admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let groups = format!("/api/arrays/{ARRAY}/protection-groups");
    let (status, _, body) = app
        .call(
            "POST",
            &groups,
            Some(&admin),
            Some(json!({"name": "pg-dr"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let targets = format!("{groups}/pg-dr/targets");
    let dr = direct(&app.fleet[0], DR);
    let replicated_here = format!("{ARRAY}:pg-dr");

    let operator = app.login("operator").await;
    let (status, _, body) = app
        .call(
            "POST",
            &targets,
            Some(&operator),
            Some(json!({"remote": DR})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, added) = app
        .call("POST", &targets, Some(&admin), Some(json!({"remote": DR})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["allowed"], true);
    let on_dr = dr.group_targets(&replicated_here).await.expect("targets");
    assert_eq!(on_dr.len(), 1, "the DR array lists {replicated_here}");

    // The DR array's admin disallows it; removed and added again, the portal allows it there.
    dr.allow_group(&replicated_here, DR, false)
        .await
        .expect("disallowed");
    let remove = format!("{targets}/{DR}");
    let (status, _, body) = app.call("DELETE", &remove, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(
        dr.group_targets(&replicated_here)
            .await
            .expect("targets")
            .is_empty()
    );
    let (status, _, added) = app
        .call("POST", &targets, Some(&admin), Some(json!({"remote": DR})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (status, _, listed) = app.call("GET", &targets, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed[0]["member"]["name"], DR);
    assert_eq!(listed[0]["allowed"], true);

    let (status, _, refused) = app
        .call(
            "POST",
            &targets,
            Some(&admin),
            Some(json!({"remote": "fa-nowhere"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "remote");
    let (status, _, refused) = app
        .call(
            "DELETE",
            &format!("{}/{DR}", connections_path()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a target stays connected: {refused}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_of_one_array_cannot_make_it_replicate_to_another_or_stop_it() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    let (status, made) = ask_to_connect(&app, &admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let groups = format!("/api/arrays/{ARRAY}/protection-groups");
    app.call(
        "POST",
        &groups,
        Some(&admin),
        Some(json!({"name": "pg-dr"})),
    )
    .await;
    let targets = format!("{groups}/pg-dr/targets");
    let local = admin_of(&app, "local-admin", ARRAY).await;
    for remote in [DR, "FA-DR", "fa-dr,fa-test"] {
        let (status, _, body) = app
            .call(
                "POST",
                &targets,
                Some(&local),
                Some(json!({"remote": remote})),
            )
            .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::BAD_REQUEST,
            "{remote}: {status} {body}"
        );
    }
    let (status, _, added) = app
        .call("POST", &targets, Some(&admin), Some(json!({"remote": DR})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (status, _, body) = app
        .call("DELETE", &format!("{targets}/{DR}"), Some(&local), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let on_source = direct(&app.sim, ARRAY)
        .group_targets("pg-dr")
        .await
        .expect("targets");
    assert_eq!(on_source.len(), 1, "still replicating");
}

/// Connects the test array to the DR array and makes `pg-dr` replicate there, as `admin`;
/// the group's path.
pub(crate) async fn replicating_to_dr(app: &TestApp, admin: &str) -> String {
    let (status, made) = ask_to_connect(app, admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let groups = format!("/api/arrays/{ARRAY}/protection-groups");
    let (status, _, body) = app
        .call("POST", &groups, Some(admin), Some(json!({"name": "pg-dr"})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let group = format!("{groups}/pg-dr");
    let (status, _, body) = app
        .call(
            "POST",
            &format!("{group}/targets"),
            Some(admin),
            Some(json!({"remote": DR})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    group
}

/// Makes the protection group at `group` replicate every hour, starting with a snapshot
/// replicated now.
pub(crate) async fn replicate_hourly_from_now(app: &TestApp, admin: &str, group: &str) {
    let (status, _, body) = app
        .call(
            "PATCH",
            group,
            Some(admin),
            Some(json!({"replication_schedule": {"enabled": true, "frequency": 3_600_000}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = app
        .call(
            "POST",
            &format!("{group}/snapshots"),
            Some(admin),
            Some(json!({"replicate_now": true})),
        )
        .await;
    assert!(status.is_success(), "{status}: {body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_replicates_a_group_now_and_its_page_shows_the_copy_the_target_holds() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    let group = replicating_to_dr(&app, &admin).await;
    let replication = format!("{group}/replication");
    let (status, _, before) = app.call("GET", &replication, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["targets"][0]["target"], DR);
    assert_eq!(before["targets"][0]["copies"], 0);
    assert!(before["last_transfer"].is_null());

    let operator = app.login("operator").await;
    let (status, _, taken) = app
        .call(
            "POST",
            &format!("{group}/snapshots"),
            Some(&operator),
            Some(json!({"replicate_now": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    let sent = taken["snapshot"]["name"].as_str().expect("name").to_owned();
    let replica = format!("{ARRAY}:{sent}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let after = loop {
        let (status, _, after) = app.call("GET", &replication, Some(&operator), None).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        // The target holds it a moment before the source hears that it arrived.
        if after["targets"][0]["copies"] == 1 && after["last_transfer"]["completed"].is_i64() {
            break after;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never arrived: {after}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(after["targets"][0]["newest"]["name"], replica.as_str());
    assert!(
        after["targets"][0]["lag_ms"]
            .as_i64()
            .is_some_and(|lag| lag >= 0)
    );
    assert_eq!(after["last_transfer"]["name"], sent.as_str());
    assert_eq!(after["last_transfer"]["progress"], 1.0);
    let on_dr = direct(&app.fleet[0], DR)
        .list_group_snapshots(Some(&format!("{ARRAY}:pg-dr")), Some(false))
        .await
        .expect("snapshots");
    assert_eq!(
        on_dr
            .into_iter()
            .map(|snapshot| snapshot.name)
            .collect::<Vec<_>>(),
        std::slice::from_ref(&replica),
        "the DR array holds it"
    );
    let replicated_group = format!("/api/arrays/{DR}/protection-groups/{ARRAY}:pg-dr");
    let (status, _, listed) = app
        .call("GET", &replicated_group, Some(&operator), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["group"]["is_local"], false, "{listed}");
    let (status, _, held) = app
        .call(
            "GET",
            &format!("{replicated_group}/snapshots"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{held}");
    assert_eq!(held[0]["snapshot"]["name"], replica.as_str(), "{held}");

    let (status, _, throughput) = app
        .call(
            "GET",
            "/api/fleet/replication/throughput",
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{throughput}");
    assert_eq!(throughput["errors"], json!([]), "{throughput}");
    // The test array was installed a moment ago: it keeps no 30-minute samples yet.
    assert!(throughput["points"].is_array(), "{throughput}");

    let scoped = admin_of(&app, "prod-only", ARRAY).await;
    let (status, _, limited) = app.call("GET", &replication, Some(&scoped), None).await;
    assert_eq!(status, StatusCode::OK, "{limited}");
    assert_eq!(limited["targets"][0]["copies"], 0, "{limited}");
    assert!(
        limited["targets"][0]["unread"]
            .as_str()
            .is_some_and(|why| why.contains("not among your arrays")),
        "{limited}"
    );
}

/// The fleet's replication relationships, once `ready` accepts them.
async fn fleet_replication(
    app: &TestApp,
    cookie: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, _, body) = app
            .call("GET", "/api/fleet/replication", Some(cookie), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if ready(&body) {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "never ready: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dr_view_judges_lag_against_the_schedule_through_a_cut_link_and_its_recovery() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    let group = replicating_to_dr(&app, &admin).await;
    let viewer = app.login("viewer").await;
    let health = |body: &serde_json::Value| body["relationships"][0]["health"].clone();
    let listed = fleet_replication(&app, &viewer, |body| health(body) == "unscheduled").await;
    assert_eq!(listed["relationships"][0]["source"], ARRAY);
    assert_eq!(listed["relationships"][0]["group"], "pg-dr");
    assert_eq!(listed["relationships"][0]["target"], DR);
    assert!(
        listed["relationships"][0]["newest_copy"].is_null(),
        "{listed}"
    );

    replicate_hourly_from_now(&app, &admin, &group).await;
    let healthy = fleet_replication(&app, &viewer, |body| health(body) == "ok").await;
    assert!(healthy["relationships"][0]["newest_copy"]["name"].is_string());

    app.sim.simulator.set_faults(flasharray_sim::FaultConfig {
        link_down: true,
        ..flasharray_sim::FaultConfig::default()
    });
    app.sim
        .simulator
        .advance_clock(std::time::Duration::from_secs(3 * 3600));
    let breached = fleet_replication(&app, &viewer, |body| health(body) == "breach").await;
    assert!(
        breached["relationships"][0]["lag_ms"]
            .as_i64()
            .is_some_and(|lag| lag > 5 * 3_600_000 / 2),
        "{breached}"
    );

    app.sim
        .simulator
        .set_faults(flasharray_sim::FaultConfig::default());
    let recovered = fleet_replication(&app, &viewer, |body| health(body) == "ok").await;
    assert!(
        recovered["relationships"][0]["lag_ms"]
            .as_i64()
            .is_some_and(|lag| lag <= 3_600_000),
        "the scheduled snapshot held back arrived: {recovered}"
    );
}
