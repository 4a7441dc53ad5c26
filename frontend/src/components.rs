//! Small pieces every page uses: labelled fields with their messages, the array's tabs, and
//! an action's running/done/failed line.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::Failure;
use crate::app::Session;

/// A labelled text input, with the message about it (if any) right beneath it.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    #[prop(default = "")] placeholder: &'static str,
    /// The input's `type`: `password` keeps what is typed out of sight.
    #[prop(default = "text")]
    kind: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <label>
            <span>{label}</span>
            <input
                id=id
                type=kind
                placeholder=placeholder
                bind:value=value
                aria-invalid=move || error.with(Option::is_some).to_string()
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! { <span id=error_id.clone() class="field-error" role="alert">{message}</span> }
                    })
            }}
        </label>
    }
}

/// The outcome of the last action of a form: running, done, or the reason it failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Idle,
    Running(String),
    Done(String),
    Failed(String),
}

/// Shows an [`Outcome`] as one line with a stable id, `ID`.
#[component]
pub fn OutcomeLine(id: &'static str, outcome: RwSignal<Outcome>) -> impl IntoView {
    move || match outcome.get() {
        Outcome::Idle => ().into_any(),
        Outcome::Running(text) => {
            view! { <p id=id class="muted" role="status" data-state="running">{text}</p> }
                .into_any()
        }
        Outcome::Done(text) => {
            view! { <p id=id class="success" role="status" data-state="done">{text}</p> }.into_any()
        }
        Outcome::Failed(text) => {
            view! { <p id=id class="error" role="alert" data-state="failed">{text}</p> }.into_any()
        }
    }
}

/// Routes a failure's message to the field it names (via `fields`), or to `form` otherwise.
pub fn show_failure(
    session: Session,
    failure: &Failure,
    fields: &[(&str, RwSignal<Option<String>>)],
    form: RwSignal<Outcome>,
) {
    session.notice(failure);
    let field = failure.error.field.as_deref();
    match fields.iter().find(|(name, _)| Some(*name) == field) {
        Some((_, signal)) => {
            signal.set(Some(failure.error.message.clone()));
            form.set(Outcome::Idle);
        }
        None => form.set(Outcome::Failed(failure.error.message.clone())),
    }
}

/// The array's name and its pages.
#[component]
pub fn ArrayTabs(array: Memo<String>) -> impl IntoView {
    view! {
        <p><A href="/">"← Arrays"</A></p>
        <nav class="tabs">
            <A href=move || format!("/arrays/{}/volumes", array.get())>"Volumes"</A>
            <A href=move || format!("/arrays/{}/hosts", array.get())>"Hosts"</A>
            <A href=move || format!("/arrays/{}/protection", array.get())>"Protection groups"</A>
        </nav>
    }
}
