//! `/api/2.x/alerts`: `GET` lists them, open and closed, and `PATCH` flags them.

use axum::Json;
use axum::response::Response;
use axum::routing::{Router, get};
use serde::Deserialize;
use shared::flasharray::{Alert, AlertPatch, ListResponse};

use crate::error::ApiFault;
use crate::routes::change::Items;
use crate::routes::extract::{ApiJson, ApiQuery, Call, required_names, split_names};
use crate::routes::list::{ListQuery, list};
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new().route(
        "/api/{version}/alerts",
        get(list_alerts).patch(patch_alerts),
    )
}

/// `GET /alerts`: every alert, open and closed, oldest first.
async fn list_alerts(
    call: Call,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let now = call.now();
    let mut alerts = call.lock().alerts(now);
    if let Some(flagged) = query.flagged {
        alerts.retain(|alert| alert.flagged == flagged);
    }
    list(alerts, &query, "Alert", |alert| (&alert.name, &alert.id))
}

#[derive(Debug, Default, Deserialize)]
struct AlertTarget {
    names: Option<String>,
    ids: Option<String>,
}

/// `PATCH /alerts?names=…` or `?ids=…`: flags or unflags alerts; nothing else may change.
async fn patch_alerts(
    call: Call,
    ApiQuery(target): ApiQuery<AlertTarget>,
    ApiJson(patch): ApiJson<AlertPatch>,
) -> Items<Alert> {
    let now = call.now();
    let (keys, by_id) = match split_names(target.ids.as_deref()) {
        Some(ids) if target.names.is_none() => (ids, true),
        Some(_) => return Err(ApiFault::invalid("names and ids cannot be given together.")),
        None => (required_names(target.names.as_deref())?, false),
    };
    let mut state = call.lock();
    state.refresh_alerts(now);
    let key_of = |alert: &Alert| {
        if by_id {
            alert.id.clone()
        } else {
            alert.name.clone()
        }
    };
    if let Some(missing) = keys
        .iter()
        .find(|key| !state.alerts.iter().any(|alert| &key_of(alert) == *key))
    {
        return Err(ApiFault::bad_request(
            missing.clone(),
            "Alert does not exist.",
        ));
    }
    let mut changed = Vec::new();
    for alert in &mut state.alerts {
        if keys.contains(&key_of(alert)) {
            alert.flagged = patch.flagged;
            alert.updated = now;
            changed.push(alert.clone());
        }
    }
    Ok(Json(ListResponse::of(changed)))
}
