//! The fleet pages: the dashboard against what the arrays report, a failed drive on the
//! dashboard and in the array's hardware, an array that does not answer, a chart of the array's own history, one search over both arrays, a fleet-wide
//! snapshot checked on the arrays, and a user scoped to one array.

use flasharray_sim::FaultConfig;
use shared::api::Role;
use shared::flasharray::{HistoryWindow, SPACE_RESOLUTIONS};
use shared::size::format_size;
use thirtyfour::By;

use crate::support::{Session, array_client};

const PROD: &str = "fa-prod-01";
const DR: &str = "fa-dr-01";
const BRANCH: &str = "fa-branch-01";
const LAB: &str = "fa-lab-01";

async fn attribute(session: &Session, css: &str, name: &str) -> String {
    session
        .element(css)
        .await
        .attr(name)
        .await
        .expect("attribute read")
        .unwrap_or_default()
}

#[tokio::test]
async fn the_dashboard_shows_what_each_array_reports_and_warns_of_the_full_one() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    for (index, name) in [PROD, DR, BRANCH, LAB].into_iter().enumerate() {
        let client = array_client(&session.demo().arrays[index]);
        let space = &client.array_space(None).await.expect("space")[0];
        let volumes = client
            .count("volumes", &[("destroyed", "false".to_owned())])
            .await
            .expect("count");
        let row = format!("#fleet tr[data-array='{name}']");
        session
            .text_containing(&format!("{row} .volumes"), &volumes.to_string())
            .await;
        let used = space.space.total_physical.expect("used");
        session
            .text_containing(
                &format!("{row} .used"),
                &format!("{} of {}", format_size(used), format_size(space.capacity)),
            )
            .await;
    }
    // The destroyed count is what the recycle bin it links to lists.
    let destroyed: usize = session
        .element(&format!("#fleet tr[data-array='{DR}'] .destroyed a"))
        .await
        .text()
        .await
        .expect("text")
        .trim()
        .parse()
        .expect("a count");
    session
        .click(&format!("#fleet tr[data-array='{DR}'] .destroyed a"))
        .await;
    session.element("#recycle-bin tbody tr").await;
    assert_eq!(
        session
            .count(&format!("#recycle-bin tbody tr[data-array='{DR}']"))
            .await,
        destroyed
    );
    session.open("/").await;
    // What needs attention comes first: production's port down, then the DR array, which
    // is 84 % full and, at its growth, full within a month.
    let dr_attention = format!("#attention-list li[data-array='{DR}']");
    session.text_containing(&dr_attention, "84 % full").await;
    session
        .text_containing(&dr_attention, "full in about")
        .await;
    assert_eq!(
        attribute(&session, &dr_attention, "data-urgency").await,
        "full-soon"
    );
    assert_eq!(
        attribute(&session, "#attention-list li:first-child", "data-array").await,
        PROD
    );
    session
        .text_containing("#attention-list li:first-child", "port")
        .await;
    session
        .text_containing(&format!("tr[data-array='{DR}'] .full-in"), "in about")
        .await;
    session
        .assert_accessible("the dashboard's attention strip")
        .await;
    // fa-dr-01 is 84 % full: its bar is coloured "high" and it raised a warning.
    assert_eq!(
        attribute(
            &session,
            &format!("tr[data-array='{DR}'] .bar"),
            "data-level"
        )
        .await,
        "high"
    );
    session
        .text_containing(&format!("tr[data-array='{DR}'] .alerts"), "warning")
        .await;
    session
        .click(&format!("tr[data-array='{DR}'] .alerts a"))
        .await;
    session
        .text_containing("#alerts tbody", "Array space usage is high")
        .await;
    assert_eq!(
        session
            .count(&format!("#alerts tr[data-array='{PROD}']"))
            .await,
        0,
        "filtered to {DR}"
    );
    // Flag the space alert, as one does in the Purity GUI when looking after it.
    let dr = array_client(&session.demo().arrays[1]);
    let open = flasharray::ListParams {
        filter: Some("code=27".into()),
        ..flasharray::ListParams::default()
    };
    let space_alert = dr.list_alerts(&open).await.expect("alerts").items[0]
        .name
        .clone();
    session
        .click(&format!("#alerts tr[data-alert='{space_alert}'] .flag"))
        .await;
    session
        .text_containing("#alert-outcome", &format!("Flagged alert {space_alert}"))
        .await;
    assert!(dr.list_alerts(&open).await.expect("alerts").items[0].flagged);
    session
        .text_containing(
            &format!("#alerts tr[data-alert='{space_alert}'] .flagged"),
            "flagged",
        )
        .await;

    // Sorting by capacity used puts the fullest first, and the choice stays in the URL.
    session.open("/?sort=-used").await;
    let first = session
        .element("#fleet tbody tr")
        .await
        .attr("data-array")
        .await
        .expect("read");
    assert_eq!(first.as_deref(), Some(DR));
    session.screenshot("fleet-dashboard").await;
    session.finish().await;
}

