//! The portal's link to Pure1: set up in the configuration file, or connected by an admin in
//! the portal (stored sealed, like array registrations), and what Pure1 adds to the fleet
//! view — the arrays it reports, their busy meter now and over seven days, its alerts — read
//! once per cache period however many people look.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use flasharray::{KeyError, MetricWindow, PrivateKey, Pure1Client, TrustAnchor};
use serde::{Deserialize, Serialize};
use shared::api::{ApiError, Pure1ConnectRequest, Pure1Key, Pure1Source, quantile};
use shared::pure1::{
    ARRAY_SHARED_SPACE, ARRAY_SNAPSHOT_SPACE, ARRAY_SYSTEM_SPACE, ARRAY_TOTAL_CAPACITY,
    ARRAY_TOTAL_LOAD, ARRAY_VOLUME_SPACE, Aggregation, Alert, Array, DEFAULT_URL, MetricHistory,
};

use crate::arrays::secrets::SecretKey;
use crate::clock::{unix_now, unix_now_ms};
use crate::config::Pure1Config;
use crate::db::Database;
use crate::error::AppError;

/// Stored settings, each sealed for its own name.
const CONNECTION: &str = "connection";
const GENERATED_KEY: &str = "generated_key";
/// What sealed settings are bound to, so a row copied elsewhere does not open.
const SEAL_OWNER: &str = "pure1";
/// The busy meter's window and spacing: seven days of five-minute averages.
const LOAD_WINDOW_MS: i64 = 7 * 86_400_000;
const LOAD_RESOLUTION_MS: i64 = 300_000;

/// A connection as stored: everything needed to rebuild the client.
#[derive(Serialize, Deserialize)]
struct StoredConnection {
    url: String,
    app_id: String,
    private_key: String,
    private_key_password: Option<String>,
    ca_pem: Option<String>,
}

/// The key pair the portal generated for an admin to register in Pure1.
#[derive(Serialize, Deserialize)]
struct GeneratedKey {
    private_key: String,
    public_key: String,
}

/// A usable link to Pure1.
#[derive(Debug)]
pub struct Pure1Link {
    pub client: Pure1Client,
    pub app_id: String,
    pub url: String,
    pub source: Pure1Source,
    /// The stored text it was built from, to notice another replica's change.
    sealed: Option<String>,
}

/// What Pure1 reported at one time.
#[derive(Debug, Clone)]
pub struct Pure1View {
    pub as_of: i64,
    pub arrays: Vec<Array>,
    /// By array name: the busy meter's latest point and its 95th percentile over 7 days.
    pub loads: HashMap<String, (Option<f64>, Option<f64>)>,
    /// Open alerts, newest first.
    pub alerts: Vec<Alert>,
    pub error: Option<String>,
}

/// The portal's Pure1: its link and the latest view.
#[derive(Debug)]
pub struct Pure1Service {
    configured: Option<Arc<Pure1Link>>,
    stored: RwLock<Option<Arc<Pure1Link>>>,
    /// Held while Pure1 is read, so concurrent requests wait for that one reading.
    view: tokio::sync::Mutex<Option<(Instant, Arc<Pure1View>)>>,
    /// The space of the arrays only Pure1 sees, for placement: read as the view is, once per
    /// cache period and for one set of arrays.
    spaces: tokio::sync::Mutex<Option<CachedSpaces>>,
    ttl: Duration,
}

/// Space read at a time for a set of arrays, or why it could not be: a failing Pure1 is
/// asked again after the cache period too, so that requests do not queue behind one attempt
/// after another.
#[derive(Debug)]
struct CachedSpaces {
    at: Instant,
    arrays: Vec<String>,
    spaces: Result<Arc<HashMap<String, Pure1Space>>, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Pure1ConfigError {
    #[error("[pure1]: {0}")]
    Invalid(String),
}

impl Pure1Service {
    pub fn new(ttl: Duration) -> Self {
        Self {
            configured: None,
            stored: RwLock::default(),
            view: tokio::sync::Mutex::default(),
            spaces: tokio::sync::Mutex::default(),
            ttl,
        }
    }

