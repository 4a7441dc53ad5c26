//! The array itself: the REST versions it serves, what it is, and its audit trail.

use axum::Json;
use axum::routing::{Router, get};
use shared::flasharray::{Array, ListResponse};

use crate::routes::extract::Call;
use crate::routes::list::listing;
use crate::routes::versions;
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/api/api_version", get(versions::api_version))
        .route("/api/{version}/arrays", get(arrays))
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
