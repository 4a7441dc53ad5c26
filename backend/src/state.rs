//! What every handler shares.

use std::sync::Arc;

use crate::arrays::ArrayRegistry;
use crate::config::SessionConfig;
use crate::db::Database;

/// Shared by all handlers through axum's `State`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub arrays: Arc<ArrayRegistry>,
    pub session: SessionConfig,
}

impl AppState {
    pub fn new(db: Database, arrays: ArrayRegistry, session: SessionConfig) -> Self {
        Self {
            db,
            arrays: Arc::new(arrays),
            session,
        }
    }
}