    /// The link the configuration file (or `FLASHDECK_PURE1_*`) sets up, if any.
    pub fn from_config(
        config: Option<&Pure1Config>,
        ttl: Duration,
    ) -> Result<Self, Pure1ConfigError> {
        let mut service = Self::new(ttl);
        let Some(config) = config else {
            return Ok(service);
        };
        let invalid = |message: String| Pure1ConfigError::Invalid(message);
        let pem = crate::arrays::secrets::read_secret(
            "Pure1 private key",
            config.private_key_file.as_deref(),
            config.private_key_env.as_deref(),
        )
        .map_err(invalid)?;
        let password = match (
            &config.private_key_password_file,
            &config.private_key_password_env,
        ) {
            (None, None) => None,
            (file, env) => Some(
                crate::arrays::secrets::read_secret(
                    "Pure1 private key password",
                    file.as_deref(),
                    env.as_deref(),
                )
                .map_err(invalid)?,
            ),
        };
        let ca_pem = config
            .ca_file
            .as_ref()
            .map(|path| {
                std::fs::read_to_string(path)
                    .map_err(|error| invalid(format!("cannot read {}: {error}", path.display())))
            })
            .transpose()?;
        let stored = StoredConnection {
            url: config.url.clone(),
            app_id: config.app_id.clone(),
            private_key: pem,
            private_key_password: password
                .map(|text| text.trim_end_matches(['\r', '\n']).to_owned()),
            ca_pem,
        };
        let link = link_from(&stored, Pure1Source::Configuration, None)
            .map_err(|error| invalid(error.to_string()))?;
        tracing::info!(app_id = %link.app_id, url = %link.url, "Pure1 configured");
        service.configured = Some(Arc::new(link));
        Ok(service)
    }

    /// The link in force: the configured one, else the one stored in the portal (read again
    /// from the database, so a change made on another replica is seen).
    pub async fn link(
        &self,
        db: &Database,
        key: Option<&SecretKey>,
    ) -> Result<Option<Arc<Pure1Link>>, AppError> {
        if let Some(configured) = &self.configured {
            return Ok(Some(Arc::clone(configured)));
        }
        let (Some(key), Some(sealed)) = (key, db.pure1_setting(CONNECTION).await?) else {
            if self.stored_link().is_some() {
                self.replace_stored(None);
                self.forget_view().await;
            }
            return Ok(None);
        };
        if let Some(current) = self.stored_link()
            && current.sealed.as_deref() == Some(sealed.as_str())
        {
            return Ok(Some(current));
        }
        // Connected anew, here or on another replica: what the old link read is not shown.
        let stored: StoredConnection = open(key, &sealed)?;
        let link = Arc::new(link_from(&stored, Pure1Source::Portal, Some(sealed))?);
        self.replace_stored(Some(Arc::clone(&link)));
        self.forget_view().await;
        Ok(Some(link))
    }

    fn stored_link(&self) -> Option<Arc<Pure1Link>> {
        self.stored
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn replace_stored(&self, link: Option<Arc<Pure1Link>>) {
        *self
            .stored
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = link;
    }

    pub fn is_configured(&self) -> bool {
        self.configured.is_some()
    }

    /// Forgets the latest view, so the next look reads Pure1 again.
    pub async fn forget_view(&self) {
        *self.view.lock().await = None;
        *self.spaces.lock().await = None;
    }

    /// The capacity and daily used space over `days` of `arrays` (at most
    /// [`MAX_SPACE_ARRAYS`] of them, sorted and without repeats), read at most once per cache
    /// period however many people ask; `Ok(None)` when Pure1 is not connected.
    pub async fn spaces(
        &self,
        db: &Database,
        key: Option<&SecretKey>,
        arrays: Vec<String>,
        days: i64,
    ) -> Result<Option<Arc<HashMap<String, Pure1Space>>>, String> {
        let Some(link) = self
            .link(db, key)
            .await
            .map_err(|error| error.to_string())?
        else {
            return Ok(None);
        };
        let mut cached = self.spaces.lock().await;
        if let Some(cache) = cached.as_ref()
            && cache.at.elapsed() < self.ttl
            && cache.arrays == arrays
        {
            return cache.spaces.clone().map(Some);
        }
        let spaces = space_history(&link.client, &arrays, unix_now_ms(), days)
            .await
            .map(Arc::new)
            .map_err(|error| format!("Pure1: {error}"));
        *cached = Some(CachedSpaces {
            at: Instant::now(),
            arrays,
            spaces: spaces.clone(),
        });
        spaces.map(Some)
    }

    /// What Pure1 reports, read at most once per cache period; `None` when not connected.
    pub async fn view(
        &self,
        db: &Database,
        key: Option<&SecretKey>,
        deadline: Duration,
    ) -> Result<Option<Arc<Pure1View>>, AppError> {
        let Some(link) = self.link(db, key).await? else {
            return Ok(None);
        };
        let mut cached = self.view.lock().await;
        if let Some((at, view)) = cached.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(Some(Arc::clone(view)));
        }
        let view = Arc::new(read_view(&link.client, deadline).await);
        *cached = Some((Instant::now(), Arc::clone(&view)));
        Ok(Some(view))
    }

