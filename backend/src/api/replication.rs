//! `/api/arrays/{array}/array-connections`: the arrays one array replicates with, and
//! connecting two arrays the portal manages in one step; and where a protection group
//! replicates (`…/protection-groups/{group}/targets`). The other array's connection key is
//! read with the portal's own access to it and handed straight to this one: it is never
//! answered, logged or audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::{
    AddTargetRequest, ConnectArraysRequest, validate_add_target, validate_connect_arrays,
};
use shared::flasharray::{ArrayConnection, ArrayConnectionPost, TargetProtectionGroup};
use shared::names::validate_object_name;

use super::extract::{self, ApiJson, OnArray, refusal_about};
use crate::error::AppError;
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
    tracing::info!(
        user = %on.user.user.username,
        array = %on.array,
        remote = %request.remote,
        "arrays connected"
    );
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
    tracing::info!(
        user = %on.user.user.username,
        array = %on.array,
        %remote,
        "arrays disconnected"
    );
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
    tracing::info!(
        user = %on.user.user.username,
        array = %on.array,
        %group,
        %remote,
        "protection group target added"
    );
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
    tracing::info!(
        user = %on.user.user.username,
        array = %on.array,
        %group,
        %remote,
        "protection group target removed"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// The address another array reaches a managed array on: its URL's host, with the port when
/// the URL names one (a simulator's), as `management_address` takes it.
fn management_address(url: &str) -> String {
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
