//! Pods and ActiveDR through the portal: each pod with its volumes counted and its links, a
//! pod made, and a pod linked in one step to another array the portal manages (the target
//! pod made and demoted there when it does not exist yet).

use serde::{Deserialize, Serialize};

use super::{ApiError, ReplicationHealth};
use crate::flasharray::{Pod, PodReplicaLink};

/// ActiveDR lag beyond this is a warning. ActiveDR keeps a target seconds behind; a minute
/// means the link is struggling.
pub const POD_LAG_WARNING_MS: i64 = 60 * 1000;
/// ActiveDR lag beyond this breaches what continuous replication promises.
pub const POD_LAG_BREACH_MS: i64 = 5 * 60 * 1000;

/// `GET /api/arrays/{array}/pods`: one pod, how many volumes it holds and its links.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PodDetail {
    pub pod: Pod,
    pub volume_count: u32,
    pub links: Vec<PodReplicaLink>,
}

/// `POST /api/arrays/{array}/pods`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePodRequest {
    pub name: String,
}

/// `POST /api/arrays/{array}/pods/{pod}/links`: the pod replicates to `remote_pod` on
/// `remote`, another array the portal manages and `array` is connected to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkPodRequest {
    /// The other array, by the name the portal knows it by.
    pub remote: String,
    /// The pod there; made and demoted when it does not exist.
    pub remote_pod: String,
}

/// `POST /api/arrays/{array}/pods/{pod}/stretch` and `…/unstretch`: the other array, by the
/// name the portal knows it by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StretchPodRequest {
    pub remote: String,
}

/// One pod stretched over arrays (ActiveCluster), as the fleet's DR page lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StretchedPod {
    /// An array that reported it, by the name the portal knows it by.
    pub array: String,
    pub pod: String,
    /// Each array it is on, with its status and whether it reaches the mediator.
    pub arrays: Vec<crate::flasharray::PodArrayStatus>,
    pub mediator: Option<String>,
    pub health: ReplicationHealth,
}

/// Judges a stretched pod: a breach when an array holding it is offline, a warning when one
/// cannot reach the mediator (a further failure would take the pod offline).
pub fn judge_stretched_pod(arrays: &[crate::flasharray::PodArrayStatus]) -> ReplicationHealth {
    if arrays
        .iter()
        .any(|array| array.status.as_deref() != Some("online"))
    {
        ReplicationHealth::Breach
    } else if arrays.iter().any(|array| {
        array
            .mediator_status
            .as_deref()
            .is_some_and(|status| status != "online")
    }) {
        ReplicationHealth::Warning
    } else {
        ReplicationHealth::Ok
    }
}

/// Checks a stretch request: another array.
pub fn validate_stretch_pod(
    array: &str,
    request: &StretchPodRequest,
) -> Result<StretchPodRequest, ApiError> {
    let remote = request.remote.trim();
    if remote.is_empty() {
        return Err(ApiError::for_field(
            "remote",
            "Choose the array to stretch the pod to.",
        ));
    }
    if remote == array {
        return Err(ApiError::for_field(
            "remote",
            format!("A pod on {array} is stretched to another array: choose another."),
        ));
    }
    Ok(StretchPodRequest {
        remote: remote.to_owned(),
    })
}

/// `GET /api/arrays/{array}/pods/{pod}/lag`: how far behind the pod's link has been over the
/// last hour, per sample.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PodLagHistory {
    pub start_time: i64,
    pub end_time: i64,
    pub points: Vec<LagPoint>,
}

/// The lag over one sample, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LagPoint {
    pub time: i64,
    pub avg_ms: i64,
    pub max_ms: i64,
}

/// One ActiveDR link as the fleet's DR page lists it, judged on its lag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PodLinkRelationship {
    /// The array that reported the link, by the name the portal knows it by.
    pub array: String,
    pub pod: String,
    /// `outbound` when `array` sends, `inbound` when it receives.
    pub direction: String,
    /// The other array, as `array` names it.
    pub remote: String,
    pub remote_pod: String,
    /// The array's word for the link: `replicating`, `baselining`, `paused`, `unhealthy`…
    pub status: String,
    pub lag_ms: Option<i64>,
    pub recovery_point: Option<i64>,
    pub health: ReplicationHealth,
}

/// Checks a pod's name as arrays take it.
pub fn validate_create_pod(request: &CreatePodRequest) -> Result<CreatePodRequest, ApiError> {
    let name = request.name.trim();
    crate::names::validate_object_name("Pod", name)
        .map_err(|message| ApiError::for_field("name", message))?;
    Ok(CreatePodRequest {
        name: name.to_owned(),
    })
}

