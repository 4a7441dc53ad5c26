//! The official Python SDK (py-pure-client, from PyPI) in a virtual environment of its own,
//! made once per directory; shared by the FlashArray and Pure1 simulators' SDK tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The SDK release the scenarios were written against.
pub const SDK: &str = "py-pure-client==1.96.0";

/// The `python` of a virtual environment in `venv` with [`SDK`] installed.
pub fn sdk_python(venv: &Path) -> PathBuf {
    let python = venv.join("bin/python");
    let ready = venv.join(".installed");
    if std::fs::read_to_string(&ready).is_ok_and(|installed| installed == SDK) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(venv)
        .status()
        .expect("python3 must be installed to run the SDK test");
    assert!(made.success(), "python3 -m venv failed");
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            SDK,
        ])
        .status()
        .expect("pip");
    assert!(
        installed.success(),
        "pip install {SDK} failed (PyPI must be reachable)"
    );
    std::fs::write(&ready, SDK).expect("marker");
    python
}
