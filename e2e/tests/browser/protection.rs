//! Issue 7: data protection in the browser — snapshots and restores, protection groups on a
//! schedule, copies out of group snapshots, and the recycle bin — checked on the arrays.

use std::time::Duration;

use shared::api::Role;
use shared::flasharray::{ArrayEradicationConfig, ArrayPatch, VolumePatch, VolumeSnapshotPatch};
use shared::size::GIB;

use crate::support::{Session, array_client, volume_on};

const PROD: &str = "fa-prod-01";
const HOUR: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn a_restore_brings_the_size_back_after_a_safety_snapshot() {
    let session = Session::start().await;
    session
        .open(&format!("/arrays/{PROD}/volumes/esx-boot-03"))
        .await;
    session.sign_in_as_demo_admin().await;
    session.fill("#snapshot-suffix", "before").await;
    session.click("#snapshot-take").await;
    session
        .text_containing("#take-snapshot-outcome", "esx-boot-03.before")
        .await;

    session.fill("#resize-size", "20G").await;
    session.click("#resize-submit").await;
    session.text_containing("#fact-provisioned", "20 G").await;

    session
        .click("#timeline .marker[data-snapshot='esx-boot-03.before']")
        .await;
    let preview = session
        .text_containing("#restore-preview", "after the restore 10 G")
        .await;
    assert!(preview.contains("Size now 20 G"), "{preview}");

    // Without the overwrite confirmation the server refuses, and nothing changes.
    session.click("#restore-submit").await;
    session
        .text_containing("#restore-confirm-error", "confirm the overwrite")
        .await;
    let array = &session.demo().arrays[0];
    assert_eq!(
        volume_on(array, "esx-boot-03")
            .await
            .expect("volume")
            .provisioned,
        20 * GIB
    );

    session.click("#restore-confirm").await;
    // A double click (two clicks in one go, before the page can redraw) runs one restore.
    let submit = session.element("#restore-submit").await;
    session
        .driver
        .execute(
            "arguments[0].click(); arguments[0].click();",
            vec![submit.to_json().expect("element")],
        )
        .await
        .expect("clicked twice");
    let done = session
        .text_containing("#snapshot-outcome", "Restored esx-boot-03")
        .await;
    assert!(done.contains("esx-boot-03.safety-"), "{done}");
    session.text_containing("#fact-provisioned", "10 G").await;
    session.screenshot("restored").await;

    assert_eq!(
        volume_on(array, "esx-boot-03")
            .await
            .expect("volume")
            .provisioned,
        10 * GIB
    );
    let snapshots = array_client(array)
        .list_volume_snapshots(Some("esx-boot-03"), Some(false))
        .await
        .expect("snapshots");
    let safety: Vec<_> = snapshots
        .iter()
        .filter(|snapshot| snapshot.suffix.starts_with("safety-"))
        .collect();
    assert_eq!(
        safety.len(),
        1,
        "one restore, one safety snapshot: {safety:?}"
    );
    assert_eq!(safety[0].provisioned, 20 * GIB, "it holds the state before");
    session.finish().await;
}

