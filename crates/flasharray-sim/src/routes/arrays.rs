//! The array itself: the REST versions it serves, what it is, and its audit trail.

use axum::Json;
use axum::response::Response;
use axum::routing::{Router, get};
use shared::flasharray::{ApiVersions, Array, Audit, ListResponse};

use crate::error::ApiFault;
use crate::routes::extract::{ApiQuery, Call};
use crate::routes::list::{ListQuery, list};
use crate::simulator::Simulator;
use crate::state::SUPPORTED_VERSIONS;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/api/api_version", get(api_version))
        .route("/api/{version}/arrays", get(arrays))
        .route("/api/{version}/audits", get(list_audits))
}

/// `GET /api/api_version`.
async fn api_version() -> Json<ApiVersions> {
    Json(ApiVersions {
        version: SUPPORTED_VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
    })
}

/// `GET /api/2.x/arrays`.
async fn arrays(call: Call) -> Json<ListResponse<Array>> {
    Json(ListResponse::of(vec![call.lock().array()]))
}

/// `GET /api/2.x/audits`.
async fn list_audits(
    call: Call,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let audits = call.lock().audits();
    list(audits, &query, "Audit", |audit: &Audit| {
        (&audit.name, &audit.id)
    })
}
