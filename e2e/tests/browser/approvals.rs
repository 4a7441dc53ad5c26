//! Issue 18: the two-person rule. With eradication held for approval, an admin's eradicate
//! asks for a reason and runs nothing; a second admin sees the request counted in the header,
//! approves it under Requests, and the volume is gone from the array, eradicated as the first.

use shared::api::{Action, Role};
use shared::flasharray::VolumePatch;

use crate::support::{Session, array_client, volume_on};

const PROD: &str = "fa-prod-01";

#[tokio::test]
async fn an_eradication_runs_only_after_a_second_admin_approves_it() {
    let session = Session::with_approvals(&[Action::VolumeEradicate]).await;
    let prod = &session.demo().arrays[0];
    let client = array_client(prod);
    client
        .create_volume("retired-app", 1_073_741_824)
        .await
        .expect("volume");
    let destroy = VolumePatch {
        destroyed: Some(true),
        ..VolumePatch::default()
    };
    client
        .patch_volume("retired-app", &destroy, false)
        .await
        .expect("destroyed");
    session
        .demo()
        .add_user("second-admin", "a test password", Role::Admin)
        .await
        .expect("second admin");

    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session
        .open(&format!("/arrays/{PROD}/volumes?destroyed=true"))
        .await;
    session
        .click("#destroyed-volumes tr[data-volume='retired-app'] .eradicate")
        .await;
    session
        .fill(".confirm-dialog .confirm-name", "retired-app")
        .await;
    assert!(
        session.is_disabled(".confirm-dialog .confirm-yes").await,
        "a reason is needed first"
    );
    session
        .fill(
            ".confirm-dialog .confirm-reason",
            "CHG-2231: the app was retired",
        )
        .await;
    session.confirm().await;
    session
        .text_containing("#destroyed-outcome", "Sent for approval as request #")
        .await;
    assert!(
        volume_on(prod, "retired-app").await.is_some(),
        "nothing ran yet"
    );
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
