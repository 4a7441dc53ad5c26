//! Replication between arrays: the connections that link this array to others.

use reqwest::Method;
use shared::flasharray::{
    ArrayConnection, ArrayConnectionKey, ArrayConnectionPatch, ArrayConnectionPost, ListResponse,
};

use crate::client::ArrayClient;
use crate::error::Error;

impl ArrayClient {
    /// `GET /array-connections`: the arrays this one is connected to, and how.
    pub async fn array_connections(&self) -> Result<Vec<ArrayConnection>, Error> {
        self.read("array-connections", &[]).await
    }

    /// `GET /array-connections/connection-key`: what another array needs to connect to this
    /// one. It is a secret of the array's administrator: pass it on, never show it.
    pub async fn connection_key(&self) -> Result<String, Error> {
        let page: ListResponse<ArrayConnectionKey> =
            self.call_secret("array-connections/connection-key").await?;
        self.single(page, "GET /array-connections/connection-key")
            .map(|key| key.connection_key)
    }

    /// `POST /array-connections`: connects to the array at `connection.management_address`
    /// with the key it handed out. A refusal never repeats the key, even if the array does.
    pub async fn connect_array(
        &self,
        connection: &ArrayConnectionPost,
    ) -> Result<ArrayConnection, Error> {
        let key = connection.connection_key.as_deref().unwrap_or_default();
        let page = self
            .call(Method::POST, "array-connections", &[], Some(connection))
            .await
            .map_err(|error| error.without(key))?;
        self.single(page, "POST /array-connections")
    }

    /// `PATCH /array-connections?names=NAME`.
    pub async fn patch_array_connection(
        &self,
        name: &str,
        patch: &ArrayConnectionPatch,
    ) -> Result<ArrayConnection, Error> {
        self.named(Method::PATCH, "array-connections", name, Some(patch))
            .await
    }

    /// `DELETE /array-connections?names=NAME`: disconnects from the array `name`.
    pub async fn disconnect_array(&self, name: &str) -> Result<(), Error> {
        self.delete_named("array-connections", name).await
    }
}
