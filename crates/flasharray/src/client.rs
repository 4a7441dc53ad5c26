//! [`ArrayClient`]: one array, its negotiated REST version and its cached credential.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::flasharray::{
    API_TOKEN_HEADER, AUTH_TOKEN_HEADER, ApiVersions, ErrorItem, ErrorResponse, JWT_TOKEN_TYPE,
    ListResponse, LoginPost, OAuthError, OAuthTokenResponse, REQUEST_ID_HEADER, RestVersion,
    TOKEN_EXCHANGE_GRANT,
};
use tokio::sync::{Mutex, OnceCell, Semaphore, SemaphorePermit};

use crate::auth::{Authorization, Credentials, sign_id_token, sign_pure1_id_token};
use crate::error::Error;
use crate::tls::{TrustAnchor, client_config};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `future` with every array call it makes sent under `request_id` (`x-request-id`),
/// so that a portal request and what it did on the arrays share one id in both logs.
pub async fn with_request_id<F: Future>(request_id: String, future: F) -> F::Output {
    REQUEST_ID.scope(request_id, future).await
}

/// The request id array calls made by this task are sent under, if one was set; for work
/// handed to other tasks, which [`with_request_id`] then gives it again.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The REST versions this client was written against, oldest first.
const MIN_VERSION: RestVersion = RestVersion::new(2, 0);
const MAX_VERSION: RestVersion = RestVersion::new(2, 52);
/// How much of a non-JSON error body to keep in an error message.
const BODY_EXCERPT: usize = 200;
/// The largest reply read from an array; a longer one is an error, never a reason to grow
/// without end. A page of 1,000 volumes is about 1 MiB.
pub const MAX_REPLY_BYTES: usize = 32 * 1024 * 1024;
/// How long calls to an array that could not be connected to fail at once, without trying,
/// unless configured otherwise.
pub const UNREACHABLE_FOR: Duration = Duration::from_secs(5);
/// Every item of a list, up to a bound, and whether that was all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Everything<T> {
    pub items: Vec<T>,
    pub complete: bool,
}

/// The most items a list read asks for when its caller sets no `limit`.
pub const MAX_LIST_ITEMS: u32 = 1000;
/// A `Retry-After` longer than this is not waited for: the error goes back to the caller.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How to reach and authenticate to one array.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The name errors and logs use for the array.
    pub name: String,
    /// `https://array.example.com`, without a path.
    pub url: String,
    pub credentials: Credentials,
    pub trust: TrustAnchor,
    /// Use exactly this REST version (such as `2.36`) instead of the highest both speak.
    pub version: Option<String>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Retries after a 429, a 503 or a failed connection; other failures are retried only for
    /// requests that are safe to repeat.
    pub max_retries: u32,
    /// The first retry waits about this long, each further one about twice as long.
    pub retry_base_delay: Duration,
    /// How many calls to the array run at once, and how many more may wait for a turn before
    /// further ones are refused at once ([`Error::Busy`]): a slow or dead array holds no more
    /// than this of the caller's capacity.
    pub calls_at_once: usize,
    pub calls_waiting: usize,
    /// After a connection could not be made, calls fail at once for this long; then one call
    /// tries the array again while the others go on failing at once until it knows.
    pub unreachable_for: Duration,
}

impl ClientConfig {
    pub fn new(name: &str, url: &str, credentials: Credentials, trust: TrustAnchor) -> Self {
        Self {
            name: name.to_owned(),
            url: url.trim_end_matches('/').to_owned(),
            credentials,
            trust,
            version: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_retries: 3,
            retry_base_delay: Duration::from_millis(250),
            calls_at_once: DEFAULT_CALLS_AT_ONCE,
            calls_waiting: DEFAULT_CALLS_WAITING,
            unreachable_for: UNREACHABLE_FOR,
        }
    }
}

/// Calls to one array at once unless configured otherwise.
pub const DEFAULT_CALLS_AT_ONCE: usize = 32;
/// Calls to one array that may wait for a turn unless configured otherwise.
pub const DEFAULT_CALLS_WAITING: usize = 64;

/// A call waiting for a turn at the array, counted until it has one or gives up.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A client for one array. Share it: it holds one session or access token per identity for
/// all callers, and only one login or token exchange per identity runs at a time. Clones are
/// cheap and share all of that.
#[derive(Debug, Clone)]
pub struct ArrayClient {
    shared: Arc<Shared>,
    /// The array user to act as, when not the one the credentials name.
    identity: Option<String>,
}

