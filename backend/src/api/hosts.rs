//! `/api/arrays/{array}/hosts` and `/host-groups`: hosts with their ports, host groups and
//! who is in them.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use shared::api::{
    CreateHostGroupRequest, CreateHostRequest, HostListQuery, host_sort_field,
    validate_create_host, validate_host_change,
};
use shared::flasharray::{Host, HostGroup, HostPatch};
use shared::names::validate_object_name;

use super::extract::{ApiJson, OnArray, refusal_about, table_page};
use super::passed::{ArrayPage, TablePage, json_answer};
use crate::error::AppError;

/// `GET /api/arrays/{array}/hosts?limit=&offset=&sort=&search=`: one page, searched, sorted
/// and cut by the array itself.
pub async fn list(on: OnArray, Query(request): Query<HostListQuery>) -> Result<Response, AppError> {
    let query = table_page(
        request.sort.as_deref(),
        host_sort_field,
        request.search.as_deref(),
        request.limit,
        request.offset,
    )?;
    let reply = on.client.list_hosts_raw(&query).await?;
    let page = ArrayPage::of(&reply)?;
    let answer = TablePage {
        items: &page.items,
        total_item_count: page.total_item_count(),
    };
    json_answer(&answer, &reply)
}

/// `GET /api/arrays/{array}/hosts/{host}`: one host, asked of the array by name.
pub async fn get_one(
    on: OnArray,
    Path((_, host)): Path<(String, String)>,
) -> Result<Json<Host>, AppError> {
    on.client
        .get_host(&host)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("No host named {host} on {}.", on.array)))
}

/// `POST /api/arrays/{array}/hosts`: ports are normalised before the array sees them.
pub async fn create(
    on: OnArray,
    ApiJson(request): ApiJson<CreateHostRequest>,
) -> Result<(StatusCode, Json<Host>), AppError> {
    let request = validate_create_host(&request).map_err(AppError::Invalid)?;
    let host = on
        .client
        .create_host(&request.name, &request.host)
        .await
        .map_err(|error| {
            let ports: Vec<&String> = request
                .host
                .iqns
                .iter()
                .chain(&request.host.wwns)
                .chain(&request.host.nqns)
                .collect();
            port_or_name_refusal(error, &request.name, &ports)
        })?;
    Ok((StatusCode::CREATED, Json(host)))
}

/// The array names the host in `context` for any refusal; its message says whether a port
/// (it quotes the port) or the name was at fault.
fn port_or_name_refusal(error: flasharray::Error, host: &str, ports: &[&String]) -> AppError {
    let about_ports = error.array_errors().iter().any(|item| {
        let message = item.message.to_ascii_lowercase();
        ports
            .iter()
            .any(|port| message.contains(&port.to_ascii_lowercase()))
            || ["iqn", "wwn", "nqn", "port"]
                .iter()
                .any(|word| message.contains(word))
    });
    if about_ports {
        AppError::Array {
            error,
            field: Some("ports"),
        }
    } else {
        refusal_about(error, &[host.to_owned()], "name")
    }
}

/// `PATCH /api/arrays/{array}/hosts/{host}`: rename, add or remove ports, personality.
pub async fn change(
    on: OnArray,
    Path((_, host)): Path<(String, String)>,
    ApiJson(change): ApiJson<HostPatch>,
) -> Result<Json<Host>, AppError> {
    let change = validate_host_change(&change).map_err(AppError::Invalid)?;
    let changed = on
        .client
        .patch_host(&host, &change)
        .await
        .map_err(|error| {
            let ports: Vec<&String> = change
                .add_iqns
                .iter()
                .chain(&change.add_wwns)
                .chain(&change.add_nqns)
                .chain(&change.remove_iqns)
                .chain(&change.remove_wwns)
                .chain(&change.remove_nqns)
                .collect();
            port_or_name_refusal(error, change.name.as_deref().unwrap_or(&host), &ports)
        })?;
    Ok(Json(changed))
}

/// `DELETE /api/arrays/{array}/hosts/{host}`: the array refuses while it has connections.
pub async fn delete(
    on: OnArray,
    Path((_, host)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.delete_host(&host).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/arrays/{array}/host-groups`.
pub async fn list_groups(on: OnArray) -> Result<Json<Vec<HostGroup>>, AppError> {
    Ok(Json(on.client.list_host_groups().await?))
}

/// `POST /api/arrays/{array}/host-groups`.
pub async fn create_group(
    on: OnArray,
    ApiJson(request): ApiJson<CreateHostGroupRequest>,
) -> Result<(StatusCode, Json<HostGroup>), AppError> {
    validate_object_name("Host group", &request.name)
        .map_err(|message| AppError::Invalid(shared::api::ApiError::for_field("name", message)))?;
    let group = on
        .client
        .create_host_group(&request.name)
        .await
        .map_err(|error| refusal_about(error, std::slice::from_ref(&request.name), "name"))?;
    Ok((StatusCode::CREATED, Json(group)))
}

/// `DELETE /api/arrays/{array}/host-groups/{group}`: refused while it has hosts or
/// connections.
pub async fn delete_group(
    on: OnArray,
    Path((_, group)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.delete_host_group(&group).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/arrays/{array}/host-groups/{group}/hosts/{host}`: puts a host in the group.
pub async fn add_member(
    on: OnArray,
    Path((_, group, host)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.add_hosts_to_group(&group, &[&host]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/arrays/{array}/host-groups/{group}/hosts/{host}`.
pub async fn remove_member(
    on: OnArray,
    Path((_, group, host)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.remove_host_from_group(&group, &host).await?;
    Ok(StatusCode::NO_CONTENT)
}
