//! Installing the build and test tools, each only when missing or at the wrong version, and
//! only from package registries: crates.io, npm and Debian.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// trunk 0.22 needs a newer rustc than this project's toolchain.
const TRUNK_VERSION: &str = "0.21.14";
/// What cuts the UI's pages out of its first download (see `split.rs`).
const WASM_SPLIT_VERSION: &str = "0.2.4";
/// Debian's binaryen (108) silently breaks current wasm-bindgen output; this one works.
const BINARYEN_VERSION: &str = "132.0.0";
/// The accessibility checker the browser tests run on every page.
const AXE_CORE_VERSION: &str = "4.14.1";
const CHROMIUM: &str = "/usr/bin/chromium";
const RSYSLOGD: &str = "/usr/sbin/rsyslogd";
/// rsyslog's GnuTLS network stream driver, from Debian's rsyslog-gnutls.
const RSYSLOG_TLS_DRIVER: &str = "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Runs a command, echoing it first, and fails if it fails.
pub fn run(command: &mut Command) -> Result<(), String> {
    let shown = describe(command);
    eprintln!("==> {shown}");
    let status = command
        .status()
        .map_err(|error| format!("cannot run {shown}: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Counts of tests run by `cargo test`, over every test binary.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TestTotals {
    pub passed: u64,
    pub failed: u64,
}

impl TestTotals {
    /// Adds one `test result: ok. 3 passed; 0 failed; ...` line.
    fn add(&mut self, line: &str) {
        let Some(counts) = line
            .strip_prefix("test result: ")
            .and_then(|rest| rest.split_once(". "))
        else {
            return;
        };
        for part in counts.1.split("; ") {
            match part.split_once(' ') {
                Some((count, "passed")) => self.passed += count.parse().unwrap_or(0),
                Some((count, "failed")) => self.failed += count.parse().unwrap_or(0),
                _ => {}
            }
        }
    }
}

/// Runs `cargo test`, passing its output through, and totals the results of every binary.
pub fn run_tests(command: &mut Command) -> Result<TestTotals, String> {
    let shown = describe(command);
    eprintln!("==> {shown}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run {shown}: {error}"))?;
    let mut totals = TestTotals::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            totals.add(&line);
        }
    }
    let status = child.wait().map_err(|error| format!("{shown}: {error}"))?;
    if status.success() {
        Ok(totals)
    } else {
        println!("tests: {} passed, {} failed", totals.passed, totals.failed);
        Err(format!("{shown} failed ({status})"))
    }
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first line a tool prints for `--version`, if it runs at all.
fn version_of(program: &str, path: &OsString) -> Option<String> {
    let output = Command::new(program)
        .arg("--version")
        .env("PATH", path)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    })
}

/// The tools the frontend build needs, found on a PATH that includes them.
#[derive(Debug)]
pub struct Tools {
    path: OsString,
}

impl Tools {
    /// Installs whatever of the wasm32 target, trunk, wasm-bindgen-cli (at the version in
    /// Cargo.lock), wasm-split-cli and binaryen is missing.
    pub fn ensure_wasm(root: &Path) -> Result<Self, String> {
        let cargo_bin = cargo_home().join("bin");
        let binaryen_dir = cache_dir().join(format!("binaryen-{BINARYEN_VERSION}"));
        let binaryen_bin = binaryen_dir.join("node_modules/.bin");
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            [binaryen_bin.clone(), cargo_bin]
                .into_iter()
                .chain(std::env::split_paths(&inherited)),
        )
        .map_err(|error| format!("cannot build PATH: {error}"))?;

        let installed_targets = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .map_err(|error| format!("cannot run rustup: {error}"))?;
        if !String::from_utf8_lossy(&installed_targets.stdout)
            .lines()
            .any(|line| line.trim() == "wasm32-unknown-unknown")
        {
            run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
        }

        if version_of("trunk", &path).as_deref() != Some(&format!("trunk {TRUNK_VERSION}")) {
            run(Command::new("cargo").args([
                "install",
                "trunk",
                "--version",
                &format!("={TRUNK_VERSION}"),
                "--locked",
            ]))?;
        }

