//! `DELETE ?names=…`, alike for every collection whose objects are destroyed before they go:
//! eradicates the named destroyed objects.

use axum::routing::{MethodRouter, delete};

use crate::error::ApiFault;
use crate::routes::extract::{ApiQuery, Call, NamesQuery};
use crate::simulator::Simulator;
use crate::state::ArrayState;

/// How a collection eradicates: by the caller, the names and the time.
pub(crate) type Eradicate = fn(&mut ArrayState, &str, &[String], i64) -> Result<(), ApiFault>;

pub(crate) fn eradicate(eradicate: Eradicate) -> MethodRouter<Simulator> {
    delete(
        move |call: Call, ApiQuery(query): ApiQuery<NamesQuery>| async move {
            call.remove(|state, user, now| eradicate(state, user, &query.required()?, now))
        },
    )
}
