//! `DELETE ?names=…`, alike for every collection whose objects are destroyed before they go:
//! eradicates the named destroyed objects.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, delete};

use crate::error::ApiFault;
use crate::routes::extract::{ApiQuery, Caller, NamesQuery};
use crate::simulator::Simulator;
use crate::state::ArrayState;

/// How a collection eradicates: by the caller, the names and the time.
pub(crate) type Eradicate = fn(&mut ArrayState, &str, &[String], i64) -> Result<(), ApiFault>;

pub(crate) fn eradicate(eradicate: Eradicate) -> MethodRouter<Simulator> {
    delete(
        move |State(sim): State<Simulator>,
              caller: Caller,
              ApiQuery(query): ApiQuery<NamesQuery>| async move {
            caller.require_storage()?;
            let names = query.required()?;
            let now = sim.clock.now_ms();
            eradicate(&mut sim.lock(), caller.user(), &names, now)?;
            Ok::<_, ApiFault>(StatusCode::OK)
        },
    )
}
