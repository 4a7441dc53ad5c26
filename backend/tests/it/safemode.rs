//! SafeMode through the portal: only admins lock a group's retention, whichever way they ask
//! (the portal's own route or the array's REST root), and the array's refusals reach them.

use axum::http::StatusCode;
use serde_json::json;

use crate::{ARRAY, TestApp, direct};

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_lock_a_groups_retention_and_the_array_then_keeps_its_snapshots() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let operator = app.login("operator").await;
    let groups = format!("/api/arrays/{ARRAY}/protection-groups");
    let (status, _, body) = app
        .call(
            "POST",
            &groups,
            Some(&admin),
            Some(json!({"name": "pg-safe"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let group = format!("{groups}/pg-safe");
    let (status, _, taken) = app
        .call(
            "POST",
            &format!("{group}/snapshots"),
            Some(&operator),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    let snapshot = taken["snapshot"]["name"].as_str().expect("name").to_owned();

    let lock = format!("{group}/retention-lock");
    let (status, _, body) = app.call("POST", &lock, Some(&operator), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = app
        .call(
            "PATCH",
            &group,
            Some(&admin),
            Some(json!({"retention_lock": "ratcheted"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "not through the plain change: {body}"
    );
    assert_eq!(body["field"], "retention_lock");
    let through_root = format!("/api/arrays/{ARRAY}/rest/api/2.52/protection-groups?names=pg-safe");
    let (status, _, body) = app
        .call(
            "PATCH",
            &through_root,
            Some(&operator),
            Some(json!({"retention_lock": "ratcheted"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "nor through the REST root: {body}"
    );
    // The fields in order, as serde reads an array for a struct; and another case.
    for (sneaked, refused) in [
        (
            json!([null, null, null, null, null, null, "ratcheted"]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"Retention_Lock": "ratcheted"}),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (status, _, body) = app
            .call(
                "PATCH",
                &through_root,
                Some(&operator),
                Some(sneaked.clone()),
            )
            .await;
        assert_eq!(status, refused, "{sneaked}: {body}");
    }
    let array = direct(&app.sim, ARRAY);
    let unlocked = array
        .list_protection_groups(None)
        .await
        .expect("groups")
        .into_iter()
        .find(|group| group.name == "pg-safe")
        .expect("pg-safe");
    assert_eq!(unlocked.retention_lock.as_deref(), Some("unlocked"));

    let (status, _, locked) = app.call("POST", &lock, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK, "{locked}");
    assert_eq!(locked["retention_lock"], "ratcheted");
    let (_, _, audit) = app
        .call(
            "GET",
            "/api/audit?action=protection_group.lock_retention",
            Some(&admin),
            None,
        )
        .await;
    assert!(
        audit
            .to_string()
            .contains("protection_group.lock_retention"),
        "audited: {audit}"
    );

    let snapshot_path = format!("/api/arrays/{ARRAY}/protection-group-snapshots/{snapshot}");
    let (status, _, body) = app
        .call(
            "PATCH",
            &snapshot_path,
            Some(&admin),
            Some(json!({"destroyed": true})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, _, body) = app.call("DELETE", &snapshot_path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.to_string().contains("SafeMode"),
        "the array's own words: {body}"
    );
}
