//! `flashdeck`: the portal server and its administration commands.

use std::io::Read;
#[cfg(feature = "demo")]
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::FromRef;
use backend::AppState;
use backend::arrays::registration::Registrations;
use backend::arrays::registry::ArrayRegistry;
use backend::clock::unix_now;
use backend::config::{Config, Environment};
use backend::db::{Database, DatabaseKind, DbError};
use backend::identity::passwords::hash_password;
use backend::server::check_frontend_dir;
use clap::{Parser, Subcommand};
use shared::api::Role;
use tls_listener::{ServerCertificate, TlsListener};

/// Flashdeck: administer a fleet of Pure Storage FlashArrays from the browser.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// TOML configuration file; every setting also has a FLASHDECK_* environment variable.
    #[arg(long, short, global = true, env = "FLASHDECK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Serve the portal with four simulated arrays in this process, for trying it out.
    #[cfg(feature = "demo")]
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[arg(long, default_value = "flashdeck-data/demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "frontend/dist")]
        frontend_dir: PathBuf,
    },
    /// Manage portal users.
    #[command(subcommand)]
    User(UserCommand),
    /// Work with the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Exit 0 if the server at the configured listen address answers /healthz: the container
    /// image's health check, which has no curl to call.
    Healthcheck,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Check the file given with --config (and the FLASHDECK_* environment) as `serve` would
    /// read it: every key, every array's secrets and keys, the database URL and the secret
    /// key. Exits non-zero with the first problem; contacts nothing.
    Check,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from --password-file, or else from standard input.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Forget a user's failed sign-ins from every address, so that sign-in is neither
    /// refused nor slowed for them.
    Unlock { name: String },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text)
        .ok_or_else(|| format!("{text:?} is not a role: use viewer, operator or admin"))
}

type MainResult = Result<(), Box<dyn std::error::Error>>;

/// Errors end the process with their message (not their debug form) and exit status 1.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flashdeck: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> MainResult {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // One JSON object a line for log collectors; text for people otherwise.
    if std::env::var("FLASHDECK_LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().flatten_event(true).init();
    } else {
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    let cli = Cli::parse();
    let env = Environment::from_process();
    let load = || Config::load(cli.config.as_deref(), &env);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(load()?, &env).await,
        #[cfg(feature = "demo")]
        Command::Demo {
            listen,
            data_dir,
            frontend_dir,
        } => demo(listen, data_dir, frontend_dir).await,
        Command::Config(ConfigCommand::Check) => check_config(cli.config.as_deref(), &env),
        Command::Healthcheck => Ok(backend::ops::healthcheck::check(&load()?)?),
        Command::User(UserCommand::Add {
            name,
            role,
            password_file,
        }) => add_user(&load()?, &name, role, password_file).await,
        Command::User(UserCommand::Unlock { name }) => {
            let db = open_database(&load()?).await?;
            let forgotten = backend::identity::throttle::unlock(&db, &name).await?;
            println!("{name}: {forgotten} failed sign-in(s) forgotten");
            Ok(())
        }
    }
}

fn check_config(path: Option<&std::path::Path>, env: &Environment) -> MainResult {
    let path = path.ok_or("give the file to check with --config FILE (or FLASHDECK_CONFIG)")?;
    let config = Config::load(Some(path), env)?;
    let database = config.database_url();
    // Only the scheme is repeated: the rest of a URL may hold a password.
    let kind = DatabaseKind::of_url(&database).ok_or_else(|| {
        let scheme = database.split(':').next().unwrap_or_default();
        format!("database_url: {scheme:?} is neither sqlite://PATH nor postgres://…")
    })?;
    let registry = ArrayRegistry::from_config(&config.arrays)?;
    let pure1 = backend::pure1::Pure1Service::from_config(
        config.pure1.as_ref(),
        backend::state::PURE1_VIEW_TTL,
    )?;
    let secret_key = config.secret_key(env)?;
    if let Some(tls) = &config.tls {
        ServerCertificate::from_pem_files(&tls.certificate_file, &tls.key_file)?;
    }
    config.approvals.checked()?;
    if let Some(oidc) = &config.oidc {
        backend::identity::oidc::Oidc::from_config(oidc)?;
    }
    println!(
        "{}: ok; {} array(s) ({}); Pure1: {}; database: {}; serving {}; secret key for arrays registered in the UI: {}",
        path.display(),
        registry.summaries().len(),
        registry
            .summaries()
            .iter()
            .map(|array| format!("{} by {}", array.name, array.auth_method.label()))
            .collect::<Vec<_>>()
            .join(", "),
        if pure1.is_configured() {
            "configured"
        } else {
            "not configured"
        },
        match kind {
            DatabaseKind::Sqlite => "SQLite",
            DatabaseKind::Postgres => "PostgreSQL",
        },
        if config.tls.is_some() {
            "HTTPS"
        } else {
            "HTTP"
        },
        if secret_key.is_some() {
            "set"
        } else {
            "not set"
        }
    );
    Ok(())
}

