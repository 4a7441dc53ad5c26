//! The simulator as a service: its shared state, its router, and starting it on HTTPS.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shared::flasharray::{REQUEST_ID_HEADER, Volume};

use crate::clock::Clock;
use crate::control::Stats;
use crate::error::ApiFault;
use crate::faults::{FaultConfig, Faults};
use crate::persist::{self, PersistError};
use crate::seed::Seed;
use crate::state::{ArrayState, SUPPORTED_VERSIONS};
use crate::tls::{self, CertificateError};
use tls_listener::{HttpsServer, ServeError, ServerCertificate};

use crate::{
    alerts, api, auth, control, faults, host_routes, metrics, protection_routes, snapshot_routes,
};

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
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error(transparent)]
    State(#[from] PersistError),
}

/// One simulated array. Cheap to clone: clones share the array.
#[derive(Debug, Clone)]
pub struct Simulator {
    state: Arc<Mutex<ArrayState>>,
    pub clock: Clock,
    pub(crate) faults: Arc<Faults>,
    counters: Arc<Counters>,
    state_file: Option<Arc<PathBuf>>,
}

#[derive(Debug, Default)]
struct Counters {
    logins: AtomicU64,
    token_exchanges: AtomicU64,
    api_requests: AtomicU64,
    changes: Mutex<Vec<ChangeRequest>>,
}

/// A request that could change the array (any method but GET), as the array's request log
/// holds it: tests match it against the portal's audit log by request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    pub method: String,
    pub path: String,
    pub request_id: String,
    pub status: u16,
}

impl Simulator {
    pub fn new(name: &str, seed: Seed) -> Self {
        let clock = Clock::default();
        let mut state = ArrayState::new(name);
        state.installed_ms = clock.now_ms();
        seed.apply(&mut state, clock.now_ms());
        Self::with_state(state, clock)
    }

    fn with_state(state: ArrayState, clock: Clock) -> Self {
        Self {
            state: Arc::new(Mutex::new(state)),
            clock,
            faults: Arc::default(),
            counters: Arc::default(),
            state_file: None,
        }
    }

    /// A simulator kept in `path`: the state saved there if the file exists, else a new one
    /// (saved at once), and every change written through.
    pub fn persistent(name: &str, seed: Seed, path: &Path) -> Result<Self, PersistError> {
        let clock = Clock::default();
        let mut simulator = match persist::load(path)? {
            Some(state) => Self::with_state(state, clock),
            None => Self::new(name, seed),
        };
        simulator.state_file = Some(Arc::new(path.to_owned()));
        simulator.save()?;
        Ok(simulator)
    }

    /// Writes the state to its file, if it has one.
    pub(crate) fn save(&self) -> Result<(), PersistError> {
        match &self.state_file {
            Some(path) => persist::save(path, &self.lock()),
            None => Ok(()),
        }
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, config: FaultConfig) {
        self.faults.set(config);
    }

    /// The faults in force; counted faults go down as calls meet them.
    pub fn faults_config(&self) -> FaultConfig {
        self.faults.config()
    }

    /// Physical space in use now, as `arrays/space` reports it.
    pub fn used_bytes(&self) -> u64 {
        let now = self.clock.now_ms();
        self.lock()
            .array_space(now)
            .space
            .total_physical
            .unwrap_or(0)
    }

    /// Sets the usable capacity, as installing or removing drives would.
    pub fn set_capacity(&self, bytes: u64) {
        self.lock().capacity = bytes;
    }

    /// Ends every session and access token, as an array restart does.
    pub fn expire_all_tokens(&self) {
        self.lock().expire_all_tokens();
    }

