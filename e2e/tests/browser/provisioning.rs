//! Issue 6: provisioning in the browser, each workflow with a refusal, checked on the array.

use flasharray::ConnectionTarget;
use shared::api::Role;
use shared::flasharray::Volume;
use shared::size::{GIB, MIB};

use crate::support::{Session, array_client, volume_on};

const ARRAY: &str = "fa-prod-01";

async fn volume_on_array(session: &Session, name: &str) -> Option<Volume> {
    volume_on(&session.demo().arrays[0], name).await
}

async fn create_volume(session: &Session, name: &str, size: &str) {
    session.fill("#volume-name", name).await;
    session.fill("#volume-size", size).await;
    session.click("#volume-create").await;
    session.text_containing("#volume-outcome", "Created").await;
}

#[tokio::test]
async fn the_rest_1x_quick_start_runs_in_the_browser() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{ARRAY}/volumes")).await;
    session.sign_in_as_demo_admin().await;

    create_volume(&session, "vol1", "1G").await;
    create_volume(&session, "vol2", "5M").await;
    session
        .text_containing("tr[data-volume='vol2'] .provisioned", "5 M")
        .await;

    session.click("nav.tabs a[href$='/hosts']").await;
    session.fill("#host-name", "host1").await;
    session
        .fill(
            "#host-iqns",
            "iqn.2001-04.com.example:host1-a, iqn.2001-04.com.example:host1-b",
        )
        .await;
    session.click("#host-create").await;
    session
        .text_containing("tr[data-host='host1'] .ports", "host1-b")
        .await;
    session.fill("#group-name", "hgroup1").await;
    session.click("#group-create").await;
    session.element("tr[data-group='hgroup1']").await;
    session.screenshot("quickstart-hosts").await;

    session.open(&format!("/arrays/{ARRAY}/volumes/vol1")).await;
    session.choose("#connect-kind", "host").await;
    session.fill("#connect-target", "host1").await;
    session.fill("#connect-lun", "10").await;
    session.click("#connect-submit").await;
    session.text_containing("#connect-outcome", "LUN 10").await;
    session
        .text_containing("#volume-connections tr[data-target='host1'] .lun", "10")
        .await;

    // The same connection from the host's side.
    session.open(&format!("/arrays/{ARRAY}/hosts/host1")).await;
    session
        .text_containing("#host-connections tr[data-volume='vol1'] .lun", "10")
        .await;

    session.open(&format!("/arrays/{ARRAY}/volumes/vol1")).await;
    session
        .click("#volume-connections tr[data-target='host1'] .disconnect")
        .await;
    session
        .text_containing(
            ".confirm-dialog .question",
            "Disconnect vol1 from host host1?",
        )
        .await;
    session.confirm().await;
    session.element("#no-connections").await;
    session.click("#destroy-volume").await;
    session
        .text_containing(".confirm-dialog .details", "No host sees it.")
        .await;
    session.confirm().await;
    session
        .text_containing("#destroy-outcome", "Destroyed vol1 on fa-prod-01")
        .await;
    session.click("nav.tabs a[href$='/volumes']").await;
    session.element("#create-volume").await;

    // Pending eradication, with the time left; then recovered.
    session.click("#show-destroyed").await;
    session
        .text_containing(
            "#destroyed-volumes tr[data-volume='vol1'] .remaining",
            " h ",
        )
        .await;
    session.screenshot("quickstart-destroyed").await;
    session
        .click("#destroyed-volumes tr[data-volume='vol1'] .recover")
        .await;
    session
        .text_containing("#destroyed-outcome", "Recovered vol1.")
        .await;
    assert!(
        !volume_on_array(&session, "vol1")
            .await
            .expect("vol1")
            .destroyed
    );

    session.open(&format!("/arrays/{ARRAY}/volumes/vol1")).await;
    session.fill("#rename-name", "vol1-renamed").await;
    session.click("#rename-submit").await;
    session
        .text_containing("#volume-title", "vol1-renamed")
        .await;
    session.click("#destroy-volume").await;
    session.confirm().await;
    session
        .text_containing("#destroy-outcome", "Destroyed vol1-renamed")
        .await;
    session.click("nav.tabs a[href$='/volumes']").await;
    session.click("#show-destroyed").await;
    session
        .click("#destroyed-volumes tr[data-volume='vol1-renamed'] .eradicate")
        .await;
    // Irreversible: the button waits for the exact name.
    session.fill(".confirm-dialog .confirm-name", "vol1").await;
    assert!(session.is_disabled(".confirm-dialog .confirm-yes").await);
    assert!(volume_on_array(&session, "vol1-renamed").await.is_some());
    session.confirm_typing("vol1-renamed").await;
    session
        .text_containing("#destroyed-outcome", "Eradicated vol1-renamed.")
        .await;
    session
        .gone("#destroyed-volumes tr[data-volume='vol1-renamed']")
        .await;

    assert!(volume_on_array(&session, "vol1-renamed").await.is_none());
    assert_eq!(
        volume_on_array(&session, "vol2")
            .await
            .expect("vol2")
            .provisioned,
        5 * MIB
    );
    session.finish().await;
}

