//! REST calls passed to the array as a caller wrote them, with this client's credential: the
//! portal's REST root for scripts (`/api/arrays/{array}/rest/`).

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;

use crate::client::Reply;
use crate::{ArrayClient, Error};

/// An array's answer as it came: status, content type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl From<Reply> for PassedReply {
    fn from(reply: Reply) -> Self {
        Self {
            status: reply.status.as_u16(),
            content_type: reply
                .headers
                .get(CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            body: reply.body,
        }
    }
}

/// One call as the caller wrote it: `version` and `path` make `/api/{version}/{path}`, `query`
/// is the raw query string, `body` JSON.
#[derive(Debug, Clone, Copy)]
pub struct PassedCall<'a> {
    pub method: &'a Method,
    pub version: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub body: Option<&'a [u8]>,
}

impl ArrayClient {
    /// `GET /api/api_version`, which arrays answer without a credential.
    pub async fn pass_api_version(&self) -> Result<PassedReply, Error> {
        self.api_version_reply().await.map(PassedReply::from)
    }

    /// The call with this client's credential (renewed once if the array refuses it); the
    /// array's answer, refusals included, as it came.
    pub async fn pass_through(&self, call: PassedCall<'_>) -> Result<PassedReply, Error> {
        let mut url = format!("{}/api/{}/{}", self.url(), call.version, call.path);
        if let Some(query) = call.query.filter(|query| !query.is_empty()) {
            url.push('?');
            url.push_str(query);
        }
        let reply = self
            .authorized_reply(call.method.clone(), &url, |request| match call.body {
                Some(body) => request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec()),
                None => request,
            })
            .await?;
        Ok(reply.into())
    }
}
