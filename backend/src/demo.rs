//! `flashdeck demo`: the portal with four simulated arrays in the same process, one on each
//! Purity release it supports, set up the way an admin sets up real ones: reached with API
//! tokens, and one with an API client whose key pair is generated at start and whose private
//! key stays in this process; and a simulated Pure1 that reports them and one more the
//! portal does not manage.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::FromRef;
use flasharray::{ArrayClient, ClientConfig, Credentials, TrustAnchor};
use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, RunningSimulator, Seed, Simulator, SimulatorConfig,
};
use pure1_sim::{Pure1Config, Pure1Sim, RunningPure1Sim};
use shared::api::{AuthMethod, Identity, Role};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::arrays::registration::Registrations;
use crate::arrays::registry::ArrayRegistry;
use crate::arrays::secrets::SecretKey;
use crate::clock::unix_now;
use crate::config::SessionConfig;
use crate::db::{Database, DbError};
use crate::identity::passwords::hash_password;
use crate::state::AppState;

/// Bytes a second the demo's replication links carry: twenty times a real port's, so that a
/// protection group's first copy crosses in minutes rather than hours.
const DEMO_REPLICATION_RATE: u64 = 20_000_000_000;

/// The portal login the demo creates.
pub const DEMO_USERNAME: &str = "admin";
pub const DEMO_PASSWORD: &str = "flashdeck";

/// The API client the demo registers on the second array.
const API_CLIENT_NAME: &str = "flashdeck";
const API_CLIENT_ISSUER: &str = "flashdeck-demo";

#[derive(Debug)]
pub struct DemoOptions {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub frontend_dir: PathBuf,
    pub seed: Seed,
    /// Connect the portal to the simulated Pure1 at start, as an admin would; otherwise Pure1
    /// runs unconnected, for an admin (or a test) to connect in the UI.
    pub connect_pure1: bool,
    /// The changes that wait for a second person; none in the demo unless asked.
    pub approvals: crate::config::ApprovalsConfig,
    /// Single sign-on; none in the demo unless asked.
    pub oidc: Option<crate::config::OidcConfig>,
    /// How often notification rules are checked against the arrays.
    pub watch_every: std::time::Duration,
}

