//! How every list endpoint answers: `names`/`ids` selection, `filter`, `sort` and paging by
//! `limit`, `offset` or continuation token.

use axum::Json;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use serde::Deserialize;
use shared::flasharray::{ListResponse, NEXT_TOKEN_HEADER};

use crate::error::ApiFault;
use crate::fields::{Fields, Projection};
use crate::query::{self, Filter, Lookup, parse_sort};
use crate::routes::extract::{ApiQuery, Call, split_names};
use crate::simulator::Simulator;
use crate::state::ArrayState;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    names: Option<String>,
    ids: Option<String>,
    pub(crate) destroyed: Option<bool>,
    /// Alerts only: flagged or not.
    pub(crate) flagged: Option<bool>,
    filter: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    continuation_token: Option<String>,
    total_item_count: Option<bool>,
}

impl ListQuery {
    /// Whether an object destroyed or not is listed: all are, unless `destroyed` is given.
    pub(crate) fn shows(&self, destroyed: bool) -> bool {
        self.destroyed.is_none_or(|wanted| wanted == destroyed)
    }
}

/// One page of `items`, as `names` or `ids`, `filter`, `sort` and paging select them.
/// `GET` for a collection listed as it is: every object `view` shows, then as [`list`].
pub(crate) fn listing<T: Fields + 'static>(
    view: fn(&ArrayState) -> Vec<T>,
    kind: &'static str,
    name_and_id: fn(&T) -> (&str, &str),
) -> MethodRouter<Simulator> {
    get(
        move |call: Call, ApiQuery(query): ApiQuery<ListQuery>| async move {
            let items = view(&call.lock());
            list(items, &query, kind, name_and_id)
        },
    )
}

pub(crate) fn list<T: Fields>(
    items: Vec<T>,
    query: &ListQuery,
    kind: &str,
    name_and_id: impl Fn(&T) -> (&str, &str),
) -> Result<Response, ApiFault> {
    page(select(items, query, name_and_id, kind)?, query, kind)
}

/// Keeps the items `names` or `ids` select; every named one must exist, as on an array.
/// `name_and_id` gives an item's name and id.
pub(crate) fn select<T>(
    items: Vec<T>,
    query: &ListQuery,
    name_and_id: impl Fn(&T) -> (&str, &str),
    kind: &str,
) -> Result<Vec<T>, ApiFault> {
    if query.names.is_some() && query.ids.is_some() {
        return Err(ApiFault::invalid("names and ids cannot be given together."));
    }
    let mut selected = items;
    if let Some(names) = split_names(query.names.as_deref()) {
        if let Some(missing) = names.iter().find(|name| {
            !selected
                .iter()
                .any(|item| name_and_id(item).0 == name.as_str())
        }) {
            return Err(ApiFault::bad_request(
                missing.clone(),
                format!("{kind} does not exist."),
            ));
        }
        selected.retain(|item| names.iter().any(|name| name == name_and_id(item).0));
    }
    if let Some(ids) = split_names(query.ids.as_deref()) {
        selected.retain(|item| ids.iter().any(|id| id == name_and_id(item).1));
    }
    Ok(selected)
}

/// Applies `filter` and `sort`, then one page of `limit` from `offset` or the continuation
/// token, as every list endpoint answers.
pub(crate) fn page<T: Fields>(
    selected: Vec<T>,
    query: &ListQuery,
    kind: &str,
) -> Result<Response, ApiFault> {
    let start = match &query.continuation_token {
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| ApiFault::invalid(format!("Invalid continuation_token: {token}")))?,
        None => query.offset.unwrap_or(0),
    };
    if query.limit == Some(0) {
        return Err(ApiFault::invalid("limit must be at least 1."));
    }
    let needed = query.limit.map(|limit| start.saturating_add(limit));
    let (selected, total) = filter_and_sort(selected, query, kind, needed)?;
    let end = query
        .limit
        .map_or(total, |limit| start.saturating_add(limit).min(total));
    let more = end < total;
    let items: Vec<T> = selected
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect();
    // Arrays hand out continuation tokens only for unsorted lists; sorted ones page by offset.
    let next_token = (more && query.sort.is_none()).then(|| end.to_string());
    let body = ListResponse {
        continuation_token: next_token.clone(),
        more_items_remaining: Some(more),
        total_item_count: query
            .total_item_count
            .unwrap_or(false)
            .then_some(total as u64),
        items,
    };
    let mut response = Json(body).into_response();
    if let Some(token) = next_token.and_then(|token| HeaderValue::from_str(&token).ok()) {
        response.headers_mut().insert(NEXT_TOKEN_HEADER, token);
    }
    Ok(response)
}

/// Applies `filter` and `sort`, evaluated on each item's JSON form. A field that no item has
/// is refused, as arrays refuse it, rather than silently matching nothing.
///
/// Returns the items and how many matched. Only the first `needed` items (all when `None`)
/// come out, in order: a page of 100 out of
/// 100,000 does not need the rest sorted. Ties keep the list's order, so pages never overlap.
fn filter_and_sort<T: Fields>(
    items: Vec<T>,
    query: &ListQuery,
    kind: &str,
    needed: Option<usize>,
) -> Result<(Vec<T>, usize), ApiFault> {
    if query.filter.is_none() && query.sort.is_none() {
        let total = items.len();
        return Ok((items, total));
    }
    let filter = query
        .filter
        .as_deref()
        .map(Filter::parse)
        .transpose()
        .map_err(|reason| ApiFault::invalid(format!("Invalid filter: {reason}.")))?;
    let sort = query
        .sort
        .as_deref()
        .map(parse_sort)
        .transpose()
        .map_err(|reason| ApiFault::invalid(format!("Invalid sort: {reason}.")))?
        .unwrap_or_default();
    let fields: Vec<&str> = filter
        .iter()
        .flat_map(Filter::fields)
        .chain(sort.iter().map(|key| key.field.as_str()))
        .collect();
    // Each item is projected and tested at once, and only matches keep their projection, so
    // a filter over thousands of items holds a few of them, not all.
    let mut seen = vec![false; fields.len()];
    let mut listed_any = false;
    let mut rows: Vec<(Projection, T)> = Vec::new();
    for item in items {
        let projection = item.project(&fields);
        listed_any = true;
        for (known, field) in seen.iter_mut().zip(&fields) {
            *known = *known || projection.lookup(field).is_some();
        }
        if filter
            .as_ref()
            .is_none_or(|filter| filter.matches(&projection))
        {
            rows.push((projection, item));
        }
    }
    if listed_any && let Some((_, field)) = seen.iter().zip(&fields).find(|(known, _)| !**known) {
        return Err(ApiFault::invalid(format!(
            "Invalid field {field}: {kind} objects have no such field."
        )));
    }
    let total = rows.len();
    if !sort.is_empty() {
        let order = |(a, a_position): &(Projection, usize),
                     (b, b_position): &(Projection, usize)| {
            query::compare_by(&sort, a, b).then(a_position.cmp(b_position))
        };
        let mut keyed: Vec<((Projection, usize), T)> = rows
            .into_iter()
            .enumerate()
            .map(|(position, (json, item))| ((json, position), item))
            .collect();
        match needed {
            Some(needed) if needed < keyed.len() => {
                keyed.select_nth_unstable_by(needed, |(a, _), (b, _)| order(a, b));
                keyed.truncate(needed);
            }
            _ => {}
        }
        keyed.sort_unstable_by(|(a, _), (b, _)| order(a, b));
        return Ok((keyed.into_iter().map(|(_, item)| item).collect(), total));
    }
    Ok((rows.into_iter().map(|(_, item)| item).collect(), total))
}
