//! FlashArray REST 2.x models, as the REST 2.52 OpenAPI document defines them.
//!
//! Fields an array may omit are `Option` or defaulted so that a client never fails on a
//! response from another Purity release; the simulator serialises the same types.

use serde::{Deserialize, Serialize};

mod containers;
mod hardware;
mod metrics;
mod protection;
mod replication;
mod versions;

pub use containers::{
    DEMOTED, PROMOTED, Pod, PodArrayStatus, PodMember, PodPatch, PodReplicaLink, PodReplicaLinkLag,
    PodReplicaLinkPatch, ReplicaLinkLag, VolumeGroup,
};
pub use hardware::{
    Controller, Drive, EthernetSettings, Eula, EulaSignature, FibreChannelSettings, Hardware,
    NetworkInterface, Port,
};

pub use metrics::{
    ARRAY_PERFORMANCE_RESOLUTIONS, ArraySpace, HistoryWindow, OBJECT_PERFORMANCE_RESOLUTIONS,
    Performance, SPACE_RESOLUTIONS, VolumeSpace,
};
pub use protection::{
    BlackoutPatch, EradicationConfig, ProtectionGroup, ProtectionGroupPatch,
    ProtectionGroupPerformance, ProtectionGroupSnapshot, ProtectionGroupSnapshotPatch,
    ProtectionGroupSnapshotPost, ProtectionGroupSnapshotTransfer, RATCHETED, ReplicationSchedule,
    ReplicationSchedulePatch, RetentionPolicy, RetentionPolicyPatch, SnapshotSchedule,
    SnapshotSchedulePatch, UNLOCKED, VolumeSnapshot, VolumeSnapshotPatch, VolumeSnapshotPost,
};
pub use replication::{
    ASYNC_REPLICATION, ArrayConnection, ArrayConnectionKey, ArrayConnectionPatch,
    ArrayConnectionPost, SYNC_REPLICATION, TargetProtectionGroup, TargetProtectionGroupPatch,
    Throttle, TimeWindow, TypedReference,
};
pub use versions::{LATER_FIELDS, LaterField, RestVersion};

/// Header carrying a REST session after `POST /api/2.x/login`.
pub const AUTH_TOKEN_HEADER: &str = "x-auth-token";
/// Header carrying an API token on `POST /api/2.x/login`.
pub const API_TOKEN_HEADER: &str = "api-token";
/// Header correlating a request with the array's own logs.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Header holding the continuation token of a paged list.
pub const NEXT_TOKEN_HEADER: &str = "x-next-token";

/// `grant_type` of the OAuth 2.0 token exchange.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// `subject_token_type` for an ID token signed by an API client's private key.
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// `issued_token_type` of the access token an array returns.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// `GET /api/api_version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiVersions {
    pub version: Vec<String>,
}

/// One entry of the error envelope `{"errors": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub message: String,
}

/// The error envelope every `/api/2.x` endpoint answers a refusal with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorResponse {
    pub errors: Vec<ErrorItem>,
}

/// The error body of `POST /oauth2/1.0/token`, in OAuth 2.0's own format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthError {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

/// The success body of `POST /oauth2/1.0/token`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OAuthTokenResponse {
    pub access_token: String,
    /// Optional in the spec, like every field here but the token and its lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Seconds, unlike the other durations of the API, which are milliseconds.
    pub expires_in: u64,
}

impl std::fmt::Debug for OAuthTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthTokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// A page of items, as every list endpoint returns it; POST and PATCH return the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListResponse<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_items_remaining: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_item_count: Option<u64>,
    pub items: Vec<T>,
}

impl<T> ListResponse<T> {
    /// A response holding exactly these items and nothing more to fetch.
    pub fn of(items: Vec<T>) -> Self {
        Self {
            continuation_token: None,
            more_items_remaining: Some(false),
            total_item_count: None,
            items,
        }
    }
}

/// The body of a successful login: who the session belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Username {
    pub username: String,
}

/// `POST /api/2.x/login` with a username and password instead of an API token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginPost {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginPost")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A reference to another object by id and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Space figures of a volume or an array, in bytes except for the ratios.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Space {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_reduction: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thin_provisioning: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_reduction: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_physical: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_provisioned: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_provisioned: Option<u64>,
    #[serde(rename = "virtual", default, skip_serializing_if = "Option::is_none")]
    pub virtual_: Option<u64>,
}

