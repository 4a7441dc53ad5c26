//! What every handler shares.

use std::sync::Arc;

use crate::arrays::ArrayRegistry;
use crate::config::SessionConfig;
use crate::db::Database;
use crate::error::AppError;

/// Shared by all handlers through axum's `State`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub arrays: Arc<ArrayRegistry>,
    pub session: SessionConfig,
    /// Verified against when a login names no user, so that it takes as long as one that does.
    pub dummy_password_hash: Arc<str>,
}

impl AppState {
    pub fn new(
        db: Database,
        arrays: ArrayRegistry,
        session: SessionConfig,
    ) -> Result<Self, AppError> {
        let dummy_password_hash = crate::auth::hash_password("no user has this password")?.into();
        Ok(Self {
            db,
            arrays: Arc::new(arrays),
            session,
            dummy_password_hash,
        })
    }
}