    /// How many logins and token exchanges succeeded.
    /// Every request but reads, oldest first.
    pub fn change_requests(&self) -> Vec<ChangeRequest> {
        self.counters
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn stats(&self) -> Stats {
        Stats {
            logins: self.counters.logins.load(Ordering::Relaxed),
            token_exchanges: self.counters.token_exchanges.load(Ordering::Relaxed),
            api_requests: self.counters.api_requests.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_login(&self) {
        self.counters.logins.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_token_exchange(&self) {
        self.counters
            .token_exchanges
            .fetch_add(1, Ordering::Relaxed);
    }

    /// The array's state. A handler that panicked leaves no half-applied change (every
    /// change is checked before it is applied), so a poisoned lock is still consistent.
    ///
    /// Every access first eradicates what the clock says is due, so no timer task is needed
    /// and tests that advance the clock see the effect at once.
    pub(crate) fn lock(&self) -> MutexGuard<'_, ArrayState> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.sweep(self.clock.now_ms());
        state
    }

    /// Adds an array administrator, as `POST /api/2.x/admins` would.
    pub fn add_admin(&self, name: &str, password: &str) {
        self.lock().add_admin(name, password);
    }

    /// A new API token for an administrator, as `POST /api/2.x/admins/api-tokens` would give
    /// it: for tests that set up an array as its admin would. `None` for an unknown admin.
    pub fn api_token(&self, admin: &str) -> Option<String> {
        let now_ms = self.clock.now_ms();
        self.lock()
            .create_api_token(admin, None, now_ms)
            .ok()
            .and_then(|created| created.api_token.token)
    }

    /// The audit trail, oldest first, as `GET /api/2.x/audits` returns it.
    pub fn audits(&self) -> Vec<shared::flasharray::Audit> {
        self.lock().audits()
    }

    /// A volume as the array holds it, for tests that check what a client really did.
    pub fn volume(&self, name: &str) -> Option<Volume> {
        self.lock().volume(name).cloned()
    }

    /// The REST API, for serving or for calling without a socket.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/api/api_version", get(api::api_version))
            .route("/oauth2/1.0/token", post(auth::token))
            .route("/api/{version}/login", post(auth::login))
            .route("/api/{version}/logout", post(auth::logout))
            .route("/api/{version}/arrays", get(api::arrays))
            .route("/api/{version}/audits", get(api::list_audits))
            .route(
                "/api/{version}/hosts",
                get(host_routes::list_hosts)
                    .post(host_routes::create_host)
                    .patch(host_routes::patch_host)
                    .delete(host_routes::delete_host),
            )
            .route(
                "/api/{version}/host-groups",
                get(host_routes::list_host_groups)
                    .post(host_routes::create_host_group)
                    .patch(host_routes::patch_host_group)
                    .delete(host_routes::delete_host_group),
            )
            .route(
                "/api/{version}/host-groups/hosts",
                get(host_routes::list_memberships)
                    .post(host_routes::add_membership)
                    .delete(host_routes::remove_membership),
            )
            .route(
                "/api/{version}/hosts/host-groups",
                get(host_routes::list_memberships),
            )
            .route(
                "/api/{version}/connections",
                get(host_routes::list_connections)
                    .post(host_routes::create_connection)
                    .delete(host_routes::delete_connection),
            )
            .route(
                "/api/{version}/volumes",
                get(api::list_volumes)
                    .post(api::create_volumes)
                    .patch(api::patch_volumes)
                    .delete(api::eradicate_volumes),
            )
            .route(
                "/api/{version}/volumes/space",
                get(metrics::list_volume_spaces),
            )
            .route(
                "/api/{version}/volumes/performance",
                get(metrics::list_volume_performances),
            )
            .route("/api/{version}/arrays/space", get(metrics::array_space))
            .route(
                "/api/{version}/alerts",
                get(alerts::list_alerts).patch(alerts::patch_alerts),
            )
            .route(
                "/api/{version}/arrays/performance",
                get(metrics::array_performance),
            )
            .route(
                "/api/{version}/volume-snapshots",
                get(snapshot_routes::list_volume_snapshots)
                    .post(snapshot_routes::create_volume_snapshots)
                    .patch(snapshot_routes::patch_volume_snapshots)
                    .delete(snapshot_routes::eradicate_volume_snapshots),
            )
            .route(
                "/api/{version}/protection-groups",
                get(protection_routes::list_protection_groups)
                    .post(protection_routes::create_protection_groups)
                    .patch(protection_routes::patch_protection_groups)
                    .delete(protection_routes::eradicate_protection_groups),
            )
            .route(
                "/api/{version}/protection-group-snapshots",
                get(protection_routes::list_group_snapshots)
                    .post(protection_routes::create_group_snapshots)
                    .patch(protection_routes::patch_group_snapshots)
                    .delete(protection_routes::eradicate_group_snapshots),
            )
            .merge(self.membership_routes())
            .route(
                "/api/{version}/api-clients",
                get(api::list_api_clients)
                    .post(api::create_api_client)
                    .patch(api::patch_api_client),
            )
            .route(
                "/api/{version}/admins/api-tokens",
                get(api::list_api_tokens).post(api::create_api_token),
            )
            .route("/sim/faults", get(control::faults).put(control::set_faults))
            .route("/sim/expire-tokens", post(control::expire_tokens))
            .route("/sim/stats", get(control::stats))
            .route("/sim/clock", post(control::advance_clock))
            .fallback(api::not_found)
            .method_not_allowed_fallback(api::method_not_allowed)
            .layer(middleware::from_fn_with_state(
                self.clone(),
                persist::write_through,
            ))
            .layer(middleware::from_fn_with_state(self.clone(), faults::inject))
            .layer(middleware::from_fn(check_version))
            .layer(middleware::from_fn_with_state(self.clone(), request_id))
            .with_state(self.clone())
    }

    /// Protection group memberships, answered from both sides as arrays do
    /// (`protection-groups/volumes` and `volumes/protection-groups` are one relation).
    fn membership_routes(&self) -> Router<Simulator> {
        let volumes = || {
            get(protection_routes::list_volume_members)
                .post(protection_routes::add_volume_members)
                .delete(protection_routes::remove_volume_members)
        };
        let hosts = || {
            get(protection_routes::list_host_members)
                .post(protection_routes::add_host_members)
                .delete(protection_routes::remove_host_members)
        };
        let host_groups = || {
            get(protection_routes::list_host_group_members)
                .post(protection_routes::add_host_group_members)
                .delete(protection_routes::remove_host_group_members)
        };
        Router::new()
            .route("/api/{version}/protection-groups/volumes", volumes())
            .route("/api/{version}/volumes/protection-groups", volumes())
            .route("/api/{version}/protection-groups/hosts", hosts())
            .route("/api/{version}/hosts/protection-groups", hosts())
            .route(
                "/api/{version}/protection-groups/host-groups",
                host_groups(),
            )
            .route(
                "/api/{version}/host-groups/protection-groups",
                host_groups(),
            )
    }

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
        if let Some(capacity) = config.capacity {
            simulator.set_capacity(capacity);
        }
        let server = HttpsServer::start(config.listen, &certificate, simulator.router()).await?;
        Ok(RunningSimulator { simulator, server })
    }
}

/// A simulator serving HTTPS; it stops when dropped.
#[derive(Debug)]
pub struct RunningSimulator {
    pub simulator: Simulator,
    server: HttpsServer,
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

/// Only the REST versions advertised in `/api/api_version` are served.
async fn check_version(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if let Some(version) = path
        .strip_prefix("/api/")
        .and_then(|rest| rest.split('/').next())
        && version != "api_version"
        && !SUPPORTED_VERSIONS.contains(&version)
    {
        return ApiFault::not_found(format!(
            "REST API version {version} is not supported by this array; see /api/api_version."
        ))
        .into_response();
    }
    next.run(request).await
}

/// Echoes the caller's `X-Request-ID`, or makes one up, on every response, and keeps the
/// request log of changes.
async fn request_id(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .cloned()
        .or_else(|| HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).ok());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") {
        sim.counters.api_requests.fetch_add(1, Ordering::Relaxed);
    }
    let mut response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), request_id = ?id, "request");
    if method != Method::GET && path.starts_with("/api/") {
        sim.counters
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(ChangeRequest {
                method: method.to_string(),
                path,
                request_id: id
                    .as_ref()
                    .and_then(|id| id.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
                status: response.status().as_u16(),
            });
    }
    if let Some(id) = id {
        response.headers_mut().insert(REQUEST_ID_HEADER, id);
    }
    response
}