/// The application id the demo registers in its simulated Pure1.
pub const DEMO_PURE1_APP_ID: &str = "pure1:apikey:FlashdeckDemo";
/// The array only Pure1 reports.
pub const PURE1_ONLY_ARRAY: &str = "fa-edge-01";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Array(#[from] flasharray::Error),
    #[error(transparent)]
    Database(#[from] DbError),
}

fn setup(error: impl std::fmt::Display) -> DemoError {
    DemoError::Setup(error.to_string())
}

/// A running demo; [`Demo::shutdown`] stops it.
#[derive(Debug)]
pub struct Demo {
    /// `http://ADDR` of the portal.
    pub url: String,
    /// The simulated arrays, for tests that check what reached them.
    pub arrays: Vec<RunningSimulator>,
    /// The simulated Pure1, for tests that register keys in it.
    pub pure1: RunningPure1Sim,
    state: AppState,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Demo {
    pub async fn start(options: DemoOptions) -> Result<Self, DemoError> {
        crate::server::check_frontend_dir(&options.frontend_dir).map_err(DemoError::Setup)?;
        let registry = ArrayRegistry::default();
        let mut arrays = Vec::new();
        // A fleet as real ones are mixed: four sites, four models, one array on each Purity
        // release the portal supports. The DR array, a capacity model, is quieter, holds the
        // backups, and is filling up (84 % used), so the dashboard has something to warn of;
        // the branch office and the older lab array are smaller and half-empty.
        let site_seed = |site: Seed| match options.seed {
            Seed::Demo => site,
            other => other,
        };
        for (name, seed, model, purity, method, identity, fill) in [
            (
                "fa-prod-01",
                options.seed,
                "FA-X70R4",
                "6.9",
                AuthMethod::ApiToken,
                Identity::Service,
                None,
            ),
            (
                "fa-dr-01",
                site_seed(Seed::DemoRecovery),
                "FA-C60R4",
                "6.5",
                AuthMethod::ApiClient,
                Identity::PerUser,
                Some(0.84),
            ),
            (
                "fa-branch-01",
                site_seed(Seed::DemoBranch),
                "FA-X50R4",
                "6.7",
                AuthMethod::ApiToken,
                Identity::Service,
                Some(0.55),
            ),
            (
                "fa-lab-01",
                site_seed(Seed::DemoLab),
                "FA-X20R3",
                "6.1",
                AuthMethod::ApiToken,
                Identity::Service,
                Some(0.38),
            ),
        ] {
            let config = SimulatorConfig::new(name)
                .seed(seed)
                .model(model)
                .purity(purity);
            let sim = Simulator::start(config).await.map_err(setup)?;
            sim.simulator.set_replication_rate(DEMO_REPLICATION_RATE);
            if let Some(share) = fill
                && seed != Seed::Empty
            {
                let used = sim.simulator.used_bytes();
                sim.simulator.set_capacity((used as f64 / share) as u64);
            }
            let client = connect(&sim, name, method).await?;
            registry.register(client, method, identity).map_err(setup)?;
            arrays.push(sim);
        }

        std::fs::create_dir_all(&options.data_dir).map_err(|error| {
            setup(format!(
                "cannot create {}: {error}",
                options.data_dir.display()
            ))
        })?;
        let database_url = format!(
            "sqlite://{}",
            options.data_dir.join("flashdeck.db").display()
        );
        let db = Database::connect(&database_url).await?;
        let mut state = AppState::new(db, registry, SessionConfig::default())
            .with_secret_key(demo_secret_key(&options.data_dir)?)
            .with_approvals(options.approvals.clone());
        let notifier = crate::notify::Notifier::connect(
            &database_url,
            state.db.clone(),
            state.secret_key.clone(),
            state.arrays.clone(),
            state.array_deadline(),
        )
        .await
        .map_err(DemoError::Setup)?;
        notifier.run(&database_url, options.watch_every);
        state = state.with_notifier(notifier);
        let state = match &options.oidc {
            Some(oidc) => {
                state.with_oidc(crate::identity::oidc::Oidc::from_config(oidc).map_err(setup)?)
            }
            None => state,
        };
        crate::api::run_scheduled_changes(&state);
        crate::arrays::registration::sync(&Registrations::from_ref(&state))
            .await
            .map_err(setup)?;
        let pure1 = start_pure1(&arrays).await?;
        if options.connect_pure1 {
            connect_pure1(&state, &pure1).await?;
        }
        let demo_users = state.db.users().await?;
        for (user, _) in &demo_users {
            add_array_user(&arrays, user.identity_on_arrays());
        }
        if demo_users.is_empty() {
            let hash = hash_password(DEMO_PASSWORD).map_err(setup)?;
            state
                .db
                .create_user(DEMO_USERNAME, &hash, Role::Admin, unix_now())
                .await?;
            add_array_user(&arrays, DEMO_USERNAME);
        }

        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|error| setup(format!("cannot listen on {}: {error}", options.listen)))?;
        let url = format!("http://{}", listener.local_addr().map_err(setup)?);
        let app = crate::router(state.clone(), &options.frontend_dir);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(crate::serve(listener, app, async {
            let _ = stopped.await;
        }));
        Ok(Self {
            url,
            arrays,
            pure1,
            state,
            stop,
            server,
        })
    }

    /// Adds a portal user, as `flashdeck user add` does, for trying other roles.
    pub async fn add_user(&self, name: &str, password: &str, role: Role) -> Result<(), DemoError> {
        self.add_scoped_user(name, password, role, None).await
    }

    /// Adds a portal user who may use only `arrays` (every array when `None`).
    pub async fn add_scoped_user(
        &self,
        name: &str,
        password: &str,
        role: Role,
        arrays: Option<&[String]>,
    ) -> Result<(), DemoError> {
        let hash = hash_password(password).map_err(setup)?;
        self.state
            .db
            .create_scoped_user(name, &hash, role, arrays, None, unix_now())
            .await?;
        add_array_user(&self.arrays, name);
        Ok(())
    }

    /// Stops the portal, ends its array sessions and stops the arrays.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        match self.server.await {
            Ok(Err(error)) => tracing::error!(%error, "portal stopped with an error"),
            Err(error) => tracing::error!(%error, "portal task failed"),
            Ok(Ok(())) => {}
        }
        self.state.arrays.logout_all().await;
        self.state.db.close().await;
        for array in self.arrays {
            array.shutdown().await;
        }
        self.pure1.shutdown().await;
    }
}

