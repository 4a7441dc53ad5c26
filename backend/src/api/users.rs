//! `/api/users`: portal accounts, for admins. An admin limited to some arrays administers
//! only users limited to some of those: a scope bounds what its holder can hand out too.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::{
    ApiError, CreateUserRequest, UserChange, UserSummary, validate_create_user,
    validate_user_change,
};

use super::extract::ApiJson;
use crate::clock::unix_now;
use crate::db::{DbError, User, UserUpdate};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

fn summary(user: User, sessions: i64) -> UserSummary {
    UserSummary {
        username: user.username,
        role: user.role,
        disabled: user.disabled,
        arrays: user.arrays,
        array_username: user.array_username,
        sessions: u64::try_from(sessions).unwrap_or(0),
    }
}

/// Array names must be registered ones: a typo would silently give no access.
pub(super) fn check_arrays(state: &AppState, arrays: Option<&[String]>) -> Result<(), AppError> {
    for name in arrays.unwrap_or_default() {
        if state.arrays.get(name).is_none() {
            return Err(AppError::Invalid(ApiError::for_field(
                "arrays",
                format!("No array named {name} is registered."),
            )));
        }
    }
    Ok(())
}

/// A scope `admin` may give: within their own.
fn check_scope_given(admin: &CurrentUser, arrays: Option<&[String]>) -> Result<(), AppError> {
    if admin.user.scope_covers(arrays) {
        return Ok(());
    }
    let own = admin.user.arrays.as_deref().unwrap_or_default().join(", ");
    Err(AppError::Invalid(ApiError::for_field(
        "arrays",
        format!("You may only give users some of your own arrays: {own}."),
    )))
}

/// The user named `name`, if `admin`'s scope covers theirs; a user beyond it is not found,
/// as they are not listed.
async fn existing(state: &AppState, admin: &CurrentUser, name: &str) -> Result<User, AppError> {
    state
        .db
        .user_by_name(name)
        .await?
        .filter(|user| admin.user.scope_covers(user.arrays.as_deref()))
        .ok_or_else(|| AppError::NotFound(format!("No user named {name}.")))
}

/// `GET /api/users`: those within the admin's scope.
pub async fn list(
    State(state): State<AppState>,
    admin: CurrentUser,
) -> Result<Json<Vec<UserSummary>>, AppError> {
    let users = state.db.users().await?;
    Ok(Json(
        users
            .into_iter()
            .filter(|(user, _)| admin.user.scope_covers(user.arrays.as_deref()))
            .map(|(user, sessions)| summary(user, sessions))
            .collect(),
    ))
}

/// `POST /api/users`.
pub async fn create(
    State(state): State<AppState>,
    admin: CurrentUser,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserSummary>), AppError> {
    validate_create_user(&request).map_err(AppError::Invalid)?;
    check_arrays(&state, request.arrays.as_deref())?;
    check_scope_given(&admin, request.arrays.as_deref())?;
    let hash = state.passwords.hash(request.password.clone()).await?;
    let user = state
        .db
        .create_scoped_user(
            &request.username,
            &hash,
            request.role,
            request.arrays.as_deref(),
            request.array_username.as_deref(),
            unix_now(),
        )
        .await
        .map_err(|error| match error {
            DbError::UserExists(name) => AppError::Invalid(ApiError::for_field(
                "username",
                format!("A user named {name} already exists."),
            )),
            error => error.into(),
        })?;
    Ok((StatusCode::CREATED, Json(summary(user, 0))))
}

/// `PATCH /api/users/{user}`: role, disabled, password reset, array scope, array username.
/// Disabling a user or resetting their password ends their sessions and revokes their API
/// tokens. The last admin who can sign in cannot be demoted or disabled, so the portal is
/// never left without one.
pub async fn change(
    State(state): State<AppState>,
    admin: CurrentUser,
    Path(name): Path<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<Json<UserSummary>, AppError> {
    validate_user_change(&change).map_err(AppError::Invalid)?;
    if let Some(arrays) = &change.arrays {
        check_arrays(&state, arrays.as_deref())?;
    }
    let user = existing(&state, &admin, &name).await?;
    // One admin alone must not widen or lock out themselves: another admin does it, seen.
    let own_changes = [
        (change.role.is_some_and(|role| role != user.role), "role"),
        (change.disabled == Some(true), "account's state (disabled)"),
        (change.arrays.is_some(), "array scope"),
        (change.array_username.is_some(), "array username"),
    ];
    if user.id == admin.user.id
        && let Some((_, what)) = own_changes.iter().find(|(changes, _)| *changes)
    {
        return Err(AppError::Forbidden(format!(
            "Admins cannot change their own {what}; ask another admin."
        )));
    }
    if let Some(arrays) = &change.arrays {
        check_scope_given(&admin, arrays.as_deref())?;
    }
    let password_hash = match change.password.clone() {
        Some(password) => Some(state.passwords.hash(password).await?),
        None => None,
    };
    let update = UserUpdate {
        role: change.role,
        disabled: change.disabled,
        password_hash,
        arrays: change.arrays.clone(),
        array_username: change.array_username.clone(),
    };
    state
        .db
        .update_user(user.id, &update)
        .await
        .map_err(|error| match error {
            DbError::LastAdmin => AppError::Invalid(ApiError::for_field(
                if change.disabled == Some(true) {
                    "disabled"
                } else {
                    "role"
                },
                format!("{name} is the last admin who can sign in; make another admin first."),
            )),
            error => error.into(),
        })?;
    state.sessions.cache.forget_all();
    let changed = existing(&state, &admin, &name).await?;
    let sessions = state.db.count_sessions_of(changed.id).await?;
    Ok(Json(summary(changed, sessions)))
}

/// `DELETE /api/users/{user}/sessions`: signs the user out everywhere.
pub async fn end_sessions(
    State(state): State<AppState>,
    admin: CurrentUser,
    Path(name): Path<String>,
) -> Result<StatusCode, AppError> {
    let user = existing(&state, &admin, &name).await?;
    state.db.delete_sessions_of(user.id).await?;
    state.sessions.cache.forget_all();
    Ok(StatusCode::NO_CONTENT)
}
