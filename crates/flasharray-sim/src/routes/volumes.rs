//! `/api/2.x/volumes`: list, create (new or copied), change and eradicate volumes.

use axum::response::Response;
use axum::routing::Router;
use serde::Deserialize;
use shared::flasharray::{Volume, VolumePatch, VolumePost};
use shared::size::MIB;

use crate::error::ApiFault;
use crate::routes::change::Items;
use crate::routes::eradicate::eradicate;
use crate::routes::extract::{ApiJson, ApiQuery, Call, required_names};
use crate::routes::list::{ListQuery, list};
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
    call.change(|state, user, now| {
        let names = required_names(query.names.as_deref())?;
        let overwrite = query.overwrite.unwrap_or(false);
        match &body.source {
            Some(_) if body.provisioned.is_some() => Err(ApiFault::invalid(
                "Give either provisioned or source: a copy has its source's size.",
            )),
            Some(source) => state.copy_volumes(user, &names, source, overwrite, now),
            None if overwrite => Err(ApiFault::invalid(
                "overwrite applies only to copies: give a source.",
            )),
            None => state.create_volumes(user, &names, body.provisioned.unwrap_or(MIB), now),
        }
    })
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
    call.change(|state, user, now| {
        let names = required_names(query.names.as_deref())?;
        state.patch_volumes(user, &names, &patch, query.truncate.unwrap_or(false), now)
    })
}
