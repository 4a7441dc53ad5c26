//! Volumes: list, page through, create, change, eradicate.

use futures_util::{Stream, TryStreamExt, stream};
use reqwest::Method;
use shared::flasharray::{ListResponse, Volume, VolumePatch, VolumePost};

use crate::client::{ArrayClient, RawReply};
use crate::error::Error;
use crate::list::ListParams;

/// Paging and selection for `GET /volumes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeQuery {
    pub names: Vec<String>,
    pub destroyed: Option<bool>,
    /// An array filter expression, such as `name='db*' and provisioned>1073741824`.
    pub filter: Option<String>,
    /// `name`, or `-name` for descending, as the array takes it.
    pub sort: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    /// Where the previous page ended; arrays give one only for unsorted lists.
    pub continuation_token: Option<String>,
    pub total_item_count: bool,
}

impl VolumeQuery {
    /// The query's parameters as the array takes them.
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if !self.names.is_empty() {
            params.push(("names", self.names.join(",")));
        }
        if let Some(destroyed) = self.destroyed {
            params.push(("destroyed", destroyed.to_string()));
        }
        let page = ListParams {
            filter: self.filter.clone(),
            sort: self.sort.clone(),
            limit: self.limit,
            offset: self.offset,
            total_item_count: false,
        };
        params.extend(page.to_params());
        if let Some(token) = &self.continuation_token {
            params.push(("continuation_token", token.clone()));
        }
        if self.total_item_count {
            params.push(("total_item_count", "true".into()));
        }
        params
    }
}

impl ArrayClient {
    /// `GET /volumes`: one page.
    pub async fn list_volumes(&self, query: &VolumeQuery) -> Result<ListResponse<Volume>, Error> {
        self.call(Method::GET, "volumes", &query.params(), None::<&()>)
            .await
    }

    /// `GET /volumes`: one page as the array wrote it, to read in part and pass on.
    pub async fn list_volumes_raw(&self, query: &VolumeQuery) -> Result<RawReply, Error> {
        self.get_raw("volumes", &query.params()).await
    }

    /// Every volume `query` selects, fetched `page_size` at a time as the stream is read:
    /// following the array's continuation token, or by offset when the list is sorted
    /// (arrays give no token then).
    pub fn all_volumes(
        &self,
        query: VolumeQuery,
        page_size: u32,
    ) -> impl Stream<Item = Result<Volume, Error>> + '_ {
        let first = VolumeQuery {
            limit: Some(page_size.max(1)),
            total_item_count: false,
            ..query
        };
        stream::try_unfold(Some(first), move |next| async move {
            let Some(query) = next else { return Ok(None) };
            let page = self.list_volumes(&query).await?;
            let fetched = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
            let following = match (&query.sort, page.continuation_token) {
                (None, Some(token)) if fetched > 0 => Some(VolumeQuery {
                    continuation_token: Some(token),
                    ..query
                }),
                (Some(_), _) if page.more_items_remaining == Some(true) && fetched > 0 => {
                    Some(VolumeQuery {
                        offset: Some(query.offset.unwrap_or(0) + fetched),
                        ..query
                    })
                }
                _ => None,
            };
            Ok(Some((
                stream::iter(page.items.into_iter().map(Ok)),
                following,
            )))
        })
        .try_flatten()
    }

    /// `POST /volumes?names=NAME`: creates a volume of `provisioned` bytes.
    pub async fn create_volume(&self, name: &str, provisioned: u64) -> Result<Volume, Error> {
        let created = self.create_volumes(&[name.to_owned()], provisioned).await?;
        self.single(ListResponse::of(created), "POST /volumes")
    }

    /// `POST /volumes?names=A,B,...`: creates volumes of `provisioned` bytes each, all or
    /// none, as the array does.
    pub async fn create_volumes(
        &self,
        names: &[String],
        provisioned: u64,
    ) -> Result<Vec<Volume>, Error> {
        let body = VolumePost {
            provisioned: Some(provisioned),
            source: None,
        };
        let query = [("names", names.join(","))];
        self.items(Method::POST, "volumes", &query, Some(&body))
            .await
    }

    /// `PATCH /volumes?names=NAME`: renames, resizes, destroys, recovers or sets QoS limits.
    /// Shrinking needs `truncate`, as on the array.
    pub async fn patch_volume(
        &self,
        name: &str,
        patch: &VolumePatch,
        truncate: bool,
    ) -> Result<Volume, Error> {
        let mut query = vec![("names", name.to_owned())];
        if truncate {
            query.push(("truncate", "true".to_owned()));
        }
        let page = self
            .call(Method::PATCH, "volumes", &query, Some(patch))
            .await?;
        self.single(page, "PATCH /volumes")
    }

    /// `DELETE /volumes?names=NAME`: eradicates a destroyed volume. There is no undo.
    pub async fn eradicate_volume(&self, name: &str) -> Result<(), Error> {
        self.delete_named("volumes", name).await
    }
}
