//! Issue 28: two arrays connected for replication in the browser, a protection group
//! replicated from one to the other (a snapshot sent now, arriving on the other array and
//! shown as the group's newest copy there) and back to local only, and the arrays
//! disconnected, checked on both arrays.

use std::time::{Duration, Instant};

use flasharray_sim::FaultConfig;

use crate::support::{Session, array_client, connect_demo_arrays, volume_on};

const PROD: &str = "fa-prod-01";
const DR: &str = "fa-dr-01";

/// The arrays `index` lists as connected, read on the array itself.
async fn connected_on(session: &Session, index: usize) -> Vec<String> {
    array_client(&session.demo().arrays[index])
        .array_connections()
        .await
        .expect("connections")
        .into_iter()
        .map(|connection| connection.name)
        .collect()
}

/// Waits until the DR array holds a snapshot of production's pg-oracle; its name.
async fn arrived_on_dr(session: &Session) -> String {
    let dr = array_client(&session.demo().arrays[1]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let held = dr
            .list_group_snapshots(Some(&format!("{PROD}:pg-oracle")), Some(false))
            .await
            .expect("snapshots");
        // The DR array holds it a moment before production hears that it arrived.
        let sent = array_client(&session.demo().arrays[0])
            .group_transfers("pg-oracle")
            .await
            .expect("transfers");
        let acknowledged = sent.iter().all(|transfer| transfer.completed.is_some());
        if let Some(snapshot) = held.into_iter().next()
            && acknowledged
        {
            return snapshot.name;
        }
        if Instant::now() >= deadline {
            let sent = array_client(&session.demo().arrays[0])
                .group_transfers("pg-oracle")
                .await;
            let held = dr.list_group_snapshots(None, None).await;
            panic!("the snapshot never reached {DR}: sent {sent:?}, held there {held:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn an_admin_connects_production_to_the_dr_array_replicates_a_group_there_and_disconnects_them()
 {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/replication")).await;
    session.sign_in_as_demo_admin().await;
    session
        .text_containing("#array-connections-empty", "not connected")
        .await;

    session.click("#connect-array-submit").await;
    session
        .text_containing("#connect-remote-error", "Choose the array")
        .await;
    session.fill("#connect-remote", PROD).await;
    session.click("#connect-array-submit").await;
    session
        .text_containing("#connect-remote-error", "cannot be connected to itself")
        .await;

    session.fill("#connect-remote", DR).await;
    session.click("#connect-array-submit").await;
    session
        .text_containing("#connect-outcome", &format!("Connected to {DR}"))
        .await;
    let row = format!("#array-connections tr[data-connection='{DR}']");
    session
        .text_containing(&format!("{row} .status"), "Connected")
        .await;
    session
        .text_containing(&format!("{row} .type"), "Asynchronous")
        .await;
    assert_eq!(connected_on(&session, 0).await, [DR], "on production");
    assert_eq!(connected_on(&session, 1).await, [PROD], "on the DR array");
    session.assert_accessible("replication").await;

    // pg-oracle now replicates to the DR array, which lists it as fa-prod-01:pg-oracle.
    session
        .open(&format!("/arrays/{PROD}/protection/pg-oracle"))
        .await;
    session
        .text_containing("#group-targets-empty", "on this array only")
        .await;
    session.fill("#target-remote", DR).await;
    session.click("#target-add").await;
    session
        .text_containing(
            "#add-target-outcome",
            &format!("pg-oracle now replicates to {DR}"),
        )
        .await;
    let target_row = format!("#group-targets tr[data-target='{DR}']");
    session
        .text_containing(&format!("{target_row} .allowed"), "Allowed")
        .await;
    let on_dr = array_client(&session.demo().arrays[1])
        .group_targets(&format!("{PROD}:pg-oracle"))
        .await
        .expect("targets");
    assert_eq!(on_dr.len(), 1, "the DR array receives pg-oracle");
    session
        .text_containing(&format!("{target_row} .newest"), "None yet")
        .await;

    // Replicated now, pg-oracle's terabyte baseline crosses at the link's rate: the DR array
    // holds the snapshot once production's clock says it has arrived.
    session.click("#pg-replicate-now").await;
    session.click("#pg-snapshot-now").await;
    session
        .text_containing("#pg-outcome", "on its way to the group's targets")
        .await;
    session
        .text_containing("#last-transfer", "on its way")
        .await;
    session.demo().arrays[0]
        .simulator
        .advance_clock(Duration::from_secs(3 * 3600));
    let replica = arrived_on_dr(&session).await;
    session.click("#refresh").await;
    session
        .text_containing(&format!("{target_row} .newest"), &replica)
        .await;
    session
        .text_containing(&format!("{target_row} .copies"), "1")
        .await;
    session.text_containing("#last-transfer", "arrived").await;
    session
        .assert_accessible("protection group with a target")
        .await;

    // The DR page charts what crossed the links over the last day.
    session.open("/dr").await;
    let chart = session.element("#dr-throughput").await;
    let points = chart
        .attr("data-points")
        .await
        .ok()
        .flatten()
        .and_then(|points| points.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(points > 0, "the throughput chart has samples");

    // The volume's page says where its copies are.
    session
        .open(&format!("/arrays/{PROD}/volumes/oracle-prod-redo"))
        .await;
    session
        .text_containing(
            &format!("#volume-copies li[data-group='pg-oracle'] .copy[data-target='{DR}']"),
            &format!("newest copy {replica}"),
        )
        .await;

    // On the DR array the copy is recovered into a volume of its own.
    session
        .open(&format!("/arrays/{DR}/protection/{PROD}:pg-oracle"))
        .await;
    session
        .text_containing("#pg-replicated", &format!("Replicated here from {PROD}"))
        .await;
    session
        .click(&format!(
            "li[data-volume-snapshot='{replica}.oracle-prod-redo'] .copy-one"
        ))
        .await;
    let suffix = replica.rsplit('.').next().unwrap_or_default();
    let recovered = format!("oracle-prod-redo-{suffix}");
    session
        .text_containing("#pg-outcome", &format!("copied to {recovered}"))
        .await;
    assert!(
        volume_on(&session.demo().arrays[1], &recovered)
            .await
            .is_some(),
        "the DR array holds {recovered}"
    );
    session.assert_accessible("a replicated group").await;
    session
        .open(&format!("/arrays/{PROD}/protection/pg-oracle"))
        .await;
    session.click(&format!("{target_row} .remove-target")).await;
    session.confirm().await;
    session
        .text_containing(
            "#remove-target-outcome",
            &format!("no longer replicates to {DR}"),
        )
        .await;
    session
        .text_containing("#group-targets-empty", "on this array only")
        .await;
    let on_prod = array_client(&session.demo().arrays[0])
        .group_targets("pg-oracle")
        .await
        .expect("targets");
    assert!(
        on_prod.is_empty(),
        "production stopped replicating pg-oracle"
    );

    session.open(&format!("/arrays/{DR}/replication")).await;
    session
        .text_containing(
            &format!("#array-connections tr[data-connection='{PROD}'] .status"),
            "Connected",
        )
        .await;
    session
        .click(&format!(
            "#array-connections tr[data-connection='{PROD}'] .disconnect-array"
        ))
        .await;
    session.confirm().await;
    session
        .text_containing(
            "#disconnect-outcome",
            &format!("Disconnected {DR} from {PROD}"),
        )
        .await;
    session
        .text_containing("#array-connections-empty", "not connected")
        .await;
    assert!(
        connected_on(&session, 0).await.is_empty(),
        "production forgot it"
    );
    assert!(
        connected_on(&session, 1).await.is_empty(),
        "the DR array forgot it"
    );
    session.finish().await;
}

#[tokio::test]
async fn the_dr_page_shows_a_cut_link_as_a_breach_and_the_recovered_link_as_ok() {
    let session = Session::start().await;
    // Production replicates a new, empty group to the DR array, set up on the arrays.
    let prod = &session.demo().arrays[0];
    let on_prod = array_client(prod);
    connect_demo_arrays(&session, None).await;
    on_prod
        .create_protection_group("pg-dr-test")
        .await
        .expect("group");
    on_prod
        .add_group_target("pg-dr-test", DR)
        .await
        .expect("target");

    // In the browser: replicate hourly, and now.
    session
        .open(&format!("/arrays/{PROD}/protection/pg-dr-test"))
        .await;
    session.sign_in_as_demo_admin().await;
    session.click("#replication-enabled").await;
    session.fill("#replication-every", "1").await;
    session.choose("#blackout-start", "3").await;
    session.click("#replication-save").await;
    session
        .text_containing("#replication-error", "both ends")
        .await;
    session.choose("#blackout-start", "").await;
    session.click("#replication-save").await;
    session
        .text_containing("#pg-outcome", "Saving the replication schedule: done")
        .await;
    let group = on_prod
        .list_protection_groups(None)
        .await
        .expect("groups")
        .into_iter()
        .find(|group| group.name == "pg-dr-test")
        .expect("pg-dr-test");
    assert!(group.replication_schedule.enabled, "on the array");
    assert_eq!(group.replication_schedule.frequency, 3_600_000);
    session.click("#pg-replicate-now").await;
    session.click("#pg-snapshot-now").await;
    session
        .text_containing("#pg-outcome", "on its way to the group's targets")
        .await;

    session.open("/dr").await;
    let row = format!("#dr-relationships tr[data-relationship='{PROD}/pg-dr-test/{DR}']");
    session
        .refreshed_until(&format!("{row} .health"), "OK")
        .await;
    session
        .text_containing(&format!("{row} .newest"), &format!("{PROD}:pg-dr-test."))
        .await;
    session.assert_accessible("the DR page").await;

    // The link is cut and three hours pass: the hourly copies stop arriving.
    prod.simulator.set_faults(FaultConfig {
        link_down: true,
        ..FaultConfig::default()
    });
    prod.simulator.advance_clock(Duration::from_secs(3 * 3600));
    session
        .refreshed_until(&format!("{row} .health"), "Breach")
        .await;
    session.choose("#dr-health", "breach").await;
    assert_eq!(session.count(&row).await, 1, "the filter keeps the breach");
    session.choose("#dr-health", "ok").await;
    session.gone(&row).await;
    session.choose("#dr-health", "").await;

    // The link is back: the snapshot held back arrives and the lag is within the interval.
    prod.simulator.set_faults(FaultConfig::default());
    session
        .refreshed_until(&format!("{row} .health"), "OK")
        .await;
    session.finish().await;
}
