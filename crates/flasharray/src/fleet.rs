//! What a fleet view reads of an array: space and performance (now or over a window of
//! history), alerts, how many objects of a kind it holds, and a page of any list.

use reqwest::Method;
use serde::de::{DeserializeOwned, IgnoredAny};
use shared::flasharray::{
    Alert, AlertPatch, ArraySpace, HistoryWindow, ListResponse, Performance, VolumeSpace,
};

use crate::client::ArrayClient;
use crate::error::Error;
use crate::list::ListParams;

fn window_params(window: Option<&HistoryWindow>) -> Vec<(&'static str, String)> {
    window
        .map(|window| window.params().to_vec())
        .unwrap_or_default()
}

fn volume_params(name: &str, window: &HistoryWindow) -> Vec<(&'static str, String)> {
    let mut params = window.params().to_vec();
    params.push(("names", name.to_owned()));
    params
}

impl ArrayClient {
    /// `GET /arrays/space`: the present figures, or one per sample of `window`.
    pub async fn array_space(
        &self,
        window: Option<&HistoryWindow>,
    ) -> Result<Vec<ArraySpace>, Error> {
        self.read("arrays/space", &window_params(window)).await
    }

    /// `GET /arrays/performance`: the present load, or one figure per sample of `window`.
    pub async fn array_performance(
        &self,
        window: Option<&HistoryWindow>,
    ) -> Result<Vec<Performance>, Error> {
        self.read("arrays/performance", &window_params(window))
            .await
    }

    /// `GET /volumes/space?names=NAME` over `window`.
    pub async fn volume_space_history(
        &self,
        name: &str,
        window: &HistoryWindow,
    ) -> Result<Vec<VolumeSpace>, Error> {
        let query = volume_params(name, window);
        self.read("volumes/space", &query).await
    }

    /// `GET /volumes/performance?names=NAME` over `window`.
    pub async fn volume_performance_history(
        &self,
        name: &str,
        window: &HistoryWindow,
    ) -> Result<Vec<Performance>, Error> {
        let query = volume_params(name, window);
        self.read("volumes/performance", &query).await
    }

    /// `GET /alerts` with a filter, a sort and a page.
    pub async fn list_alerts(&self, query: &ListParams) -> Result<ListResponse<Alert>, Error> {
        self.list_page("alerts", query).await
    }

    /// `PATCH /alerts?names=NAME`: flags or unflags one alert.
    pub async fn flag_alert(&self, name: &str, flagged: bool) -> Result<Alert, Error> {
        self.named(Method::PATCH, "alerts", name, Some(&AlertPatch { flagged }))
            .await
    }

    /// One page of the list at `path` (such as `volume-snapshots`), as the array filters,
    /// orders and cuts it.
    pub async fn list_page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &ListParams,
    ) -> Result<ListResponse<T>, Error> {
        self.call(Method::GET, path, &query.to_params(), None::<&()>)
            .await
    }

    /// How many items the list at `path` holds with `params` (such as `destroyed=true`),
    /// counted by the array without sending them.
    pub async fn count(&self, path: &str, params: &[(&str, String)]) -> Result<u64, Error> {
        let mut query = params.to_vec();
        query.push(("limit", "1".to_owned()));
        query.push(("total_item_count", "true".to_owned()));
        let page: ListResponse<IgnoredAny> =
            self.call(Method::GET, path, &query, None::<&()>).await?;
        Ok(page.total_item_count.unwrap_or(page.items.len() as u64))
    }
}