#[tokio::test]
async fn volumes_come_by_pattern_and_page_search_and_sort_on_the_array() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{ARRAY}/volumes")).await;
    session.sign_in_as_demo_admin().await;

    session.fill("#volume-name", "db-[3-1]").await;
    session.fill("#volume-size", "1G").await;
    session.click("#volume-create").await;
    session
        .text_containing("#volume-name-error", "counts down")
        .await;

    session.fill("#volume-name", "bulk-[01-20]").await;
    session.click("#volume-create").await;
    session
        .text_containing("#volume-outcome", "Created 20 volumes (1 G each)")
        .await;
    // The table refreshes after the outcome shows: wait for the count to include the new ones.
    let started = std::time::Instant::now();
    let total = loop {
        let text = session.text_containing("#volume-count", "volumes").await;
        let total: u32 = text
            .split_whitespace()
            .next()
            .and_then(|count| count.parse().ok())
            .expect("a count");
        if total > 50 {
            break total;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{total} volumes fit one page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    session
        .text_containing("#page-info", &format!("1–50 of {total}"))
        .await;
    session.click("#page-next").await;
    session
        .text_containing("#page-info", &format!("51–{total} of {total}"))
        .await;
    session.click("#page-prev").await;
    session.text_containing("#page-info", "1–50").await;

    session.fill("#volume-search", "BULK-1").await;
    session.text_containing("#volume-count", "10 volumes").await;
    session.element("tr[data-volume='bulk-19']").await;
    session.fill("#volume-search", "").await;

    session.click("button[data-sort='provisioned']").await;
    session.click("button[data-sort='provisioned']").await;
    session
        .text_containing("#volumes tbody tr:first-child .name", "backup-staging")
        .await;
    session.screenshot("volumes-sorted").await;
    assert!(volume_on_array(&session, "bulk-20").await.is_some());
    assert!(volume_on_array(&session, "db-1").await.is_none());
    session.finish().await;
}

#[tokio::test]
async fn resize_needs_a_truncate_confirmation_and_a_connected_volume_offers_to_disconnect() {
    let session = Session::start().await;
    session
        .open(&format!("/arrays/{ARRAY}/volumes/sql-fin-log"))
        .await;
    session.sign_in_as_demo_admin().await;
    session.text_containing("#fact-provisioned", "256 G").await;

    session.fill("#resize-size", "128G").await;
    session.click("#resize-submit").await;
    session
        .text_containing("#resize-size-error", "tick the box")
        .await;
    assert_eq!(
        volume_on_array(&session, "sql-fin-log")
            .await
            .expect("volume")
            .provisioned,
        256 * GIB
    );
    session.click("#truncate-confirm").await;
    session.click("#resize-submit").await;
    session
        .text_containing("#resize-outcome", "Now 128 G.")
        .await;
    session.text_containing("#fact-provisioned", "128 G").await;

    session.fill("#qos-bandwidth", "fast").await;
    session.click("#qos-submit").await;
    session.element("#qos-bandwidth-error").await;
    session.fill("#qos-bandwidth", "500M").await;
    session.fill("#qos-iops", "20000").await;
    session.click("#qos-submit").await;
    session.text_containing("#fact-iops", "20000 IOPS").await;
    session.text_containing("#fact-bandwidth", "500 M/s").await;

    // Connected, it is offered the way the array takes it: disconnected first.
    session.click("#destroy-disconnect").await;
    session
        .text_containing(
            ".confirm-dialog .details",
            "first: they lose access at once",
        )
        .await;
    assert_eq!(session.count("#destroy-volume").await, 0);
    session.screenshot("destroy-connected").await;
    session.confirm().await;
    session
        .text_containing("#destroy-outcome", "Destroyed sql-fin-log")
        .await;
    let volume = volume_on_array(&session, "sql-fin-log")
        .await
        .expect("volume");
    assert!(volume.destroyed);
    assert_eq!(volume.qos.iops_limit, Some(20_000));
    // Destroyed, it offers no change but its recovery.
    session
        .text_containing("#volume-destroyed", "Recover it to change it")
        .await;
    for form in ["#resize-submit", "#qos-submit", "#destroy-disconnect"] {
        assert_eq!(session.count(form).await, 0, "{form}");
    }
    session.click("#volume-destroyed .recover-now").await;
    session.gone("#volume-destroyed").await;
    session.element("#resize-submit").await;
    let volume = volume_on_array(&session, "sql-fin-log")
        .await
        .expect("volume");
    assert!(!volume.destroyed, "recovered on the array");
    session.finish().await;
}

#[tokio::test]
async fn hosts_take_ports_in_any_spelling_and_groups_refuse_what_arrays_refuse() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{ARRAY}/hosts")).await;
    session.sign_in_as_demo_admin().await;

    session.fill("#host-name", "e2e-host").await;
    session.fill("#host-wwns", "21:00:00:24:FF:4C:C5:AA").await;
    session.click("#host-create").await;
    session
        .text_containing("tr[data-host='e2e-host'] .ports", "21000024FF4CC5AA")
        .await;

    session.fill("#host-name", "e2e-host2").await;
    session.fill("#host-wwns", "not-a-wwn").await;
    session.click("#host-create").await;
    session.element("#host-wwns-error").await;
    session.fill("#host-wwns", "21000024ff4cc5aa").await;
    session.click("#host-create").await;
    session
        .text_containing("#host-ports-error", "e2e-host")
        .await;

    session.fill("#group-name", "e2e-group").await;
    session.click("#group-create").await;
    session
        .fill("tr[data-group='e2e-group'] .add-member-name", "e2e-host")
        .await;
    session
        .click("tr[data-group='e2e-group'] .add-member button")
        .await;
    session
        .element("tr[data-group='e2e-group'] .member[data-member='e2e-host']")
        .await;
    session
        .click("tr[data-group='e2e-group'] .delete-group")
        .await;
    session.confirm_typing("e2e-group").await;
    session.text_containing("#groups-outcome", "hosts").await;
    session
        .click("tr[data-group='e2e-group'] .remove-member")
        .await;
    session.confirm().await;
    session
        .gone("tr[data-group='e2e-group'] .member[data-member='e2e-host']")
        .await;
    session
        .click("tr[data-group='e2e-group'] .delete-group")
        .await;
    session.confirm_typing("e2e-group").await;
    session.gone("tr[data-group='e2e-group']").await;

    session
        .open(&format!("/arrays/{ARRAY}/hosts/e2e-host"))
        .await;
    session.choose("#add-port-kind", "iqn").await;
    session
        .fill("#add-port", "iqn.2001-04.com.example:e2e")
        .await;
    session.click("#add-port-submit").await;
    session
        .element("#host-ports li[data-port='iqn.2001-04.com.example:e2e']")
        .await;
    session
        .click("#host-ports li[data-port='21000024FF4CC5AA'] .remove-port")
        .await;
    session.confirm().await;
    session
        .gone("#host-ports li[data-port='21000024FF4CC5AA']")
        .await;

    // A host that still sees volumes cannot be deleted; the array says why.
    session.open(&format!("/arrays/{ARRAY}/hosts/sql-01")).await;
    session.click("#delete-host").await;
    session.confirm_typing("sql-01").await;
    session
        .text_containing("#delete-host-outcome", "connection")
        .await;
    session.screenshot("host-delete-refused").await;

    let hosts = array_client(&session.demo().arrays[0])
        .list_hosts()
        .await
        .expect("hosts");
    let host = hosts
        .iter()
        .find(|host| host.name == "e2e-host")
        .expect("e2e-host");
    assert_eq!(host.iqns, ["iqn.2001-04.com.example:e2e"]);
    assert!(host.wwns.is_empty());
    assert!(hosts.iter().any(|host| host.name == "sql-01"));
    session.finish().await;
}

