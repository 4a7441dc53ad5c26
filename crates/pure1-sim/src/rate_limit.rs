//! Pure1's rate limits: requests per second and per minute for the whole organisation,
//! reported on every data response (`X-RateLimit-*`) and enforced with a 429 and
//! `Retry-After`. Pure1 publishes no figures; these are settings of the simulator.

use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::error::Pure1Fault;

/// How many data requests the organisation may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    pub per_second: u32,
    pub per_minute: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: 100,
            per_minute: 3000,
        }
    }
}

/// Requests counted in the current second and minute (fixed windows).
#[derive(Debug)]
pub(crate) struct Windows {
    limit: RateLimit,
    second: Window,
    minute: Window,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    used: u32,
}

impl Window {
    fn new(now: Instant) -> Self {
        Self {
            started: now,
            used: 0,
        }
    }

    /// Starts a new window when `length` has passed; what is left of it.
    fn roll(&mut self, now: Instant, length: Duration) -> Duration {
        if now.duration_since(self.started) >= length {
            *self = Window::new(now);
        }
        length.saturating_sub(now.duration_since(self.started))
    }
}

/// What one request was told.
pub(crate) struct Verdict {
    limit: RateLimit,
    remaining_second: u32,
    remaining_minute: u32,
    /// `Some(seconds to wait)` when refused.
    refused_for: Option<u64>,
}

impl Windows {
    pub(crate) fn new(limit: RateLimit) -> Self {
        let now = Instant::now();
        Self {
            limit,
            second: Window::new(now),
            minute: Window::new(now),
        }
    }

    pub(crate) fn set_limit(&mut self, limit: RateLimit) {
        *self = Windows::new(limit);
    }

    pub(crate) fn admit(&mut self) -> Verdict {
        let now = Instant::now();
        let second_left = self.second.roll(now, Duration::from_secs(1));
        let minute_left = self.minute.roll(now, Duration::from_secs(60));
        let refused_for = if self.second.used >= self.limit.per_second {
            Some(second_left)
        } else if self.minute.used >= self.limit.per_minute {
            Some(minute_left)
        } else {
            self.second.used += 1;
            self.minute.used += 1;
            None
        };
        Verdict {
            limit: self.limit,
            remaining_second: self.limit.per_second.saturating_sub(self.second.used),
            remaining_minute: self.limit.per_minute.saturating_sub(self.minute.used),
            refused_for: refused_for.map(|left| left.as_secs_f64().ceil().max(1.0) as u64),
        }
    }
}

impl Verdict {
    /// The 429 to answer instead, when the request is over the limit.
    pub(crate) fn refusal(&self) -> Option<Pure1Fault> {
        self.refused_for
            .map(|retry_after_secs| Pure1Fault::TooManyRequests { retry_after_secs })
    }

    /// `response` with the `X-RateLimit-*` headers every data answer carries.
    pub(crate) fn label(&self, mut response: Response) -> Response {
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-ratelimit-limit-second", self.limit.per_second),
            ("x-ratelimit-limit-minute", self.limit.per_minute),
            ("x-ratelimit-remaining-second", self.remaining_second),
            ("x-ratelimit-remaining-minute", self.remaining_minute),
        ] {
            headers.insert(name, HeaderValue::from(value));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_per_second_refuses_the_request_after_it_and_says_how_long_to_wait() {
        let mut windows = Windows::new(RateLimit {
            per_second: 2,
            per_minute: 100,
        });
        assert!(windows.admit().refused_for.is_none());
        let second = windows.admit();
        assert!(second.refused_for.is_none());
        assert_eq!(second.remaining_second, 0);
        let third = windows.admit();
        assert_eq!(third.refused_for, Some(1));
        assert_eq!(third.remaining_minute, 98);
    }

    #[test]
    fn the_limit_per_minute_holds_across_seconds() {
        let mut windows = Windows::new(RateLimit {
            per_second: 100,
            per_minute: 1,
        });
        assert!(windows.admit().refused_for.is_none());
        let refused = windows.admit();
        assert!(
            refused
                .refused_for
                .is_some_and(|wait| (1..=60).contains(&wait))
        );
    }
}
