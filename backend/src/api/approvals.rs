//! `/api/approvals`: changes waiting for a second person, approved (and then run as their
//! requester) or rejected by someone else with at least the requester's role.

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRef, Path, State};
use axum::http::{HeaderValue, Method, Request, header};
use axum::response::{IntoResponse, Response};
use shared::api::{
    ApiError, ApprovalDecision, ApprovalRequest, ApprovalState, Approvals, CSRF_HEADER,
    CSRF_HEADER_VALUE, validate_reason,
};
use tower::ServiceExt;

use super::extract::ApiJson;
use crate::approvals::{ApprovedRun, HeldChanges, check_approver, covers, open};
use crate::clock::unix_now_ms;
use crate::db::{Claim, StoredApproval};
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
        actions: state
            .approvals
            .held()
            .map(|action| action.name().to_owned())
            .collect(),
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
    let announcement = match (&state.notifier, to) {
        (Some(notifier), ApprovalState::Rejected) => {
            notifier
                .approval_decided(
                    &stored.request,
                    stored.requester_id,
                    &user.user.username,
                    to,
                    comment,
                )
                .await?
        }
        _ => None,
    };
    let claim = state
        .db
        .claim_approval(
            id,
            to,
            &user.user.username,
            comment,
            now,
            announcement.as_ref(),
        )
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
        execute(state, &stored, &user.user.username).await?;
    }
    if let Some(notifier) = &state.notifier {
        notifier.relay_soon();
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

/// Runs an approved change as its requester, through the same routes and gate as any request
/// (so the requester's current role and scope still apply), and records the outcome.
async fn execute(
    state: &AppState,
    stored: &StoredApproval,
    decided_by: &str,
) -> Result<(), AppError> {
    let request = &stored.request;
    let outcome = match run(state, stored).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    let status = outcome.status();
    let bytes = axum::body::to_bytes(outcome.into_body(), 1024 * 1024)
        .await
        .unwrap_or_default();
    let message = (!status.is_success()).then(|| {
        serde_json::from_slice::<ApiError>(&bytes)
            .map(|error| error.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned())
    });
    tracing::info!(id = request.id, action = %request.action, status = status.as_u16(), "approved change ran");
    let announcement = match &state.notifier {
        Some(notifier) => {
            let ran = if status.is_success() {
                ApprovalState::Executed
            } else {
                ApprovalState::Failed
            };
            notifier
                .approval_decided(
                    request,
                    stored.requester_id,
                    decided_by,
                    ran,
                    message.as_deref(),
                )
                .await
                // The change ran: its outcome is recorded even if the mail cannot be written.
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, id = request.id, "cannot write the requester's mail");
                    None
                })
        }
        None => None,
    };
    state
        .db
        .finish_approval(
            request.id,
            status.is_success(),
            status.as_u16(),
            message.as_deref(),
            announcement.as_ref(),
            unix_now_ms(),
        )
        .await?;
    Ok(())
}

async fn run(state: &AppState, stored: &StoredApproval) -> Result<Response, AppError> {
    let request = &stored.request;
    let requester = state
        .db
        .user_by_name(&request.requester)
        .await?
        .filter(|user| user.id == stored.requester_id && !user.disabled)
        .ok_or_else(|| {
            AppError::Forbidden(format!(
                "{} can no longer sign in, so their change does not run.",
                request.requester
            ))
        })?;
    let token = match stored.api_token_id {
        Some(id) => Some(
            state
                .db
                .token_grant(id, requester.id)
                .await?
                .filter(|grant| grant.expires_at > crate::clock::unix_now())
                .ok_or_else(|| {
                    AppError::Forbidden(format!(
                        "The API token {} asked with was revoked or has expired, so the change does not run.",
                        request.requester
                    ))
                })?,
        ),
        None => None,
    };
    let body = open(&HeldChanges::from_ref(state), &request.action, &stored.body)?;
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|_| AppError::Internal(format!("a held change's method {}", request.method)))?;
    let mut replay = Request::builder()
        .method(method)
        .uri(format!("/api{}", request.path))
        .header(CSRF_HEADER, HeaderValue::from_static(CSRF_HEADER_VALUE));
    if !body.is_empty() {
        replay = replay.header(header::CONTENT_TYPE, "application/json");
    }
    let mut replay = replay
        .body(Body::from(body))
        .map_err(|error| AppError::Internal(format!("cannot replay a held change: {error}")))?;
    replay.extensions_mut().insert(ApprovedRun {
        approval: request.id,
        requester,
        token,
        arrays: request.array.clone(),
    });
    let router = axum::Router::new()
        .nest("/api", super::router(state))
        .with_state(state.clone());
    router
        .oneshot(replay)
        .await
        .map_err(|error| AppError::Internal(format!("replay failed: {error}")))
}