#[tokio::test]
async fn bulk_actions_list_each_volumes_outcome() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{ARRAY}/volumes")).await;
    session.sign_in_as_demo_admin().await;
    for volume in ["esx-boot-03", "k8s-pv-0001", "esx-boot-01"] {
        session
            .click(&format!("tr[data-volume='{volume}'] .select-volume"))
            .await;
    }
    session.text_containing("#bulk-count", "3 volumes").await;

    session.fill("#bulk-suffix", "e2e").await;
    session.click("#bulk-snapshot").await;
    session
        .text_containing(
            "#bulk-results li[data-volume='esx-boot-01']",
            "esx-boot-01.e2e",
        )
        .await;

    // Into a protection group together, picked by name.
    session.click("#bulk-protect").await;
    session
        .text_containing("#bulk-group-error", "Choose the protection group")
        .await;
    session.fill("#bulk-group", "pg-oracle").await;
    session.click("#bulk-protect").await;
    session
        .text_containing(
            "#bulk-results li[data-volume='k8s-pv-0001']",
            "added to pg-oracle",
        )
        .await;
    let members = array_client(&session.demo().arrays[0])
        .list_group_members(flasharray::MemberKind::Volumes, Some("pg-oracle"))
        .await
        .expect("members");
    for volume in ["esx-boot-03", "k8s-pv-0001", "esx-boot-01"] {
        assert!(
            members
                .iter()
                .any(|member| member.member.name.as_deref() == Some(volume)),
            "{volume} in pg-oracle on the array: {members:?}"
        );
    }

    session.click("#bulk-destroy").await;
    session
        .text_containing(
            ".confirm-dialog .question",
            "Destroy 3 volumes on fa-prod-01?",
        )
        .await;
    session.confirm().await;
    session
        .text_containing("#bulk-results li[data-volume='esx-boot-01']", "connection")
        .await;
    session
        .text_containing("#bulk-results li[data-volume='esx-boot-03']", "destroyed")
        .await;
    session
        .text_containing("#bulk-results li[data-volume='k8s-pv-0001']", "destroyed")
        .await;
    session.screenshot("bulk-destroy").await;
    // Only the one the array refused stays selected.
    session.text_containing("#bulk-count", "1 volume").await;
    session.click("#bulk-clear").await;

    session.open(&format!("/arrays/{ARRAY}/volumes")).await;
    for volume in ["k8s-pv-0002", "esx-boot-02"] {
        session
            .click(&format!("tr[data-volume='{volume}'] .select-volume"))
            .await;
    }
    session.choose("#bulk-target-kind", "host").await;
    session.fill("#bulk-target", "esx-02").await;
    session.click("#bulk-connect").await;
    session
        .text_containing(
            "#bulk-results li[data-volume='k8s-pv-0002']",
            "connected at LUN",
        )
        .await;
    session
        .element("#bulk-results li.error[data-volume='esx-boot-02']")
        .await;

    let client = array_client(&session.demo().arrays[0]);
    assert!(
        volume_on_array(&session, "esx-boot-03")
            .await
            .expect("volume")
            .destroyed
    );
    assert!(
        !volume_on_array(&session, "esx-boot-01")
            .await
            .expect("volume")
            .destroyed
    );
    let seen = client
        .list_connections(Some(ConnectionTarget::Host("esx-02")), Some("k8s-pv-0002"))
        .await
        .expect("connections");
    assert_eq!(seen.len(), 1);
    session.finish().await;
}