    /// Makes a key pair, keeps its private half sealed and gives its public half.
    pub async fn generate_key(&self, db: &Database, key: &SecretKey) -> Result<String, AppError> {
        let (private_key, public_key) =
            PrivateKey::generate_pem().map_err(|error| AppError::Internal(error.to_string()))?;
        let generated = GeneratedKey {
            private_key,
            public_key: public_key.clone(),
        };
        db.put_pure1_setting(GENERATED_KEY, &seal(key, &generated)?, unix_now())
            .await?;
        Ok(public_key)
    }

    /// The public half of the generated key pair, if there is one.
    pub async fn generated_public_key(
        &self,
        db: &Database,
        key: Option<&SecretKey>,
    ) -> Result<Option<String>, AppError> {
        let (Some(key), Some(sealed)) = (key, db.pure1_setting(GENERATED_KEY).await?) else {
            return Ok(None);
        };
        Ok(Some(open::<GeneratedKey>(key, &sealed)?.public_key))
    }

    /// A client for what `request` describes, without storing anything; with it, what to
    /// store.
    pub async fn client_for(
        &self,
        db: &Database,
        key: &SecretKey,
        request: &Pure1ConnectRequest,
    ) -> Result<(Pure1Client, String), AppError> {
        let (private_key, private_key_password) = match &request.key {
            Pure1Key::Generated => {
                let sealed = db.pure1_setting(GENERATED_KEY).await?.ok_or_else(|| {
                    AppError::Invalid(ApiError::for_field(
                        "key",
                        "No key pair has been generated: generate one, or give a private key.",
                    ))
                })?;
                (open::<GeneratedKey>(key, &sealed)?.private_key, None)
            }
            Pure1Key::PrivateKey {
                private_key,
                private_key_password,
            } => (
                private_key.clone(),
                private_key_password
                    .clone()
                    .filter(|password| !password.is_empty()),
            ),
        };
        let stored = StoredConnection {
            url: request
                .url
                .as_deref()
                .map(str::trim)
                .filter(|url| !url.is_empty())
                .unwrap_or(DEFAULT_URL)
                .to_owned(),
            app_id: request.app_id.trim().to_owned(),
            private_key,
            private_key_password,
            ca_pem: request.ca_pem.clone().filter(|pem| !pem.trim().is_empty()),
        };
        let link = link_from(&stored, Pure1Source::Portal, None)?;
        Ok((link.client, seal(key, &stored)?))
    }

    /// Stores a tested connection and uses it from now on.
    pub async fn store(&self, db: &Database, sealed: &str) -> Result<(), AppError> {
        db.put_pure1_setting(CONNECTION, sealed, unix_now()).await?;
        self.replace_stored(None);
        self.forget_view().await;
        Ok(())
    }

