//! `/api/arrays/{array}/pods`: an array's pods with their volumes counted and their ActiveDR
//! links; pods made, destroyed, recovered, eradicated, promoted and demoted; and a pod linked
//! in one step to another array the portal manages, the target pod made and demoted there
//! when it does not exist yet (and removed again if the link is refused); and a pod stretched
//! over two arrays (ActiveCluster) or unstretched.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use flasharray::VolumeQuery;
use serde::Deserialize;
use shared::api::{
    CreatePodRequest, LagPoint, LinkPodRequest, PodDetail, PodLagHistory, StretchPodRequest,
    validate_create_pod, validate_link_pod, validate_stretch_pod,
};
use shared::flasharray::{DEMOTED, PROMOTED, Pod, PodPatch, PodReplicaLink};
use shared::names::{POD_SEPARATOR, validate_object_name};

use super::extract::{self, ApiJson, OnArray, refusal_about};
use crate::error::AppError;
use crate::state::AppState;

/// The most links shown for one pod.
const MAX_LINKS_PER_POD: usize = 8;

/// `GET /api/arrays/{array}/pods`.
pub async fn list(on: OnArray) -> Result<Json<Vec<PodDetail>>, AppError> {
    let in_pods = VolumeQuery {
        destroyed: Some(false),
        filter: Some(format!("name='*{POD_SEPARATOR}*'")),
        ..VolumeQuery::default()
    };
    let (pods, links, volumes) = tokio::join!(
        on.client.pods(),
        on.client.pod_links(),
        on.client.list_volumes(&in_pods),
    );
    let (pods, links) = (pods?, links?);
    let volumes: Vec<String> = volumes?
        .items
        .into_iter()
        .map(|volume| volume.name)
        .collect();
    let key = |name: &str| name.to_ascii_lowercase();
    let mut volume_counts: HashMap<String, u32> = HashMap::new();
    for volume in &volumes {
        if let Some((pod, _)) = volume.split_once(POD_SEPARATOR) {
            *volume_counts.entry(key(pod)).or_default() += 1;
        }
    }
    let mut links_by_pod: HashMap<String, Vec<PodReplicaLink>> = HashMap::new();
    for link in links {
        if let Some(pod) = local_pod(&link).map(key) {
            let held = links_by_pod.entry(pod).or_default();
            // A pod has a link or two; an array listing more is not believed past a few.
            if held.len() < MAX_LINKS_PER_POD {
                held.push(link);
            }
        }
    }
    let mut seen = HashSet::new();
    let details = pods
        .into_iter()
        .filter(|pod| seen.insert(key(&pod.name)))
        .map(|pod| PodDetail {
            volume_count: volume_counts.get(&key(&pod.name)).copied().unwrap_or(0),
            links: links_by_pod.remove(&key(&pod.name)).unwrap_or_default(),
            pod,
        })
        .collect();
    Ok(Json(details))
}

fn local_pod(link: &PodReplicaLink) -> Option<&str> {
    link.local_pod.as_ref()?.name.as_deref()
}

/// The window of a pod's lag history, and its resolution: the array samples every 30 s.
const LAG_WINDOW_MS: i64 = 60 * 60 * 1000;
const LAG_RESOLUTION_MS: i64 = 30 * 1000;

/// `GET /api/arrays/{array}/pods/{pod}/lag`: how far behind the pod's link has been over the
/// last hour, by the array's clock.
pub async fn lag(
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
) -> Result<Json<PodLagHistory>, AppError> {
    let (space, links) = tokio::join!(on.client.array_space(None), on.client.pod_links());
    let now = space
        .ok()
        .and_then(|space| space.first().map(|space| space.time))
        .unwrap_or_else(crate::clock::unix_now_ms);
    let link = links?
        .into_iter()
        .find(|link| local_pod(link).is_some_and(|name| name.eq_ignore_ascii_case(&pod)))
        .ok_or_else(|| AppError::NotFound(format!("{pod} on {} has no replica link.", on.array)))?;
    let start = now.saturating_sub(LAG_WINDOW_MS);
    let points = on
        .client
        .pod_link_lag(&pod, start, LAG_RESOLUTION_MS)
        .await?
        .into_iter()
        .filter(|sample| sample.id.is_some() && sample.id == link.id)
        .filter_map(|sample| {
            let lag = sample.lag?;
            Some(LagPoint {
                time: sample.time,
                avg_ms: lag.avg.max(0),
                max_ms: lag.max.max(0),
            })
        })
        .collect();
    Ok(Json(PodLagHistory {
        start_time: start,
        end_time: now,
        points,
    }))
}

