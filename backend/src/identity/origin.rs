//! Where a request comes from: the client's address and whether it reached us over HTTPS.
//! Behind a TLS-terminating proxy both come from `X-Forwarded-For` and `X-Forwarded-Proto`,
//! believed only when the connection comes from a proxy the configuration trusts.

use std::net::{IpAddr, SocketAddr};

use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::error::AppError;

/// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpAddr]>);

/// The client as far as the portal can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOrigin {
    /// `None` where no socket is involved (tests driving the router directly).
    pub address: Option<IpAddr>,
    /// Whether the browser's connection is HTTPS, so the session cookie can be `Secure`.
    pub https: bool,
}

impl ClientOrigin {
    pub fn of(peer: Option<IpAddr>, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> Self {
        let from_proxy = peer.is_some_and(|peer| trusted_proxies.contains(&peer));
        if !from_proxy {
            return Self {
                address: peer,
                https: false,
            };
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
        };
        // The proxy appends the address it saw last; earlier entries are the client's word.
        // A client can send its own header line too, so the last line's last entry counts.
        let forwarded_for = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .and_then(|address| address.trim().parse().ok());
        Self {
            address: forwarded_for.or(peer),
            https: header("x-forwarded-proto")
                .is_some_and(|proto| proto.eq_ignore_ascii_case("https")),
        }
    }
}

impl<S> FromRequestParts<S> for ClientOrigin
where
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        Ok(Self::of(
            peer,
            &parts.headers,
            &TrustedProxies::from_ref(state).0,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_last_line_of_forwarded_for_counts_when_there_are_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.66, 203.0.113.67"),
        );
        headers.append("x-forwarded-for", HeaderValue::from_static("198.51.100.7"));
        let proxy: IpAddr = "10.0.0.2".parse().expect("address");
        let origin = ClientOrigin::of(Some(proxy), &headers, &[proxy]);
        assert_eq!(origin.address, "198.51.100.7".parse().ok());
    }

    fn headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().expect("address");
        let stranger: IpAddr = "192.0.2.1".parse().expect("address");
        let through_proxy = ClientOrigin::of(Some(proxy), &headers(), &[proxy]);
        assert_eq!(through_proxy.address, "198.51.100.7".parse().ok());
        assert!(through_proxy.https);
        let direct = ClientOrigin::of(Some(stranger), &headers(), &[proxy]);
        assert_eq!(direct.address, Some(stranger));
        assert!(!direct.https, "anyone can send the header");
    }
}
