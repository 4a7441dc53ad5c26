//! Silences on the Notifications page: nothing is told for a rule (on one array, or every
//! one it watches) for a while, with a reason; what still holds when a silence ends is told
//! then. Each in force can be ended early.

use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::{NewSilence, Rule, Silence, validate_new_silence};

use crate::api::{self, ApiResult};
use crate::components::live::arrays_resource;
use crate::components::{
    Field, FieldErrors, Loaded, Outcome, OutcomeLine, PlainTable, Task, Timestamp, live_resource,
};

/// The lengths offered, in hours: up to a quarter of a year, beyond Purity's own 24 hours.
const LENGTHS: [(u32, &str); 8] = [
    (1, "1 hour"),
    (4, "4 hours"),
    (12, "12 hours"),
    (24, "1 day"),
    (72, "3 days"),
    (168, "1 week"),
    (720, "30 days"),
    (2160, "90 days"),
];

#[component]
pub fn Silences(rules: Answer<ApiResult<Vec<Rule>>>) -> impl IntoView {
    let silences = live_resource(api::silences);
    let task = Task::new();
    view! {
        <CreateSilence rules />
        <OutcomeLine id="silence-outcome" outcome=task.outcome />
        <Loaded resource=silences loading="Loading silences…" let:list>
            <SilenceTable silences=list task />
        </Loaded>
    }
}

#[component]
fn CreateSilence(rules: Answer<ApiResult<Vec<Rule>>>) -> impl IntoView {
    let arrays = arrays_resource();
    let rule = RwSignal::new(String::new());
    let array = RwSignal::new(String::new());
    let hours = RwSignal::new("4".to_owned());
    let reason = RwSignal::new(String::new());
    let errors = FieldErrors::new(&["rule", "array", "hours", "reason"]);
    let task = Task::new();
    let submit = task.on_submit(move || {
        errors.clear();
        let Ok(rule) = rule.get_untracked().parse::<i64>() else {
            errors
                .of("rule")
                .set(Some("Choose the rule to silence.".to_owned()));
            return;
        };
        let request = NewSilence {
            rule,
            array: Some(array.get_untracked()).filter(|array| !array.is_empty()),
            hours: hours.get_untracked().parse().unwrap_or_default(),
            reason: reason.get_untracked().trim().to_owned(),
        };
        if let Err(problem) = validate_new_silence(&request) {
            errors.show(problem, task.outcome);
            return;
        }
        task.refreshing().call(
            "Silencing…".to_owned(),
            &errors.all(),
            async move { api::create_silence(&request).await },
            move |silence| {
                reason.set(String::new());
                Outcome::Done(format!(
                    "{} is silenced{}.",
                    silence.rule_name,
                    silence
                        .array
                        .map(|array| format!(" on {array}"))
                        .unwrap_or_default()
                ))
            },
        );
    });
    // Outside a loading boundary: the lists change as rules and arrays do, and the form
    // (with its outcome) must outlive that.
    let rule_options = move || {
        rules
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|choice| {
                let value = choice.id.to_string();
                let selected = value.clone();
                view! { <option value=value selected=move || rule.get() == selected>{choice.name}</option> }
            })
            .collect_view()
    };
    let array_options = move || {
        arrays
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|choice| {
                let value = choice.name.clone();
                view! { <option value=value>{choice.name}</option> }
            })
            .collect_view()
    };
    let error = move |field: &'static str, id: &'static str| {
        move || {
            errors.of(field).get().map(|message| {
                view! { <span id=id class="field-error" role="alert">{message}</span> }
            })
        }
    };
    view! {
        <div class="card">
            <form class="inline" id="create-silence" on:submit=submit novalidate>
                <label>
                    <span>"Rule"</span>
                    <select id="silence-rule" on:change=move |event| rule.set(event_target_value(&event))>
                        <option value="" selected=move || rule.get().is_empty()>"Choose…"</option>
                        {rule_options}
                    </select>
                    {error("rule", "silence-rule-error")}
                </label>
                <label>
                    <span>"On"</span>
                    <select id="silence-array" on:change=move |event| array.set(event_target_value(&event))>
                        <option value="">"every array it watches"</option>
                        {array_options}
                    </select>
                    {error("array", "silence-array-error")}
                </label>
                <label>
                    <span>"For"</span>
                    <select id="silence-hours" on:change=move |event| hours.set(event_target_value(&event))>
                        {LENGTHS.map(|(length, label)| view! {
                            <option value=length.to_string() selected=length == 4>{label}</option>
                        }).collect_view()}
                    </select>
                    {error("hours", "silence-hours-error")}
                </label>
                <Field id="silence-reason" label="Why" placeholder="CHG-12: drives being replaced" value=reason error=errors.of("reason") />
                <button id="silence-create" type="submit" disabled=move || task.running()>"Silence"</button>
            </form>
            <OutcomeLine id="silence-create-outcome" outcome=task.outcome />
        </div>
    }
}

#[component]
fn SilenceTable(silences: Vec<Silence>, task: Task) -> impl IntoView {
    if silences.is_empty() {
        return view! { <p class="muted" id="silences">"No silence is in force."</p> }.into_any();
    }
    let rows = silences
        .into_iter()
        .map(|silence| {
            let id = silence.id;
            let rule = silence.rule_name.clone();
            let row_rule = rule.clone();
            let end = move |_| {
                let rule = rule.clone();
                task.refreshing().call(
                    format!("Ending the silence on {rule}…"),
                    &[],
                    api::end_silence(id),
                    move |()| Outcome::Done(format!("{rule} speaks again from its next watch.")),
                );
            };
            view! {
                <tr data-silence=id data-rule=row_rule>
                    <td class="rule">{silence.rule_name}</td>
                    <td class="array">{silence.array.unwrap_or_else(|| "every array".to_owned())}</td>
                    <td class="reason">{silence.reason}</td>
                    <td>{silence.created_by}</td>
                    <td class="until"><Timestamp epoch_ms=silence.until_ms /></td>
                    <td class="actions">
                        <button class="secondary end" on:click=end disabled=move || task.running()>"End now"</button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="silences" headers=&["Rule", "On", "Why", "By", "Until", "Actions"]>{rows}</PlainTable>
    }
    .into_any()
}
