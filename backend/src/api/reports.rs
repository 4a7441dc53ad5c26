//! `/api/reports`: the capacity and protection report of the arrays in the caller's scope,
//! as JSON, CSV or an HTML page, each asked of the arrays afresh.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::api::FleetReport;

use super::fleet::clients_in_scope;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::reports::limiter::{Refusal, Turn};
use crate::reports::{REPORT_DEADLINE, fleet_report, render};
use crate::state::AppState;

/// How long a request waits for a turn to make its report.
const TURN_WAIT: Duration = Duration::from_secs(5);

/// One of the few turns the portal gives at once to make a report (each asks every array
/// for every volume), one at a time for each person.
pub(super) async fn report_turn<'a>(
    state: &'a AppState,
    user: &CurrentUser,
) -> Result<Turn<'a>, AppError> {
    state
        .reports
        .turn(user.user.id, TURN_WAIT)
        .await
        .map_err(|refusal| {
            AppError::Busy(match refusal {
                Refusal::Yours => "Your previous report is still being made: wait for it.".into(),
                Refusal::Busy => "Other reports are being made now: try again in a minute.".into(),
            })
        })
}

/// Made for `user`, in a turn of theirs.
async fn report_for(state: &AppState, user: &CurrentUser) -> Result<FleetReport, AppError> {
    let _turn = report_turn(state, user).await?;
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
