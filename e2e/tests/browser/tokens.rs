//! Issue 18: a user makes a personal API token in the portal, a script provisions with it
//! on the array the token names (and nowhere else), and revoking it in the portal stops it.

use shared::api::Role;

use crate::support::{Session, volume_on};

const PROD: &str = "fa-prod-01";
const DR: &str = "fa-dr-01";

#[tokio::test]
async fn an_operators_token_lets_a_script_provision_until_it_is_revoked() {
    let session = Session::with_pure1(false).await;
    session.open("/").await;
    session.sign_in_with_role(Role::Operator).await;
    session.click_in_user_menu("#tokens-link").await;
    session.text_containing("#own-tokens", "No tokens").await;

    session.click("#token-create").await;
    session
        .text_containing("#token-name-error", "Name the token")
        .await;
    session.fill("#token-name", "provisioning script").await;
    session.fill("#token-days", "30").await;
    session.choose("#token-role", "operator").await;
    session.click(&format!("#token-arrays-{PROD}")).await;
    session.click("#token-create").await;
    session
        .text_containing("#token-create-outcome", "copy it now")
        .await;
    let token = session
        .element("#new-token")
        .await
        .prop("value")
        .await
        .expect("value")
        .expect("the token is shown once");
    assert!(token.starts_with("fdk_"), "{token}");
    session
        .text_containing(
            "#own-tokens tr[data-token='provisioning script'] .arrays",
            PROD,
        )
        .await;
    session.screenshot("api-token-created").await;

    let http = test_support::tls::plain_client();
    let url = &session.demo().url;
    let create = |array: &str, name: &str| {
        http.post(format!("{url}/api/arrays/{array}/volumes"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": name, "provisioned": 1_073_741_824u64}))
            .send()
    };
    let made = create(PROD, "from-a-script").await.expect("sent");
    assert_eq!(made.status(), 201, "{:?}", made.text().await);
    let prod = &session.demo().arrays[0];
    assert!(
        volume_on(prod, "from-a-script").await.is_some(),
        "on the array"
    );
    let elsewhere = create(DR, "not-here").await.expect("sent");
    assert_eq!(elsewhere.status(), 403, "the token names only {PROD}");

    session.open("/tokens").await;
    session
        .text_containing(
            "#own-tokens tr[data-token='provisioning script'] .last-used",
            "from",
        )
        .await;
    session
        .click("#own-tokens tr[data-token='provisioning script'] .revoke")
        .await;
    session.confirm().await;
    session
        .text_containing("#token-revoke-outcome", "is revoked")
        .await;
    session.text_containing("#own-tokens", "No tokens").await;
    let refused = create(PROD, "after-revoking").await.expect("sent");
    assert_eq!(refused.status(), 401);
    assert!(volume_on(prod, "after-revoking").await.is_none());
    session.finish().await;
}
