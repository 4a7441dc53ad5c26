//! Types and pure helpers shared by every Flashdeck crate, native and WASM alike.
//!
//! Nothing here may depend on a server-only crate: the frontend compiles this crate for
//! `wasm32-unknown-unknown`, and `cargo xtask test` builds it that way on its own.

pub mod address;
pub mod api;
pub mod csv;
pub mod flasharray;
pub mod listing;
pub mod names;
pub mod ports;
pub mod pure1;
pub mod query;
pub mod size;
pub mod time;
pub mod units;