/// Checks a link request: another array, and a pod name arrays take.
pub fn validate_link_pod(
    array: &str,
    request: &LinkPodRequest,
) -> Result<LinkPodRequest, ApiError> {
    let remote = request.remote.trim();
    if remote.is_empty() {
        return Err(ApiError::for_field(
            "remote",
            "Choose the array to replicate the pod to.",
        ));
    }
    if remote == array {
        return Err(ApiError::for_field(
            "remote",
            format!("A pod on {array} replicates to another array: choose another."),
        ));
    }
    let remote_pod = request.remote_pod.trim();
    crate::names::validate_object_name("Pod", remote_pod)
        .map_err(|message| ApiError::for_field("remote_pod", message))?;
    Ok(LinkPodRequest {
        remote: remote.to_owned(),
        remote_pod: remote_pod.to_owned(),
    })
}

/// Judges an ActiveDR link on what its array says of it: its status first, then its lag
/// against [`POD_LAG_WARNING_MS`] and [`POD_LAG_BREACH_MS`].
pub fn judge_pod_link(link: &PodReplicaLink) -> ReplicationHealth {
    match link.status.as_deref() {
        Some("baselining") => ReplicationHealth::Baselining,
        Some("paused") => ReplicationHealth::Paused,
        Some("unhealthy") => ReplicationHealth::Breach,
        // The source is demoted: everything it wrote has crossed, or is crossing.
        Some("quiescing" | "quiesced" | "idle") => ReplicationHealth::Ok,
        Some(_) => match link.lag {
            Some(lag) if lag > POD_LAG_BREACH_MS => ReplicationHealth::Breach,
            Some(lag) if lag > POD_LAG_WARNING_MS => ReplicationHealth::Warning,
            Some(_) => ReplicationHealth::Ok,
            None => ReplicationHealth::Unknown,
        },
        None => ReplicationHealth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(status: &str, lag: Option<i64>) -> PodReplicaLink {
        PodReplicaLink {
            status: Some(status.to_owned()),
            lag,
            ..PodReplicaLink::default()
        }
    }

    #[test]
    fn a_link_is_judged_by_its_status_then_its_lag() {
        assert_eq!(
            judge_pod_link(&link("replicating", Some(2_000))),
            ReplicationHealth::Ok
        );
        assert_eq!(
            judge_pod_link(&link("replicating", Some(2 * 60_000))),
            ReplicationHealth::Warning
        );
        assert_eq!(
            judge_pod_link(&link("replicating", Some(6 * 60_000))),
            ReplicationHealth::Breach
        );
        assert_eq!(
            judge_pod_link(&link("baselining", None)),
            ReplicationHealth::Baselining
        );
        assert_eq!(
            judge_pod_link(&link("paused", Some(6 * 60_000))),
            ReplicationHealth::Paused
        );
        assert_eq!(
            judge_pod_link(&link("unhealthy", Some(1))),
            ReplicationHealth::Breach
        );
        assert_eq!(
            judge_pod_link(&PodReplicaLink::default()),
            ReplicationHealth::Unknown
        );
    }

    #[test]
    fn a_stretched_pod_is_judged_by_its_arrays_and_their_mediator() {
        let array = |status: &str, mediator: &str| crate::flasharray::PodArrayStatus {
            status: Some(status.to_owned()),
            mediator_status: Some(mediator.to_owned()),
            ..Default::default()
        };
        let online = array("online", "online");
        assert_eq!(
            judge_stretched_pod(&[online.clone(), online.clone()]),
            ReplicationHealth::Ok
        );
        assert_eq!(
            judge_stretched_pod(&[online.clone(), array("online", "unreachable")]),
            ReplicationHealth::Warning
        );
        assert_eq!(
            judge_stretched_pod(&[online, array("offline", "online")]),
            ReplicationHealth::Breach
        );
    }

    #[test]
    fn a_link_needs_another_array_and_a_pod_name() {
        let request = |remote: &str, pod: &str| LinkPodRequest {
            remote: remote.to_owned(),
            remote_pod: pod.to_owned(),
        };
        let field = |result: Result<LinkPodRequest, ApiError>| result.unwrap_err().field;
        assert_eq!(
            field(validate_link_pod("fa-a", &request("", "dr"))).as_deref(),
            Some("remote")
        );
        assert_eq!(
            field(validate_link_pod("fa-a", &request("fa-a", "dr"))).as_deref(),
            Some("remote")
        );
        assert_eq!(
            field(validate_link_pod("fa-a", &request("fa-b", "d r"))).as_deref(),
            Some("remote_pod")
        );
        assert!(validate_link_pod("fa-a", &request(" fa-b ", " dr ")).is_ok());
    }
}
