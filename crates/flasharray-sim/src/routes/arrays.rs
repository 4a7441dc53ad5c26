//! The array itself: the REST versions it serves, what it is (and its eradication delays,
//! the one setting it changes), and its audit trail.

use axum::Json;
use axum::routing::{Router, get};
use shared::flasharray::{Array, ArrayPatch, ListResponse};

use crate::routes::change::Items;
use crate::routes::extract::{ApiJson, Call};
use crate::routes::list::listing;
use crate::routes::versions;
use crate::simulator::Simulator;
use crate::state::{ArrayState, Role};

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/api/api_version", get(versions::api_version))
        .route("/api/{version}/arrays", get(arrays).patch(patch_arrays))
        .route(
            "/api/{version}/audits",
            listing(ArrayState::audits, "Audit", |audit| {
                (&audit.name, &audit.id)
            }),
        )
}

/// `GET /api/2.x/arrays`.
async fn arrays(call: Call) -> Json<ListResponse<Array>> {
    Json(ListResponse::of(vec![call.lock().array()]))
}

/// `PATCH /api/2.x/arrays`: the array's eradication delays (`eradication_config`), which only
/// array admins change.
async fn patch_arrays(call: Call, ApiJson(patch): ApiJson<ArrayPatch>) -> Items<Array> {
    call.change_as(Role::ArrayAdmin, |state, user, now| {
        state
            .patch_array(user, &patch, now)
            .map(|array| vec![array])
    })
}
