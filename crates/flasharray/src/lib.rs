//! A client for the FlashArray REST 2.x API.
//!
//! [`ArrayClient`] negotiates the REST version, authenticates with an API token (a REST
//! session) or an API client (the OAuth 2.0 token exchange with an RS256 ID token), renews
//! credentials when the array refuses them, and turns every refusal into one [`Error`] that
//! names the array and carries its messages and request id.

mod auth;
mod client;
mod error;
mod tls;

pub use auth::{ApiClientCredentials, Credentials, PrivateKey};
pub use client::{ArrayClient, ClientConfig, VolumeQuery};
pub use error::{Error, KeyError};
pub use tls::TrustAnchor;
