//! Array items passed on as the array wrote them: where the portal adds nothing to a list, its
//! items are borrowed from the array's reply and written once, never read into models and
//! written again.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use flasharray::RawReply;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::AppError;

/// An array's page, its items borrowed from its reply.
#[derive(Deserialize)]
pub struct ArrayPage<'a> {
    #[serde(borrow)]
    pub items: Vec<&'a RawValue>,
    total_item_count: Option<u64>,
}

impl<'a> ArrayPage<'a> {
    pub fn of(reply: &'a RawReply) -> Result<Self, AppError> {
        Ok(reply.decode()?)
    }

    /// The array's count of everything the page was cut from, or the page's own.
    pub fn total_item_count(&self) -> u64 {
        self.total_item_count.unwrap_or(self.items.len() as u64)
    }
}

/// A page as the portal's tables take it (`items`, `total_item_count`).
#[derive(Serialize)]
pub struct TablePage<'a> {
    pub items: &'a [&'a RawValue],
    pub total_item_count: u64,
}

/// `answer` as JSON, written once into a buffer the size of the array's reply it passes on.
pub fn json_answer(answer: &impl Serialize, reply: &RawReply) -> Result<Response, AppError> {
    let mut body = Vec::with_capacity(reply.len() + 1024);
    serde_json::to_writer(&mut body, answer)
        .map_err(|error| AppError::Internal(format!("writing an answer: {error}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