#[tokio::test]
async fn a_schedule_snapshots_as_the_array_clock_moves_and_retention_prunes() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/protection")).await;
    session.sign_in_as_demo_admin().await;
    session.fill("#pg-name", "pg-e2e").await;
    session.click("#pg-create").await;
    session.click("tr[data-group='pg-e2e'] a").await;

    session.choose("#member-kind", "volumes").await;
    // Two ticked from the array's volumes, narrowed by a filter, and one typed.
    session.fill("#member-choices-filter", "k8s-pv-000").await;
    for name in ["k8s-pv-0001", "k8s-pv-0002"] {
        session
            .click(&format!("#member-choices input[data-name='{name}']"))
            .await;
    }
    session
        .text_containing("#member-choices .chosen-count", "2 chosen")
        .await;
    session.fill("#member-names", "k8s-pv-0003").await;
    session.click("#member-add").await;
    session
        .text_containing(
            "#pg-members-summary",
            "volumes: k8s-pv-0001, k8s-pv-0002, k8s-pv-0003",
        )
        .await;
    // Members are no longer offered.
    assert_eq!(
        session
            .count("#member-choices input[data-name='k8s-pv-0001']")
            .await,
        0
    );
    session.choose("#member-kind", "hosts").await;
    session.fill("#member-names", "esx-01").await;
    session.click("#member-add").await;
    session
        .text_containing("#member-names-error", "one kind")
        .await;

    session.click("#schedule-enabled").await;
    session.fill("#schedule-every", "1").await;
    session.choose("#schedule-unit", "hours").await;
    // A time of day counts only for schedules of whole days: it cannot be given here.
    assert!(session.is_disabled("#schedule-at").await);
    session.click("#schedule-save").await;
    session
        .text_containing("#pg-schedule-summary", "Every hour")
        .await;
    session.fill("#retention-all", "2").await;
    session.choose("#retention-all-unit", "hours").await;
    // More a day than the schedule takes is refused before the array is asked.
    session.fill("#retention-per-day", "30").await;
    session.fill("#retention-days", "1").await;
    session.click("#retention-save").await;
    session
        .text_containing("#retention-error", "The schedule takes 24 a day")
        .await;
    session.fill("#retention-per-day", "2").await;
    session.fill("#retention-days", "1").await;
    session.click("#retention-save").await;
    session
        .text_containing(
            "#pg-retention-summary",
            "Keeps every snapshot for 2 hours, then 2 a day for 1 more day",
        )
        .await;
    session.element("#no-pg-snapshots").await;

    session.demo().arrays[0].simulator.clock.advance(30 * HOUR);
    session
        .open(&format!("/arrays/{PROD}/protection/pg-e2e"))
        .await;
    session.element("#pg-snapshots .pg-snapshot").await;
    // The last 2 hours' snapshots, then the newest of each half day.
    assert_eq!(session.count("#pg-snapshots .pg-snapshot").await, 4);
    session
        .element("#pg-snapshots .pg-snapshot li[data-volume-snapshot$='.k8s-pv-0002']")
        .await;
    session.screenshot("scheduled-snapshots").await;

    session.open("/recycle-bin").await;
    session
        .element("tr[data-kind='protection group snapshot']")
        .await;
    let pruned = array_client(&session.demo().arrays[0])
        .list_group_snapshots(Some("pg-e2e"), Some(true))
        .await
        .expect("pruned");
    assert!(pruned.len() >= 20, "{} pruned", pruned.len());
    let shown = session
        .driver
        .find_all(thirtyfour::By::Css(
            "tr[data-kind='protection group snapshot'] .name",
        ))
        .await
        .expect("rows");
    let mut pg_e2e = 0;
    for row in shown {
        if row.text().await.unwrap_or_default().starts_with("pg-e2e.") {
            pg_e2e += 1;
        }
    }
    assert_eq!(
        pg_e2e,
        pruned.len(),
        "every pruned snapshot waits in the bin"
    );
    session.finish().await;
}

