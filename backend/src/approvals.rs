//! The two-person rule. The gate hands a change whose action `[approvals] actions` names to
//! [`queue`], which records it with its reason instead of running it; when someone else with at
//! least the requester's role approves it, `execute` sends the same request through the API
//! again, as the requester, and records how it ended (`api/approvals.rs`).

use std::sync::Arc;

use axum::http::Method;
use shared::api::{Action, ApprovalRequest, Role, validate_reason};

use crate::arrays::secrets::SecretKey;
use crate::clock::unix_now_ms;
use crate::config::ApprovalsConfig;
use crate::db::{Database, NewApproval, User};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;

/// Marks a request the portal sends itself to run an approved change: only the server can put
/// it in a request's extensions, never a client.
#[derive(Debug, Clone)]
pub struct ApprovedRun {
    pub approval: i64,
    pub requester: crate::db::User,
    /// The personal API token the change was asked with: it runs within its limits.
    pub token: Option<crate::db::TokenGrant>,
    /// The arrays the change reached when it was held, which its approver was allowed: it
    /// runs only if it reaches the same ones now.
    pub arrays: Option<String>,
}

/// What is known of a change the gate holds back.
#[derive(Debug)]
pub struct HeldChange<'a> {
    pub user: &'a CurrentUser,
    pub action: &'a str,
    pub method: &'a Method,
    /// The path under `/api`, with its query.
    pub path: String,
    pub body: &'a [u8],
    pub reason: Option<&'a str>,
    pub array: Option<String>,
    pub target: String,
    pub parameters: String,
}

/// Each kind the recycle bin holds: its name there, its eradication and its recovery.
const RECYCLED_KINDS: &[(&str, Action, Action)] = &[
    ("volume", Action::VolumeEradicate, Action::VolumeRecover),
    (
        "snapshot",
        Action::SnapshotEradicate,
        Action::SnapshotRecover,
    ),
    (
        "protection_group",
        Action::ProtectionGroupEradicate,
        Action::ProtectionGroupRecover,
    ),
    (
        "protection_group_snapshot",
        Action::ProtectionGroupSnapshotEradicate,
        Action::ProtectionGroupSnapshotRecover,
    ),
];

/// The actions a change amounts to for the two-person rule: its own, and the eradication it
/// performs when it comes through the recycle bin, so that it is no way around a rule on
/// `volume.eradicate` and its kin. (An array's REST root says the same in its table.)
pub fn amounts_to(action: Action, body: &serde_json::Value) -> Vec<Action> {
    // What the recycle bin does to an object of the kind its body names.
    let of_kind = |pick: fn(&(&str, Action, Action)) -> Action| {
        let kind = body.get("kind").and_then(serde_json::Value::as_str)?;
        RECYCLED_KINDS
            .iter()
            .find(|(name, ..)| *name == kind)
            .map(pick)
    };
    let done = match action {
        Action::RecycleBinEradicate => of_kind(|(_, eradicate, _)| *eradicate),
        Action::RecycleBinRecover => of_kind(|(_, _, recover)| *recover),
        // Every volume it names is destroyed.
        Action::FleetDestroy => Some(Action::VolumeDestroy),
        _ => None,
    };
    let mut actions: Vec<Action> = std::iter::once(action).chain(done).collect();
    // The array eradicates a protection group's snapshots with it.
    if actions.contains(&Action::ProtectionGroupEradicate) {
        actions.push(Action::ProtectionGroupSnapshotEradicate);
    }
    match action {
        // A pod is eradicated with the destroyed volumes still in it.
        Action::PodEradicate => actions.extend_from_slice(shared::api::EVERY_ERADICATION),
        // Linking makes the pod on the other array and demotes it.
        Action::PodLink => actions.extend([Action::PodCreate, Action::PodDemote]),
        // Stretching makes the pod on the other array.
        Action::PodStretch => actions.push(Action::PodCreate),
        // The array that leaves keeps its copy destroyed, eradicated when its time is up.
        Action::PodUnstretch => {
            actions.push(Action::PodChange);
            actions.extend_from_slice(shared::api::EVERY_ERADICATION);
        }
        _ => {}
    }
    actions
}

