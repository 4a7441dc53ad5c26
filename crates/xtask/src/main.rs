//! `cargo xtask`: the project's task runner.
//!
//! - `demo [--listen ADDR]`: installs what is missing, builds the frontend, runs the portal
//!   with two simulated arrays.
//! - `test`: formatting, lints (host and wasm32), the frontend built alone, every test
//!   including the browser suite, then the backend's tests again on PostgreSQL, then the
//!   container image built and tested.
//! - `frontend`: installs what is missing and builds the frontend.
//! - `image [--tag NAME]`: builds the container image (static musl binary, `FROM scratch`)
//!   with podman or docker, installing what is missing.
//! - `bench`: prints the client's throughput and token-exchange figures (arrays and Pure1:
//!   1,000 concurrent reads on a cold cache, one exchange), the simulator's
//!   list, filter, sort and paging times with 100,000 volumes, and the portal's figures
//!   (proxy overhead, sign-ins from one address, load, faults, memory, the UI's cold load)
//!   and the fleet pages' (search and summary over 50 arrays, with and without latency,
//!   with a slow and a dead array) beside their goals.
//!
//! Only the standard library is used, so the runner itself compiles in a second.

mod image;
mod postgres;
mod split;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use tools::{Tools, run};

const USAGE: &str =
    "usage: cargo xtask <demo [--listen ADDR] | test | frontend | image [--tag NAME] | bench>";

/// What `cargo xtask image` tags, and what the README's commands run.
const IMAGE_TAG: &str = "localhost/flashdeck:latest";
/// What the test suite builds and runs, so a test run never replaces an image in use.
const TEST_IMAGE_TAG: &str = "localhost/flashdeck:test";

fn main() -> ExitCode {
    if split::is_standing_in() {
        let args: Vec<_> = std::env::args_os().skip(1).collect();
        return exit_code(split::stand_in(&args));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") if args.len() == 1 => test(),
        Some("bench") if args.len() == 1 => bench(),
        Some("image") => image_command(&args[1..]),
        Some("frontend") if args.len() == 1 => {
            Tools::ensure_wasm(&root()).and_then(|tools| build_frontend(&tools))
        }
        _ => Err(USAGE.to_owned()),
    };
    exit_code(result)
}

fn exit_code(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives in `crates/xtask`.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}

fn build_frontend(tools: &Tools) -> Result<(), String> {
    let root = root();
    let mut trunk = split::trunk(tools, &root)?;
    // The target path comes before --release, whose optional value would otherwise take it.
    trunk
        .args(["build", "index.html", "--release", "--offline"])
        .current_dir(root.join("frontend"));
    run(&mut trunk)?;
    let dist = root.join("frontend/dist");
    split::finish(tools, &root, &dist, "frontend")?;
    precompress(&dist)
}

/// Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text and WebAssembly file of
/// the built frontend, which the server hands to browsers that accept them.
fn precompress(dist: &Path) -> Result<(), String> {
    tools::ensure_compressors()?;
    let entries = std::fs::read_dir(dist)
        .map_err(|error| format!("cannot read {}: {error}", dist.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|error| format!("cannot read {}: {error}", dist.display()))?
            .path();
        let compressible = path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| matches!(extension, "wasm" | "js" | "css" | "html"));
        if !compressible {
            continue;
        }
        run(Command::new("brotli")
            .args(["--force", "--keep", "--quality=11"])
            .arg(&path))?;
        run(Command::new("gzip")
            .args(["--force", "--keep", "--best", "--no-name"])
            .arg(&path))?;
    }
    Ok(())
}

/// Every benchmark, in release builds, one after another: the client, the simulator, and
/// the portal itself (with the frontend built, for the cold-load figure).
fn bench() -> Result<(), String> {
    let tools = Tools::ensure_wasm(&root())?;
    build_frontend(&tools)?;
    for (package, bench) in [
        ("flasharray", "client"),
        ("flasharray", "pure1"),
        ("flasharray-sim", "volumes"),
        ("backend", "portal"),
        ("backend", "fleet"),
        ("backend", "notify"),
    ] {
        run(cargo().args(["bench", "--package", package, "--bench", bench]))?;
    }
    Ok(())
}

