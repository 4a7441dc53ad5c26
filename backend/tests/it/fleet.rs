//! The fleet pages' API: the dashboard's figures against what each array reports, slow and
//! dead arrays at their deadline, alerts and search across arrays, chart history, scopes.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use flasharray::VolumeQuery;
use flasharray_sim::{FaultConfig, Seed, SimulatorConfig};
use serde_json::{Value, json};

use crate::{ARRAY, PASSWORD, TestApp, TestOptions, direct};

fn demo(name: &str) -> SimulatorConfig {
    SimulatorConfig::new(name).seed(Seed::Demo)
}

async fn fleet_app(limits: backend::config::LimitsConfig, dead: Vec<&'static str>) -> TestApp {
    TestApp::with(TestOptions {
        limits,
        fleet: vec![demo("fa-east"), demo("fa-west")],
        dead_arrays: dead,
        ..TestOptions::default()
    })
    .await
}

/// Signs in a new operator, made by the admin, who may use fa-east only.
async fn operator_of_fa_east(app: &TestApp, username: &str) -> String {
    let admin = app.login("admin").await;
    let (status, _, body) = app
        .call(
            "POST",
            "/api/users",
            Some(&admin),
            Some(json!({"username": username, "password": PASSWORD, "role": "operator", "arrays": ["fa-east"]})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    app.login(username).await
}

/// A GET refused with 400, the message tied to `field`.
async fn refused_for(app: &TestApp, cookie: &str, path: &str, field: &str) {
    let (status, _, refused) = app.call("GET", path, Some(cookie), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {refused}");
    assert_eq!(refused["field"], field, "{path}");
}

fn entry<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["arrays"]
        .as_array()
        .expect("arrays")
        .iter()
        .find(|status| status["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {summary}"))
}

#[tokio::test]
async fn the_dashboard_shows_what_each_array_reports() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let viewer = app.login("viewer").await;
    let (status, _, summary) = app
        .call("GET", "/api/fleet/summary", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let names: Vec<&str> = summary["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|status| status["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [ARRAY, "fa-east", "fa-west"]);
    for (sim, name) in app.fleet.iter().zip(["fa-east", "fa-west"]) {
        let client = direct(sim, name);
        let space = &client.array_space(None).await.expect("space")[0];
        let volumes = client
            .list_volumes(&VolumeQuery::default())
            .await
            .expect("volumes")
            .items;
        let figures = &entry(&summary, name)["figures"];
        assert_eq!(figures["capacity"], space.capacity, "{name}");
        let used = space.space.unique.unwrap()
            + space.space.snapshots.unwrap()
            + space.space.shared.unwrap()
            + space.space.system.unwrap();
        assert_eq!(figures["used"], used, "{name}");
        let live = volumes.iter().filter(|volume| !volume.destroyed).count();
        assert_eq!(figures["volumes"], live, "{name}");
        assert_eq!(
            figures["hosts"],
            client.list_hosts().await.expect("hosts").len(),
            "{name}"
        );
        assert_eq!(
            figures["alerts"]["warning"], 1,
            "the demo's open alert on {name}"
        );
        assert!(
            figures["load"]["reads_per_sec"].as_u64().unwrap() > 0,
            "{name}"
        );
        assert!(figures["version"].is_string(), "{name}");
    }
    let totals = &summary["totals"];
    assert_eq!(totals["arrays"], 3);
    assert_eq!(totals["unreachable"], 0);
    let sum: u64 = ["fa-east", "fa-west", ARRAY]
        .iter()
        .map(|name| {
            entry(&summary, name)["figures"]["volumes"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(totals["volumes"], sum);

    // The dashboard counts what the recycle bin lists, item for item: a destroyed group
    // snapshot is one item, not one per volume in it.
    let (_, _, bin) = app
        .call("GET", "/api/recycle-bin", Some(&viewer), None)
        .await;
    let items = bin["items"].as_array().expect("items");
    assert!(
        items
            .iter()
            .any(|item| item["kind"] == "protection_group_snapshot"),
        "{bin}"
    );
    for name in [ARRAY, "fa-east", "fa-west"] {
        let listed = items.iter().filter(|item| item["array"] == name).count();
        assert_eq!(
            entry(&summary, name)["figures"]["destroyed"],
            listed,
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_slow_and_a_dead_array_fail_at_the_deadline_while_the_others_answer() {
    let limits = backend::config::LimitsConfig {
        array_deadline_secs: 1,
        ..backend::config::LimitsConfig::default()
    };
    let app = fleet_app(limits, vec!["fa-dead"]).await;
    app.fleet[1].simulator.set_faults(FaultConfig {
        latency_ms: 3_000,
        ..FaultConfig::default()
    });
    let viewer = app.login("viewer").await;
    let started = Instant::now();
    let (status, _, summary) = app
        .call("GET", "/api/fleet/summary", Some(&viewer), None)
        .await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert!(took < Duration::from_millis(2_500), "took {took:?}");
    assert!(entry(&summary, "fa-east")["figures"].is_object());
    assert!(entry(&summary, ARRAY)["figures"].is_object());
    let slow = entry(&summary, "fa-west");
    assert!(slow["figures"].is_null());
    assert_eq!(slow["error"], "no answer within 1 s");
    let dead = entry(&summary, "fa-dead");
    // Refused connections are retried until the deadline; either way the array is named.
    assert!(
        dead["figures"].is_null() && dead["error"].is_string(),
        "{dead}"
    );
    let since = dead["failing_since"].as_i64().expect("failing since");
    assert_eq!(summary["totals"]["unreachable"], 2);

    // Asked again within the cache's time: the same answers, at once, failing since then.
    let started = Instant::now();
    let (_, _, again) = app
        .call("GET", "/api/fleet/summary", Some(&viewer), None)
        .await;
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(entry(&again, "fa-dead")["as_of"], dead["as_of"]);
    let (_, _, refreshed) = app
        .call(
            "GET",
            "/api/fleet/summary?refresh=true",
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(entry(&refreshed, "fa-dead")["failing_since"], since);
    refused_for(&app, &viewer, "/api/fleet/summary?refresh=soon", "refresh").await;
}

#[tokio::test]
async fn a_slow_array_keeps_to_its_share_of_calls_while_the_others_answer() {
    let app = TestApp::with(TestOptions {
        fleet: vec![demo("fa-east"), demo("fa-west")],
        fleet_calls: Some((1, 1)),
        ..TestOptions::default()
    })
    .await;
    let viewer = app.login("viewer").await;
    let (status, _, _) = app
        .call("GET", "/api/arrays/fa-west/volumes", Some(&viewer), None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "signed in to fa-west before it slows"
    );
    app.fleet[1].simulator.set_faults(FaultConfig {
        latency_ms: 1_500,
        ..FaultConfig::default()
    });
    let page = |array: &'static str| {
        app.send_for_headers(crate::request(
            "GET",
            &format!("/api/arrays/{array}/hosts"),
            Some(&viewer),
            None,
        ))
    };
    let west = futures_util::future::join_all((0..4).map(|_| async {
        let answer = page("fa-west").await;
        (answer, Instant::now())
    }));
    let east = async {
        // Once fa-west's share is taken, the next calls to it are refused; fa-east answers.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, _, _) = page("fa-east").await;
        (status, Instant::now())
    };
    let (west, (east_status, east_done)) = tokio::join!(west, east);
    let refused: Vec<_> = west
        .iter()
        .filter(|((status, _, _), _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert_eq!(
        refused.len(),
        2,
        "one at once, one waiting, the rest refused"
    );
    for ((_, headers, body), _) in refused {
        assert_eq!(headers["retry-after"], "1");
        let message = body["message"].as_str().expect("message");
        assert!(message.contains("fa-west is answering slowly"), "{message}");
    }
    let first_west_answer = west
        .iter()
        .filter(|((status, _, _), _)| *status == StatusCode::OK)
        .map(|(_, done)| *done)
        .min()
        .expect("fa-west answered the calls it took");
    assert_eq!(east_status, StatusCode::OK);
    assert!(
        east_done < first_west_answer,
        "fa-east answered before the slow fa-west, not behind it"
    );
}

#[tokio::test]
async fn an_array_whose_release_does_not_report_its_hardware_still_shows_the_rest() {
    let app = fleet_app(backend::config::LimitsConfig::default(), Vec::new()).await;
    app.fleet[1].simulator.lack("hardware");
    let viewer = app.login("viewer").await;
    let (status, _, summary) = app
        .call("GET", "/api/fleet/summary", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let west = entry(&summary, "fa-west");
    assert!(west["figures"]["health"].is_null(), "{west}");
    assert!(
        west["figures"]["volumes"].as_u64().unwrap_or(0) > 0,
        "{west}"
    );
    let east = entry(&summary, "fa-east");
    assert_eq!(
        east["figures"]["health"]["controllers"]["healthy"], 2,
        "{east}"
    );

    let (status, _, refused) = app
        .call("GET", "/api/arrays/fa-west/hardware", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
    assert_eq!(
        refused["message"],
        "fa-west's Purity release does not report its hardware."
    );
    let (status, _, report) = app
        .call("GET", "/api/arrays/fa-east/hardware", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["parts"][0]["name"], "CT1.FC1",
        "the port the demo has down comes first"
    );
}

#[tokio::test]
async fn search_finds_objects_on_every_array_and_names_the_ones_that_failed() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec!["fa-dead"]).await;
    let viewer = app.login("viewer").await;
    let (status, _, found) = app
        .call("GET", "/api/fleet/search?q=SQL-FIN", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    for name in ["fa-east", "fa-west"] {
        let result = found["arrays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|result| result["array"] == name)
            .expect("array listed");
        let volumes: Vec<&str> = result["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|hit| hit["kind"] == "volume")
            .map(|hit| hit["name"].as_str().unwrap())
            .collect();
        assert_eq!(volumes, ["sql-fin-db", "sql-fin-log"], "{result}");
        // A snapshot says what it holds of its own beside its volume's size.
        let snapshot = result["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|hit| hit["kind"] == "snapshot")
            .unwrap_or_else(|| panic!("a snapshot of sql-fin: {result}"));
        let (held, size) = (snapshot["held"].as_u64(), snapshot["size"].as_u64());
        assert!(held.is_some_and(|held| Some(held) < size), "{snapshot}");
        // Each hit says when the array made it, for sorting by age.
        for hit in result["hits"].as_array().unwrap() {
            assert!(hit["created"].as_i64().is_some_and(|ms| ms > 0), "{hit}");
        }
    }
    let dead = found["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["array"] == "fa-dead")
        .expect("the dead array is listed");
    assert!(dead["error"].is_string(), "{dead}");

    let (_, _, hosts) = app
        .call(
            "GET",
            "/api/fleet/search?q=name%3D%27ora-*%27&kinds=host",
            Some(&viewer),
            None,
        )
        .await;
    let east = &hosts["arrays"][1];
    assert_eq!(east["array"], "fa-east");
    assert!(
        east["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|hit| hit["kind"] == "host" && hit["name"].as_str().unwrap().starts_with("ora-")),
        "{east}"
    );
    assert_eq!(east["total"], 2);
    for (query, field) in [("q=", "q"), ("q=a&kinds=luns", "kinds"), ("q=it%27s", "q")] {
        refused_for(&app, &viewer, &format!("/api/fleet/search?{query}"), field).await;
    }
}

#[tokio::test]
async fn alerts_come_from_every_array_newest_first_and_filter_by_severity() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let viewer = app.login("viewer").await;
    let (status, _, listed) = app
        .call("GET", "/api/fleet/alerts", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let items = listed["items"].as_array().unwrap();
    let arrays: Vec<&str> = items
        .iter()
        .map(|item| item["array"].as_str().unwrap())
        .collect();
    assert!(
        arrays.contains(&"fa-east") && arrays.contains(&"fa-west"),
        "{arrays:?}"
    );
    let created: Vec<i64> = items
        .iter()
        .map(|item| item["created"].as_i64().unwrap())
        .collect();
    assert!(
        created.windows(2).all(|pair| pair[0] >= pair[1]),
        "{created:?}"
    );
    let (_, _, closed) = app
        .call(
            "GET",
            "/api/fleet/alerts?closed=true&severity=critical&array=fa-east",
            Some(&viewer),
            None,
        )
        .await;
    let closed = closed["items"].as_array().unwrap();
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert_eq!(closed[0]["summary"], "Drive failed and was evacuated");
    refused_for(&app, &viewer, "/api/fleet/alerts?severity=loud", "severity").await;
}

#[tokio::test]
async fn charts_get_a_few_hundred_points_of_the_arrays_own_history() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let viewer = app.login("viewer").await;
    let (status, _, history) = app
        .call(
            "GET",
            "/api/arrays/fa-east/history?range=24h",
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["space_resolution"], 300_000);
    let space = history["space"].as_array().unwrap();
    assert!((287..=289).contains(&space.len()), "{} points", space.len());
    let load = history["performance"].as_array().unwrap();
    assert!(
        load.len() <= 400 && load.len() > 200,
        "{} points",
        load.len()
    );

    let (status, _, month) = app
        .call(
            "GET",
            "/api/arrays/fa-east/volumes/sql-fin-db/history?range=30d",
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{month}");
    let points = month["space"].as_array().unwrap();
    assert!(
        !points.is_empty() && points.len() <= 400,
        "{}",
        points.len()
    );
    refused_for(
        &app,
        &viewer,
        "/api/arrays/fa-east/history?range=2y",
        "range",
    )
    .await;
    let missing = "/api/arrays/fa-east/volumes/no-such/history";
    refused_for(&app, &viewer, missing, "volume").await;
}

#[tokio::test]
async fn a_user_scoped_to_one_array_sees_only_it_in_the_fleet() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let scoped = operator_of_fa_east(&app, "east-only").await;
    let (_, _, summary) = app
        .call("GET", "/api/fleet/summary", Some(&scoped), None)
        .await;
    let names: Vec<&str> = summary["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|status| status["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fa-east"]);
    let (_, _, found) = app
        .call("GET", "/api/fleet/search?q=sql", Some(&scoped), None)
        .await;
    assert_eq!(found["arrays"].as_array().unwrap().len(), 1);
    let (_, _, alerts) = app
        .call("GET", "/api/fleet/alerts", Some(&scoped), None)
        .await;
    assert!(
        alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["array"] == "fa-east")
    );
    for path in [
        "/api/fleet/alerts?array=fa-west",
        "/api/arrays/fa-west/history",
    ] {
        let (status, _, _) = app.call("GET", path, Some(&scoped), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn a_fleet_wide_snapshot_takes_one_set_per_array_under_one_batch_id() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let operator = app.login("operator").await;
    let volumes = json!([
        {"array": "fa-east", "name": "sql-fin-db"},
        {"array": "fa-west", "name": "sql-fin-db"},
        {"array": "fa-east", "name": "sql-fin-log"},
    ]);
    let (status, _, outcome) = app
        .call(
            "POST",
            "/api/fleet/snapshots",
            Some(&operator),
            Some(json!({"volumes": volumes, "suffix": "before-upgrade"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    let items = outcome["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|item| item["ok"] == true), "{outcome}");
    assert_eq!(items[0]["detail"], "sql-fin-db.before-upgrade");
    let batch = outcome["batch"].as_str().expect("batch id");
    for (sim, name, taken) in [(&app.fleet[0], "fa-east", 2), (&app.fleet[1], "fa-west", 1)] {
        let snapshots = direct(sim, name)
            .list_volume_snapshots(None, None)
            .await
            .expect("snapshots");
        let made: Vec<_> = snapshots
            .iter()
            .filter(|snapshot| snapshot.name.ends_with(".before-upgrade"))
            .collect();
        assert_eq!(made.len(), taken, "{name}");
        let posts: Vec<_> = sim
            .simulator
            .change_requests()
            .into_iter()
            .filter(|change| change.path.contains("volume-snapshots"))
            .collect();
        assert_eq!(posts.len(), 1, "one consistent set on {name}");
        assert_eq!(posts[0].request_id, batch);
    }

    // Each volume's outcome is its own: a missing one fails with the array's message.
    let (_, _, destroyed) = app
        .call(
            "POST",
            "/api/fleet/destroy",
            Some(&operator),
            Some(json!({"volumes": [
                {"array": "fa-east", "name": "scratch-etl"},
                {"array": "fa-west", "name": "no-such-volume"},
            ]})),
        )
        .await;
    let items = destroyed["items"].as_array().unwrap();
    assert_eq!(items[0]["ok"], true, "{destroyed}");
    assert_eq!(items[1]["ok"], false);
    assert!(
        items[1]["detail"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{destroyed}"
    );
    let east = direct(&app.fleet[0], "fa-east");
    let scratch = east
        .list_volumes(&VolumeQuery {
            names: vec!["scratch-etl".into()],
            ..VolumeQuery::default()
        })
        .await
        .expect("volume");
    assert!(scratch.items[0].destroyed);

    // The audit rows name the arrays, so an admin of one of them does not read the others'.
    let admin = app.login("admin").await;
    let (_, _, audit) = app
        .call(
            "GET",
            "/api/audit?action=fleet.snapshot",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(audit[0]["array"], "fa-east,fa-west", "{audit}");
    let hash = backend::identity::passwords::hash_password(crate::PASSWORD).expect("hash");
    app.db
        .create_scoped_user(
            "east-admin",
            &hash,
            shared::api::Role::Admin,
            Some(&["fa-east".to_owned()]),
            None,
            backend::clock::unix_now(),
        )
        .await
        .expect("scoped admin");
    let east_admin = app.login("east-admin").await;
    let (_, _, audit) = app
        .call(
            "GET",
            "/api/audit?action=fleet.snapshot",
            Some(&east_admin),
            None,
        )
        .await;
    assert_eq!(audit, json!([]), "not about fa-east alone");
}

#[tokio::test]
async fn fleet_wide_actions_refuse_bad_input_and_arrays_out_of_scope_before_doing_anything() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let operator = app.login("operator").await;
    for (body, field) in [
        (json!({"volumes": []}), "volumes"),
        (
            json!({"volumes": [{"array": "fa-east", "name": "a"}, {"array": "fa-east", "name": "a"}]}),
            "volumes",
        ),
        (
            json!({"volumes": [{"array": "fa-east", "name": "a"}], "suffix": "no spaces"}),
            "suffix",
        ),
    ] {
        let (status, _, refused) = app
            .call("POST", "/api/fleet/snapshots", Some(&operator), Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["field"], field);
    }
    let scoped = operator_of_fa_east(&app, "east-op").await;
    let (status, _, _) = app
        .call(
            "POST",
            "/api/fleet/snapshots",
            Some(&scoped),
            Some(json!({"volumes": [
                {"array": "fa-east", "name": "sql-fin-db"},
                {"array": "fa-west", "name": "sql-fin-db"},
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        app.fleet[0].simulator.change_requests().is_empty(),
        "nothing was done"
    );
    let viewer = app.login("viewer").await;
    let (status, _, _) = app
        .call(
            "POST",
            "/api/fleet/destroy",
            Some(&viewer),
            Some(json!({"volumes": [{"array": "fa-east", "name": "sql-fin-db"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_operator_flags_an_alert_on_its_array() {
    let app = fleet_app(backend::config::LimitsConfig::default(), vec![]).await;
    let operator = app.login("operator").await;
    let (_, _, listed) = app
        .call(
            "GET",
            "/api/fleet/alerts?array=fa-east",
            Some(&operator),
            None,
        )
        .await;
    let alert = listed["items"][0]["name"].as_str().expect("an open alert");
    let path = format!("/api/arrays/fa-east/alerts/{alert}/flag");
    let (status, _, flagged) = app
        .call(
            "PUT",
            &path,
            Some(&operator),
            Some(json!({"flagged": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{flagged}");
    assert_eq!(flagged["flagged"], true);
    let on_array = direct(&app.fleet[0], "fa-east")
        .list_alerts(&flasharray::ListParams {
            filter: Some("flagged=true".into()),
            ..flasharray::ListParams::default()
        })
        .await
        .expect("alerts");
    assert_eq!(on_array.items.len(), 1);
    assert_eq!(on_array.items[0].name, alert);
    let (status, _, refused) = app
        .call(
            "PUT",
            "/api/arrays/fa-east/alerts/999999/flag",
            Some(&operator),
            Some(json!({"flagged": true})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "alert");
    let (status, _, refused) = app
        .call(
            "PUT",
            "/api/arrays/fa-east/alerts/a,b/flag",
            Some(&operator),
            Some(json!({"flagged": true})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["field"], "alert");
    let viewer = app.login("viewer").await;
    let (status, _, _) = app
        .call("PUT", &path, Some(&viewer), Some(json!({"flagged": false})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
