//! The simulator's certificate: self-signed, like the one an array ships with.

use tls_listener::{ServerCertificate, TlsError};

#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("cannot generate a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A fresh self-signed certificate for `localhost` and `127.0.0.1`.
pub fn self_signed() -> Result<ServerCertificate, CertificateError> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    Ok(ServerCertificate::from_pem(
        certified.cert.pem().as_bytes(),
        certified.signing_key.serialize_pem().as_bytes(),
    )?)
}
