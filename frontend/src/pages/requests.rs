//! Requests: changes waiting for a second person. Each shows what it would do (action, object,
//! array, parameters) and why; someone else with at least the requester's role approves it,
//! which runs it as the requester, or rejects it. The requester sees how it ended.

use leptos::prelude::*;
use shared::api::{
    ApiError, ApprovalRequest, ApprovalState, Approvals, MAX_WINDOW_HOURS, MaintenanceWindow,
    MyNotifications, MyNotificationsChange, PersonalTopic, validate_my_notifications,
    validate_window,
};

use crate::api;
use crate::components::{
    Field, FieldErrors, Loaded, Outcome, OutcomeLine, PlainTable, Task, Timestamp, impact,
    live_resource, local_datetime_value, page_title, parse_local_datetime,
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
        ApprovalState::Scheduled => format!(
            "approved by {}, waits for its window",
            request.decided_by.as_deref().unwrap_or("?")
        ),
        ApprovalState::Cancelled => format!(
            "cancelled by {}: nothing ran",
            request.cancelled_by.as_deref().unwrap_or("?")
        ),
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
            "Changes the portal holds for a second person: someone other than the requester, with at least their role, approves one (it then runs as the requester, at once or in a maintenance window) or rejects it. Unanswered requests expire."
        </p>
        <MailForYou />
        <OutcomeLine id="request-outcome" outcome=deciding.outcome />
        <Loaded resource=approvals loading="Loading requests…" let:approvals>
            <Requests approvals task=deciding />
        </Loaded>
    }
}

/// The caller's own mail: their address and which of their requests' news they hear of.
#[component]
fn MailForYou() -> impl IntoView {
    let mine = live_resource(api::my_notifications);
    view! {
        <Loaded resource=mine loading="Loading your mail settings…" let:mine>
            <MailForm mine />
        </Loaded>
    }
}

