//! What handlers share: the JSON body extractor, the array a request is about, a table's
//! page as the array's list parameters, and an array's refusal tied to a form field.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use flasharray::{ArrayClient, ListParams};
use serde::de::DeserializeOwned;
use shared::api::{ApiError, Identity};

use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::state::AppState;

/// A JSON body whose rejection is an [`ApiError`] like every other error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(|rejection| {
                AppError::Invalid(ApiError::new(format!(
                    "Invalid request body: {}",
                    rejection.body_text()
                )))
            })
    }
}

/// The registered array `name` as `user` reaches it: refused outside the user's scope, a
/// 404 that names it if there is none, and acting as the user on an array set up for
/// per-user identity.
/// The most items one page of a list may hold.
pub(super) const MAX_PAGE: u32 = 1000;

/// The longest name part a list may be searched for: longer than any object name.
pub(super) const MAX_SEARCH_LEN: usize = 255;

/// A table's page as the array's list parameters: the search as a name filter, the sort key
/// as the array's field (through `sort_field`), the page cut to at most [`MAX_PAGE`].
pub(super) fn table_page(
    sort: Option<&str>,
    sort_field: fn(&str) -> Result<String, ApiError>,
    search: Option<&str>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<ListParams, AppError> {
    let sort = sort
        .map(sort_field)
        .transpose()
        .map_err(AppError::Invalid)?;
    let filter = search
        .filter(|search| !search.trim().is_empty())
        .map(search_filter)
        .transpose()?;
    Ok(ListParams {
        filter,
        sort,
        limit: Some(limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE)),
        offset,
        total_item_count: true,
    })
}

/// A name search as an array filter: `name='*text*'`, matched ignoring case by the array.
pub(super) fn search_filter(search: &str) -> Result<String, AppError> {
    let text = search.trim();
    if text.len() > MAX_SEARCH_LEN {
        return Err(AppError::Invalid(ApiError::for_field(
            "search",
            format!("Search for at most {MAX_SEARCH_LEN} characters."),
        )));
    }
    if text.contains(['\'', '"', '*', '\\']) {
        return Err(AppError::Invalid(ApiError::for_field(
            "search",
            "Search for letters, digits and '-' only.",
        )));
    }
    Ok(format!("name='*{text}*'"))
}

pub(super) fn array(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
) -> Result<ArrayClient, AppError> {
    user.require_array(name)?;
    let entry = state
        .arrays
        .get(name)
        .ok_or_else(|| AppError::NotFound(format!("No array named {name} is registered.")))?;
    match entry.summary.identity {
        Identity::Service => Ok(entry.client.clone()),
        Identity::PerUser => Ok(entry.client.as_user(user.user.identity_on_arrays())?),
    }
}

/// An array's refusal, tied to `field` when the array names one of `objects` as its context
/// (arrays put the refused object's name there), so the UI shows it next to that field.
pub(super) fn refusal_about(
    error: flasharray::Error,
    objects: &[String],
    field: &'static str,
) -> AppError {
    let about = error.array_errors().iter().any(|item| {
        item.context.as_deref().is_some_and(|context| {
            objects
                .iter()
                .any(|object| context.eq_ignore_ascii_case(object))
        })
    });
    AppError::Array {
        error,
        field: about.then_some(field),
    }
}

/// The array a request's path names, as its caller reaches it: the name, the client (acting
/// as the caller on an array set up for per-user identity) and the caller. Refused outside
/// the caller's scope, and a 404 naming it when no such array is registered.
pub struct OnArray {
    pub array: String,
    pub client: ArrayClient,
    pub user: CurrentUser,
}

impl FromRequestParts<AppState> for OnArray {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| AppError::Internal(rejection.body_text()))?;
        let array = params
            .iter()
            .find_map(|(key, value)| (key == "array").then(|| value.to_owned()))
            .ok_or_else(|| AppError::Internal(format!("{} names no array", parts.uri.path())))?;
        let client = self::array(state, &user, &array)?;
        Ok(OnArray {
            array,
            client,
            user,
        })
    }
}
