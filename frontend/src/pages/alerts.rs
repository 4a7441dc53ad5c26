//! Alerts across the fleet, newest first, filtered by severity and array (kept in the URL),
//! with the arrays that could not be asked named.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{ALERT_SEVERITIES, Action, AlertFlag, FleetAlerts};

use crate::api;
use crate::components::table::{ArrayFailures, ArrayFilter, EmptyState};
use crate::components::{
    Loaded, Outcome, OutcomeLine, Task, Timestamp, UrlState, live_resource, page_title,
};
use crate::session::Session;

#[component]
pub fn AlertsPage() -> impl IntoView {
    page_title("Alerts");
    let state = UrlState::new("");
    // Outside the table, which each refresh draws anew, so an outcome outlives it.
    let task = Task::new();
    let alerts = live_resource(move || {
        let (severity, array, closed) = (
            state.text("severity"),
            state.text("array"),
            state.flag("closed"),
        );
        async move { api::fleet_alerts(&severity, &array, closed).await }
    });
    let choose = move |key: &'static str| {
        move |event: leptos::ev::Event| {
            state.set_from_start(key, Some(event_target_value(&event)), false)
        }
    };
    view! {
        <h1>"Alerts"</h1>
        <div class="toolbar" id="alert-filters">
            <label>
                <span>"Severity"</span>
                <select id="alert-severity" on:change=choose("severity")>
                    <option value="" selected=move || state.text("severity").is_empty()>"Any"</option>
                    {ALERT_SEVERITIES.iter().map(|severity| {
                        let severity = *severity;
                        view! { <option value=severity selected=move || state.text("severity") == severity>{severity}</option> }
                    }).collect_view()}
                </select>
            </label>
            <ArrayFilter id="alert-array" state />
            <label class="check">
                <input
                    type="checkbox"
                    id="alert-closed"
                    prop:checked=move || state.flag("closed")
                    on:change=move |event| {
                        let closed = event_target_checked(&event);
                        state.set_from_start("closed", closed.then(|| "true".to_owned()), false);
                    }
                />
                "Closed ones too"
            </label>
        </div>
        <OutcomeLine id="alert-outcome" outcome=task.outcome />
        <Loaded resource=alerts loading="Asking the arrays…" error_id="alerts-error" let:alerts>
            <AlertTable alerts task />
        </Loaded>
    }
}

/// Flags an alert on its array, or takes the flag off, as the Purity GUI does for alerts
/// someone is looking after.
#[component]
fn FlagButton(array: String, alert: String, flagged: bool, task: Task) -> impl IntoView {
    let session = expect_context::<Session>();
    let label = if flagged { "Unflag" } else { "Flag" };
    let flag = move |_| {
        let (array, alert) = (array.clone(), alert.clone());
        let flagging = (array.clone(), alert.clone());
        task.refreshing().call(
            format!("{label}ging alert {alert}…"),
            &[],
            async move {
                let change = AlertFlag { flagged: !flagged };
                api::flag_alert(&flagging.0, &flagging.1, &change).await
            },
            move |_| {
                let done = if flagged { "Unflagged" } else { "Flagged" };
                Outcome::Done(format!("{done} alert {alert} on {array}."))
            },
        );
    };
    view! {
        <Show when=move || session.may(Action::AlertFlag)>
            <button class="secondary flag" disabled=move || task.running() on:click=flag.clone()>{label}</button>
        </Show>
    }
}

#[component]
fn AlertTable(alerts: FleetAlerts, task: Task) -> impl IntoView {
    let failures = alerts.errors.clone();
    if alerts.items.is_empty() {
        return view! {
            <ArrayFailures failures=failures.clone() />
            <EmptyState id="alerts-empty" text="No alerts match." />
        }
        .into_any();
    }
    let rows = alerts
        .items
        .into_iter()
        .map(|item| {
            let alert = item.alert;
            let component = [alert.component_type.clone(), alert.component_name.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let href = format!("/arrays/{}/overview", item.array);
            let state = match alert.closed {
                Some(closed) => view! { "closed " <Timestamp epoch_ms=closed /> }.into_any(),
                None => view! { {alert.state.clone()} }.into_any(),
            };
            let severity = alert.severity.clone();
            let array = item.array.clone();
            let flag = view! {
                <FlagButton array=item.array.clone() alert=alert.name.clone() flagged=alert.flagged task />
            };
            let marker = alert.flagged.then_some(" ⚑ flagged");
            view! {
                <tr data-alert=alert.name.clone() data-array=array>
                    <td><span class=format!("pill {severity}")>{severity.clone()}</span></td>
                    <td><A href=href>{item.array}</A></td>
                    <td>{component}</td>
                    <td class="summary">{alert.summary} {alert.actual.map(|actual| format!(" ({actual})"))}</td>
                    <td><Timestamp epoch_ms=alert.created /></td>
                    <td class="state">{state}<span class="flagged">{marker}</span></td>
                    <td>{flag}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ArrayFailures failures=failures.clone() />
        <table id="alerts">
            <thead>
                <tr>
                    <th>"Severity"</th><th>"Array"</th><th>"Component"</th><th>"Summary"</th>
                    <th>"Raised"</th><th>"State"</th><th>"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
