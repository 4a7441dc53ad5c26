//! What groups volumes on an array besides protection groups: pods (`/api/2.x/pods`), which
//! replicate or stretch their volumes together, and volume groups (`/api/2.x/volume-groups`),
//! which share a QoS limit and a name prefix. Every field but the name is optional, as
//! releases report different ones.

use serde::{Deserialize, Serialize};

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
