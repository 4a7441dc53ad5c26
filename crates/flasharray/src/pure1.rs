//! [`Pure1Client`]: Pure1's public REST API, read-only, with an application id and its
//! private key. It shares the array client's machinery: one token exchange in flight at a
//! time and the access token cached until shortly before it expires, a new one when Pure1
//! refuses it (403), retries of 429 and 503 after `Retry-After`, the same TLS options and the
//! same [`Error`].

use reqwest::Method;
use serde::de::DeserializeOwned;
use shared::flasharray::ListResponse;
use shared::pure1::{
    Aggregation, Alert, Array, MAX_SERIES, MetricHistory, ProtectionGroupSnapshot, Volume,
};

use crate::Credentials;
use crate::client::{ArrayClient, ClientConfig};
use crate::error::Error;
use crate::keys::PrivateKey;
use crate::tls::TrustAnchor;

/// The most pages one listing follows: 100,000 items at Pure1's 1,000 per page.
const MAX_PAGES: usize = 100;

/// A window of metric history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricWindow {
    pub start_ms: i64,
    pub end_ms: i64,
    pub resolution_ms: i64,
}

#[derive(Debug, Clone)]
pub struct Pure1Client {
    inner: ArrayClient,
}

/// Calls to Pure1 that may wait for a turn.
const PURE1_CALLS_WAITING: usize = 4_096;

impl Pure1Client {
    /// A client of Pure1 at `url` (normally [`shared::pure1::DEFAULT_URL`]).
    pub fn new(
        url: &str,
        app_id: &str,
        private_key: PrivateKey,
        trust: TrustAnchor,
    ) -> Result<Self, Error> {
        let credentials = Credentials::Pure1 {
            app_id: app_id.to_owned(),
            private_key,
        };
        let mut config = ClientConfig::new("Pure1", url.trim_end_matches('/'), credentials, trust);
        // One service for the whole portal, not one of many arrays sharing it: its callers
        // queue for a turn (within their own deadlines) rather than being refused.
        config.calls_waiting = PURE1_CALLS_WAITING;
        Ok(Self {
            inner: ArrayClient::new(config)?,
        })
    }

    pub fn url(&self) -> &str {
        self.inner.url()
    }

    /// Token exchanges attempted so far.
    pub fn token_exchanges(&self) -> u64 {
        self.inner.sign_ins()
    }

    /// Every item of collection `path`, following continuation tokens.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        let mut continuation: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut page_query = query.to_vec();
            if let Some(token) = &continuation {
                page_query.push(("continuation_token", format!("'{token}'")));
            }
            let page: ListResponse<T> = self
                .inner
                .call(Method::GET, path, &page_query, None::<&()>)
                .await?;
            items.extend(page.items);
            match page.continuation_token {
                Some(token) if !token.is_empty() => continuation = Some(token),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }

    pub async fn arrays(&self) -> Result<Vec<Array>, Error> {
        self.list_all("arrays", &[]).await
    }

    /// Volumes `filter` selects (Pure1's filter grammar), all when `None`.
    pub async fn volumes(&self, filter: Option<&str>) -> Result<Vec<Volume>, Error> {
        self.list_all("volumes", &filter_query(filter)).await
    }

    pub async fn alerts(&self, filter: Option<&str>) -> Result<Vec<Alert>, Error> {
        self.list_all("alerts", &filter_query(filter)).await
    }

    pub async fn protection_group_snapshots(
        &self,
        filter: Option<&str>,
    ) -> Result<Vec<ProtectionGroupSnapshot>, Error> {
        self.list_all("protection-group-snapshots", &filter_query(filter))
            .await
    }

    /// `metric` on each of `resources` (array or volume names) over `window`, in as many calls
    /// as Pure1's limit of 32 series per call needs.
    pub async fn metric_history(
        &self,
        metric: &str,
        resources: &[String],
        aggregation: Aggregation,
        window: MetricWindow,
    ) -> Result<Vec<MetricHistory>, Error> {
        let mut series = Vec::new();
        for chunk in resources.chunks(MAX_SERIES) {
            let names = chunk
                .iter()
                .map(|name| format!("'{name}'"))
                .collect::<Vec<_>>()
                .join(",");
            let query = [
                ("aggregation", format!("'{}'", aggregation.as_str())),
                ("names", format!("'{metric}'")),
                ("resource_names", names),
                ("start_time", window.start_ms.to_string()),
                ("end_time", window.end_ms.to_string()),
                ("resolution", window.resolution_ms.to_string()),
            ];
            series.extend(
                self.list_all::<MetricHistory>("metrics/history", &query)
                    .await?,
            );
        }
        Ok(series)
    }
}

fn filter_query(filter: Option<&str>) -> Vec<(&'static str, String)> {
    filter
        .map(|filter| vec![("filter", filter.to_owned())])
        .unwrap_or_default()
}