#[tokio::test]
async fn each_arrays_release_and_a_failed_drive_show_on_the_dashboard_and_in_its_hardware() {
    let session = Session::start().await;
    let prod = &session.demo().arrays[0].simulator;
    assert!(prod.fail_part("CH0.BAY5", None));
    // As an array on a release without the hardware endpoints answers.
    session.demo().arrays[1].simulator.lack("hardware");
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    // A mixed fleet: each array on its own Purity release, spoken to at the newest REST level
    // both sides know.
    for (name, release) in [
        (PROD, "Purity//FA 6.9.1 · REST 2.52"),
        (BRANCH, "Purity//FA 6.7.5 · REST 2.36"),
        (DR, "Purity//FA 6.5.10 · REST 2.26"),
        (LAB, "Purity//FA 6.1.25 · REST 2.7"),
    ] {
        session
            .text_containing(&format!("tr[data-array='{name}'] .version"), release)
            .await;
    }
    session
        .text_containing(&format!("tr[data-array='{DR}'] .health"), "not reported")
        .await;
    let dr_volumes = array_client(&session.demo().arrays[1])
        .count("volumes", &[("destroyed", "false".to_owned())])
        .await
        .expect("count");
    session
        .text_containing(
            &format!("tr[data-array='{DR}'] .volumes"),
            &dr_volumes.to_string(),
        )
        .await;
    // The demo's arrays came with a port down; now a drive has failed too.
    let health = format!("tr[data-array='{PROD}'] .health");
    session
        .text_containing(&health, "1 drive failed, 1 port down")
        .await;
    session.text_containing(&health, "CH0.BAY5").await;
    session
        .text_containing(&format!("tr[data-array='{PROD}'] .alerts"), "critical")
        .await;
    session.click(&format!("{health} a")).await;
    session
        .text_containing("#hardware-health", "1 drive failed, 1 port down")
        .await;
    session
        .text_containing("#hardware-health", "23 of 24 modules healthy")
        .await;
    // What fails comes first, in the array's own words.
    session
        .text_containing("#drives tbody tr:first-child", "CH0.BAY5")
        .await;
    session
        .text_containing("#drives tbody tr:first-child .status", "failed")
        .await;
    session
        .text_containing("#parts tbody tr:first-child", "CT1.FC1")
        .await;
    session
        .text_containing("#parts tbody tr:first-child", "Link down")
        .await;
    session
        .text_containing("#array-identity", "FA-X70R4 · Purity//FA 6.9.1 · REST 2.52")
        .await;
    session.screenshot("array-hardware").await;
    let drives = array_client(&session.demo().arrays[0])
        .drives()
        .await
        .expect("drives");
    let failed: Vec<&str> = drives
        .iter()
        .filter(|drive| drive.status.as_deref() == Some("failed"))
        .map(|drive| drive.name.as_str())
        .collect();
    assert_eq!(failed, ["CH0.BAY5"], "as the array itself reports");

    // Its alert, found by the drive's name among every array's alerts, leads to the drive.
    session.open("/alerts").await;
    session
        .element(&format!("#alerts tr[data-array='{DR}']"))
        .await;
    session.fill("#alert-search", "bay5").await;
    session
        .gone(&format!("#alerts tr[data-array='{DR}']"))
        .await;
    session
        .text_containing("#alerts tbody tr .component", "CH0.BAY5")
        .await;
    session.click("#alerts tbody tr .component").await;
    session.element("tr[id='part-CH0.BAY5']").await;

    session.open(&format!("/arrays/{DR}/overview")).await;
    session
        .text_containing(
            "#hardware-error",
            "fa-dr-01's Purity release does not report its hardware.",
        )
        .await;

    // Replaced: the dashboard says so once the arrays are asked again.
    assert!(prod.repair_part("CH0.BAY5"));
    session.open("/").await;
    session.click("#fleet-refresh").await;
    let summary = format!("{health} .pill");
    let started = std::time::Instant::now();
    loop {
        // The row is drawn afresh when the answer comes: read it again until it settles.
        let text = session
            .element(&summary)
            .await
            .text()
            .await
            .unwrap_or_default();
        if text == "1 port down" {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "the hardware still reads {text:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    session.finish().await;
}

#[tokio::test]
async fn an_array_that_does_not_answer_shows_as_such_while_the_other_loads() {
    let session = Session::start().await;
    session.demo().arrays[1].simulator.set_faults(FaultConfig {
        latency_ms: 30_000,
        ..FaultConfig::default()
    });
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session
        .text_containing(&format!("tr[data-array='{PROD}'] .volumes"), "")
        .await;
    session
        .text_containing(
            &format!("tr[data-array='{DR}'] .unreachable"),
            "no answer within 5 s",
        )
        .await;
    session.text_containing("#total-unreachable", "1").await;
    assert_eq!(
        attribute(&session, "#attention-list li:first-child", "data-urgency").await,
        "unreachable",
        "an array not answering is the most urgent"
    );
    session
        .text_containing("#attention-list li:first-child", "not answering")
        .await;
    session.finish().await;
}

#[tokio::test]
async fn an_arrays_capacity_chart_holds_its_last_day_of_history() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{PROD}/overview")).await;
    session.sign_in_as_demo_admin().await;
    let points: usize = attribute(&session, "#chart-capacity", "data-points")
        .await
        .parse()
        .expect("a number");
    let now = shared_now_ms();
    let window = HistoryWindow::for_points(now - 86_400_000, now, 400, &SPACE_RESOLUTIONS);
    let history = array_client(&session.demo().arrays[0])
        .array_space(Some(&window))
        .await
        .expect("history");
    assert!(
        points.abs_diff(history.len()) <= 1 && points > 280,
        "chart {points} points, array {}",
        history.len()
    );
    // The table alternative's last row is the array's latest sample.
    session.click("#chart-capacity summary").await;
    let last = session
        .driver
        .find_all(By::Css("#chart-capacity tbody tr:last-child td"))
        .await
        .expect("cells");
    let unique = last[1].text().await.expect("text");
    let latest = history
        .last()
        .expect("a sample")
        .space
        .unique
        .expect("unique");
    assert_eq!(unique, format_size(latest));
    // Hovering reads out the value under the pointer.
    let chart = session.element("#chart-capacity svg").await;
    chart.scroll_into_view().await.expect("scrolled");
    session
        .driver
        .action_chain()
        .move_to_element_center(&chart)
        .perform()
        .await
        .expect("hovered");
    session
        .text_containing("#chart-capacity-readout", "Unique")
        .await;
    session.click("button[data-range='7d']").await;
    session
        .text_containing("button[aria-pressed='true']", "7d")
        .await;
    session.screenshot("array-overview").await;
    session.finish().await;
}

fn shared_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}

