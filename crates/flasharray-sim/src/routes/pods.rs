//! `/api/2.x/pods` and `/api/2.x/pod-replica-links`: pods made, destroyed, promoted and
//! demoted, and ActiveDR links between a pod here and one on a connected array. A new or
//! deleted link is told to the other array (see `peer`); updates cross in the background
//! (see `replicator`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{Router, get};
use serde::Deserialize;
use shared::flasharray::{
    ListResponse, Pod, PodMember, PodPatch, PodReplicaLink, PodReplicaLinkPatch,
};

use crate::collection::new_id;
use crate::error::ApiFault;
use crate::peer::Undelivered;
use crate::pods::{LAG_SAMPLE_MS, LinkNotice};
use crate::routes::change::Items;
use crate::routes::extract::{
    ApiJson, ApiQuery, Call, OptionalJson, named_in, required_names, single_name, split_names,
};
use crate::routes::list::{ListQuery, list, page};
use crate::simulator::Simulator;
use crate::state::Role;
use crate::stretch::{PodContents, Unstretch};

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/pods",
            get(list_pods)
                .post(create_pods)
                .patch(patch_pods)
                .delete(eradicate_pods),
        )
        .route(
            "/api/{version}/pod-replica-links",
            get(list_links)
                .post(create_link)
                .patch(pause_link)
                .delete(delete_link),
        )
        .route("/api/{version}/pod-replica-links/lag", get(link_lag))
        .route(
            "/api/{version}/pods/arrays",
            get(list_members).post(stretch).delete(unstretch),
        )
}

async fn list_pods(call: Call, ApiQuery(query): ApiQuery<ListQuery>) -> Result<Response, ApiFault> {
    let mut pods = call.lock().pods_view();
    pods.retain(|pod| query.shows(pod.destroyed == Some(true)));
    list(pods, &query, "Pod", |pod| {
        (&pod.name, pod.id.as_deref().unwrap_or_default())
    })
}

#[derive(Debug, Deserialize)]
struct PodsQuery {
    names: Option<String>,
    eradicate_contents: Option<bool>,
}

/// What `POST /pods` may carry; cloning (`source`) and the stretched pods' settings are not
/// simulated, and are refused rather than ignored.
#[derive(Debug, Default, Deserialize)]
struct PodPost {
    source: Option<serde_json::Value>,
    failover_preferences: Option<serde_json::Value>,
}

async fn create_pods(
    call: Call,
    ApiQuery(query): ApiQuery<PodsQuery>,
    OptionalJson(body): OptionalJson<PodPost>,
) -> Items<Pod> {
    if body.source.is_some() || body.failover_preferences.is_some() {
        return Err(ApiFault::invalid(
            "This array does not clone pods or set failover preferences.",
        ));
    }
    call.change(|state, user, now| {
        state.create_pods(user, &required_names(query.names.as_deref())?, now)
    })
}

async fn patch_pods(
    call: Call,
    ApiQuery(query): ApiQuery<PodsQuery>,
    ApiJson(patch): ApiJson<PodPatch>,
) -> Items<Pod> {
    call.change(|state, user, now| {
        state.patch_pods(user, &required_names(query.names.as_deref())?, &patch, now)
    })
}

async fn eradicate_pods(
    call: Call,
    ApiQuery(query): ApiQuery<PodsQuery>,
) -> Result<StatusCode, ApiFault> {
    call.remove(|state, user, now| {
        state.eradicate_pods(
            user,
            &required_names(query.names.as_deref())?,
            query.eradicate_contents.unwrap_or(false),
            now,
        )
    })
}

/// `?local_pod_names=…&remote_pod_names=…&remote_names=…` (or `ids`).
#[derive(Debug, Deserialize)]
struct LinkQuery {
    ids: Option<String>,
    local_pod_names: Option<String>,
    remote_pod_names: Option<String>,
    remote_names: Option<String>,
}

impl LinkQuery {
    fn selects(&self, link: &PodReplicaLink) -> bool {
        let name = |reference: &Option<shared::flasharray::Reference>| {
            reference.as_ref().and_then(|pod| pod.name.clone())
        };
        named_in(
            split_names(self.ids.as_deref()).as_deref(),
            link.id.as_deref(),
        ) && named_in(
            split_names(self.local_pod_names.as_deref()).as_deref(),
            name(&link.local_pod).as_deref(),
        ) && named_in(
            split_names(self.remote_pod_names.as_deref()).as_deref(),
            name(&link.remote_pod).as_deref(),
        ) && named_in(
            split_names(self.remote_names.as_deref()).as_deref(),
            link.remote_array(),
        )
    }

    /// The one link a change names, by id or by its two pods.
    fn one(&self, call: &Call) -> Result<PodReplicaLink, ApiFault> {
        if self.ids.is_none() {
            single_name(self.local_pod_names.as_deref(), "pod in local_pod_names")?;
            single_name(self.remote_pod_names.as_deref(), "pod in remote_pod_names")?;
        }
        let mut found: Vec<PodReplicaLink> = call
            .lock()
            .links_view(call.now())
            .into_iter()
            .filter(|link| self.selects(link))
            .collect();
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(ApiFault::invalid("Pod replica link does not exist.")),
            _ => Err(ApiFault::invalid("Name one pod replica link at a time.")),
        }
    }
}

