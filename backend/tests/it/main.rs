//! The backend's router, driven without a socket, against a simulated array.

mod admin;
mod api;
mod approvals;
mod cli;
mod crash;
mod fleet;
mod hardening;
mod https;
mod leaks;
mod notifications;
mod oidc;
mod openapi;
mod pods;
mod process;
mod protection;
mod provisioning;
mod pure1;
mod registration;
mod replicas;
mod replication;
mod reports;
mod rest_root;
mod safemode;
mod shutdown;
mod tokens;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backend::AppState;
use backend::arrays::registry::ArrayRegistry;
use backend::arrays::secrets::SecretKey;
use backend::clock::unix_now;
use backend::config::{LimitsConfig, SessionConfig};
use backend::db::Database;
use backend::identity::passwords::hash_password;
use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor};
use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig,
};
use serde_json::Value;
use shared::api::{AuthMethod, CSRF_HEADER, Identity, Role};
use tempfile::TempDir;
use tower::ServiceExt;

pub const ARRAY: &str = "fa-test";
pub const PASSWORD: &str = "a long password";

/// The environment variable that names a PostgreSQL server (`postgres://USER@HOST/DB`) to
/// run these tests against instead of SQLite; `cargo xtask test` runs them both ways.
pub const POSTGRES_ENV: &str = "FLASHDECK_TEST_POSTGRES";

/// A database of this test's own: SQLite in `dir`, or a fresh schema (`flashdeck_test_*`)
/// on the PostgreSQL server [`POSTGRES_ENV`] names.
pub async fn test_database(dir: &std::path::Path) -> Database {
    Database::connect(&test_database_url(dir).await)
        .await
        .expect("database")
}

