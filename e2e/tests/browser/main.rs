//! The real portal, its simulated arrays, and headless Chromium driven through chromedriver.
//!
//! Needs the frontend built into `frontend/dist` and Debian's `chromium` and
//! `chromium-driver`; `cargo xtask test` provides both before it runs this.

mod administration;
mod approvals;
mod fleet;
mod foundations;
mod oidc;
mod protection;
mod provisioning;
// The shared Python helper: this crate runs only the OpenID provider with it, not the SDK.
mod pure1;
#[allow(dead_code)]
#[path = "../../../crates/flasharray-sim/tests/support/python_sdk.rs"]
mod python;
mod support;
mod tokens;
mod volumes;
