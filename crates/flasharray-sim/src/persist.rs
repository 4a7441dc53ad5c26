//! `--state FILE`: the array's state kept on disk across restarts.
//!
//! Every request that may change the array is written through before its response leaves:
//! to a temporary file, flushed to disk, then renamed over the old one, so a crash leaves
//! either the old state or the new one, and an acknowledged change is never lost. If the
//! write fails, the caller gets a 500 rather than an acknowledgement.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::state::ArrayState;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("cannot read the state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state file {path} is not a simulator state: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write the state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The state saved in `path`, if the file exists.
pub fn load(path: &Path) -> Result<Option<ArrayState>, PersistError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(PersistError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|source| PersistError::Corrupt {
            path: path.to_owned(),
            source,
        })
}

/// Writes `state` to `path` atomically and durably.
pub fn save(path: &Path, state: &ArrayState) -> Result<(), PersistError> {
    let write_error = |source| PersistError::Write {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec(state).map_err(|error| write_error(error.into()))?;
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temporary).map_err(write_error)?;
    file.write_all(&json).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(write_error)?;
    if let Some(directory) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::File::open(directory)
            .and_then(|dir| dir.sync_all())
            .map_err(write_error)?;
    }
    Ok(())
}
