//! A client for the FlashArray REST 2.x API, and for Pure1's public REST API ([`Pure1Client`]).
//!
//! [`ArrayClient`] negotiates the REST version, authenticates with an API token (a REST
//! session) or an API client (the OAuth 2.0 token exchange with an RS256 ID token), renews
//! credentials when the array refuses them, and turns every refusal into one [`Error`] that
//! names the array and carries its messages and request id.

mod admin;
mod auth;
mod client;
mod error;
mod fleet;
mod hardware;
mod hosts;
mod keys;
mod list;
mod passthrough;
mod pods;
mod protection;
mod pure1;
mod replication;
mod tls;
mod volumes;

pub use auth::{ApiClientCredentials, Credentials};
pub use client::{
    ArrayClient, ClientConfig, DEFAULT_CALLS_AT_ONCE, DEFAULT_CALLS_WAITING, Everything, RawReply,
    ReadFailure, current_request_id, read_body_within, with_request_id,
};
pub use error::Error;
pub use hosts::ConnectionTarget;
pub use keys::{KeyError, PrivateKey};
pub use list::ListParams;
pub use passthrough::{PassedCall, PassedReply};
pub use protection::MemberKind;
pub use pure1::{MetricWindow, Pure1Client};
pub use tls::{TrustAnchor, client_config};
pub use volumes::VolumeQuery;

/// `"0A1b"` as `[0x0A, 0x1B]`; `None` unless it is whole bytes of hex digits.
pub(crate) fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
