//! Cutting the UI's WebAssembly into the first load and the pages fetched when first opened.
//!
//! trunk builds the frontend and hands cargo's output to `wasm-bindgen`, found on its PATH.
//! There the runner stands in for wasm-bindgen: it cuts the module at each `wasm_split`
//! function (`frontend/src/on_demand.rs`) with `wasm-split-cli`, then runs the real
//! wasm-bindgen on what the first load keeps. Once trunk is done, [`finish`] puts the modules
//! cut out beside trunk's output, optimised as trunk optimises the first one and named by their
//! content, with the loader that fetches them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{Tools, cargo_home, run};

/// The name the runner answers to when it stands in for wasm-bindgen.
const BINDGEN: &str = "wasm-bindgen";
/// Where the stand-in finds the real wasm-bindgen, set by the runner for trunk.
const REAL_BINDGEN_VAR: &str = "FLASHDECK_WASM_BINDGEN";
/// Where the stand-in leaves the modules it cut out, for [`finish`].
const SPLIT_DIR_VAR: &str = "FLASHDECK_WASM_SPLIT_DIR";
/// The script that fetches the modules cut out; the first load's script imports it by name.
const LOADER: &str = "__wasm_split.js";

/// trunk, with the runner first on its PATH as wasm-bindgen, so that trunk has it cut the
/// module before binding it.
pub fn trunk(tools: &Tools, root: &Path) -> Result<Command, String> {
    let runner =
        std::env::current_exe().map_err(|error| format!("cannot find this runner: {error}"))?;
    let stand_in_dir = root.join("target/xtask/bin");
    std::fs::create_dir_all(&stand_in_dir)
        .map_err(|error| format!("cannot create {}: {error}", stand_in_dir.display()))?;
    let link = stand_in_dir.join(BINDGEN);
    if !std::fs::read_link(&link).is_ok_and(|target| target == runner) {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&runner, &link).map_err(|error| {
            format!(
                "cannot link {} to {}: {error}",
                link.display(),
                runner.display()
            )
        })?;
    }
    let path = std::env::join_paths(
        std::iter::once(stand_in_dir).chain(std::env::split_paths(tools.path())),
    )
    .map_err(|error| format!("cannot build PATH: {error}"))?;
    let mut trunk = tools.command("trunk");
    trunk
        .env("PATH", path)
        .env(REAL_BINDGEN_VAR, cargo_home().join("bin").join(BINDGEN))
        .env(SPLIT_DIR_VAR, split_dir(root));
    Ok(trunk)
}

fn split_dir(root: &Path) -> PathBuf {
    root.join("target/xtask/split")
}

/// Whether this process was started as wasm-bindgen, by trunk.
pub fn is_standing_in() -> bool {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|program| program.file_name().map(|name| name == BINDGEN))
        .unwrap_or(false)
}

/// Does wasm-bindgen's work as trunk asks, on the module left once the pages are cut out.
pub fn stand_in(args: &[OsString]) -> Result<(), String> {
    let real = std::env::var_os(REAL_BINDGEN_VAR).ok_or_else(|| {
        format!("{REAL_BINDGEN_VAR} is not set: run the build through `cargo xtask`")
    })?;
    if args.iter().any(|arg| arg == "--version" || arg == "-V") {
        return run(Command::new(real).args(args));
    }
    let split_dir = std::env::var_os(SPLIT_DIR_VAR)
        .map(PathBuf::from)
        .ok_or_else(|| {
            format!("{SPLIT_DIR_VAR} is not set: run the build through `cargo xtask`")
        })?;
    let input = args
        .iter()
        .position(|arg| {
            let arg = arg.to_string_lossy();
            !arg.starts_with('-') && arg.ends_with(".wasm")
        })
        .ok_or("wasm-bindgen was given no .wasm file")?;
    if args.iter().any(|arg| {
        arg.to_str()
            .is_some_and(|arg| arg.starts_with("--target=") && arg != "--target=web")
    }) {
        return Err(
            "the UI is cut for the web target only: keep trunk's data-bindgen-target at web"
                .to_owned(),
        );
    }
    let out_name = args
        .iter()
        .find_map(|arg| arg.to_str()?.strip_prefix("--out-name="))
        .ok_or("wasm-bindgen was given no --out-name")?
        .to_owned();

    if split_dir.exists() {
        std::fs::remove_dir_all(&split_dir)
            .map_err(|error| format!("cannot empty {}: {error}", split_dir.display()))?;
    }
    run(Command::new("wasm-split-cli")
        .args(["--target", "web", "--out-name", &out_name])
        .arg(&args[input])
        .arg(&split_dir))?;

    let mut bindgen_args = args.to_vec();
    bindgen_args[input] = split_dir.join(format!("{out_name}.wasm")).into_os_string();
    // The modules cut out reach the first one's memory, table and functions through these.
    run(Command::new(real)
        .args(bindgen_args)
        .arg("--keep-lld-exports"))
}

