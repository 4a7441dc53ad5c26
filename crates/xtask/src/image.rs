//! The container image: one static `flashdeck` (musl), the built frontend and CA
//! certificates, `FROM scratch` (`deploy/Containerfile`), built by podman or docker.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{apt_install, apt_install_with_recommends, is_root, run, runs};
use crate::{cargo, root};

const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The container engine found (or installed), and how to run containers with it here.
#[derive(Debug)]
pub struct Engine {
    program: &'static str,
    /// Set for podman: a containers.conf that sets no ulimits, which sandboxes refuse.
    containers_conf: Option<PathBuf>,
    /// `runc` when installed: crun fails with cgroup errors in some sandboxes.
    runtime: Option<&'static str>,
}

impl Engine {
    /// podman if installed; else docker if its engine answers; else podman from Debian when
    /// we are root.
    pub fn ensure(root: &Path) -> Result<Self, String> {
        let program = if runs("podman", "--version") {
            "podman"
        } else if runs("docker", "info") {
            "docker"
        } else if is_root() {
            apt_install_with_recommends(&["podman", "runc"])?;
            "podman"
        } else {
            return Err(
                "building the image needs podman or a running docker engine: install podman \
                 (sudo apt-get install podman runc)"
                    .to_owned(),
            );
        };
        let containers_conf = if program == "podman" {
            let path = root.join("target/image/containers.conf");
            std::fs::create_dir_all(root.join("target/image"))
                .and_then(|()| std::fs::write(&path, "[containers]\ndefault_ulimits = []\n"))
                .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
            Some(path)
        } else {
            None
        };
        let runtime = (program == "podman" && runs("runc", "--version")).then_some("runc");
        Ok(Self {
            program,
            containers_conf,
            runtime,
        })
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(self.program);
        if let Some(conf) = &self.containers_conf {
            command.env("CONTAINERS_CONF", conf);
        }
        command
    }

    /// The environment a test needs to run containers the same way.
    pub fn test_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("FLASHDECK_TEST_CONTAINER_ENGINE", self.program.to_owned())];
        if let Some(runtime) = self.runtime {
            env.push(("FLASHDECK_TEST_CONTAINER_RUNTIME", runtime.to_owned()));
        }
        if let Some(conf) = &self.containers_conf {
            env.push(("CONTAINERS_CONF", conf.display().to_string()));
        }
        env
    }
}

/// Builds the image from the frontend already built in `frontend/dist`, and tags it `tag`.
pub fn build(engine: &Engine, tag: &str) -> Result<(), String> {
    let root = root();
    ensure_musl()?;
    run(cargo()
        .args(["build", "--release", "--locked", "--target", MUSL_TARGET])
        .args([
            "--package",
            "backend",
            "--bin",
            "flashdeck",
            "--no-default-features",
        ])
        .env("CC_x86_64_unknown_linux_musl", "musl-gcc"))?;
    let context = root.join("target/image/context");
    stage(&root, &context)?;
    let mut build = engine.command();
    build.arg("build");
    if engine.program == "podman" {
        // OCI images carry no HEALTHCHECK; docker's format does.
        build.args(["--format", "docker"]);
    }
    build
        .arg("--file")
        .arg(root.join("deploy/Containerfile"))
        .args(["--tag", tag])
        .arg(&context);
    run(&mut build)?;
    let mut size = engine.command();
    size.args(["image", "inspect", "--format", "{{.Size}}", tag]);
    if let Ok(output) = size.output() {
        let bytes: u64 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        eprintln!("image {tag}: {:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    }
    Ok(())
}

/// The musl target and Debian's musl-gcc, for C in the dependency tree (ring, SQLite).
fn ensure_musl() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|error| format!("cannot run rustup: {error}"))?;
    if !String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|line| line.trim() == MUSL_TARGET)
    {
        run(Command::new("rustup").args(["target", "add", MUSL_TARGET]))?;
    }
    if runs("musl-gcc", "--version") {
        return Ok(());
    }
    if !is_root() {
        return Err("the static build needs musl-gcc: sudo apt-get install musl-tools".to_owned());
    }
    apt_install(&["musl-tools"])
}

/// The build context: exactly what the image holds.
fn stage(root: &Path, context: &Path) -> Result<(), String> {
    let fail = |what: &str, error: std::io::Error| format!("cannot stage {what}: {error}");
    if context.exists() {
        std::fs::remove_dir_all(context).map_err(|error| fail("the context", error))?;
    }
    for dir in ["frontend", "data", "tmp"] {
        std::fs::create_dir_all(context.join(dir)).map_err(|error| fail(dir, error))?;
    }
    std::fs::copy(
        root.join(format!("target/{MUSL_TARGET}/release/flashdeck")),
        context.join("flashdeck"),
    )
    .map_err(|error| fail("the binary", error))?;
    std::fs::copy(CA_BUNDLE, context.join("ca-certificates.crt")).map_err(|error| {
        fail(
            &format!("{CA_BUNDLE} (Debian's ca-certificates package)"),
            error,
        )
    })?;
    copy_dir(&root.join("frontend/dist"), &context.join("frontend"))
        .map_err(|error| fail("the frontend", error))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
