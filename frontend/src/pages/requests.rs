//! Requests: changes waiting for a second person. Each shows what it would do (action, object,
//! array, parameters) and why; someone else with at least the requester's role approves it,
//! which runs it as the requester, or rejects it. The requester sees how it ended.

use leptos::prelude::*;
use shared::api::{ApprovalRequest, ApprovalState, Approvals};

use crate::api;
use crate::components::{
    Loaded, Outcome, OutcomeLine, Task, Timestamp, impact, live_resource, page_title,
};

fn outcome_words(request: &ApprovalRequest) -> String {
    match request.state {
        ApprovalState::Pending => "waiting".to_owned(),
        ApprovalState::Running => "approved, running".to_owned(),
        ApprovalState::Executed => format!(
            "done (approved by {})",
            request.decided_by.as_deref().unwrap_or("?")
        ),
        ApprovalState::Failed => format!(
            "approved by {}, failed: {}",
            request.decided_by.as_deref().unwrap_or("?"),
            request.outcome_message.as_deref().unwrap_or("no message")
        ),
        ApprovalState::Rejected => format!(
            "rejected by {}",
            request.decided_by.as_deref().unwrap_or("?")
        ),
        ApprovalState::Expired => "expired: nothing ran".to_owned(),
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    page_title("Requests");
    let approvals = live_resource(api::approvals);
    // Above the lists, which are drawn afresh when a decision changes them.
    let deciding = Task::new();
    view! {
        <h1>"Requests"</h1>
        <p class="muted">
            "Changes the portal holds for a second person: someone other than the requester, with at least their role, approves one (it then runs as the requester) or rejects it. Unanswered requests expire."
        </p>
        <OutcomeLine id="request-outcome" outcome=deciding.outcome />
        <Loaded resource=approvals loading="Loading requests…" let:approvals>
            <Requests approvals task=deciding />
        </Loaded>
    }
}

#[component]
fn Requests(approvals: Approvals, task: Task) -> impl IntoView {
    let held = if approvals.actions.is_empty() {
        "No action waits for a second person on this portal.".to_owned()
    } else {
        format!(
            "Held for a second person: {}.",
            approvals.actions.join(", ")
        )
    };
    let waiting = approvals.waiting_for_you;
    view! {
        <p class="muted" id="held-actions">{held}</p>
        <h2>"Waiting for you"</h2>
        {if waiting.is_empty() {
            view! { <p class="muted" id="waiting">"Nothing waits for you."</p> }.into_any()
        } else {
            view! {
                <ul class="stack" id="waiting">
                    {waiting.into_iter().map(|request| view! { <Decide request task /> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2>"Recent"</h2>
        <RecentRequests requests=approvals.recent />
    }
}

/// One request waiting for the caller: what it would do, why, and the two answers.
#[component]
fn Decide(request: ApprovalRequest, task: Task) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let id = request.id;
    let decide = move |approve: bool| {
        let verb = if approve { "Approving" } else { "Rejecting" };
        let comment = comment.get_untracked();
        task.refreshing().call(
            format!("{verb} request #{id}…"),
            &[],
            async move { api::decide_approval(id, approve, &comment).await },
            move |decided| Outcome::Done(format!("Request #{id}: {}.", outcome_words(&decided))),
        );
    };
    view! {
        <li class="card" data-request=id>
            <p class="question">
                <strong>{request.requester.clone()}</strong> " asks to run " <code>{request.action.clone()}</code>
                " on " <strong>{request.target.clone()}</strong>
                {request.array.clone().map(|array| view! { " on " <strong>{array}</strong> })}
            </p>
            <p class="details">{impact(&request)}</p>
            <p class="reason">"Why: " {request.reason.clone()}</p>
            <p class="muted">
                <code>{request.method.clone()} " /api" {request.path.clone()}</code> " " <code class="parameters">{request.parameters.clone()}</code>
            </p>
            <p class="muted">
                "Asked " <Timestamp epoch_ms=request.created_at_ms /> "; expires " <Timestamp epoch_ms=request.expires_at_ms />
            </p>
            <label>
                <span>"Comment (optional)"</span>
                <input class="decision-comment" maxlength="500" bind:value=comment />
            </label>
            <div class="row-actions">
                <button class="approve" disabled=move || task.running() on:click=move |_| decide(true)>"Approve and run"</button>
                <button class="secondary reject" disabled=move || task.running() on:click=move |_| decide(false)>"Reject"</button>
            </div>
        </li>
    }
}

#[component]
fn RecentRequests(requests: Vec<ApprovalRequest>) -> impl IntoView {
    if requests.is_empty() {
        return view! { <p class="muted" id="recent-requests">"No requests yet."</p> }.into_any();
    }
    view! {
        <table id="recent-requests">
            <thead>
                <tr>
                    <th>"#"</th><th>"Asked"</th><th>"By"</th><th>"Change"</th><th>"Array"</th>
                    <th>"Why"</th><th>"Outcome"</th>
                </tr>
            </thead>
            <tbody>
                {requests.into_iter().map(|request| view! {
                    <tr data-request=request.id data-state=request.state.as_str()>
                        <td>{request.id}</td>
                        <td><Timestamp epoch_ms=request.created_at_ms /></td>
                        <td>{request.requester.clone()}</td>
                        <td><code>{request.action.clone()}</code> " " {request.target.clone()}</td>
                        <td>{request.array.clone().unwrap_or_else(|| "—".to_owned())}</td>
                        <td>{request.reason.clone()}</td>
                        <td class="outcome">
                            {outcome_words(&request)}
                            {request.comment.clone().map(|comment| view! { <br /> <span class="muted">"“" {comment} "”"</span> })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
