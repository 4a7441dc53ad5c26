//! An axum app served over HTTPS in the background until it is shut down or dropped: what the
//! simulators (and tests standing up servers) need, in one place.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{ServerCertificate, TlsError, TlsListener};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A running HTTPS server; it stops when dropped.
#[derive(Debug)]
pub struct HttpsServer {
    url: String,
    certificate_pem: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl HttpsServer {
    /// Serves `app` on `listen` (port 0: any free port) with `certificate`.
    pub async fn start(
        listen: SocketAddr,
        certificate: &ServerCertificate,
        app: axum::Router,
    ) -> Result<Self, ServeError> {
        let listen_error = |source| ServeError::Listen {
            addr: listen,
            source,
        };
        let tcp = TcpListener::bind(listen).await.map_err(listen_error)?;
        let listener = TlsListener::new(tcp, certificate.server_config()?).map_err(listen_error)?;
        let addr = axum::serve::Listener::local_addr(&listener).map_err(listen_error)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "HTTPS server stopped");
            }
        });
        Ok(Self {
            url: format!("https://{addr}"),
            certificate_pem: certificate.certificate_pem().to_owned(),
            stop: Some(stop),
            task,
        })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The certificate it serves, for clients to trust.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// Stops serving and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