pub async fn test_database_url(dir: &std::path::Path) -> String {
    let Ok(server) = std::env::var(POSTGRES_ENV) else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let schema = format!("flashdeck_test_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::AnyConnection::connect(&server)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut connection)
        .await
        .expect("schema created");
    connection.close().await.expect("closed");
    let separator = if server.contains('?') { '&' } else { '?' };
    format!("{server}{separator}options[search_path]={schema}")
}

pub struct TestApp {
    router: Router,
    pub db: Database,
    /// The database's URL, for a test that changes a row as time would.
    pub db_url: String,
    /// Notifications, when [`TestOptions::notifications`] asked for them: the test watches
    /// when it chooses (`watch_once`); the delivery worker runs.
    pub notifier: Option<backend::notify::Notifier>,
    pub sim: RunningSimulator,
    /// The arrays of [`TestOptions::fleet`], in order.
    pub fleet: Vec<RunningSimulator>,
    _dir: TempDir,
}

/// How a [`TestApp`] differs from the default.
#[derive(Debug, Default)]
pub struct TestOptions {
    pub session: SessionConfig,
    /// `PerUser` reaches the array with an API client acting as each portal user, who
    /// then has an array account of the same name.
    pub identity: Identity,
    pub limits: LimitsConfig,
    /// Run the job queue and a delivery worker.
    pub notifications: bool,
    /// With `notifications`, forward the audit log to this syslog address.
    pub syslog: Option<String>,
    /// More arrays, registered after the first with its administrator's password.
    pub fleet: Vec<SimulatorConfig>,
    /// The share of calls each of `fleet` gets (at once, waiting); the client's default
    /// unless set.
    pub fleet_calls: Option<(usize, usize)>,
    /// Arrays registered at an address where nothing listens, as when an array is down.
    pub dead_arrays: Vec<&'static str>,
    pub approvals: backend::config::ApprovalsConfig,
    /// Single sign-on through this provider.
    pub oidc: Option<backend::config::OidcConfig>,
}

impl TestApp {
    /// A portal with users `admin`, `operator` and `viewer` (password [`PASSWORD`]) and one
    /// simulated array.
    pub async fn new() -> Self {
        Self::with(TestOptions::default()).await
    }

    pub async fn with(options: TestOptions) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("index.html"),
            "<!doctype html><title>Flashdeck</title>",
        )
        .expect("index");
        let db_url = test_database_url(dir.path()).await;
        let db = Database::connect(&db_url).await.expect("database");
        let hash = hash_password(PASSWORD).expect("hash");
        for (name, role) in [
            ("admin", Role::Admin),
            ("operator", Role::Operator),
            ("viewer", Role::Viewer),
        ] {
            db.create_user(name, &hash, role, unix_now())
                .await
                .expect("user");
        }
        let sim = Simulator::start(SimulatorConfig::new(ARRAY))
            .await
            .expect("simulator");
        let password = Credentials::Password {
            username: ADMIN_USERNAME.into(),
            password: ADMIN_PASSWORD.into(),
        };
        let trust = TrustAnchor::CaPem(sim.certificate_pem().into());
        let client = ArrayClient::new(ClientConfig::new(
            ARRAY,
            sim.url(),
            password.clone(),
            trust.clone(),
        ))
        .expect("client");
        let (client, method) = match options.identity {
            Identity::Service => (client, AuthMethod::ApiToken),
            Identity::PerUser => {
                let api_client = client
                    .provision_api_client(
                        "flashdeck",
                        "flashdeck-test",
                        ADMIN_USERNAME,
                        "storage_admin",
                    )
                    .await
                    .expect("API client");
                for name in ["admin", "operator", "viewer"] {
                    sim.simulator.add_admin(name, "unused-password");
                }
                let credentials = Credentials::ApiClient(api_client);
                let client =
                    ArrayClient::new(ClientConfig::new(ARRAY, sim.url(), credentials, trust))
                        .expect("client");
                (client, AuthMethod::ApiClient)
            }
        };
        let registry = ArrayRegistry::default();
        registry
            .register(client, method, options.identity)
            .expect("registered");
        let mut fleet = Vec::new();
        for config in options.fleet {
            let name = config.name.clone();
            let sim = Simulator::start(config).await.expect("simulator");
            let trust = TrustAnchor::CaPem(sim.certificate_pem().into());
            let mut client_config = ClientConfig::new(&name, sim.url(), password.clone(), trust);
            if let Some((at_once, waiting)) = options.fleet_calls {
                client_config.calls_at_once = at_once;
                client_config.calls_waiting = waiting;
            }
            let client = ArrayClient::new(client_config).expect("client");
            registry
                .register(client, AuthMethod::ApiToken, Identity::Service)
                .expect("registered");
            fleet.push(sim);
        }
        for name in options.dead_arrays {
            // Port 9 (discard) on loopback: nothing listens, so connections are refused.
            let client = ArrayClient::new(ClientConfig::new(
                name,
                "https://127.0.0.1:9",
                password.clone(),
                TrustAnchor::System,
            ))
            .expect("client");
            registry
                .register(client, AuthMethod::ApiToken, Identity::Service)
                .expect("registered");
        }
        let key = SecretKey::from_hex(&"5e".repeat(32)).expect("key");
        let mut state = AppState::new(db.clone(), registry, options.session)
            .with_secret_key(key)
            .with_limits(options.limits)
            .with_approvals(options.approvals);
        let notifier = if options.notifications {
            let notifier = backend::notify::Notifier::connect(
                &db_url,
                db.clone(),
                state.secret_key.clone(),
                state.arrays.clone(),
                state.array_deadline(),
            )
            .await
            .expect("job queue");
            let notifier = backend::notify::Notifier {
                audit_sinks: options
                    .syslog
                    .as_deref()
                    .map(|url| {
                        backend::notify::forwarding::AuditSink::Syslog(
                            backend::notify::forwarding::SyslogTarget::parse(
                                url,
                                &TrustAnchor::System,
                                "portal-test",
                            )
                            .expect("syslog address"),
                        )
                    })
                    .into_iter()
                    .collect(),
                portal_url: Some("https://flashdeck.example.com".to_owned()),
                ..notifier
            };
            notifier.start_worker();
            state = state.with_notifier(notifier.clone());
            Some(notifier)
        } else {
            None
        };
        let state = match &options.oidc {
            Some(oidc) => {
                state.with_oidc(backend::identity::oidc::Oidc::from_config(oidc).expect("OIDC"))
            }
            None => state,
        };
        if notifier.is_some() {
            backend::api::run_scheduled_changes(&state);
        }
        let router = backend::router(state, dir.path());
        Self {
            router,
            db,
            db_url,
            notifier,
            sim,
            fleet,
            _dir: dir,
        }
    }

    /// The portal served over HTTPS on a free port, with a self-signed certificate for
    /// 127.0.0.1, for clients that need a socket (the Python SDK).
    pub async fn serve_https(&self) -> tls_listener::HttpsServer {
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
        let certificate = tls_listener::ServerCertificate::from_pem(
            certified.cert.pem().as_bytes(),
            certified.signing_key.serialize_pem().as_bytes(),
        )
        .expect("certificate");
        tls_listener::HttpsServer::start(
            ([127, 0, 0, 1], 0).into(),
            &certificate,
            self.router.clone(),
        )
        .await
        .expect("serving")
    }

    /// Stops the registered array while the portal keeps it registered, as when an array
    /// goes down.
    pub async fn stop_array(&mut self) {
        let unregistered = Simulator::start(SimulatorConfig::new("unregistered"))
            .await
            .expect("simulator");
        std::mem::replace(&mut self.sim, unregistered)
            .shutdown()
            .await;
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Option<String>, Value) {
        let (status, headers, body) = self.send_for_headers(request).await;
        let cookie = headers
            .get(header::SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        (status, cookie, body)
    }

    /// The status, the headers and the body (JSON, or else a JSON string of the text).
    pub async fn send_for_headers(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, headers, body)
    }

    /// Logs in and returns the `name=value` of the session cookie.
    pub async fn login(&self, username: &str) -> String {
        let (status, cookie, body) = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let cookie = cookie.expect("session cookie");
        cookie.split(';').next().expect("cookie pair").to_owned()
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Option<String>, Value) {
        self.send(request(method, path, cookie, body)).await
    }
}

/// A client of `sim` as its administrator, to check what reached the array itself.
pub fn direct(sim: &RunningSimulator, name: &str) -> ArrayClient {
    let credentials = Credentials::Password {
        username: ADMIN_USERNAME.into(),
        password: ADMIN_PASSWORD.into(),
    };
    let trust = TrustAnchor::CaPem(sim.certificate_pem().into());
    ArrayClient::new(ClientConfig::new(name, sim.url(), credentials, trust)).expect("client")
}

/// An API request as the frontend sends it: with the CSRF header, and JSON if there is a body.
pub fn request(
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(CSRF_HEADER, "1");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .expect("request")
}
