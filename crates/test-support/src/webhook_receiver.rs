//! A receiver of notifications on this machine, as a chat service or a SIEM collector would
//! take them: `/hook` takes every message, `/down` refuses with a reason, `/stall-once`
//! never answers its first message (the sender can die meanwhile) and takes the others.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

/// What `/down` answers.
pub const REFUSAL: &str = "receiver down for maintenance";

#[derive(Debug, Default)]
struct Taken {
    received: Mutex<Vec<(HeaderMap, Value)>>,
    stalled: AtomicUsize,
}

type Received = Arc<Taken>;

#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    received: Received,
}

async fn take(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> &'static str {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    received
        .received
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((headers, body));
    "ok"
}

async fn stall_once(
    State(received): State<Received>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    if received.stalled.fetch_add(1, Ordering::SeqCst) == 0 {
        std::future::pending::<()>().await;
    }
    take(State(received), headers, body).await
}

async fn down() -> (StatusCode, &'static str) {
    (StatusCode::SERVICE_UNAVAILABLE, REFUSAL)
}

impl WebhookReceiver {
    pub async fn start() -> Self {
        let received: Received = Arc::default();
        let app = Router::new()
            .route("/hook", post(take))
            .route("/down", post(down))
            .route("/stall-once", post(stall_once))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listen");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("http://{address}"),
            received,
        }
    }

    /// How many messages came to `/stall-once`, the one left unanswered among them.
    pub fn stall_once_calls(&self) -> usize {
        self.received.stalled.load(Ordering::SeqCst)
    }

    /// Every message taken so far, headers and JSON body, oldest first.
    pub fn received(&self) -> Vec<(HeaderMap, Value)> {
        self.received
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Waits (up to a minute) until `count` messages have come.
    pub async fn wait_for(&self, count: usize) -> Vec<(HeaderMap, Value)> {
        for _ in 0..600 {
            let now = self.received();
            if now.len() >= count {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{count} messages expected, got {:?}", self.received());
    }
}
