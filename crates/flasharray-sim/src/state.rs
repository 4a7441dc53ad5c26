//! What one simulated array holds, and the rules the array enforces on it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use shared::flasharray::{
    Admin, AdminApiToken, Alert, ApiClient, ApiClientPost, ApiTokenDetails, Array,
    ArrayEradicationConfig, ArrayPatch, Audit, Host, HostGroup, LimitPatch, Qos, QosPatch,
    RATCHETED, Reference, Space, Volume, VolumePatch,
};
use shared::names::{validate_object_name, validate_volume_name};
use shared::size::{MAX_VOLUME_SIZE, MIB, MIN_VOLUME_SIZE, SECTOR_SIZE, format_size};

use crate::collection::{self, new_id, pod_of};
use crate::error::ApiFault;
use crate::models::DEFAULT_MODEL;
use crate::records::{
    ConnectionRecord, GroupRecord, GroupSnapshotRecord, LinkedArray, PartFailure, ReplicaLink,
    ReplicatedHere, SnapshotRecord, is_replica_group,
};
use crate::release::{DEFAULT_RELEASE, RELEASES, Release, release};

/// The REST versions this simulator advertises in `/api/api_version` and serves.
pub const SUPPORTED_VERSIONS: &[&str] = &[
    "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12",
    "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "2.19", "2.20", "2.21", "2.22", "2.23", "2.24",
    "2.25", "2.26", "2.27", "2.28", "2.29", "2.30", "2.31", "2.32", "2.33", "2.34", "2.35", "2.36",
    "2.37", "2.38", "2.39", "2.40", "2.41", "2.42", "2.43", "2.44", "2.45", "2.46", "2.47", "2.48",
    "2.49", "2.50", "2.51", "2.52",
];

/// The administrator every new array has.
pub const ADMIN_USERNAME: &str = "pureuser";
/// Its factory password.
pub const ADMIN_PASSWORD: &str = "pureuser";

