//! Pure1 in the portal: connecting it with a key pair the portal generates (or a key the admin
//! gives), what the dashboard gets from it, and capacity planning — forecasts and placement
//! ranked on arrays set up to be full, busy or idle.

use axum::http::StatusCode;
use flasharray_sim::{Seed, Simulator, SimulatorConfig};
use pure1_sim::{Pure1Config, Pure1Sim, RunningPure1Sim};
use serde_json::{Value, json};

use crate::{ARRAY, TestApp, TestOptions};

const APP_ID: &str = "pure1:apikey:PortalTest01";

/// A Pure1 that mirrors the app's arrays and reports one more the portal does not manage.
async fn pure1_of(app: &TestApp) -> RunningPure1Sim {
    pure1_and_its_own_array(app).await.0
}

/// [`pure1_of`], with the array only it reports.
async fn pure1_and_its_own_array(app: &TestApp) -> (RunningPure1Sim, Simulator) {
    let sim = Pure1Sim::default();
    sim.mirror(app.sim.simulator.clone(), "fa-test.example.com");
    for array in &app.fleet {
        let name = array.simulator.report().array.name;
        sim.mirror(array.simulator.clone(), &format!("{name}.example.com"));
    }
    let only = sim.add_array("fa-pure1-only", Seed::Demo);
    let running = sim
        .start(Pure1Config::default())
        .await
        .expect("Pure1 starts");
    (running, only)
}

fn connect_body(pure1: &RunningPure1Sim, app_id: &str, key: Value) -> Value {
    json!({
        "url": pure1.url(),
        "app_id": app_id,
        "key": key,
        "ca_pem": pure1.certificate_pem(),
    })
}