#[tokio::test]
async fn a_viewer_sees_no_mutating_control_and_the_server_refuses_one_anyway() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{ARRAY}/volumes")).await;
    session.sign_in_with_role(Role::Viewer).await;
    session.element("tr[data-volume='sql-fin-db']").await;
    assert_eq!(session.count("#create-volume").await, 0);
    assert_eq!(session.count(".select-volume").await, 0);

    session
        .open(&format!("/arrays/{ARRAY}/volumes/sql-fin-db"))
        .await;
    session.element("#volume-facts").await;
    session.element("#volume-connections").await;
    for control in [
        "#resize-volume",
        "#rename-volume",
        "#connect-volume",
        "#destroy-volume",
        ".disconnect",
    ] {
        assert_eq!(
            session.count(control).await,
            0,
            "{control} shown to a viewer"
        );
    }
    session.open(&format!("/arrays/{ARRAY}/hosts")).await;
    session.element("tr[data-host='sql-01']").await;
    assert_eq!(session.count("#create-host").await, 0);
    assert_eq!(session.count(".delete-group").await, 0);

    let status = session
        .driver
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               fetch('/api/arrays/fa-prod-01/volumes', {
                 method: 'POST',
                 headers: {'content-type': 'application/json', 'x-flashdeck-csrf': '1'},
                 body: JSON.stringify({name: 'sneaky', provisioned: 1073741824}),
               }).then(response => done(response.status));"#,
            Vec::new(),
        )
        .await
        .expect("fetch ran");
    assert_eq!(status.json(), &serde_json::json!(403));
    assert!(volume_on_array(&session, "sneaky").await.is_none());
    session.finish().await;
}
