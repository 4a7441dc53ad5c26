//! Sessions checked in the last second, so that a page's burst of requests asks the database
//! once rather than once a request. Whatever ends sessions in this process (signing out,
//! disabling a user, resetting a password, an admin's "sign out everywhere") forgets every
//! entry at once, so it takes effect here immediately, and on other replicas within
//! [`REUSE`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::SessionRecord;

/// How long a checked session is believed without asking the database again.
pub const REUSE: Duration = Duration::from_secs(1);
/// Past this many entries the cache starts afresh, so no number of sessions grows it.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, (Instant, SessionRecord)>>,
}

impl SessionCache {
    /// The session stored under `token_hash`, if it was read less than [`REUSE`] ago.
    pub fn get(&self, token_hash: &str) -> Option<SessionRecord> {
        let entries = self.lock();
        entries
            .get(token_hash)
            .filter(|(read, _)| read.elapsed() < REUSE)
            .map(|(_, record)| record.clone())
    }

    pub fn put(&self, token_hash: String, record: SessionRecord) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token_hash, (Instant::now(), record));
    }

    pub fn forget_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, SessionRecord)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::User;
    use shared::api::Role;

    fn record(username: &str) -> SessionRecord {
        SessionRecord {
            user: User {
                id: 1,
                username: username.into(),
                password_hash: String::new(),
                role: Role::Viewer,
                disabled: false,
                arrays: None,
                array_username: None,
                sso_subject: None,
            },
            created_at: 0,
            last_seen_at: 0,
            token: None,
        }
    }

    #[test]
    fn sessions_are_reused_until_forgotten_and_never_grow_without_end() {
        let cache = SessionCache::default();
        cache.put("a".into(), record("alice"));
        assert_eq!(
            cache.get("a").map(|session| session.user.username),
            Some("alice".into())
        );
        assert!(cache.get("b").is_none());
        cache.forget_all();
        assert!(cache.get("a").is_none());
        for index in 0..MAX_ENTRIES + 5 {
            cache.put(index.to_string(), record("bob"));
        }
        assert!(cache.lock().len() <= MAX_ENTRIES);
    }
}