#[tokio::test]
async fn an_admin_connects_pure1_with_a_key_pair_the_portal_generates() {
    let app = TestApp::with(TestOptions {
        fleet: vec![SimulatorConfig::new("fa-east").seed(Seed::Demo)],
        ..TestOptions::default()
    })
    .await;
    let pure1 = pure1_of(&app).await;
    let admin = app.login("admin").await;
    let (_, _, status) = app.call("GET", "/api/pure1", Some(&admin), None).await;
    assert_eq!(status["connected"], false);
    assert_eq!(status["can_store"], true);
    let (_, _, fleet) = app
        .call("GET", "/api/fleet/pure1", Some(&admin), None)
        .await;
    assert_eq!(fleet["connected"], false);

    let (status, _, pair) = app
        .call("POST", "/api/pure1/key-pair", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pair}");
    let public_key = pair["public_key"].as_str().expect("public key");
    assert!(public_key.starts_with("-----BEGIN PUBLIC KEY-----"));

    // Before the key is registered in Pure1, Pure1 refuses it, in its own words.
    let generated = connect_body(&pure1, APP_ID, json!({"kind": "generated"}));
    let (status, _, refused) = app
        .call(
            "POST",
            "/api/pure1/test",
            Some(&admin),
            Some(generated.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{refused}");
    assert_eq!(refused["field"], "app_id");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("JWT validation failed")),
        "{refused}"
    );

    pure1
        .sim
        .register_application(APP_ID, public_key)
        .expect("registered in Pure1");
    let (status, _, test) = app
        .call(
            "POST",
            "/api/pure1/test",
            Some(&admin),
            Some(generated.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{test}");
    assert_eq!(test["arrays"], json!(["fa-east", "fa-pure1-only", ARRAY]));
    let (_, _, status) = app.call("GET", "/api/pure1", Some(&admin), None).await;
    assert_eq!(status["connected"], false, "a test stores nothing");

    let (status, _, _) = app
        .call("PUT", "/api/pure1", Some(&admin), Some(generated))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, status) = app.call("GET", "/api/pure1", Some(&admin), None).await;
    assert_eq!(status["connected"], true);
    assert_eq!(status["source"], "portal");
    assert_eq!(status["app_id"], APP_ID);
    assert_eq!(status["generated_public_key"], public_key);
    assert!(!status.to_string().contains("PRIVATE KEY"));

    let viewer = app.login("viewer").await;
    let (status, _, fleet) = app
        .call("GET", "/api/fleet/pure1", Some(&viewer), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{fleet}");
    assert_eq!(fleet["connected"], true);
    assert!(fleet["error"].is_null(), "{fleet}");
    let arrays = fleet["arrays"].as_array().expect("arrays");
    assert_eq!(arrays.len(), 3);
    let only = arrays
        .iter()
        .find(|a| a["name"] == "fa-pure1-only")
        .expect("Pure1-only array");
    assert_eq!(only["managed"], false);
    let east = arrays
        .iter()
        .find(|a| a["name"] == "fa-east")
        .expect("fa-east");
    assert_eq!(east["managed"], true);
    let (now, p95) = (
        east["load_now"].as_f64().expect("now"),
        east["load_p95"].as_f64().expect("p95"),
    );
    assert!(now > 0.0 && (0.0..2.0).contains(&p95), "{east}");
    assert!(
        fleet["alerts"]
            .as_array()
            .is_some_and(|alerts| alerts.iter().all(|a| a["state"] != "closed"))
    );
    assert_eq!(
        pure1.sim.token_exchanges(),
        3,
        "one exchange for each test (the second before storing), one for the stored link"
    );

    // Only admins see or change the connection.
    for (method, path) in [
        ("GET", "/api/pure1"),
        ("POST", "/api/pure1/key-pair"),
        ("DELETE", "/api/pure1"),
    ] {
        let (status, _, _) = app.call(method, path, Some(&viewer), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let (status, _, _) = app.call("DELETE", "/api/pure1", Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, fleet) = app
        .call("GET", "/api/fleet/pure1", Some(&viewer), None)
        .await;
    assert_eq!(fleet["connected"], false);
}

#[tokio::test]
async fn a_given_private_key_connects_and_bad_input_is_refused_by_field() {
    let app = TestApp::new().await;
    let pure1 = pure1_of(&app).await;
    let admin = app.login("admin").await;
    let (private_pem, public_pem) = flasharray::PrivateKey::generate_pem().expect("key");
    pure1
        .sim
        .register_application(APP_ID, &public_pem)
        .expect("registered");
    for (body, field) in [
        (
            connect_body(&pure1, "apikey-nonsense", json!({"kind": "generated"})),
            "app_id",
        ),
        (
            connect_body(
                &pure1,
                APP_ID,
                json!({"kind": "private_key", "private_key": "not a key"}),
            ),
            "private_key",
        ),
        (
            json!({"url": "http://pure1.example.com", "app_id": APP_ID, "key": {"kind": "generated"}}),
            "url",
        ),
        (
            connect_body(&pure1, APP_ID, json!({"kind": "generated"})),
            "key",
        ),
    ] {
        let (status, _, refused) = app
            .call("PUT", "/api/pure1", Some(&admin), Some(body))
            .await;
        assert_eq!(
            (status, refused["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{refused}"
        );
    }
    let given = connect_body(
        &pure1,
        APP_ID,
        json!({"kind": "private_key", "private_key": private_pem}),
    );
    let (status, _, test) = app
        .call("PUT", "/api/pure1", Some(&admin), Some(given))
        .await;
    assert_eq!(status, StatusCode::OK, "{test}");
    let (_, _, status) = app.call("GET", "/api/pure1", Some(&admin), None).await;
    assert_eq!(status["connected"], true);
    assert!(status["generated_public_key"].is_null());
    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    let text = audit.to_string();
    let key_body = private_pem.lines().nth(1).expect("a line of key material");
    assert!(
        text.contains("pure1.connect") && !text.contains(key_body),
        "{text}"
    );
}

#[tokio::test]
async fn a_forecast_needs_a_week_of_history_and_dates_the_filling_array() {
    let app = TestApp::with(TestOptions {
        fleet: vec![SimulatorConfig::new("fa-east").seed(Seed::Demo)],
        ..TestOptions::default()
    })
    .await;
    let viewer = app.login("viewer").await;
    let (status, _, empty) = app
        .call(
            "GET",
            &format!("/api/arrays/{ARRAY}/forecast"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["enough_history"], false);
    assert!(empty["to_100"].is_null());

    // The demo array's volumes grew over its 30 days of history.
    let east = &app.fleet[0].simulator;
    east.set_capacity(east.used_bytes() * 10 / 7);
    let (_, _, forecast) = app
        .call("GET", "/api/arrays/fa-east/forecast", Some(&viewer), None)
        .await;
    assert_eq!(forecast["enough_history"], true, "{forecast}");
    assert!(
        forecast["history_days"]
            .as_f64()
            .is_some_and(|days| days > 20.0)
    );
    assert!(
        forecast["growth_per_day"]
            .as_f64()
            .is_some_and(|bytes| bytes > 0.0)
    );
    let full = &forecast["to_100"];
    let days = full["days"].as_f64().expect("days to full");
    assert!(
        days > 0.0 && full["earliest_days"].as_f64().expect("earliest") <= days,
        "{forecast}"
    );
    assert!(forecast["to_80"]["days"].as_f64().expect("to 80") < days);
}

#[tokio::test]
async fn placement_skips_the_full_array_prefers_the_idle_one_and_says_why() {
    let app = TestApp::with(TestOptions {
        fleet: ["fa-full", "fa-busy", "fa-idle"]
            .into_iter()
            .map(|name| SimulatorConfig::new(name).seed(Seed::Demo))
            .collect(),
        ..TestOptions::default()
    })
    .await;
    let [full, busy, idle] = [0, 1, 2].map(|i| app.fleet[i].simulator.clone());
    full.set_capacity(full.used_bytes() * 100 / 89);
    for array in [&busy, &idle] {
        array.set_capacity(array.used_bytes() * 4);
    }
    busy.set_load_scale(20.0);
    idle.set_load_scale(0.1);
    let operator = app.login("operator").await;
    let size = full.used_bytes() / 20 / 512 * 512;
    let (status, _, placement) = app
        .call(
            "GET",
            &format!("/api/fleet/placement?size={size}"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{placement}");
    let candidates = placement["candidates"].as_array().expect("candidates");
    let order: Vec<&str> = candidates
        .iter()
        .filter_map(|c| c["array"].as_str())
        .collect();
    assert_eq!(order[0], "fa-idle", "{placement}");
    assert!(
        order.iter().position(|a| *a == "fa-busy") < order.iter().position(|a| *a == "fa-full")
    );
    let full = candidates
        .iter()
        .find(|c| c["array"] == "fa-full")
        .expect("fa-full");
    assert_eq!(full["eligible"], false);
    assert!(
        full["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("over 90 %")),
        "{full}"
    );
    let idle = &candidates[0];
    assert_eq!(idle["load_source"], "array");
    assert!(
        idle["reasons"].as_array().is_some_and(|r| r.len() == 3),
        "{idle}"
    );
    let busy = candidates
        .iter()
        .find(|c| c["array"] == "fa-busy")
        .expect("fa-busy");
    assert!(busy["load_p95"].as_f64() > idle["load_p95"].as_f64());

    let (status, _, refused) = app
        .call(
            "GET",
            "/api/fleet/placement?size=lots",
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("size"))
    );
}

#[tokio::test]
async fn placement_weighs_the_array_only_pure1_sees_from_pure1s_figures_for_the_whole_fleet() {
    let app = TestApp::new().await;
    let (pure1, only_pure1_sees) = pure1_and_its_own_array(&app).await;
    let admin = app.login("admin").await;
    let (_, _, pair) = app
        .call("POST", "/api/pure1/key-pair", Some(&admin), None)
        .await;
    pure1
        .sim
        .register_application(APP_ID, pair["public_key"].as_str().expect("public key"))
        .expect("registered in Pure1");
    let (status, _, connected) = app
        .call(
            "PUT",
            "/api/pure1",
            Some(&admin),
            Some(connect_body(&pure1, APP_ID, json!({"kind": "generated"}))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{connected}");

    let size: u64 = 1 << 40;
    let placement_for = |token: String| {
        let app = &app;
        async move {
            let (status, _, placement) = app
                .call(
                    "GET",
                    &format!("/api/fleet/placement?size={size}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{placement}");
            placement["candidates"]
                .as_array()
                .expect("candidates")
                .clone()
        }
    };
    let candidates = placement_for(app.login("viewer").await).await;
    let only = candidates
        .iter()
        .find(|c| c["array"] == "fa-pure1-only")
        .expect("the array only Pure1 sees is weighed");
    assert_eq!(only["managed"], false, "{only}");
    assert_eq!(only["load_source"], "pure1", "{only}");
    assert!(
        only["reasons"].as_array().is_some_and(|reasons| reasons
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.contains("Seen by Pure1 only")))),
        "{only}"
    );
    // Pure1's daily figures for it agree with the array itself.
    let report = only_pure1_sees.report().array;
    let capacity = report.capacity.expect("capacity") as f64;
    let used = report.space.total_physical.expect("used") as f64;
    let expected = (used + size as f64) / capacity;
    let used_after = only["used_after"].as_f64().expect("used after");
    assert!(
        (used_after - expected).abs() < 0.02,
        "{used_after} against the array's own {expected}"
    );
    let managed = candidates
        .iter()
        .find(|c| c["array"] == ARRAY)
        .expect("the managed array");
    assert_eq!(managed["managed"], true);

    // Someone whose scope is one array sees only that array, as on the Pure1 page.
    let user = json!({"username": "scoped", "password": crate::PASSWORD, "role": "viewer", "arrays": [ARRAY]});
    let (status, _, body) = app
        .call("POST", "/api/users", Some(&admin), Some(user))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let candidates = placement_for(app.login("scoped").await).await;
    let arrays: Vec<&str> = candidates
        .iter()
        .filter_map(|c| c["array"].as_str())
        .collect();
    assert_eq!(arrays, [ARRAY]);
}
