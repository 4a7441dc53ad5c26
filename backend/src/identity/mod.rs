//! Who is calling and whether they may: passwords, sessions and API tokens, single sign-on,
//! sign-in throttling, and where a request comes from.

pub mod auth;
pub mod oidc;
pub mod origin;
pub mod passwords;
pub mod session_cache;
pub mod sign_in_queue;
pub mod throttle;
