//! `pure1-sim`: a simulated Pure1 organisation on HTTPS.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use flasharray_sim::Seed;
use pure1_sim::{Pure1Config, Pure1Sim, RateLimit};
use tls_listener::ServerCertificate;

/// A Pure1 public REST API simulator.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to serve HTTPS on.
    #[arg(long, default_value = "127.0.0.1:8444")]
    listen: SocketAddr,
    /// Register this application id at start, as an admin does in Pure1's Administration →
    /// API Registration (`pure1:apikey:…`).
    #[arg(long, requires = "public_key")]
    app_id: Option<String>,
    /// The PEM public key registered for `--app-id`.
    #[arg(long, requires = "app_id")]
    public_key: Option<PathBuf>,
    /// Starting fleet: `empty`, or `demo` for three arrays of its own.
    #[arg(long, default_value = "empty")]
    seed: String,
    /// Requests per second the organisation may make.
    #[arg(long, default_value_t = RateLimit::default().per_second)]
    per_second: u32,
    /// Requests per minute the organisation may make.
    #[arg(long, default_value_t = RateLimit::default().per_minute)]
    per_minute: u32,
    /// PEM certificate chain to serve instead of a generated self-signed one.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of `--tls-cert`.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let sim = Pure1Sim::default();
    match args.seed.as_str() {
        "empty" => {}
        "demo" => {
            for name in ["fa-east-01", "fa-east-02", "fa-west-01"] {
                sim.add_array(name, Seed::Demo);
            }
        }
        other => return Err(format!("unknown seed {other:?}: use empty or demo").into()),
    }
    if let (Some(app_id), Some(path)) = (&args.app_id, &args.public_key) {
        sim.register_application(app_id, &std::fs::read_to_string(path)?)?;
    }
    let certificate = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(ServerCertificate::from_pem_files(cert, key)?),
        _ => None,
    };
    let running = sim
        .start(Pure1Config {
            listen: args.listen,
            certificate,
            rate_limit: RateLimit {
                per_second: args.per_second,
                per_minute: args.per_minute,
            },
        })
        .await?;
    println!("Pure1 simulator on {}", running.url());
    if args.tls_cert.is_none() {
        println!("self-signed certificate:\n{}", running.certificate_pem());
    }
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}
