use std::time::Duration;

use flasharray::{Credentials, Error, TrustAnchor};

use crate::{api_client, bootstrap, client, start_sim};

#[tokio::test]
async fn negotiates_the_highest_common_version() {
    let sim = start_sim().await;
    assert_eq!(bootstrap(&sim).version().await.expect("negotiated"), "2.52");
}

#[tokio::test]
async fn a_pinned_version_the_array_lacks_is_a_clear_error() {
    let sim = start_sim().await;
    let mut config = flasharray::ClientConfig::new(
        "sim-test",
        sim.url(),
        Credentials::ApiToken("unused".into()),
        TrustAnchor::CaPem(sim.certificate_pem().into()),
    );
    config.version = Some("2.99".into());
    let error = flasharray::ArrayClient::new(config)
        .expect("builds")
        .version()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Version { .. }), "{error}");
    assert!(error.to_string().contains("2.99"), "{error}");
}

#[tokio::test]
async fn api_token_logs_in_and_relogs_after_the_session_expires() {
    let sim = start_sim().await;
    let token = bootstrap(&sim)
        .create_api_token("pureuser")
        .await
        .expect("token created");
    let client = client(&sim, Credentials::ApiToken(token));
    assert_eq!(client.array().await.expect("array").name, "sim-test");

    sim.simulator.clock.advance(Duration::from_secs(3600));
    assert_eq!(
        client.array().await.expect("logged in again").name,
        "sim-test"
    );
}

#[tokio::test]
async fn a_wrong_api_token_is_refused_with_the_arrays_message() {
    let sim = start_sim().await;
    let error = client(&sim, Credentials::ApiToken("not-a-token".into()))
        .array()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert!(error.to_string().contains("Invalid credentials"), "{error}");
    assert!(error.request_id().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn api_client_exchanges_an_id_token_for_an_access_token() {
    let sim = start_sim().await;
    let credentials = api_client(&sim, "flashdeck", true).await;
    let client = client(&sim, Credentials::ApiClient(credentials));
    client
        .create_volume("via-oauth", 1 << 30)
        .await
        .expect("created with an access token");
    assert!(sim.simulator.volume("via-oauth").is_some());
}

#[tokio::test]
async fn the_array_refuses_id_tokens_it_cannot_trust_and_says_why() {
    let sim = start_sim().await;
    let disabled = api_client(&sim, "dormant", false).await;
    assert!(
        refused_exchange(&sim, disabled)
            .await
            .contains("dormant is disabled")
    );

    let mut wrong_key = api_client(&sim, "one", true).await;
    wrong_key.private_key = api_client(&sim, "two", true).await.private_key;
    assert!(
        refused_exchange(&sim, wrong_key)
            .await
            .contains("JWT validation failed")
    );

    let mut wrong_kid = api_client(&sim, "three", true).await;
    wrong_kid.key_id = "no-such-key".into();
    assert!(
        refused_exchange(&sim, wrong_kid)
            .await
            .contains("no API client has this key id")
    );

    let mut wrong_issuer = api_client(&sim, "four", true).await;
    wrong_issuer.issuer = "someone-else".into();
    assert!(
        refused_exchange(&sim, wrong_issuer)
            .await
            .contains("JWT validation failed")
    );

    let mut wrong_audience = api_client(&sim, "five", true).await;
    wrong_audience.client_id = "not-this-client".into();
    assert!(
        refused_exchange(&sim, wrong_audience)
            .await
            .contains("JWT validation failed")
    );
}

/// The message of the token exchange the array refused for `credentials`.
async fn refused_exchange(
    sim: &flasharray_sim::RunningSimulator,
    credentials: flasharray::ApiClientCredentials,
) -> String {
    let error = client(sim, Credentials::ApiClient(credentials))
        .array()
        .await
        .expect_err("the array should refuse this ID token");
    assert!(
        matches!(error, Error::TokenExchange { status: 401, .. }),
        "{error}"
    );
    error.to_string()
}

#[tokio::test]
async fn an_untrusted_certificate_fails_and_says_why() {
    let sim = start_sim().await;
    let config = flasharray::ClientConfig::new(
        "sim-test",
        sim.url(),
        Credentials::ApiToken("unused".into()),
        TrustAnchor::System,
    );
    let error = flasharray::ArrayClient::new(config)
        .expect("builds")
        .version()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert!(
        error.to_string().to_lowercase().contains("certificate"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_array_fails_fast_naming_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("https://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let config = flasharray::ClientConfig::new(
        "gone",
        &url,
        Credentials::ApiToken("unused".into()),
        TrustAnchor::System,
    );
    let error = flasharray::ArrayClient::new(config)
        .expect("builds")
        .version()
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with("gone: cannot reach https://"),
        "{error}"
    );
}

fn fingerprint_of(pem: &str) -> String {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    use sha2::Digest;
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).expect("certificate");
    sha2::Sha256::digest(der.as_ref())
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn config_trusting(
    sim: &flasharray_sim::RunningSimulator,
    trust: TrustAnchor,
) -> flasharray::ClientConfig {
    flasharray::ClientConfig::new(
        "sim-test",
        sim.url(),
        Credentials::ApiToken("unused".into()),
        trust,
    )
}

#[tokio::test]
async fn a_pinned_fingerprint_trusts_exactly_that_certificate() {
    let sim = start_sim().await;
    let pinned =
        TrustAnchor::fingerprint(&fingerprint_of(sim.certificate_pem())).expect("fingerprint");
    let client = flasharray::ArrayClient::new(config_trusting(&sim, pinned)).expect("builds");
    assert_eq!(client.version().await.expect("connected"), "2.52");

    let other = TrustAnchor::fingerprint(&"00".repeat(32)).expect("fingerprint");
    let error = flasharray::ArrayClient::new(config_trusting(&sim, other))
        .expect("builds")
        .version()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("not the pinned 00:00"),
        "{error}"
    );
}

#[tokio::test]
async fn insecure_trusts_any_certificate() {
    let sim = start_sim().await;
    let client =
        flasharray::ArrayClient::new(config_trusting(&sim, TrustAnchor::Insecure)).expect("builds");
    assert_eq!(client.version().await.expect("connected"), "2.52");
}
