//! `/api/reports`: the capacity and protection report of the arrays in the caller's scope,
//! as JSON, CSV or an HTML page, each asked of the arrays afresh.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::api::FleetReport;

use super::fleet::clients_in_scope;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::reports::{REPORT_DEADLINE, fleet_report, render};
use crate::state::AppState;

/// Made for `user`, once one of the few reports made at once is done (each asks every
/// array for every volume): a person who asks again and again waits, or is told to.
async fn report_for(state: &AppState, user: &CurrentUser) -> Result<FleetReport, AppError> {
    let _permit = tokio::time::timeout(REPORT_DEADLINE, state.report_permits.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
            AppError::Busy("Other reports are being made now: try again in a minute.".into())
        })?;
    let (clients, failures) = clients_in_scope(state, user);
    let unreachable = failures
        .into_iter()
        .map(|failure| (failure.array, failure.error))
        .collect();
    Ok(fleet_report(clients, unreachable, REPORT_DEADLINE).await)
}

/// `GET /api/reports/fleet`.
pub async fn fleet(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<FleetReport>, AppError> {
    Ok(Json(report_for(&state, &user).await?))
}

/// `GET /api/reports/fleet.csv`: one row per array, unprotected volume and protection group.
pub async fn fleet_csv(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let report = report_for(&state, &user).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        render::CSV_FILE_NAME,
        render::csv(&report),
    ))
}

/// `GET /api/reports/fleet.html`: the page the weekly mail carries, as a file (never shown
/// on the portal's own origin: it holds what arrays named).
pub async fn fleet_html(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let report = report_for(&state, &user).await?;
    Ok(download(
        "text/html; charset=utf-8",
        render::HTML_FILE_NAME,
        render::html(&report),
    ))
}

fn download(content_type: &'static str, file_name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}
