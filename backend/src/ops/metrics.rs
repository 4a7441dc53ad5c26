//! `GET /metrics` in the Prometheus text format: API requests by array, method and status with
//! a latency histogram, sign-ins to arrays (logins and token exchanges), open sessions, and
//! audit rows written. Counters live in this process, as Prometheus expects of each replica.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::arrays::registry::ArrayRegistry;
use crate::clock::unix_now;
use crate::identity::auth::Sessions;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What one API request is counted under: its array (`""` for none), method and status.
type RequestKey = (String, String, u16);

#[derive(Debug, Default)]
struct Histogram {
    /// Requests at or under each bound of [`BUCKETS`], then the total.
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: BTreeMap<RequestKey, u64>,
    latency: BTreeMap<String, Histogram>,
    audit_rows: u64,
}

/// The process's counters, shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    pub fn record_request(&self, array: Option<&str>, method: &str, status: u16, took: Duration) {
        let array = array.unwrap_or_default().to_owned();
        let method = method_label(method);
        let seconds = took.as_secs_f64();
        let mut counters = self.lock();
        *counters
            .requests
            .entry((array.clone(), method.to_owned(), status))
            .or_default() += 1;
        let histogram = counters.latency.entry(array).or_default();
        for (bound, count) in BUCKETS.iter().zip(histogram.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum_seconds += seconds;
    }

    pub fn record_audit_row(&self) {
        self.lock().audit_rows += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The methods HTTP defines keep their names; any other is `other`, so that made-up methods
/// cannot grow `/metrics` without end.
fn method_label(method: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or("other")
}

/// What `/metrics` reports on: the counters, the arrays' clients and the open sessions.
#[derive(Debug, Clone)]
pub struct MetricsState {
    pub metrics: Arc<Metrics>,
    pub arrays: Arc<ArrayRegistry>,
    pub sessions: Sessions,
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<MetricsState>) -> Response {
    let now = unix_now();
    let idle_since = now - i64::from(state.sessions.config.idle_timeout_minutes) * 60;
    let created_since = now - i64::from(state.sessions.config.absolute_timeout_hours) * 3600;
    let sessions = state
        .sessions
        .db
        .count_open_sessions(idle_since, created_since)
        .await;
    let mut text = String::new();
    {
        let counters = state.metrics.lock();
        text.push_str("# HELP flashdeck_api_requests_total API requests answered, by the array they concern.\n");
        text.push_str("# TYPE flashdeck_api_requests_total counter\n");
        for ((array, method, status), count) in &counters.requests {
            let _ = writeln!(
                text,
                "flashdeck_api_requests_total{{array=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                label(array)
            );
        }
        text.push_str(
            "# HELP flashdeck_api_request_duration_seconds How long API requests took, by array.\n",
        );
        text.push_str("# TYPE flashdeck_api_request_duration_seconds histogram\n");
        for (array, histogram) in &counters.latency {
            let array = label(array);
            for (bound, count) in BUCKETS.iter().zip(histogram.counts) {
                let _ = writeln!(
                    text,
                    "flashdeck_api_request_duration_seconds_bucket{{array=\"{array}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                text,
                "flashdeck_api_request_duration_seconds_bucket{{array=\"{array}\",le=\"+Inf\"}} {}\n\
                 flashdeck_api_request_duration_seconds_sum{{array=\"{array}\"}} {}\n\
                 flashdeck_api_request_duration_seconds_count{{array=\"{array}\"}} {}",
                histogram.count, histogram.sum_seconds, histogram.count
            );
        }
        text.push_str("# HELP flashdeck_audit_rows_total Audit rows this process wrote.\n");
        text.push_str("# TYPE flashdeck_audit_rows_total counter\n");
        let _ = writeln!(text, "flashdeck_audit_rows_total {}", counters.audit_rows);
    }
    text.push_str(
        "# HELP flashdeck_array_sign_ins_total Logins and token exchanges made with each array.\n",
    );
    text.push_str("# TYPE flashdeck_array_sign_ins_total counter\n");
    for summary in state.arrays.summaries() {
        if let Some(entry) = state.arrays.get(&summary.name) {
            let _ = writeln!(
                text,
                "flashdeck_array_sign_ins_total{{array=\"{}\"}} {}",
                label(&summary.name),
                entry.client.sign_ins()
            );
        }
    }
    if let Ok(sessions) = sessions {
        text.push_str("# HELP flashdeck_sessions Portal sessions open now, across replicas.\n");
        text.push_str("# TYPE flashdeck_sessions gauge\n");
        let _ = writeln!(text, "flashdeck_sessions {sessions}");
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// A label value with `\`, `"` and newlines escaped, as the text format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lands_in_its_bucket_and_every_larger_one() {
        let metrics = Metrics::default();
        metrics.record_request(Some("fa-1"), "POST", 201, Duration::from_millis(30));
        metrics.record_request(Some("fa-1"), "POST", 201, Duration::from_secs(20));
        let counters = metrics.lock();
        let histogram = &counters.latency["fa-1"];
        assert_eq!(histogram.counts[1], 0, "not within 10 ms");
        assert_eq!(histogram.counts[3], 1, "within 50 ms");
        assert_eq!(histogram.counts[10], 1, "the 20 s one is above every bound");
        assert_eq!(histogram.count, 2);
        assert_eq!(
            counters.requests[&("fa-1".to_owned(), "POST".to_owned(), 201)],
            2
        );
    }

    #[test]
    fn made_up_methods_share_one_label() {
        let metrics = Metrics::default();
        for made_up in ["X".repeat(100_000), "PROPFIND".to_owned(), "get".to_owned()] {
            metrics.record_request(None, &made_up, 405, Duration::ZERO);
        }
        metrics.record_request(None, "PATCH", 405, Duration::ZERO);
        let counters = metrics.lock();
        let methods: Vec<&str> = counters
            .requests
            .keys()
            .map(|(_, method, _)| method.as_str())
            .collect();
        assert_eq!(methods, ["PATCH", "other"]);
        assert_eq!(
            counters.requests[&(String::new(), "other".to_owned(), 405)],
            3
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
