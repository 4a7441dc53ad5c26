//! `flasharray-sim`: one simulated FlashArray on HTTPS.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use flasharray_sim::{
    ADMIN_PASSWORD, ADMIN_USERNAME, DEFAULT_MODEL, DEFAULT_RELEASE, FaultConfig, Seed, Simulator,
    SimulatorConfig, models, release_lines,
};
use tls_listener::ServerCertificate;

/// A FlashArray REST 2.x simulator.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to serve HTTPS on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// The array's name.
    #[arg(long, default_value = "flasharray-sim")]
    name: String,
    /// Starting contents: `empty`, `demo` (a production array), `demo-dr` (its recovery site),
    /// `demo-branch` (a remote office) or `demo-lab` (a test-and-development array).
    #[arg(long, default_value = "empty", value_parser = parse_seed)]
    seed: Seed,
    /// The Purity release line it plays, which decides the REST levels it serves.
    #[arg(long, default_value = DEFAULT_RELEASE, value_parser = parse_release)]
    purity: String,
    /// The hardware model, which lays out its controllers, modules and ports.
    #[arg(long, default_value = DEFAULT_MODEL, value_parser = parse_model)]
    model: String,
    /// PEM certificate chain to serve instead of a generated self-signed one.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of `--tls-cert`.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Keep the array's state in this file across restarts (created if missing).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Bytes a second its replication links carry unless a connection is throttled (1 GB/s
    /// when not given).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    replication_rate: Option<u64>,
    /// Faults from the start, as `PUT /sim/faults` takes them: `{"latency_ms": 200, "error_rate": 0.1}`.
    #[arg(long, value_parser = parse_faults)]
    faults: Option<FaultConfig>,
}

fn parse_faults(text: &str) -> Result<FaultConfig, String> {
    let faults: FaultConfig = serde_json::from_str(text).map_err(|error| error.to_string())?;
    faults.validate()?;
    Ok(faults)
}

fn parse_release(text: &str) -> Result<String, String> {
    one_of(text, "Purity release", release_lines())
}

fn parse_model(text: &str) -> Result<String, String> {
    one_of(text, "model", models())
}

fn one_of(
    text: &str,
    what: &str,
    known: impl Iterator<Item = &'static str>,
) -> Result<String, String> {
    let known: Vec<&str> = known.collect();
    if known.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "unknown {what} {text:?}: use one of {}",
            known.join(", ")
        ))
    }
}

fn parse_seed(text: &str) -> Result<Seed, String> {
    Seed::parse(text).ok_or_else(|| {
        format!("unknown seed {text:?}: use empty, demo, demo-dr, demo-branch or demo-lab")
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let certificate = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => ServerCertificate::from_pem_files(cert, key)?,
        _ => flasharray_sim::tls::self_signed()?,
    };
    let mut config = SimulatorConfig::new(&args.name)
        .seed(args.seed)
        .model(&args.model)
        .purity(&args.purity);
    config.listen = args.listen;
    config.certificate = Some(certificate);
    config.state_file = args.state;
    let running = Simulator::start(config).await?;
    if let Some(faults) = args.faults {
        running.simulator.set_faults(faults);
    }
    if let Some(rate) = args.replication_rate {
        running.simulator.set_replication_rate(rate);
    }
    println!("FlashArray simulator {:?} on {}", args.name, running.url());
    println!("administrator: {ADMIN_USERNAME} / {ADMIN_PASSWORD}");
    if args.tls_cert.is_none() {
        println!(
            "self-signed certificate (trust it as the array's CA):\n{}",
            running.certificate_pem()
        );
    }
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    running.shutdown().await;
    Ok(())
}
