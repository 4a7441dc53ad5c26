//! HTTP clients for tests and benches. The workspace builds reqwest without a TLS provider of
//! its own: each client here brings ring's, and trusts exactly what it is told to.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// A client builder that trusts the certificates in `pem` and nothing else: a simulator's or
/// the portal's self-signed one.
pub fn builder_trusting(pem: &str) -> reqwest::ClientBuilder {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(certificate.expect("PEM")).expect("root");
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocols")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder().use_preconfigured_tls(tls)
}

/// A client that trusts the certificates in `pem` and nothing else.
pub fn client_trusting(pem: &str) -> reqwest::Client {
    builder_trusting(pem).build().expect("client")
}

/// A client builder for servers reached over plain HTTP (the portal without TLS, the OpenID
/// provider): it trusts no certificate at all.
pub fn plain_builder() -> reqwest::ClientBuilder {
    builder_trusting("")
}

/// A client for servers reached over plain HTTP.
pub fn plain_client() -> reqwest::Client {
    plain_builder().build().expect("client")
}