#[component]
fn MailForm(mine: MyNotifications) -> impl IntoView {
    let email = RwSignal::new(mine.email.unwrap_or_default());
    let chosen: Vec<(PersonalTopic, RwSignal<bool>)> = PersonalTopic::ALL
        .into_iter()
        .map(|topic| (topic, RwSignal::new(mine.topics.contains(&topic))))
        .collect();
    let errors = FieldErrors::new(&["email", "topics"]);
    let task = Task::new();
    let topics = chosen.clone();
    let submit = task.on_submit(move || {
        errors.clear();
        let change = MyNotificationsChange {
            email: Some(email.get_untracked().trim().to_owned()).filter(|email| !email.is_empty()),
            topics: topics
                .iter()
                .filter(|(_, ticked)| ticked.get_untracked())
                .map(|(topic, _)| *topic)
                .collect(),
        };
        if let Err(problem) = validate_my_notifications(&change) {
            errors.show(problem, task.outcome);
            return;
        }
        task.call(
            "Saving…".to_owned(),
            &errors.all(),
            async move { api::change_my_notifications(&change).await },
            |saved| {
                Outcome::Done(if saved.topics.is_empty() {
                    "Saved: no mail for you.".to_owned()
                } else {
                    "Saved: you get mail about your requests.".to_owned()
                })
            },
        );
    });
    view! {
        <details class="card" id="mail-for-you" open=!mine.topics.is_empty()>
            <summary>"Mail for you"</summary>
            {(!mine.mail_ready).then(|| view! {
                <p class="muted" id="mail-not-ready">"No mail is sent yet: an admin chooses the channel it goes through on the Notifications page."</p>
            })}
            <form class="inline" id="my-mail" on:submit=submit novalidate>
                <Field id="my-email" label="Your address" placeholder="you@example.com" value=email error=errors.of("email") />
                {chosen.into_iter().map(|(topic, ticked)| view! {
                    <label class="check">
                        <input type="checkbox" data-topic=topic.as_str() bind:checked=ticked />
                        <span>{topic.label()}</span>
                    </label>
                }).collect_view()}
                <button id="my-mail-save" type="submit" disabled=move || task.running()>"Save"</button>
            </form>
            <OutcomeLine id="my-mail-outcome" outcome=task.outcome />
        </details>
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
    let mut scheduled: Vec<ApprovalRequest> = approvals
        .recent
        .iter()
        .filter(|request| request.state == ApprovalState::Scheduled)
        .cloned()
        .collect();
    scheduled.sort_by_key(|request| request.window.map(|window| window.starts_at_ms));
    let may_cancel = approvals.may_cancel;
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
        <h2>"Scheduled"</h2>
        {if scheduled.is_empty() {
            view! { <p class="muted" id="scheduled">"No approved change waits for a maintenance window."</p> }.into_any()
        } else {
            view! {
                <ul class="stack" id="scheduled">
                    {scheduled.into_iter().map(|request| {
                        let cancellable = may_cancel.contains(&request.id);
                        view! { <Scheduled request cancellable task /> }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2>"Recent"</h2>
        <RecentRequests requests=approvals.recent />
    }
}

/// An approved change waiting for its window: what runs when, and the way to call it off.
#[component]
fn Scheduled(request: ApprovalRequest, cancellable: bool, task: Task) -> impl IntoView {
    let id = request.id;
    let cancel = move |_| {
        task.refreshing().call(
            format!("Cancelling request #{id}…"),
            &[],
            async move { api::cancel_approval(id).await },
            move |_| Outcome::Done(format!("Request #{id} is cancelled: it will not run.")),
        );
    };
    view! {
        <li class="card" data-request=id>
            <p class="question">
                <code>{request.action.clone()}</code> " on " <strong>{request.target.clone()}</strong>
                {request.array.clone().map(|array| view! { " on " <strong>{array}</strong> })}
                ", asked by " {request.requester.clone()} ", approved by " {request.decided_by.clone().unwrap_or_default()}
            </p>
            {request.window.map(|window| view! {
                <p class="window">
                    "Runs when its window begins, " <Timestamp epoch_ms=window.starts_at_ms />
                    ", and not after " <Timestamp epoch_ms=window.ends_at_ms() /> "."
                </p>
            })}
            <p class="reason">"Why: " {request.reason.clone()}</p>
            {cancellable.then(|| view! {
                <div class="row-actions">
                    <button class="secondary cancel-window" disabled=move || task.running() on:click=cancel>"Cancel"</button>
                </div>
            })}
        </li>
    }
}

/// One request waiting for the caller: what it would do, why, and the two answers.
#[component]
fn Decide(request: ApprovalRequest, task: Task) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let in_window = RwSignal::new(false);
    // The next full hour, in the browser's time zone, to start from.
    let next_hour = (browser_now_ms() / 3_600_000 + 1) * 3_600_000;
    let window_start = RwSignal::new(local_datetime_value(next_hour));
    let window_hours = RwSignal::new("2".to_owned());
    let errors = FieldErrors::new(&["window.starts_at_ms", "window.hours", "comment"]);
    let id = request.id;
    let decide = move |approve: bool| {
        errors.clear();
        let window = match (approve && in_window.get_untracked())
            .then(|| chosen_window(&window_start.get_untracked(), &window_hours.get_untracked()))
        {
            None => None,
            Some(Ok(window)) => Some(window),
            Some(Err(problem)) => return errors.show(problem, task.outcome),
        };
        let verb = match (approve, window) {
            (false, _) => "Rejecting",
            (true, None) => "Approving",
            (true, Some(_)) => "Scheduling",
        };
        let comment = comment.get_untracked();
        task.refreshing().call(
            format!("{verb} request #{id}…"),
            &errors.all(),
            async move { api::decide_approval(id, approve, &comment, window).await },
            move |decided| Outcome::Done(format!("Request #{id}: {}.", outcome_words(&decided))),
        );
    };
    let field_error = move |field: &'static str| {
        move || {
            errors.of(field).get().map(|message| {
                view! { <span class="field-error" role="alert">{message}</span> }
            })
        }
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
                {field_error("comment")}
            </label>
            <label class="check">
                <input type="checkbox" class="in-window" bind:checked=in_window />
                <span>"Run in a maintenance window instead of at once"</span>
            </label>
            <Show when=move || in_window.get()>
                <div class="inline window-fields">
                    <label>
                        <span>"Window begins (your local time)"</span>
                        <input type="datetime-local" class="window-start" bind:value=window_start />
                        {field_error("window.starts_at_ms")}
                    </label>
                    <label>
                        <span>"Lasts (hours)"</span>
                        <input type="number" class="window-hours" min="1" max=MAX_WINDOW_HOURS bind:value=window_hours />
                        {field_error("window.hours")}
                    </label>
                </div>
            </Show>
            <div class="row-actions">
                <button class="approve" disabled=move || task.running() on:click=move |_| decide(true)>
                    {move || if in_window.get() { "Approve for the window" } else { "Approve and run" }}
                </button>
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
        <PlainTable id="recent-requests" headers=&["#", "Asked", "By", "Change", "Array", "Why", "Outcome"]>
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
        </PlainTable>
    }
    .into_any()
}

fn browser_now_ms() -> i64 {
    web_sys::js_sys::Date::now() as i64
}

/// The window the approver chose: a local start and a number of hours.
fn chosen_window(start: &str, hours: &str) -> Result<MaintenanceWindow, ApiError> {
    let starts_at_ms = parse_local_datetime(start).ok_or_else(|| {
        ApiError::for_field(
            "window.starts_at_ms",
            "Choose the day and time the window begins.",
        )
    })?;
    let hours = hours.trim().parse().map_err(|_| {
        ApiError::for_field(
            "window.hours",
            format!("A window lasts from 1 to {MAX_WINDOW_HOURS} hours."),
        )
    })?;
    let window = MaintenanceWindow {
        starts_at_ms,
        hours,
    };
    validate_window(window, browser_now_ms())?;
    Ok(window)
}