async fn open_database(config: &Config) -> Result<Database, Box<dyn std::error::Error>> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(|error| {
            format!(
                "cannot create the data directory {}: {error}",
                config.data_dir.display()
            )
        })?;
    }
    Ok(Database::connect(&config.database_url()).await?)
}

async fn serve(mut config: Config, env: &Environment) -> MainResult {
    check_frontend_dir(&config.frontend_dir)?;
    let certificate = match &config.tls {
        Some(tls) => {
            // Served over HTTPS, the session cookie must never travel over plain HTTP.
            config.session.secure_cookie = true;
            Some(ServerCertificate::from_pem_files(
                &tls.certificate_file,
                &tls.key_file,
            )?)
        }
        None => None,
    };
    let db = open_database(&config).await?;
    create_first_admin(&db, env).await?;
    let registry = ArrayRegistry::from_config(&config.arrays)?;
    for array in registry.summaries() {
        tracing::info!(array = %array.name, url = %array.url, auth = array.auth_method.label(), "array registered");
    }
    let pure1 = backend::pure1::Pure1Service::from_config(
        config.pure1.as_ref(),
        backend::state::PURE1_VIEW_TTL,
    )?;
    let mut state = AppState::new(db.clone(), registry, config.session)
        .with_trusted_proxies(&config.trusted_proxies)
        .with_limits(config.limits)
        .with_pure1(pure1)
        .with_approvals(config.approvals.checked()?);
    if certificate.is_some() {
        state = state.serving_https();
    }
    if let Some(oidc) = &config.oidc {
        state = state.with_oidc(backend::identity::oidc::Oidc::from_config(oidc)?);
        tracing::info!(issuer = %oidc.issuer, "single sign-on");
    }
    match config.secret_key(env)? {
        Some(key) => state = state.with_secret_key(key),
        None => tracing::info!(
            "no secret key: arrays come from the configuration file and the environment only (set \
             FLASHDECK_SECRET_KEY or secret_key_file to register them in the portal)"
        ),
    }
    let notifier = backend::notify::Notifier::connect(
        &config.database_url(),
        state.db.clone(),
        state.secret_key.clone(),
        state.arrays.clone(),
        state.array_deadline(),
    )
    .await?;
    let mut audit_sinks = Vec::new();
    if let Some(url) = &config.audit.syslog_url {
        let trust = match &config.audit.syslog_ca_file {
            Some(path) => {
                flasharray::TrustAnchor::CaPem(std::fs::read_to_string(path).map_err(|error| {
                    format!("cannot read the syslog CA file {}: {error}", path.display())
                })?)
            }
            None => flasharray::TrustAnchor::System,
        };
        let hostname = config
            .audit
            .hostname
            .clone()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "flashdeck".to_owned());
        let target = backend::notify::forwarding::SyslogTarget::parse(url, &trust, &hostname)?;
        tracing::info!(destination = %target.destination(), "the audit log is forwarded to syslog");
        audit_sinks.push(backend::notify::forwarding::AuditSink::Syslog(target));
    }
    if config.audit.stdout_json {
        audit_sinks.push(backend::notify::forwarding::AuditSink::JsonLines);
    }
    if let Some(url) = &config.notifications.portal_url
        && shared::api::url_host(url).is_none()
    {
        return Err(format!(
            "notifications.portal_url {url:?} is not an http:// or https:// address"
        )
        .into());
    }
    let notifier = backend::notify::Notifier {
        portal_url: config.notifications.portal_url.clone(),
        audit_sinks,
        ..notifier
    };
    notifier.run(
        &config.database_url(),
        std::time::Duration::from_secs(config.notifications.watch_interval_secs),
    );
    state = state.with_notifier(notifier);
    backend::api::run_scheduled_changes(&state);
    backend::arrays::registration::sync(&Registrations::from_ref(&state)).await?;
    tokio::spawn(backend::arrays::registration::keep_in_sync(
        Registrations::from_ref(&state),
    ));
    tokio::spawn(backend::arrays::rest_root::keep_writing_reads(
        state.rest_root.clone(),
        state.db.clone(),
    ));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let address = listener.local_addr()?;
    let app = backend::router(state.clone(), &config.frontend_dir);
    match certificate {
        Some(certificate) => {
            tracing::info!("Flashdeck on https://{address}");
            let listener = TlsListener::new(listener, certificate.server_config()?)?;
            backend::serve(listener, app, shutdown_signal()).await?;
        }
        None => {
            tracing::info!("Flashdeck on http://{address}");
            backend::serve(listener, app, shutdown_signal()).await?;
        }
    }
    state.arrays.logout_all().await;
    if let Err(error) = state.rest_root.write_reads(&state.db).await {
        tracing::warn!(%error, "cannot write the REST roots' last read summary");
    }
    db.close().await;
    Ok(())
}

