//! Fault injection: make the array slow, failing, throttling or dropping connections, so that
//! clients can be tested against what real arrays and the networks in front of them do.
//!
//! Set at start through [`crate::Simulator::set_faults`], or at run time with
//! `PUT /sim/faults` (outside `/api`, so it never collides with the REST API).

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::ApiFault;
use crate::server::Simulator;

/// What goes wrong, for every call under `/api` and `/oauth2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Added to every call as a round trip: half before it is handled, half after.
    pub latency_ms: u64,
    /// Share of calls, 0.0 to 1.0, answered with `error_status` instead of being handled.
    pub error_rate: f64,
    /// 500 or 503.
    pub error_status: u16,
    /// This many next calls are refused with 429 and `Retry-After`.
    pub throttle_next: u32,
    /// The `Retry-After` of those 429s, in seconds.
    pub retry_after_secs: u32,
    /// This many next calls lose their connection without an answer.
    pub drop_next: u32,
    /// This many next calls are answered with an HTML page that loads a script, as a
    /// compromised array (or something in front of it) could answer.
    pub hostile_html_next: u32,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            throttle_next: 0,
            retry_after_secs: 1,
            drop_next: 0,
            hostile_html_next: 0,
        }
    }
}

impl FaultConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(format!(
                "error_rate must be between 0 and 1, not {}",
                self.error_rate
            ));
        }
        if ![500, 503].contains(&self.error_status) {
            return Err(format!(
                "error_status must be 500 or 503, not {}",
                self.error_status
            ));
        }
        Ok(())
    }
}

/// The faults in force, and a deterministic generator for `error_rate`, so runs repeat.
#[derive(Debug)]
pub struct Faults {
    state: Mutex<(FaultConfig, u64)>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            state: Mutex::new((FaultConfig::default(), 0x9E37_79B9_7F4A_7C15)),
        }
    }
}

enum Verdict {
    Handle,
    Drop,
    Throttle(u32),
    Fail(u16),
    HostileHtml,
}

impl Faults {
    pub fn config(&self) -> FaultConfig {
        self.lock().0.clone()
    }

    pub fn set(&self, config: FaultConfig) {
        self.lock().0 = config;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (FaultConfig, u64)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Decides the fate of one call, consuming one of the counted faults if any is left.
    fn verdict(&self) -> (Duration, Verdict) {
        let mut state = self.lock();
        let (config, seed) = &mut *state;
        let latency = Duration::from_millis(config.latency_ms);
        if config.drop_next > 0 {
            config.drop_next -= 1;
            return (latency, Verdict::Drop);
        }
        if config.hostile_html_next > 0 {
            config.hostile_html_next -= 1;
            return (latency, Verdict::HostileHtml);
        }
        if config.throttle_next > 0 {
            config.throttle_next -= 1;
            return (latency, Verdict::Throttle(config.retry_after_secs));
        }
        if config.error_rate > 0.0 {
            // xorshift64: cheap, deterministic, good enough to spread failures.
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let draw = (*seed >> 11) as f64 / (1u64 << 53) as f64;
            if draw < config.error_rate {
                return (latency, Verdict::Fail(config.error_status));
            }
        }
        (latency, Verdict::Handle)
    }
}

/// Applies the faults in force to API calls; `/sim` itself is never faulted.
pub async fn inject(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/sim/") {
        return next.run(request).await;
    }
    let (latency, verdict) = sim.faults.verdict();
    // A round trip: half the latency on the way to the array, half on the way back, so an
    // array far away still works on requests while earlier answers travel.
    let way = latency / 2;
    if !way.is_zero() {
        tokio::time::sleep(way).await;
    }
    let response = match verdict {
        Verdict::Handle => next.run(request).await,
        Verdict::Drop => dropped_connection(),
        Verdict::Throttle(retry_after) => {
            let mut response = ApiFault {
                status: StatusCode::TOO_MANY_REQUESTS,
                context: None,
                message: "Too many requests. Try again later.".into(),
            }
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            response
        }
        Verdict::Fail(status) => ApiFault {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            context: None,
            message: "The array is temporarily unable to handle the request.".into(),
        }
        .into_response(),
        Verdict::HostileHtml => {
            ([(header::CONTENT_TYPE, "text/html")], HOSTILE_PAGE).into_response()
        }
    };
    let back = latency - way;
    if !back.is_zero() {
        tokio::time::sleep(back).await;
    }
    response
}

/// What a hostile array answers: a page that would run its script on the origin it is served
/// from.
pub const HOSTILE_PAGE: &str =
    "<!doctype html><script src=\"/api/arrays/evil/rest/api/api_version\"></script><p>owned</p>";

/// A response whose body fails at once: the server closes the connection mid-answer, as when
/// a connection drops.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped",
        ))
    });
    Response::new(Body::from_stream(failing))
}
