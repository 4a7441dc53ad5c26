//! Calls to the backend's `/api`, decoding every error into the portal's [`ApiError`].

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{
    ApiError, ArraySummary, CSRF_HEADER, CSRF_HEADER_VALUE, CreateVolumeRequest, LoginRequest,
    UserInfo, VolumeList,
};
use shared::flasharray::Volume;

/// A failed call: the HTTP status (0 when the backend was unreachable) and its error body.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: u16,
    pub error: ApiError,
}

impl Failure {
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }
}

pub type ApiResult<T> = Result<T, Failure>;

fn unreachable(error: impl std::fmt::Display) -> Failure {
    Failure {
        status: 0,
        error: ApiError::new(format!("Cannot reach the Flashdeck server: {error}")),
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let status = response.status();
    if response.ok() {
        return response.json::<T>().await.map_err(|error| Failure {
            status,
            error: ApiError::new(format!("Unexpected answer from the server: {error}")),
        });
    }
    let error = response.json::<ApiError>().await.unwrap_or_else(|_| {
        ApiError::new(format!(
            "The server answered {status} {}",
            response.status_text()
        ))
    });
    Err(Failure { status, error })
}

async fn get<T: DeserializeOwned>(url: &str) -> ApiResult<T> {
    decode(Request::get(url).send().await.map_err(unreachable)?).await
}

/// Mutating requests carry the CSRF header the backend requires.
async fn post<T: DeserializeOwned>(url: &str, body: &impl Serialize) -> ApiResult<T> {
    let request = with_csrf(Request::post(url))
        .json(body)
        .map_err(unreachable)?;
    decode(request.send().await.map_err(unreachable)?).await
}

fn with_csrf(request: RequestBuilder) -> RequestBuilder {
    request.header(CSRF_HEADER, CSRF_HEADER_VALUE)
}

pub async fn me() -> ApiResult<UserInfo> {
    get("/api/auth/me").await
}

pub async fn login(request: &LoginRequest) -> ApiResult<UserInfo> {
    post("/api/auth/login", request).await
}

pub async fn logout() -> ApiResult<UserInfo> {
    post("/api/auth/logout", &()).await
}

pub async fn arrays() -> ApiResult<Vec<ArraySummary>> {
    get("/api/arrays").await
}

fn volumes_url(array: &str) -> String {
    format!("/api/arrays/{}/volumes", encode_uri_component(array))
}

pub async fn volumes(array: &str) -> ApiResult<VolumeList> {
    get(&volumes_url(array)).await
}

pub async fn create_volume(array: &str, request: &CreateVolumeRequest) -> ApiResult<Volume> {
    post(&volumes_url(array), request).await
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The browser's own encoder, so that any array name stays one path segment.
    #[wasm_bindgen(js_name = encodeURIComponent)]
    fn encode_uri_component(text: &str) -> String;
}