/// A session idle for this long is gone, as on an array with the default idle timeout.
pub const SESSION_IDLE_TIMEOUT_MS: i64 = 30 * 60 * 1000;
/// An API client's access tokens live this long unless it was created with another TTL.
pub const DEFAULT_ACCESS_TOKEN_TTL_MS: u64 = 24 * 60 * 60 * 1000;
/// How long a destroyed object waits before it is eradicated unless the array is set
/// otherwise: a day, the arrays' default (`eradication_config`).
pub const ERADICATION_DELAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest eradication delay an array takes: 30 days.
const LONGEST_ERADICATION_DELAY_MS: i64 = 30 * ERADICATION_DELAY_MS;
/// QoS bandwidth limits an array accepts, in bytes per second.
const BANDWIDTH_LIMITS: std::ops::RangeInclusive<u64> = 1_048_576..=549_755_813_888;
/// QoS IOPS limits an array accepts.
const IOPS_LIMITS: std::ops::RangeInclusive<u64> = 100..=100_000_000;
/// Usable capacity a simulated array reports unless configured otherwise.
pub(crate) const CAPACITY: u64 = 100 * 1024 * 1024 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AdminAccount {
    name: String,
    password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ApiTokenRecord {
    admin: String,
    created_at: i64,
    expires_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionRecord {
    username: String,
    last_used_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessTokenRecord {
    username: String,
    expires_at_ms: i64,
    role: Role,
}

/// What an array user may do, from least to most. An API client's `max_role` caps its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Reads everything, changes nothing.
    ReadOnly,
    /// Reads, and runs day-to-day operations that do not change storage.
    OpsAdmin,
    /// Provisions and protects storage: volumes, hosts, connections, snapshots.
    StorageAdmin,
    /// Everything, including administrators, API clients and their tokens.
    ArrayAdmin,
}

impl Role {
    /// The names arrays use for roles, as `max_role` takes them.
    pub const NAMES: [&str; 4] = ["readonly", "ops_admin", "storage_admin", "array_admin"];

    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "readonly" => Some(Role::ReadOnly),
            "ops_admin" => Some(Role::OpsAdmin),
            "storage_admin" => Some(Role::StorageAdmin),
            "array_admin" => Some(Role::ArrayAdmin),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Who a request acts as, once its session or access token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub username: String,
    pub role: Role,
}

/// One array's objects and credentials.
#[derive(Debug, Serialize, Deserialize)]
pub struct ArrayState {
    pub name: String,
    pub(crate) id: String,
    pub(crate) serial_prefix: String,
    next_serial: u64,
    admins: Vec<AdminAccount>,
    api_tokens: HashMap<String, ApiTokenRecord>,
    sessions: HashMap<String, SessionRecord>,
    access_tokens: HashMap<String, AccessTokenRecord>,
    api_clients: Vec<ApiClient>,
    pub(crate) volumes: Vec<Volume>,
    pub(crate) hosts: Vec<Host>,
    pub(crate) host_groups: Vec<HostGroup>,
    pub(crate) connections: Vec<ConnectionRecord>,
    pub(crate) snapshots: Vec<SnapshotRecord>,
    pub(crate) protection_groups: Vec<GroupRecord>,
    pub(crate) group_snapshots: Vec<GroupSnapshotRecord>,
    /// The last `VOL.N` / `PG.N` number handed out, by volume or group id.
    pub(crate) suffix_counters: HashMap<String, u64>,
    /// When each destroyed object (by id) was destroyed.
    pub(crate) destroyed_at: HashMap<String, i64>,
    audits: Vec<Audit>,
    /// Usable capacity, in bytes.
    #[serde(default = "default_capacity")]
    pub(crate) capacity: u64,
    /// Since when the array has kept history: none is reported from before.
    #[serde(default)]
    pub(crate) installed_ms: i64,
    #[serde(default)]
    pub(crate) alerts: Vec<Alert>,
    #[serde(default)]
    pub(crate) last_alert_number: u64,
    /// What every volume's load is multiplied by (see `Simulator::set_load_scale`).
    #[serde(default = "default_load_scale")]
    pub(crate) load_scale: f64,
    /// The hardware model, which lays out its parts (see `hardware`).
    #[serde(default = "default_model")]
    pub(crate) model: String,
    /// The Purity release line it runs (see `release`).
    #[serde(default = "default_release")]
    pub(crate) purity: String,
    /// Parts failed by name.
    #[serde(default)]
    pub(crate) failed_parts: BTreeMap<String, PartFailure>,
    /// Collections (`hardware`, `arrays/space`) this array answers as unknown paths, as one
    /// on a release without them does.
    #[serde(default)]
    pub(crate) lacking: Vec<String>,
    /// What another array needs to connect to this one (`array-connections/connection-key`).
    #[serde(default = "new_id")]
    pub(crate) connection_key: String,
    #[serde(default)]
    pub(crate) array_connections: Vec<LinkedArray>,
    /// Groups other arrays replicate here.
    #[serde(default)]
    pub(crate) replicated_here: Vec<ReplicatedHere>,
    /// Bytes a second its replication links carry when not throttled; `None` for the
    /// default rate, about what a 10 GbE replication port sends.
    #[serde(default)]
    pub(crate) replication_rate: Option<u64>,
    #[serde(default)]
    pub(crate) pods: Vec<shared::flasharray::Pod>,
    /// ActiveDR links, as this array's end of each.
    #[serde(default)]
    pub(crate) replica_links: Vec<ReplicaLink>,
    #[serde(default)]
    pub(crate) eradication: EradicationDelays,
}

/// How long destroyed objects wait before the array eradicates them (`eradication_config`):
/// `enabled_ms` for those that may be eradicated by hand sooner, `disabled_ms` for those
/// SafeMode keeps (a locked group's snapshots).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EradicationDelays {
    pub(crate) enabled_ms: i64,
    pub(crate) disabled_ms: i64,
}

impl Default for EradicationDelays {
    fn default() -> Self {
        Self {
            enabled_ms: ERADICATION_DELAY_MS,
            disabled_ms: ERADICATION_DELAY_MS,
        }
    }
}

fn default_model() -> String {
    DEFAULT_MODEL.to_owned()
}

fn default_release() -> String {
    DEFAULT_RELEASE.to_owned()
}

fn default_load_scale() -> f64 {
    1.0
}

fn default_capacity() -> u64 {
    CAPACITY
}

impl ArrayState {
    pub fn new(name: &str) -> Self {
        let id = new_id();
        let serial_prefix = id.replace('-', "")[..8].to_ascii_uppercase();
        Self {
            name: name.to_owned(),
            id,
            serial_prefix,
            next_serial: 0x1_0000,
            admins: vec![AdminAccount {
                name: ADMIN_USERNAME.into(),
                password: ADMIN_PASSWORD.into(),
            }],
            api_tokens: HashMap::new(),
            sessions: HashMap::new(),
            access_tokens: HashMap::new(),
            api_clients: Vec::new(),
            volumes: Vec::new(),
            hosts: Vec::new(),
            host_groups: Vec::new(),
            connections: Vec::new(),
            snapshots: Vec::new(),
            protection_groups: Vec::new(),
            group_snapshots: Vec::new(),
            suffix_counters: HashMap::new(),
            destroyed_at: HashMap::new(),
            audits: Vec::new(),
            capacity: CAPACITY,
            installed_ms: 0,
            alerts: Vec::new(),
            last_alert_number: 0,
            load_scale: 1.0,
            model: default_model(),
            purity: default_release(),
            failed_parts: BTreeMap::new(),
            lacking: Vec::new(),
            connection_key: new_id(),
            array_connections: Vec::new(),
            replicated_here: Vec::new(),
            replication_rate: None,
            pods: Vec::new(),
            replica_links: Vec::new(),
            eradication: EradicationDelays::default(),
        }
    }

    /// The release it plays; the newest for a line the simulator does not know (a state file
    /// from another build).
    pub(crate) fn release(&self) -> &'static Release {
        release(&self.purity).unwrap_or(&RELEASES[RELEASES.len() - 1])
    }

    /// `GET /arrays`: its space is what `arrays/space` reports now.
    pub fn array(&self) -> Array {
        let space = self.array_space(0);
        Array {
            id: self.id.clone(),
            name: self.name.clone(),
            os: Some("Purity//FA".into()),
            version: Some(self.release().version.to_owned()),
            capacity: Some(space.capacity),
            space: space.space,
            eradication_config: Some(self.eradication_config()),
        }
    }

    fn eradication_config(&self) -> ArrayEradicationConfig {
        let EradicationDelays {
            enabled_ms,
            disabled_ms,
        } = self.eradication;
        let locked = self
            .protection_groups
            .iter()
            .any(|record| record.group.retention_lock.as_deref() == Some(RATCHETED));
        ArrayEradicationConfig {
            disabled_delay: Some(disabled_ms.unsigned_abs()),
            enabled_delay: Some(enabled_ms.unsigned_abs()),
            eradication_delay: (enabled_ms == disabled_ms).then_some(enabled_ms.unsigned_abs()),
            manual_eradication: Some(
                if locked {
                    "partially-disabled"
                } else {
                    "all-enabled"
                }
                .to_owned(),
            ),
        }
    }

    /// `PATCH /arrays` with `eradication_config`: each delay a whole number of days from one
    /// to thirty (rounded down to a day), `eradication_delay` both at once while they are the
    /// same. While SafeMode keeps objects, what it keeps cannot be made to go sooner.
    pub(crate) fn patch_array(
        &mut self,
        user: &str,
        patch: &ArrayPatch,
        now_ms: i64,
    ) -> Result<Array, ApiFault> {
        let Some(config) = &patch.eradication_config else {
            return Ok(self.array());
        };
        let day = |field: &str, value: u64| -> Result<i64, ApiFault> {
            let value = i64::try_from(value).unwrap_or(i64::MAX);
            if !(ERADICATION_DELAY_MS..=LONGEST_ERADICATION_DELAY_MS).contains(&value) {
                return Err(ApiFault::invalid(format!(
                    "Invalid value for eradication_config.{field}: it must be between 86400000 and 2592000000 milliseconds (1 to 30 days)."
                )));
            }
            Ok(value - value % ERADICATION_DELAY_MS)
        };
        let mut delays = self.eradication;
        if let Some(both) = config.eradication_delay {
            if config.enabled_delay.is_some() || config.disabled_delay.is_some() {
                return Err(ApiFault::invalid(
                    "eradication_config.eradication_delay cannot be set with enabled_delay or disabled_delay.",
                ));
            }
            if delays.enabled_ms != delays.disabled_ms {
                return Err(ApiFault::invalid(
                    "eradication_config.eradication_delay cannot be set while enabled_delay and disabled_delay differ; set them one by one.",
                ));
            }
            let both = day("eradication_delay", both)?;
            delays = EradicationDelays {
                enabled_ms: both,
                disabled_ms: both,
            };
        }
        if let Some(enabled) = config.enabled_delay {
            delays.enabled_ms = day("enabled_delay", enabled)?;
        }
        if let Some(disabled) = config.disabled_delay {
            delays.disabled_ms = day("disabled_delay", disabled)?;
        }
        let keeps = self.eradication_config().manual_eradication.as_deref() != Some("all-enabled");
        if keeps && delays.disabled_ms < self.eradication.disabled_ms {
            return Err(ApiFault::bad_request(
                &self.name,
                "SafeMode keeps objects on this array: contact Pure Technical Services to shorten eradication_config.disabled_delay.",
            ));
        }
        self.eradication = delays;
        let arguments = format!(
            "--eradication-enabled-delay {}d --eradication-disabled-delay {}d",
            delays.enabled_ms / ERADICATION_DELAY_MS,
            delays.disabled_ms / ERADICATION_DELAY_MS
        );
        self.audit(user, "purearray", "eradication-config", arguments, now_ms);
        Ok(self.array())
    }

    /// How long an object destroyed now waits before it is eradicated.
    pub(crate) fn eradication_delay_ms(&self) -> i64 {
        self.eradication.enabled_ms
    }

    // --- authentication -------------------------------------------------------------------

    /// Adds an administrator, as `POST /admins` would; an existing one is kept as it is.
    pub fn add_admin(&mut self, name: &str, password: &str) {
        if self.is_admin(name) {
            return;
        }
        self.admins.push(AdminAccount {
            name: name.into(),
            password: password.into(),
        });
    }

    pub fn audits(&self) -> Vec<Audit> {
        self.audits.clone()
    }

    /// Records a change in the audit trail, as arrays do for every command.
    pub(crate) fn audit(
        &mut self,
        user: &str,
        command: &str,
        subcommand: &str,
        arguments: String,
        now_ms: i64,
    ) {
        let sequence = self.audits.len() + 1;
        self.audits.push(Audit {
            id: new_id(),
            name: sequence.to_string(),
            time: now_ms,
            user: user.to_owned(),
            command: command.to_owned(),
            subcommand: subcommand.to_owned(),
            arguments,
            user_interface: Some("REST".to_owned()),
        });
    }

    pub fn is_admin(&self, name: &str) -> bool {
        self.admins.iter().any(|admin| admin.name == name)
    }

    pub fn check_password(&self, username: &str, password: &str) -> bool {
        self.admins
            .iter()
            .any(|admin| admin.name == username && admin.password == password)
    }

    /// The administrator an API token belongs to, if it is valid now.
    pub fn api_token_owner(&self, token: &str, now_ms: i64) -> Option<String> {
        let record = self.api_tokens.get(token)?;
        match record.expires_at {
            Some(expires_at) if expires_at <= now_ms => None,
            _ => Some(record.admin.clone()),
        }
    }

    pub fn open_session(&mut self, username: &str, now_ms: i64) -> String {
        let token = new_id();
        self.sessions.insert(
            token.clone(),
            SessionRecord {
                username: username.into(),
                last_used_ms: now_ms,
            },
        );
        token
    }

    pub fn close_session(&mut self, token: &str) {
        self.sessions.remove(token);
    }

    /// Checks a session token and marks it used; idle sessions are dropped.
    pub fn use_session(&mut self, token: &str, now_ms: i64) -> Option<Principal> {
        let session = self.sessions.get_mut(token)?;
        if now_ms - session.last_used_ms > SESSION_IDLE_TIMEOUT_MS {
            self.sessions.remove(token);
            return None;
        }
        session.last_used_ms = now_ms;
        Some(Principal {
            username: session.username.clone(),
            role: Role::ArrayAdmin,
        })
    }

    pub fn expire_all_tokens(&mut self) {
        self.sessions.clear();
        self.access_tokens.clear();
    }

    pub fn issue_access_token(
        &mut self,
        client: &ApiClient,
        username: &str,
        now_ms: i64,
    ) -> (String, u64) {
        let token = format!("{}{}", new_id().replace('-', ""), new_id().replace('-', ""));
        let ttl_ms = client.access_token_ttl_in_ms;
        self.access_tokens.insert(
            token.clone(),
            AccessTokenRecord {
                username: username.into(),
                expires_at_ms: now_ms + i64::try_from(ttl_ms).unwrap_or(i64::MAX / 2),
                role: client
                    .max_role
                    .as_deref()
                    .and_then(Role::parse)
                    .unwrap_or(Role::ReadOnly),
            },
        );
        (token, ttl_ms / 1000)
    }

    pub fn use_access_token(&mut self, token: &str, now_ms: i64) -> Option<Principal> {
        let record = self.access_tokens.get(token)?;
        if record.expires_at_ms <= now_ms {
            self.access_tokens.remove(token);
            return None;
        }
        Some(Principal {
            username: record.username.clone(),
            role: record.role,
        })
    }

    // --- administrators' API tokens -------------------------------------------------------

    pub fn create_api_token(
        &mut self,
        admin: &str,
        timeout_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<AdminApiToken, ApiFault> {
        if !self.is_admin(admin) {
            return Err(ApiFault::bad_request(
                admin,
                "Administrator does not exist.",
            ));
        }
        if timeout_ms.is_some_and(|timeout| timeout <= 0) {
            return Err(ApiFault::bad_request(
                admin,
                "timeout must be a positive number of milliseconds.",
            ));
        }
        self.api_tokens.retain(|_, record| record.admin != admin);
        let token = new_id();
        let record = ApiTokenRecord {
            admin: admin.into(),
            created_at: now_ms,
            expires_at: timeout_ms.map(|timeout| now_ms + timeout),
        };
        self.api_tokens.insert(token.clone(), record.clone());
        Ok(api_token_view(&record, Some(token)))
    }

    /// Lists API tokens; only the caller's own token is ever exposed, and only when asked.
    /// The administrators as `GET /admins` lists them: every one is a local array admin here;
    /// a token is shown only to its owner, and only when asked for.
    pub fn admins(&self, caller: &str, expose: bool) -> Vec<Admin> {
        self.admins
            .iter()
            .map(|admin| Admin {
                name: admin.name.clone(),
                is_local: Some(true),
                locked: Some(false),
                role: Some(Reference {
                    id: None,
                    name: Some(Role::ArrayAdmin.name().to_owned()),
                }),
                api_token: self
                    .api_tokens
                    .iter()
                    .find(|(_, record)| record.admin == admin.name)
                    .map(|(token, record)| {
                        let shown = (expose && admin.name == caller).then(|| token.clone());
                        api_token_view(record, shown).api_token
                    }),
            })
            .collect()
    }

    pub fn api_tokens(&self, caller: &str, expose: bool) -> Vec<AdminApiToken> {
        let mut tokens: Vec<AdminApiToken> = self
            .api_tokens
            .iter()
            .map(|(token, record)| {
                let shown = (expose && record.admin == caller).then(|| token.clone());
                api_token_view(record, shown)
            })
            .collect();
        tokens.sort_by(|a, b| a.name.cmp(&b.name));
        tokens
    }

    // --- API clients ----------------------------------------------------------------------

    pub fn api_client_by_key_id(&self, key_id: &str) -> Option<&ApiClient> {
        self.api_clients
            .iter()
            .find(|client| client.key_id == key_id)
    }

    pub fn api_clients(&self) -> Vec<ApiClient> {
        self.api_clients.clone()
    }

    pub fn create_api_client(
        &mut self,
        name: &str,
        post: ApiClientPost,
    ) -> Result<ApiClient, ApiFault> {
        validate_object_name("API client", name)
            .map_err(|message| ApiFault::bad_request(name, message))?;
        if self
            .api_clients
            .iter()
            .any(|client| client.name.eq_ignore_ascii_case(name))
        {
            return Err(ApiFault::bad_request(name, "API client already exists."));
        }
        if jsonwebtoken::DecodingKey::from_rsa_pem(post.public_key.as_bytes()).is_err() {
            return Err(ApiFault::bad_request(
                name,
                "Invalid public key: expected an RSA public key in PEM format.",
            ));
        }
        if post.issuer.trim().is_empty() {
            return Err(ApiFault::bad_request(name, "issuer is required."));
        }
        if Role::parse(&post.max_role).is_none() {
            return Err(ApiFault::bad_request(
                name,
                format!(
                    "Invalid max_role '{}': use readonly, ops_admin, storage_admin or array_admin.",
                    post.max_role
                ),
            ));
        }
        let client = ApiClient {
            id: new_id(),
            name: name.into(),
            issuer: post.issuer,
            key_id: new_id(),
            public_key: post.public_key,
            enabled: false,
            max_role: Some(post.max_role),
            access_token_ttl_in_ms: post
                .access_token_ttl_in_ms
                .unwrap_or(DEFAULT_ACCESS_TOKEN_TTL_MS),
        };
        self.api_clients.push(client.clone());
        Ok(client)
    }

    pub fn set_api_client_enabled(
        &mut self,
        name: &str,
        enabled: bool,
    ) -> Result<ApiClient, ApiFault> {
        let client = self
            .api_clients
            .iter_mut()
            .find(|client| client.name == name)
            .ok_or_else(|| ApiFault::bad_request(name, "API client does not exist."))?;
        client.enabled = enabled;
        Ok(client.clone())
    }

    // --- volumes --------------------------------------------------------------------------

    pub fn volumes(&self) -> &[Volume] {
        &self.volumes
    }

    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.iter().find(|volume| volume.name == name)
    }

    /// Creates volumes all-or-nothing: every name is checked before any is created.
    pub fn create_volumes(
        &mut self,
        user: &str,
        names: &[String],
        provisioned: u64,
        now_ms: i64,
    ) -> Result<Vec<Volume>, ApiFault> {
        // Names are unique ignoring case; one set keeps large batches on large arrays linear.
        let mut taken: HashSet<String> = self
            .volumes
            .iter()
            .map(|volume| volume.name.to_ascii_lowercase())
            .collect();
        for name in names {
            validate_volume_name(name).map_err(|message| ApiFault::bad_request(name, message))?;
            self.check_writable(name)?;
            if !taken.insert(name.to_ascii_lowercase()) {
                return Err(ApiFault::bad_request(name, "Volume already exists."));
            }
            check_provisioned(name, provisioned)?;
        }
        let created: Vec<Volume> = names
            .iter()
            .map(|name| self.new_volume(name, provisioned, 0, now_ms))
            .collect();
        self.volumes.extend(created.iter().cloned());
        let arguments = format!("{} --size {}", names.join(" "), cli_size(provisioned));
        self.audit(user, "purevol", "create", arguments, now_ms);
        Ok(created)
    }

    /// Takes the snapshots schedules say are due, eradicates destroyed objects whose delay
    /// has run out, and brings the others' `time_remaining` up to `now_ms`.
    pub fn sweep(&mut self, now_ms: i64) {
        self.run_schedules(now_ms);
        self.sweep_pods(now_ms);
        if self.destroyed_at.is_empty() {
            return;
        }
        let destroyed_at = &self.destroyed_at;
        let kept = self.kept_by_safemode();
        let delays = self.eradication;
        let remaining = |id: &str| {
            let delay = if kept.contains(id) {
                delays.disabled_ms
            } else {
                delays.enabled_ms
            };
            destroyed_at.get(id).map(|at| (at + delay - now_ms).max(0))
        };
        let keep = |time_remaining: &mut Option<i64>, id: &str| match remaining(id) {
            Some(left) => {
                *time_remaining = Some(left);
                left > 0
            }
            None => true,
        };
        self.volumes
            .retain_mut(|volume| keep(&mut volume.time_remaining, &volume.id));
        self.protection_groups
            .retain_mut(|record| keep(&mut record.group.time_remaining, &record.group.id));
        self.group_snapshots
            .retain_mut(|record| keep(&mut record.snapshot.time_remaining, &record.snapshot.id));
        self.snapshots.retain_mut(|record| {
            let id = record
                .group_snapshot_id
                .as_deref()
                .unwrap_or(&record.snapshot.id);
            keep(&mut record.snapshot.time_remaining, id)
        });
        self.forget_eradicated();
    }

    /// The ids of group snapshots SafeMode keeps: those of groups with a locked retention.
    fn kept_by_safemode(&self) -> std::collections::HashSet<String> {
        let locked: Vec<&str> = self
            .protection_groups
            .iter()
            .filter(|record| record.group.retention_lock.as_deref() == Some(RATCHETED))
            .map(|record| record.group.id.as_str())
            .collect();
        self.group_snapshots
            .iter()
            .filter(|record| locked.contains(&record.group_id.as_str()))
            .map(|record| record.snapshot.id.clone())
            .collect()
    }

    /// After objects were eradicated: drops what depended on them (a volume's own snapshots,
    /// a group's snapshots, memberships) and their pending-eradication timers.
    pub(crate) fn forget_eradicated(&mut self) {
        let groups: HashSet<String> = self
            .protection_groups
            .iter()
            .map(|record| record.group.id.clone())
            .collect();
        self.group_snapshots.retain(|record| {
            groups.contains(&record.group_id) || is_replica_group(&record.group_id)
        });
        let group_snapshots: HashSet<String> = self
            .group_snapshots
            .iter()
            .map(|record| record.snapshot.id.clone())
            .collect();
        let volumes: HashSet<String> = self
            .volumes
            .iter()
            .map(|volume| volume.id.clone())
            .collect();
        self.snapshots
            .retain(|record| match &record.group_snapshot_id {
                Some(id) => group_snapshots.contains(id),
                None => volumes.contains(&record.volume_id),
            });
        let snapshots: HashSet<&str> = self
            .snapshots
            .iter()
            .map(|record| record.snapshot.id.as_str())
            .collect();
        let pods: HashSet<String> = self.pods.iter().filter_map(|pod| pod.id.clone()).collect();
        self.destroyed_at.retain(|id, _| {
            pods.contains(id)
                || volumes.contains(id)
                || groups.contains(id)
                || group_snapshots.contains(id)
                || snapshots.contains(id.as_str())
        });
        self.suffix_counters
            .retain(|id, _| volumes.contains(id) || groups.contains(id));
        self.follow_member_changes(None);
        self.refresh_snapshot_space();
    }

    /// Applies a `PATCH /volumes` to each named volume, all or nothing.
    pub fn patch_volumes(
        &mut self,
        user: &str,
        names: &[String],
        patch: &VolumePatch,
        truncate: bool,
        now_ms: i64,
    ) -> Result<Vec<Volume>, ApiFault> {
        if names.len() > 1 && patch.name.is_some() {
            return Err(ApiFault::invalid("Rename one volume at a time."));
        }
        let mut changed = Vec::new();
        for name in names {
            let index = self.volume_index(name)?;
            self.check_writable(name)?;
            let mut volume = self.volumes[index].clone();
            self.apply_patch(&mut volume, patch, truncate)?;
            changed.push((index, volume));
        }
        for (index, volume) in &changed {
            let before = self.volumes[*index].clone();
            match patch.destroyed {
                Some(true) if !before.destroyed => {
                    self.destroyed_at.insert(volume.id.clone(), now_ms);
                    self.follow_volume_destruction(&volume.id, true, now_ms);
                }
                Some(false) if before.destroyed => {
                    self.destroyed_at.remove(&volume.id);
                    self.follow_volume_destruction(&volume.id, false, now_ms);
                }
                _ => {}
            }
            if before.name != volume.name {
                self.follow_volume_rename(&volume.id, &volume.name);
            }
            self.volumes[*index] = volume.clone();
        }
        self.sweep(now_ms);
        let arguments = format!("{} {}", names.join(" "), describe_patch(patch, truncate));
        self.audit(user, "purevol", "setattr", arguments, now_ms);
        Ok(changed.into_iter().map(|(_, volume)| volume).collect())
    }

    pub(crate) fn volume_index(&self, name: &str) -> Result<usize, ApiFault> {
        collection::position(&self.volumes, name)
    }

    /// Checks a patch against the array's rules and applies it to a copy of one volume.
    fn apply_patch(
        &self,
        volume: &mut Volume,
        patch: &VolumePatch,
        truncate: bool,
    ) -> Result<(), ApiFault> {
        let name = volume.name.clone();
        let refuse = |message: String| ApiFault::bad_request(name.clone(), message);
        let changes_more_than_destroyed =
            patch.name.is_some() || patch.provisioned.is_some() || patch.qos.is_some();
        if volume.destroyed && patch.destroyed != Some(false) && changes_more_than_destroyed {
            return Err(refuse(
                "Volume has been destroyed. Recover it first.".into(),
            ));
        }
        if let Some(new_name) = &patch.name {
            validate_volume_name(new_name)
                .map_err(|message| ApiFault::bad_request(new_name, message))?;
            if pod_of(new_name) != pod_of(&name) {
                return Err(ApiFault::bad_request(
                    new_name,
                    "A rename keeps a volume in its pod: move it between pods instead.",
                ));
            }
            let taken = self
                .volumes
                .iter()
                .any(|other| other.id != volume.id && other.name.eq_ignore_ascii_case(new_name));
            if taken {
                return Err(ApiFault::bad_request(new_name, "Volume already exists."));
            }
            volume.name = new_name.clone();
        }
        if let Some(provisioned) = patch.provisioned {
            check_provisioned(&name, provisioned)?;
            if provisioned < volume.provisioned && !truncate {
                return Err(refuse(format!(
                    "Implicit truncation not permitted: shrinking from {} to {} needs truncate=true.",
                    format_size(volume.provisioned),
                    format_size(provisioned)
                )));
            }
            volume.provisioned = provisioned;
            let written = volume.space.virtual_.unwrap_or(0);
            set_written(volume, written);
        }
        if let Some(qos) = &patch.qos {
            apply_qos(&mut volume.qos, qos).map_err(refuse)?;
        }
        match patch.destroyed {
            Some(true) if !volume.destroyed => {
                if volume.connection_count > 0 {
                    return Err(refuse(format!(
                        "Volume has {} connection(s). Disconnect it from its hosts first.",
                        volume.connection_count
                    )));
                }
                volume.destroyed = true;
                volume.time_remaining = Some(self.eradication_delay_ms());
            }
            Some(false) if volume.destroyed => {
                volume.destroyed = false;
                volume.time_remaining = None;
            }
            _ => {}
        }
        Ok(())
    }

    /// `DELETE /volumes`: eradicates destroyed volumes, all or nothing.
    pub fn eradicate_volumes(
        &mut self,
        user: &str,
        names: &[String],
        now_ms: i64,
    ) -> Result<(), ApiFault> {
        for name in names {
            self.check_writable(name)?;
        }
        collection::eradicate(&mut self.volumes, names)?;
        self.forget_eradicated();
        self.audit(user, "purevol", "eradicate", names.join(" "), now_ms);
        Ok(())
    }

    /// Adds a volume holding `written` bytes of data, for seeding.
    pub fn insert_volume(&mut self, name: &str, provisioned: u64, written: u64, created_ms: i64) {
        let volume = self.new_volume(name, provisioned, written, created_ms);
        self.volumes.push(volume);
    }

    /// A serial number for a new volume or snapshot: the array's prefix, then a counter.
    pub(crate) fn serial(&mut self) -> String {
        self.next_serial += 1;
        format!("{}{:016X}", self.serial_prefix, self.next_serial)
    }

    pub(crate) fn new_volume(
        &mut self,
        name: &str,
        provisioned: u64,
        written: u64,
        created_ms: i64,
    ) -> Volume {
        // Data reduction on real arrays sits around 3–5:1; derive it from the name so it is
        // stable across runs.
        let reduction = 3.0 + f64::from(name.bytes().map(u32::from).sum::<u32>() % 20) / 10.0;
        let unique = (written as f64 / reduction) as u64;
        // Total reduction is what the hosts see over what is stored: provisioned over physical.
        let (data_reduction, total_reduction) = if written == 0 {
            (1.0, 1.0)
        } else {
            (reduction, ratio(provisioned, unique))
        };
        Volume {
            id: new_id(),
            name: name.into(),
            serial: self.serial(),
            created: created_ms,
            destroyed: false,
            provisioned,
            connection_count: 0,
            subtype: Some("regular".into()),
            time_remaining: None,
            source: None,
            pod: pod_of(name).map(collection::reference),
            qos: Qos::default(),
            space: Space {
                data_reduction: Some(data_reduction),
                thin_provisioning: Some(1.0 - ratio_of(written, provisioned)),
                total_reduction: Some(total_reduction),
                unique: Some(unique),
                snapshots: Some(0),
                shared: Some(0),
                system: Some(0),
                total_physical: Some(unique),
                total_provisioned: Some(provisioned),
                used_provisioned: Some(written),
                virtual_: Some(written),
            },
        }
    }
}

