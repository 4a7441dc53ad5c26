//! `/api/audit`: the audit log, searched and filtered, as JSON or as CSV.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::api::{AuditEntry, AuditForwarding, AuditQuery};
use shared::time::format_timestamp_ms;

use crate::clock::unix_now_ms;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;
use shared::csv::csv_row;

/// `GET /api/audit?user=&array=&action=&outcome=&since_ms=&until_ms=&limit=&before_id=`:
/// newest first.
/// An admin limited to some arrays reads only the entries about those arrays, and those
/// about no array.
pub async fn list(
    State(state): State<AppState>,
    admin: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    state.rest_root.write_reads(&state.db).await?;
    let scope = admin.user.arrays.as_deref();
    Ok(Json(
        state.db.audit_entries(&query, scope, unix_now_ms()).await?,
    ))
}

/// `GET /api/audit/forwarding`: where the audit log goes besides the database, and how far
/// each destination got. For admins of every array, as the destinations are the whole
/// portal's.
pub async fn forwarding(
    State(state): State<AppState>,
    admin: CurrentUser,
) -> Result<Json<Vec<AuditForwarding>>, AppError> {
    if !admin.user.scope_covers(None) {
        return Err(AppError::Forbidden(
            "Where the audit log goes is for admins of every array.".into(),
        ));
    }
    let sinks = state
        .notifier
        .as_ref()
        .map(|notifier| notifier.audit_sinks.as_slice())
        .unwrap_or_default();
    let mut destinations = Vec::with_capacity(sinks.len());
    for sink in sinks {
        let destination = sink.destination();
        let progress = state
            .db
            .forwarding_state(&destination, unix_now_ms())
            .await?;
        destinations.push(AuditForwarding {
            waiting: state.db.audit_rows_counted_after(progress.last_id).await?,
            destination,
            forwarded: progress.forwarded,
            last_error: progress.last_error,
            updated_at_ms: progress.updated_at_ms,
        });
    }
    Ok(Json(destinations))
}

/// `GET /api/audit.csv` with the same filters: every matching entry, page by page.
pub async fn export_csv(
    State(state): State<AppState>,
    admin: CurrentUser,
    Query(mut query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    state.rest_root.write_reads(&state.db).await?;
    let scope = admin.user.arrays.as_deref();
    let now_ms = unix_now_ms();
    let mut csv = String::from(
        "time,user,array,action,target,outcome,status,message,duration_ms,request_id,parameters,token\r\n",
    );
    query.limit = None;
    loop {
        let page = state.db.audit_entries(&query, scope, now_ms).await?;
        for entry in &page {
            let fields = [
                format_timestamp_ms(entry.started_at_ms),
                entry.username.clone(),
                entry.array.clone().unwrap_or_default(),
                entry.action.clone(),
                entry.target.clone(),
                entry.outcome.as_str().to_owned(),
                entry
                    .status
                    .map(|status| status.to_string())
                    .unwrap_or_default(),
                entry.message.clone().unwrap_or_default(),
                entry
                    .duration_ms
                    .map(|duration| duration.to_string())
                    .unwrap_or_default(),
                entry.request_id.clone(),
                entry.parameters.clone(),
                entry.token.clone().unwrap_or_default(),
            ];
            csv.push_str(&csv_row(&fields));
        }
        match page.last() {
            Some(last) if page.len() == crate::db::MAX_AUDIT_PAGE as usize => {
                query.before_id = Some(last.id);
            }
            _ => break,
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"flashdeck-audit.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