/// On first start, `FLASHDECK_ADMIN_USERNAME` and `FLASHDECK_ADMIN_PASSWORD` (or
/// `…_PASSWORD_FILE`) create the first admin, so a container needs no interactive step.
async fn create_first_admin(db: &Database, env: &Environment) -> MainResult {
    if db.count_users().await? > 0 {
        return Ok(());
    }
    match env.first_admin()? {
        Some((username, password)) => {
            let created = db
                .create_user(
                    &username,
                    &hash_password(&password)?,
                    Role::Admin,
                    unix_now(),
                )
                .await;
            match created {
                Ok(_) => tracing::info!(%username, "first admin created from the environment"),
                // A replica starting at the same moment made it first.
                Err(DbError::UserExists(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        None => tracing::warn!(
            "no portal users yet: create one with `flashdeck user add NAME --role admin`, or set \
             FLASHDECK_ADMIN_USERNAME and FLASHDECK_ADMIN_PASSWORD"
        ),
    }
    Ok(())
}

async fn add_user(
    config: &Config,
    name: &str,
    role: Role,
    password_file: Option<PathBuf>,
) -> MainResult {
    shared::names::validate_object_name("User", name)?;
    let mut password = match password_file {
        Some(path) => std::fs::read_to_string(&path).map_err(|error| {
            format!("cannot read the password from {}: {error}", path.display())
        })?,
        None => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            input
        }
    };
    password.truncate(password.trim_end_matches(['\r', '\n']).len());
    shared::api::validate_password(&password).map_err(|error| error.message)?;
    let db = open_database(config).await?;
    db.create_user(name, &hash_password(&password)?, role, unix_now())
        .await?;
    println!("user {name} added with the {} role", role.as_str());
    Ok(())
}

#[cfg(feature = "demo")]
async fn demo(listen: SocketAddr, data_dir: PathBuf, frontend_dir: PathBuf) -> MainResult {
    use backend::demo::{DEMO_PASSWORD, DEMO_USERNAME, Demo, DemoOptions};
    let options = DemoOptions {
        listen,
        data_dir,
        frontend_dir,
        seed: flasharray_sim::Seed::Demo,
        connect_pure1: true,
        approvals: backend::config::ApprovalsConfig::default(),
        oidc: None,
        watch_every: std::time::Duration::from_secs(
            backend::config::NotificationsConfig::default().watch_interval_secs,
        ),
    };
    let demo = Demo::start(options).await?;
    println!();
    println!("  Flashdeck demo: {}", demo.url);
    println!("  Log in as {DEMO_USERNAME} / {DEMO_PASSWORD}");
    println!(
        "  Simulated Pure1 at {} (connected; it also reports {})",
        demo.pure1.url(),
        backend::demo::PURE1_ONLY_ARRAY
    );
    for array in &demo.arrays {
        println!("  Simulated array at {}", array.url());
    }
    println!("  Stop with Ctrl-C.");
    println!();
    shutdown_signal().await;
    println!("stopping");
    demo.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM as a container runtime sends it.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
