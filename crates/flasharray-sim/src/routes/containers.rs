//! `/api/2.x/pods` and `/api/2.x/volume-groups`, read-only: the simulated arrays make neither
//! yet, so both list nothing, and naming one is refused as an array refuses an unknown name.

use axum::routing::Router;
use shared::flasharray::{Pod, VolumeGroup};

use crate::routes::list::listing;
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/pods",
            listing(|_| Vec::<Pod>::new(), "Pod", |pod| (&pod.name, &pod.name)),
        )
        .route(
            "/api/{version}/volume-groups",
            listing(
                |_| Vec::<VolumeGroup>::new(),
                "Volume group",
                |group| (&group.name, &group.name),
            ),
        )
}
