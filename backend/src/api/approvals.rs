//! `/api/approvals`: changes waiting for a second person, approved (and then run as their
//! requester) or rejected by someone else with at least the requester's role.

use axum::Json;
use axum::extract::{Path, State};
use shared::api::{ApprovalDecision, ApprovalRequest, ApprovalState, Approvals, validate_reason};

use super::extract::ApiJson;
use crate::approvals::{check_approver, covers, execute};
use crate::clock::unix_now_ms;
use crate::db::Claim;
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// How many recent requests the list shows besides every pending one.
const RECENT: i64 = 200;

/// Whether `user` may see `request`: their own, or one whose arrays their scope covers.
fn visible(user: &CurrentUser, request: &ApprovalRequest) -> bool {
    request.requester == user.user.username || covers(user, request).is_ok()
}

/// `GET /api/approvals`: what waits for the caller, and recent requests they may see.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Approvals>, AppError> {
    let recent: Vec<ApprovalRequest> = state
        .db
        .approvals(RECENT, unix_now_ms())
        .await?
        .into_iter()
        .filter(|request| visible(&user, request))
        .collect();
    let waiting_for_you = recent
        .iter()
        .filter(|request| {
            request.state == ApprovalState::Pending && check_approver(&user, request).is_ok()
        })
        .cloned()
        .collect();
    Ok(Json(Approvals {
        actions: state.approvals.held().map(str::to_owned).collect(),
        waiting_for_you,
        recent,
    }))
}

async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    decision: &ApprovalDecision,
    to: ApprovalState,
) -> Result<ApprovalRequest, AppError> {
    validate_reason("comment", decision.comment.as_deref(), false).map_err(AppError::Invalid)?;
    let now = unix_now_ms();
    let stored = state
        .db
        .approval(id, now)
        .await?
        .filter(|stored| visible(user, &stored.request))
        .ok_or_else(|| AppError::NotFound(format!("There is no request #{id}.")))?;
    check_approver(user, &stored.request)?;
    let comment = decision
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|comment| !comment.is_empty());
    let claim = state
        .db
        .claim_approval(id, to, &user.user.username, comment, now)
        .await?;
    if claim == Claim::Lost {
        let current = state
            .db
            .approval(id, now)
            .await?
            .map(|stored| stored.request.state);
        return Err(AppError::Conflict(match current {
            Some(ApprovalState::Expired) => {
                format!("Request #{id} expired before anyone decided; nothing ran.")
            }
            Some(state) => format!("Request #{id} is already {}.", state.as_str()),
            None => format!("There is no request #{id}."),
        }));
    }
    if to == ApprovalState::Running {
        execute(state, &stored).await?;
    }
    state
        .db
        .approval(id, unix_now_ms())
        .await?
        .map(|stored| stored.request)
        .ok_or_else(|| AppError::Internal(format!("request #{id} vanished")))
}

/// `POST /api/approvals/{approval}/approve`: runs the change, as its requester, once.
pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(decision): ApiJson<ApprovalDecision>,
) -> Result<Json<ApprovalRequest>, AppError> {
    decide(&state, &user, id, &decision, ApprovalState::Running)
        .await
        .map(Json)
}

/// `POST /api/approvals/{approval}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(decision): ApiJson<ApprovalDecision>,
) -> Result<Json<ApprovalRequest>, AppError> {
    decide(&state, &user, id, &decision, ApprovalState::Rejected)
        .await
        .map(Json)
}
