//! What links arrays for replication: connections between arrays (`/api/2.x/array-connections`)
//! and the key one array hands another to be connected to. Every field but the name is
//! optional, as releases report different ones.

use serde::{Deserialize, Serialize};

/// `type` of a connection made for asynchronous replication (protection groups, ActiveDR).
pub const ASYNC_REPLICATION: &str = "async-replication";
/// `type` of a connection made for synchronous replication (ActiveCluster).
pub const SYNC_REPLICATION: &str = "sync-replication";

/// A connection from this array to another (`GET /array-connections`). `name` and `id` are
/// the other array's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ArrayConnection {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the other array is managed: an address or FQDN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_addresses: Option<Vec<String>>,
    /// `ip` or `fc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_transport: Option<String>,
    /// `connected`, `connecting`, `partially_connected` or `unbalanced`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `async-replication`, `sync-replication` or `fleet-management`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `encrypted` or `unencrypted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_mode: Option<String>,
    /// The other array's operating system and Purity version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<TypedReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Throttle>,
}

/// An object named with the collection it lives in (`resource_type`, such as `remote-arrays`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TypedReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
}

/// How fast replication may send to the other array, in bytes per second: always
/// `default_limit`, and `window_limit` during `window`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Throttle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<TimeWindow>,
}

/// A time of day range, in milliseconds since midnight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TimeWindow {
    pub start: u64,
    pub end: u64,
}

/// The body of `POST /array-connections`: the other array's management address and the
/// connection key it handed out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrayConnectionPost {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_key: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_transport: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
}

/// The body of `PATCH /array-connections?names=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrayConnectionPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle: Option<Throttle>,
    /// Needed to change `encryption`, or `type` from asynchronous to synchronous.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `GET /array-connections/connection-key`: what another array needs to connect to this one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrayConnectionKey {
    pub connection_key: String,
}

/// A protection group's replication target (`GET /protection-groups/targets`): on the source
/// array, each array the group replicates to; on a target, each group replicated to it,
/// named `SOURCE:GROUP`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TargetProtectionGroup {
    pub group: super::Reference,
    pub member: TypedReference,
    /// Whether the target array lets the source replicate the group to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<bool>,
    /// `replicating`, `suspended` or `disallowed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The body of `PATCH /protection-groups/targets`, on the target array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetProtectionGroupPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<bool>,
}
