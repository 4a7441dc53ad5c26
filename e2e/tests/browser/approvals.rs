//! Issue 18: the two-person rule. With eradication held for approval, an admin's eradicate
//! asks for a reason and runs nothing; a second admin sees the request counted in the header,
//! approves it under Requests, and the volume is gone from the array, eradicated as the first.
//! Issue 29: an approval may wait for a maintenance window, and be cancelled before it.

use shared::api::{Action, Role};
use shared::flasharray::VolumePatch;

use crate::support::{Session, array_client, volume_on};

const PROD: &str = "fa-prod-01";

/// Makes `volume`, destroyed, on the demo's production array.
pub async fn destroyed_volume(session: &Session, volume: &str) {
    let client = array_client(&session.demo().arrays[0]);
    client
        .create_volume(volume, 1_073_741_824)
        .await
        .expect("volume");
    let destroy = VolumePatch {
        destroyed: Some(true),
        ..VolumePatch::default()
    };
    client
        .patch_volume(volume, &destroy, false)
        .await
        .expect("destroyed");
}

/// Asks, in the browser, to eradicate the destroyed `volume` for `reason`: it waits for a
/// second person, and nothing runs yet.
pub async fn ask_to_eradicate(session: &Session, volume: &str, reason: &str) {
    session
        .open(&format!("/arrays/{PROD}/volumes?destroyed=true"))
        .await;
    session
        .click(&format!(
            "#destroyed-volumes tr[data-volume='{volume}'] .eradicate"
        ))
        .await;
    session.fill(".confirm-dialog .confirm-name", volume).await;
    assert!(
        session.is_disabled(".confirm-dialog .confirm-yes").await,
        "a reason is needed first"
    );
    session
        .fill(".confirm-dialog .confirm-reason", reason)
        .await;
    session.confirm().await;
    session
        .text_containing("#destroyed-outcome", "Sent for approval as request #")
        .await;
    assert!(
        volume_on(&session.demo().arrays[0], volume).await.is_some(),
        "nothing ran yet"
    );
}

#[tokio::test]
async fn an_eradication_runs_only_after_a_second_admin_approves_it() {
    let session = Session::with_approvals(&[Action::VolumeEradicate]).await;
    let prod = &session.demo().arrays[0];
    destroyed_volume(&session, "retired-app").await;
    session
        .demo()
        .add_user("second-admin", "a test password", Role::Admin)
        .await
        .expect("second admin");

    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    ask_to_eradicate(&session, "retired-app", "CHG-2231: the app was retired").await;
    session.click("#requests-link").await;
    session
        .text_containing("#recent-requests tr[data-state='pending']", "retired-app")
        .await;
    session
        .text_containing("#waiting", "Nothing waits for you")
        .await;

    session.sign_out().await;
    session.sign_in("second-admin", "a test password").await;
    session.text_containing("#requests-waiting", "1").await;
    session.click("#requests-link").await;
    session
        .text_containing("#waiting li", "CHG-2231: the app was retired")
        .await;
    session.screenshot("approval-request").await;
    session
        .fill("#waiting li .decision-comment", "checked: no hosts")
        .await;
    session.click("#waiting li .approve").await;
    session
        .text_containing("#request-outcome", "done (approved by second-admin)")
        .await;
    assert!(
        volume_on(prod, "retired-app").await.is_none(),
        "eradicated on the array"
    );
    session.gone("#requests-waiting").await;
    session.finish().await;
}

#[tokio::test]
async fn an_approved_eradication_waits_for_its_maintenance_window_or_is_cancelled() {
    let session = Session::with_approvals(&[Action::VolumeEradicate]).await;
    let prod = &session.demo().arrays[0];
    destroyed_volume(&session, "nightly-batch").await;
    destroyed_volume(&session, "weekend-batch").await;
    session
        .demo()
        .add_user("window-admin", "a test password", Role::Admin)
        .await
        .expect("second admin");
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    ask_to_eradicate(&session, "nightly-batch", "CHG-88: nightly batch retired").await;
    ask_to_eradicate(&session, "weekend-batch", "CHG-89: weekend batch retired").await;
    session.sign_out().await;
    session.sign_in("window-admin", "a test password").await;
    session.click("#requests-link").await;

    // The newest request first: the weekend batch, for the window that begins next hour.
    let weekend = "#waiting li:first-child";
    session
        .text_containing(weekend, "CHG-89: weekend batch retired")
        .await;
    session.click(&format!("{weekend} .in-window")).await;
    session
        .fill(&format!("{weekend} .window-hours"), "30")
        .await;
    session.click(&format!("{weekend} .approve")).await;
    session
        .text_containing(
            &format!("{weekend} .window-fields .field-error"),
            "A window lasts from 1 to 24 hours.",
        )
        .await;
    session.fill(&format!("{weekend} .window-hours"), "2").await;
    session.click(&format!("{weekend} .approve")).await;
    session
        .text_containing(
            "#request-outcome",
            "approved by window-admin, waits for its window",
        )
        .await;
    session.text_containing("#scheduled", "weekend-batch").await;
    session.screenshot("scheduled-change").await;
    session.click("#scheduled li .cancel-window").await;
    session
        .text_containing("#request-outcome", "cancelled: it will not run")
        .await;
    session
        .text_containing("#recent-requests", "cancelled by window-admin: nothing ran")
        .await;

    // The nightly batch, in a window that begins in a few seconds.
    let nightly = "#waiting li:first-child";
    session
        .text_containing(nightly, "CHG-88: nightly batch retired")
        .await;
    session.click(&format!("{nightly} .in-window")).await;
    let soon = session.local_time_in(3).await;
    session
        .paste(&format!("{nightly} .window-start"), &soon)
        .await;
    session.fill(&format!("{nightly} .window-hours"), "1").await;
    session.click(&format!("{nightly} .approve")).await;
    session
        .text_containing("#request-outcome", "waits for its window")
        .await;
    session
        .refreshed_until("#recent-requests", "done (approved by window-admin)")
        .await;
    assert!(
        volume_on(prod, "nightly-batch").await.is_none(),
        "eradicated on the array in its window"
    );
    assert!(
        volume_on(prod, "weekend-batch").await.is_some(),
        "the cancelled change never ran"
    );
    session.finish().await;
}
