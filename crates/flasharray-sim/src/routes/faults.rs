//! The faults in force, acted out on the wire: latency, failures, throttling, dropped
//! connections and hostile pages.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiFault;
use crate::faults::Verdict;
use crate::simulator::Simulator;

/// Applies the faults in force to API calls; `/sim` itself is never faulted.
pub(crate) async fn inject(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
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
const HOSTILE_PAGE: &str =
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