pub(crate) fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn ratio_of(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Sets how much of a volume is written, keeping its space figures consistent.
pub(crate) fn set_written(volume: &mut Volume, written: u64) {
    let written = written.min(volume.provisioned);
    let reduction = volume.space.data_reduction.unwrap_or(1.0).max(1.0);
    let unique = (written as f64 / reduction) as u64;
    volume.space.virtual_ = Some(written);
    volume.space.used_provisioned = Some(written);
    volume.space.total_provisioned = Some(volume.provisioned);
    volume.space.unique = Some(unique);
    volume.space.thin_provisioning = Some(if volume.provisioned == 0 {
        0.0
    } else {
        1.0 - written as f64 / volume.provisioned as f64
    });
}

pub(crate) fn check_provisioned(name: &str, provisioned: u64) -> Result<(), ApiFault> {
    if !provisioned.is_multiple_of(SECTOR_SIZE) {
        return Err(ApiFault::bad_request(
            name,
            format!("Volume size {provisioned} is not a multiple of {SECTOR_SIZE} bytes."),
        ));
    }
    if !(MIN_VOLUME_SIZE..=MAX_VOLUME_SIZE).contains(&provisioned) {
        return Err(ApiFault::bad_request(
            name,
            format!(
                "Volume size {} is out of range: volumes are {} to {}.",
                format_size(provisioned),
                format_size(MIB),
                format_size(MAX_VOLUME_SIZE)
            ),
        ));
    }
    Ok(())
}

/// A size as the Purity CLI writes it in the audit trail: `5G`, `500M`.
fn cli_size(bytes: u64) -> String {
    format_size(bytes).replace(' ', "")
}

fn apply_qos(qos: &mut Qos, patch: &QosPatch) -> Result<(), String> {
    fn limit(
        patch: Option<&LimitPatch>,
        current: Option<u64>,
        range: &std::ops::RangeInclusive<u64>,
        what: &str,
    ) -> Result<Option<u64>, String> {
        match patch {
            None => Ok(current),
            Some(LimitPatch::Unset(text)) if text.is_empty() => Ok(None),
            Some(LimitPatch::Unset(text)) => Err(format!(
                "Invalid {what} {text:?}: give a number, or \"\" to remove the limit."
            )),
            Some(LimitPatch::Limit(value)) if range.contains(value) => Ok(Some(*value)),
            Some(LimitPatch::Limit(value)) => Err(format!(
                "Invalid {what} {value}: it must be between {} and {}.",
                range.start(),
                range.end()
            )),
        }
    }
    qos.bandwidth_limit = limit(
        patch.bandwidth_limit.as_ref(),
        qos.bandwidth_limit,
        &BANDWIDTH_LIMITS,
        "bandwidth_limit",
    )?;
    qos.iops_limit = limit(
        patch.iops_limit.as_ref(),
        qos.iops_limit,
        &IOPS_LIMITS,
        "iops_limit",
    )?;
    Ok(())
}

/// The patch as a CLI-like argument list, for the audit trail.
fn describe_patch(patch: &VolumePatch, truncate: bool) -> String {
    let mut parts = Vec::new();
    if let Some(name) = &patch.name {
        parts.push(format!("--name {name}"));
    }
    if let Some(provisioned) = patch.provisioned {
        parts.push(format!("--size {}", cli_size(provisioned)));
    }
    if truncate {
        parts.push("--truncate".to_owned());
    }
    if let Some(destroyed) = patch.destroyed {
        parts.push(if destroyed { "--destroy" } else { "--recover" }.to_owned());
    }
    if patch.qos.is_some() {
        parts.push("--qos".to_owned());
    }
    parts.join(" ")
}

fn api_token_view(record: &ApiTokenRecord, token: Option<String>) -> AdminApiToken {
    AdminApiToken {
        name: record.admin.clone(),
        api_token: ApiTokenDetails {
            created_at: record.created_at,
            expires_at: record.expires_at,
            token,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::size::GIB;

    #[test]
    fn volume_names_are_unique_ignoring_case_and_creation_is_all_or_nothing() {
        let mut array = ArrayState::new("fa");
        array
            .create_volumes(ADMIN_USERNAME, &["vol1".into()], GIB, 0)
            .expect("created");
        let refused = array
            .create_volumes(ADMIN_USERNAME, &["vol2".into(), "VOL1".into()], GIB, 0)
            .unwrap_err();
        assert_eq!(refused.context.as_deref(), Some("VOL1"));
        assert_eq!(refused.message, "Volume already exists.");
        assert!(
            array.volume("vol2").is_none(),
            "vol2 was created although the request failed"
        );
    }

    #[test]
    fn refuses_sizes_the_array_refuses() {
        let mut array = ArrayState::new("fa");
        assert!(
            array
                .create_volumes(ADMIN_USERNAME, &["a".into()], 1000, 0)
                .unwrap_err()
                .message
                .contains("multiple of 512")
        );
        assert!(
            array
                .create_volumes(ADMIN_USERNAME, &["a".into()], 512, 0)
                .unwrap_err()
                .message
                .contains("out of range")
        );
        assert!(array.volumes().is_empty());
    }

    #[test]
    fn serials_are_unique_24_hex_digits() {
        let mut array = ArrayState::new("fa");
        let created = array
            .create_volumes(ADMIN_USERNAME, &["a".into(), "b".into()], GIB, 0)
            .expect("created");
        assert_eq!(created[0].serial.len(), 24);
        assert!(created[0].serial.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(created[0].serial, created[1].serial);
    }

    #[test]
    fn sessions_expire_when_idle() {
        let mut array = ArrayState::new("fa");
        let token = array.open_session(ADMIN_USERNAME, 0);
        assert!(array.use_session(&token, SESSION_IDLE_TIMEOUT_MS).is_some());
        assert!(
            array
                .use_session(&token, 2 * SESSION_IDLE_TIMEOUT_MS + 1)
                .is_none()
        );
    }

    #[test]
    fn only_the_callers_own_api_token_is_exposed() {
        let mut array = ArrayState::new("fa");
        array
            .create_api_token(ADMIN_USERNAME, None, 0)
            .expect("created");
        assert!(
            array.api_tokens("someone-else", true)[0]
                .api_token
                .token
                .is_none()
        );
        assert!(
            array.api_tokens(ADMIN_USERNAME, false)[0]
                .api_token
                .token
                .is_none()
        );
        assert!(
            array.api_tokens(ADMIN_USERNAME, true)[0]
                .api_token
                .token
                .is_some()
        );
    }
}
