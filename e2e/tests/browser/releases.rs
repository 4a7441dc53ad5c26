//! Issue 27's proof in the browser: the demo's fleet runs one array on each Purity release
//! the portal supports, and the oldest, spoken to at REST 2.7, is provisioned and protected
//! as the newest is, with what its release does not report said rather than guessed.

use shared::size::GIB;

use crate::support::{Session, array_client, volume_on};

const LAB: &str = "fa-lab-01";
const BRANCH: &str = "fa-branch-01";

#[tokio::test]
async fn the_oldest_release_is_provisioned_and_protected_as_the_newest_is() {
    let session = Session::start().await;
    session.open(&format!("/arrays/{LAB}/overview")).await;
    session.sign_in_as_demo_admin().await;
    session
        .text_containing("#array-identity", "FA-X20R3 · Purity//FA 6.1.25 · REST 2.7")
        .await;
    // REST 2.7 predates the manual eradication setting (2.10).
    session
        .text_containing("#manual-eradication", "not reported by this array's Purity")
        .await;
    session.screenshot("oldest-release-overview").await;

    session.open(&format!("/arrays/{LAB}/volumes")).await;
    session.fill("#volume-name", "e2e-old-release").await;
    session.fill("#volume-size", "10G").await;
    session.click("#volume-create").await;
    session
        .text_containing(
            "#volume-outcome",
            "Created 1 volume (10 G each): e2e-old-release.",
        )
        .await;
    let lab = &session.demo().arrays[3];
    assert_eq!(
        volume_on(lab, "e2e-old-release")
            .await
            .map(|volume| volume.provisioned),
        Some(10 * GIB)
    );

    session
        .open(&format!("/arrays/{LAB}/protection/pg-lab"))
        .await;
    session
        .text_containing("#pg-members-summary", "ci-build-cache")
        .await;
    session.fill("#pg-suffix", "e2e").await;
    session.click("#pg-snapshot-now").await;
    session
        .text_containing("#pg-outcome", "Took pg-lab.e2e (3 volume snapshot(s)).")
        .await;
    let taken = array_client(lab)
        .list_group_snapshots(Some("pg-lab"), Some(false))
        .await
        .expect("the lab array's group snapshots");
    assert!(
        taken.iter().any(|snapshot| snapshot.name == "pg-lab.e2e"),
        "{taken:?}"
    );

    // The branch office, on 6.7, reports what 6.1 does not.
    session.open(&format!("/arrays/{BRANCH}/overview")).await;
    session
        .text_containing("#array-identity", "FA-X50R4 · Purity//FA 6.7.5 · REST 2.36")
        .await;
    let manual = session
        .element("#manual-eradication")
        .await
        .text()
        .await
        .expect("text");
    assert!(!manual.contains("not reported"), "{manual}");
    session.finish().await;
}
