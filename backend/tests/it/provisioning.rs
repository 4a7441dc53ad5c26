//! Provisioning through the portal's API: volumes by pattern, changes, connections, hosts and
//! host groups, each refusal carried to the right field.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{ARRAY, TestApp};

const GIB: u64 = 1 << 30;

fn path(rest: &str) -> String {
    format!("/api/arrays/{ARRAY}/{rest}")
}

fn names(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|volume| volume["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test]
async fn a_name_pattern_makes_every_volume_and_the_list_searches_and_sorts() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    let (status, _, body) = app
        .call(
            "POST",
            &path("volumes"),
            Some(&cookie),
            Some(json!({"name": "db-[1-3]", "provisioned": GIB})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body.as_array().expect("list").len(), 3);
    app.call(
        "POST",
        &path("volumes"),
        Some(&cookie),
        Some(json!({"name": "web", "provisioned": 4 * GIB})),
    )
    .await;

    let (_, _, found) = app
        .call(
            "GET",
            &path("volumes?search=DB&sort=-name&limit=2"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(names(&found), ["db-3", "db-2"]);
    assert_eq!(found["total_item_count"], 3);

    let (_, _, by_size) = app
        .call(
            "GET",
            &path("volumes?sort=-provisioned"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(names(&by_size)[0], "web");

    let (status, _, body) = app
        .call("GET", &path("volumes?sort=colour"), Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "sort");

    let (status, _, body) = app
        .call(
            "POST",
            &path("volumes"),
            Some(&cookie),
            Some(json!({"name": "db-[3-4]", "provisioned": GIB})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "name");
    assert!(app.sim.simulator.volume("db-4").is_none(), "all or nothing");
}

#[tokio::test]
async fn shrinking_needs_truncate_and_a_connected_volume_cannot_be_destroyed() {
    let app = TestApp::new().await;
    let operator = app.login("operator").await;
    app.call(
        "POST",
        &path("volumes"),
        Some(&operator),
        Some(json!({"name": "vol1", "provisioned": 2 * GIB})),
    )
    .await;
    let (status, _, body) = app
        .call(
            "PATCH",
            &path("volumes/vol1"),
            Some(&operator),
            Some(json!({"provisioned": GIB})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "provisioned");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("truncate")
    );
    let (status, _, body) = app
        .call(
            "PATCH",
            &path("volumes/vol1"),
            Some(&operator),
            Some(json!({"provisioned": GIB, "truncate": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["provisioned"], GIB);

    let (status, _, body) = app
        .call(
            "POST",
            &path("hosts"),
            Some(&operator),
            Some(json!({"name": "host1", "wwns": ["21:00:00:24:FF:4C:C5:6A"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["wwns"][0],
        shared::ports::normalize_wwn("21000024ff4cc56a").expect("WWN")
    );
    let (status, _, body) = app
        .call(
            "POST",
            &path("connections"),
            Some(&operator),
            Some(json!({"volume": "vol1", "host": "host1", "lun": 7})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["lun"], 7);

    let (status, _, body) = app
        .call(
            "PATCH",
            &path("volumes/vol1"),
            Some(&operator),
            Some(json!({"destroyed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("connection"),
        "{body}"
    );

    let (status, _, _) = app
        .call(
            "DELETE",
            &path("connections?volume=vol1&host=host1"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app
        .call(
            "PATCH",
            &path("volumes/vol1"),
            Some(&operator),
            Some(json!({"destroyed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, pending) = app
        .call(
            "GET",
            &path("volumes?destroyed=true"),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(names(&pending), ["vol1"]);

    let (status, _, body) = app
        .call("DELETE", &path("volumes/vol1"), Some(&operator), None)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "operators cannot eradicate: {body}"
    );
    let admin = app.login("admin").await;
    let (status, _, _) = app
        .call("DELETE", &path("volumes/vol1"), Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(app.sim.simulator.volume("vol1").is_none());
}

#[tokio::test]
async fn hosts_and_groups_carry_the_arrays_refusals_to_their_fields() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    let iqn = "iqn.2001-04.com.example:host1";
    app.call(
        "POST",
        &path("hosts"),
        Some(&cookie),
        Some(json!({"name": "host1", "iqns": [iqn]})),
    )
    .await;
    let (status, _, body) = app
        .call(
            "POST",
            &path("hosts"),
            Some(&cookie),
            Some(json!({"name": "host2", "iqns": [iqn]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "ports", "{body}");
    let (status, _, body) = app
        .call(
            "POST",
            &path("hosts"),
            Some(&cookie),
            Some(json!({"name": "host3", "wwns": ["not-a-wwn"]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "wwns");

    let (status, _, _) = app
        .call(
            "POST",
            &path("host-groups"),
            Some(&cookie),
            Some(json!({"name": "hgroup1"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = app
        .call(
            "PUT",
            &path("host-groups/hgroup1/hosts/host1"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, hosts) = app.call("GET", &path("hosts"), Some(&cookie), None).await;
    assert_eq!(hosts["items"][0]["host_group"]["name"], "hgroup1");
    assert_eq!(hosts["total_item_count"], 1);
    // One host by name, asked of the array by name rather than picked out of the whole list.
    let (status, _, host) = app
        .call("GET", &path("hosts/host1"), Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{host}");
    assert_eq!(host["name"], "host1");
    assert_eq!(host["host_group"]["name"], "hgroup1");
    let (status, _, body) = app
        .call("GET", &path("hosts/no-such-host"), Some(&cookie), None)
        .await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(
        !body["message"].as_str().unwrap_or_default().is_empty(),
        "{body}"
    );
    let (status, _, body) = app
        .call("DELETE", &path("host-groups/hgroup1"), Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().expect("message").contains("hosts"),
        "{body}"
    );

    let (status, _, body) = app
        .call(
            "POST",
            &path("connections"),
            Some(&cookie),
            Some(json!({"volume": "v", "host": "host1", "host_group": "hgroup1"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "target");
}

#[tokio::test]
async fn the_array_searches_sorts_and_pages_hosts() {
    let app = TestApp::new().await;
    let cookie = app.login("operator").await;
    for name in ["web-1", "web-2", "web-3", "db-1"] {
        let (status, _, body) = app
            .call(
                "POST",
                &path("hosts"),
                Some(&cookie),
                Some(json!({"name": name, "iqns": [format!("iqn.2026-01.com.example:{name}")]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _, page) = app
        .call(
            "GET",
            &path("hosts?search=WEB&sort=-name&limit=2&offset=1"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total_item_count"], 3);
    assert_eq!(names(&page), ["web-2", "web-1"]);

    let (status, _, body) = app
        .call("GET", &path("hosts?sort=ports"), Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "sort", "{body}");
    let (status, _, body) = app
        .call("GET", &path("hosts?search=a'b"), Some(&cookie), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "search", "{body}");
    let huge = "a".repeat(10_000);
    let (status, _, body) = app
        .call(
            "GET",
            &path(&format!("hosts?search={huge}")),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "search", "{body}");
}