/// A Pure1 organisation that sees the demo's arrays and one more, a busy edge array.
async fn start_pure1(arrays: &[RunningSimulator]) -> Result<RunningPure1Sim, DemoError> {
    let pure1 = Pure1Sim::default();
    for array in arrays {
        let name = array.simulator.report().array.name;
        pure1.mirror(array.simulator.clone(), &format!("{name}.example.com"));
    }
    let edge = pure1.add_array(PURE1_ONLY_ARRAY, Seed::Demo);
    edge.set_load_scale(1.8);
    pure1.start(Pure1Config::default()).await.map_err(setup)
}

/// What an admin does once: a key pair, its public half registered in Pure1, the connection
/// stored sealed. Done at every start, since the simulated Pure1 is new each time.
async fn connect_pure1(state: &AppState, pure1: &RunningPure1Sim) -> Result<(), DemoError> {
    let (private_key, public_key) = flasharray::PrivateKey::generate_pem().map_err(setup)?;
    pure1
        .sim
        .register_application(DEMO_PURE1_APP_ID, &public_key)
        .map_err(setup)?;
    let key = state
        .secret_key
        .as_ref()
        .ok_or_else(|| setup("the demo has no secret key"))?;
    let request = shared::api::Pure1ConnectRequest {
        url: Some(pure1.url().to_owned()),
        app_id: DEMO_PURE1_APP_ID.to_owned(),
        key: shared::api::Pure1Key::PrivateKey {
            private_key,
            private_key_password: None,
        },
        ca_pem: Some(pure1.certificate_pem().to_owned()),
    };
    let (_, sealed) = state
        .pure1
        .client_for(&state.db, key, &request)
        .await
        .map_err(setup)?;
    state.pure1.store(&state.db, &sealed).await.map_err(setup)
}

/// The demo's secret key, made on first start and kept beside its database, so that arrays
/// registered in the demo's UI come back after a restart. A real deployment gives its own.
fn demo_secret_key(data_dir: &std::path::Path) -> Result<SecretKey, DemoError> {
    let path = data_dir.join("secret.key");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(_) => {
            let key = SecretKey::generate_hex().map_err(setup)?;
            std::fs::write(&path, &key)
                .map_err(|error| setup(format!("cannot write {}: {error}", path.display())))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(setup)?;
            }
            key
        }
    };
    SecretKey::from_hex(&text).map_err(setup)
}

/// Gives a portal user an array account of the same name on every simulated array, as an
/// array admin would for per-user identity (`fa-dr-01` acts as each portal user).
fn add_array_user(arrays: &[RunningSimulator], name: &str) {
    for array in arrays {
        // No one signs in with it: the portal reaches the array with its API client.
        array
            .simulator
            .add_admin(name, &uuid::Uuid::new_v4().to_string());
    }
}

/// Sets up credentials on a factory-new array as its admin would, then returns a client that
/// uses them.
async fn connect(
    sim: &RunningSimulator,
    name: &str,
    method: AuthMethod,
) -> Result<ArrayClient, DemoError> {
    let trust = TrustAnchor::CaPem(sim.certificate_pem().to_owned());
    let admin = ArrayClient::new(ClientConfig::new(
        name,
        sim.url(),
        Credentials::Password {
            username: ADMIN_USERNAME.into(),
            password: ADMIN_PASSWORD.into(),
        },
        trust.clone(),
    ))?;
    let credentials = match method {
        AuthMethod::ApiToken => {
            Credentials::ApiToken(admin.create_api_token(ADMIN_USERNAME).await?)
        }
        AuthMethod::ApiClient => Credentials::ApiClient(
            admin
                .provision_api_client(
                    API_CLIENT_NAME,
                    API_CLIENT_ISSUER,
                    ADMIN_USERNAME,
                    "array_admin",
                )
                .await?,
        ),
    };
    admin.logout().await;
    Ok(ArrayClient::new(ClientConfig::new(
        name,
        sim.url(),
        credentials,
        trust,
    ))?)
}
