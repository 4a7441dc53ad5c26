//! How the simulator is served: its routes (every `/api/1.x` the SDK may ask for, behind the
//! rate limit) on HTTPS.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tls_listener::{HttpsServer, ServeError, ServerCertificate};

use crate::rate_limit::RateLimit;
use crate::state::Pure1Sim;
use crate::{auth, fleet, metrics};

/// How a simulator starts.
#[derive(Debug)]
pub struct Pure1Config {
    pub listen: SocketAddr,
    /// Served instead of a fresh self-signed certificate.
    pub certificate: Option<ServerCertificate>,
    pub rate_limit: RateLimit,
}

impl Default for Pure1Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            certificate: None,
            rate_limit: RateLimit::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Certificate(#[from] flasharray_sim::tls::CertificateError),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

impl Pure1Sim {
    pub fn router(&self) -> Router {
        let data = Router::new()
            .route("/arrays", fleet::collection("Array", fleet::arrays))
            .route("/volumes", fleet::collection("Volume", fleet::volumes))
            .route("/pods", fleet::collection("Pod", fleet::pods))
            .route("/alerts", fleet::collection("Alert", fleet::alerts))
            .route(
                "/protection-group-snapshots",
                fleet::collection(
                    "Protection group snapshot",
                    fleet::protection_group_snapshots,
                ),
            )
            .route("/metrics", get(metrics::list))
            .route("/metrics/history", get(metrics::history));
        let mut router = Router::new().route("/oauth2/1.0/token", post(auth::token));
        for version in shared::pure1::SUPPORTED_VERSIONS {
            router = router.nest(&format!("/api/{version}"), data.clone());
        }
        router
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                rate_limited,
            ))
            .with_state(self.clone())
    }

    /// Serves the API on HTTPS until the returned handle is dropped.
    pub async fn start(self, config: Pure1Config) -> Result<RunningPure1Sim, StartError> {
        let certificate = match config.certificate {
            Some(certificate) => certificate,
            None => flasharray_sim::tls::self_signed()?,
        };
        self.set_rate_limit(config.rate_limit);
        let server = HttpsServer::start(config.listen, &certificate, self.router()).await?;
        Ok(RunningPure1Sim { sim: self, server })
    }
}

/// A Pure1 simulator serving HTTPS; it stops when dropped.
#[derive(Debug)]
pub struct RunningPure1Sim {
    pub sim: Pure1Sim,
    server: HttpsServer,
}

impl RunningPure1Sim {
    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The certificate it serves, for clients to trust.
    pub fn certificate_pem(&self) -> &str {
        self.server.certificate_pem()
    }

    /// Stops serving and waits for in-flight requests to finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Counts every request against the organisation's limits, refusing those past them.
async fn rate_limited(State(sim): State<Pure1Sim>, request: Request, next: Next) -> Response {
    let verdict = sim.rate_windows().admit();
    let response = match verdict.refusal() {
        Some(refused) => refused.into_response(),
        None => next.run(request).await,
    };
    verdict.label(response)
}
