//! The HTTP application: the API, the health check and the built frontend, and serving it.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::serve::{Listener, ListenerExt};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::guard::REQUEST_ID_HEADER;
use crate::state::AppState;
use crate::{api, health, metrics};

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
pub fn router(state: AppState, frontend_dir: &Path) -> Router {
    let frontend =
        ServeDir::new(frontend_dir).fallback(ServeFile::new(frontend_dir.join("index.html")));
    Router::new()
        .nest("/api", api::router(&state))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .fallback_service(frontend)
        .layer(middleware::from_fn(log_request))
        // Revalidate everything: index.html must never be stale, and ETags keep the rest cheap.
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
