//! What groups volumes on an array besides protection groups: pods (`/api/2.x/pods`), which
//! replicate or stretch their volumes together, and volume groups (`/api/2.x/volume-groups`),
//! which share a QoS limit and a name prefix. Every field but the name is optional, as
//! releases report different ones. A pod's volumes are named `POD::VOLUME`; ActiveDR links a
//! promoted pod to a demoted one on another array (`/api/2.x/pod-replica-links`).

use serde::{Deserialize, Serialize};

use super::Reference;
use super::replication::TypedReference;

/// A pod that accepts writes from hosts.
pub const PROMOTED: &str = "promoted";
/// A pod that refuses writes and takes in what its replica link sends.
pub const DEMOTED: &str = "demoted";

/// A pod (`GET /pods`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Pod {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
    /// Milliseconds until a destroyed pod is eradicated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    /// 1, or 2 when stretched across two arrays (ActiveCluster).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub array_count: Option<u32>,
    /// `promoted`, `demoted` or `promoting`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_status: Option<String>,
    /// What an administrator last asked for: `promoted` or `demoted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_promotion_state: Option<String>,
    /// The arrays it is stretched over (ActiveCluster), each with its state there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrays: Option<Vec<PodArrayStatus>>,
    /// Where the mediator is: `purestorage` for Pure1's cloud mediator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediator: Option<String>,
    /// Replica links that send to this pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_source_count: Option<u32>,
    /// Replica links this pod sends over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target_count: Option<u32>,
}

impl Pod {
    /// Whether hosts may write to it: a pod is promoted unless said otherwise.
    pub fn is_promoted(&self) -> bool {
        self.promotion_status.as_deref() != Some(DEMOTED)
    }

    /// Whether it is stretched over more than one array.
    pub fn is_stretched(&self) -> bool {
        self.arrays.as_ref().is_some_and(|arrays| arrays.len() > 1)
    }
}

/// One array a pod is stretched over, as `Pod.arrays` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PodArrayStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `online`, `offline`, `resyncing`, `suspended` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `online`, `unreachable`, `flummoxed` or `unknown`: whether this array reaches the
    /// mediator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mediator_status: Option<String>,
    /// When the pod went offline here, in milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_elected: Option<bool>,
}

/// A group and one of its members (`GET /pods/arrays`: a pod and an array it is stretched
/// over).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PodMember {
    pub group: Reference,
    pub member: Reference,
}

/// The body of `PATCH /pods`: only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PodPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
    /// `promoted` or `demoted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_promotion_state: Option<String>,
}

/// An ActiveDR link between a pod here and one on another array (`GET /pod-replica-links`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PodReplicaLink {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `outbound` where this array sends, `inbound` where it receives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// How far the target is behind the source, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_pod: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// When the newest replicated data was written on the source, in milliseconds since the
    /// epoch; `None` while baselining.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_pod: Option<Reference>,
    /// The other array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remotes: Option<Vec<TypedReference>>,
    /// `replicating`, `baselining`, `paused`, `quiescing`, `quiesced`, `idle` or `unhealthy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl PodReplicaLink {
    /// The other array's name.
    pub fn remote_array(&self) -> Option<&str> {
        self.remotes.as_deref()?.first()?.name.as_deref()
    }
}

/// The body of `PATCH /pod-replica-links`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PodReplicaLinkPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

/// The lag over one sample of `GET /pod-replica-links/lag`, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReplicaLinkLag {
    pub avg: i64,
    pub max: i64,
}

/// One sample of a link's lag history (`GET /pod-replica-links/lag`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PodReplicaLinkLag {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag: Option<ReplicaLinkLag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_pod: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_pod: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remotes: Option<Vec<TypedReference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Sample time, in milliseconds since the epoch.
    pub time: i64,
}

/// A volume group (`GET /volume-groups`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VolumeGroup {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destroyed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_remaining: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_count: Option<u64>,
}