async fn list_links(
    call: Call,
    ApiQuery(links): ApiQuery<LinkQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut rows = call.lock().links_view(call.now());
    rows.retain(|link| links.selects(link));
    page(rows, &query, "Pod replica link")
}

/// `POST pod-replica-links?local_pod_names=P&remote_pod_names=Q&remote_names=ARRAY`: the
/// other array records the link first, so a link its target refused is never listed.
async fn create_link(call: Call, ApiQuery(query): ApiQuery<LinkQuery>) -> Items<PodReplicaLink> {
    call.require(Role::StorageAdmin)?;
    let local_pod = single_name(query.local_pod_names.as_deref(), "pod in local_pod_names")?;
    let remote_pod = single_name(query.remote_pod_names.as_deref(), "pod in remote_pod_names")?;
    let remote = single_name(query.remote_names.as_deref(), "array in remote_names")?;
    let sim = call.simulator();
    let notice = LinkNotice {
        secret: String::new(),
        source: String::new(),
        link_id: new_id(),
        source_pod: local_pod.clone(),
        target_pod: remote_pod.clone(),
    };
    let (address, notice) = {
        let state = call.lock();
        state.may_link(&local_pod, &remote)?;
        let notice = LinkNotice {
            secret: state.secret_with(&remote),
            source: state.name.clone(),
            ..notice
        };
        (state.address_of(&remote)?, notice)
    };
    if sim.faults.link_down() {
        return Err(ApiFault::bad_request(
            &remote,
            "The replication network is down: the other array cannot be reached.",
        ));
    }
    sim.peers.tell(&address, "pod-links", &notice).await?;
    let now = call.now();
    let made = {
        let mut state = call.lock();
        state.may_link(&local_pod, &remote).map(|()| {
            state.add_outbound_link(
                &notice.link_id,
                &local_pod,
                &remote_pod,
                &remote,
                call.user(),
                now,
            )
        })
    };
    let link = match made {
        Ok(link) => link,
        Err(refusal) => {
            // Changed meanwhile: the target forgets the link again rather than list a stray.
            let _ = sim.peers.tell(&address, "pod-links/remove", &notice).await;
            return Err(refusal);
        }
    };
    Ok(Json(ListResponse::of(vec![link])))
}

/// `PATCH pod-replica-links?…` with `{"paused": …}`, on the array that sends.
async fn pause_link(
    call: Call,
    ApiQuery(query): ApiQuery<LinkQuery>,
    ApiJson(patch): ApiJson<PodReplicaLinkPatch>,
) -> Items<PodReplicaLink> {
    call.require(Role::StorageAdmin)?;
    let paused = patch
        .paused
        .ok_or_else(|| ApiFault::invalid("Missing required parameter: paused."))?;
    let link = query.one(&call)?;
    let now = call.now();
    let changed = call.lock().pause_link(
        link.id.as_deref().unwrap_or_default(),
        paused,
        call.user(),
        now,
    )?;
    Ok(Json(ListResponse::of(vec![changed])))
}

