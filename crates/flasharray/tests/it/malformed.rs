//! Answers no array should give, as proxies and broken firmware do give them: the client
//! must turn each into an error naming the array, never panic.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use flasharray::{ArrayClient, ClientConfig, Credentials, Error, TrustAnchor, VolumeQuery};
use tls_listener::TlsListener;

/// A connection key in an answer cut short.
const CUT_KEY: &str = "6207d123-d123-0b5c-5fa1-95fabc5c7123";

/// A server that speaks HTTPS and knows the paths, but answers badly.
async fn broken_array() -> (String, String, tokio::task::JoinHandle<()>) {
    let identity = flasharray_sim::tls::self_signed().expect("certificate");
    let tcp = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let address = tcp.local_addr().expect("address");
    let listener = TlsListener::new(tcp, identity.server_config().expect("TLS")).expect("listener");
    let app = Router::new()
        .route(
            "/api/api_version",
            get(|| async { r#"{"version":["2.52"]}"# }),
        )
        .route(
            "/api/2.52/login",
            post(|headers: axum::http::HeaderMap| async move {
                if headers
                    .get("api-token")
                    .is_some_and(|token| token == "no-session-header")
                {
                    StatusCode::OK.into_response()
                } else {
                    (
                        StatusCode::OK,
                        [("x-auth-token", "session")],
                        r#"{"items":[]}"#,
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/api/2.52/arrays",
            get(|| async {
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "text/html")],
                    "<html><h1>502 Bad Gateway</h1></html>",
                )
            }),
        )
        .route(
            "/api/2.52/volumes",
            get(|| async { "{not json" }).post(|| async { StatusCode::OK }),
        )
        .route(
            "/api/2.52/array-connections/connection-key",
            get(|| async { format!(r#"{{"items":[{{"connection_key":"{CUT_KEY}"#) }),
        );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (
        format!("https://{address}"),
        identity.certificate_pem().to_owned(),
        server,
    )
}

fn client(url: &str, certificate: &str, token: &str) -> ArrayClient {
    let config = ClientConfig::new(
        "broken",
        url,
        Credentials::ApiToken(token.into()),
        TrustAnchor::CaPem(certificate.into()),
    );
    ArrayClient::new(config).expect("client")
}

#[tokio::test]
async fn every_bad_answer_is_an_error_naming_the_array() {
    let (url, certificate, server) = broken_array().await;
    let working = client(&url, &certificate, "token");

    let html = working.array().await.unwrap_err();
    assert!(matches!(html, Error::Array { status: 502, .. }), "{html}");
    assert!(html.to_string().contains("502 Bad Gateway"), "{html}");

    let malformed = working
        .list_volumes(&VolumeQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(malformed, Error::Decode { status: 200, .. }),
        "{malformed}"
    );
    assert!(malformed.to_string().contains("{not json"), "{malformed}");

    let empty = working.create_volume("v", 1 << 20).await.unwrap_err();
    assert!(matches!(empty, Error::Decode { .. }), "{empty}");

    let no_header = client(&url, &certificate, "no-session-header")
        .array()
        .await
        .unwrap_err();
    assert!(
        no_header.to_string().contains("has no x-auth-token header"),
        "{no_header}"
    );

    for error in [html, malformed, empty, no_header] {
        assert!(error.to_string().starts_with("broken: "), "{error}");
    }
    server.abort();
}

#[tokio::test]
async fn a_connection_key_in_an_answer_cut_short_is_never_quoted() {
    let (url, certificate, server) = broken_array().await;
    let error = client(&url, &certificate, "token")
        .connection_key()
        .await
        .expect_err("cut short");
    let shown = error.to_string();
    assert!(matches!(error, Error::Decode { .. }), "{shown}");
    assert!(!shown.contains(CUT_KEY), "{shown}");
    server.abort();
}
