//! `/api/2.x/volume-groups`, read-only: the simulated arrays make none yet, so it lists
//! nothing, and naming one is refused as an array refuses an unknown name.

use axum::routing::Router;
use shared::flasharray::VolumeGroup;

use crate::routes::list::listing;
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new().route(
        "/api/{version}/volume-groups",
        listing(
            |_| Vec::<VolumeGroup>::new(),
            "Volume group",
            |group| (&group.name, &group.name),
        ),
    )
}
