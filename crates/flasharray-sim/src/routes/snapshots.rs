//! `/api/2.x/volume-snapshots`: list, take, change and eradicate volume snapshots.

use axum::response::Response;
use axum::routing::Router;
use serde::Deserialize;
use shared::flasharray::{Reference, VolumeSnapshot, VolumeSnapshotPatch, VolumeSnapshotPost};

use crate::error::ApiFault;
use crate::routes::change::Items;
use crate::routes::eradicate::eradicate;
use crate::routes::extract::{ApiJson, ApiQuery, Call, NamesQuery, split_names};
use crate::routes::list::{ListQuery, list};
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new().route(
        "/api/{version}/volume-snapshots",
        eradicate(ArrayState::eradicate_volume_snapshots)
            .get(list_volume_snapshots)
            .post(create_volume_snapshots)
            .patch(patch_volume_snapshots),
    )
}

/// `source_names` / `source_ids`: whose snapshots to list or take.
#[derive(Debug, Deserialize)]
pub struct SourceQuery {
    source_names: Option<String>,
    source_ids: Option<String>,
}

impl SourceQuery {
    /// Keeps the items whose source is named; each named source must have existed.
    pub(crate) fn keep<T>(
        &self,
        items: &mut Vec<T>,
        source: impl Fn(&T) -> &Reference,
    ) -> Result<(), ApiFault> {
        if self.source_names.is_some() && self.source_ids.is_some() {
            return Err(ApiFault::invalid(
                "source_names and source_ids cannot be given together.",
            ));
        }
        let named = |names: &[String], name: &Option<String>| {
            name.as_ref().is_some_and(|name| names.contains(name))
        };
        if let Some(names) = split_names(self.source_names.as_deref()) {
            items.retain(|item| named(&names, &source(item).name));
        }
        if let Some(ids) = split_names(self.source_ids.as_deref()) {
            items.retain(|item| named(&ids, &source(item).id));
        }
        Ok(())
    }

    /// The sources to act on, by name.
    pub(crate) fn required(&self) -> Result<Vec<String>, ApiFault> {
        if self.source_ids.is_some() {
            return Err(ApiFault::invalid(
                "Give sources by source_names; source_ids is not supported here.",
            ));
        }
        split_names(self.source_names.as_deref())
            .ok_or_else(|| ApiFault::invalid("Missing required parameter: source_names."))
    }
}

/// `GET /volume-snapshots`.
async fn list_volume_snapshots(
    call: Call,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut snapshots = call.lock().volume_snapshots();
    snapshots.retain(|snapshot| query.shows(snapshot.destroyed));
    sources.keep(&mut snapshots, |snapshot: &VolumeSnapshot| &snapshot.source)?;
    list(snapshots, &query, "Snapshot", |snapshot| {
        (&snapshot.name, &snapshot.id)
    })
}

/// `POST /volume-snapshots?source_names=...`: one consistent set of snapshots.
async fn create_volume_snapshots(
    call: Call,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiJson(post): ApiJson<VolumeSnapshotPost>,
) -> Items<VolumeSnapshot> {
    call.change(|state, user, now| {
        state.create_volume_snapshots(user, &sources.required()?, post.suffix.as_deref(), now)
    })
}

/// `PATCH /volume-snapshots?names=...`: rename, destroy, recover.
async fn patch_volume_snapshots(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<VolumeSnapshotPatch>,
) -> Items<VolumeSnapshot> {
    call.change(|state, user, now| {
        state.patch_volume_snapshots(user, &query.required()?, &patch, now)
    })
}