/// `POST /api/arrays/{array}/pods`.
pub async fn create(
    on: OnArray,
    ApiJson(request): ApiJson<CreatePodRequest>,
) -> Result<(StatusCode, Json<Pod>), AppError> {
    let request = validate_create_pod(&request).map_err(AppError::Invalid)?;
    let pod = on
        .client
        .create_pod(&request.name)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&request.name), "name"))?;
    Ok((StatusCode::CREATED, Json(pod)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PodDestroyedChange {
    destroyed: bool,
}

/// `PATCH /api/arrays/{array}/pods/{pod}`: destroys or recovers it.
pub async fn change(
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
    ApiJson(change): ApiJson<PodDestroyedChange>,
) -> Result<Json<Pod>, AppError> {
    let patch = PodPatch {
        destroyed: Some(change.destroyed),
        ..PodPatch::default()
    };
    let changed = on.client.patch_pod(&pod, &patch).await?;
    Ok(Json(changed))
}

/// `POST /api/arrays/{array}/pods/{pod}/promote`: the pod takes writes from hosts and stops
/// taking in what its link sends.
pub async fn promote(
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
) -> Result<Json<Pod>, AppError> {
    set_promotion(&on, &pod, PROMOTED).await
}

/// `POST /api/arrays/{array}/pods/{pod}/demote`: the pod refuses writes from hosts, and can
/// be a link's target.
pub async fn demote(
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
) -> Result<Json<Pod>, AppError> {
    set_promotion(&on, &pod, DEMOTED).await
}

async fn set_promotion(on: &OnArray, pod: &str, state: &str) -> Result<Json<Pod>, AppError> {
    let patch = PodPatch {
        requested_promotion_state: Some(state.to_owned()),
        ..PodPatch::default()
    };
    let changed = on.client.patch_pod(pod, &patch).await?;
    Ok(Json(changed))
}

/// `DELETE /api/arrays/{array}/pods/{pod}`: eradicates a destroyed pod and the destroyed
/// volumes in it.
pub async fn eradicate(
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.eradicate_pod(&pod).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/arrays/{array}/pods/{pod}/links`: the pod replicates to `remote_pod` on
/// `remote`. The arrays must be connected; the target pod is made and demoted on `remote`
/// when it does not exist, and removed again if the link is refused.
pub async fn link(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
    ApiJson(request): ApiJson<LinkPodRequest>,
) -> Result<(StatusCode, Json<PodReplicaLink>), AppError> {
    let request = validate_link_pod(&on.array, &request).map_err(AppError::Invalid)?;
    let (remote, remote_name) = other_array(&state, &on, &request.remote).await?;
    let on_remote = |error| AppError::Array {
        error,
        field: Some("remote_pod"),
    };
    let exists = remote
        .pods()
        .await
        .map_err(on_remote)?
        .iter()
        .any(|found| found.name.eq_ignore_ascii_case(&request.remote_pod));
    if exists
        && holds_volumes(&remote, &request.remote_pod)
            .await
            .map_err(on_remote)?
    {
        return Err(AppError::Invalid(shared::api::ApiError::for_field(
            "remote_pod",
            format!(
                "{} on {} holds volumes, which the link would replace with this pod's: choose an empty pod or a new name.",
                request.remote_pod, request.remote
            ),
        )));
    }
    if !exists {
        remote
            .create_pod(&request.remote_pod)
            .await
            .map_err(on_remote)?;
        let demote = PodPatch {
            requested_promotion_state: Some(DEMOTED.to_owned()),
            ..PodPatch::default()
        };
        if let Err(error) = remote.patch_pod(&request.remote_pod, &demote).await {
            remove_made_pod(&remote, &request.remote_pod).await;
            return Err(on_remote(error));
        }
    }
    let linked = on
        .client
        .link_pod(&pod, &request.remote_pod, &remote_name)
        .await;
    let made = match linked {
        Ok(made) => made,
        Err(error) => {
            if !exists {
                remove_made_pod(&remote, &request.remote_pod).await;
            }
            return Err(refusal_about(
                error,
                std::slice::from_ref(&request.remote_pod),
                "remote_pod",
            ));
        }
    };
    Ok((StatusCode::CREATED, Json(made)))
}

/// Whether `pod` on `client`'s array holds any volume, destroyed or not.
async fn holds_volumes(
    client: &flasharray::ArrayClient,
    pod: &str,
) -> Result<bool, flasharray::Error> {
    let query = VolumeQuery {
        filter: Some(format!("name='{pod}{POD_SEPARATOR}*'")),
        limit: Some(1),
        ..VolumeQuery::default()
    };
    Ok(!client.list_volumes(&query).await?.items.is_empty())
}

/// Takes back a pod the portal made for a link that did not come to be.
async fn remove_made_pod(remote: &flasharray::ArrayClient, pod: &str) {
    let destroy = PodPatch {
        destroyed: Some(true),
        ..PodPatch::default()
    };
    let removed = match remote.patch_pod(pod, &destroy).await {
        Ok(_) => remote.eradicate_pod(pod).await,
        Err(error) => Err(error),
    };
    if let Err(error) = removed {
        tracing::warn!(%pod, %error, "a pod made for a refused link was left on its array");
    }
}

/// The other array's client and the name `on`'s array knows it by, for a change between two
/// arrays. The connection is matched by the other array's id, not by the name it gives
/// itself, which an array could choose to be another's; a `remote` the portal does not know,
/// or one the arrays are not connected to, is the field's error.
async fn other_array(
    state: &AppState,
    on: &OnArray,
    remote: &str,
) -> Result<(flasharray::ArrayClient, String), AppError> {
    let client = extract::array(state, &on.user, remote).map_err(|refusal| match refusal {
        AppError::NotFound(message) => {
            AppError::Invalid(shared::api::ApiError::for_field("remote", message))
        }
        other => other,
    })?;
    let (identity, connections) = tokio::join!(client.array(), on.client.array_connections());
    let identity = identity.map_err(|error| AppError::Array {
        error,
        field: Some("remote"),
    })?;
    let address = super::replication::management_address(client.url());
    let connected = connections?
        .into_iter()
        .find(|connection| super::replication::leads_to(connection, &identity.id, client.url()))
        .ok_or_else(|| {
            AppError::Invalid(shared::api::ApiError::for_field(
                "remote",
                format!(
                    "{} is not connected to {remote} at {address}: connect them on the Replication tab first.",
                    on.array
                ),
            ))
        })?;
    validate_object_name("Array", &connected.name).map_err(|_| {
        AppError::BadGateway(format!("{} reports a name no array can have.", on.array))
    })?;
    Ok((client, connected.name))
}

/// `POST /api/arrays/{array}/pods/{pod}/stretch`: the pod is stretched to `remote`
/// (ActiveCluster); the arrays must be connected for sync-replication.
pub async fn stretch(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
    ApiJson(request): ApiJson<StretchPodRequest>,
) -> Result<StatusCode, AppError> {
    set_stretch(&state, &on, &pod, &request, true).await
}

/// `POST /api/arrays/{array}/pods/{pod}/unstretch`: `remote` leaves the stretched pod,
/// keeping a destroyed `POD.restretch`; `array` keeps the pod.
pub async fn unstretch(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
    ApiJson(request): ApiJson<StretchPodRequest>,
) -> Result<StatusCode, AppError> {
    set_stretch(&state, &on, &pod, &request, false).await
}

async fn set_stretch(
    state: &AppState,
    on: &OnArray,
    pod: &str,
    request: &StretchPodRequest,
    stretched: bool,
) -> Result<StatusCode, AppError> {
    let request = validate_stretch_pod(&on.array, request).map_err(AppError::Invalid)?;
    let (_, remote_name) = other_array(state, on, &request.remote).await?;
    let changed = if stretched {
        on.client.stretch_pod(pod, &remote_name).await
    } else {
        on.client.unstretch_pod(pod, &remote_name).await
    };
    changed.map_err(|error| refusal_about(error, std::slice::from_ref(&remote_name), "remote"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/arrays/{array}/pods/{pod}/links/{remote_pod}/pause`.
pub async fn pause_link(
    on: OnArray,
    Path((_, pod, remote_pod)): Path<(String, String, String)>,
) -> Result<Json<PodReplicaLink>, AppError> {
    set_paused(&on, &pod, &remote_pod, true).await
}

/// `POST /api/arrays/{array}/pods/{pod}/links/{remote_pod}/resume`.
pub async fn resume_link(
    on: OnArray,
    Path((_, pod, remote_pod)): Path<(String, String, String)>,
) -> Result<Json<PodReplicaLink>, AppError> {
    set_paused(&on, &pod, &remote_pod, false).await
}

async fn set_paused(
    on: &OnArray,
    pod: &str,
    remote_pod: &str,
    paused: bool,
) -> Result<Json<PodReplicaLink>, AppError> {
    let link = on.client.pause_pod_link(pod, remote_pod, paused).await?;
    Ok(Json(link))
}

/// `DELETE /api/arrays/{array}/pods/{pod}/links/{remote_pod}`: both arrays forget the link;
/// what reached the target stays there.
pub async fn unlink(
    on: OnArray,
    Path((_, pod, remote_pod)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.unlink_pod(&pod, &remote_pod).await?;
    Ok(StatusCode::NO_CONTENT)
}
