//! The two-person rule. The gate hands a change whose action `[approvals] actions` names to
//! [`queue`], which records it with its reason instead of running it; when someone else with at
//! least the requester's role approves it, [`execute`] sends the same request through the API
//! again, as the requester, and records how it ended.

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, header};
use axum::response::{IntoResponse, Response};
use shared::api::{ApiError, ApprovalRequest, CSRF_HEADER, CSRF_HEADER_VALUE, validate_reason};
use tower::ServiceExt;

use crate::clock::unix_now_ms;
use crate::db::{NewApproval, StoredApproval};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// Marks a request the portal sends itself to run an approved change: only the server can put
/// it in a request's extensions, never a client.
#[derive(Debug, Clone)]
pub struct ApprovedRun {
    pub approval: i64,
    pub requester: crate::db::User,
    /// The personal API token the change was asked with: it runs within its limits.
    pub token: Option<crate::db::TokenGrant>,
}

/// What is known of a change the gate holds back.
#[derive(Debug)]
pub struct HeldChange<'a> {
    pub user: &'a CurrentUser,
    pub action: &'a str,
    pub method: &'a Method,
    /// The path under `/api`, with its query.
    pub path: String,
    pub body: &'a [u8],
    pub reason: Option<&'a str>,
    pub array: Option<String>,
    pub target: String,
    pub parameters: String,
}

/// The actions a change amounts to for the two-person rule: its own, and the eradication it
/// performs when it comes through the recycle bin, so that it is no way around a rule on
/// `volume.eradicate` and its kin. (An array's REST root says the same in its table.)
pub fn amounts_to(action: &'static str, body: &serde_json::Value) -> Vec<&'static str> {
    let eradicated = match action {
        "recycle_bin.eradicate" => body
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .and_then(|kind| match kind {
                "volume" => Some("volume.eradicate"),
                "snapshot" => Some("snapshot.eradicate"),
                "protection_group" => Some("protection_group.eradicate"),
                "protection_group_snapshot" => Some("protection_group_snapshot.eradicate"),
                _ => None,
            }),
        _ => None,
    };
    let mut actions: Vec<&'static str> = std::iter::once(action).chain(eradicated).collect();
    // The array eradicates a protection group's snapshots with it.
    if actions.contains(&"protection_group.eradicate") {
        actions.push("protection_group_snapshot.eradicate");
    }
    actions
}

/// The most requests one person may have waiting, so nobody can fill the queue.
const MAX_PENDING_PER_REQUESTER: i64 = 50;

/// A body kept until the change runs, sealed when the portal has a secret key (a password
/// reset's body holds the password).
const SEALED: &str = "sealed:";

fn seal(state: &AppState, id_hint: &str, body: &[u8]) -> Result<String, AppError> {
    let text = String::from_utf8_lossy(body).into_owned();
    match &state.secret_key {
        Some(key) => key
            .seal(&text, id_hint)
            .map(|sealed| format!("{SEALED}{sealed}"))
            .map_err(|error| AppError::Internal(format!("cannot seal a held change: {error}"))),
        None => Ok(text),
    }
}

fn open(state: &AppState, id_hint: &str, stored: &str) -> Result<String, AppError> {
    match (stored.strip_prefix(SEALED), &state.secret_key) {
        (None, _) => Ok(stored.to_owned()),
        (Some(sealed), Some(key)) => key
            .open(sealed, id_hint)
            .map_err(|error| AppError::Internal(format!("cannot open a held change: {error}"))),
        (Some(_), None) => Err(AppError::Internal(
            "a held change was sealed with a secret key the portal no longer has".into(),
        )),
    }
}

/// Records `change` as waiting for approval.
pub async fn queue(state: &AppState, change: HeldChange<'_>) -> Result<ApprovalRequest, AppError> {
    validate_reason("reason", change.reason, true).map_err(AppError::Invalid)?;
    let now = unix_now_ms();
    let user = &change.user.user;
    if state.db.count_pending_approvals_of(user.id, now).await? >= MAX_PENDING_PER_REQUESTER {
        return Err(AppError::Conflict(format!(
            "You have {MAX_PENDING_PER_REQUESTER} requests waiting for approval; wait for decisions before asking for more."
        )));
    }
    let approval = NewApproval {
        requester_id: user.id,
        requester: user.username.clone(),
        requester_role: user.role,
        api_token_id: change.user.api_token().map(|grant| grant.id),
        action: change.action.to_owned(),
        method: change.method.as_str().to_owned(),
        body: seal(state, change.action, change.body)?,
        path: change.path,
        array: change.array,
        target: change.target,
        parameters: change.parameters,
        reason: change.reason.unwrap_or_default().trim().to_owned(),
        created_at_ms: now,
        expires_at_ms: now + i64::from(state.approvals.expiry_hours) * 3_600_000,
    };
    let id = state.db.create_approval(&approval).await?;
    tracing::info!(id, action = change.action, requester = %user.username, "change held for approval");
    let stored = state
        .db
        .approval(id, now)
        .await?
        .ok_or_else(|| AppError::Internal("a held change vanished".into()))?;
    Ok(stored.request)
}

/// Whether `approver` may decide `request`: someone else, with at least the requester's role,
/// whose scope covers every array the change touches (a change that names no array may touch
/// any, so only someone with every array decides it).
pub fn check_approver(approver: &CurrentUser, request: &ApprovalRequest) -> Result<(), AppError> {
    if approver.user.username == request.requester {
        return Err(AppError::Forbidden(
            "You asked for this change; another person must decide on it.".into(),
        ));
    }
    if approver.user.role < request.requester_role {
        return Err(AppError::Forbidden(format!(
            "{} asked as {}: deciding needs that role or a higher one.",
            request.requester,
            request.requester_role.as_str()
        )));
    }
    covers(approver, request)
}

/// Whether `user`'s scope covers every array `request` touches: its arrays, or all of them
/// when it names none.
pub fn covers(user: &CurrentUser, request: &ApprovalRequest) -> Result<(), AppError> {
    match &request.array {
        Some(arrays) => arrays
            .split(',')
            .try_for_each(|array| user.require_array(array)),
        None if user.user.arrays.is_none() => Ok(()),
        None => Err(AppError::Forbidden(format!(
            "{} may not use every array, and this change is not about one array.",
            user.user.username
        ))),
    }
}

/// Runs an approved change as its requester, through the same routes and gate as any request
/// (so the requester's current role and scope still apply), and records the outcome.
pub async fn execute(state: &AppState, stored: &StoredApproval) -> Result<(), AppError> {
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
    state
        .db
        .finish_approval(
            request.id,
            status.is_success(),
            status.as_u16(),
            message.as_deref(),
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
    let body = open(state, &request.action, &stored.body)?;
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
    });
    let router = axum::Router::new()
        .nest("/api", crate::api::router(state))
        .with_state(state.clone());
    router
        .oneshot(replay)
        .await
        .map_err(|error| AppError::Internal(format!("replay failed: {error}")))
}
