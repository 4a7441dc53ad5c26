//! The simulator's state: [`Pure1Sim`] holds the registered applications, the access tokens
//! issued and the fleet (FlashArray simulators, each at the address Pure1 reports for it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use flasharray_sim::report::ArrayReport;
use flasharray_sim::{Clock, Seed, Simulator};
use jsonwebtoken::DecodingKey;
use shared::pure1::Reference;

use crate::rate_limit::{RateLimit, Windows};

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the application id must look like pure1:apikey:<letters and digits>, not {0:?}")]
    AppId(String),
    #[error("the public key is not an RSA public key in PEM form: {0}")]
    PublicKey(String),
}

/// An array of the fleet.
#[derive(Debug, Clone)]
pub struct Member {
    pub array: Simulator,
    pub fqdn: String,
}

impl Member {
    pub fn reference(&self, report: &ArrayReport) -> Reference {
        Reference {
            id: Some(report.array.id.clone()),
            name: report.array.name.clone(),
            resource_type: Some("arrays".to_owned()),
            fqdn: Some(self.fqdn.clone()),
        }
    }
}

/// One Pure1 organisation. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Pure1Sim {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Pure1Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pure1Sim").finish_non_exhaustive()
    }
}

struct Inner {
    clock: Clock,
    /// Signs the access tokens it issues; made at start, never leaves the process.
    signing_secret: [u8; 32],
    state: Mutex<State>,
    rate: Mutex<Windows>,
    token_exchanges: AtomicU64,
}

#[derive(Default)]
pub(crate) struct State {
    /// Public keys by application id, as registered in Pure1's Administration → API
    /// Registration.
    pub applications: HashMap<String, DecodingKey>,
    /// Access tokens in force: `jti` → expiry (ms).
    pub tokens: HashMap<String, i64>,
    pub members: Vec<Member>,
}

impl Default for Pure1Sim {
    fn default() -> Self {
        Self::new(RateLimit::default())
    }
}

impl Pure1Sim {
    pub fn new(rate_limit: RateLimit) -> Self {
        let mut signing_secret = [0u8; 32];
        for (chunk, random) in signing_secret
            .chunks_mut(16)
            .zip([uuid::Uuid::new_v4(), uuid::Uuid::new_v4()])
        {
            chunk.copy_from_slice(random.as_bytes());
        }
        Self {
            inner: Arc::new(Inner {
                clock: Clock::default(),
                signing_secret,
                state: Mutex::default(),
                rate: Mutex::new(Windows::new(rate_limit)),
                token_exchanges: AtomicU64::new(0),
            }),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub(crate) fn signing_secret(&self) -> &[u8] {
        &self.inner.signing_secret
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn rate_windows(&self) -> MutexGuard<'_, Windows> {
        self.inner
            .rate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn count_token_exchange(&self) {
        self.inner.token_exchanges.fetch_add(1, Ordering::Relaxed);
    }

    /// Token exchanges Pure1 granted so far.
    pub fn token_exchanges(&self) -> u64 {
        self.inner.token_exchanges.load(Ordering::Relaxed)
    }

    /// What an admin does in Pure1's Administration → API Registration: the application id
    /// `app_id` now signs its JWTs with the private key of `public_key_pem`. Registering an id
    /// again replaces its key.
    pub fn register_application(
        &self,
        app_id: &str,
        public_key_pem: &str,
    ) -> Result<(), RegisterError> {
        let well_formed = app_id
            .strip_prefix("pure1:apikey:")
            .is_some_and(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(RegisterError::AppId(app_id.to_owned()));
        }
        let key = DecodingKey::from_rsa_pem(public_key_pem.as_bytes())
            .map_err(|error| RegisterError::PublicKey(error.to_string()))?;
        self.lock().applications.insert(app_id.to_owned(), key);
        Ok(())
    }

    /// Ends every access token issued, as when Pure1 revokes them: the next call is refused
    /// with a 403 and the caller must exchange a new JWT.
    pub fn expire_tokens(&self) {
        self.lock().tokens.clear();
    }

    pub fn set_rate_limit(&self, limit: RateLimit) {
        self.rate_windows().set_limit(limit);
    }

    /// Reports `array` (a simulator the portal may also manage) as part of the fleet, at `fqdn`.
    pub fn mirror(&self, array: Simulator, fqdn: &str) {
        self.lock().members.push(Member {
            array,
            fqdn: fqdn.to_owned(),
        });
    }

    /// A new array only Pure1 knows of (nothing serves its API), started from `seed`.
    pub fn add_array(&self, name: &str, seed: Seed) -> Simulator {
        let array = Simulator::new(name, seed);
        self.mirror(array.clone(), &format!("{name}.example.com"));
        array
    }

    pub(crate) fn members(&self) -> Vec<Member> {
        self.lock().members.clone()
    }
}
