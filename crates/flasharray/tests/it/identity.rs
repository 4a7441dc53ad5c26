//! Acting as a named array user, and exchanging ID tokens made elsewhere.

use std::time::{SystemTime, UNIX_EPOCH};

use flasharray::{Credentials, Error};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use shared::flasharray::ApiClientPost;

use crate::{api_client, bootstrap, client, start_sim};

#[tokio::test]
async fn each_identity_gets_its_own_token_and_the_arrays_audit_names_it() {
    let sim = start_sim().await;
    sim.simulator.add_admin("alice", "unused-password");
    let service = client(
        &sim,
        Credentials::ApiClient(api_client(&sim, "portal", true).await),
    );
    let alice = service
        .as_user("alice")
        .expect("API clients can act as others");

    service
        .create_volume("by-service", 1 << 20)
        .await
        .expect("created");
    alice
        .create_volume("by-alice", 1 << 20)
        .await
        .expect("created");
    alice
        .create_volume("by-alice-again", 1 << 20)
        .await
        .expect("created");

    let users: Vec<(String, String)> = sim
        .simulator
        .audits()
        .into_iter()
        .filter(|audit| audit.command == "purevol")
        .map(|audit| (audit.user, audit.arguments))
        .collect();
    assert_eq!(users[0].0, "pureuser");
    assert_eq!(users[1].0, "alice");
    assert_eq!(users[2].0, "alice");
    assert!(users[1].1.starts_with("by-alice"), "{users:?}");
    assert_eq!(
        sim.simulator.stats().token_exchanges,
        2,
        "one exchange per identity"
    );
}

#[tokio::test]
async fn an_unknown_array_user_is_refused_by_name() {
    let sim = start_sim().await;
    let service = client(
        &sim,
        Credentials::ApiClient(api_client(&sim, "portal", true).await),
    );
    let error = service
        .as_user("mallory")
        .expect("allowed locally")
        .array()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("mallory is not an administrator"),
        "{error}"
    );
}

#[tokio::test]
async fn an_api_token_cannot_act_as_someone_else() {
    let sim = start_sim().await;
    let error = bootstrap(&sim).as_user("alice").unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error}");
}

#[tokio::test]
async fn a_pre_made_id_token_is_exchanged_as_it_is() {
    let sim = start_sim().await;
    let fixture = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        std::fs::read_to_string(path).expect("fixture")
    };
    let post = ApiClientPost {
        issuer: "elsewhere".into(),
        public_key: fixture("rsa-pkcs1.pub.pem"),
        max_role: "storage_admin".into(),
        access_token_ttl_in_ms: None,
    };
    let admin = bootstrap(&sim);
    let registered = admin
        .create_api_client("external", &post)
        .await
        .expect("registered");
    admin
        .set_api_client_enabled("external", true)
        .await
        .expect("enabled");

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(registered.key_id);
    let claims = serde_json::json!({
        "iss": "elsewhere", "aud": registered.id, "sub": "pureuser", "iat": now, "exp": now + 300
    });
    let key = EncodingKey::from_rsa_pem(fixture("rsa-pkcs1.pem").as_bytes()).expect("key");
    let id_token = jsonwebtoken::encode(&header, &claims, &key).expect("signed");

    let client = client(&sim, Credentials::IdToken(id_token));
    assert_eq!(client.array().await.expect("exchanged").name, "sim-test");
}

/// Registers an enabled API client capped at `max_role`, with a fresh key.
async fn client_with_role(sim: &flasharray_sim::RunningSimulator, max_role: &str) -> Credentials {
    let (private_key, public_key) = flasharray::PrivateKey::generate().expect("key");
    let admin = bootstrap(sim);
    let post = ApiClientPost {
        issuer: "roles".into(),
        public_key,
        max_role: max_role.into(),
        access_token_ttl_in_ms: None,
    };
    let name = max_role.replace('_', "-");
    let registered = admin
        .create_api_client(&name, &post)
        .await
        .expect("registered");
    admin
        .set_api_client_enabled(&name, true)
        .await
        .expect("enabled");
    Credentials::ApiClient(flasharray::ApiClientCredentials {
        client_id: registered.id,
        key_id: registered.key_id,
        issuer: registered.issuer,
        username: flasharray_sim::ADMIN_USERNAME.into(),
        private_key,
    })
}

#[tokio::test]
async fn an_api_clients_max_role_caps_what_its_tokens_may_do() {
    let sim = start_sim().await;
    let reader = client(&sim, client_with_role(&sim, "readonly").await);
    let storage = client(&sim, client_with_role(&sim, "storage_admin").await);

    assert!(reader.array().await.is_ok(), "a reader reads");
    let refused = reader
        .create_volume("by-reader", 1 << 20)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(403), "{refused}");
    assert!(refused.to_string().contains("storage_admin"), "{refused}");

    storage
        .create_volume("by-storage", 1 << 20)
        .await
        .expect("a storage admin provisions");
    let refused = storage.create_api_token("pureuser").await.unwrap_err();
    assert_eq!(refused.status(), Some(403), "{refused}");
    assert!(refused.to_string().contains("array_admin"), "{refused}");
}
