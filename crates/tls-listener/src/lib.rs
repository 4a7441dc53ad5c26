//! HTTPS for axum servers, shared by the portal and the FlashArray simulator: a certificate
//! chain and key read from PEM, and a listener that completes TLS handshakes off the accept
//! loop.

mod server;

pub use server::{HttpsServer, ServeError};

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A TLS handshake that takes longer than this is abandoned.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{origin} holds no PEM certificate")]
    NoCertificate { origin: String },
    #[error("{origin} holds no PEM private key")]
    NoKey { origin: String },
    #[error("the key in {} does not belong to the certificate in {}", key.display(), certificate.display())]
    KeyMismatch { certificate: PathBuf, key: PathBuf },
    #[error("invalid certificate or key: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A certificate chain and its private key, with the chain's PEM for clients to trust.
/// `Debug` shows the certificate only.
pub struct ServerCertificate {
    certificate_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ServerCertificate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServerCertificate")
            .field("certificate_pem", &self.certificate_pem)
            .finish_non_exhaustive()
    }
}

impl ServerCertificate {
    /// A chain and key from PEM text.
    pub fn from_pem(certificate_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        Ok(Self {
            certificate_pem: String::from_utf8_lossy(certificate_pem).into_owned(),
            chain: chain_from_pem(certificate_pem, "the certificate")?,
            key: key_from_pem(key_pem, "the key")?,
        })
    }

    /// A chain and key from PEM files, checked to belong together.
    pub fn from_pem_files(certificate_path: &Path, key_path: &Path) -> Result<Self, TlsError> {
        let certificate_pem = read(certificate_path)?;
        let certificate = Self {
            chain: chain_from_pem(&certificate_pem, &certificate_path.display().to_string())?,
            key: key_from_pem(&read(key_path)?, &key_path.display().to_string())?,
            certificate_pem: String::from_utf8_lossy(&certificate_pem).into_owned(),
        };
        match certificate.server_config() {
            Err(TlsError::Rustls(rustls::Error::InconsistentKeys(_))) => {
                Err(TlsError::KeyMismatch {
                    certificate: certificate_path.to_owned(),
                    key: key_path.to_owned(),
                })
            }
            Err(error) => Err(error),
            Ok(_) => Ok(certificate),
        }
    }

    /// The chain as PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// A rustls server configuration (TLS 1.2 and 1.3) serving this certificate.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())?;
        Ok(Arc::new(config))
    }
}

/// Accepts TCP connections and hands out those whose TLS handshake completed, so one slow
/// or broken client never holds up the others.
#[derive(Debug)]
pub struct TlsListener {
    handshaken: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> io::Result<Self> {
        let local_addr = tcp.local_addr()?;
        let (sender, handshaken) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = tcp.accept() => accepted,
                    () = sender.closed() => break,
                };
                let (stream, peer) = match accepted {
                    Ok(connection) => connection,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            handshaken,
            local_addr,
        })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(connection) => connection,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

/// The server's own certificate (the first of the chain in a PEM file), DER-encoded: what a
/// client that pins it needs, without the private key.
pub fn read_leaf_certificate(path: &Path) -> Result<CertificateDer<'static>, TlsError> {
    let mut chain = chain_from_pem(&read(path)?, &path.display().to_string())?;
    Ok(chain.swap_remove(0))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn chain_from_pem(pem: &[u8], origin: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            origin: origin.to_owned(),
        });
    }
    Ok(chain)
}

fn key_from_pem(pem: &[u8], origin: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|_| TlsError::NoKey {
        origin: origin.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated() -> (String, String) {
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("generates");
        (certified.cert.pem(), certified.signing_key.serialize_pem())
    }

    fn files(certificate: &str, key: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (certificate_path, key_path) =
            (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&certificate_path, certificate).expect("writes");
        std::fs::write(&key_path, key).expect("writes");
        (dir, certificate_path, key_path)
    }

    #[test]
    fn reads_a_matching_certificate_and_key() {
        let (certificate, key) = generated();
        let (_dir, certificate_path, key_path) = files(&certificate, &key);
        let read = ServerCertificate::from_pem_files(&certificate_path, &key_path).expect("reads");
        assert_eq!(read.certificate_pem(), certificate);
        let leaf = read_leaf_certificate(&certificate_path).expect("reads");
        assert_eq!(leaf.as_ref(), read.chain[0].as_ref());
        assert!(!format!("{read:?}").contains("PRIVATE KEY"));
    }

    /// Reading the pair fails with an error that says `message`.
    fn assert_refused(certificate: &Path, key: &Path, message: &str) {
        let error = ServerCertificate::from_pem_files(certificate, key).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }

    #[test]
    fn names_the_file_that_is_wrong() {
        let (certificate, key) = generated();
        let (_dir, certificate_path, key_path) = files(&key, &key);
        assert_refused(
            &certificate_path,
            &key_path,
            "cert.pem holds no PEM certificate",
        );
        let (_dir, certificate_path, key_path) = files(&certificate, &certificate);
        assert_refused(
            &certificate_path,
            &key_path,
            "key.pem holds no PEM private key",
        );
        assert_refused(
            &certificate_path,
            Path::new("/nonexistent/key.pem"),
            "cannot read /nonexistent/key.pem",
        );
    }

    #[test]
    fn refuses_a_key_of_another_certificate() {
        let (certificate, _) = generated();
        let (_, other_key) = generated();
        let (_dir, certificate_path, key_path) = files(&certificate, &other_key);
        assert_refused(
            &certificate_path,
            &key_path,
            "key.pem does not belong to the certificate in",
        );
    }
}
