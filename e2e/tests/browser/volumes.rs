//! Issue 2's workflow: sign in, pick an array, see its volumes, create one.

use flasharray_sim::RunningSimulator;
use shared::size::GIB;

use crate::support::{Session, volume_on};

/// The size of a volume as the array itself reports it.
async fn volume_on_array(array: &RunningSimulator, name: &str) -> Option<u64> {
    volume_on(array, name)
        .await
        .map(|volume| volume.provisioned)
}

#[tokio::test]
async fn a_wrong_password_is_refused_on_the_form() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in("admin", "not the password").await;
    session
        .text_containing("#login-error", "Invalid username or password.")
        .await;
    session.screenshot("login-refused").await;
    session.finish().await;
}

#[tokio::test]
async fn an_admin_creates_a_volume_on_an_api_client_array() {
    let session = Session::start().await;
    session.open("/arrays").await;
    session.sign_in_as_demo_admin().await;

    // The array picker lists both arrays with how the portal reaches them.
    session
        .text_containing("tr[data-array='fa-prod-01']", "API token")
        .await;
    session
        .text_containing("tr[data-array='fa-dr-01']", "API client (OAuth 2.0)")
        .await;
    session.screenshot("arrays").await;
    session.click("tr[data-array='fa-dr-01'] a").await;

    // The seeded volumes, with sizes in binary units as the Purity GUI shows them.
    let row = session
        .text_containing("tr[data-volume='oracle-prod-data01']", "2 T")
        .await;
    assert!(row.contains(" ago)"), "created time missing: {row}");
    let utc = session
        .element("tr[data-volume='oracle-prod-data01'] .created time")
        .await
        .attr("title")
        .await
        .expect("title")
        .unwrap_or_default();
    assert!(utc.ends_with("UTC"), "UTC on hover: {utc:?}");
    let serial = session
        .element("tr[data-volume='oracle-prod-data01'] .serial")
        .await
        .text()
        .await
        .expect("serial");
    assert_eq!(serial.len(), 24, "serial {serial:?}");

    // Marks this page load: if the page reloads, the mark is gone.
    session
        .driver
        .execute("window.flashdeckPageMark = true;", Vec::new())
        .await
        .expect("mark");

    // The validator's messages appear next to each field, and nothing reaches the array.
    session.fill("#volume-name", "bad_name").await;
    session.fill("#volume-size", "5X").await;
    session.click("#volume-create").await;
    session
        .text_containing("#volume-name-error", "contains '_'")
        .await;
    session
        .text_containing("#volume-size-error", "\"5X\" is not a size")
        .await;
    session.screenshot("volume-invalid").await;
    let arrays = &session.demo().arrays;
    assert_eq!(volume_on_array(&arrays[1], "bad_name").await, None);

    // A valid volume appears in the table without a reload.
    session.fill("#volume-name", "e2e-vol").await;
    session.fill("#volume-size", "5G").await;
    session.click("#volume-create").await;
    session
        .text_containing("#volume-outcome", "Created 1 volume (5 G each): e2e-vol.")
        .await;
    session
        .text_containing("tr[data-volume='e2e-vol'] .provisioned", "5 G")
        .await;
    session.screenshot("volume-created").await;
    let mark = session
        .driver
        .execute("return window.flashdeckPageMark === true;", Vec::new())
        .await
        .expect("mark read");
    assert_eq!(
        mark.json(),
        &serde_json::Value::Bool(true),
        "the page reloaded"
    );

    // The array's own refusal reaches the name field.
    session.fill("#volume-name", "E2E-VOL").await;
    session.fill("#volume-size", "1G").await;
    session.click("#volume-create").await;
    session
        .text_containing("#volume-name-error", "Volume already exists.")
        .await;

    // The array itself holds the volume, at the size typed, and only that array.
    assert_eq!(volume_on_array(&arrays[1], "e2e-vol").await, Some(5 * GIB));
    assert_eq!(volume_on_array(&arrays[0], "e2e-vol").await, None);
    session.finish().await;
}
