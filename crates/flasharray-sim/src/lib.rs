//! A FlashArray simulator: answers the REST 2.x API the way an array does, on loopback HTTPS.
//!
//! The library starts simulators in-process for tests and the portal's demo mode
//! ([`Simulator::start`]); the `flasharray-sim` binary runs one on its own.

mod alerts;
mod clock;
mod collection;
mod error;
mod faults;
mod fields;
mod hardware;
mod history;
mod hosts;
mod memberships;
mod metrics;
mod models;
mod peer;
mod persist;
mod pods;
mod protection;
pub mod query;
mod records;
mod release;
mod replication;
mod replicator;
pub mod report;
mod routes;
mod running;
mod safemode;
mod seed;
mod simulator;
mod snapshots;
mod state;
mod stretch;
mod targets;
pub mod tls;
mod transfers;

pub use clock::Clock;
pub use faults::FaultConfig;
pub use models::{DEFAULT_MODEL, models};
pub use release::{DEFAULT_RELEASE, release_lines};
pub use running::{RunningSimulator, SimulatorConfig};
pub use seed::Seed;
pub use simulator::{ChangeRequest, Simulator, Stats};
pub use state::{ADMIN_PASSWORD, ADMIN_USERNAME, SUPPORTED_VERSIONS};