/// What every identity of one array shares.
#[derive(Debug)]
struct Shared {
    config: ClientConfig,
    http: reqwest::Client,
    version: OnceCell<String>,
    /// The credential of each identity (`None`: the configured one), each behind its own lock.
    authorizations: std::sync::Mutex<HashMap<Option<String>, Slot>>,
    /// Logins and token exchanges attempted, for the portal's metrics.
    sign_ins: AtomicU64,
    /// When and why the array last could not be connected to; cleared by any reply.
    unreachable: std::sync::Mutex<Option<(std::time::Instant, String)>>,
    /// Turns at the array (`calls_at_once`), and how many calls wait for one.
    turns: Semaphore,
    waiting: AtomicUsize,
}

/// One identity's credential. Its lock is held during a login or token exchange, so that
/// concurrent callers wait for that one instead of starting their own.
type Slot = Arc<Mutex<Option<Authorization>>>;

impl ArrayClient {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let config_error = |reason: String| Error::Config {
            array: config.name.clone(),
            reason,
        };
        let tls = client_config(&config.trust).map_err(config_error)?;
        if config.trust == TrustAnchor::Insecure {
            tracing::warn!(
                array = %config.name,
                "TLS certificate verification is off for this array: anyone on the network path can impersonate it"
            );
        }
        // A redirect would carry the api-token or x-auth-token header to wherever it points.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .use_preconfigured_tls(tls)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|error| config_error(format!("cannot build the HTTP client: {error}")))?;
        let shared = Shared {
            turns: Semaphore::new(config.calls_at_once.max(1)),
            waiting: AtomicUsize::new(0),
            config,
            http,
            version: OnceCell::new(),
            authorizations: std::sync::Mutex::default(),
            sign_ins: AtomicU64::new(0),
            unreachable: std::sync::Mutex::default(),
        };
        Ok(Self {
            shared: Arc::new(shared),
            identity: None,
        })
    }

    /// The same array, acting as array user `username`: the ID tokens it signs name that user
    /// (`sub`), so the array's own audit log names the person. Only an API client can do this;
    /// an API token always acts as the administrator it belongs to.
    pub fn as_user(&self, username: &str) -> Result<ArrayClient, Error> {
        match &self.shared.config.credentials {
            Credentials::ApiClient(_) => Ok(Self {
                shared: Arc::clone(&self.shared),
                identity: Some(username.to_owned()),
            }),
            _ => Err(Error::Config {
                array: self.shared.config.name.clone(),
                reason: "acting as another array user needs API client credentials".to_owned(),
            }),
        }
    }

    /// The credential slot of this client's identity.
    fn slot(&self) -> Slot {
        let mut slots = self
            .shared
            .authorizations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(slots.entry(self.identity.clone()).or_default())
    }

    /// How many logins (API token) and token exchanges (API client) this array's clients
    /// have attempted since they were made, every identity included.
    pub fn sign_ins(&self) -> u64 {
        self.shared.sign_ins.load(Ordering::Relaxed)
    }

    pub fn name(&self) -> &str {
        &self.shared.config.name
    }

    pub fn url(&self) -> &str {
        &self.shared.config.url
    }

    /// The array's own `GET /api/api_version` reply, whatever its status.
    pub(crate) async fn api_version_reply(&self) -> Result<Reply, Error> {
        let url = format!("{}/api/api_version", self.shared.config.url);
        self.send(|| self.shared.http.get(&url), &url, true).await
    }

    /// The REST version in use, negotiated on first use.
    pub async fn version(&self) -> Result<&str, Error> {
        if self.shared.version.get().is_none() {
            self.fail_if_unreachable("/api/api_version")?;
        }
        self.shared
            .version
            .get_or_try_init(|| self.negotiate_version())
            .await
            .map(String::as_str)
    }

    /// Whether the array answers at all, without signing in: `GET /api/api_version`, once.
    pub async fn reachable(&self) -> Result<(), Error> {
        let url = format!("{}/api/api_version", self.shared.config.url);
        let reply = self.send_once(self.shared.http.get(&url), &url).await;
        let reply = reply.map_err(|failure| failure.error)?;
        self.decode::<ApiVersions>(&reply).map(|_| ())
    }

    async fn negotiate_version(&self) -> Result<String, Error> {
        // Pure1 lists no versions: every 1.x it has ever offered is still served.
        if matches!(self.shared.config.credentials, Credentials::Pure1 { .. }) {
            return Ok(self
                .shared
                .config
                .version
                .clone()
                .unwrap_or_else(|| shared::pure1::API_VERSION.to_owned()));
        }
        let url = format!("{}/api/api_version", self.shared.config.url);
        let reply = self.send(|| self.shared.http.get(&url), &url, true).await?;
        let versions: ApiVersions = self.decode(&reply)?;
        let version_error = |reason: String| Error::Version {
            array: self.shared.config.name.clone(),
            reason,
        };
        if let Some(pinned) = &self.shared.config.version {
            return if versions.version.contains(pinned) {
                Ok(pinned.clone())
            } else {
                Err(version_error(format!(
                    "the array does not support the configured REST version {pinned}; it supports {}",
                    versions.version.join(", ")
                )))
            };
        }
        versions
            .version
            .iter()
            .filter_map(|text| RestVersion::parse(text).map(|parsed| (parsed, text)))
            .filter(|(parsed, _)| (MIN_VERSION..=MAX_VERSION).contains(parsed))
            .max_by_key(|(parsed, _)| *parsed)
            .map(|(_, text)| text.clone())
            .ok_or_else(|| {
                version_error(format!(
                    "the array supports REST {}, none of which this client speaks (2.0 to 2.52)",
                    versions.version.join(", ")
                ))
            })
    }

    /// Ends this identity's REST session, if it has one. Call it when shutting down.
    pub async fn logout(&self) {
        let Some(authorization) = self.slot().lock().await.take() else {
            return;
        };
        if authorization.header != AUTH_TOKEN_HEADER {
            return;
        }
        let Ok(version) = self.version().await else {
            return;
        };
        let url = format!("{}/api/{version}/logout", self.shared.config.url);
        let request = || {
            self.shared
                .http
                .post(&url)
                .header(AUTH_TOKEN_HEADER, &authorization.value)
        };
        if let Err(error) = self.send(request, &url, false).await {
            tracing::debug!(array = %self.shared.config.name, %error, "logout failed");
        }
    }

    pub(crate) fn single<T>(&self, page: ListResponse<T>, call: &str) -> Result<T, Error> {
        page.items.into_iter().next().ok_or_else(|| Error::Decode {
            array: self.shared.config.name.clone(),
            status: 200,
            reason: format!("{call} returned no item"),
            request_id: String::new(),
        })
    }

    /// Calls `path` and keeps only the items of the page it returns.
    pub(crate) async fn items<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
    ) -> Result<Vec<T>, Error> {
        let page: ListResponse<T> = self.call(method, path, query, body).await?;
        Ok(page.items)
    }

    /// `GET path`: the items of the first page, no more than were asked for even when the
    /// array sends more.
    pub(crate) async fn read<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, Error> {
        let asked = query
            .iter()
            .find(|(name, _)| *name == "limit")
            .and_then(|(_, limit)| limit.parse::<usize>().ok())
            .unwrap_or(MAX_LIST_ITEMS as usize);
        let mut items = self.items(Method::GET, path, query, None::<&()>).await?;
        items.truncate(asked);
        Ok(items)
    }

    /// `GET path`: every item, page by page as the array's continuation token leads, but at
    /// most `max` of them; and whether that was all (an array that repeats a token, or sends
    /// empty pages with one, is taken at its word no further).
    pub(crate) async fn read_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        max: usize,
    ) -> Result<Everything<T>, Error> {
        let mut items = Vec::new();
        let mut tokens_seen = std::collections::HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let mut page_query = query.to_vec();
            page_query.push(("limit", MAX_LIST_ITEMS.to_string()));
            if let Some(token) = &token {
                page_query.push(("continuation_token", token.clone()));
            }
            let page: ListResponse<T> = self
                .call(Method::GET, path, &page_query, None::<&()>)
                .await?;
            let fetched = page.items.len();
            items.extend(page.items);
            if items.len() > max {
                items.truncate(max);
                return Ok(Everything {
                    items,
                    complete: false,
                });
            }
            match page.continuation_token {
                None => {
                    return Ok(Everything {
                        items,
                        complete: true,
                    });
                }
                Some(next) if fetched > 0 && tokens_seen.insert(next.clone()) => {
                    token = Some(next);
                }
                Some(_) => {
                    return Ok(Everything {
                        items,
                        complete: false,
                    });
                }
            }
        }
    }

    /// Calls `path?names=NAME`, the way the array addresses one object, and returns that object.
    pub(crate) async fn named<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        name: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, Error> {
        let call = format!("{method} /{path}");
        let page = self
            .call(method, path, &[("names", name.to_owned())], body)
            .await?;
        self.single(page, &call)
    }

    /// `DELETE path?names=NAME`.
    pub(crate) async fn delete_named(&self, path: &str, name: &str) -> Result<(), Error> {
        self.call_no_content(Method::DELETE, path, &[("names", name.to_owned())])
            .await
    }

    /// Calls `/api/{version}/{path}` with the cached credential; when the array refuses it
    /// (401), gets a new one and tries once more, which is safe because nothing was done. A
    /// read that sets no `limit` gets [`MAX_LIST_ITEMS`], so no list is pulled unbounded.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
    ) -> Result<T, Error> {
        let reply = self.limited_reply(method, path, query, body).await?;
        self.decode(&reply)
    }

    /// Like [`Self::call`] for a call whose answer is a secret: no error quotes its body.
    pub(crate) async fn call_secret<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let reply = self
            .limited_reply(Method::GET, path, &[], None::<&()>)
            .await?;
        self.decode_with(&reply, BodyQuote::Never)
    }

    /// `GET path` whose successful body is kept as the array wrote it, for a caller that reads
    /// a part and passes the rest on.
    pub(crate) async fn get_raw(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<RawReply, Error> {
        let reply = self
            .limited_reply(Method::GET, path, query, None::<&()>)
            .await?;
        if !reply.status.is_success() {
            return Err(self.refusal(&reply, BodyQuote::Excerpt));
        }
        Ok(RawReply {
            array: self.shared.config.name.clone(),
            reply,
        })
    }

    /// A list read is never unbounded: without a `limit`, it asks for at most
    /// `MAX_LIST_ITEMS`.
    async fn limited_reply(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
    ) -> Result<Reply, Error> {
        if method == Method::GET && !query.iter().any(|(name, _)| *name == "limit") {
            let mut limited = query.to_vec();
            limited.push(("limit", MAX_LIST_ITEMS.to_string()));
            self.call_reply(method, path, &limited, body).await
        } else {
            self.call_reply(method, path, query, body).await
        }
    }

    /// Like [`Self::call`], for calls whose success has no body worth reading.
    pub(crate) async fn call_no_content(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(), Error> {
        let reply = self.call_reply(method, path, query, None::<&()>).await?;
        if reply.status.is_success() {
            Ok(())
        } else {
            Err(self.refusal(&reply, BodyQuote::Excerpt))
        }
    }

    async fn call_reply(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
    ) -> Result<Reply, Error> {
        let version = self.version().await?;
        let url = format!("{}/api/{version}/{path}", self.shared.config.url);
        self.authorized_reply(method, &url, |request| {
            let request = request.query(query);
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        })
        .await
    }

    /// Sends `method url` with the cached credential, shaped by `shape`; when the array
    /// refuses the credential, gets a new one and tries once more, which is safe because
    /// nothing was done.
    pub(crate) async fn authorized_reply(
        &self,
        method: Method,
        url: &str,
        shape: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Reply, Error> {
        let _turn = self.turn().await?;
        let version = self.version().await?;
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        );
        let mut retried = false;
        loop {
            let authorization = self.authorization(version).await?;
            let request = || {
                shape(
                    self.shared
                        .http
                        .request(method.clone(), url)
                        .header(authorization.header, &authorization.value),
                )
            };
            let reply = self.send(request, url, idempotent).await?;
            if self.refused_credential(reply.status) && !retried {
                retried = true;
                self.forget(&authorization).await;
                continue;
            }
            return Ok(reply);
        }
    }

    /// A turn at the array: at once if fewer than `calls_at_once` calls are out, else after
    /// waiting for one, unless `calls_waiting` calls wait already.
    async fn turn(&self) -> Result<Option<SemaphorePermit<'_>>, Error> {
        let shared = &*self.shared;
        if let Ok(permit) = shared.turns.try_acquire() {
            return Ok(Some(permit));
        }
        let ahead = shared.waiting.fetch_add(1, Ordering::Relaxed);
        let _queued = Queued(&shared.waiting);
        if ahead >= shared.config.calls_waiting {
            return Err(Error::Busy {
                array: shared.config.name.clone(),
                waiting: ahead,
            });
        }
        Ok(shared.turns.acquire().await.ok())
    }

    /// Whether `status` says the credential is no longer good: arrays answer 401, Pure1 403.
    fn refused_credential(&self, status: StatusCode) -> bool {
        status == StatusCode::UNAUTHORIZED
            || (status == StatusCode::FORBIDDEN
                && matches!(self.shared.config.credentials, Credentials::Pure1 { .. }))
    }

    /// The cached credential, or a new one. The lock is held while logging in, so concurrent
    /// callers wait for one login or exchange instead of each making their own.
    async fn authorization(&self, version: &str) -> Result<Authorization, Error> {
        let slot = self.slot();
        let mut cached = match slot.try_lock() {
            Ok(cached) => cached,
            Err(_) => {
                self.fail_if_unreachable(&format!("/api/{version}/login"))?;
                slot.lock().await
            }
        };
        if let Some(authorization) = cached
            .as_ref()
            .filter(|authorization| authorization.is_fresh())
        {
            return Ok(authorization.clone());
        }
        let fresh = match &self.shared.config.credentials {
            Credentials::ApiToken(token) => {
                let url = format!("{}/api/{version}/login", self.shared.config.url);
                self.login(
                    || self.shared.http.post(&url).header(API_TOKEN_HEADER, token),
                    &url,
                )
                .await?
            }
            Credentials::Password { username, password } => {
                let url = format!("{}/api/{version}/login", self.shared.config.url);
                let body = LoginPost {
                    username: username.clone(),
                    password: password.clone(),
                };
                self.login(|| self.shared.http.post(&url).json(&body), &url)
                    .await?
            }
            Credentials::IdToken(id_token) => self.exchange(id_token).await?,
            Credentials::ApiClient(client) => {
                let username = self.identity.as_deref().unwrap_or(&client.username);
                let id_token = sign_id_token(client, username).map_err(|reason| Error::Config {
                    array: self.shared.config.name.clone(),
                    reason,
                })?;
                self.exchange(&id_token).await?
            }
            Credentials::Pure1 {
                app_id,
                private_key,
            } => {
                let id_token =
                    sign_pure1_id_token(app_id, private_key).map_err(|reason| Error::Config {
                        array: self.shared.config.name.clone(),
                        reason,
                    })?;
                self.exchange(&id_token).await?
            }
        };
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    async fn forget(&self, refused: &Authorization) {
        let slot = self.slot();
        let mut cached = slot.lock().await;
        if cached.as_ref() == Some(refused) {
            *cached = None;
        }
    }

    async fn login(
        &self,
        request: impl Fn() -> RequestBuilder,
        url: &str,
    ) -> Result<Authorization, Error> {
        self.shared.sign_ins.fetch_add(1, Ordering::Relaxed);
        let reply = self.send(request, url, false).await?;
        if !reply.status.is_success() {
            return Err(self.refusal(&reply, BodyQuote::Never));
        }
        let token = reply
            .headers
            .get(AUTH_TOKEN_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| Error::Decode {
                array: self.shared.config.name.clone(),
                status: reply.status.as_u16(),
                reason: format!("the login response has no {AUTH_TOKEN_HEADER} header"),
                request_id: reply.request_id.clone(),
            })?;
        Ok(Authorization::session(token.to_owned()))
    }

    async fn exchange(&self, id_token: &str) -> Result<Authorization, Error> {
        self.shared.sign_ins.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}/oauth2/1.0/token", self.shared.config.url);
        let form = [
            ("grant_type", TOKEN_EXCHANGE_GRANT),
            ("subject_token", id_token),
            ("subject_token_type", JWT_TOKEN_TYPE),
        ];
        let reply = self
            .send(|| self.shared.http.post(&url).form(&form), &url, false)
            .await?;
        if !reply.status.is_success() {
            let refusal: Option<OAuthError> = serde_json::from_slice(&reply.body).ok();
            return Err(Error::TokenExchange {
                array: self.shared.config.name.clone(),
                status: reply.status.as_u16(),
                error: refusal
                    .as_ref()
                    .map_or_else(|| reply.status.to_string(), |refusal| refusal.error.clone()),
                description: refusal.map_or_else(
                    || "the reply is not an OAuth 2.0 error".to_owned(),
                    |refusal| refusal.error_description,
                ),
                request_id: reply.request_id,
            });
        }
        let token: OAuthTokenResponse = self.decode_with(&reply, BodyQuote::Never)?;
        Ok(Authorization::bearer(
            &token.access_token,
            Duration::from_secs(token.expires_in),
        ))
    }

    /// Sends a request built by `build`, retrying what is safe to retry: a 429 or 503 (the
    /// array did nothing) after its `Retry-After` or a backoff, a connection that could not be
    /// made, and, when `idempotent`, any other transport failure.
    async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
        url: &str,
        idempotent: bool,
    ) -> Result<Reply, Error> {
        let _probe = self
            .claim_or_refuse()
            .map_err(|reason| self.unreachable(url, reason))?;
        let mut attempt = 0;
        loop {
            let outcome = self.send_once(build(), url).await;
            let retry = match &outcome {
                Ok(reply) if matches!(reply.status.as_u16(), 429 | 503) => {
                    Some(retry_after(&reply.headers))
                }
                Ok(_) => None,
                Err(failure) if failure.before_sending || idempotent => Some(None),
                Err(_) => None,
            };
            let delay = match retry {
                Some(retry_after) if attempt < self.shared.config.max_retries => retry_after
                    .unwrap_or_else(|| backoff(self.shared.config.retry_base_delay, attempt)),
                _ => return self.remember_reachability(outcome),
            };
            if delay > MAX_RETRY_AFTER {
                return self.remember_reachability(outcome);
            }
            tracing::debug!(array = %self.shared.config.name, %url, attempt, ?delay, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Why the array could not be reached, when its last attempt failed to connect less than
    /// `unreachable_for` ago: until then calls fail at once instead of queueing behind
    /// connection attempts that will fail the same way.
    fn known_unreachable(&self) -> Option<String> {
        let last = self.last_unreachable();
        let (since, reason) = last.as_ref()?;
        self.refusal_within_window(*since, reason)
    }

    /// Refuses a call while the array is known to be unreachable. Past the window, the first
    /// call tries the array again and the window starts anew for the others: were every caller
    /// to try, all of them would wait through the same retries and come back together, as one
    /// burst on the caller's other work. Looking and claiming happen under one lock, so one
    /// call tries.
    fn claim_or_refuse(&self) -> Result<Option<ProbeClaim<'_>>, String> {
        let mut last = self.last_unreachable();
        let Some((since, reason)) = last.as_mut() else {
            return Ok(None);
        };
        if let Some(refusal) = self.refusal_within_window(*since, reason) {
            return Err(refusal);
        }
        *since = std::time::Instant::now();
        Ok(Some(ProbeClaim {
            shared: &self.shared,
            claimed_at: *since,
        }))
    }

    /// The refusal for a call `since` the array was last found unreachable, while that is
    /// less than `unreachable_for` ago.
    fn refusal_within_window(&self, since: std::time::Instant, reason: &str) -> Option<String> {
        let window = self.shared.config.unreachable_for;
        (since.elapsed() < window).then(|| {
            format!(
                "{reason} (not tried again for {} s after {} s ago)",
                window.as_secs_f64(),
                since.elapsed().as_secs()
            )
        })
    }

    fn last_unreachable(&self) -> std::sync::MutexGuard<'_, Option<(std::time::Instant, String)>> {
        self.shared
            .unreachable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fails at once while the array is known to be unreachable, rather than waiting behind
    /// the negotiation or login of the call that is finding out again.
    fn fail_if_unreachable(&self, path: &str) -> Result<(), Error> {
        match self.known_unreachable() {
            Some(reason) => {
                Err(self.unreachable(&format!("{}{path}", self.shared.config.url), reason))
            }
            None => Ok(()),
        }
    }

    fn unreachable(&self, url: &str, reason: String) -> Error {
        Error::Transport {
            array: self.shared.config.name.clone(),
            url: url.to_owned(),
            reason,
            request_id: current_request_id().unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        }
    }

    fn remember_reachability(&self, outcome: Result<Reply, SendFailure>) -> Result<Reply, Error> {
        let mut last = self.last_unreachable();
        match outcome {
            Ok(reply) => {
                *last = None;
                Ok(reply)
            }
            Err(failure) => {
                match &failure.error {
                    Error::Transport { reason, .. } if failure.before_sending => {
                        *last = Some((std::time::Instant::now(), reason.clone()));
                    }
                    // A connection was made: whatever failed after, the array is there.
                    _ => *last = None,
                }
                Err(failure.error)
            }
        }
    }

    /// Sends one request under the caller's request id (see [`with_request_id`]) or a
    /// fresh one, and reads the whole reply.
    async fn send_once(&self, request: RequestBuilder, url: &str) -> Result<Reply, SendFailure> {
        let request_id = REQUEST_ID
            .try_with(Clone::clone)
            .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string());
        let transport = |error: reqwest::Error| SendFailure {
            before_sending: error.is_connect(),
            error: Error::Transport {
                array: self.shared.config.name.clone(),
                url: url.to_owned(),
                reason: describe_transport_error(&error),
                request_id: request_id.clone(),
            },
        };
        let response = request
            .header(REQUEST_ID_HEADER, &request_id)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_capped(response)
            .await
            .map_err(|failure| match failure {
                ReadFailure::Transport(error) => transport(error),
                ReadFailure::TooLarge => SendFailure {
                    before_sending: false,
                    error: Error::Decode {
                        array: self.shared.config.name.clone(),
                        status: status.as_u16(),
                        reason: format!("the reply is larger than {MAX_REPLY_BYTES} bytes"),
                        request_id: request_id.clone(),
                    },
                },
            })?;
        tracing::debug!(array = %self.shared.config.name, %url, status = status.as_u16(), %request_id, "array call");
        Ok(Reply {
            status,
            headers,
            body,
            request_id,
        })
    }

    /// The body of a successful reply, or the array's refusal.
    fn decode<T: DeserializeOwned>(&self, reply: &Reply) -> Result<T, Error> {
        self.decode_with(reply, BodyQuote::Excerpt)
    }

    fn decode_with<T: DeserializeOwned>(
        &self,
        reply: &Reply,
        quote: BodyQuote,
    ) -> Result<T, Error> {
        if !reply.status.is_success() {
            return Err(self.refusal(reply, quote));
        }
        serde_json::from_slice(&reply.body)
            .map_err(|error| decode_error(&self.shared.config.name, reply, &error, quote))
    }

    /// An error reply as the array meant it: its error envelope, or what the body said.
    fn refusal(&self, reply: &Reply, quote: BodyQuote) -> Error {
        let errors = match serde_json::from_slice::<ErrorResponse>(&reply.body) {
            Ok(envelope) if !envelope.errors.is_empty() => envelope.errors,
            _ => {
                let text = match quote {
                    BodyQuote::Excerpt => excerpt(&reply.body),
                    BodyQuote::Never => String::new(),
                };
                let message = if text.is_empty() {
                    reply.status.to_string()
                } else {
                    text
                };
                vec![ErrorItem {
                    context: None,
                    message,
                }]
            }
        };
        Error::Array {
            array: self.shared.config.name.clone(),
            status: reply.status.as_u16(),
            errors,
            request_id: reply.request_id.clone(),
        }
    }
}

