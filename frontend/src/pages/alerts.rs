//! Alerts across the fleet, newest first, filtered by severity and array (kept in the URL),
//! with the arrays that could not be asked named.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{ALERT_SEVERITIES, Action, AlertFlag, FleetAlert, FleetAlerts};

use crate::api;
use crate::components::frame::encode;
use crate::components::table::{ArrayFailures, ArrayFilter, EmptyState, SearchBox};
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
            <SearchBox id="alert-search" label="Search" placeholder="summary, component or array" state />
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
            <AlertTable alerts task state />
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

/// Where an alert's component is in the portal: its volume, host or group page, or the
/// array's Overview at the hardware part.
fn component_href(array: &str, kind: &str, name: &str) -> String {
    let base = format!("/arrays/{}", encode(array));
    match kind {
        "volume" => format!("{base}/volumes/{}", encode(name)),
        "host" => format!("{base}/hosts/{}", encode(name)),
        "protection_group" | "pgroup" => format!("{base}/protection/{}", encode(name)),
        "array" | "" => format!("{base}/overview"),
        _ => format!("{base}/overview#part-{}", encode(name)),
    }
}

/// Whether `item` holds `wanted` (lower case) in its summary, component or array.
fn alert_matches(item: &FleetAlert, wanted: &str) -> bool {
    let alert = &item.alert;
    [
        Some(item.array.as_str()),
        Some(alert.summary.as_str()),
        alert.component_name.as_deref(),
        alert.component_type.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|text| text.to_lowercase().contains(wanted))
}

#[component]
fn AlertTable(alerts: FleetAlerts, task: Task, state: UrlState) -> impl IntoView {
    let failures = alerts.errors.clone();
    if alerts.items.is_empty() {
        return view! {
            <ArrayFailures failures=failures.clone() />
            <EmptyState id="alerts-empty" text="No alerts match." />
        }
        .into_any();
    }
    let items = StoredValue::new(alerts.items);
    let row = move |item: FleetAlert| {
        let alert = item.alert;
        let component = [alert.component_type.clone(), alert.component_name.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let href = format!("/arrays/{}/overview", encode(&item.array));
        let component_link = component_href(
            &item.array,
            alert.component_type.as_deref().unwrap_or_default(),
            alert.component_name.as_deref().unwrap_or_default(),
        );
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
                <td><A href=component_link attr:class="component">{component}</A></td>
                <td class="summary">{alert.summary} {alert.actual.map(|actual| format!(" ({actual})"))}</td>
                <td><Timestamp epoch_ms=alert.created /></td>
                <td class="state">{state}<span class="flagged">{marker}</span></td>
                <td>{flag}</td>
            </tr>
        }
    };
    let rows = move || {
        let wanted = state.search().to_lowercase();
        items.with_value(|items| {
            items
                .iter()
                .filter(|item| wanted.is_empty() || alert_matches(item, &wanted))
                .cloned()
                .map(row)
                .collect_view()
        })
    };
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
