//! A Pure1 simulator: answers Pure1's public REST API (1.x) the way Pure1 does, on loopback
//! HTTPS: the OAuth 2.0 token exchange with an application's RS256-signed JWT, and the
//! read-only fleet collections with Pure1's filtering, sorting, paging and rate limits.
//!
//! Its fleet is FlashArray simulators: ones the portal also manages (mirrored, so both views
//! agree) and ones only Pure1 sees. [`Pure1Sim::start`] serves it in-process for tests and the
//! portal's demo; the `pure1-sim` binary runs one on its own.

mod auth;
mod collection;
mod error;
mod fleet;
mod metrics;
mod rate_limit;
mod server;
mod state;

pub use rate_limit::RateLimit;
pub use server::{Pure1Config, RunningPure1Sim, StartError};
pub use state::{Pure1Sim, RegisterError};
