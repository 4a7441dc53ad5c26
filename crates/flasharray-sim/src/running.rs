//! A simulator serving its API on HTTPS: how to start one, and the handle that stops it.

use std::net::SocketAddr;
use std::path::PathBuf;

use tls_listener::{HttpsServer, ServeError, ServerCertificate};

use crate::persist::PersistError;
use crate::routes;
use crate::seed::Seed;
use crate::simulator::Simulator;
use crate::tls::{self, CertificateError};

/// How to start a simulator.
#[derive(Debug)]
pub struct SimulatorConfig {
    /// The array's name, as `GET /api/2.x/arrays` reports it.
    pub name: String,
    pub seed: Seed,
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The certificate to serve; `None` generates a self-signed one, as an array ships with.
    pub certificate: Option<ServerCertificate>,
    /// Where to keep the state across restarts; `None` keeps it in memory only.
    pub state_file: Option<PathBuf>,
    /// Usable capacity in bytes; `None` keeps the simulator's default of 100 TiB.
    pub capacity: Option<u64>,
    /// The hardware model (one of [`crate::models`]); `None` keeps [`crate::DEFAULT_MODEL`].
    pub model: Option<String>,
    /// The Purity release line (one of [`crate::release_lines`]); `None` keeps
    /// [`crate::DEFAULT_RELEASE`].
    pub purity: Option<String>,
}

impl SimulatorConfig {
    /// An empty array on a free loopback port with a fresh self-signed certificate.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            seed: Seed::Empty,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            certificate: None,
            state_file: None,
            capacity: None,
            model: None,
            purity: None,
        }
    }

    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    pub fn capacity(mut self, bytes: u64) -> Self {
        self.capacity = Some(bytes);
        self
    }

    pub fn model(mut self, model: &str) -> Self {
        self.model = Some(model.to_owned());
        self
    }

    pub fn purity(mut self, line: &str) -> Self {
        self.purity = Some(line.to_owned());
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error(transparent)]
    State(#[from] PersistError),
    #[error("the simulator does not play Purity {0}")]
    Release(String),
}

impl Simulator {
    /// Serves the API on HTTPS until the returned handle is dropped.
    pub async fn start(config: SimulatorConfig) -> Result<RunningSimulator, StartError> {
        let certificate = match config.certificate {
            Some(certificate) => certificate,
            None => tls::self_signed()?,
        };
        let simulator = match &config.state_file {
            Some(path) => Simulator::persistent(&config.name, config.seed, path)?,
            None => Simulator::new(&config.name, config.seed),
        };
        if let Some(model) = &config.model {
            simulator.set_model(model);
        }
        if let Some(line) = &config.purity
            && !simulator.set_release(line)
        {
            return Err(StartError::Release(line.clone()));
        }
        if let Some(capacity) = config.capacity {
            simulator.set_capacity(capacity);
        }
        let router = routes::router(&simulator);
        let server = HttpsServer::start(config.listen, &certificate, router).await?;
        simulator
            .peers
            .set_address(server.url().trim_start_matches("https://"));
        let replicator = Replicator(tokio::spawn(crate::replicator::run(simulator.clone())));
        Ok(RunningSimulator {
            simulator,
            server,
            _replicator: replicator,
        })
    }
}

/// A simulator serving HTTPS; it stops when dropped.
#[derive(Debug)]
pub struct RunningSimulator {
    pub simulator: Simulator,
    server: HttpsServer,
    _replicator: Replicator,
}

/// The simulator's background work, stopped with it.
#[derive(Debug)]
struct Replicator(tokio::task::JoinHandle<()>);

impl Drop for Replicator {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl RunningSimulator {
    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The certificate it serves, for clients to trust (it is self-signed unless configured).
    pub fn certificate_pem(&self) -> &str {
        self.server.certificate_pem()
    }

    /// Stops serving and waits for in-flight requests to finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