/// Puts the modules cut out into `dist`, each optimised and named for its content as trunk
/// names its own files (so the server lets browsers keep them), with the loader pointed at
/// them and at the first load's script under the names they were given.
pub fn finish(tools: &Tools, root: &Path, dist: &Path, app: &str) -> Result<(), String> {
    let split_dir = &split_dir(root);
    let loader_path = split_dir.join(LOADER);
    let mut loader = std::fs::read_to_string(&loader_path)
        .map_err(|error| format!("cannot read {}: {error}", loader_path.display()))?;
    let mut rename = |from: &str, to: &str| {
        let quoted = format!("\"./{from}\"");
        if loader.contains(&quoted) {
            loader = loader.replace(&quoted, &format!("\"./{to}\""));
            Ok(())
        } else {
            Err(format!("{} never names {from}", loader_path.display()))
        }
    };
    rename(&format!("{app}.js"), &first_load_script(dist, app)?)?;

    let first = format!("{app}.wasm");
    // Listed before anything is written beside them.
    let modules: Vec<PathBuf> = std::fs::read_dir(split_dir)
        .map_err(|error| format!("cannot read {}: {error}", split_dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(|error| format!("cannot read {}: {error}", split_dir.display()))?;
    for path in modules {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".wasm").filter(|_| name != first) else {
            continue;
        };
        let optimised = split_dir.join(format!("{stem}.opt.wasm"));
        run(tools
            .command("wasm-opt")
            // The features each module may use are those its target_features section names.
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .arg(&path)
            .arg("-o")
            .arg(&optimised))?;
        let module = std::fs::read(&optimised)
            .map_err(|error| format!("cannot read {}: {error}", optimised.display()))?;
        let named = format!("{stem}-{:016x}.wasm", content_hash(&module));
        write(&dist.join(&named), &module)?;
        rename(name, &named)?;
    }

    let loader = loader
        .lines()
        // Each module's list of the functions it holds: for reading, not for browsers.
        .filter(|line| !(line.starts_with("/*") && line.ends_with("*/")))
        .collect::<Vec<_>>()
        .join("\n");
    write(&dist.join(LOADER), loader.as_bytes())
}

/// A hash of `bytes` that is the same from one build to the next.
fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same bytes give the same name on every machine with this toolchain.
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The first load's script as trunk named it: `frontend-0123456789abcdef.js`.
fn first_load_script(dist: &Path, app: &str) -> Result<String, String> {
    let prefix = format!("{app}-");
    let scripts: Vec<String> = std::fs::read_dir(dist)
        .map_err(|error| format!("cannot read {}: {error}", dist.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(&prefix) && name.ends_with(".js"))
        .collect();
    match scripts.as_slice() {
        [script] => Ok(script.clone()),
        _ => Err(format!(
            "expected one {prefix}*.js in {}, found {scripts:?}",
            dist.display()
        )),
    }
}

fn write(path: &Path, contents: &[u8]) -> Result<(), String> {
    std::fs::write(path, contents)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}