        let bindgen = wasm_bindgen_version(root)?;
        if version_of("wasm-bindgen", &path).as_deref() != Some(&format!("wasm-bindgen {bindgen}"))
        {
            // Not --locked: the published lock file pins a crate version crates.io no longer serves.
            run(Command::new("cargo").args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &format!("={bindgen}"),
                "--force",
            ]))?;
        }

        // wasm-split-cli has no --version: cargo's own record of what it installed says.
        let installed =
            std::fs::read_to_string(cargo_home().join(".crates.toml")).unwrap_or_default();
        if !installed.contains(&format!("\"wasm_split_cli_support {WASM_SPLIT_VERSION} ")) {
            run(Command::new("cargo").args([
                "install",
                "wasm_split_cli_support",
                "--version",
                &format!("={WASM_SPLIT_VERSION}"),
                "--features",
                "build-binary",
                "--locked",
                "--force",
            ]))?;
        }

        if !binaryen_bin.join("wasm-opt").is_file() {
            ensure_npm()?;
            run(Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&binaryen_dir)
                .arg(format!("binaryen@{BINARYEN_VERSION}")))?;
        }

        Ok(Self { path })
    }

    /// A command that finds the installed tools first.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("PATH", &self.path)
            .env("TRUNK_SKIP_VERSION_CHECK", "true");
        command
    }

    /// The PATH the tools are found on.
    pub fn path(&self) -> &OsStr {
        &self.path
    }
}

/// axe-core from npm, which the browser tests load into each page they check: the path of
/// its `axe.min.js`.
pub fn ensure_axe() -> Result<PathBuf, String> {
    let dir = cache_dir().join(format!("axe-core-{AXE_CORE_VERSION}"));
    let script = dir.join("node_modules/axe-core/axe.min.js");
    if !script.is_file() {
        ensure_npm()?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(format!("axe-core@{AXE_CORE_VERSION}")))?;
    }
    Ok(script)
}

/// Debian's Chromium and its driver for the browser tests: installed when missing if we are
/// root, otherwise named in the error.
pub fn ensure_browser() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "the browser tests need {CHROMIUM} and {CHROMEDRIVER}: install Debian's chromium and chromium-driver \
             packages (sudo apt-get install chromium chromium-driver)"
        ));
    }
    apt_install(&["chromium", "chromium-driver"])
}

/// Debian's rsyslog with its TLS driver, the syslog receiver the audit forwarding tests send
/// to: installed when missing if we are root, otherwise named in the error.
pub fn ensure_rsyslog() -> Result<(), String> {
    if Path::new(RSYSLOGD).exists() && Path::new(RSYSLOG_TLS_DRIVER).exists() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "the audit forwarding tests need {RSYSLOGD} and {RSYSLOG_TLS_DRIVER}: install Debian's rsyslog \
             and rsyslog-gnutls packages (sudo apt-get install rsyslog rsyslog-gnutls)"
        ));
    }
    apt_install(&["rsyslog", "rsyslog-gnutls"])
}

/// brotli and gzip, which precompress the built frontend: installed from Debian when missing
/// if we are root, otherwise named in the error.
pub fn ensure_compressors() -> Result<(), String> {
    let missing: Vec<&str> = ["brotli", "gzip"]
        .into_iter()
        .filter(|program| !runs(program, "--version"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "the frontend build precompresses its files with {}: install Debian's package(s) of \
             that name (sudo apt-get install {})",
            missing.join(" and "),
            missing.join(" ")
        ));
    }
    apt_install(&missing)
}

/// Whether `program arg` runs and succeeds, its output discarded.
pub fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn ensure_npm() -> Result<(), String> {
    if runs("npm", "--version") {
        return Ok(());
    }
    if !is_root() {
        return Err(
            "binaryen (wasm-opt) and axe-core are installed from npm: install Node.js and npm"
                .to_owned(),
        );
    }
    apt_install(&["nodejs", "npm"])
}

pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    apt_get_install(packages, &["--no-install-recommends"])
}

/// With the packages Debian recommends beside them, as podman was measured to work.
pub fn apt_install_with_recommends(packages: &[&str]) -> Result<(), String> {
    apt_get_install(packages, &[])
}

fn apt_get_install(packages: &[&str], options: &[&str]) -> Result<(), String> {
    run(Command::new("apt-get")
        .args(["update", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q"])
        .args(options)
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly.
fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|next| next.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".to_owned())
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from)
}

pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME").map_or_else(|| home().join(".cargo"), PathBuf::from)
}

/// Tools installed from npm live here, outside the work tree, so that fresh clones reuse them.
fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map_or_else(|| home().join(".cache"), PathBuf::from)
        .join("flashdeck")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_cargo_test_result_lines() {
        let mut totals = TestTotals::default();
        totals.add("test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.88s");
        totals
            .add("test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out");
        totals.add("running 3 tests");
        assert_eq!(
            totals,
            TestTotals {
                passed: 13,
                failed: 2
            }
        );
    }
}
