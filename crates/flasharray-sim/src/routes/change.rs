//! How a change is made: the caller's role is checked, then the change runs on the locked
//! state in the caller's name at the array's time, and the answer is the objects it made or
//! changed, or a bare `200 OK` for a removal.

use axum::Json;
use axum::http::StatusCode;
use shared::flasharray::ListResponse;

use crate::error::ApiFault;
use crate::routes::extract::Call;
use crate::state::{ArrayState, Role};

/// What a change answers: the objects it made or changed, in the list envelope.
pub(crate) type Items<T> = Result<Json<ListResponse<T>>, ApiFault>;

impl Call {
    /// A change to storage: volumes, hosts, connections, snapshots, protection groups.
    pub(crate) fn change<T, Changed: Into<Vec<T>>>(
        &self,
        change: impl FnOnce(&mut ArrayState, &str, i64) -> Result<Changed, ApiFault>,
    ) -> Items<T> {
        self.change_as(Role::StorageAdmin, change)
    }

    /// A change that needs the `needed` role, such as the array's own administration.
    pub(crate) fn change_as<T, Changed: Into<Vec<T>>>(
        &self,
        needed: Role,
        change: impl FnOnce(&mut ArrayState, &str, i64) -> Result<Changed, ApiFault>,
    ) -> Items<T> {
        self.apply(needed, change)
            .map(|changed| Json(ListResponse::of(changed.into())))
    }

    /// A removal from storage, which answers with no body.
    pub(crate) fn remove(
        &self,
        remove: impl FnOnce(&mut ArrayState, &str, i64) -> Result<(), ApiFault>,
    ) -> Result<StatusCode, ApiFault> {
        self.apply(Role::StorageAdmin, remove)
            .map(|()| StatusCode::OK)
    }

    fn apply<Changed>(
        &self,
        needed: Role,
        change: impl FnOnce(&mut ArrayState, &str, i64) -> Result<Changed, ApiFault>,
    ) -> Result<Changed, ApiFault> {
        self.require(needed)?;
        let now = self.now();
        change(&mut self.lock(), self.user(), now)
    }
}
