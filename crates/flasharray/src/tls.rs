//! Which certificates an array may present.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use rustls_platform_verifier::BuilderVerifierExt;

/// What the client trusts when it connects to one array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustAnchor {
    /// The operating system's certificate store.
    System,
    /// Only these PEM certificates: the CA that signed the array's certificate, or the
    /// array's own self-signed certificate.
    CaPem(String),
}

pub(crate) fn client_config(trust: &TrustAnchor) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?;
    match trust {
        TrustAnchor::System => builder
            .with_platform_verifier()
            .map(|builder| builder.with_no_client_auth())
            .map_err(|error| format!("cannot load the system's trusted certificates: {error}")),
        TrustAnchor::CaPem(pem) => {
            let mut roots = RootCertStore::empty();
            for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let certificate =
                    certificate.map_err(|error| format!("invalid CA certificate PEM: {error}"))?;
                roots
                    .add(certificate)
                    .map_err(|error| format!("unusable CA certificate: {error}"))?;
            }
            if roots.is_empty() {
                return Err("the CA bundle holds no PEM certificate".to_owned());
            }
            Ok(builder.with_root_certificates(roots).with_no_client_auth())
        }
    }
}
