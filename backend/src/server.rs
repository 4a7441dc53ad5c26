//! The HTTP application: the API, the health check and the built frontend, and serving it.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::{Listener, ListenerExt};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::api;
use crate::api::gate::REQUEST_ID_HEADER;
use crate::identity::origin::ClientOrigin;
use crate::ops::{health, metrics};
use crate::state::AppState;

/// Files whose names carry a hash of their contents are cached for a year: a new build
/// has new names. Everything else (`index.html` above all) is revalidated on every load.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The policy of every `/api` answer: nothing in it may run, load or be framed, whatever an
/// array's answer passed through a REST root holds.
const API_CONTENT_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// Sent on HTTPS: browsers then refuse plain HTTP to the portal for a year.
const HSTS: &str = "max-age=31536000";

/// Checks that `dir` holds a built frontend, so a misconfigured path fails at start-up rather
/// than with a blank page.
pub fn check_frontend_dir(dir: &Path) -> Result<(), String> {
    if dir.join("index.html").is_file() {
        Ok(())
    } else {
        Err(format!(
            "{} holds no index.html: build the frontend with `cargo xtask frontend`, or set frontend_dir \
             (FLASHDECK_FRONTEND_DIR) to where it was built",
            dir.display()
        ))
    }
}

/// The whole application. Paths outside `/api`, `/healthz` and `/readyz` are the single-page frontend:
/// files from `frontend_dir`, and `index.html` for any other path so that deep links load.
/// API requests are served at most `max_concurrent_requests` at a time and answered 504
/// after `request_timeout_secs`; health checks and metrics are outside both limits.
pub fn router(state: AppState, frontend_dir: &Path) -> Router {
    // The build leaves a brotli and a gzip copy beside each large file; the browser gets
    // the one its Accept-Encoding takes.
    let index = ServeFile::new(frontend_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let frontend = ServeDir::new(frontend_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    let limits = state.limits;
    let api = api::router(&state)
        .layer(CompressionLayer::new())
        .layer(GlobalConcurrencyLimitLayer::new(
            limits.max_concurrent_requests.max(1),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(limits.request_timeout_secs.max(1)),
        ));
    let policy = ContentPolicy::for_index(&frontend_dir.join("index.html"));
    Router::new()
        .nest("/api", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .fallback_service(frontend)
        .layer(middleware::from_fn(cache_hashed_files))
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn_with_state(
            (state.clone(), policy),
            security_headers,
        ))
        // Revalidate everything else: index.html must never be stale, and ETags keep the
        // rest cheap.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// The Content-Security-Policy the app works under: its own scripts, WebAssembly, and the
/// inline loader trunk writes into `index.html`, allowed by its hash.
#[derive(Debug, Clone)]
struct ContentPolicy(HeaderValue);

impl ContentPolicy {
    fn for_index(index: &Path) -> Self {
        let html = std::fs::read_to_string(index).unwrap_or_default();
        let hashes: String = inline_scripts(&html)
            .map(|script| {
                let digest = Sha256::digest(script.as_bytes());
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        let policy = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        Self(
            HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
            )),
        )
    }
}

/// The bodies of the `<script>` elements of `html` that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|element| {
        let (attributes, rest) = element.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        let (body, _) = rest.split_once("</script>")?;
        Some(body)
    })
}

async fn security_headers(
    State((state, policy)): State<(AppState, ContentPolicy)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let (mut parts, body) = request.into_parts();
    let https = state.serves_https
        || <ClientOrigin as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await
        .is_ok_and(|origin| origin.https);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    let policy = if api {
        HeaderValue::from_static(API_CONTENT_POLICY)
    } else {
        policy.0
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

async fn cache_hashed_files(request: Request, next: Next) -> Response {
    let immutable = !request.uri().path().starts_with("/api") && is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if immutable && page {
        // A build's file that is gone (a tab open across an upgrade asks for it): the app's
        // page in its place would be taken for it, and kept for a year.
        return StatusCode::NOT_FOUND.into_response();
    }
    if immutable && response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}

/// Whether a file name carries a build's content hash, as trunk writes it
/// (`frontend-4d9f6b9a7c1b2e3f_bg.wasm`: hexadecimal without leading zeros, so sometimes
/// shorter than 16 digits) before the extension of a script, style sheet or module. The
/// extension keeps an app address such as `/arrays/a/volumes/db-0123456789abcdef` out.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((_, after)) = name.rsplit_once('-') else {
        return false;
    };
    let Some((hash, extension)) = after.split_once(['.', '_']) else {
        return false;
    };
    (1..=16).contains(&hash.len())
        && hash.chars().all(|c| c.is_ascii_hexdigit())
        && matches!(extension, "js" | "css" | "wasm" | "bg.wasm")
}

/// Serves `app` on plain TCP or TLS until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve<L>(
    listener: L,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
    // axum hands `ConnectInfo` the peer address of any listener, plain or TLS, once it is
    // wrapped by `tap_io`; nothing needs tapping.
    axum::serve(
        listener.tap_io(|_| {}),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    if path.starts_with("/api") {
        // The gate's id, which the arrays' logs and the audit log also carry.
        let request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("-");
        tracing::info!(%method, %path, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, request_id, "request");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_are_immutable() {
        assert!(is_hashed("/frontend-4d9f6b9a7c1b2e3f_bg.wasm"));
        assert!(is_hashed("/frontend-4d9f6b9a7c1b2e3f.js"));
        assert!(is_hashed("/style-0123456789abcdef.css"));
        // The pages fetched on demand, named by `cargo xtask` as trunk names its files.
        assert!(is_hashed(
            "/split_admin_page_16745332586791028551-dd8d2ee620097e95.wasm"
        ));
        assert!(is_hashed("/chunk_4-15cd6f4ab5fc473b.wasm"));
        assert!(!is_hashed("/__wasm_split.js"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/arrays/fa-prod-01/volumes"));
        assert!(!is_hashed("/frontend-xyz.js"));
        // trunk drops a hash's leading zeros.
        assert!(is_hashed("/frontend-d9f6b9a7c1b2e3f_bg.wasm"));
        assert!(is_hashed("/style-123456789abcdef.css"));
        // The app's own addresses are never a build's file, whatever an object is named.
        assert!(!is_hashed("/arrays/fa-lab/volumes/db-0123456789abcdef"));
        assert!(!is_hashed("/arrays/fa-lab/hosts/esx-cafe"));
        assert!(!is_hashed("/frontend-4d9f6b9a7c1b2e3f.txt"));
    }

    #[test]
    fn inline_scripts_are_found_and_loaded_ones_skipped() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import init from '/f.js';init();</script></head>"#;
        let found: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(found, ["import init from '/f.js';init();"]);
    }
}
