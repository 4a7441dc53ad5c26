//! `/api/2.x/volumes`: list, create (new or copied), change and eradicate volumes.

use axum::Json;
use axum::response::Response;
use axum::routing::Router;
use serde::Deserialize;
use shared::flasharray::{ListResponse, Volume, VolumePatch, VolumePost};
use shared::size::MIB;

use crate::error::ApiFault;
use crate::routes::eradicate::eradicate;
use crate::routes::extract::{ApiJson, ApiQuery, Call, required_names};
use crate::routes::list::{Items, ListQuery, list};
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new().route(
        "/api/{version}/volumes",
        eradicate(ArrayState::eradicate_volumes)
            .get(list_volumes)
            .post(create_volumes)
            .patch(patch_volumes),
    )
}

/// `GET /api/2.x/volumes`.
async fn list_volumes(
    call: Call,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    // Pages are cut from references under the lock: 100,000 volumes are not cloned per call.
    let state = call.lock();
    let volumes: Vec<&Volume> = state
        .volumes()
        .iter()
        .filter(|volume| query.shows(volume.destroyed))
        .collect();
    list(volumes, &query, "Volume", |volume| {
        (&volume.name, &volume.id)
    })
}

#[derive(Debug, Deserialize)]
struct CreateVolumesQuery {
    names: Option<String>,
    overwrite: Option<bool>,
}

/// `POST /api/2.x/volumes?names=...[&overwrite=true]`: new volumes, or copies of a volume or
/// snapshot when the body names a `source`.
async fn create_volumes(
    call: Call,
    ApiQuery(query): ApiQuery<CreateVolumesQuery>,
    ApiJson(body): ApiJson<VolumePost>,
) -> Items<Volume> {
    call.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = call.now();
    let overwrite = query.overwrite.unwrap_or(false);
    let mut state = call.lock();
    let created = match &body.source {
        Some(source) => {
            if body.provisioned.is_some() {
                return Err(ApiFault::invalid(
                    "Give either provisioned or source: a copy has its source's size.",
                ));
            }
            state.copy_volumes(call.user(), &names, source, overwrite, now)?
        }
        None if overwrite => {
            return Err(ApiFault::invalid(
                "overwrite applies only to copies: give a source.",
            ));
        }
        None => state.create_volumes(call.user(), &names, body.provisioned.unwrap_or(MIB), now)?,
    };
    Ok(Json(ListResponse::of(created)))
}

#[derive(Debug, Deserialize)]
struct PatchQuery {
    names: Option<String>,
    truncate: Option<bool>,
}

/// `PATCH /api/2.x/volumes?names=...[&truncate=true]`: rename, resize, destroy, recover, QoS.
async fn patch_volumes(
    call: Call,
    ApiQuery(query): ApiQuery<PatchQuery>,
    ApiJson(patch): ApiJson<VolumePatch>,
) -> Items<Volume> {
    call.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = call.now();
    let changed = call.lock().patch_volumes(
        call.user(),
        &names,
        &patch,
        query.truncate.unwrap_or(false),
        now,
    )?;
    Ok(Json(ListResponse::of(changed)))
}
