//! What a fleet view reads: history over the demo's 30 days, and alerts raised by the array.

use flasharray_sim::{Seed, SimulatorConfig};
use reqwest::Method;
use serde_json::Value;
use shared::size::TIB;

use crate::Wire;

const DAY_MS: i64 = 86_400_000;

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().expect("items")
}

#[tokio::test]
async fn the_demo_array_has_thirty_days_of_growing_space_and_daily_load() {
    let wire = Wire::with_config(SimulatorConfig::new("history").seed(Seed::Demo)).await;
    let token = wire.session().await;
    let (_, now) = wire.call(&token, Method::GET, "arrays/space", None).await;
    let now = items(&now)[0]["time"].as_i64().expect("time");
    let query = format!(
        "arrays/space?start_time={}&end_time={now}&resolution={DAY_MS}",
        now - 40 * DAY_MS
    );
    let (status, body) = wire.call(&token, Method::GET, &query, None).await;
    assert_eq!(status, 200, "{body}");
    let used: Vec<i64> = items(&body)
        .iter()
        .map(|item| item["space"]["unique"].as_i64().expect("unique"))
        .collect();
    assert!(
        (29..=31).contains(&used.len()),
        "{} daily samples",
        used.len()
    );
    assert!(
        used.windows(2).all(|pair| pair[0] <= pair[1]),
        "space grows: {used:?}"
    );
    assert!(
        used[0] < used[used.len() - 1] / 2,
        "a month ago held much less: {used:?}"
    );

    let query = format!(
        "arrays/performance?start_time={}&end_time={now}&resolution=1800000",
        now - DAY_MS
    );
    let (status, body) = wire.call(&token, Method::GET, &query, None).await;
    assert_eq!(status, 200, "{body}");
    let load: Vec<i64> = items(&body)
        .iter()
        .map(|item| item["reads_per_sec"].as_i64().expect("reads"))
        .collect();
    let (low, high) = (load.iter().min().unwrap(), load.iter().max().unwrap());
    assert!(load.len() >= 47, "{} half-hour samples", load.len());
    assert!(*high > low * 2, "load swings over the day: {low}..{high}");

    let (_, alerts) = wire.call(&token, Method::GET, "alerts", None).await;
    let open: Vec<&str> = items(&alerts)
        .iter()
        .filter(|alert| alert["state"] == "open")
        .map(|alert| alert["summary"].as_str().expect("summary"))
        .collect();
    assert_eq!(
        open,
        ["Fibre Channel port link down"],
        "the demo's open alert"
    );
}

#[tokio::test]
async fn an_array_over_eighty_percent_full_raises_an_alert_that_clears_with_capacity() {
    let config = SimulatorConfig::new("full")
        .seed(Seed::Demo)
        .capacity(1000 * TIB);
    let wire = Wire::with_config(config).await;
    let token = wire.session().await;
    let (_, space) = wire.call(&token, Method::GET, "arrays/space", None).await;
    let used = items(&space)[0]["space"]["total_physical"]
        .as_u64()
        .expect("used");
    wire.sim.simulator.set_capacity(used * 100 / 85);
    let (_, body) = wire
        .call(&token, Method::GET, "alerts?filter=code=27", None)
        .await;
    let raised = &items(&body)[0];
    assert_eq!(raised["state"], "open");
    assert_eq!(raised["component_name"], "full");
    assert_eq!(raised["expected"], "80%");
    assert_eq!(raised["actual"], "85%");
    wire.sim.simulator.set_capacity(used * 2);
    let (_, body) = wire
        .call(&token, Method::GET, "alerts?filter=code=27", None)
        .await;
    assert_eq!(items(&body)[0]["state"], "closed");
}