/// A volume (`GET /api/2.x/volumes`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Volume {
    pub id: String,
    pub name: String,
    pub serial: String,
    /// Creation time, in milliseconds since the epoch.
    pub created: i64,
    #[serde(default)]
    pub destroyed: bool,
    /// Size as the hosts see it, in bytes.
    pub provisioned: u64,
    #[serde(default)]
    pub connection_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// Milliseconds left before a destroyed volume is eradicated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Reference>,
    /// The pod it lives in, whose name prefixes its own (`POD::VOLUME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<Reference>,
    #[serde(default)]
    pub qos: Qos,
    #[serde(default)]
    pub space: Space,
}

/// A volume's QoS limits; `None` is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Qos {
    /// Bytes per second, 1 MiB/s to 512 GiB/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_limit: Option<u64>,
    /// 100 to 100,000,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops_limit: Option<u64>,
}

/// The body of `PATCH /api/2.x/volumes?names=NAME`: only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumePatch {
    /// Renames the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Resizes it; shrinking also needs the `truncate=true` query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<u64>,
    /// `true` destroys it (pending eradication), `false` recovers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos: Option<QosPatch>,
}

/// New QoS limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QosPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_limit: Option<LimitPatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops_limit: Option<LimitPatch>,
}

/// A QoS limit to set, or `""` to remove it, as the API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum LimitPatch {
    Limit(u64),
    /// Must be the empty string.
    Unset(String),
}

/// The body of `POST /api/2.x/volumes`; the name travels in the `names` query parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumePost {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<u64>,
    /// Makes the new volume a copy of this volume or snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Reference>,
}

/// The array itself (`GET /api/2.x/arrays`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Array {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    #[serde(default)]
    pub space: Space,
    /// How long destroyed objects wait before the array eradicates them, and whether they
    /// may be eradicated sooner by hand (SafeMode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eradication_config: Option<ArrayEradicationConfig>,
}

/// An array's eradication delays, in milliseconds: `enabled_delay` for destroyed objects that
/// may be eradicated by hand, `disabled_delay` for those SafeMode keeps (a locked group's
/// snapshots). `manual_eradication` is `all-enabled`, `partially-disabled` or `all-disabled`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ArrayEradicationConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_delay: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled_delay: Option<u64>,
    /// Both delays when they are the same; deprecated by the arrays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eradication_delay: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_eradication: Option<String>,
}

impl ArrayEradicationConfig {
    /// How long a destroyed object that may be eradicated by hand waits, in milliseconds;
    /// releases before REST 2.26 report one delay for everything.
    pub fn enabled_ms(&self) -> Option<u64> {
        self.enabled_delay.or(self.eradication_delay)
    }

    /// How long what SafeMode keeps waits once destroyed, in milliseconds.
    pub fn disabled_ms(&self) -> Option<u64> {
        self.disabled_delay.or(self.eradication_delay)
    }
}

/// The body of `PATCH /api/2.x/arrays`: the eradication delays, the one setting the
/// simulator changes (it refuses the others rather than ignore them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArrayPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eradication_config: Option<ArrayEradicationConfig>,
}

/// An API client registered on the array (`/api/2.x/api-clients`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClient {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub key_id: String,
    pub public_key: String,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_role: Option<String>,
    pub access_token_ttl_in_ms: u64,
}

/// The body of `POST /api/2.x/api-clients?names=NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientPost {
    pub issuer: String,
    pub public_key: String,
    pub max_role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_ttl_in_ms: Option<u64>,
}

/// The body of `PATCH /api/2.x/api-clients?names=NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientPatch {
    pub enabled: bool,
}

/// An administrator (`GET /api/2.x/admins`): its API token is listed without the token itself
/// unless its owner asks with `expose_api_token=true`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Admin {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_local: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
    /// `readonly`, `ops_admin`, `storage_admin` or `array_admin`; later releases say the
    /// same with management access policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_token: Option<ApiTokenDetails>,
}

/// An administrator's API token (`/api/2.x/admins/api-tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminApiToken {
    pub name: String,
    pub api_token: ApiTokenDetails,
}

/// The token itself is only present when `expose_api_token=true` or on creation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenDetails {
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl std::fmt::Debug for ApiTokenDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiTokenDetails")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// CHAP credentials of a host. Arrays never show the secrets back; they answer `****`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Chap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_password: Option<String>,
}

