//! The array itself and how clients get in: API clients and administrators' API tokens.

use reqwest::Method;
use shared::flasharray::{
    AdminApiToken, ApiClient, ApiClientPatch, ApiClientPost, Array, ArrayPatch, ListResponse,
};

use crate::auth::ApiClientCredentials;
use crate::client::ArrayClient;
use crate::error::Error;
use crate::keys::PrivateKey;

impl ArrayClient {
    /// `GET /arrays`: the array's name, version and space.
    pub async fn array(&self) -> Result<Array, Error> {
        let page: ListResponse<Array> = self.call(Method::GET, "arrays", &[], None::<&()>).await?;
        self.single(page, "GET /arrays")
    }

    /// `PATCH /arrays`: changes the array's settings, such as its eradication delays.
    pub async fn patch_array(&self, patch: &ArrayPatch) -> Result<Array, Error> {
        let page: ListResponse<Array> =
            self.call(Method::PATCH, "arrays", &[], Some(patch)).await?;
        self.single(page, "PATCH /arrays")
    }

    /// `POST /api-clients?names=NAME`: registers an API client (disabled until enabled).
    pub async fn create_api_client(
        &self,
        name: &str,
        post: &ApiClientPost,
    ) -> Result<ApiClient, Error> {
        self.named(Method::POST, "api-clients", name, Some(post))
            .await
    }

    /// `PATCH /api-clients?names=NAME`: enables or disables an API client.
    pub async fn set_api_client_enabled(
        &self,
        name: &str,
        enabled: bool,
    ) -> Result<ApiClient, Error> {
        let body = ApiClientPatch { enabled };
        self.named(Method::PATCH, "api-clients", name, Some(&body))
            .await
    }

    /// Sets up an API client the way an admin does: generates a key pair, registers the
    /// public half as API client `name`, enables it, and returns what signing ID tokens for
    /// array user `username` needs. Its tokens never carry more than `max_role`
    /// (`storage_admin`; `array_admin` to connect arrays). The private key never leaves this
    /// process.
    pub async fn provision_api_client(
        &self,
        name: &str,
        issuer: &str,
        username: &str,
        max_role: &str,
    ) -> Result<ApiClientCredentials, Error> {
        let (private_key, public_pem) = PrivateKey::generate().map_err(|error| Error::Config {
            array: self.name().to_owned(),
            reason: error.to_string(),
        })?;
        let post = ApiClientPost {
            issuer: issuer.to_owned(),
            public_key: public_pem,
            max_role: max_role.to_owned(),
            access_token_ttl_in_ms: None,
        };
        let registered = self.create_api_client(name, &post).await?;
        self.set_api_client_enabled(name, true).await?;
        Ok(ApiClientCredentials {
            client_id: registered.id,
            key_id: registered.key_id,
            issuer: registered.issuer,
            username: username.to_owned(),
            private_key,
        })
    }

    /// `POST /admins/api-tokens?names=ADMIN`: a new API token for an administrator.
    pub async fn create_api_token(&self, admin: &str) -> Result<String, Error> {
        let created: AdminApiToken = self
            .named(Method::POST, "admins/api-tokens", admin, None::<&()>)
            .await?;
        created.api_token.token.ok_or_else(|| Error::Decode {
            array: self.name().to_owned(),
            status: 200,
            reason: "the new API token was not returned".into(),
            request_id: String::new(),
        })
    }
}
