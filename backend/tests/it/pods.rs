//! Pods and ActiveDR through the portal: a pod linked in one step (the target pod made and
//! demoted on the other array), checked on both arrays; promotion behind the same gate as
//! every change; the DR view listing the link once; a refused link leaves nothing behind.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::api::{Action, REASON_HEADER};

use crate::replication::{DR, admin_of, ask_to_connect, pair};
use crate::{ARRAY, TestApp, direct, request};

fn pods_path(array: &str) -> String {
    format!("/api/arrays/{array}/pods")
}

async fn ok(app: &TestApp, cookie: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, _, answer) = app.call(method, path, Some(cookie), body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

async fn make_pod(app: &TestApp, admin: &str, array: &str, name: &str) {
    ok(
        app,
        admin,
        "POST",
        &pods_path(array),
        Some(json!({ "name": name })),
    )
    .await;
}

/// A pod `app` on the first array holding `app::db`, the arrays connected.
async fn pod_with_a_volume(app: &TestApp, admin: &str) {
    let (status, body) = ask_to_connect(app, admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    make_pod(app, admin, ARRAY, "app").await;
    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let volume = json!({"name": "app::db", "provisioned": 10u64 << 30});
    ok(app, admin, "POST", &volumes, Some(volume)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_links_a_pod_in_one_step_and_fails_over_and_the_dr_view_shows_it_once() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    pod_with_a_volume(&app, &admin).await;

    let links = format!("{}/app/links", pods_path(ARRAY));
    let request = json!({"remote": DR, "remote_pod": "app-dr"});
    let made = ok(&app, &admin, "POST", &links, Some(request)).await;
    assert_eq!(made["direction"], "outbound", "{made}");
    let target = direct(&app.fleet[0], DR);
    let pods = target.pods().await.expect("pods on the target");
    assert_eq!(pods[0].name, "app-dr");
    assert_eq!(pods[0].promotion_status.as_deref(), Some("demoted"));

    let deadline = Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let listed = ok(&app, &admin, "GET", &pods_path(DR), None).await;
        if listed[0]["links"][0]["status"] == "replicating" && listed[0]["volume_count"] == 1 {
            break listed;
        }
        assert!(Instant::now() < deadline, "never replicating: {listed}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(listed[0]["links"][0]["direction"], "inbound");
    assert!(
        app.fleet[0].simulator.volume("app-dr::db").is_some(),
        "mirrored on the array itself"
    );

    let viewer = app.login("viewer").await;
    let lag = format!("{}/app/lag", pods_path(ARRAY));
    let deadline = Instant::now() + Duration::from_secs(20);
    let history = loop {
        let history = ok(&app, &viewer, "GET", &lag, None).await;
        if history["points"]
            .as_array()
            .is_some_and(|points| !points.is_empty())
        {
            break history;
        }
        assert!(Instant::now() < deadline, "no lag sampled: {history}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        history["points"][0]["max_ms"]
            .as_i64()
            .is_some_and(|ms| ms < 60_000),
        "{history}"
    );
    let (status, _, body) = app
        .call(
            "GET",
            &format!("{}/nothing/lag", pods_path(ARRAY)),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let dr = ok(&app, &viewer, "GET", "/api/fleet/replication", None).await;
    let rows = dr["pod_links"].as_array().expect("pod links");
    assert_eq!(rows.len(), 1, "listed once, by the sender: {dr}");
    assert_eq!(rows[0]["array"], ARRAY);
    assert_eq!(rows[0]["remote_pod"], "app-dr");
    assert_eq!(rows[0]["health"], "ok");

    let (status, _, body) = app
        .call(
            "POST",
            &format!("{}/app-dr/promote", pods_path(DR)),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "viewers do not promote: {body}"
    );
    ok(
        &app,
        &admin,
        "POST",
        &format!("{}/app/demote", pods_path(ARRAY)),
        None,
    )
    .await;
    let promoted = ok(
        &app,
        &admin,
        "POST",
        &format!("{}/app-dr/promote", pods_path(DR)),
        None,
    )
    .await;
    assert_eq!(promoted["promotion_status"], "promoted");
    let write = json!({"name": "app-dr::after", "provisioned": 1u64 << 30});
    ok(
        &app,
        &admin,
        "POST",
        &format!("/api/arrays/{DR}/volumes"),
        Some(write),
    )
    .await;
    let audit = ok(&app, &admin, "GET", "/api/audit", None)
        .await
        .to_string();
    for action in ["pod.link", "pod.demote", "pod.promote"] {
        assert!(audit.contains(action), "{action} audited: {audit}");
    }

    // The link turns round: the old source now hears from the promoted pod, and the promoted
    // pod's array knows it sends (each records its end in its own time).
    let deadline = Instant::now() + Duration::from_secs(20);
    while ok(&app, &admin, "GET", &pods_path(ARRAY), None).await[0]["links"][0]["direction"]
        != "inbound"
        || ok(&app, &admin, "GET", &pods_path(DR), None).await[0]["links"][0]["direction"]
            != "outbound"
    {
        assert!(Instant::now() < deadline, "the link never turned round");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let turned = format!("{}/app-dr/links/app", pods_path(DR));
    let paused = ok(&app, &admin, "POST", &format!("{turned}/pause"), None).await;
    assert_eq!(paused["status"], "paused");
    ok(&app, &admin, "DELETE", &turned, None).await;
    assert!(
        target.pod_links().await.expect("links").is_empty(),
        "gone on both arrays"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_link_leaves_no_pod_behind_and_the_other_array_must_be_the_callers() {
    let app = pair(vec![Action::PodPromote]).await;
    let admin = app.login("admin").await;
    pod_with_a_volume(&app, &admin).await;
    let links = format!("{}/app/links", pods_path(ARRAY));

    let (status, _, body) = app
        .call(
            "POST",
            &links,
            Some(&admin),
            Some(json!({"remote": DR, "remote_pod": "no pod"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "remote_pod");

    let missing = json!({"remote": DR, "remote_pod": "dr-copy"});
    let (status, _, body) = app
        .call(
            "POST",
            &format!("{}/nope/links", pods_path(ARRAY)),
            Some(&admin),
            Some(missing),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("does not exist")),
        "the array's own words: {body}"
    );
    let target = direct(&app.fleet[0], DR);
    assert!(
        target.pods().await.expect("pods").is_empty(),
        "the pod made for the refused link was taken back"
    );

    let local = admin_of(&app, "local-admin", ARRAY).await;
    let elsewhere = json!({"remote": DR, "remote_pod": "dr-copy"});
    let (status, _, body) = app
        .call("POST", &links, Some(&local), Some(elsewhere))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    ok(
        &app,
        &admin,
        "POST",
        &format!("{}/app/demote", pods_path(ARRAY)),
        None,
    )
    .await;
    let mut promote = request(
        "POST",
        &format!("{}/app/promote", pods_path(ARRAY)),
        Some(&admin),
        None,
    );
    promote.headers_mut().insert(
        REASON_HEADER,
        "CHG-12: failover test".parse().expect("header"),
    );
    let (status, _, body) = app.send(promote).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "held for a second admin: {body}"
    );
    let pods = direct(&app.sim, ARRAY).pods().await.expect("pods");
    assert_eq!(
        pods[0].promotion_status.as_deref(),
        Some("demoted"),
        "not yet promoted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_stretches_a_pod_over_two_arrays_and_takes_it_off_one() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    let connect = json!({"remote": DR, "type": "sync-replication"});
    let (status, body) = ask_to_connect(&app, &admin, connect).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    make_pod(&app, &admin, ARRAY, "db").await;
    let stretch = format!("{}/db/stretch", pods_path(ARRAY));

    let local = admin_of(&app, "local-admin", ARRAY).await;
    let (status, _, body) = app
        .call("POST", &stretch, Some(&local), Some(json!({"remote": DR})))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the other array is not theirs: {body}"
    );

    ok(&app, &admin, "POST", &stretch, Some(json!({"remote": DR}))).await;
    let there = direct(&app.fleet[0], DR).pods().await.expect("pods");
    assert_eq!(there[0].name, "db");
    assert_eq!(
        there[0].array_count,
        Some(2),
        "stretched on the array itself"
    );

    let dr = ok(&app, &admin, "GET", "/api/fleet/replication", None).await;
    let stretched = dr["stretched_pods"].as_array().expect("stretched pods");
    assert_eq!(stretched.len(), 1, "listed once: {dr}");
    assert_eq!(stretched[0]["health"], "ok");
    assert_eq!(stretched[0]["arrays"].as_array().map(Vec::len), Some(2));

    let (status, _, body) = app
        .call("POST", &stretch, Some(&admin), Some(json!({"remote": DR})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "already stretched: {body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("already stretched")),
        "the array's own words: {body}"
    );

    let unstretch = format!("{}/db/unstretch", pods_path(ARRAY));
    ok(
        &app,
        &admin,
        "POST",
        &unstretch,
        Some(json!({"remote": DR})),
    )
    .await;
    let there = direct(&app.fleet[0], DR).pods().await.expect("pods");
    assert_eq!(there[0].name, "db.restretch");
    assert_eq!(there[0].destroyed, Some(true));
    let audit = ok(&app, &admin, "GET", "/api/audit", None)
        .await
        .to_string();
    assert!(
        audit.contains("pod.stretch") && audit.contains("pod.unstretch"),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn eradicating_a_pod_is_held_as_eradicating_its_volumes_and_links_need_a_connection_and_an_empty_pod()
 {
    let app = pair(vec![Action::VolumeEradicate]).await;
    let admin = app.login("admin").await;
    make_pod(&app, &admin, ARRAY, "app").await;
    let links = format!("{}/app/links", pods_path(ARRAY));
    let (status, _, body) = app
        .call(
            "POST",
            &links,
            Some(&admin),
            Some(json!({"remote": DR, "remote_pod": "dr"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "remote", "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("not connected")),
        "{body}"
    );

    let (status, body) = ask_to_connect(&app, &admin, json!({"remote": DR})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let target = direct(&app.fleet[0], DR);
    target.create_pod("dr").await.expect("pod");
    target
        .create_volume("dr::precious", 1 << 30)
        .await
        .expect("a volume there");
    target
        .patch_pod(
            "dr",
            &shared::flasharray::PodPatch {
                requested_promotion_state: Some("demoted".into()),
                ..Default::default()
            },
        )
        .await
        .expect("demoted");
    let (status, _, body) = app
        .call(
            "POST",
            &links,
            Some(&admin),
            Some(json!({"remote": DR, "remote_pod": "dr"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "remote_pod", "{body}");
    assert!(
        app.fleet[0].simulator.volume("dr::precious").is_some(),
        "nothing replaced"
    );

    let volumes = format!("/api/arrays/{ARRAY}/volumes");
    let volume = json!({"name": "app::db", "provisioned": 1u64 << 30});
    ok(&app, &admin, "POST", &volumes, Some(volume)).await;
    ok(
        &app,
        &admin,
        "PATCH",
        &format!("{volumes}/app::db"),
        Some(json!({"destroyed": true})),
    )
    .await;
    let pod = format!("{}/app", pods_path(ARRAY));
    ok(
        &app,
        &admin,
        "PATCH",
        &pod,
        Some(json!({"destroyed": true})),
    )
    .await;
    let mut eradicate = request("DELETE", &pod, Some(&admin), None);
    eradicate.headers_mut().insert(
        REASON_HEADER,
        "CHG-13: pod retired".parse().expect("header"),
    );
    let (status, _, body) = app.send(eradicate).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "held like the volume's own eradication: {body}"
    );
    assert!(
        app.sim.simulator.volume("app::db").is_some(),
        "not yet eradicated"
    );
}

/// A personal API token of `username` (signed in as `cookie`) with `role`.
async fn token_of(app: &TestApp, cookie: &str, role: &str) -> String {
    let created = ok(
        app,
        cookie,
        "POST",
        "/api/tokens",
        Some(json!({"name": "script", "expires_in_days": 1, "role": role})),
    )
    .await;
    created["token"].as_str().expect("token").to_owned()
}

/// A REST root call on the first array, as a script makes it.
async fn through_rest_root(
    app: &TestApp,
    token: &str,
    method: &str,
    path_and_query: &str,
    body: Value,
) -> (StatusCode, Value) {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(format!(
            "/api/arrays/{ARRAY}/rest/api/2.36/{path_and_query}"
        ))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .expect("request");
    let (status, _, answer) = app.send_for_headers(request).await;
    (status, answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_links_a_pod_through_the_rest_root_only_to_an_array_it_may_change() {
    let app = pair(Vec::new()).await;
    let admin = app.login("admin").await;
    pod_with_a_volume(&app, &admin).await;
    make_pod(&app, &admin, DR, "app-dr").await;
    ok(
        &app,
        &admin,
        "POST",
        &format!("{}/app-dr/demote", pods_path(DR)),
        None,
    )
    .await;
    let link =
        format!("pod-replica-links?local_pod_names=app&remote_pod_names=app-dr&remote_names={DR}");

    let local_admin = admin_of(&app, "local-admin", ARRAY).await;
    let local = token_of(&app, &local_admin, "admin").await;
    let (status, body) = through_rest_root(&app, &local, "POST", &link, Value::Null).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the target is not the caller's: {body}"
    );
    let everywhere = token_of(&app, &admin, "admin").await;
    for (query, refusal) in [
        (
            "pod-replica-links?local_pod_names=app&remote_pod_names=app-dr&remote_ids=1".to_owned(),
            "remote_names",
        ),
        (
            "pod-replica-links?local_pod_names=app&remote_pod_names=app-dr&remote_names=nowhere"
                .to_owned(),
            "no connection named nowhere",
        ),
        (format!("{link}&context_names={DR}"), "its own array only"),
    ] {
        let (status, body) =
            through_rest_root(&app, &everywhere, "POST", &query, Value::Null).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{query}: {body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|message| message.contains(refusal)),
            "{query}: {body}"
        );
    }
    let target = direct(&app.fleet[0], DR);
    assert!(
        target.pod_links().await.expect("links").is_empty(),
        "nothing reached the arrays"
    );

    let (status, body) = through_rest_root(&app, &everywhere, "POST", &link, Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        target.pod_links().await.expect("links").len(),
        1,
        "linked on the target"
    );
    let paused = "pod-replica-links?local_pod_names=app&remote_pod_names=app-dr";
    let (status, body) = through_rest_root(
        &app,
        &everywhere,
        "PATCH",
        paused,
        json!({"PAUSED": true, "paused": false}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "one field in two spellings: {body}"
    );
    for value in [true, false] {
        let (status, body) =
            through_rest_root(&app, &everywhere, "PATCH", paused, json!({"paused": value})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let audit = ok(&app, &admin, "GET", "/api/audit?user=admin", None).await;
    let rows = audit.as_array().expect("rows");
    let row = |action: &str| {
        rows.iter()
            .find(|row| row["action"] == action)
            .unwrap_or_else(|| panic!("{action} audited: {audit}"))
    };
    assert!(
        row("pod.link")["target"]
            .as_str()
            .is_some_and(|target| target.contains("local_pod_names=app")
                && target.contains(&format!("remote_names={DR}"))),
        "the target names the pods and the array: {audit}"
    );
    assert_eq!(
        row("pod.link")["array"],
        format!("{ARRAY},{DR}"),
        "both arrays named"
    );
    assert_eq!(row("pod.pause_link")["outcome"], "success");
    assert_eq!(row("pod.resume_link")["outcome"], "success");
}
