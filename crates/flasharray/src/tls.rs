//! Which certificates an array may present.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use rustls_platform_verifier::BuilderVerifierExt;
use sha2::{Digest, Sha256};

/// What the client trusts when it connects to one array. Arrays ship self-signed
/// certificates, so trusting one array's certificate is one setting: its PEM or its
/// fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub enum TrustAnchor {
    /// The operating system's certificate store.
    System,
    /// Only these PEM certificates: the CA that signed the array's certificate, or the
    /// array's own self-signed certificate.
    CaPem(String),
    /// Exactly the certificate with this SHA-256 fingerprint, whoever signed it.
    Fingerprint([u8; 32]),
    /// Any certificate at all. The connection is encrypted but not authenticated.
    Insecure,
}

impl TrustAnchor {
    /// Parses a SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it
    /// (`AB:CD:…`), with or without colons, in either case.
    pub fn fingerprint(text: &str) -> Result<Self, String> {
        let hex: String = text
            .trim()
            .trim_start_matches("sha256 Fingerprint=")
            .chars()
            .filter(|c| *c != ':')
            .collect();
        let invalid =
            || format!("{text:?} is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
        let bytes: [u8; 32] = crate::hex_bytes(&hex)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(invalid)?;
        Ok(TrustAnchor::Fingerprint(bytes))
    }
}

impl fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustAnchor::System => f.write_str("System"),
            TrustAnchor::CaPem(_) => f.write_str("CaPem(..)"),
            TrustAnchor::Fingerprint(bytes) => write!(f, "Fingerprint({})", colon_hex(bytes)),
            TrustAnchor::Insecure => f.write_str("Insecure"),
        }
    }
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A rustls client configuration that trusts what `trust` says; the array client's own, and
/// the portal's health check of its own HTTPS.
pub fn client_config(trust: &TrustAnchor) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?;
    let pinned = |expected: Option<[u8; 32]>| {
        let verifier = Arc::new(PinnedCertificate {
            expected,
            algorithms,
        });
        builder
            .clone()
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth()
    };
    match trust {
        TrustAnchor::System => builder
            .clone()
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
            Ok(builder
                .clone()
                .with_root_certificates(roots)
                .with_no_client_auth())
        }
        TrustAnchor::Fingerprint(expected) => Ok(pinned(Some(*expected))),
        TrustAnchor::Insecure => Ok(pinned(None)),
    }
}

/// Accepts the one certificate whose SHA-256 is `expected` (or, when `None`, any), and still
/// checks that the server holds its private key.
#[derive(Debug)]
struct PinnedCertificate {
    expected: Option<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(expected) = self.expected else {
            return Ok(ServerCertVerified::assertion());
        };
        let actual: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if actual == expected {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the certificate's SHA-256 fingerprint is {}, not the pinned {}",
                colon_hex(&actual),
                colon_hex(&expected)
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fingerprints_as_openssl_prints_them() {
        let colons = "sha256 Fingerprint=".to_owned() + &["AB"; 32].join(":");
        assert_eq!(
            TrustAnchor::fingerprint(&colons),
            Ok(TrustAnchor::Fingerprint([0xAB; 32]))
        );
        assert_eq!(
            TrustAnchor::fingerprint(&"cd".repeat(32)),
            Ok(TrustAnchor::Fingerprint([0xCD; 32]))
        );
        assert!(TrustAnchor::fingerprint("AB:CD").is_err());
        assert!(TrustAnchor::fingerprint(&"zz".repeat(32)).is_err());
    }
}