impl std::fmt::Debug for Chap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chap")
            .field("host_user", &self.host_user)
            .field("target_user", &self.target_user)
            .finish_non_exhaustive()
    }
}

/// The host personalities an array accepts besides the default (none), which suits most
/// operating systems.
pub const HOST_PERSONALITIES: &[&str] = &[
    "aix",
    "esxi",
    "hitachi-vsp",
    "hpux",
    "oracle-vm-server",
    "solaris",
    "vms",
];

/// A host: the initiator ports through which one server reaches the array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Host {
    pub name: String,
    #[serde(default)]
    pub iqns: Vec<String>,
    #[serde(default)]
    pub wwns: Vec<String>,
    #[serde(default)]
    pub nqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personality: Option<String>,
    #[serde(default)]
    pub host_group: Reference,
    /// Volumes this host sees, privately or through its host group.
    #[serde(default)]
    pub connection_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chap: Option<Chap>,
}

/// The body of `POST /api/2.x/hosts?names=NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostPost {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wwns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chap: Option<Chap>,
}

/// The body of `PATCH /api/2.x/hosts?names=NAME`: add or remove ports, rename, personality.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_iqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_iqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_wwns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_wwns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_nqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_nqns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personality: Option<String>,
    /// CHAP credentials to set; a field given as `""` is cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chap: Option<Chap>,
}

/// The body of `PATCH /api/2.x/host-groups?names=NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostGroupPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A host group: hosts that see the same volumes at the same LUNs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct HostGroup {
    pub name: String,
    #[serde(default)]
    pub host_count: u32,
    #[serde(default)]
    pub connection_count: u32,
}

/// A membership (`/api/2.x/host-groups/hosts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Membership {
    pub group: Reference,
    pub member: Reference,
}

/// A volume seen by a host or a host group at a LUN (`/api/2.x/connections`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Connection {
    #[serde(default)]
    pub host: Reference,
    #[serde(default)]
    pub host_group: Reference,
    pub lun: u32,
    pub volume: Reference,
}

/// The body of `POST /api/2.x/connections`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionPost {
    /// 1 to 4095; the lowest free one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun: Option<u32>,
}

/// One entry of the array's audit trail (`GET /api/2.x/audits`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Audit {
    pub id: String,
    pub name: String,
    /// Milliseconds since the epoch.
    pub time: i64,
    /// The array user who acted.
    pub user: String,
    pub command: String,
    #[serde(default)]
    pub subcommand: String,
    #[serde(default)]
    pub arguments: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_interface: Option<String>,
}

/// An alert the array raised (`GET /api/2.x/alerts`). Times are milliseconds since the epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Alert {
    pub id: String,
    /// The alert's number, as text.
    pub name: String,
    pub code: i64,
    /// `info`, `warning`, `critical` or `hidden`.
    pub severity: String,
    /// `open`, `closing` or `closed`.
    pub state: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `array`, `hardware` or `software`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_base_url: Option<String>,
    #[serde(default)]
    pub flagged: bool,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub updated: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<i64>,
}

/// The body of `PATCH /api/2.x/alerts`: only `flagged` may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertPatch {
    pub flagged: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_volume_list_as_the_spec_shapes_it() {
        let body = r#"{"continuation_token":null,"more_items_remaining":false,"total_item_count":1,
            "items":[{"id":"a","name":"vol1","serial":"ABC","created":1,"destroyed":false,
            "provisioned":5242880,"connection_count":0,"space":{"data_reduction":1.5,"virtual":10},
            "qos":{},"time_remaining":null}]}"#;
        let page: ListResponse<Volume> = serde_json::from_str(body).expect("decodes");
        assert_eq!(page.total_item_count, Some(1));
        assert_eq!(page.items[0].provisioned, 5 * 1024 * 1024);
        assert_eq!(page.items[0].space.data_reduction, Some(1.5));
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let token = OAuthTokenResponse {
            access_token: "secret-access".into(),
            issued_token_type: Some(ACCESS_TOKEN_TYPE.into()),
            token_type: Some("Bearer".into()),
            expires_in: 10,
        };
        let details = ApiTokenDetails {
            created_at: 0,
            expires_at: None,
            token: Some("secret-api".into()),
        };
        let login = LoginPost {
            username: "pureuser".into(),
            password: "secret-password".into(),
        };
        let printed = format!("{token:?}{details:?}{login:?}");
        assert!(!printed.contains("secret"), "{printed}");
    }
}
