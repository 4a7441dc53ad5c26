//! Arrays on different Purity releases: the REST levels each serves, the array's refusal of
//! a newer one, and the shapes of older levels.

use flasharray_sim::{SimulatorConfig, release_lines};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::Wire;

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().expect("items")
}

#[tokio::test]
async fn each_release_serves_its_levels_and_refuses_newer_ones_in_its_own_words() {
    for line in release_lines() {
        let wire = Wire::with_config(SimulatorConfig::new("fa-release").purity(line)).await;
        let token = wire.session().await;
        let (status, arrays) = wire.call(&token, Method::GET, "arrays", None).await;
        assert_eq!(status, StatusCode::OK);
        let version = items(&arrays)[0]["version"].as_str().expect("version");
        assert!(
            version.starts_with(&format!("{line}.")),
            "{line}: {version}"
        );

        let (major, minor) = wire.version.split_once('.').expect("x.y");
        assert_eq!(major, "2");
        let newer = format!("2.{}", minor.parse::<u32>().expect("minor") + 1);
        let response = wire
            .http
            .get(wire.url(&format!("/api/{newer}/arrays")))
            .header("x-auth-token", &token)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{line} at {newer}"
        );
        let body: Value = response.json().await.expect("json");
        let message = body["errors"][0]["message"].as_str().expect("message");
        assert!(
            message.contains(&format!("REST API version {newer} is not supported")),
            "{message}"
        );
    }
}

#[tokio::test]
async fn an_answer_at_an_older_level_leaves_out_the_fields_it_did_not_have() {
    let wire = Wire::with_config(SimulatorConfig::new("fa-levels").purity("6.9")).await;
    let token = wire.session().await;
    let controllers_at = |version: &str| {
        wire.http
            .get(wire.url(&format!("/api/{version}/controllers")))
            .header("x-auth-token", &token)
            .send()
    };
    let old: Value = controllers_at("2.7")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let new: Value = controllers_at("2.26")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(items(&old)[0].get("mode_since").is_none(), "{old}");
    assert!(items(&new)[0]["mode_since"].is_i64(), "{new}");
    assert_eq!(items(&old)[0]["name"], "CT0");
}
