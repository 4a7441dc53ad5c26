//! `/api/2.x/protection-groups/targets`: which arrays a protection group replicates to. The
//! source adds and removes targets; the target allows or disallows what it receives. Each
//! change is told to the other array (see `peer`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{Router, get};
use serde::Deserialize;
use shared::flasharray::{ListResponse, TargetProtectionGroup, TargetProtectionGroupPatch};

use crate::error::ApiFault;
use crate::peer::{AllowedNotice, GroupNotice};
use crate::routes::change::Items;
use crate::routes::extract::{ApiJson, ApiQuery, Call, named_in, single_name, split_names};
use crate::routes::list::{ListQuery, page};
use crate::simulator::Simulator;
use crate::state::Role;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new().route(
        "/api/{version}/protection-groups/targets",
        get(list_targets)
            .post(add_target)
            .patch(allow_target)
            .delete(remove_target),
    )
}

/// `?group_names=…&member_names=…`.
#[derive(Debug, Deserialize)]
struct TargetQuery {
    group_names: Option<String>,
    member_names: Option<String>,
}

impl TargetQuery {
    /// The one group and one target array a change names.
    fn pair(&self) -> Result<(String, String), ApiFault> {
        Ok((
            single_name(
                self.group_names.as_deref(),
                "protection group in group_names",
            )?,
            single_name(self.member_names.as_deref(), "array in member_names")?,
        ))
    }
}

/// `GET protection-groups/targets`, optionally for some groups or target arrays.
async fn list_targets(
    call: Call,
    ApiQuery(targets): ApiQuery<TargetQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let groups = split_names(targets.group_names.as_deref());
    let members = split_names(targets.member_names.as_deref());
    let mut rows = call.lock().group_targets();
    rows.retain(|row| {
        named_in(groups.as_deref(), row.group.name.as_deref())
            && named_in(members.as_deref(), row.member.name.as_deref())
    });
    page(rows, &query, "Protection group target")
}

/// `POST protection-groups/targets?group_names=G&member_names=ARRAY`: the connected array
/// learns of the group first, so that a target that cannot hear of it is never listed.
async fn add_target(
    call: Call,
    ApiQuery(query): ApiQuery<TargetQuery>,
) -> Items<TargetProtectionGroup> {
    call.require(Role::StorageAdmin)?;
    let (group, array) = query.pair()?;
    let sim = call.simulator();
    let (address, notice) = {
        let state = call.lock();
        state.may_add_target(&group, &array)?;
        let notice = GroupNotice {
            secret: state.secret_with(&array),
            source: state.name.clone(),
            group: group.clone(),
        };
        (state.address_of(&array)?, notice)
    };
    if sim.faults.link_down() {
        return Err(ApiFault::bad_request(
            &array,
            "The replication network is down: the target cannot be reached.",
        ));
    }
    let allowed = sim.peers.send_group(&address, &notice).await?;
    let now = call.now();
    let added = call
        .lock()
        .add_target(&group, &array, allowed, call.user(), now);
    match added {
        Ok(added) => Ok(Json(ListResponse::of(vec![added]))),
        Err(refusal) => {
            // Changed meanwhile: the target forgets the group again rather than list a stray.
            let _ = sim.peers.tell(&address, "targets/remove", &notice).await;
            Err(refusal)
        }
    }
}

/// `DELETE protection-groups/targets?group_names=G&member_names=ARRAY`.
async fn remove_target(
    call: Call,
    ApiQuery(query): ApiQuery<TargetQuery>,
) -> Result<StatusCode, ApiFault> {
    call.require(Role::StorageAdmin)?;
    let (group, array) = query.pair()?;
    let now = call.now();
    let (address, notice) = {
        let mut state = call.lock();
        state.remove_target(&group, &array, call.user(), now)?;
        let notice = GroupNotice {
            secret: state.secret_with(&array),
            source: state.name.clone(),
            group,
        };
        (state.address_of(&array).ok(), notice)
    };
    let sim = call.simulator();
    if let Some(address) = address
        && !sim.faults.link_down()
        && let Err(refusal) = sim.peers.tell(&address, "targets/remove", &notice).await
    {
        tracing::info!(message = %refusal.message, "the target did not hear that the group left");
    }
    Ok(StatusCode::OK)
}

/// `PATCH protection-groups/targets?group_names=SOURCE:G&member_names=THIS_ARRAY` with
/// `{"allowed": …}`, on the target array; the source hears of it.
async fn allow_target(
    call: Call,
    ApiQuery(query): ApiQuery<TargetQuery>,
    ApiJson(patch): ApiJson<TargetProtectionGroupPatch>,
) -> Items<TargetProtectionGroup> {
    call.require(Role::StorageAdmin)?;
    let (group, member) = query.pair()?;
    let allowed = patch
        .allowed
        .ok_or_else(|| ApiFault::invalid("Missing required parameter: allowed."))?;
    let now = call.now();
    let (row, notice, address) = {
        let mut state = call.lock();
        if !member.eq_ignore_ascii_case(&state.name) {
            return Err(ApiFault::bad_request(
                &member,
                "member_names must name this array: a group is allowed on its target.",
            ));
        }
        let (row, source, short) = state.set_allowed(&group, allowed, call.user(), now)?;
        let notice = AllowedNotice {
            secret: state.secret_with(&source),
            target: state.name.clone(),
            group: short,
            allowed,
        };
        (row, notice, state.address_of(&source).ok())
    };
    let sim = call.simulator();
    if let Some(address) = address
        && !sim.faults.link_down()
        && let Err(refusal) = sim.peers.tell(&address, "targets/allowed", &notice).await
    {
        tracing::info!(message = %refusal.message, "the source did not hear of the change");
    }
    Ok(Json(ListResponse::of(vec![row])))
}
