//! The capacity and protection report: what it finds unprotected on a real (simulated) array,
//! its CSV and HTML downloads within the caller's scope, and the weekly mail through a real
//! SMTP server, sent once per due time however many replicas' leaders try.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use test_support::smtp_receiver::attachment;

use crate::{ARRAY, TestApp, TestOptions, request};

fn path(rest: &str) -> String {
    format!("/api/arrays/{ARRAY}/{rest}")
}

async fn created(app: &TestApp, cookie: &str, method: &str, url: &str, body: Value) {
    let (status, _, answer) = app.call(method, url, Some(cookie), Some(body)).await;
    assert!(status.is_success(), "{method} {url}: {status} {answer}");
}

#[tokio::test]
async fn the_report_finds_what_no_scheduled_group_protects_and_goes_out_weekly_once() {
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-backend");
    let smtp = test_support::smtp_receiver::SmtpReceiver::start(&venv).await;
    let app = TestApp::with(TestOptions {
        notifications: true,
        ..TestOptions::default()
    })
    .await;
    let admin = app.login("admin").await;
    for volume in ["rpt-direct", "rpt-via-host", "rpt-loose"] {
        created(
            &app,
            &admin,
            "POST",
            &path("volumes"),
            json!({"name": volume, "provisioned": 1_073_741_824}),
        )
        .await;
    }
    created(
        &app,
        &admin,
        "POST",
        &path("hosts"),
        json!({"name": "rpt-esx", "iqns": ["iqn.2026-12.com.example:rpt-esx"]}),
    )
    .await;
    created(
        &app,
        &admin,
        "POST",
        &path("connections"),
        json!({"volume": "rpt-via-host", "host": "rpt-esx"}),
    )
    .await;
    // A group protects one kind of object: volumes in one, the host in the other.
    for (group, kind, member) in [
        ("rpt-nightly", "volumes", "rpt-direct"),
        ("rpt-hosts", "hosts", "rpt-esx"),
    ] {
        created(
            &app,
            &admin,
            "POST",
            &path("protection-groups"),
            json!({"name": group}),
        )
        .await;
        created(
            &app,
            &admin,
            "POST",
            &path(&format!("protection-groups/{group}/members")),
            json!({"kind": kind, "names": [member]}),
        )
        .await;
        created(
            &app,
            &admin,
            "PATCH",
            &path(&format!("protection-groups/{group}")),
            json!({"snapshot_schedule": {"enabled": true, "frequency": 86_400_000}}),
        )
        .await;
    }
    created(
        &app,
        &admin,
        "POST",
        &path("protection-groups/rpt-nightly/snapshots"),
        json!({"suffix": "first"}),
    )
    .await;

    let (status, _, report) = app
        .call("GET", "/api/reports/fleet", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let array = &report["arrays"][0];
    assert_eq!(array["array"], ARRAY, "{report}");
    let unprotected: Vec<&str> = array["unprotected"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|volume| volume["name"].as_str())
        .filter(|name| name.starts_with("rpt-"))
        .collect();
    assert_eq!(unprotected, ["rpt-loose"], "{array}");
    let nightly = array["protection_groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|group| group["name"] == "rpt-nightly")
        .expect("the group");
    assert_eq!(nightly["scheduled"], true);
    assert_eq!(nightly["snapshots"], 1);
    assert!(nightly["oldest_snapshot_ms"].as_i64().is_some());
    assert!(array["capacity"].as_u64().unwrap_or(0) > 0);

    let (status, headers, csv) = app
        .send_for_headers(request("GET", "/api/reports/fleet.csv", Some(&admin), None))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let csv = csv.as_str().expect("text");
    assert!(
        csv.starts_with("section,array,name,capacity_bytes"),
        "{csv}"
    );
    assert!(csv.contains(&format!("unprotected_volume,{ARRAY},rpt-loose,1073741824")));
    assert!(!csv.contains(&format!("unprotected_volume,{ARRAY},rpt-direct")));
    let (status, headers, _) = app
        .send_for_headers(request(
            "GET",
            "/api/reports/fleet.html",
            Some(&admin),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment;"),
        "never shown on the portal's origin"
    );
    let hash = backend::identity::passwords::hash_password(crate::PASSWORD).expect("hash");
    let elsewhere = ["fa-elsewhere".to_owned()];
    app.db
        .create_scoped_user(
            "rpt-scoped",
            &hash,
            shared::api::Role::Viewer,
            Some(&elsewhere[..]),
            None,
            backend::clock::unix_now(),
        )
        .await
        .expect("user");
    let scoped = app.login("rpt-scoped").await;
    let (_, _, theirs) = app
        .call("GET", "/api/reports/fleet", Some(&scoped), None)
        .await;
    assert_eq!(theirs["arrays"], json!([]), "only the caller's arrays");
    let (status, _, refused) = app
        .call("GET", "/api/notifications/report", Some(&scoped), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    let channel = crate::notifications::mail_channel(&app, &admin, &smtp, "team mail").await;
    let (status, _, refused) = app
        .call("POST", "/api/notifications/report/send", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no schedule yet: {refused}");
    for (schedule, field) in [
        (
            json!({"channel": channel, "weekday": 0, "hour": 8}),
            "weekday",
        ),
        (
            json!({"channel": channel, "weekday": 1, "hour": 24}),
            "hour",
        ),
        (json!({"channel": 999, "weekday": 1, "hour": 8}), "channel"),
    ] {
        let (status, _, refused) = app
            .call(
                "PUT",
                "/api/notifications/report",
                Some(&admin),
                Some(json!({"schedule": schedule})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused["field"], field, "{refused}");
    }
    let (status, _, settings) = app
        .call(
            "PUT",
            "/api/notifications/report",
            Some(&admin),
            Some(json!({"schedule": {"channel": channel, "weekday": 1, "hour": 8, "utc_offset_minutes": 60}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    let next_at_ms = settings["next_at_ms"].as_i64().expect("next time");
    assert!(next_at_ms > backend::clock::unix_now_ms());
    let (status, _, _) = app
        .call(
            "DELETE",
            &format!("/api/notifications/channels/{channel}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "the report goes through it");

    let (status, _, _) = app
        .call("POST", "/api/notifications/report/send", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mails = smtp.wait_for(1).await;
    let mail = &mails[0];
    assert!(
        mail.contains("Subject: [Flashdeck] Capacity and protection report of 1 arrays"),
        "{mail}"
    );
    assert!(mail.contains("multipart/alternative"), "{mail}");
    assert!(mail.contains("text/html"), "{mail}");
    let csv = attachment(mail, "flashdeck-capacity-and-protection.csv");
    assert!(
        csv.contains(&format!("unprotected_volume,{ARRAY},rpt-loose,1073741824")),
        "{csv}"
    );
    assert!(csv.contains(&format!("protection_group,{ARRAY},rpt-nightly,")));

    // The weekly one: not before its time, once at it, whichever leader asks first.
    let notifier = app.notifier.clone().expect("notifier");
    assert!(
        !notifier
            .send_report_if_due(next_at_ms - 1)
            .await
            .expect("checked")
    );
    let (first, second) = tokio::join!(
        notifier.send_report_if_due(next_at_ms + 5),
        notifier.send_report_if_due(next_at_ms + 7),
    );
    assert_eq!(
        [first.expect("first"), second.expect("second")]
            .iter()
            .filter(|sent| **sent)
            .count(),
        1,
        "sent once for its due time"
    );
    assert!(
        !notifier
            .send_report_if_due(next_at_ms + 3_600_000)
            .await
            .expect("checked")
    );
    let mails = smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    let (_, _, settings) = app
        .call("GET", "/api/notifications/report", Some(&admin), None)
        .await;
    assert!(settings["last_sent_at_ms"].as_i64().is_some(), "{settings}");
}
