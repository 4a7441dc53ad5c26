//! What the workspace's tests and benches share, so that each test file holds only what is
//! its own: the Python tools from PyPI ([`python`]), a real OpenID provider
//! ([`oidc_provider`]), a `flashdeck` process ([`portal`]) and HTTP clients that trust a
//! simulator's or the portal's self-signed certificate ([`tls`]), and receivers of
//! notifications ([`webhook_receiver`], [`smtp_receiver`], [`syslog_receiver`]).

pub mod oidc_provider;
pub mod portal;
pub mod python;
pub mod smtp_receiver;
pub mod syslog_receiver;
pub mod tls;
pub mod webhook_receiver;
