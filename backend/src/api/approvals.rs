//! `/api/approvals`: changes waiting for a second person, approved (and then run as their
//! requester) or rejected by someone else with at least the requester's role.

use apalis::prelude::{BoxDynError, Data};
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRef, Path, State};
use axum::http::{HeaderValue, Method, Request, header};
use axum::response::{IntoResponse, Response};
use shared::api::{
    Action, ApiError, ApprovalDecision, ApprovalRequest, ApprovalState, Approvals, CSRF_HEADER,
    CSRF_HEADER_VALUE, MaintenanceWindow, validate_reason, validate_window,
};
use tower::ServiceExt;

use super::extract::ApiJson;
use crate::approvals::{ApprovedRun, HeldChanges, check_approver, covers, may_decide, open};
use crate::clock::unix_now_ms;
use crate::db::{AuditRecord, Claim, Ending, NewAuditRecord, StoredApproval, WINDOW_MISSED};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::jobs::ScheduledChangeJob;
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
    let may_cancel = recent
        .iter()
        .filter(|request| {
            request.state == ApprovalState::Scheduled && check_canceller(&user, request).is_ok()
        })
        .map(|request| request.id)
        .collect();
    Ok(Json(Approvals {
        actions: state
            .approvals
            .held()
            .map(|action| action.name().to_owned())
            .collect(),
        waiting_for_you,
        recent,
        may_cancel,
    }))
}

/// Whether `user` may cancel `request`'s window: its requester, or someone who may decide it.
fn check_canceller(user: &CurrentUser, request: &ApprovalRequest) -> Result<(), AppError> {
    // A requester's token limited to other arrays or a lower role does not reach it.
    if request.requester == user.user.username
        && user.user.role >= request.requester_role
        && covers(user, request).is_ok()
    {
        return Ok(());
    }
    check_approver(user, request).map_err(|_| {
        AppError::Forbidden(
            "Only the requester, or someone who may decide the change, cancels its window.".into(),
        )
    })
}

