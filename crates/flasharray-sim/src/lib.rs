//! A FlashArray simulator: answers the REST 2.x API the way an array does, on loopback HTTPS.
//!
//! The library starts simulators in-process for tests and the portal's demo mode
//! ([`Simulator::start`]); the `flasharray-sim` binary runs one on its own.

mod alerts;
mod api;
mod auth;
mod clock;
mod control;
mod error;
mod faults;
mod fields;
mod history;
mod host_routes;
mod hosts;
mod metrics;
mod persist;
mod protection;
mod protection_routes;
pub mod query;
pub mod report;
mod seed;
mod server;
mod snapshot_routes;
mod snapshots;
mod state;
pub mod tls;

pub use clock::Clock;
pub use control::Stats;
pub use faults::FaultConfig;
pub use seed::Seed;
pub use server::{ChangeRequest, RunningSimulator, Simulator, SimulatorConfig};
pub use state::{ADMIN_PASSWORD, ADMIN_USERNAME, SUPPORTED_VERSIONS};
