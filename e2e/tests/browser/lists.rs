//! Lists as tables: searched and sorted with the state in the address, exported as CSV that
//! matches what the array holds, and the key that jumps to search.

use std::time::{SystemTime, UNIX_EPOCH};

use shared::flasharray::VolumePatch;
use shared::time::format_rfc3339_ms;
use thirtyfour::By;

use crate::support::{Session, array_client, volume_on};

const PROD: &str = "fa-prod-01";
const GIB: u64 = 1 << 30;

/// The values of `attribute` on the rows `css` matches, top to bottom.
async fn row_keys(session: &Session, css: &str, attribute: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for row in session.driver.find_all(By::Css(css)).await.expect("rows") {
        keys.push(
            row.attr(attribute)
                .await
                .expect("attribute")
                .unwrap_or_default(),
        );
    }
    keys
}

/// Waits until the rows `css` matches carry `expected` in `attribute`, in that order.
async fn rows_become(session: &Session, css: &str, attribute: &str, expected: &[&str]) {
    let started = std::time::Instant::now();
    loop {
        let keys = row_keys(session, css, attribute).await;
        if keys == expected {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{css} rows were {keys:?}, never {expected:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A CSV file's lines after its header, each split at its commas (the fields checked here
/// hold none), and the header.
fn csv_lines(text: &str) -> (String, Vec<Vec<String>>) {
    let mut lines = text.split("\r\n").filter(|line| !line.is_empty());
    let header = lines.next().expect("a header").to_owned();
    let rows = lines
        .map(|line| line.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

#[tokio::test]
async fn lists_keep_search_and_sort_in_the_address_and_export_what_the_array_holds() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    let array = &session.demo().arrays[0];
    let client = array_client(array);
    for name in ["csv-pg-b", "csv-pg-a"] {
        client.create_protection_group(name).await.expect("group");
    }
    for (name, size) in [("csv-vol-1", 1), ("csv-vol-2", 3), ("csv-vol-3", 2)] {
        client
            .create_volume(name, size * GIB)
            .await
            .expect("volume");
    }
    for name in ["csv-hg-1", "csv-hg-2"] {
        client.create_host_group(name).await.expect("host group");
    }

    // Protection groups: the address orders the rows; a header click changes the address.
    session
        .open(&format!(
            "/arrays/{PROD}/protection?search=csv-pg&sort=-name"
        ))
        .await;
    let groups = "#protection-groups tbody tr";
    rows_become(&session, groups, "data-group", &["csv-pg-b", "csv-pg-a"]).await;
    session
        .click("#protection-groups button[data-sort='name']")
        .await;
    rows_become(&session, groups, "data-group", &["csv-pg-a", "csv-pg-b"]).await;
    let url = session.driver.current_url().await.expect("url");
    assert!(
        url.query().unwrap_or_default().contains("sort=name"),
        "{url}"
    );
    let csv = session
        .download(
            "#protection-groups-csv",
            &format!("{PROD}-protection-groups.csv"),
        )
        .await;
    let (header, rows) = csv_lines(&csv);
    assert_eq!(header, "name,protects,schedule,retention");
    let exported: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    let mut on_array: Vec<String> = client
        .list_protection_groups(Some(false))
        .await
        .expect("groups")
        .into_iter()
        .map(|group| group.name)
        .filter(|name| name.contains("csv-pg"))
        .collect();
    on_array.sort();
    assert_eq!(exported, on_array, "{csv}");

    // Volumes: every match (not just the page), in the table's order, as the array sizes them.
    session
        .open(&format!(
            "/arrays/{PROD}/volumes?search=csv-vol&sort=-provisioned"
        ))
        .await;
    rows_become(
        &session,
        "#volumes tbody tr",
        "data-volume",
        &["csv-vol-2", "csv-vol-3", "csv-vol-1"],
    )
    .await;
    let csv = session
        .download("#volumes-csv", &format!("{PROD}-volumes.csv"))
        .await;
    let (header, rows) = csv_lines(&csv);
    assert_eq!(
        header,
        "name,provisioned,used,data_reduction,created,serial,connections,protection_groups"
    );
    let names: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(names, ["csv-vol-2", "csv-vol-3", "csv-vol-1"], "{csv}");
    for row in &rows {
        let volume = volume_on(array, &row[0]).await.expect("on the array");
        assert_eq!(row[1], volume.provisioned.to_string(), "{csv}");
        assert_eq!(row[4], format_rfc3339_ms(volume.created), "{csv}");
        assert_eq!(row[5], volume.serial, "{csv}");
    }
    session
        .text_containing("#volumes-csv-outcome", "Exported 3 rows")
        .await;

    // The recycle bin: searched in the address; its CSV says when the array eradicates.
    let patch = VolumePatch {
        destroyed: Some(true),
        ..VolumePatch::default()
    };
    client
        .patch_volume("csv-vol-1", &patch, false)
        .await
        .expect("destroyed");
    session.open("/recycle-bin?search=csv-vol").await;
    rows_become(
        &session,
        "#recycle-bin tbody tr",
        "data-item",
        &[&format!("{PROD}/csv-vol-1")],
    )
    .await;
    let remaining = volume_on(array, "csv-vol-1")
        .await
        .and_then(|volume| volume.time_remaining)
        .expect("pending eradication");
    let csv = session
        .download("#recycle-bin-csv", "flashdeck-recycle-bin.csv")
        .await;
    let (header, rows) = csv_lines(&csv);
    assert_eq!(header, "array,kind,name,eradicates_at");
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!(rows[0][..3], [PROD, "volume", "csv-vol-1"], "{csv}");
    let due = now_ms() + remaining;
    let (earliest, latest) = (
        format_rfc3339_ms(due - 120_000),
        format_rfc3339_ms(due + 120_000),
    );
    assert!(
        earliest <= rows[0][3] && rows[0][3] <= latest,
        "{} is not within two minutes of {}",
        rows[0][3],
        format_rfc3339_ms(due)
    );

    // Host groups keep a search of their own beside the hosts'.
    session
        .open(&format!("/arrays/{PROD}/hosts?groups_search=csv-hg-2"))
        .await;
    rows_become(
        &session,
        "#host-groups tbody tr",
        "data-group",
        &["csv-hg-2"],
    )
    .await;
    assert!(
        session.count("#hosts tbody tr").await > 0,
        "the hosts' own list is not searched"
    );

    // A volume's snapshots: newest first, labelled on the timeline, restored from a button.
    let volume = ["csv-vol-2".to_owned()];
    for suffix in ["first", "second"] {
        client
            .create_volume_snapshots(&volume, Some(suffix))
            .await
            .expect("snapshot");
        // Taken a moment apart, so that newest first is one order.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    session
        .open(&format!("/arrays/{PROD}/volumes/csv-vol-2"))
        .await;
    rows_become(
        &session,
        "#snapshots tbody tr",
        "data-snapshot",
        &["csv-vol-2.second", "csv-vol-2.first"],
    )
    .await;
    session.text_containing("#timeline-oldest", "Oldest").await;
    session.text_containing("#timeline-newest", "Newest").await;
    session
        .click("#snapshots tr[data-snapshot='csv-vol-2.first'] .restore-snapshot")
        .await;
    session
        .element("#snapshot-panel[data-snapshot='csv-vol-2.first']")
        .await;
    let csv = session
        .download("#snapshots-csv", &format!("{PROD}-csv-vol-2-snapshots.csv"))
        .await;
    let (header, rows) = csv_lines(&csv);
    assert_eq!(header, "name,taken,by,size,space,state");
    let names: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(names, ["csv-vol-2.second", "csv-vol-2.first"], "{csv}");
    assert!(
        rows.iter()
            .all(|row| row[2] == "direct" && row[3] == (3 * GIB).to_string()),
        "{csv}"
    );

    // Users: searched and exported.
    session.open("/users?search=admin").await;
    session.element("#users tbody tr[data-user='admin']").await;
    let csv = session.download("#users-csv", "flashdeck-users.csv").await;
    let (header, rows) = csv_lines(&csv);
    assert_eq!(header, "name,role,status,arrays,array_username,sessions");
    assert!(
        rows.iter()
            .any(|row| row[..3] == ["admin", "admin", "active"]),
        "{csv}"
    );
    session.finish().await;
}

#[tokio::test]
async fn slash_jumps_to_the_pages_search_or_to_the_fleet_search() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session.element("#volumes").await;
    session.type_keys("/").await;
    session.assert_focused("#volume-search").await;
    // Typed in a field, `/` is a character.
    session.type_keys("db/").await;
    let typed = session
        .element("#volume-search")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert_eq!(typed, "db/");

    // The dashboard has no search box of its own: the header's fleet search takes the key.
    session.open("/").await;
    session.element("#fleet").await;
    session.type_keys("/").await;
    session.assert_focused("#fleet-search").await;
    // On a phone the header is folded away: the fleet search page opens instead.
    session.resize(400, 800).await;
    session.open("/").await;
    session.element("#fleet").await;
    session.type_keys("/").await;
    session.assert_focused("#search-q").await;
    let url = session.driver.current_url().await.expect("url");
    assert_eq!(url.path(), "/search");
    session.finish().await;
}

#[tokio::test]
async fn a_filtered_sorted_list_is_saved_as_a_view_and_opened_again_from_the_menu() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session
        .open(&format!(
            "/arrays/{PROD}/volumes?search=sql&sort=-provisioned"
        ))
        .await;
    session.element("#volumes tbody tr").await;
    let shown = row_keys(&session, "#volumes tbody tr", "data-volume").await;
    session.click("#user-menu summary").await;
    session.fill("#save-view-name", "big sql volumes").await;
    session.click("#save-view").await;
    session
        .element("#saved-views li[data-view='big sql volumes']")
        .await;

    // Elsewhere, later: the view opens as it was saved.
    session.open("/").await;
    session.element("#fleet").await;
    session
        .click_in_user_menu("#saved-views li[data-view='big sql volumes'] a")
        .await;
    let keys: Vec<&str> = shown.iter().map(String::as_str).collect();
    rows_become(&session, "#volumes tbody tr", "data-volume", &keys).await;
    let url = session.driver.current_url().await.expect("url");
    assert_eq!(url.path(), format!("/arrays/{PROD}/volumes"));
    assert_eq!(url.query(), Some("search=sql&sort=-provisioned"));

    // Forgotten, it is gone from the menu, after a reload too.
    session
        .click_in_user_menu("#saved-views li[data-view='big sql volumes'] .forget-view")
        .await;
    session
        .gone("#saved-views li[data-view='big sql volumes']")
        .await;
    session.open("/").await;
    session.element("#fleet").await;
    assert_eq!(session.count("#saved-views li").await, 0);
    session.finish().await;
}
