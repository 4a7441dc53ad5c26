//! What operators watch: health and readiness, the metrics, the container's health check.

pub mod health;
pub mod healthcheck;
pub mod metrics;