/// What a change takes with it beyond its own objects: destroying a pod or a volume group
/// destroys the volumes in it (a pod its protection groups too, and a group its snapshots),
/// and linking or unstretching a pod replaces or leaves a copy of its volumes destroyed, so a
/// rule holding `volume.destroy` holds those too.
pub fn add_what_it_takes_with_it(actions: &mut Vec<Action>) {
    let destroys_volumes = actions.iter().any(|action| {
        matches!(
            action,
            Action::PodDestroy
                | Action::VolumeGroupDestroy
                | Action::PodLink
                | Action::PodUnstretch
        )
    });
    if destroys_volumes && !actions.contains(&Action::VolumeDestroy) {
        actions.push(Action::VolumeDestroy);
    }
    // A pod goes with its protection groups, and a group with its snapshots.
    if actions.contains(&Action::PodDestroy) && !actions.contains(&Action::ProtectionGroupDestroy) {
        actions.push(Action::ProtectionGroupDestroy);
    }
    if actions.contains(&Action::ProtectionGroupDestroy)
        && !actions.contains(&Action::ProtectionGroupSnapshotDestroy)
    {
        actions.push(Action::ProtectionGroupSnapshotDestroy);
    }
}

/// The most requests one person may have waiting, so nobody can fill the queue.
const MAX_PENDING_PER_REQUESTER: i64 = 50;

/// A body kept until the change runs, sealed when the portal has a secret key (a password
/// reset's body holds the password).
const SEALED: &str = "sealed:";

/// Where held changes are kept: the database, the key that seals their bodies, and which
/// changes are held for how long.
#[derive(Debug, Clone)]
pub struct HeldChanges {
    pub db: Database,
    pub secret_key: Option<SecretKey>,
    pub config: Arc<ApprovalsConfig>,
    /// Tells those who may decide, when notifications run.
    pub notifier: Option<crate::notify::Notifier>,
}

fn seal(state: &HeldChanges, id_hint: &str, body: &[u8]) -> Result<String, AppError> {
    let text = String::from_utf8_lossy(body).into_owned();
    match &state.secret_key {
        Some(key) => key
            .seal(&text, id_hint)
            .map(|sealed| format!("{SEALED}{sealed}"))
            .map_err(|error| AppError::Internal(format!("cannot seal a held change: {error}"))),
        None => Ok(text),
    }
}

/// A held change's body as it came, opened with the secret key if it was sealed.
pub fn open(state: &HeldChanges, id_hint: &str, stored: &str) -> Result<String, AppError> {
    match (stored.strip_prefix(SEALED), &state.secret_key) {
        (None, _) => Ok(stored.to_owned()),
        (Some(sealed), Some(key)) => key
            .open(sealed, id_hint)
            .map_err(|error| AppError::Internal(format!("cannot open a held change: {error}"))),
        (Some(_), None) => Err(AppError::Internal(
            "a held change was sealed with a secret key the portal no longer has".into(),
        )),
    }
}

/// Records `change` as waiting for approval.
pub async fn queue(
    state: &HeldChanges,
    change: HeldChange<'_>,
) -> Result<ApprovalRequest, AppError> {
    validate_reason("reason", change.reason, true).map_err(AppError::Invalid)?;
    let now = unix_now_ms();
    let user = &change.user.user;
    if state.db.count_pending_approvals_of(user.id, now).await? >= MAX_PENDING_PER_REQUESTER {
        return Err(AppError::Conflict(format!(
            "You have {MAX_PENDING_PER_REQUESTER} requests waiting for approval; wait for decisions before asking for more."
        )));
    }
    let approval = NewApproval {
        requester_id: user.id,
        requester: user.username.clone(),
        requester_role: user.role,
        api_token_id: change.user.api_token().map(|grant| grant.id),
        action: change.action.to_owned(),
        method: change.method.as_str().to_owned(),
        body: seal(state, change.action, change.body)?,
        path: change.path,
        array: change.array,
        target: change.target,
        parameters: change.parameters,
        reason: change.reason.unwrap_or_default().trim().to_owned(),
        created_at_ms: now,
        expires_at_ms: now + i64::from(state.config.expiry_hours) * 3_600_000,
    };
    let announcement = match &state.notifier {
        Some(notifier) => notifier.approval_waiting(&approval).await?,
        None => None,
    };
    let id = state
        .db
        .create_approval(&approval, announcement.as_ref())
        .await?;
    if let Some(notifier) = state.notifier.as_ref().filter(|_| announcement.is_some()) {
        notifier.relay_soon();
    }
    tracing::info!(id, action = change.action, requester = %user.username, "change held for approval");
    let stored = state
        .db
        .approval(id, now)
        .await?
        .ok_or_else(|| AppError::Internal("a held change vanished".into()))?;
    Ok(stored.request)
}

