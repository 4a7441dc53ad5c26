//! What every handler shares.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::FromRef;

use crate::approvals::HeldChanges;
use crate::arrays::fleet::FleetCache;
use crate::arrays::registration::Registrations;
use crate::arrays::registry::ArrayRegistry;
use crate::arrays::rest_root::RestRootState;
use crate::arrays::secrets::SecretKey;
use crate::config::{ApprovalsConfig, LimitsConfig, SessionConfig};
use crate::db::Database;
use crate::identity::auth::Sessions;
use crate::identity::oidc::Oidc;
use crate::identity::origin::TrustedProxies;
use crate::identity::passwords::Passwords;
use crate::identity::sign_in_queue::SignInQueues;
use crate::ops::health::{HealthState, ProbeCache};
use crate::ops::metrics::{Metrics, MetricsState};
use crate::pure1::Pure1Service;

/// How long what Pure1 reported is reused: its own figures are minutes old anyway.
pub const PURE1_VIEW_TTL: Duration = Duration::from_secs(60);

/// Shared by all handlers through axum's `State`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub arrays: Arc<ArrayRegistry>,
    /// Checking and opening sessions.
    pub sessions: Sessions,
    pub limits: LimitsConfig,
    /// Seals the credentials of arrays registered in the portal; without it, arrays can only
    /// be registered in the configuration file.
    pub secret_key: Option<SecretKey>,
    pub metrics: Arc<Metrics>,
    pub trusted_proxies: TrustedProxies,
    /// The threads that hash and check passwords.
    pub passwords: Passwords,
    /// The arrays' last readiness probe.
    pub probes: Arc<ProbeCache>,
    /// The portal serves HTTPS itself, so it sends Strict-Transport-Security.
    pub serves_https: bool,
    /// Sign-ins waiting for earlier ones from the same address.
    pub sign_ins: Arc<SignInQueues>,
    /// The arrays' latest dashboard figures.
    pub fleet: Arc<FleetCache>,
    /// Pure1, when connected, and what it last reported.
    pub pure1: Arc<Pure1Service>,
    /// The changes that wait for a second person.
    pub approvals: Arc<ApprovalsConfig>,
    /// Single sign-on, when an identity provider is configured.
    pub oidc: Option<Arc<Oidc>>,
    /// The REST roots' read tally and the arrays' version lists.
    pub rest_root: Arc<RestRootState>,
    /// Notifications, when the job queue runs.
    pub notifier: Option<crate::notify::Notifier>,
    /// The API's description, made once on first request (it never changes while running).
    pub api_description: Arc<OnceLock<ApiDescription>>,
    /// Reports being made now: each reads every volume of every array, so only a few at once.
    pub reports: Arc<crate::reports::limiter::ReportLimiter>,
}

/// Reports the portal makes at once for people who download them.
const REPORTS_AT_ONCE: usize = 2;

/// The API described: the OpenAPI document as JSON and the reference page as HTML.
#[derive(Debug)]
pub struct ApiDescription {
    pub document: String,
    pub page: String,
}

impl AppState {
    pub fn new(db: Database, arrays: ArrayRegistry, session: SessionConfig) -> Self {
        Self {
            sessions: Sessions {
                db: db.clone(),
                config: session,
                cache: Arc::default(),
            },
            db,
            arrays: Arc::new(arrays),
            limits: LimitsConfig::default(),
            secret_key: None,
            metrics: Arc::default(),
            trusted_proxies: TrustedProxies::default(),
            passwords: Passwords::for_this_machine(),
            probes: Arc::default(),
            serves_https: false,
            sign_ins: Arc::default(),
            fleet: Arc::new(FleetCache::new(Duration::from_secs(
                LimitsConfig::default().fleet_cache_secs,
            ))),
            pure1: Arc::new(Pure1Service::new(PURE1_VIEW_TTL)),
            approvals: Arc::default(),
            oidc: None,
            rest_root: Arc::default(),
            notifier: None,
            api_description: Arc::default(),
            reports: Arc::new(crate::reports::limiter::ReportLimiter::new(REPORTS_AT_ONCE)),
        }
    }

    pub fn with_oidc(mut self, oidc: Oidc) -> Self {
        self.oidc = Some(Arc::new(oidc));
        self
    }

    pub fn with_approvals(mut self, approvals: ApprovalsConfig) -> Self {
        self.approvals = Arc::new(approvals);
        self
    }

    pub fn with_pure1(mut self, pure1: Pure1Service) -> Self {
        self.pure1 = Arc::new(pure1);
        self
    }

    pub fn with_trusted_proxies(mut self, proxies: &[IpAddr]) -> Self {
        self.trusted_proxies = TrustedProxies(Arc::from(proxies));
        self
    }

    pub fn serving_https(mut self) -> Self {
        self.serves_https = true;
        self
    }

    pub fn with_limits(mut self, limits: LimitsConfig) -> Self {
        self.limits = limits;
        self.fleet = Arc::new(FleetCache::new(Duration::from_secs(
            limits.fleet_cache_secs,
        )));
        self
    }

    /// Writes an audit row whose outcome is already known, and counts it.
    pub async fn audit_finished(
        &self,
        record: &crate::db::NewAuditRecord,
        outcome: &crate::db::AuditRecord,
    ) -> Result<(), crate::db::DbError> {
        self.metrics.record_audit_row();
        self.db.write_finished_audit(record, outcome).await
    }

    /// How long each array gets where several are asked at once.
    pub fn array_deadline(&self) -> Duration {
        Duration::from_secs(self.limits.array_deadline_secs.max(1))
    }

    pub fn with_notifier(mut self, notifier: crate::notify::Notifier) -> Self {
        self.notifier = Some(notifier);
        self
    }

    pub fn with_secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }
}

impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> Self {
        state.trusted_proxies.clone()
    }
}

impl FromRef<AppState> for HealthState {
    fn from_ref(state: &AppState) -> Self {
        HealthState {
            db: state.db.clone(),
            arrays: state.arrays.clone(),
            probes: state.probes.clone(),
        }
    }
}

impl FromRef<AppState> for MetricsState {
    fn from_ref(state: &AppState) -> Self {
        MetricsState {
            metrics: state.metrics.clone(),
            arrays: state.arrays.clone(),
            sessions: state.sessions.clone(),
        }
    }
}

impl FromRef<AppState> for HeldChanges {
    fn from_ref(state: &AppState) -> Self {
        HeldChanges {
            db: state.db.clone(),
            secret_key: state.secret_key.clone(),
            config: state.approvals.clone(),
            notifier: state.notifier.clone(),
        }
    }
}

impl FromRef<AppState> for Registrations {
    fn from_ref(state: &AppState) -> Self {
        Registrations {
            db: state.db.clone(),
            arrays: state.arrays.clone(),
            secret_key: state.secret_key.clone(),
        }
    }
}