#[tokio::test]
async fn fleet_search_finds_volumes_on_both_arrays_and_snapshots_them_together() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_with_role(Role::Operator).await;
    session.fill("#fleet-search", "sql-fin").await;
    session.type_keys(thirtyfour::Key::Enter).await;
    for name in [PROD, DR] {
        session
            .element(&format!(
                "#search-results tr[data-array='{name}'][data-name='sql-fin-db']"
            ))
            .await;
        session
            .text_containing(&format!(".array-results[data-array='{name}']"), "found")
            .await;
    }
    // A snapshot's own space beside its volume's size, which is not the snapshot's.
    let snapshot = format!("#search-results tr[data-array='{PROD}'][data-kind='snapshot']");
    session
        .text_containing(&format!("{snapshot} .size"), "of a ")
        .await;
    let held = session
        .element(&format!("{snapshot} .holds"))
        .await
        .text()
        .await
        .expect("text");
    assert!(
        held.starts_with(|c: char| c.is_ascii_digit()),
        "what the snapshot holds, as a size: {held:?}"
    );
    // One table across arrays, sorted by a click and kept in the address.
    session
        .click("#search-results button[data-sort='size']")
        .await;
    session
        .click("#search-results button[data-sort='size']")
        .await;
    session
        .element("#search-results th[aria-sort='descending'] button[data-sort='size']")
        .await;
    let url = session.driver.current_url().await.expect("url");
    assert!(
        url.query().unwrap_or_default().contains("sort=-size"),
        "{url}"
    );
    session.click(&format!("#choose-{PROD}-sql-fin-db")).await;
    session.click(&format!("#choose-{DR}-sql-fin-log")).await;
    session.text_containing("#chosen-count", "2 volumes").await;
    session.fill("#batch-suffix", "before-upgrade").await;
    session.click("#batch-snapshot").await;
    session
        .text_containing("#batch-outcome", "Snapshotted 2 of 2 volumes on 2 arrays")
        .await;
    for (index, name) in [
        (0, "sql-fin-db.before-upgrade"),
        (1, "sql-fin-log.before-upgrade"),
    ] {
        let snapshots = array_client(&session.demo().arrays[index])
            .list_volume_snapshots(None, None)
            .await
            .expect("snapshots");
        assert!(
            snapshots.iter().any(|snapshot| snapshot.name == name),
            "{name} on the array"
        );
    }
    // Every volume found, chosen at once.
    let volumes = session
        .count("#search-results tr[data-kind='volume'] input.choose")
        .await;
    assert!(volumes > 2, "{volumes} volumes listed");
    session.click("#choose-all").await;
    session
        .text_containing("#chosen-count", &format!("{volumes} volumes chosen"))
        .await;
    session
        .click(&format!(
            "#search-results tr[data-array='{DR}'][data-name='sql-fin-db'] a"
        ))
        .await;
    session.text_containing("#volume-title", "sql-fin-db").await;
    session.text_containing("#array-name", DR).await;
    session.finish().await;
}

#[tokio::test]
async fn a_user_scoped_to_one_array_sees_only_it_in_the_fleet_pages() {
    let session = Session::start().await;
    session
        .demo()
        .add_scoped_user(
            "dr-only",
            "a test password",
            Role::Operator,
            Some(&[DR.to_owned()]),
        )
        .await
        .expect("user");
    session.open("/").await;
    session.sign_in("dr-only", "a test password").await;
    session
        .element(&format!("#fleet tr[data-array='{DR}']"))
        .await;
    assert_eq!(session.count("#fleet tbody tr").await, 1);
    session.open("/search?q=sql").await;
    session
        .element(&format!(".array-results[data-array='{DR}']"))
        .await;
    assert_eq!(session.count(".array-results").await, 1);
    assert_eq!(
        session
            .count(&format!(
                "#search-results tbody tr:not([data-array='{DR}'])"
            ))
            .await,
        0
    );
    session.open("/alerts").await;
    session.element("#alerts tbody tr").await;
    assert_eq!(
        session
            .count(&format!("#alerts tr[data-array='{PROD}']"))
            .await,
        0
    );
    session.finish().await;
}