/// Whether `user` may decide a change `requester` asked for as `requester_role` on `arrays`
/// (comma-separated; `None`: any array), as [`check_approver`] decides for someone signed in.
pub fn may_decide(
    user: &User,
    requester: &str,
    requester_role: Role,
    arrays: Option<&str>,
) -> bool {
    user.username != requester
        && user.role >= requester_role
        && match arrays {
            Some(arrays) => arrays.split(',').all(|array| user.may_use_array(array)),
            None => user.arrays.is_none(),
        }
}

/// Whether `approver` may decide `request`: someone else, with at least the requester's role,
/// whose scope covers every array the change touches (a change that names no array may touch
/// any, so only someone with every array decides it).
pub fn check_approver(approver: &CurrentUser, request: &ApprovalRequest) -> Result<(), AppError> {
    if approver.user.username == request.requester {
        return Err(AppError::Forbidden(
            "You asked for this change; another person must decide on it.".into(),
        ));
    }
    if approver.user.role < request.requester_role {
        return Err(AppError::Forbidden(format!(
            "{} asked as {}: deciding needs that role or a higher one.",
            request.requester,
            request.requester_role.as_str()
        )));
    }
    covers(approver, request)
}

/// Whether `user`'s scope covers every array `request` touches: its arrays, or all of them
/// when it names none.
pub fn covers(user: &CurrentUser, request: &ApprovalRequest) -> Result<(), AppError> {
    match &request.array {
        Some(arrays) => arrays
            .split(',')
            .try_for_each(|array| user.require_array(array)),
        None if user.user.arrays.is_none() => Ok(()),
        None => Err(AppError::Forbidden(format!(
            "{} may not use every array, and this change is not about one array.",
            user.user.username
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destroying_a_container_or_replacing_a_pod_counts_as_destroying_volumes() {
        for taking in [
            Action::PodDestroy,
            Action::VolumeGroupDestroy,
            Action::PodLink,
            Action::PodUnstretch,
        ] {
            let mut actions = vec![taking];
            add_what_it_takes_with_it(&mut actions);
            assert!(actions.contains(&Action::VolumeDestroy), "{taking}");
        }
        let mut pod = vec![Action::PodDestroy];
        add_what_it_takes_with_it(&mut pod);
        assert!(pod.contains(&Action::ProtectionGroupSnapshotDestroy));
        let mut rename = vec![Action::VolumeRename];
        add_what_it_takes_with_it(&mut rename);
        assert_eq!(rename, [Action::VolumeRename]);
        let fleet = amounts_to(Action::FleetDestroy, &serde_json::json!({"volumes": []}));
        assert!(fleet.contains(&Action::VolumeDestroy));
        let recover = amounts_to(
            Action::RecycleBinRecover,
            &serde_json::json!({"kind": "snapshot"}),
        );
        assert!(recover.contains(&Action::SnapshotRecover));
    }

    #[test]
    fn a_change_between_arrays_amounts_to_what_it_does_on_the_other() {
        let none = serde_json::Value::Null;
        let link = amounts_to(Action::PodLink, &none);
        assert!(link.contains(&Action::PodCreate) && link.contains(&Action::PodDemote));
        assert!(amounts_to(Action::PodStretch, &none).contains(&Action::PodCreate));
        let unstretch = amounts_to(Action::PodUnstretch, &none);
        assert!(unstretch.contains(&Action::PodChange));
        assert!(unstretch.contains(&Action::VolumeEradicate));
        assert!(amounts_to(Action::PodEradicate, &none).contains(&Action::VolumeEradicate));
    }
}
