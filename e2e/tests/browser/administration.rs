//! Issue 5: a team portal — an admin adds a user scoped to one array, who then acts there
//! under their own name; disabling them signs them out; the audit log shows what they did;
//! an admin registers an array after testing the connection.

use flasharray_sim::{ADMIN_USERNAME, Simulator, SimulatorConfig};
use shared::api::Role;

use crate::support::Session;

const DR: &str = "fa-dr-01";
const PROD: &str = "fa-prod-01";
const NEW_ARRAY: &str = "fa-new-01";

#[tokio::test]
async fn an_admin_adds_a_scoped_operator_whose_changes_carry_their_name() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session.click("#users-link").await;
    session.element("#users tr[data-user='admin']").await;

    session.fill("#user-name", "alice").await;
    session.fill("#user-password", "short").await;
    session.choose("#user-role", "operator").await;
    session.click("#user-create").await;
    session
        .text_containing("#user-password-error", "at least 8 characters")
        .await;
    assert_eq!(session.count("#users tr[data-user='alice']").await, 0);
    session
        .fill("#user-password", "alice's long password")
        .await;
    // No tick never means every array: "All arrays" is a choice of its own.
    session.click("#user-create").await;
    session
        .text_containing("#user-arrays .field-error", "Choose All arrays")
        .await;
    assert_eq!(session.count("#users tr[data-user='alice']").await, 0);
    session.click(&format!("#user-arrays-{DR}")).await;
    session.click("#user-create").await;
    session
        .text_containing("#user-create-outcome", "Added alice with the operator role")
        .await;
    session
        .text_containing("#users tr[data-user='alice'] .arrays", DR)
        .await;

    // Per-user identity: the array must know alice, as its admin would have set up.
    let dr = &session.demo().arrays[1];
    dr.simulator.add_admin("alice", "an array password");

    session.sign_out().await;
    session.sign_in("alice", "alice's long password").await;
    session.text_containing("#signed-in-user", "alice").await;
    session.click("#arrays-link").await;
    session
        .text_containing(
            &format!("tr[data-array='{DR}'] .identity"),
            "each portal user",
        )
        .await;
    assert_eq!(session.count("#arrays tbody tr").await, 1, "only her array");
    assert_eq!(session.count("#users-link").await, 0);
    // Another array's pages, opened by their address, offer her nothing to fill in.
    session.open(&format!("/arrays/{PROD}/volumes")).await;
    session
        .text_containing("#array-refused", &format!("You may not use {PROD}"))
        .await;
    assert_eq!(session.count("#volume-name").await, 0);
    session.click("#arrays-link").await;
    session.click(&format!("tr[data-array='{DR}'] a")).await;
    session.fill("#volume-name", "alice-vol").await;
    session.fill("#volume-size", "2G").await;
    session.click("#volume-create").await;
    session.element("tr[data-volume='alice-vol']").await;
    let on_array = dr.simulator.audits();
    let created = on_array
        .iter()
        .find(|entry| entry.arguments.contains("alice-vol"))
        .expect("the array audited the creation");
    assert_eq!(created.user, "alice", "the array's audit names the person");

    session.sign_out().await;
    session.sign_in_as_demo_admin().await;
    session.click("#audit-link").await;
    session.fill("#audit-user", "alice").await;
    session.fill("#audit-action", "volume.create").await;
    session.click("#audit-search").await;
    let row = session
        .text_containing("#audit tbody tr[data-outcome='success']", "volume.create")
        .await;
    assert!(row.contains("alice-vol") && row.contains(DR), "{row}");
    let csv = session
        .element("#audit-csv")
        .await
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(
        csv.starts_with("/api/audit.csv?") && csv.contains("user=alice"),
        "{csv}"
    );
    // A date-time picker in local time: nothing has happened since far in the future.
    session.paste("#audit-since", "2099-01-01T00:00").await;
    session.click("#audit-search").await;
    session.gone("#audit tbody tr").await;

    // Her scope and array username change after creation too.
    session.click("#users-link").await;
    // An admin's own role, arrays and state are another admin's to change.
    let own = "#users tr[data-user='admin']";
    session
        .text_containing(&format!("{own} .own-role"), "admin")
        .await;
    for control in ["select.role", ".edit-scope", "button.toggle"] {
        assert_eq!(
            session.count(&format!("{own} {control}")).await,
            0,
            "{control}"
        );
    }
    let alice = "#users tr[data-user='alice']";
    session.click(&format!("{alice} .edit-scope")).await;
    session.click("#scope-alice-fa-prod-01").await;
    // A name the arrays cannot have is refused beside its field, and the form stays open.
    session
        .fill(&format!("{alice} .scope-array-username"), "alice array")
        .await;
    session.click(&format!("{alice} .save-scope")).await;
    session
        .text_containing(
            &format!("{alice} .scope-form .field-error"),
            "Array username",
        )
        .await;
    session
        .fill(&format!("{alice} .scope-array-username"), "alice-array")
        .await;
    session.click(&format!("{alice} .save-scope")).await;
    session
        .text_containing(
            "#users-outcome",
            "alice's arrays and array username are saved",
        )
        .await;
    session
        .text_containing(&format!("{alice} .arrays"), "fa-dr-01, fa-prod-01")
        .await;
    session
        .text_containing(&format!("{alice} .array-username"), "alice-array")
        .await;

    // Disabling is irreversible for her sessions: the name is typed.
    session.click(&format!("{alice} button.toggle")).await;
    session.confirm_typing("alice").await;
    session
        .text_containing("#users-outcome", "alice is disabled and signed out")
        .await;
    session
        .text_containing("#users tr[data-user='alice'] .status", "disabled")
        .await;
    session.screenshot("users").await;
    session.finish().await;
}