    pub async fn disconnect(&self, db: &Database) -> Result<(), AppError> {
        db.delete_pure1_setting(CONNECTION).await?;
        self.replace_stored(None);
        self.forget_view().await;
        Ok(())
    }
}

fn seal<T: Serialize>(key: &SecretKey, value: &T) -> Result<String, AppError> {
    let text =
        serde_json::to_string(value).map_err(|error| AppError::Internal(error.to_string()))?;
    key.seal(&text, SEAL_OWNER)
        .map_err(|error| AppError::Internal(error.to_string()))
}

fn open<T: for<'de> Deserialize<'de>>(key: &SecretKey, sealed: &str) -> Result<T, AppError> {
    let text = key
        .open(sealed, SEAL_OWNER)
        .map_err(|error| AppError::Internal(format!("the stored Pure1 setting: {error}")))?;
    serde_json::from_str(&text)
        .map_err(|error| AppError::Internal(format!("the stored Pure1 setting: {error}")))
}

fn link_from(
    stored: &StoredConnection,
    source: Pure1Source,
    sealed: Option<String>,
) -> Result<Pure1Link, AppError> {
    let invalid =
        |field: &str, message: String| AppError::Invalid(ApiError::for_field(field, message));
    let private_key = PrivateKey::from_pem_with_password(
        stored.private_key.as_bytes(),
        stored.private_key_password.as_deref(),
    )
    .map_err(|error| {
        let field = match error {
            KeyError::WrongPassword | KeyError::PasswordNeeded => "private_key_password",
            _ => "private_key",
        };
        invalid(field, format!("The private key: {error}."))
    })?;
    let trust = match &stored.ca_pem {
        Some(pem) => TrustAnchor::CaPem(pem.clone()),
        None => TrustAnchor::System,
    };
    let client = Pure1Client::new(&stored.url, &stored.app_id, private_key, trust)
        .map_err(|error| invalid("url", error.to_string()))?;
    Ok(Pure1Link {
        client,
        app_id: stored.app_id.clone(),
        url: stored.url.clone(),
        source,
        sealed,
    })
}

/// Arrays, open alerts and every array's busy meter, asked at once, all under `deadline`.
async fn read_view(client: &Pure1Client, deadline: Duration) -> Pure1View {
    let as_of = unix_now_ms();
    let read = async {
        let (arrays, alerts) =
            tokio::try_join!(client.arrays(), client.alerts(Some("state!='closed'")))?;
        let names: Vec<String> = arrays.iter().map(|array| array.name.clone()).collect();
        let history = client
            .metric_history(
                ARRAY_TOTAL_LOAD,
                &names,
                Aggregation::Avg,
                MetricWindow {
                    start_ms: as_of - LOAD_WINDOW_MS,
                    end_ms: as_of,
                    resolution_ms: LOAD_RESOLUTION_MS,
                },
            )
            .await?;
        Ok::<_, flasharray::Error>((arrays, alerts, history))
    };
    match tokio::time::timeout(deadline, read).await {
        Ok(Ok((arrays, mut alerts, history))) => {
            let loads = history
                .into_iter()
                .filter_map(|series| {
                    let array = series.resources.first()?.name.clone();
                    // A busy meter outside 0–200 % is not one: left out rather than ranked.
                    let values: Vec<f64> = series
                        .data
                        .iter()
                        .map(|(_, value)| *value)
                        .filter(|value| (0.0..=2.0).contains(value))
                        .collect();
                    Some((array, (values.last().copied(), quantile(&values, 0.95))))
                })
                .collect();
            alerts.sort_by_key(|alert| std::cmp::Reverse(alert.created));
            Pure1View {
                as_of,
                arrays,
                loads,
                alerts,
                error: None,
            }
        }
        Ok(Err(error)) => failed_view(as_of, error.to_string()),
        Err(_) => failed_view(
            as_of,
            format!("Pure1: no answer within {} s", deadline.as_secs_f64()),
        ),
    }
}

/// The kinds of physical space Pure1 reports an array holding; their sum is its used space.
const USED_SPACE_METRICS: [&str; 4] = [
    ARRAY_VOLUME_SPACE,
    ARRAY_SNAPSHOT_SPACE,
    ARRAY_SHARED_SPACE,
    ARRAY_SYSTEM_SPACE,
];
const DAY_MS: i64 = 86_400_000;
/// The most arrays only Pure1 sees that placement weighs: a fleet larger than this is not
/// one a person picks from, and a hostile Pure1 listing millions is not read for all.
pub const MAX_SPACE_ARRAYS: usize = 256;

/// An array's usable capacity and its used space a day at a time, as Pure1 reports them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pure1Space {
    pub capacity: u64,
    /// `(time ms, used bytes)`, oldest first: only days on which every kind was reported.
    pub used: Vec<(i64, f64)>,
}

/// The capacity and daily used space of `arrays` over the `days` before `now_ms`, each metric
/// asked of Pure1 at once.
pub async fn space_history(
    client: &Pure1Client,
    arrays: &[String],
    now_ms: i64,
    days: i64,
) -> Result<HashMap<String, Pure1Space>, flasharray::Error> {
    let window = MetricWindow {
        start_ms: now_ms - days * DAY_MS,
        end_ms: now_ms,
        resolution_ms: DAY_MS,
    };
    let ask =
        |metric: &'static str| client.metric_history(metric, arrays, Aggregation::Avg, window);
    let (capacity, volume, snapshot, shared, system) = tokio::try_join!(
        ask(ARRAY_TOTAL_CAPACITY),
        ask(USED_SPACE_METRICS[0]),
        ask(USED_SPACE_METRICS[1]),
        ask(USED_SPACE_METRICS[2]),
        ask(USED_SPACE_METRICS[3]),
    )?;
    Ok(spaces_of(
        arrays,
        window,
        &capacity,
        [&volume[..], &snapshot, &shared, &system],
    ))
}

