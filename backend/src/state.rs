//! What every handler shares.

use std::net::IpAddr;
use std::sync::Arc;

use crate::arrays::ArrayRegistry;
use crate::config::SessionConfig;
use crate::db::Database;
use crate::health::ProbeCache;
use crate::metrics::Metrics;
use crate::passwords::Passwords;
use crate::secrets::SecretKey;

/// Shared by all handlers through axum's `State`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub arrays: Arc<ArrayRegistry>,
    pub session: SessionConfig,
    /// Seals the credentials of arrays registered in the portal; without it, arrays can only
    /// be registered in the configuration file.
    pub secret_key: Option<SecretKey>,
    pub metrics: Arc<Metrics>,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Arc<[IpAddr]>,
    /// The threads that hash and check passwords.
    pub passwords: Passwords,
    /// The arrays' last readiness probe.
    pub probes: Arc<ProbeCache>,
}

impl AppState {
    pub fn new(db: Database, arrays: ArrayRegistry, session: SessionConfig) -> Self {
        Self {
            db,
            arrays: Arc::new(arrays),
            session,
            secret_key: None,
            metrics: Arc::default(),
            trusted_proxies: Arc::from([]),
            passwords: Passwords::for_this_machine(),
            probes: Arc::default(),
        }
    }

    pub fn with_trusted_proxies(mut self, proxies: &[IpAddr]) -> Self {
        self.trusted_proxies = Arc::from(proxies);
        self
    }

    pub fn with_secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }
}
