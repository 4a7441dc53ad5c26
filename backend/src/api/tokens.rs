//! `/api/tokens`: personal API tokens, each user's own; admins see and revoke those of the
//! users they administer (everyone's, for an admin of every array).

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use shared::api::{
    ApiError, CreateTokenRequest, CreatedToken, MAX_TOKENS_PER_USER, Role, TokenSummary,
    validate_create_token,
};

use super::extract::ApiJson;
use crate::clock::unix_now;
use crate::db::{DbError, NewToken};
use crate::error::AppError;
use crate::identity::auth::{CurrentUser, new_api_token};
use crate::state::AppState;

/// `GET /api/tokens`: the caller's own tokens.
pub async fn list_own(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<TokenSummary>>, AppError> {
    Ok(Json(state.db.tokens(Some(user.user.id)).await?))
}

/// `GET /api/tokens/all`: the tokens of every user within the admin's scope.
pub async fn list_all(
    State(state): State<AppState>,
    admin: CurrentUser,
) -> Result<Json<Vec<TokenSummary>>, AppError> {
    let administered: HashSet<String> = state
        .db
        .users()
        .await?
        .into_iter()
        .filter(|(user, _)| admin.user.scope_covers(user.arrays.as_deref()))
        .map(|(user, _)| user.username)
        .collect();
    let mut tokens = state.db.tokens(None).await?;
    tokens.retain(|token| administered.contains(&token.username));
    Ok(Json(tokens))
}

/// `POST /api/tokens`: a token with at most the caller's role and arrays, shown this once.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<CreateTokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    if user.api_token().is_some() {
        return Err(AppError::Forbidden(
            "Tokens are created signed in to the portal, not with another token.".into(),
        ));
    }
    validate_create_token(&request, max_days(&state, &user)).map_err(AppError::Invalid)?;
    check_role(&user, request.role)?;
    check_arrays(&state, &user, request.arrays.as_deref())?;
    let held = state.db.count_tokens_of(user.user.id).await?;
    if held >= i64::try_from(MAX_TOKENS_PER_USER).unwrap_or(i64::MAX) {
        return Err(AppError::Invalid(ApiError::for_field(
            "name",
            format!("You hold {MAX_TOKENS_PER_USER} tokens already; revoke one first."),
        )));
    }
    let (token, token_hash) = new_api_token()?;
    let now = unix_now();
    let name = request.name.trim();
    let expires_at = now + i64::from(request.expires_in_days) * 24 * 3600;
    let id = state
        .db
        .create_token(&NewToken {
            user_id: user.user.id,
            name,
            token_hash: &token_hash,
            role: request.role,
            arrays: request.arrays.as_deref(),
            created_at: now,
            expires_at,
        })
        .await
        .map_err(|error| match error {
            DbError::TokenExists(name) => AppError::Invalid(ApiError::for_field(
                "name",
                format!("You already have a token named {name}."),
            )),
            error => error.into(),
        })?;
    let summary = TokenSummary {
        id,
        username: user.user.username.clone(),
        name: name.to_owned(),
        role: request.role,
        arrays: request.arrays,
        created_at: now,
        expires_at,
        last_used_at: None,
        last_used_from: None,
    };
    Ok((StatusCode::CREATED, Json(CreatedToken { token, summary })))
}

/// The longest a token of `user` may last: shorter for the identity provider's users when
/// `[oidc] max_token_days` says, since the provider cannot end a token as it ends a sign-in.
fn max_days(state: &AppState, user: &CurrentUser) -> u32 {
    let portal = state.sessions.config.max_api_token_days;
    match state
        .oidc
        .as_ref()
        .and_then(|oidc| oidc.config.max_token_days)
    {
        Some(days) if user.user.sso_subject.is_some() => portal.min(days),
        _ => portal,
    }
}

/// `DELETE /api/tokens/{token}`: by its holder, or by an admin whose scope covers theirs.
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let owner = state.db.token_owner(id).await?;
    let allowed = owner.is_some_and(|owner| {
        owner.id == user.user.id
            || (user.user.role == Role::Admin && user.user.scope_covers(owner.arrays.as_deref()))
    });
    if !allowed {
        return Err(AppError::NotFound(format!("You hold no token {id}.")));
    }
    state.db.delete_token(id).await?;
    state.sessions.cache.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

fn check_role(user: &CurrentUser, role: Role) -> Result<(), AppError> {
    if role > user.user.role {
        return Err(AppError::Invalid(ApiError::for_field(
            "role",
            format!(
                "A token can have at most your role, {}.",
                user.user.role.as_str()
            ),
        )));
    }
    Ok(())
}

/// A token's arrays must be registered and within its user's scope.
fn check_arrays(
    state: &AppState,
    user: &CurrentUser,
    arrays: Option<&[String]>,
) -> Result<(), AppError> {
    super::users::check_arrays(state, arrays)?;
    match arrays
        .unwrap_or_default()
        .iter()
        .find(|name| !user.user.may_use_array(name))
    {
        Some(name) => Err(AppError::Invalid(ApiError::for_field(
            "arrays",
            format!("You may not use array {name}, so neither may your token."),
        ))),
        None => Ok(()),
    }
}
