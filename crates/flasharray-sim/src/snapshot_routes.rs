//! The `/api/2.x/volume-snapshots` endpoints.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shared::flasharray::{ListResponse, VolumeSnapshot, VolumeSnapshotPatch, VolumeSnapshotPost};

use crate::api::{
    ApiJson, ApiQuery, ListQuery, NamesQuery, page, required_names, select, split_names,
};
use crate::auth::Caller;
use crate::error::ApiFault;
use crate::server::Simulator;

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
        source: impl Fn(&T) -> (&str, &str),
    ) -> Result<(), ApiFault> {
        if self.source_names.is_some() && self.source_ids.is_some() {
            return Err(ApiFault::invalid(
                "source_names and source_ids cannot be given together.",
            ));
        }
        if let Some(names) = split_names(self.source_names.as_deref()) {
            items.retain(|item| names.iter().any(|name| name == source(item).0));
        }
        if let Some(ids) = split_names(self.source_ids.as_deref()) {
            items.retain(|item| ids.iter().any(|id| id == source(item).1));
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
pub async fn list_volume_snapshots(
    State(sim): State<Simulator>,
    _caller: Caller,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut snapshots = sim.lock().volume_snapshots();
    snapshots.retain(|snapshot| {
        query
            .destroyed
            .is_none_or(|destroyed| snapshot.destroyed == destroyed)
    });
    sources.keep(&mut snapshots, |snapshot: &VolumeSnapshot| {
        (
            snapshot.source.name.as_deref().unwrap_or_default(),
            snapshot.source.id.as_deref().unwrap_or_default(),
        )
    })?;
    page(
        select(
            snapshots,
            &query,
            |snapshot| (&snapshot.name, &snapshot.id),
            "Snapshot",
        )?,
        &query,
        "Snapshot",
    )
}

/// `POST /volume-snapshots?source_names=...`: one consistent set of snapshots.
pub async fn create_volume_snapshots(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiJson(post): ApiJson<VolumeSnapshotPost>,
) -> Result<Json<ListResponse<VolumeSnapshot>>, ApiFault> {
    caller.require_storage()?;
    let sources = sources.required()?;
    let now = sim.clock.now_ms();
    let created = sim.lock().create_volume_snapshots(
        &caller.0.username,
        &sources,
        post.suffix.as_deref(),
        now,
    )?;
    Ok(Json(ListResponse::of(created)))
}

/// `PATCH /volume-snapshots?names=...`: rename, destroy, recover.
pub async fn patch_volume_snapshots(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<VolumeSnapshotPatch>,
) -> Result<Json<ListResponse<VolumeSnapshot>>, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    let changed = sim
        .lock()
        .patch_volume_snapshots(&caller.0.username, &names, &patch, now)?;
    Ok(Json(ListResponse::of(changed)))
}

/// `DELETE /volume-snapshots?names=...`: eradicates destroyed snapshots.
pub async fn eradicate_volume_snapshots(
    State(sim): State<Simulator>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Result<StatusCode, ApiFault> {
    caller.require_storage()?;
    let names = required_names(query.names.as_deref())?;
    let now = sim.clock.now_ms();
    sim.lock()
        .eradicate_volume_snapshots(&caller.0.username, &names, now)?;
    Ok(StatusCode::OK)
}
