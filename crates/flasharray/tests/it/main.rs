//! The client against a simulated array over real HTTPS.

mod auth;
mod faults;
mod hosts;
mod identity;
mod keys;
mod lifecycle;
mod malformed;
mod pure1;
mod volumes;

use flasharray::{
    ApiClientCredentials, ArrayClient, ClientConfig, Credentials, Error, TrustAnchor,
};
use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig,
};

/// The array's own message, when it refused a request with a 400.
pub fn refusal(error: &Error) -> String {
    match error {
        Error::Array {
            status: 400,
            errors,
            ..
        } => errors[0].message.clone(),
        other => panic!("expected the array's refusal, got {other}"),
    }
}

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

/// Registers an API client as an admin would (enabled or not), returning what a portal needs.
pub async fn api_client(sim: &RunningSimulator, name: &str, enable: bool) -> ApiClientCredentials {
    let admin = bootstrap(sim);
    let credentials = admin
        .provision_api_client(name, "flashdeck-test", ADMIN_USERNAME, "storage_admin")
        .await
        .expect("API client registered");
    if !enable {
        admin
            .set_api_client_enabled(name, false)
            .await
            .expect("API client disabled");
    }
    credentials
}
