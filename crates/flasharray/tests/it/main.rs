//! The client against a simulated array over real HTTPS.

mod auth;
mod faults;
mod identity;
mod keys;
mod volumes;

use flasharray::{
    ApiClientCredentials, ArrayClient, ClientConfig, Credentials, PrivateKey, TrustAnchor,
};
use flasharray_sim::keys::generate_rsa_key_pair;
use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig,
};
use shared::flasharray::ApiClientPost;

pub async fn start_sim() -> RunningSimulator {
    Simulator::start(SimulatorConfig::new("sim-test"))
        .await
        .expect("simulator starts")
}

pub fn client(sim: &RunningSimulator, credentials: Credentials) -> ArrayClient {
    let trust = TrustAnchor::CaPem(sim.certificate_pem().to_owned());
    ArrayClient::new(ClientConfig::new("sim-test", sim.url(), credentials, trust))
        .expect("client builds")
}

pub fn bootstrap(sim: &RunningSimulator) -> ArrayClient {
    client(
        sim,
        Credentials::Password {
            username: ADMIN_USERNAME.into(),
            password: ADMIN_PASSWORD.into(),
        },
    )
}

/// Registers and enables an API client as an admin would, returning what a portal needs.
pub async fn api_client(sim: &RunningSimulator, name: &str, enable: bool) -> ApiClientCredentials {
    let keys = generate_rsa_key_pair().expect("key pair");
    let admin = bootstrap(sim);
    let post = ApiClientPost {
        issuer: "flashdeck-test".into(),
        public_key: keys.public_pem,
        max_role: "storage_admin".into(),
        access_token_ttl_in_ms: None,
    };
    let registered = admin
        .create_api_client(name, &post)
        .await
        .expect("API client registered");
    if enable {
        admin
            .set_api_client_enabled(name, true)
            .await
            .expect("API client enabled");
    }
    ApiClientCredentials {
        client_id: registered.id,
        key_id: registered.key_id,
        issuer: registered.issuer,
        username: ADMIN_USERNAME.into(),
        private_key: PrivateKey::from_pem(keys.private_pem.as_bytes()).expect("key loads"),
    }
}