fn image_command(args: &[String]) -> Result<(), String> {
    let tag = match args {
        [] => IMAGE_TAG,
        [flag, tag] if flag == "--tag" => tag,
        _ => return Err(USAGE.to_owned()),
    };
    let root = root();
    let tools = Tools::ensure_wasm(&root)?;
    let engine = image::Engine::ensure(&root)?;
    build_frontend(&tools)?;
    image::build(&engine, tag)
}

fn demo(args: &[String]) -> Result<(), String> {
    let listen = match args {
        [] => "127.0.0.1:8080".to_owned(),
        [flag, address] if flag == "--listen" => address.clone(),
        _ => return Err(USAGE.to_owned()),
    };
    let root = root();
    let tools = Tools::ensure_wasm(&root)?;
    build_frontend(&tools)?;
    run(cargo().args(["build", "--package", "backend", "--bin", "flashdeck"]))?;
    let binary = root.join("target/debug/flashdeck");
    let mut portal = Command::new(binary);
    portal.arg("demo").arg("--listen").arg(listen);
    portal
        .arg("--data-dir")
        .arg(root.join("flashdeck-data/demo"));
    portal.arg("--frontend-dir").arg(root.join("frontend/dist"));
    exec(portal)
}

/// Replaces this process with `command`, so that Ctrl-C reaches the portal alone and it can
/// shut down cleanly.
#[cfg(unix)]
fn exec(mut command: Command) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let program = command.get_program().to_owned();
    let error = command.exec();
    Err(format!(
        "cannot start {}: {error}",
        program.to_string_lossy()
    ))
}

#[cfg(not(unix))]
fn exec(mut command: Command) -> Result<(), String> {
    run(&mut command)
}

fn test() -> Result<(), String> {
    let root = root();
    let tools = Tools::ensure_wasm(&root)?;
    tools::ensure_browser()?;
    tools::ensure_rsyslog()?;
    let axe = tools::ensure_axe()?;
    let postgres = postgres::ensure()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    // The frontend is only ever built for the browser, so it is linted for wasm32 only.
    run(cargo().args([
        "clippy",
        "--workspace",
        "--exclude",
        "frontend",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "clippy",
        "--package",
        "shared",
        "--package",
        "frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    // Built on its own, so that a native-only dependency reaching `shared` fails here even
    // when the rest of the workspace would mask it through feature unification.
    build_frontend(&tools)?;
    let mut totals = tools::run_tests(
        cargo()
            .args(["test", "--workspace", "--exclude", "frontend"])
            .env("FLASHDECK_AXE_JS", &axe),
    )?;
    // The backend's tests once more, on PostgreSQL, each in a schema of its own.
    let on_postgres = tools::run_tests(
        cargo()
            .args(["test", "--package", "backend"])
            .env("FLASHDECK_TEST_POSTGRES", &postgres),
    )?;
    totals.passed += on_postgres.passed;
    totals.failed += on_postgres.failed;
    // The image as an operator runs it: a mounted configuration, a data volume, a sign-in.
    let engine = image::Engine::ensure(&root)?;
    image::build(&engine, TEST_IMAGE_TAG)?;
    let in_container = tools::run_tests(
        cargo()
            .args([
                "test",
                "--package",
                "e2e",
                "--test",
                "container",
                "--",
                "--ignored",
            ])
            .env("FLASHDECK_TEST_IMAGE", TEST_IMAGE_TAG)
            .envs(engine.test_env()),
    )?;
    totals.passed += in_container.passed;
    totals.failed += in_container.failed;
    // One closing line for the whole run: cargo's own ends on whichever binary came last.
    println!("tests: {} passed, {} failed", totals.passed, totals.failed);
    if totals.passed == 0 {
        return Err("no test ran".to_owned());
    }
    Ok(())
}
