//! `flashdeck serve` as a process of its own, for tests that kill or duplicate it.

use std::path::{Path, PathBuf};

use flasharray_sim::{ADMIN_USERNAME, RunningSimulator, Simulator, SimulatorConfig};
use tempfile::TempDir;
use test_support::portal::{ConfigFile, Launch, Portal};

use crate::{ARRAY, PASSWORD, test_database_url};

/// The secret key the test portals share, as replicas do.
pub const SECRET_KEY: &str = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";

/// A simulated [`ARRAY`], and a portal's configuration for it ([`write_config`]) in a
/// directory of its own, kept as long as the directory.
pub async fn array_and_config() -> (TempDir, RunningSimulator, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = Simulator::start(SimulatorConfig::new(ARRAY))
        .await
        .expect("simulator");
    let config = write_config(dir.path(), &sim).await;
    (dir, sim, config)
}

/// A configuration in `dir` for a portal with `sim` as [`ARRAY`] (an API token in a file, its
/// certificate trusted) and a database of its own; its path.
pub async fn write_config(dir: &Path, sim: &RunningSimulator) -> PathBuf {
    std::fs::write(dir.join("index.html"), "<!doctype html>").expect("index");
    let token = sim.simulator.api_token(ADMIN_USERNAME).expect("API token");
    ConfigFile::new(dir)
        .setting(format!(
            "database_url = \"{}\"",
            test_database_url(dir).await
        ))
        .setting(format!("frontend_dir = \"{}\"", dir.display()))
        .array(ARRAY, sim.url(), sim.certificate_pem(), &token)
        .write()
}

/// `flashdeck --config CONFIG serve` with the secret key the test portals share; the first
/// admin, made on first start, has `admin_password`.
pub fn launch(config: &Path, admin_password: &str) -> Launch {
    Launch::serve(env!("CARGO_BIN_EXE_flashdeck"), config, admin_password)
        .env("FLASHDECK_SECRET_KEY", SECRET_KEY)
}

/// As [`launch`], started, the first admin's password [`PASSWORD`].
pub fn start(config: &Path) -> Portal {
    launch(config, PASSWORD).spawn()
}
