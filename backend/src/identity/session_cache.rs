//! Sessions and personal API tokens checked in the last second, so that a page's burst of
//! requests, or a script's, asks the database once rather than once a request. Whatever ends
//! sessions or tokens in this process (signing out, disabling a user, resetting a password, an
//! admin's "sign out everywhere", revoking a token) forgets every entry at once, so it takes
//! effect here immediately, and on other replicas within [`REUSE`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::{SessionRecord, TokenGrant, User};

/// How long a checked session or token is believed without asking the database again.
pub const REUSE: Duration = Duration::from_secs(1);
/// Past this many entries the cache starts afresh, so no number of sessions grows it.
const MAX_ENTRIES: usize = 10_000;

/// What a token's hash was found to stand for.
#[derive(Debug, Clone)]
enum Checked {
    Session(SessionRecord),
    Token(User, TokenGrant),
}

#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, (Instant, Checked)>>,
}

impl SessionCache {
    /// The session stored under `token_hash`, if it was read less than [`REUSE`] ago.
    pub fn get(&self, token_hash: &str) -> Option<SessionRecord> {
        match self.recent(token_hash)? {
            Checked::Session(record) => Some(record),
            Checked::Token(..) => None,
        }
    }

    pub fn put(&self, token_hash: String, record: SessionRecord) {
        self.insert(token_hash, Checked::Session(record));
    }

    /// The personal API token stored under `token_hash` and its user, if they were read less
    /// than [`REUSE`] ago.
    pub fn get_token(&self, token_hash: &str) -> Option<(User, TokenGrant)> {
        match self.recent(token_hash)? {
            Checked::Token(user, grant) => Some((user, grant)),
            Checked::Session(_) => None,
        }
    }

    pub fn put_token(&self, token_hash: String, user: User, grant: TokenGrant) {
        self.insert(token_hash, Checked::Token(user, grant));
    }

    fn recent(&self, token_hash: &str) -> Option<Checked> {
        let entries = self.lock();
        entries
            .get(token_hash)
            .filter(|(read, _)| read.elapsed() < REUSE)
            .map(|(_, checked)| checked.clone())
    }

    fn insert(&self, token_hash: String, checked: Checked) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token_hash, (Instant::now(), checked));
    }

    pub fn forget_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Checked)>> {
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
        let grant = TokenGrant {
            id: 7,
            name: "nightly".into(),
            role: Role::Viewer,
            arrays: None,
            expires_at: 0,
            last_used_at: None,
            last_used_from: None,
        };
        cache.put_token("t".into(), record("carol").user, grant);
        assert_eq!(cache.get_token("t").map(|(_, grant)| grant.id), Some(7));
        // A session's hash never stands for a token, nor a token's for a session.
        assert!(cache.get_token("a").is_none() && cache.get("t").is_none());
        cache.forget_all();
        assert!(cache.get("a").is_none() && cache.get_token("t").is_none());
        for index in 0..MAX_ENTRIES + 5 {
            cache.put(index.to_string(), record("bob"));
        }
        assert!(cache.lock().len() <= MAX_ENTRIES);
    }
}
