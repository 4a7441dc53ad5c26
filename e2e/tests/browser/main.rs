//! The real portal, its simulated arrays, and headless Chromium driven through chromedriver.
//!
//! Needs the frontend built into `frontend/dist` and Debian's `chromium` and
//! `chromium-driver`; `cargo xtask test` provides both before it runs this.

mod administration;
mod approvals;
mod fleet;
mod foundations;
mod lists;
mod notifications;
mod oidc;
mod pods;
mod protection;
mod provisioning;
mod pure1;
mod releases;
mod replication;
mod support;
mod tokens;
mod volumes;
mod weight;
