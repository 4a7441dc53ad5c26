//! `/api/arrays/{array}/volumes`: list, create, change and eradicate one array's volumes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use flasharray::VolumeQuery;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use shared::api::{
    CreateVolumeRequest, VolumeChange, VolumeListQuery, validate_create_volume,
    validate_volume_change, volume_sort_field,
};
use shared::flasharray::Volume;

use super::extract::{ApiJson, OnArray, refusal_about, table_page};
use super::passed::{ArrayPage, json_answer};
use crate::error::AppError;

/// The answer of [`list`]: [`shared::api::VolumeList`]'s shape, with the array's volumes passed
/// on as it wrote them.
#[derive(Serialize)]
struct VolumePage<'a> {
    items: &'a [&'a RawValue],
    total_item_count: u64,
    protection_groups: BTreeMap<String, Vec<String>>,
}

/// The one field of a volume the page reads itself.
#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
}

/// `GET /api/arrays/{array}/volumes?limit=&offset=&sort=&search=&destroyed=`: one page,
/// searched, sorted and cut by the array itself, with each volume's protection groups.
pub async fn list(
    on: OnArray,
    Query(request): Query<VolumeListQuery>,
) -> Result<Response, AppError> {
    let page = table_page(
        request.sort.as_deref(),
        volume_sort_field,
        request.search.as_deref(),
        request.limit,
        request.offset,
    )?;
    let query = VolumeQuery {
        destroyed: Some(request.destroyed),
        filter: page.filter,
        sort: page.sort,
        limit: page.limit,
        offset: page.offset,
        total_item_count: page.total_item_count,
        ..VolumeQuery::default()
    };
    let reply = on.client.list_volumes_raw(&query).await?;
    let page = ArrayPage::of(&reply)?;
    let names = page
        .items
        .iter()
        .map(|item| {
            serde_json::from_str::<Named>(item.get())
                .map(|volume| volume.name)
                .map_err(|error| {
                    AppError::BadGateway(format!("{}: a volume without a name: {error}", on.array))
                })
        })
        .collect::<Result<Vec<Cow<str>>, AppError>>()?;
    let mut protection_groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for membership in on.client.volume_protection_groups(&names).await? {
        if let (Some(volume), Some(group)) = (membership.member.name, membership.group.name) {
            protection_groups.entry(volume).or_default().push(group);
        }
    }
    let answer = VolumePage {
        items: &page.items,
        total_item_count: page.total_item_count(),
        protection_groups,
    };
    json_answer(&answer, &reply)
}

/// `GET /api/arrays/{array}/volumes/{volume}`: one volume, destroyed or not.
pub async fn get_one(
    on: OnArray,
    Path((_, volume)): Path<(String, String)>,
) -> Result<Json<Volume>, AppError> {
    let query = VolumeQuery {
        names: vec![volume.clone()],
        ..VolumeQuery::default()
    };
    let page = on.client.list_volumes(&query).await?;
    page.items
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("No volume named {volume} on {}.", on.array)))
}

/// `POST /api/arrays/{array}/volumes`: one volume or a pattern's worth, checked here first,
/// then by the array, which makes all of them or none.
pub async fn create(
    on: OnArray,
    ApiJson(request): ApiJson<CreateVolumeRequest>,
) -> Result<(StatusCode, Json<Vec<Volume>>), AppError> {
    let names = validate_create_volume(&request).map_err(AppError::Invalid)?;
    let created = on
        .client
        .create_volumes(&names, request.provisioned)
        .await
        .map_err(|error| refusal_about(error, &names, "name"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `PATCH /api/arrays/{array}/volumes/{volume}`: rename, resize (shrinking only with
/// `truncate`), QoS limits, destroy or recover.
pub async fn change(
    on: OnArray,
    Path((_, volume)): Path<(String, String)>,
    ApiJson(change): ApiJson<VolumeChange>,
) -> Result<Json<Volume>, AppError> {
    validate_volume_change(&change).map_err(AppError::Invalid)?;
    let field = if change.patch.name.is_some() {
        "name"
    } else if change.patch.provisioned.is_some() {
        "provisioned"
    } else {
        "volume"
    };
    let changed = on
        .client
        .patch_volume(&volume, &change.patch, change.truncate)
        .await
        .map_err(|error| AppError::Array {
            error,
            field: Some(field),
        })?;
    Ok(Json(changed))
}

/// `DELETE /api/arrays/{array}/volumes/{volume}`: eradicates a destroyed volume. No undo, so
/// admins only.
pub async fn eradicate(
    on: OnArray,
    Path((_, volume)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    on.client.eradicate_volume(&volume).await?;
    Ok(StatusCode::NO_CONTENT)
}