/// A window's times as the mail to the requester gives them.
fn window_words(window: MaintenanceWindow) -> String {
    format!(
        "from {} to {}",
        shared::time::format_rfc3339_ms(window.starts_at_ms),
        shared::time::format_rfc3339_ms(window.ends_at_ms())
    )
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
    let window = match (decision.window, to) {
        (None, _) => None,
        (Some(window), ApprovalState::Running) => {
            validate_window(window, now).map_err(AppError::Invalid)?;
            if state.notifier.is_none() {
                return Err(AppError::Conflict(
                    "This portal runs no job queue, so a change cannot wait for a window.".into(),
                ));
            }
            Some(window)
        }
        (Some(_), _) => {
            return Err(AppError::Invalid(ApiError::for_field(
                "window",
                "Only an approval runs in a window.",
            )));
        }
    };
    let to = if window.is_some() {
        ApprovalState::Scheduled
    } else {
        to
    };
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
    let detail = match (window, comment) {
        (Some(window), Some(comment)) => Some(format!(
            "{}. Their comment: \"{comment}\"",
            window_words(window)
        )),
        (Some(window), None) => Some(window_words(window)),
        (None, comment) => comment.map(str::to_owned),
    };
    let announcement = match (&state.notifier, to) {
        (Some(notifier), ApprovalState::Rejected | ApprovalState::Scheduled) => {
            notifier
                .approval_decided(
                    &stored.request,
                    stored.requester_id,
                    &user.user.username,
                    to,
                    detail.as_deref(),
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
            window,
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
    if let (Some(window), Some(notifier)) = (window, &state.notifier) {
        let job = ScheduledChangeJob { approval_id: id };
        // Should this fail, the leader queues the change again once its window begins.
        if let Err(error) = notifier
            .jobs
            .push(
                job,
                &format!("scheduled-change-{id}"),
                until(window.starts_at_ms, now),
            )
            .await
        {
            tracing::warn!(%error, id, "cannot queue a scheduled change now");
        }
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

/// `POST /api/approvals/{approval}/cancel`: a scheduled change never runs.
pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ApprovalRequest>, AppError> {
    let now = unix_now_ms();
    let stored = state
        .db
        .approval(id, now)
        .await?
        .filter(|stored| visible(&user, &stored.request))
        .ok_or_else(|| AppError::NotFound(format!("There is no request #{id}.")))?;
    check_canceller(&user, &stored.request)?;
    let not_scheduled = |current: ApprovalState| {
        AppError::Conflict(format!(
            "Request #{id} is {}: only a change waiting for its window can be cancelled.",
            current.as_str()
        ))
    };
    if stored.request.state != ApprovalState::Scheduled {
        return Err(not_scheduled(stored.request.state));
    }
    let username = &user.user.username;
    let announcement = match &state.notifier {
        Some(notifier) if *username != stored.request.requester => {
            notifier
                .approval_decided(
                    &stored.request,
                    stored.requester_id,
                    username,
                    ApprovalState::Cancelled,
                    None,
                )
                .await?
        }
        _ => None,
    };
    let ended = state
        .db
        .end_scheduled(
            id,
            Ending::CancelledBy(username),
            announcement.as_ref(),
            now,
        )
        .await?;
    let current = state
        .db
        .approval(id, unix_now_ms())
        .await?
        .map(|stored| stored.request)
        .ok_or_else(|| AppError::Internal(format!("request #{id} vanished")))?;
    if ended == Claim::Lost {
        return Err(not_scheduled(current.state));
    }
    if let Some(notifier) = &state.notifier {
        notifier.relay_soon();
    }
    Ok(Json(current))
}

/// Starts this process's worker for scheduled changes: it takes each change's job, whoever
/// queued it.
pub fn run_scheduled_changes(state: &AppState) {
    let Some(notifier) = &state.notifier else {
        return;
    };
    let worker = format!("flashdeck-changes-{}", uuid::Uuid::new_v4().simple());
    notifier
        .jobs
        .spawn_worker(worker, state.clone(), run_scheduled_job);
}

async fn run_scheduled_job(
    job: ScheduledChangeJob,
    state: Data<AppState>,
) -> Result<(), BoxDynError> {
    run_scheduled(&state, job.approval_id)
        .await
        .map_err(|error| Box::new(error) as BoxDynError)
}

/// Runs a scheduled change whose window is open, once, however many jobs name it, if its
/// approver may still decide it; otherwise, or once its window has passed, it ends unrun,
/// audited, and its requester is told. A job that comes before the window queues itself again.
pub async fn run_scheduled(state: &AppState, id: i64) -> Result<(), AppError> {
    let now = unix_now_ms();
    let Some(stored) = state.db.approval(id, now).await? else {
        return Ok(());
    };
    let request = &stored.request;
    let (ApprovalState::Scheduled, Some(window)) = (request.state, request.window) else {
        return Ok(());
    };
    if now < window.starts_at_ms {
        if let Some(notifier) = &state.notifier {
            notifier
                .jobs
                .push(
                    ScheduledChangeJob { approval_id: id },
                    &format!("scheduled-change-{id}-early-{now}"),
                    until(window.starts_at_ms, now),
                )
                .await
                .map_err(|error| AppError::Internal(error.to_string()))?;
        }
        return Ok(());
    }
    let decided_by = request.decided_by.clone().unwrap_or_default();
    let why_not = if now >= window.ends_at_ms() {
        Some(WINDOW_MISSED.to_owned())
    } else if !approver_still_decides(state, request, &decided_by).await? {
        Some(format!(
            "{decided_by}, who approved it, may no longer decide it, so it did not run."
        ))
    } else {
        None
    };
    match why_not {
        Some(why) => end_unrun(state, &stored, &decided_by, &why, now).await?,
        None => {
            if state.db.start_scheduled(id, now).await? == Claim::Won {
                execute(state, &stored, &decided_by).await?;
            }
        }
    }
    if let Some(notifier) = &state.notifier {
        notifier.relay_soon();
    }
    Ok(())
}

/// Whether `decided_by` may still decide `request` as they did when they approved it: enabled,
/// with the requester's role or a higher one, and every array it touches in their scope.
async fn approver_still_decides(
    state: &AppState,
    request: &ApprovalRequest,
    decided_by: &str,
) -> Result<bool, AppError> {
    Ok(state
        .db
        .user_by_name(decided_by)
        .await?
        .is_some_and(|approver| {
            !approver.disabled
                && may_decide(
                    &approver,
                    &request.requester,
                    request.requester_role,
                    request.array.as_deref(),
                )
        }))
}

/// How long from `now_ms` until `at_ms`, rounded up to the whole second the job queue counts
/// in, so that a job never comes before it.
fn until(at_ms: i64, now_ms: i64) -> std::time::Duration {
    let ms = u64::try_from(at_ms - now_ms).unwrap_or(0);
    std::time::Duration::from_secs(ms.div_ceil(1000))
}

/// Ends a scheduled change unrun because of `why`: recorded failed, told to its requester
/// and audited as `approval.run`.
async fn end_unrun(
    state: &AppState,
    stored: &StoredApproval,
    decided_by: &str,
    why: &str,
    now: i64,
) -> Result<(), AppError> {
    let request = &stored.request;
    let announcement = match &state.notifier {
        Some(notifier) => notifier
            .approval_decided(
                request,
                stored.requester_id,
                decided_by,
                ApprovalState::Failed,
                Some(why),
            )
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, id = request.id, "cannot write the requester's mail");
                None
            }),
        None => None,
    };
    if state
        .db
        .end_scheduled(request.id, Ending::Failed(why), announcement.as_ref(), now)
        .await?
        == Claim::Won
    {
        audit_unrun(state, request, 409, why).await?;
    }
    Ok(())
}

/// Records in the audit log that an approved change did not run, and why: nothing reached
/// the gate, which audits every change that does.
async fn audit_unrun(
    state: &AppState,
    request: &ApprovalRequest,
    status: u16,
    why: &str,
) -> Result<(), AppError> {
    let now = unix_now_ms();
    state
        .db
        .write_finished_audit(
            &NewAuditRecord {
                started_at_ms: now,
                username: request.requester.clone(),
                token: None,
                array: request.array.clone(),
                action: Action::ApprovalRun.name().to_owned(),
                target: request.id.to_string(),
                parameters: serde_json::json!({"approval": request.id, "action": request.action})
                    .to_string(),
                request_id: uuid::Uuid::new_v4().to_string(),
            },
            &AuditRecord {
                success: false,
                status,
                message: Some(why.to_owned()),
                duration_ms: 0,
            },
        )
        .await?;
    Ok(())
}

/// `POST /api/approvals/{approval}/approve`: runs the change, as its requester, once; or,
/// given a window, once when the window begins.
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
        Err(error) => {
            audit_unrun(state, request, error.status().as_u16(), &error.to_string()).await?;
            error.into_response()
        }
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