#[tokio::test]
async fn one_volume_is_copied_out_of_a_group_snapshot_then_the_whole_group_restored() {
    let session = Session::start().await;
    session
        .open(&format!("/arrays/{PROD}/protection/pg-oracle"))
        .await;
    session.sign_in_as_demo_admin().await;
    session
        .text_containing("#pg-members-summary", "oracle-prod-redo")
        .await;
    session.fill("#pg-suffix", "e2e").await;
    session.click("#pg-snapshot-now").await;
    session
        .text_containing("#pg-outcome", "Took pg-oracle.e2e (3 volume snapshot(s)).")
        .await;
    let inside = ".pg-snapshot[data-snapshot='pg-oracle.e2e'] li[data-volume-snapshot='pg-oracle.e2e.oracle-prod-redo']";
    session.click(&format!("{inside} .restore-one")).await;
    session
        .text_containing("#pg-outcome", "replace current contents")
        .await;
    session.click(&format!("{inside} .copy-one")).await;
    session
        .text_containing("#pg-outcome", "copied to oracle-prod-redo-e2e")
        .await;
    session.screenshot("copied-out-of-group").await;
    let copy = volume_on(&session.demo().arrays[0], "oracle-prod-redo-e2e")
        .await
        .expect("the copy");
    assert_eq!(copy.provisioned, 200 * GIB);
    assert_eq!(
        copy.source.and_then(|source| source.name).as_deref(),
        Some("oracle-prod-redo")
    );

    // The whole group back to that point: the preview says what each volume becomes.
    let array = array_client(&session.demo().arrays[0]);
    let grown = VolumePatch {
        provisioned: Some(250 * GIB),
        ..VolumePatch::default()
    };
    array
        .patch_volume("oracle-prod-redo", &grown, false)
        .await
        .expect("grown on the array");
    let block = ".pg-snapshot[data-snapshot='pg-oracle.e2e']";
    session.click(&format!("{block} .confirm-overwrite")).await;
    session
        .text_containing(
            &format!("{block} .group-restore-impact li[data-volume='oracle-prod-redo']"),
            "250 G now, 200 G after",
        )
        .await;
    session
        .text_containing(&format!("{block} .group-restore-impact"), "3 volumes")
        .await;
    session
        .assert_accessible("a whole-group restore's preview")
        .await;
    session.click(&format!("{block} .restore-all")).await;
    session
        .text_containing("#pg-outcome", "restored oracle-prod-redo")
        .await;
    let restored = volume_on(&session.demo().arrays[0], "oracle-prod-redo")
        .await
        .expect("the volume");
    assert_eq!(
        restored.provisioned,
        200 * GIB,
        "back to the snapshot's size"
    );
    let safety = array
        .list_volume_snapshots(None, Some(false))
        .await
        .expect("snapshots")
        .into_iter()
        .filter(|snapshot| snapshot.name.contains(".safety-"))
        .count();
    assert_eq!(safety, 3, "a safety snapshot of each member first");
    session.finish().await;
}

#[tokio::test]
async fn the_recycle_bin_gathers_both_arrays() {
    let session = Session::start().await;
    let prod = array_client(&session.demo().arrays[0]);
    let dr = array_client(&session.demo().arrays[1]);
    prod.patch_volume(
        "scratch-etl",
        &VolumePatch {
            destroyed: Some(true),
            ..VolumePatch::default()
        },
        false,
    )
    .await
    .expect("destroyed on prod");
    dr.create_volume_snapshots(&["vdi-desktop-001".to_owned()], Some("e2e"))
        .await
        .expect("snapshot on dr");
    dr.patch_volume_snapshot(
        "vdi-desktop-001.e2e",
        &VolumeSnapshotPatch {
            destroyed: Some(true),
            ..VolumeSnapshotPatch::default()
        },
    )
    .await
    .expect("destroyed on dr");

    session.open("/recycle-bin").await;
    session.sign_in_as_demo_admin().await;
    let volume_row = "tr[data-item='fa-prod-01/scratch-etl']";
    let snapshot_row = "tr[data-item='fa-dr-01/vdi-desktop-001.e2e']";
    session.text_containing(volume_row, "volume").await;
    session.text_containing(snapshot_row, "snapshot").await;
    session
        .text_containing(&format!("{snapshot_row} .remaining"), " h ")
        .await;
    session.screenshot("recycle-bin").await;

    session.click(&format!("{volume_row} .recover")).await;
    session
        .text_containing("#recycle-outcome", "Recovered scratch-etl on fa-prod-01.")
        .await;
    session.gone(volume_row).await;
    session.click(&format!("{snapshot_row} .eradicate")).await;
    session
        .text_containing(
            ".confirm-dialog .question",
            "Eradicate snapshot vdi-desktop-001.e2e on fa-dr-01?",
        )
        .await;
    session.confirm_typing("vdi-desktop-001.e2e").await;
    session.gone(snapshot_row).await;

    assert!(
        !volume_on(&session.demo().arrays[0], "scratch-etl")
            .await
            .expect("volume")
            .destroyed
    );
    let left = dr
        .list_volume_snapshots(Some("vdi-desktop-001"), None)
        .await
        .expect("snapshots");
    assert!(
        left.iter()
            .all(|snapshot| snapshot.name != "vdi-desktop-001.e2e")
    );
    session.finish().await;
}

