//! The Flashdeck server: portal users and sessions, the registry of arrays, the API the
//! frontend calls (which proxies to the arrays), and the built frontend itself.

pub mod api;
pub mod approvals;
pub mod arrays;
pub mod auth;
pub mod config;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod fanout;
pub mod fleet;
pub mod guard;
pub mod health;
pub mod healthcheck;
pub mod metrics;
pub mod oidc;
pub mod origin;
pub mod passwords;
pub mod pure1;
pub mod registration;
pub mod rest_root;
pub mod secrets;
pub mod server;
pub mod session_cache;
pub mod sign_in_queue;
pub mod state;
pub mod strict_json;
pub mod throttle;

pub use server::{router, serve};
pub use state::AppState;
