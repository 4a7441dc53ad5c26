//! `flashdeck healthcheck`: asks the server at the configured address for `/healthz`, over
//! HTTPS when the configuration serves it, for container images that have no curl.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use flasharray::TrustAnchor;
use rustls::pki_types::ServerName;
use sha2::{Digest, Sha256};
use tls_listener::read_leaf_certificate;

use crate::config::Config;

const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum HealthcheckError {
    #[error("nothing answers at {address}: {source}")]
    Connect {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("{address}: {source}")]
    Exchange {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Certificate(#[from] tls_listener::TlsError),
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    #[error("{address}/healthz answered {status:?}")]
    Unhealthy { address: SocketAddr, status: String },
}

/// Succeeds if `/healthz` answers 200.
pub fn check(config: &Config) -> Result<(), HealthcheckError> {
    let mut address = config.listen;
    if address.ip().is_unspecified() {
        address.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    let stream = TcpStream::connect_timeout(&address, TIMEOUT)
        .map_err(|source| HealthcheckError::Connect { address, source })?;
    let exchange_error = |source| HealthcheckError::Exchange { address, source };
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(exchange_error)?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(exchange_error)?;
    let answer = match &config.tls {
        None => ask(stream),
        Some(tls) => {
            // Whatever name the certificate carries, this is the server that holds it.
            let leaf = read_leaf_certificate(&tls.certificate_file)?;
            let pinned = TrustAnchor::Fingerprint(Sha256::digest(leaf.as_ref()).into());
            let client = flasharray::client_config(&pinned).map_err(HealthcheckError::Tls)?;
            let connection = rustls::ClientConnection::new(
                Arc::new(client),
                ServerName::IpAddress(address.ip().into()),
            )
            .map_err(|error| HealthcheckError::Tls(error.to_string()))?;
            ask(rustls::StreamOwned::new(connection, stream))
        }
    }
    .map_err(exchange_error)?;
    let status = answer.lines().next().unwrap_or_default().to_owned();
    if status.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(HealthcheckError::Unhealthy { address, status })
    }
}

fn ask(mut stream: impl Read + Write) -> std::io::Result<String> {
    stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    stream.flush()?;
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        // HTTP/1.0: the server closes once it has answered, without TLS's close_notify.
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof && !answer.is_empty() => {}
        Err(error) => return Err(error),
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}
