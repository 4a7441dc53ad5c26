//! Who is signed in, shared with every page through context.

use leptos::prelude::*;
use shared::api::{Action, Role, UserInfo};

use crate::api::Failure;

/// The signed-in user.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub(crate) user: RwSignal<Option<UserInfo>>,
}

impl Session {
    pub fn signed_in(&self, user: UserInfo) {
        self.user.set(Some(user));
    }

    /// Whether the signed-in user's role includes `role`; the server checks it again.
    pub fn allows(&self, role: Role) -> bool {
        self.user
            .with(|user| user.as_ref().is_some_and(|user| user.role >= role))
    }

    /// Whether the signed-in user may ask for `action`: its least role is theirs; the server
    /// checks it again.
    pub fn may(&self, action: Action) -> bool {
        self.allows(action.least_role())
    }

    /// Whether `username` is the signed-in user.
    pub fn is(&self, username: &str) -> bool {
        self.user
            .with(|user| user.as_ref().is_some_and(|user| user.username == username))
    }

    /// Sends the user back to the sign-in form when the server says the session is gone.
    pub fn notice(&self, failure: &Failure) {
        if failure.is_unauthenticated() {
            self.user.set(None);
        }
    }
}