/// What is wrong with a reply that does not read as expected.
fn decode_error(array: &str, reply: &Reply, error: &serde_json::Error, quote: BodyQuote) -> Error {
    let reason = match quote {
        BodyQuote::Excerpt => format!("{error}; body starts {:?}", excerpt(&reply.body)),
        // serde's message can quote a value too; say only where it went wrong.
        BodyQuote::Never => format!(
            "the reply is not the expected JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
    };
    Error::Decode {
        array: array.to_owned(),
        status: reply.status.as_u16(),
        reason,
        request_id: reply.request_id.clone(),
    }
}

/// A successful reply's body as the array wrote it: what it holds can be read borrowing from
/// it, so that items passed on are neither copied one by one nor written again.
#[derive(Debug)]
pub struct RawReply {
    array: String,
    reply: Reply,
}

impl RawReply {
    pub fn decode<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, Error> {
        serde_json::from_slice(&self.reply.body)
            .map_err(|error| decode_error(&self.array, &self.reply, &error, BodyQuote::Excerpt))
    }

    pub fn len(&self) -> usize {
        self.reply.body.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reply.body.is_empty()
    }
}

/// Whether an error may quote the body of a reply. Replies of credential endpoints hold
/// session and access tokens, so their bodies are never quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyQuote {
    Excerpt,
    Never,
}

