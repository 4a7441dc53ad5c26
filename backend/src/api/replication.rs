//! `/api/arrays/{array}/array-connections`: the arrays one array replicates with, and
//! connecting two arrays the portal manages in one step; and where a protection group
//! replicates (`…/protection-groups/{group}/targets`). The other array's connection key is
//! read with the portal's own access to it and handed straight to this one: it is never
//! answered, logged or audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::{
    AddTargetRequest, ApiError, ConnectArraysRequest, GroupReplication, TargetCopies, VolumeCopies,
    validate_add_target, validate_connect_arrays,
};
use shared::flasharray::{ArrayConnection, ArrayConnectionPost, TargetProtectionGroup};
use shared::names::validate_object_name;

use super::extract::{self, ApiJson, OnArray, refusal_about};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// `GET /api/arrays/{array}/array-connections`: as the array lists them, each with the status
/// it sees now.
pub async fn list(on: OnArray) -> Result<Json<Vec<ArrayConnection>>, AppError> {
    Ok(Json(on.client.array_connections().await?))
}

/// `POST /api/arrays/{array}/array-connections`: connects `array` to `remote` with `remote`'s
/// connection key, at the address the portal reaches `remote` on.
pub async fn connect(
    State(state): State<AppState>,
    on: OnArray,
    ApiJson(request): ApiJson<ConnectArraysRequest>,
) -> Result<(StatusCode, Json<ArrayConnection>), AppError> {
    let request = validate_connect_arrays(&on.array, &request).map_err(AppError::Invalid)?;
    let remote =
        extract::array(&state, &on.user, &request.remote).map_err(|refusal| match refusal {
            AppError::NotFound(message) => {
                AppError::Invalid(shared::api::ApiError::for_field("remote", message))
            }
            other => other,
        })?;
    let connection_key = remote
        .connection_key()
        .await
        .map_err(|error| AppError::Array {
            error,
            field: Some("remote"),
        })?;
    let connection = ArrayConnectionPost {
        management_address: Some(management_address(remote.url())),
        connection_key: Some(connection_key),
        kind: request.kind,
        ..ArrayConnectionPost::default()
    };
    let made = on.client.connect_array(&connection).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `DELETE /api/arrays/{array}/array-connections/{remote}`: `remote` as the array names it.
/// The array tells the other side; both forget the connection.
pub async fn disconnect(
    on: OnArray,
    Path((_, remote)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client
        .disconnect_array(&remote)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&remote), "remote"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/arrays/{array}/protection-groups/{group}/targets`: where the group replicates,
/// and whether each target allows it.
pub async fn targets(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
) -> Result<Json<Vec<TargetProtectionGroup>>, AppError> {
    Ok(Json(on.client.group_targets(&group).await?))
}

/// `GET /api/arrays/{array}/protection-groups/{group}/replication`: the group's last transfer,
/// and on each target (read at once, each within its own deadline) the copies it holds.
pub async fn replication(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
) -> Result<Json<GroupReplication>, AppError> {
    Ok(Json(group_replication(&state, &on, &group).await?))
}

/// `GET /api/arrays/{array}/volumes/{volume}/copies`: where the volume's copies are, by the
/// protection groups that hold it.
pub async fn volume_copies(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, volume)): Path<(String, String)>,
) -> Result<Json<Vec<VolumeCopies>>, AppError> {
    let mut groups: Vec<String> = on
        .client
        .volume_protection_groups(std::slice::from_ref(&volume))
        .await?
        .into_iter()
        .filter_map(|membership| membership.group.name)
        .collect();
    groups.sort();
    groups.dedup();
    let reads = groups
        .iter()
        .map(|group| group_replication(&state, &on, group));
    let copies = futures_util::future::join_all(reads)
        .await
        .into_iter()
        .zip(groups)
        .map(|(replication, group)| match replication {
            Ok(replication) => VolumeCopies {
                group,
                replication: Some(replication),
                unread: None,
            },
            Err(error) => VolumeCopies {
                group,
                replication: None,
                unread: Some(error.to_string()),
            },
        })
        .collect();
    Ok(Json(copies))
}

/// The group's last transfer and what each of its targets holds of it.
async fn group_replication(
    state: &AppState,
    on: &OnArray,
    group: &str,
) -> Result<GroupReplication, AppError> {
    let (targets, transfers, source, space) = tokio::join!(
        on.client.group_targets(group),
        on.client.group_transfers(group),
        on.client.array(),
        on.client.array_space(None),
    );
    let (targets, transfers, source) = (targets?, transfers?, source?);
    // Lag is measured by the source's clock; a release without `arrays/space`, by the portal's.
    let now_ms = space
        .ok()
        .and_then(|space| space.first().map(|space| space.time))
        .unwrap_or_else(crate::clock::unix_now_ms);
    let last_transfer = transfers
        .into_iter()
        .max_by_key(|transfer| (transfer.started, transfer.name.clone()));
    let replica_group = validate_object_name("Array", &source.name)
        .ok()
        .map(|()| format!("{}:{group}", source.name));
    let reads = targets
        .into_iter()
        .map(|target| copies_on(state, on, replica_group.as_deref(), target, now_ms));
    let targets = futures_util::future::join_all(reads).await;
    Ok(GroupReplication {
        last_transfer,
        targets,
    })
}

/// What `target` holds of the group, which it names `replica_group`.
async fn copies_on(
    state: &AppState,
    on: &OnArray,
    replica_group: Option<&str>,
    target: TargetProtectionGroup,
    now_ms: i64,
) -> TargetCopies {
    let name = target.member.name.clone().unwrap_or_default();
    let mut copies = TargetCopies {
        target: name.clone(),
        allowed: target.allowed,
        ..TargetCopies::default()
    };
    let Some(replica_group) = replica_group else {
        copies.unread = Some(format!("{} reports a name no array can have.", on.array));
        return copies;
    };
    // One answer whether the portal does not manage it or the caller may not use it, so a
    // scoped user learns nothing of the arrays outside their scope.
    let Ok(client) = extract::array(state, &on.user, &name) else {
        copies.unread = Some(format!(
            "{name} is not among your arrays: its copies are not shown."
        ));
        return copies;
    };
    let listed = tokio::time::timeout(
        state.array_deadline(),
        client.list_group_snapshots(Some(replica_group), Some(false)),
    )
    .await;
    match listed {
        Ok(Ok(held)) => {
            copies.copies = held.len();
            if let Some((newest, lag)) = shared::api::newest_copy(&held, now_ms) {
                copies.newest = Some(newest.clone());
                copies.lag_ms = Some(lag);
            }
        }
        Ok(Err(error)) => copies.unread = Some(error.to_string()),
        Err(_) => {
            copies.unread = Some(format!(
                "{name} did not answer within {} s.",
                state.array_deadline().as_secs()
            ));
        }
    }
    copies
}

/// `POST /api/arrays/{array}/protection-groups/{group}/targets`: the group replicates to
/// `remote`. When the portal manages `remote` too and it does not allow the group, the portal
/// allows it there, so one step sets up both sides.
pub async fn add_target(
    State(state): State<AppState>,
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
    ApiJson(request): ApiJson<AddTargetRequest>,
) -> Result<(StatusCode, Json<TargetProtectionGroup>), AppError> {
    let request = validate_add_target(&request).map_err(AppError::Invalid)?;
    let remote = request.remote;
    let mut added = on
        .client
        .add_group_target(&group, &remote)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&remote), "remote"))?;
    if added.allowed == Some(false) && state.arrays.get(&remote).is_some() {
        // The group is a target now whatever happens here: a failure to allow it leaves it
        // disallowed, as the answer says, rather than failing a change that was made.
        match allow_on_target(&state, &on, &group, &remote).await {
            Ok(allowed) => {
                added.allowed = allowed.allowed;
                added.status = allowed.status;
            }
            Err(error) => {
                tracing::warn!(array = %on.array, %group, %remote, %error, "the target did not allow the group");
            }
        }
    }
    Ok((StatusCode::CREATED, Json(added)))
}

/// Allows `group` (of `on`'s array) on the target `remote`, which names it `SOURCE:GROUP` by
/// the source's own name.
async fn allow_on_target(
    state: &AppState,
    on: &OnArray,
    group: &str,
    remote: &str,
) -> Result<TargetProtectionGroup, AppError> {
    let target = extract::array(state, &on.user, remote)?;
    let source = on.client.array().await?.name;
    validate_object_name("Array", &source).map_err(|_| {
        AppError::BadGateway(format!("{} reports a name no array can have.", on.array))
    })?;
    Ok(target
        .allow_group(&format!("{source}:{group}"), remote, true)
        .await?)
}

/// `DELETE /api/arrays/{array}/protection-groups/{group}/targets/{remote}`: the group stops
/// replicating to `remote`; what reached it stays there.
pub async fn remove_target(
    on: OnArray,
    Path((_, group, remote)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    on.client
        .remove_group_target(&group, &remote)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&remote), "remote"))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether `connection` leads to the managed array reached at `url`, which gives its id as
/// `peer_id`. The id is the other array's word; the address is where this array reached it,
/// which the other array cannot choose: both must match.
pub(super) fn leads_to(connection: &ArrayConnection, peer_id: &str, url: &str) -> bool {
    let address = management_address(url);
    connection.id.as_deref() == Some(peer_id)
        && connection
            .management_address
            .as_deref()
            .is_some_and(|at| at.eq_ignore_ascii_case(&address))
}

/// The most other arrays one change through a REST root may name.
const MOST_ARRAYS_NAMED: usize = 16;

/// How long the portal waits for a managed array to say who it is, when matching a connection.
const IDENTITY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The portal's names for the arrays `array` (reached through `client`) names `connections`:
/// each must be a connection of that array to an array the portal manages that `user` may
/// change. A change through a REST root that reaches other arrays is checked on these. Only
/// arrays the caller may change are asked who they are, all at once.
pub(super) async fn managed_arrays_connected_as(
    state: &AppState,
    user: &CurrentUser,
    client: &flasharray::ArrayClient,
    array: &str,
    connections: &[String],
) -> Result<Vec<String>, AppError> {
    let mut named: Vec<&String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in connections {
        if seen.insert(name.to_ascii_lowercase()) {
            named.push(name);
            if named.len() > MOST_ARRAYS_NAMED {
                return Err(AppError::Invalid(ApiError::new(format!(
                    "A change names at most {MOST_ARRAYS_NAMED} other arrays."
                ))));
            }
        }
    }
    let known = client.array_connections().await?;
    let lookups = named.into_iter().map(|name| {
        let connection = known
            .iter()
            .find(|connection| connection.name.eq_ignore_ascii_case(name));
        managed_array_behind(state, user, array, name, connection)
    });
    futures_util::future::join_all(lookups)
        .await
        .into_iter()
        .collect()
}

/// The managed array, one the caller may change, that `connection` (named `name` on `array`)
/// leads to: the first registered at its address that says it has its id.
async fn managed_array_behind(
    state: &AppState,
    user: &CurrentUser,
    array: &str,
    name: &str,
    connection: Option<&ArrayConnection>,
) -> Result<String, AppError> {
    let connection = connection.ok_or_else(|| {
        AppError::Forbidden(format!(
            "{array} has no connection named {name:.64}: a change through the REST root reaches only arrays it is connected to."
        ))
    })?;
    let address = connection.management_address.as_deref().unwrap_or_default();
    let candidates: Vec<_> = state
        .arrays
        .summaries()
        .into_iter()
        .filter(|summary| user.user.may_use_array(&summary.name))
        .filter_map(|summary| state.arrays.get(&summary.name))
        .filter(|entry| management_address(entry.client.url()).eq_ignore_ascii_case(address))
        .collect();
    let identities = futures_util::future::join_all(
        candidates
            .iter()
            .map(|entry| tokio::time::timeout(IDENTITY_DEADLINE, entry.client.array())),
    )
    .await;
    let mut unanswered = None;
    for (entry, identity) in candidates.iter().zip(identities) {
        match identity {
            Ok(Ok(identity)) if leads_to(connection, &identity.id, entry.client.url()) => {
                return Ok(entry.summary.name.clone());
            }
            Ok(Ok(_)) => {}
            _ => unanswered = unanswered.or(Some(entry.summary.name.clone())),
        }
    }
    Err(match unanswered {
        Some(silent) => AppError::BadGateway(format!(
            "{silent} could not say who it is, so the portal cannot tell whether {array}'s connection {name:.64} leads to it; try again."
        )),
        None => AppError::Forbidden(format!(
            "{name:.64}, which {array} is connected to, is not an array the portal manages that you may change: change what reaches it on that array itself."
        )),
    })
}

/// The address another array reaches a managed array on: its URL's host, with the port when
/// the URL names one (a simulator's), as `management_address` takes it.
pub(super) fn management_address(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::management_address;

    #[test]
    fn the_management_address_is_the_urls_host_and_port() {
        assert_eq!(
            management_address("https://fa-dr-01.example.com"),
            "fa-dr-01.example.com"
        );
        assert_eq!(
            management_address("https://127.0.0.1:8443/"),
            "127.0.0.1:8443"
        );
        assert_eq!(
            management_address("https://[fd00::1]:443/api"),
            "[fd00::1]:443"
        );
    }
}