#[tokio::test]
async fn an_operator_recovers_but_cannot_eradicate() {
    let session = Session::start().await;
    array_client(&session.demo().arrays[0])
        .patch_volume(
            "scratch-etl",
            &VolumePatch {
                destroyed: Some(true),
                ..VolumePatch::default()
            },
            false,
        )
        .await
        .expect("destroyed");
    session.open("/recycle-bin").await;
    session.sign_in_with_role(Role::Operator).await;
    let row = "tr[data-item='fa-prod-01/scratch-etl']";
    session.element(&format!("{row} .recover")).await;
    assert_eq!(session.count(&format!("{row} .eradicate")).await, 0);
    let status = session
        .driver
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch('/api/recycle-bin/eradicate', {
                 method: 'POST',
                 headers: {'content-type': 'application/json', 'x-flashdeck-csrf': '1'},
                 body: JSON.stringify({array: 'fa-prod-01', kind: 'volume', name: 'scratch-etl'}),
               }).then(response => done(response.status));"#,
            Vec::new(),
        )
        .await
        .expect("fetch ran");
    assert_eq!(status.json(), &serde_json::json!(403));
    assert!(
        volume_on(&session.demo().arrays[0], "scratch-etl")
            .await
            .is_some()
    );
    session.finish().await;
}

#[tokio::test]
async fn an_admin_locks_a_groups_retention_and_the_array_refuses_to_eradicate_its_snapshots() {
    let session = Session::start().await;
    session
        .open("/arrays/fa-prod-01/protection/pg-vmware")
        .await;
    session.sign_in_as_demo_admin().await;
    session.text_containing("#pg-retention-lock", "off").await;
    session.click("#pg-lock-retention").await;
    session.confirm_typing("pg-vmware").await;
    session
        .text_containing("#pg-outcome", "Retention locked")
        .await;
    session
        .text_containing("#pg-retention-lock", "retention locked")
        .await;
    session.gone("#pg-lock-retention").await;
    let array = array_client(&session.demo().arrays[0]);
    let group = array
        .list_protection_groups(None)
        .await
        .expect("groups")
        .into_iter()
        .find(|group| group.name == "pg-vmware")
        .expect("pg-vmware");
    assert_eq!(
        group.retention_lock.as_deref(),
        Some("ratcheted"),
        "on the array"
    );
    let snapshot = array
        .list_group_snapshots(Some("pg-vmware"), Some(false))
        .await
        .expect("snapshots")
        .into_iter()
        .next()
        .expect("a snapshot");
    array
        .set_group_snapshot_destroyed(&snapshot.name, true)
        .await
        .expect("destroyed");
    let refused = array.eradicate_group_snapshot(&snapshot.name).await;
    assert!(
        refused.is_err_and(|error| error.to_string().contains("SafeMode")),
        "the array keeps it"
    );
    session.assert_accessible("a locked group").await;

    // The array keeps what SafeMode protects for its own delay, and says so wherever it counts.
    const DAY: u64 = 86_400_000;
    let delays = ArrayPatch {
        eradication_config: Some(ArrayEradicationConfig {
            enabled_delay: Some(3 * DAY),
            disabled_delay: Some(7 * DAY),
            ..ArrayEradicationConfig::default()
        }),
    };
    array.patch_array(&delays).await.expect("delays set");
    session.open("/arrays/fa-prod-01/overview").await;
    session
        .text_containing("#eradication-delay", "3 days")
        .await;
    session.text_containing("#safemode-delay", "7 days").await;
    session
        .text_containing("#manual-eradication", "disabled for some objects")
        .await;
    session
        .assert_accessible("the Overview's SafeMode facts")
        .await;
    session
        .open("/arrays/fa-prod-01/protection/pg-vmware")
        .await;
    session.click(".pg-snapshot .destroy-snapshot").await;
    session
        .text_containing(".confirm-dialog .details", "SafeMode keeps it for 7 days")
        .await;
    session.finish().await;
}