/// The call that tries an unreachable array again. Should its caller give up on it before it
/// learns anything (a deadline, a closed connection), the next call tries instead of every
/// call failing for another window.
struct ProbeClaim<'a> {
    shared: &'a Shared,
    claimed_at: std::time::Instant,
}

impl Drop for ProbeClaim<'_> {
    fn drop(&mut self) {
        let mut last = self
            .shared
            .unreachable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((since, _)) = last.as_mut()
            && *since == self.claimed_at
        {
            let window = self.shared.config.unreachable_for;
            *since = self.claimed_at.checked_sub(window).unwrap_or(*since);
        }
    }
}

/// A request that got no reply.
#[derive(Debug)]
struct SendFailure {
    error: Error,
    /// The connection was never made, so the array cannot have acted on the request.
    before_sending: bool,
}

/// The delay a 429 or 503 asks for, in whole seconds; `None` when absent or a date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    seconds.trim().parse().ok().map(Duration::from_secs)
}

/// Exponential backoff with full jitter in its upper half, so that many clients retrying at
/// once spread out instead of arriving together.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(attempt));
    let fraction = getrandom::u32().map_or(0.75, |random| {
        0.5 + f64::from(random) / f64::from(u32::MAX) / 2.0
    });
    ceiling.mul_f64(fraction)
}

