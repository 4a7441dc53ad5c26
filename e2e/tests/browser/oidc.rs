//! Issue 18: single sign-on. People sign in through the identity provider's own page and
//! arrive with the role their groups give; someone in no mapped group is told why; with local
//! passwords off, the break-glass admin still signs in with a password.

use std::path::Path;

use serde_json::json;
use test_support::oidc_provider::Provider;

use crate::support::Session;

#[tokio::test]
async fn people_sign_in_through_the_providers_page_with_their_groups_role() {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider-mock-e2e");
    let users = [
        json!({"sub": "u-dana", "preferred_username": "dana", "groups": ["dba"]}),
        json!({"sub": "u-mallory", "preferred_username": "mallory", "groups": ["marketing"]}),
    ];
    let provider = Provider::start(&venv, &users).await;
    let session = Session::with_oidc(&provider, false).await;
    session.open("/").await;
    session
        .text_containing("#sso-sign-in", "Sign in with Mock SSO")
        .await;
    session.click("#sso-sign-in").await;
    session.click("button[name='sub'][value='u-mallory']").await;
    session
        .text_containing("#sso-error", "none of the groups")
        .await;

    session.click("#sso-sign-in").await;
    session.click("button[name='sub'][value='u-dana']").await;
    session
        .text_containing("#signed-in-user", "dana (operator)")
        .await;
    session.click("#arrays-link").await;
    session.element("#arrays tbody tr").await;
    assert_eq!(
        session.count("#arrays tbody tr").await,
        1,
        "dba members use fa-prod-01 only"
    );
    session.screenshot("signed-in-through-sso").await;
    // Signing out ends the provider's session too: its page asks, then sends the browser back.
    session.sign_out().await;
    // The provider's own confirmation: the portal's sign-in form also has a submit button.
    session
        .click("form[action*='end_session'] button[type='submit']")
        .await;
    session
        .text_containing("#sso-sign-in", "Sign in with Mock SSO")
        .await;

    session.click("#break-glass summary").await;
    session.sign_in_as_demo_admin().await;
    session.finish().await;
}
