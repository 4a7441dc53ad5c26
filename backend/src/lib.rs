//! The Flashdeck server: portal users and sessions, the registry of arrays, the API the
//! frontend calls (which proxies to the arrays), and the built frontend itself.

pub mod api;
pub mod approvals;
pub mod arrays;
pub mod clock;
pub mod config;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod formats;
pub mod identity;
pub mod jobs;
pub mod notify;
pub mod ops;
pub mod pure1;
pub mod reports;
pub mod server;
pub mod state;

pub use server::{router, serve};
pub use state::AppState;