/// Each asked-for array's latest capacity and, per day within `window`, the sum of the kinds
/// of used space; what Pure1 sends beyond that (other arrays, other times, figures that are
/// not sizes) is left out.
fn spaces_of(
    arrays: &[String],
    window: MetricWindow,
    capacity: &[MetricHistory],
    used_kinds: [&[MetricHistory]; 4],
) -> HashMap<String, Pure1Space> {
    let arrays: std::collections::HashSet<&String> = arrays.iter().collect();
    let asked = |series: &MetricHistory| {
        let name = &series.resources.first()?.name;
        arrays.contains(name).then(|| name.clone())
    };
    let within = |time: i64, value: f64| {
        (window.start_ms - DAY_MS..=window.end_ms + DAY_MS).contains(&time)
            && value.is_finite()
            && value >= 0.0
    };
    let mut used: HashMap<String, std::collections::BTreeMap<i64, [Option<f64>; 4]>> =
        HashMap::new();
    for (kind, series_of_kind) in used_kinds.into_iter().enumerate() {
        for series in series_of_kind {
            let Some(array) = asked(series) else {
                continue;
            };
            let days = used.entry(array).or_default();
            for (time, value) in series.data.iter().filter(|(t, v)| within(*t, *v)) {
                if days.len() < MAX_DAYS_KEPT || days.contains_key(time) {
                    days.entry(*time).or_default()[kind] = Some(*value);
                }
            }
        }
    }
    capacity
        .iter()
        .filter_map(|series| {
            let array = asked(series)?;
            // Pure1's points are taken in any order.
            let (_, latest) = series
                .data
                .iter()
                .filter(|(time, value)| within(*time, *value) && *value > 0.0)
                .max_by_key(|(time, _)| *time)?;
            let points: Vec<(i64, f64)> = used
                .get(&array)
                .map(|days| {
                    days.iter()
                        .filter_map(|(time, kinds)| {
                            let sum: f64 = kinds.iter().copied().sum::<Option<f64>>()?;
                            sum.is_finite().then_some((*time, sum))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let space = Pure1Space {
                capacity: *latest as u64,
                used: points,
            };
            (!space.used.is_empty()).then_some((array, space))
        })
        .collect()
}

/// Days of space kept per array: a month and a margin at one point a day.
const MAX_DAYS_KEPT: usize = 64;

fn failed_view(as_of: i64, error: String) -> Pure1View {
    tracing::warn!(%error, "cannot read Pure1");
    Pure1View {
        as_of,
        arrays: Vec::new(),
        loads: HashMap::new(),
        alerts: Vec::new(),
        error: Some(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::pure1::Reference;

    fn series(array: &str, data: &[(i64, f64)]) -> MetricHistory {
        MetricHistory {
            id: String::new(),
            name: String::new(),
            as_of: 0,
            aggregation: "avg".to_owned(),
            data: data.to_vec(),
            resolution: DAY_MS,
            resources: vec![Reference {
                name: array.to_owned(),
                ..Reference::default()
            }],
            unit: "B".to_owned(),
        }
    }

    #[test]
    fn used_space_is_the_sum_of_its_kinds_on_days_every_kind_was_reported() {
        let window = MetricWindow {
            start_ms: 0,
            end_ms: 10 * DAY_MS,
            resolution_ms: DAY_MS,
        };
        // Neither the arrays asked for nor Pure1's points come in order.
        let asked = ["fa-x", "fa-gone", "fa-edge"].map(str::to_owned);
        let kind = |data: &[(i64, f64)]| vec![series("fa-edge", data)];
        let (day1, day2) = (DAY_MS, 2 * DAY_MS);
        let kinds = [
            kind(&[(day1, 100.0), (day2, 110.0), (i64::MIN, 1e18)]),
            kind(&[(day1, 10.0), (day2, 20.0)]),
            kind(&[(day1, 1.0), (day2, f64::NAN)]),
            kind(&[(day1, 5.0), (day2, 5.0)]),
        ];
        let capacity = vec![
            series("fa-edge", &[(day2, 2000.0), (day1, 1000.0)]),
            series("fa-gone", &[(day1, -1.0)]),
            series("fa-not-asked", &[(day1, 1000.0)]),
        ];
        let spaces = spaces_of(
            &asked,
            window,
            &capacity,
            kinds.each_ref().map(Vec::as_slice),
        );
        let edge = &spaces["fa-edge"];
        assert_eq!(edge.capacity, 2000);
        assert_eq!(edge.used, [(day1, 116.0)], "day 2 lacks one kind");
        assert_eq!(
            spaces.len(),
            1,
            "no usable capacity, or not asked: {spaces:?}"
        );
    }
}