#[tokio::test]
async fn a_viewer_sees_no_administration() {
    let session = Session::start().await;
    session.open("/users").await;
    session.sign_in_with_role(Role::Viewer).await;
    session
        .text_containing("#admins-only", "Only admins manage users")
        .await;
    assert_eq!(session.count("#create-user").await, 0);
    session.open("/audit").await;
    session
        .text_containing("#admins-only", "Only admins read the audit log")
        .await;
    assert_eq!(session.count("#users-link").await, 0);
    assert_eq!(session.count("#audit-link").await, 0);
    session.finish().await;
}

#[tokio::test]
async fn an_admin_registers_an_array_after_testing_the_connection() {
    let session = Session::start().await;
    let new_array = Simulator::start(SimulatorConfig::new(NEW_ARRAY))
        .await
        .expect("simulator");
    let token = new_array
        .simulator
        .api_token(ADMIN_USERNAME)
        .expect("token");

    session.open("/arrays").await;
    session.sign_in_as_demo_admin().await;
    session.fill("#array-name", NEW_ARRAY).await;
    session.fill("#array-url", "fa-new.example.com").await;
    session.click("#array-test").await;
    session
        .text_containing("#array-url-error", "https://HOST")
        .await;
    session.fill("#array-url", new_array.url()).await;
    session
        .paste("#array-ca", new_array.certificate_pem())
        .await;
    session.fill("#array-token", "not-the-token").await;
    session.click("#array-test").await;
    session
        .element("#register-outcome[data-state='failed']")
        .await;

    session.fill("#array-token", &token).await;
    session.click("#array-test").await;
    session
        .text_containing("#register-outcome", &format!("{NEW_ARRAY} answered"))
        .await;
    // A name the fleet already has is refused beside the name, before anything is stored.
    session.fill("#array-name", "fa-lab-01").await;
    session.click("#array-register").await;
    session
        .text_containing(
            "#array-name-error",
            "An array named fa-lab-01 is already registered.",
        )
        .await;
    session.fill("#array-name", NEW_ARRAY).await;
    session.click("#array-register").await;
    session
        .text_containing("#register-outcome", &format!("Registered {NEW_ARRAY}."))
        .await;
    session
        .text_containing(
            &format!("tr[data-array='{NEW_ARRAY}'] .identity"),
            "service identity",
        )
        .await;
    let page = session.driver.source().await.expect("page source");
    assert!(!page.contains(&token), "the token never comes back");
    session.screenshot("array-registered").await;

    session
        .click(&format!("tr[data-array='{NEW_ARRAY}'] .test-connection"))
        .await;
    session
        .text_containing("#arrays-outcome", &format!("{NEW_ARRAY} answered"))
        .await;
    session
        .click(&format!("tr[data-array='{NEW_ARRAY}'] a"))
        .await;
    session.fill("#volume-name", "new-array-vol").await;
    session.fill("#volume-size", "1G").await;
    session.click("#volume-create").await;
    session.element("tr[data-volume='new-array-vol']").await;
    assert!(new_array.simulator.volume("new-array-vol").is_some());

    session.click("#arrays-link").await;
    session
        .click(&format!("tr[data-array='{NEW_ARRAY}'] .remove-array"))
        .await;
    session.confirm_typing(NEW_ARRAY).await;
    session.gone(&format!("tr[data-array='{NEW_ARRAY}']")).await;
    assert_eq!(
        session
            .count("tr[data-array='fa-prod-01'] .remove-array")
            .await,
        0,
        "configured arrays are not removed here"
    );
    session.finish().await;
    new_array.shutdown().await;
}
