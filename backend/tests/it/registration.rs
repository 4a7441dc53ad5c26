//! Arrays registered in the portal: tested before they are stored, stored sealed, never
//! returned, removable; the configuration file's stay.

use axum::http::StatusCode;
use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};
use serde_json::json;

use crate::{ARRAY, TestApp};

const LAB: &str = "fa-lab";

#[tokio::test]
async fn an_admin_registers_an_array_whose_token_is_stored_sealed_and_never_returned() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let operator = app.login("operator").await;
    let lab = Simulator::start(SimulatorConfig::new(LAB))
        .await
        .expect("simulator");
    let token = lab.simulator.api_token(ADMIN_USERNAME).expect("token");
    let registration = |api_token: &str| {
        json!({
            "name": LAB,
            "url": lab.url(),
            "ca_pem": lab.certificate_pem(),
            "auth": {"method": "api_token", "api_token": api_token},
        })
    };

    let (status, _, body) = app
        .call(
            "POST",
            "/api/connection-test",
            Some(&admin),
            Some(registration(&token)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["array_name"], LAB);
    assert!(
        body["rest_version"]
            .as_str()
            .is_some_and(|version| version.starts_with("2."))
    );

    // A wrong token: the array's refusal comes back and nothing is registered.
    let (status, _, body) = app
        .call(
            "POST",
            "/api/arrays",
            Some(&admin),
            Some(registration("not-a-token")),
        )
        .await;
    assert!(
        status.is_client_error() || status == StatusCode::BAD_GATEWAY,
        "{status} {body}"
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty())
    );
    assert!(app.db.registered_arrays().await.expect("stored").is_empty());

    let (status, _, body) = app
        .call(
            "POST",
            "/api/arrays",
            Some(&operator),
            Some(registration(&token)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = app
        .call(
            "POST",
            "/api/arrays",
            Some(&admin),
            Some(registration(&token)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["registered_in_portal"], true);
    let (status, _, body) = app
        .call(
            "POST",
            "/api/arrays",
            Some(&admin),
            Some(registration(&token)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "name");

    let (_, _, arrays) = app.call("GET", "/api/arrays", Some(&operator), None).await;
    assert_eq!(arrays.as_array().map(Vec::len), Some(2));
    assert!(!arrays.to_string().contains(&token));
    let volumes = format!("/api/arrays/{LAB}/volumes");
    let (status, _, body) = app
        .call(
            "POST",
            &volumes,
            Some(&operator),
            Some(json!({"name": "on-lab", "provisioned": 1u64 << 30})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(lab.simulator.volume("on-lab").is_some());

    let stored = app.db.registered_arrays().await.expect("stored");
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].1.contains(&token) && !stored[0].1.contains(lab.url()));
    let (_, _, audit) = app.call("GET", "/api/audit", Some(&admin), None).await;
    assert!(audit.to_string().contains("array.register"));
    assert!(!audit.to_string().contains(&token), "{audit}");

    let (status, _, body) = app
        .call(
            "POST",
            &format!("/api/arrays/{LAB}/connection-test"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["array_name"], LAB);

    let (status, _, body) = app
        .call(
            "DELETE",
            &format!("/api/arrays/{ARRAY}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|message| message.contains("configuration file"))
    );
    let (status, _, _) = app
        .call("DELETE", &format!("/api/arrays/{LAB}"), Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, arrays) = app.call("GET", "/api/arrays", Some(&admin), None).await;
    assert_eq!(arrays.as_array().map(Vec::len), Some(1));
    assert!(app.db.registered_arrays().await.expect("stored").is_empty());
    lab.shutdown().await;
}

#[tokio::test]
async fn a_registration_names_the_field_it_gets_wrong() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let (status, _, body) = app
        .call(
            "POST",
            "/api/arrays",
            Some(&admin),
            Some(json!({
                "name": "fa-key",
                "url": "https://127.0.0.1:1",
                "auth": {"method": "api_client", "client_id": "c", "key_id": "k", "issuer": "i",
                         "username": "u", "private_key": "not a key"},
            })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "private_key");
    let (status, _, body) = app
        .call(
            "POST",
            "/api/arrays",
            Some(&admin),
            Some(json!({"name": "fa-x", "url": "fa-x.example.com", "auth": {"method": "api_token", "api_token": "t"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "url");
}
