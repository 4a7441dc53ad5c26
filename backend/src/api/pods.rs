//! `/api/arrays/{array}/pods`: an array's pods with their volumes counted and their ActiveDR
//! links; pods made, destroyed, recovered, eradicated, promoted and demoted; and a pod linked
//! in one step to another array the portal manages, the target pod made and demoted there
//! when it does not exist yet (and removed again if the link is refused); and a pod stretched
//! over two arrays (ActiveCluster) or unstretched.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::api::{
    CreatePodRequest, LinkPodRequest, PodDetail, StretchPodRequest, validate_create_pod,
    validate_link_pod, validate_stretch_pod,
};
use shared::flasharray::{DEMOTED, PROMOTED, Pod, PodPatch, PodReplicaLink};
use shared::names::{POD_SEPARATOR, validate_object_name};

use flasharray::VolumeQuery;

use super::extract::{self, ApiJson, OnArray, refusal_about};
use crate::error::AppError;
use crate::state::AppState;

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
    let details = pods
        .into_iter()
        .map(|pod| {
            let prefix = format!("{}{POD_SEPARATOR}", pod.name).to_ascii_lowercase();
            let volume_count = volumes
                .iter()
                .filter(|volume| volume.to_ascii_lowercase().starts_with(&prefix))
                .count();
            let links = links
                .iter()
                .filter(|link| {
                    local_pod(link).is_some_and(|name| name.eq_ignore_ascii_case(&pod.name))
                })
                .cloned()
                .collect();
            PodDetail {
                pod,
                volume_count: u32::try_from(volume_count).unwrap_or(u32::MAX),
                links,
            }
        })
        .collect();
    Ok(Json(details))
}

fn local_pod(link: &PodReplicaLink) -> Option<&str> {
    link.local_pod.as_ref()?.name.as_deref()
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
    tracing::info!(user = %on.user.user.username, array = %on.array, pod = %pod.name, "pod created");
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
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, destroyed = change.destroyed, "pod changed");
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
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, %state, "pod promotion changed");
    Ok(Json(changed))
}

/// `DELETE /api/arrays/{array}/pods/{pod}`: eradicates a destroyed pod and the destroyed
/// volumes in it.
pub async fn eradicate(
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.eradicate_pod(&pod).await?;
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, "pod eradicated");
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
    let remote =
        extract::array(&state, &on.user, &request.remote).map_err(|refusal| match refusal {
            AppError::NotFound(message) => {
                AppError::Invalid(shared::api::ApiError::for_field("remote", message))
            }
            other => other,
        })?;
    let on_remote = |error| AppError::Array {
        error,
        field: Some("remote_pod"),
    };
    let remote_name = remote.array().await.map_err(on_remote)?.name;
    validate_object_name("Array", &remote_name).map_err(|_| {
        AppError::BadGateway(format!(
            "{} reports a name no array can have.",
            request.remote
        ))
    })?;
    let exists = remote
        .pods()
        .await
        .map_err(on_remote)?
        .iter()
        .any(|found| found.name.eq_ignore_ascii_case(&request.remote_pod));
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
    tracing::info!(
        user = %on.user.user.username,
        array = %on.array,
        %pod,
        remote = %request.remote,
        remote_pod = %request.remote_pod,
        "pod linked"
    );
    Ok((StatusCode::CREATED, Json(made)))
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

/// The other array's client and the name it gives itself (by which its peer knows it), for
/// a change between two arrays; a `remote` the portal does not know is the field's error.
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
    let name = client
        .array()
        .await
        .map_err(|error| AppError::Array {
            error,
            field: Some("remote"),
        })?
        .name;
    validate_object_name("Array", &name)
        .map_err(|_| AppError::BadGateway(format!("{remote} reports a name no array can have.")))?;
    Ok((client, name))
}

/// `POST /api/arrays/{array}/pods/{pod}/stretch`: the pod is stretched to `remote`
/// (ActiveCluster); the arrays must be connected for sync-replication.
pub async fn stretch(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
    ApiJson(request): ApiJson<StretchPodRequest>,
) -> Result<StatusCode, AppError> {
    let request = validate_stretch_pod(&on.array, &request).map_err(AppError::Invalid)?;
    let (_, remote_name) = other_array(&state, &on, &request.remote).await?;
    on.client
        .stretch_pod(&pod, &remote_name)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&remote_name), "remote"))?;
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, remote = %request.remote, "pod stretched");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/arrays/{array}/pods/{pod}/unstretch`: `remote` leaves the stretched pod,
/// keeping a destroyed `POD.restretch`; `array` keeps the pod.
pub async fn unstretch(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, pod)): Path<(String, String)>,
    ApiJson(request): ApiJson<StretchPodRequest>,
) -> Result<StatusCode, AppError> {
    let request = validate_stretch_pod(&on.array, &request).map_err(AppError::Invalid)?;
    let (_, remote_name) = other_array(&state, &on, &request.remote).await?;
    on.client
        .unstretch_pod(&pod, &remote_name)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&remote_name), "remote"))?;
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, remote = %request.remote, "pod unstretched");
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
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, %remote_pod, paused, "pod link paused or resumed");
    Ok(Json(link))
}

/// `DELETE /api/arrays/{array}/pods/{pod}/links/{remote_pod}`: both arrays forget the link;
/// what reached the target stays there.
pub async fn unlink(
    on: OnArray,
    Path((_, pod, remote_pod)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.unlink_pod(&pod, &remote_pod).await?;
    tracing::info!(user = %on.user.user.username, array = %on.array, %pod, %remote_pod, "pod unlinked");
    Ok(StatusCode::NO_CONTENT)
}
