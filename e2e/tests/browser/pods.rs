//! Issue 28: ActiveDR in the browser — a pod made on production and replicated in one step
//! to the DR array (the pod there made and demoted), shown replicating on the pods page and
//! the DR page, then failed over behind confirmations: production's pod demoted, the DR
//! pod promoted and taking writes. Checked on the arrays themselves.

use std::time::{Duration, Instant};

use crate::support::{Session, array_client, connect_demo_arrays, volume_on};

const PROD: &str = "fa-prod-01";
const DR: &str = "fa-dr-01";
const GIB: u64 = 1 << 30;

#[tokio::test]
async fn an_admin_replicates_a_pod_to_the_dr_array_and_fails_over_to_it() {
    let session = Session::start().await;
    let (prod, dr) = (&session.demo().arrays[0], &session.demo().arrays[1]);
    let (on_prod, on_dr) = (array_client(prod), array_client(dr));
    connect_demo_arrays(&session, None).await;

    session.open(&format!("/arrays/{PROD}/pods")).await;
    session.sign_in_as_demo_admin().await;
    session.text_containing("#pods-empty", "no pods").await;
    session.fill("#pod-name", "app").await;
    session.click("#pod-create").await;
    session
        .text_containing("#pod-create-outcome", "Created pod app")
        .await;
    on_prod
        .create_volume("app::db", 10 * GIB)
        .await
        .expect("a volume in the pod");

    let row = "#pods tr[data-pod='app']";
    session
        .refreshed_until(&format!("{row} .volumes"), "1")
        .await;
    session.choose("#link-pod-name", "app").await;
    session.fill("#link-remote", DR).await;
    session.click("#link-pod-submit").await;
    session
        .text_containing("#pod-outcome", &format!("app replicates to app-dr on {DR}"))
        .await;
    let target = on_dr.pods().await.expect("pods on the DR array");
    assert_eq!(target[0].name, "app-dr");
    assert_eq!(target[0].promotion_status.as_deref(), Some("demoted"));
    session
        .refreshed_until(&format!("{row} .links"), "replicating")
        .await;
    session
        .text_containing(&format!("{row} .links"), &format!("→ {DR}: app-dr"))
        .await;
    session.element("#pod-lag-app[data-points]").await;
    session.assert_accessible("pods").await;

    let deadline = Instant::now() + Duration::from_secs(30);
    while volume_on(dr, "app-dr::db").await.is_none() {
        assert!(Instant::now() < deadline, "app::db never reached {DR}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    session.open("/dr").await;
    session
        .text_containing(
            &format!("#dr-pod-links tr[data-pod-link='{PROD}/app'] .status"),
            "replicating",
        )
        .await;
    session.assert_accessible("DR page with a pod link").await;

    // Failover: production's pod stops taking writes, the DR pod takes over.
    session.open(&format!("/arrays/{PROD}/pods")).await;
    session.click(&format!("{row} .pod-demote")).await;
    session.confirm().await;
    session.text_containing("#pod-outcome", "Demoted app").await;
    assert!(
        on_prod.create_volume("app::late", GIB).await.is_err(),
        "a demoted pod refuses writes"
    );
    session.open(&format!("/arrays/{DR}/pods")).await;
    let dr_row = "#pods tr[data-pod='app-dr']";
    session
        .text_containing(&format!("{dr_row} .promotion"), "demoted")
        .await;
    session.click(&format!("{dr_row} .pod-promote")).await;
    session.confirm().await;
    session
        .text_containing("#pod-outcome", "Promoted app-dr")
        .await;
    on_dr
        .create_volume("app-dr::after-failover", GIB)
        .await
        .expect("the promoted pod takes writes");
    session.finish().await;
}

#[tokio::test]
async fn an_admin_stretches_a_pod_over_both_arrays_and_takes_it_off_the_dr_array() {
    let session = Session::start().await;
    let (prod, dr) = (&session.demo().arrays[0], &session.demo().arrays[1]);
    let (on_prod, on_dr) = (array_client(prod), array_client(dr));
    connect_demo_arrays(&session, Some("sync-replication")).await;
    on_prod.create_pod("db").await.expect("pod");
    on_prod
        .create_volume("db::data", 10 * GIB)
        .await
        .expect("a volume in the pod");

    session.open(&format!("/arrays/{PROD}/pods")).await;
    session.sign_in_as_demo_admin().await;
    session.choose("#stretch-pod-name", "db").await;
    session.fill("#stretch-remote", DR).await;
    session.click("#stretch-pod-submit").await;
    session
        .text_containing("#pod-outcome", &format!("db is stretched to {DR}"))
        .await;
    let row = "#pods tr[data-pod='db']";
    session
        .text_containing(&format!("{row} li[data-member='{DR}']"), "online")
        .await;
    let there = on_dr.pods().await.expect("pods on the DR array");
    assert_eq!(
        there[0].array_count,
        Some(2),
        "stretched on the array itself"
    );
    assert!(
        volume_on(dr, "db::data").await.is_some(),
        "the DR array holds it"
    );
    session.assert_accessible("a stretched pod").await;

    session.open("/dr").await;
    session
        .text_containing(
            "#dr-stretched-pods tr[data-stretched-pod$='/db'] .members",
            &format!("{DR}: online, mediator online"),
        )
        .await;

    session.open(&format!("/arrays/{PROD}/pods")).await;
    session.click(&format!("{row} .pod-unstretch")).await;
    session.confirm().await;
    session
        .text_containing("#pod-outcome", &format!("db is no longer on {DR}"))
        .await;
    let there = on_dr.pods().await.expect("pods on the DR array");
    assert_eq!(there[0].name, "db.restretch");
    assert_eq!(there[0].destroyed, Some(true));
    session.finish().await;
}