/// Why a reply's body was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    #[error("{0}")]
    Transport(reqwest::Error),
    #[error("the reply is too large")]
    TooLarge,
}

/// The body of `response`, refused once it passes [`MAX_REPLY_BYTES`], whatever its
/// `Content-Length` claims.
async fn read_capped(response: reqwest::Response) -> Result<Vec<u8>, ReadFailure> {
    read_body_within(response, MAX_REPLY_BYTES).await
}

/// The body of `response`, refused once it passes `limit` bytes, whatever its
/// `Content-Length` claims: for any reply from a service the portal does not control.
pub async fn read_body_within(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReadFailure> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(ReadFailure::TooLarge);
    }
    // Sized from the announced length (up to 4 MiB before any of it came), so that a reply
    // is not copied again as it grows.
    let announced = response.content_length().unwrap_or(0).min(1 << 22) as usize;
    let mut body = Vec::with_capacity(announced);
    while let Some(chunk) = response.chunk().await.map_err(ReadFailure::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// One array reply, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Vec<u8>,
    request_id: String,
}

/// `2.36` as `(2, 36)`.
/// The start of a body, as text, for error messages about bodies that are not JSON.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    match trimmed.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

/// reqwest's top-level message hides the cause ("error sending request"); the chain says
/// whether it was a refused connection, a timeout or a certificate problem.
fn describe_transport_error(error: &reqwest::Error) -> String {
    let mut description = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        description.push_str(": ");
        description.push_str(&cause.to_string());
        source = cause.source();
    }
    description
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_jittered_within_bounds() {
        let base = Duration::from_millis(100);
        for attempt in 0..4 {
            let ceiling = base * 2u32.pow(attempt);
            let delay = backoff(base, attempt);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn retry_after_takes_seconds_only() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2026 07:28:00 GMT".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn excerpts_are_bounded() {
        let html = format!("<html>{}</html>", "x".repeat(1000));
        assert!(excerpt(html.as_bytes()).chars().count() <= BODY_EXCERPT + 1);
        assert_eq!(excerpt(b"  "), "");
    }

    #[tokio::test]
    async fn replies_past_the_cap_are_refused_however_they_are_sent() {
        let small = axum::http::Response::new(vec![b'x'; 1024]);
        assert_eq!(
            read_capped(small.into()).await.ok().map(|body| body.len()),
            Some(1024)
        );
        let large = axum::http::Response::new(vec![b'x'; MAX_REPLY_BYTES + 1]);
        assert!(matches!(
            read_capped(large.into()).await,
            Err(ReadFailure::TooLarge)
        ));
    }

    fn test_client() -> ArrayClient {
        let config = ClientConfig::new(
            "fa-1",
            "https://fa-1.example.com",
            Credentials::ApiToken("unused".into()),
            TrustAnchor::System,
        );
        ArrayClient::new(config).expect("client")
    }

    #[test]
    fn a_token_reply_that_does_not_parse_is_never_quoted() {
        let client = test_client();
        let reply = |status: u16, body: &str| Reply {
            status: StatusCode::from_u16(status).expect("status"),
            headers: reqwest::header::HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            request_id: "r-1".into(),
        };
        let secret = "eyJSECRET-ACCESS-TOKEN";
        for body in [
            format!(r#"{{"access_token": "{secret}", "expires_in": "{secret}"}}"#),
            format!("<html>{secret}</html>"),
        ] {
            let error = client
                .decode_with::<OAuthTokenResponse>(&reply(200, &body), BodyQuote::Never)
                .expect_err("does not parse");
            assert!(!error.to_string().contains("SECRET"), "{error}");
            let refusal = client.refusal(&reply(400, &body), BodyQuote::Never);
            assert!(!refusal.to_string().contains("SECRET"), "{refusal}");
        }
        let quoted = client
            .decode_with::<OAuthTokenResponse>(
                &reply(200, "<html>ordinary</html>"),
                BodyQuote::Excerpt,
            )
            .expect_err("does not parse");
        assert!(quoted.to_string().contains("ordinary"), "{quoted}");
    }

    #[test]
    fn a_token_reply_needs_only_the_token_and_its_lifetime() {
        let token: OAuthTokenResponse =
            serde_json::from_str(r#"{"access_token": "a", "expires_in": 36000}"#).expect("parses");
        assert_eq!(token.expires_in, 36000);
        assert_eq!(token.issued_token_type, None);
    }
}
