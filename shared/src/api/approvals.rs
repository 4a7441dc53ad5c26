//! Two-person approval (`/api/approvals`): a change named in `[approvals] actions` is recorded
//! as a request with a reason, and runs, as its requester, once another person approves it.

use serde::{Deserialize, Serialize};

use super::{ApiError, Role};

/// The header a change needing approval carries its reason in.
pub const REASON_HEADER: &str = "x-flashdeck-reason";

/// The longest reason or decision comment.
pub const MAX_REASON_CHARS: usize = 500;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ApprovalState {
    /// Waiting for a second person.
    Pending,
    /// Approved, and running now.
    Running,
    /// Approved and run; the change succeeded.
    Executed,
    /// Approved and run; the change failed (the outcome says why).
    Failed,
    Rejected,
    /// Nobody decided in time; nothing ran.
    Expired,
    /// Approved to run in a maintenance window that has not begun.
    Scheduled,
    /// Approved for a window, then cancelled before it ran; nothing ran.
    Cancelled,
}

impl ApprovalState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Executed => "executed",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Scheduled => "scheduled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Running,
            Self::Executed,
            Self::Failed,
            Self::Rejected,
            Self::Expired,
            Self::Scheduled,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// One request for a change that needs a second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalRequest {
    pub id: i64,
    pub requester: String,
    /// The requester's role when they asked: approvers need at least this one.
    pub requester_role: Role,
    /// The audited action, such as `volume.eradicate`.
    pub action: String,
    pub method: String,
    /// The API path (and query) that runs when approved.
    pub path: String,
    pub array: Option<String>,
    /// What the change is about, as the audit log names it.
    pub target: String,
    /// The request body with every secret removed, as JSON.
    pub parameters: String,
    pub reason: String,
    /// Unix milliseconds.
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub state: ApprovalState,
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
    pub comment: Option<String>,
    /// The status the change was answered with when it ran.
    pub outcome_status: Option<u16>,
    /// The change's error message when it failed (the array's own when the array refused).
    pub outcome_message: Option<String>,
    /// The maintenance window it was approved to run in (Unix milliseconds): it runs once,
    /// as soon as the window begins, and never after it ends.
    #[serde(default)]
    pub window: Option<MaintenanceWindow>,
    /// Who cancelled it before its window.
    #[serde(default)]
    pub cancelled_by: Option<String>,
}

/// When an approved change may run: from `starts_at_ms` for `hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaintenanceWindow {
    /// Unix milliseconds.
    pub starts_at_ms: i64,
    pub hours: u32,
}

impl MaintenanceWindow {
    pub fn ends_at_ms(self) -> i64 {
        self.starts_at_ms + i64::from(self.hours) * 3_600_000
    }
}

/// The longest maintenance window, in hours.
pub const MAX_WINDOW_HOURS: u32 = 24;
/// How far ahead a window may begin, in days.
pub const MAX_WINDOW_DAYS_AHEAD: i64 = 30;
/// How long before now a window may have begun when it is chosen: a window chosen to the
/// minute in a form begins up to a minute or so before it is sent, and then runs at once.
const WINDOW_BEGUN_GRACE_MS: i64 = 5 * 60_000;

/// Whether `window`, chosen at `now_ms`, is one a change may be scheduled in.
pub fn validate_window(window: MaintenanceWindow, now_ms: i64) -> Result<(), ApiError> {
    if !(1..=MAX_WINDOW_HOURS).contains(&window.hours) {
        return Err(ApiError::for_field(
            "window.hours",
            format!("A window lasts from 1 to {MAX_WINDOW_HOURS} hours."),
        ));
    }
    if window.starts_at_ms < now_ms - WINDOW_BEGUN_GRACE_MS {
        return Err(ApiError::for_field(
            "window.starts_at_ms",
            "This time has passed: choose when the window begins.",
        ));
    }
    if window.starts_at_ms > now_ms + MAX_WINDOW_DAYS_AHEAD * 86_400_000 {
        return Err(ApiError::for_field(
            "window.starts_at_ms",
            format!("A window begins within {MAX_WINDOW_DAYS_AHEAD} days."),
        ));
    }
    Ok(())
}

/// `GET /api/approvals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approvals {
    /// The actions that need a second person.
    /// (Names rather than `Action`s: the UI then carries no parser of them in its bundle.)
    pub actions: Vec<String>,
    /// Requests the caller may approve or reject now.
    pub waiting_for_you: Vec<ApprovalRequest>,
    /// Recent requests the caller made or may see, newest first.
    pub recent: Vec<ApprovalRequest>,
    /// The scheduled requests the caller may cancel: their own, and those they may decide.
    #[serde(default)]
    pub may_cancel: Vec<i64>,
}

/// `POST /api/approvals/{approval}/approve` and `…/reject`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalDecision {
    #[serde(default)]
    pub comment: Option<String>,
    /// Approving only: run the change in this window instead of at once.
    #[serde(default)]
    pub window: Option<MaintenanceWindow>,
}

/// A reason or comment: given (when `required`), and not too long.
pub fn validate_reason(field: &str, text: Option<&str>, required: bool) -> Result<(), ApiError> {
    let text = text.map(str::trim).unwrap_or_default();
    if required && text.is_empty() {
        return Err(ApiError::for_field(
            field,
            "This change needs a second person's approval: say why it is needed.",
        ));
    }
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::for_field(
            field,
            format!("Write at most {MAX_REASON_CHARS} characters."),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::for_field(
            field,
            "Control characters are not allowed.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert!(validate_reason("reason", Some("ticket 42"), true).is_ok());
        assert!(validate_reason("reason", Some("  "), true).is_err());
        assert!(validate_reason("comment", None, false).is_ok());
        assert!(validate_reason("reason", Some(&"x".repeat(501)), true).is_err());
        assert!(validate_reason("reason", Some("a\u{7}b"), true).is_err());
    }

    #[test]
    fn states_read_back() {
        for state in [
            "pending",
            "running",
            "executed",
            "failed",
            "rejected",
            "expired",
            "scheduled",
            "cancelled",
        ] {
            assert_eq!(
                ApprovalState::parse(state).map(ApprovalState::as_str),
                Some(state)
            );
        }
        assert_eq!(ApprovalState::parse("approved"), None);
    }

    #[test]
    fn a_window_begins_soon_and_lasts_a_day_at_most() {
        let now = 1_800_000_000_000;
        let window = |starts_at_ms, hours| MaintenanceWindow {
            starts_at_ms,
            hours,
        };
        assert!(validate_window(window(now + 3_600_000, 2), now).is_ok());
        assert!(validate_window(window(now - 60_000, 1), now).is_ok());
        let field = |result: Result<(), ApiError>| result.unwrap_err().field;
        assert_eq!(
            field(validate_window(window(now - 3_600_000, 1), now)).as_deref(),
            Some("window.starts_at_ms")
        );
        assert_eq!(
            field(validate_window(window(now + 31 * 86_400_000, 1), now)).as_deref(),
            Some("window.starts_at_ms")
        );
        assert_eq!(
            field(validate_window(window(now, 0), now)).as_deref(),
            Some("window.hours")
        );
        assert_eq!(
            field(validate_window(window(now, 25), now)).as_deref(),
            Some("window.hours")
        );
        assert_eq!(window(now, 2).ends_at_ms(), now + 7_200_000);
    }

    proptest! {
        #[test]
        fn any_reason_is_judged_without_panicking(text in ".{0,600}") {
            let _ = validate_reason("reason", Some(&text), true);
        }
    }
}
