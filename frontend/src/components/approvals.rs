//! The two-person rule in the UI: which actions wait for a second person (from
//! `/api/approvals`, in context), the header's count of requests waiting for you, and the words
//! for a change sent for approval.

use leptos::prelude::*;

use crate::components::live::Answer;
use leptos_router::components::A;
use shared::api::{Action, ApprovalRequest, Approvals};

use crate::api::{self, Done};
use crate::components::{Outcome, live_resource};
use crate::session::Session;

/// What `/api/approvals` last said, shared by the header's badge and every confirmation.
#[derive(Clone, Copy)]
pub struct ApprovalPolicy(Answer<Option<Approvals>>);

impl ApprovalPolicy {
    /// Fetched with the live clock, while someone is signed in.
    pub fn provide() {
        let session = expect_context::<Session>();
        let approvals = live_resource(move || {
            let signed_in = session.user.with(Option::is_some);
            async move {
                if signed_in {
                    api::approvals().await.ok()
                } else {
                    None
                }
            }
        });
        provide_context(Self(approvals));
    }

    /// Whether `action` waits for a second person: itself, or what it may do (a rule holding
    /// `user.set_role` holds some of `user.change`).
    pub fn requires(&self, action: Action) -> bool {
        self.0.with(|approvals| {
            approvals.and_then(Option::as_ref).is_some_and(|approvals| {
                approvals.actions.iter().any(|named| {
                    named == action.name()
                        || named
                            .parse::<Action>()
                            .is_ok_and(|held| held.general() == action)
                })
            })
        })
    }

    fn waiting(&self) -> usize {
        self.0.with(|approvals| {
            approvals
                .and_then(Option::as_ref)
                .map_or(0, |approvals| approvals.waiting_for_you.len())
        })
    }
}

/// The header's link to Requests, with how many wait for you.
#[component]
pub fn RequestsLink() -> impl IntoView {
    let policy = expect_context::<ApprovalPolicy>();
    view! {
        <A href="/requests" attr:id="requests-link">
            "Requests"
            {move || {
                let waiting = policy.waiting();
                (waiting > 0).then(|| view! {
                    " " <span class="badge" id="requests-waiting" aria-label=format!("{waiting} waiting for you")>{waiting}</span>
                })
            }}
        </A>
    }
}

/// The reason a confirmation asks for when its action waits for a second person, to send with
/// the change.
#[derive(Clone, Copy)]
pub struct Reason {
    held: Memo<bool>,
    pub text: RwSignal<String>,
}

impl Reason {
    /// For `action`, such as `volume.restore`. A memo: the policy is fetched again with the live
    /// clock, and an open question must not be drawn afresh when nothing changed.
    pub fn for_action(action: Action) -> Self {
        let policy = expect_context::<ApprovalPolicy>();
        Self {
            held: Memo::new(move |_| policy.requires(action)),
            text: RwSignal::new(String::new()),
        }
    }

    /// Whether the action waits for a second person (reactive).
    pub fn held(&self) -> bool {
        self.held.get()
    }

    /// Whether the confirmation may go ahead: a reason given when one is needed (reactive).
    pub fn ready(&self) -> bool {
        !self.held.get() || self.text.with(|text| !text.trim().is_empty())
    }

    /// The reason to send, when the action is held; the field is emptied for next time.
    pub fn take(&self) -> Option<String> {
        let held = self.held.get_untracked();
        let text = self.text.get_untracked().trim().to_owned();
        self.text.set(String::new());
        held.then_some(text)
    }
}

/// What eradicating does, in the confirmation and in the request an approver reads.
pub const ERADICATION_IMPACT: &str =
    "Eradicating frees its space at once. It cannot be recovered afterwards.";
/// What removing an array does.
pub const ARRAY_REMOVAL_IMPACT: &str = "The portal forgets its address and credential; nothing on the array changes. Registering it again needs the credential again.";
/// What a role change does.
pub const ROLE_CHANGE_IMPACT: &str = "A role change takes effect on the user's next request.";
/// What disabling a user does.
pub const DISABLE_IMPACT: &str =
    "They are signed out at once and cannot sign in until enabled again.";

/// What a held change does when nothing more particular is known of it.
const UNKNOWN_IMPACT: &str = "It runs as the requester asked, with the parameters below.";

/// What a held action would do, as its confirmation says it, for the approver.
pub fn impact(request: &ApprovalRequest) -> &'static str {
    let Ok(action) = request.action.parse::<Action>() else {
        return UNKNOWN_IMPACT;
    };
    match action {
        action if action.eradicates() => ERADICATION_IMPACT,
        Action::VolumeRestore => {
            "The volume's contents are replaced by the snapshot's, and hosts see them at once; a safety snapshot keeps the state before unless it was turned off."
        }
        Action::ArrayRemove => ARRAY_REMOVAL_IMPACT,
        Action::PodDemote => crate::pages::pods::DEMOTE_IMPACT,
        Action::PodPromote => crate::pages::pods::PROMOTE_IMPACT,
        Action::UserSetRole => ROLE_CHANGE_IMPACT,
        Action::UserDisable => DISABLE_IMPACT,
        _ => UNKNOWN_IMPACT,
    }
}

/// What the page says when its change went to a second person instead of running.
pub fn held_outcome(request: &ApprovalRequest) -> Outcome {
    Outcome::Done(format!(
        "Sent for approval as request #{}: another {} (or higher) must approve it under Requests before it runs.",
        request.id,
        request.requester_role.as_str()
    ))
}

/// The outcome of a change that may wait for a second person: `ran` says what it did if it ran.
pub fn done_outcome<T>(done: Done<T>, ran: impl FnOnce(T) -> Outcome) -> Outcome {
    match done {
        Done::Now(answer) => ran(answer),
        Done::Held(request) => held_outcome(&request),
    }
}
