//! Issue 18: the two-person rule. With eradication held for approval, an admin's eradicate
//! asks for a reason and runs nothing; a second admin sees the request counted in the header,
//! approves it under Requests, and the volume is gone from the array, eradicated as the first.

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

    session.click("#sign-out").await;
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
