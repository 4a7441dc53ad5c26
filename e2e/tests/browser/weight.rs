//! Issue 30's weight: the first download carries the shell, the sign-in and the dashboard;
//! the other pages arrive, a group at a time, the first time one of them opens.

use crate::support::Session;

/// How many of the page's downloads so far have `part` in their address.
fn fetched(part: &str) -> String {
    format!(
        "performance.getEntriesByType('resource').filter(entry => entry.name.includes('{part}')).length"
    )
}

#[tokio::test]
async fn pages_other_than_the_dashboard_are_fetched_when_first_opened() {
    let session = Session::start().await;
    session.open("/").await;
    session.sign_in_as_demo_admin().await;
    session.element("#fleet tbody tr").await;
    assert_eq!(
        session.measure(&fetched("/split_")).await,
        0.0,
        "the dashboard needs no page fetched on demand"
    );

    session.click("#users-link").await;
    session.element("#users tr[data-user='admin']").await;
    assert_eq!(session.measure(&fetched("/split_admin_page")).await, 1.0);
    session.click("#audit-link").await;
    session.element("#audit").await;
    assert_eq!(
        session.measure(&fetched("/split_admin_page")).await,
        1.0,
        "the audit log came with the users page"
    );
    assert_eq!(session.measure(&fetched("/split_array_page")).await, 0.0);

    session.click("#arrays-link").await;
    session.click("tr[data-array='fa-prod-01'] a").await;
    session.element("#volumes tbody tr").await;
    assert_eq!(session.measure(&fetched("/split_array_page")).await, 1.0);
    session.finish().await;
}
