//! Python tools from PyPI in virtual environments of their own, each made once per directory:
//! the official SDK (py-pure-client) for the simulators' and the portal's SDK tests, and the
//! portal's other test tools (an OpenAPI validator, an OpenID provider).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The SDK release the scenarios were written against.
pub const SDK: &str = "py-pure-client==1.96.0";

/// The `python` of a virtual environment in `venv` with [`SDK`] installed.
pub fn sdk_python(venv: &Path) -> PathBuf {
    venv_python(venv, SDK)
}

/// The `python` of a virtual environment in `venv` with `package` (`name==version`)
/// installed; made only when the one there holds something else.
pub fn venv_python(venv: &Path, package: &str) -> PathBuf {
    let python = venv.join("bin/python");
    let ready = venv.join(".installed");
    if std::fs::read_to_string(&ready).is_ok_and(|installed| installed == package) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(venv)
        .status()
        .expect("python3 must be installed to run the Python tests");
    assert!(made.success(), "python3 -m venv failed");
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            package,
        ])
        .status()
        .expect("pip");
    assert!(
        installed.success(),
        "pip install {package} failed (PyPI must be reachable)"
    );
    std::fs::write(&ready, package).expect("marker");
    python
}

/// Runs `script` with `python` and `env` in a working directory of its own (the SDK caches
/// access tokens there), and fails the test with what it printed unless it ends well, saying
/// `scenario passed`.
pub fn run_scenario(python: &Path, script: &Path, env: &[(&str, &str)]) {
    let workdir = tempfile::tempdir().expect("working directory");
    let output = Command::new(python)
        .arg(script)
        .current_dir(workdir.path())
        .envs(env.iter().copied())
        .output()
        .expect("python ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("scenario passed"),
        "{} failed\nstdout:\n{stdout}\nstderr:\n{stderr}",
        script.display()
    );
}
