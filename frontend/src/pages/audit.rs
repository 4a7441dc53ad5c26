//! The audit log, for admins: every change anyone made through the portal, searched by
//! user, array, action, outcome and time, and exported as CSV.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::{AuditEntry, AuditOutcome, AuditQuery};

use crate::api;
use crate::components::live::answer_signal;
use crate::components::{
    AdminsOnly, Field, Loaded, PlainTable, Timestamp, page_title, parse_local_datetime,
};

/// Entries per page.
const PAGE: u32 = 100;

const OUTCOMES: [AuditOutcome; 4] = [
    AuditOutcome::Success,
    AuditOutcome::Failure,
    AuditOutcome::Pending,
    AuditOutcome::Unknown,
];

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <AdminsOnly refusal="Only admins read the audit log.">
            <AuditPageForAdmins />
        </AdminsOnly>
    }
}

/// Where the audit log is forwarded and whether the receiver keeps up; nothing when it is not
/// forwarded (or the admin may not see where).
#[component]
fn ForwardingLine() -> impl IntoView {
    let forwarding = answer_signal(|| async { api::audit_forwarding().await.ok() });
    move || {
        forwarding.get().unwrap_or_default().into_iter().map(|forwarding| {
            let failing = forwarding.last_error.is_some();
            let destination = forwarding.destination.clone();
            view! {
                <p class=if failing { "audit-forwarding error" } else { "audit-forwarding muted" } data-destination=destination>
                    "Forwarded to " <code>{forwarding.destination}</code> ": "
                    {forwarding.forwarded} " rows taken, " {forwarding.waiting} " waiting"
                    {forwarding.last_error.map(|why| format!("; the last try failed: {why}"))}
                    "."
                </p>
            }
        }).collect_view()
    }
}

#[component]
fn AuditPageForAdmins() -> impl IntoView {
    page_title("Audit log");
    let user = RwSignal::new(String::new());
    let array = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let since_error = RwSignal::new(None::<String>);
    let until_error = RwSignal::new(None::<String>);
    let no_error = RwSignal::new(None::<String>);
    let query = RwSignal::new(AuditQuery {
        limit: Some(PAGE),
        ..AuditQuery::default()
    });
    let entries = Answer::new(move || {
        let query = query.get();
        async move { api::audit(&query).await }
    });
    let text = |signal: RwSignal<String>| {
        let value = signal.get_untracked().trim().to_owned();
        (!value.is_empty()).then_some(value)
    };
    let time = move |signal: RwSignal<String>, error: RwSignal<Option<String>>| {
        error.set(None);
        match text(signal) {
            None => Ok(None),
            Some(value) => parse_local_datetime(&value).map(Some).ok_or_else(|| {
                error.set(Some(
                    "Pick a date and time, such as 2026-11-23 14:30 (your local time).".to_owned(),
                ));
            }),
        }
    };
    let search = move |event: SubmitEvent| {
        event.prevent_default();
        let (Ok(since_ms), Ok(until_ms)) = (time(since, since_error), time(until, until_error))
        else {
            return;
        };
        query.set(AuditQuery {
            user: text(user),
            array: text(array),
            action: text(action),
            outcome: AuditOutcome::parse(&outcome.get_untracked()),
            since_ms,
            until_ms,
            limit: Some(PAGE),
            before_id: None,
        });
    };
    let csv_url = move || {
        let mut everything = query.get();
        everything.limit = None;
        everything.before_id = None;
        api::audit_csv_url(&everything)
    };
    view! {
        <h1>"Audit log"</h1>
        <p class="muted">
            "Every change made through the portal, newest first. The request id is also in the array's logs. "
            "An unknown outcome means the portal stopped before the array answered: the array's own audit log tells what happened."
        </p>
        <ForwardingLine />
        <div class="card">
            <form class="inline" id="audit-filters" on:submit=search novalidate>
                <Field id="audit-user" label="User" value=user error=no_error />
                <Field id="audit-array" label="Array" value=array error=no_error />
                <Field id="audit-action" label="Action" placeholder="destroy, volume.resize…" value=action error=no_error />
                <label>
                    <span>"Outcome"</span>
                    <select id="audit-outcome" on:change=move |event| outcome.set(event_target_value(&event))>
                        <option value="">"any"</option>
                        {OUTCOMES
                            .map(|choice| view! { <option value=choice.as_str()>{choice.as_str()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <Field id="audit-since" kind="datetime-local" label="From (your local time)" value=since error=since_error />
                <Field id="audit-until" kind="datetime-local" label="Until (your local time)" value=until error=until_error />
                <button id="audit-search" type="submit">"Search"</button>
                <a id="audit-csv" class="button secondary" href=csv_url download="flashdeck-audit.csv">"Export CSV"</a>
            </form>
        </div>
        <Loaded resource=entries let:list>
            <AuditEntries entries=list query />
        </Loaded>
    }
}

/// One page of entries, and the way to the newest and to older ones.
#[component]
fn AuditEntries(entries: Vec<AuditEntry>, query: RwSignal<AuditQuery>) -> impl IntoView {
    let older = (entries.len() == PAGE as usize)
        .then(|| entries.last().map(|entry| entry.id))
        .flatten();
    let newest_page = query.with(|query| query.before_id.is_none());
    view! {
        <AuditTable entries />
        <p class="pager">
            <Show when=move || !newest_page>
                <button class="secondary" id="audit-newest" on:click=move |_| query.update(|query| query.before_id = None)>
                    "Newest"
                </button>
            </Show>
            {older.map(|id| view! {
                <button class="secondary" id="audit-older" on:click=move |_| query.update(|query| query.before_id = Some(id))>
                    "Older entries"
                </button>
            })}
        </p>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted" id="audit-empty">"Nothing matches."</p> }.into_any();
    }
    let rows = entries
        .into_iter()
        .map(|entry| {
            let outcome = entry.outcome.as_str();
            let request_id = entry.request_id.clone();
            view! {
                <tr data-request-id=request_id data-outcome=outcome>
                    <td class="time"><Timestamp epoch_ms=entry.started_at_ms /></td>
                    <td class="user">{entry.username}</td>
                    <td class="array">{entry.array.unwrap_or_default()}</td>
                    <td class="action mono">{entry.action}</td>
                    <td class="target">{entry.target}</td>
                    <td class=format!("outcome {outcome}")>{outcome}</td>
                    <td class="message">{entry.message.unwrap_or_default()}</td>
                    <td class="duration">{entry.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()}</td>
                    <td class="request-id mono" title=entry.parameters>{entry.request_id}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="audit" headers=&["Time", "User", "Array", "Action", "Target", "Outcome", "Message", "Took", "Request id"]>{rows}</PlainTable>
    }
    .into_any()
}