/// `DELETE pod-replica-links?…`: both ends forget the link; an unreachable other end
/// forgets it when it hears again.
async fn delete_link(
    call: Call,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> Result<StatusCode, ApiFault> {
    call.require(Role::StorageAdmin)?;
    let link = query.one(&call)?;
    let id = link.id.clone().unwrap_or_default();
    let remote = link.remote_array().unwrap_or_default().to_owned();
    let now = call.now();
    let (address, notice) = {
        let mut state = call.lock();
        state.drop_link(&id, Some(call.user()), now);
        let notice = LinkNotice {
            secret: state.secret_with(&remote),
            source: state.name.clone(),
            link_id: id,
            source_pod: String::new(),
            target_pod: String::new(),
        };
        (state.address_of(&remote).ok(), notice)
    };
    let sim = call.simulator();
    if let Some(address) = address
        && !sim.faults.link_down()
        && let Err(refusal) = sim.peers.tell(&address, "pod-links/remove", &notice).await
    {
        tracing::info!(message = %refusal.message, "the other array did not hear the link go");
    }
    Ok(StatusCode::OK)
}

/// `?start_time=…&end_time=…&resolution=…`, in milliseconds.
#[derive(Debug, Deserialize)]
struct LagQuery {
    start_time: Option<i64>,
    end_time: Option<i64>,
    resolution: Option<i64>,
}

/// `GET pod-replica-links/lag`: each link's lag over time, at `resolution` (30 s at least).
async fn link_lag(
    call: Call,
    ApiQuery(links): ApiQuery<LinkQuery>,
    ApiQuery(history): ApiQuery<LagQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let now = call.now();
    let resolution = history.resolution.unwrap_or(LAG_SAMPLE_MS);
    if resolution < LAG_SAMPLE_MS {
        return Err(ApiFault::invalid(format!(
            "resolution must be at least {LAG_SAMPLE_MS}."
        )));
    }
    let end = history.end_time.unwrap_or(now);
    let start = history
        .start_time
        .unwrap_or_else(|| end.saturating_sub(60 * 60 * 1000));
    if start < 0 || end < 0 {
        return Err(ApiFault::invalid(
            "start_time and end_time are milliseconds since 1970.",
        ));
    }
    if start > end {
        return Err(ApiFault::invalid("start_time must be before end_time."));
    }
    let state = call.lock();
    let names: Vec<PodReplicaLink> = state
        .links_view(now)
        .into_iter()
        .filter(|link| links.selects(link))
        .collect();
    let mut rows = state.lag_view(start, end, resolution, now);
    rows.retain(|row| names.iter().any(|link| link.id == row.id));
    drop(state);
    page(rows, &query, "Pod replica link")
}

/// `?group_names=POD&member_names=ARRAY`.
#[derive(Debug, Deserialize)]
struct MemberQuery {
    group_names: Option<String>,
    member_names: Option<String>,
}

impl MemberQuery {
    fn pair(&self) -> Result<(String, String), ApiFault> {
        Ok((
            single_name(self.group_names.as_deref(), "pod in group_names")?,
            single_name(self.member_names.as_deref(), "array in member_names")?,
        ))
    }
}

/// `GET pods/arrays`: each pod and each array it is on.
async fn list_members(
    call: Call,
    ApiQuery(members): ApiQuery<MemberQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let groups = split_names(members.group_names.as_deref());
    let arrays = split_names(members.member_names.as_deref());
    let mut rows: Vec<PodMember> = call.lock().pod_members();
    rows.retain(|row| {
        named_in(groups.as_deref(), row.group.name.as_deref())
            && named_in(arrays.as_deref(), row.member.name.as_deref())
    });
    page(rows, &query, "Pod member")
}

/// `POST pods/arrays?group_names=POD&member_names=ARRAY`: stretches the pod to a connected
/// array, which makes it with what it holds here first.
async fn stretch(call: Call, ApiQuery(query): ApiQuery<MemberQuery>) -> Items<PodMember> {
    call.require(Role::StorageAdmin)?;
    let (pod, array) = query.pair()?;
    let sim = call.simulator();
    let (address, contents) = {
        let state = call.lock();
        state.may_stretch(&pod, &array)?;
        let contents = PodContents {
            secret: state.secret_with(&array),
            source: state.name.clone(),
            pod: pod.clone(),
            volumes: state.pod_contents(&pod),
        };
        (state.address_of(&array)?, contents)
    };
    if sim.faults.link_down() {
        return Err(ApiFault::bad_request(
            &array,
            "The replication network is down: the other array cannot be reached.",
        ));
    }
    sim.peers.tell(&address, "pods/stretch", &contents).await?;
    let now = call.now();
    call.lock().stretched_to(&pod, &array, call.user(), now);
    Ok(Json(ListResponse::of(vec![PodMember {
        group: crate::collection::reference(&pod),
        member: crate::collection::reference(&array),
    }])))
}

/// `DELETE pods/arrays?group_names=POD&member_names=ARRAY`: the array named leaves the pod,
/// keeping a destroyed `POD.restretch`; the other keeps the pod.
async fn unstretch(
    call: Call,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Result<StatusCode, ApiFault> {
    call.require(Role::StorageAdmin)?;
    let (pod, array) = query.pair()?;
    let now = call.now();
    let (here, peer) = {
        let state = call.lock();
        let peer = state
            .stretch_peer(&pod)
            .ok_or_else(|| ApiFault::bad_request(&pod, "Pod is not stretched."))?;
        (state.name.clone(), peer)
    };
    let leaving_here = array.eq_ignore_ascii_case(&here);
    if !leaving_here && !array.eq_ignore_ascii_case(&peer) {
        return Err(ApiFault::bad_request(
            &array,
            "Pod is not stretched to this array.",
        ));
    }
    let (address, notice) = {
        let state = call.lock();
        let notice = Unstretch {
            secret: state.secret_with(&peer),
            source: here.clone(),
            pod: pod.clone(),
        };
        (state.address_of(&peer).ok(), notice)
    };
    let sim = call.simulator();
    // The other array hears first: it leaves (or forgets this one) before this one acts.
    if let Some(address) = address
        && !sim.faults.link_down()
    {
        let path = if leaving_here {
            "pods/forget"
        } else {
            "pods/leave"
        };
        match sim.peers.deliver(&address, path, &notice).await {
            Ok(()) => {}
            // It forgets when it hears again; this array goes on, as arrays do.
            Err(Undelivered::Unreachable) => {
                tracing::info!("the other array did not hear of the unstretch");
            }
            Err(Undelivered::Refused(refusal)) => return Err(refusal),
        }
    }
    let mut state = call.lock();
    if leaving_here {
        state.leave_pod(&pod, now)?;
        state.audit(
            call.user(),
            "purepod",
            "remove",
            format!("{pod} --array {here}"),
            now,
        );
    } else {
        state.forget_member(&pod, &peer, call.user(), now);
    }
    Ok(StatusCode::OK)
}
