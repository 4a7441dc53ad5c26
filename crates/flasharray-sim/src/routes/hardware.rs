//! What the array is built of: `/api/2.x/controllers`, `drives`, `hardware`, `ports`,
//! `network-interfaces` and `arrays/eula`, read-only as any admin sees them.

use axum::Json;
use axum::routing::{Router, get};
use shared::flasharray::{Eula, ListResponse};

use crate::routes::extract::Call;
use crate::routes::list::listing;
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/controllers",
            listing(ArrayState::controllers, "Controller", |part| {
                (&part.name, &part.name)
            }),
        )
        .route(
            "/api/{version}/drives",
            listing(ArrayState::drives, "Drive", |part| (&part.name, &part.name)),
        )
        .route(
            "/api/{version}/hardware",
            listing(ArrayState::hardware, "Hardware component", |part| {
                (&part.name, &part.name)
            }),
        )
        .route(
            "/api/{version}/ports",
            listing(ArrayState::ports, "Port", |port| (&port.name, &port.name)),
        )
        .route(
            "/api/{version}/network-interfaces",
            listing(
                ArrayState::network_interfaces,
                "Network interface",
                |interface| (&interface.name, &interface.name),
            ),
        )
        .route("/api/{version}/arrays/eula", get(eula))
}

/// `GET /api/2.x/arrays/eula`.
async fn eula(call: Call) -> Json<ListResponse<Eula>> {
    Json(ListResponse::of(vec![call.lock().eula()]))
}
