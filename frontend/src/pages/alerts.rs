//! Alerts across the fleet, newest first, filtered by severity and array (kept in the URL),
//! with the arrays that could not be asked named; arrays only Pure1 sees add Pure1's alerts.

use leptos::prelude::*;

use crate::components::live::Answer;
use leptos_router::components::A;
use shared::api::{
    ALERT_SEVERITIES, Action, AlertFlag, FleetAlert, FleetAlerts, Pure1Alert, Pure1Fleet,
};
use shared::listing::{Column, Value};

use crate::api::{self, ApiResult};
use crate::components::frame::encode;
use crate::components::table::{ArrayFailures, ArrayFilter, SearchBox};
use crate::components::{
    ListTable, Loaded, Outcome, OutcomeLine, Row, Task, Timestamp, UrlState, live_resource,
    page_title,
};
use crate::session::Session;

#[component]
pub fn AlertsPage() -> impl IntoView {
    page_title("Alerts");
    let state = UrlState::new("-raised");
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
    // Asked on its own, so a slow Pure1 never holds the arrays' own alerts back.
    let from_pure1 = live_resource(move || {
        let (severity, array) = (state.text("severity"), state.text("array"));
        async move {
            api::fleet_pure1()
                .await
                .map(|fleet| only_pure1_sees(fleet, &severity, &array))
        }
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
            <AlertTable alerts from_pure1 task state />
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

const COLUMNS: &[Column] = &[
    Column::data("severity", "Severity"),
    Column::data("array", "Array"),
    Column::data("component", "Component"),
    Column::data("summary", "Summary"),
    Column::data("raised", "Raised"),
    Column::data("state", "State"),
    Column::actions("Actions"),
];

#[component]
fn AlertTable(
    alerts: FleetAlerts,
    from_pure1: Answer<ApiResult<Vec<Pure1Alert>>>,
    task: Task,
    state: UrlState,
) -> impl IntoView {
    let items = StoredValue::new(alerts.items);
    let table = move || {
        let pure1 = from_pure1.get().and_then(Result::ok).unwrap_or_default();
        let rows = items
            .get_value()
            .into_iter()
            .map(|item| alert_row(item, task))
            .chain(pure1.into_iter().map(pure1_row))
            .collect();
        view! {
            <ListTable
                id="alerts"
                columns=COLUMNS
                rows
                state
                file="flashdeck-alerts.csv"
                empty_id="alerts-empty"
                empty="No alerts match."
            />
        }
    };
    view! {
        <ArrayFailures failures=alerts.errors />
        {table}
    }
}

/// Pure1's open alerts of the arrays only Pure1 sees (the portal asks the others itself),
/// filtered as the page is; Pure1 not connected, none.
fn only_pure1_sees(fleet: Pure1Fleet, severity: &str, array: &str) -> Vec<Pure1Alert> {
    let unmanaged: Vec<String> = fleet
        .arrays
        .into_iter()
        .filter(|seen| !seen.managed)
        .map(|seen| seen.name)
        .collect();
    fleet
        .alerts
        .into_iter()
        .filter(|alert| {
            unmanaged.contains(&alert.array)
                && (severity.is_empty() || alert.severity == severity)
                && (array.is_empty() || alert.array == array)
        })
        .collect()
}

fn alert_row(item: FleetAlert, task: Task) -> Row {
    let alert = &item.alert;
    let component = [alert.component_type.clone(), alert.component_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let summary = match &alert.actual {
        Some(actual) => format!("{} ({actual})", alert.summary),
        None => alert.summary.clone(),
    };
    let status = match alert.closed {
        Some(_) => "closed".to_owned(),
        None => alert.state.clone(),
    };
    let values = vec![
        Value::from(alert.severity.as_str()),
        Value::from(item.array.as_str()),
        Value::from(component.as_str()),
        Value::from(summary.as_str()),
        Value::Time(Some(alert.created)),
        Value::from(status),
    ];
    Row::new(values, move || {
        let alert = item.alert.clone();
        let href = format!("/arrays/{}/overview", encode(&item.array));
        let component_link = component_href(
            &item.array,
            alert.component_type.as_deref().unwrap_or_default(),
            alert.component_name.as_deref().unwrap_or_default(),
        );
        let shown_state = match alert.closed {
            Some(closed) => view! { "closed " <Timestamp epoch_ms=closed /> }.into_any(),
            None => view! { {alert.state.clone()} }.into_any(),
        };
        let severity = alert.severity.clone();
        let flag = view! {
            <FlagButton array=item.array.clone() alert=alert.name.clone() flagged=alert.flagged task />
        };
        let marker = alert.flagged.then_some(" ⚑ flagged");
        let (array, component) = (item.array.clone(), component.clone());
        view! {
            <tr data-alert=alert.name.clone() data-array=item.array.clone()>
                <td class="severity"><span class=format!("pill {severity}")>{severity.clone()}</span></td>
                <td class="array"><A href=href>{array}</A></td>
                <td><A href=component_link attr:class="component">{component}</A></td>
                <td class="summary">{summary.clone()}</td>
                <td class="raised"><Timestamp epoch_ms=alert.created /></td>
                <td class="state">{shown_state}<span class="flagged">{marker}</span></td>
                <td>{flag}</td>
            </tr>
        }
        .into_any()
    })
}

/// An alert of an array only Pure1 sees: read-only here, as the portal cannot reach the array.
fn pure1_row(alert: Pure1Alert) -> Row {
    let component = alert.component_name.clone().unwrap_or_default();
    let values = vec![
        Value::from(alert.severity.as_str()),
        Value::from(alert.array.as_str()),
        Value::from(component.as_str()),
        Value::from(alert.summary.as_str()),
        Value::Time(alert.created),
        Value::from(format!("{} (from Pure1)", alert.state)),
    ];
    Row::new(values, move || {
        let severity = alert.severity.clone();
        view! {
            <tr data-alert=alert.id.clone() data-array=alert.array.clone() class="from-pure1">
                <td class="severity"><span class=format!("pill {severity}")>{severity.clone()}</span></td>
                <td class="array">{alert.array.clone()}</td>
                <td class="component">{component.clone()}</td>
                <td class="summary">{alert.summary.clone()}</td>
                <td class="raised">{alert.created.map(|created| view! { <Timestamp epoch_ms=created /> })}</td>
                <td class="state">{alert.state.clone()} " " <span class="pill info">"from Pure1"</span></td>
                <td></td>
            </tr>
        }
        .into_any()
    })
}
