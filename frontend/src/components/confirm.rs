//! The one confirmation every destructive action goes through, in two strengths: a
//! reversible action says what it affects and asks once; an irreversible one also asks for
//! the object's name to be typed.

use leptos::prelude::*;
use shared::api::Action;
use web_sys::js_sys::Math;

use crate::components::Task;
use crate::components::approvals::{ERADICATION_IMPACT, Reason};
use crate::components::outcome::focus_first;
use crate::session::Session;

/// How hard the confirmation is to pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Strength {
    /// Undoable (destroy, disconnect, remove from a group): one confirming click.
    Reversible,
    /// Not undoable: the confirm button waits until this name is typed exactly.
    Irreversible(String),
}

/// Which confirmation is open: one at a time, so a page never shows two questions.
#[derive(Debug, Clone, Copy)]
pub struct OpenConfirmation(RwSignal<Option<u64>>);

impl OpenConfirmation {
    pub fn provide() -> Self {
        let open = Self(RwSignal::new(None));
        provide_context(open);
        open
    }

    /// Whether a question is waiting for its answer: reactive.
    pub fn is_asking(&self) -> bool {
        self.0.with(Option::is_some)
    }
}

/// A button that opens a confirmation; `on_confirm` runs only once the user confirms.
#[component]
pub fn Confirm(
    /// The opening button's text.
    #[prop(into)]
    label: String,
    /// The opening button's id, when the page has one such button.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The opening button's classes.
    #[prop(default = "danger")]
    class: &'static str,
    /// The question, naming the object and its array.
    #[prop(into)]
    question: Signal<String>,
    /// What will be affected, and how (or whether) it can be undone.
    #[prop(into)]
    details: Signal<String>,
    #[prop(into)] confirm_label: String,
    /// Reversible unless the page says otherwise.
    #[prop(default = Strength::Reversible)]
    strength: Strength,
    /// The action's task: while it runs, the buttons wait.
    #[prop(optional)]
    task: Option<Task>,
    /// Asks why, when the change waits for a second person's approval; required then.
    #[prop(optional)]
    reason: Option<Reason>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let open = expect_context::<OpenConfirmation>().0;
    let busy = move || task.is_some_and(|task| task.running());
    let me = (Math::random() * 9.0e15) as u64;
    let is_open = move || open.get() == Some(me);
    let typed = RwSignal::new(String::new());
    let required = match &strength {
        Strength::Reversible => None,
        Strength::Irreversible(name) => Some(name.clone()),
    };
    let ready = {
        let required = required.clone();
        move || {
            !busy()
                && required
                    .as_ref()
                    .is_none_or(|name| typed.with(|typed| typed == name))
                && reason.is_none_or(|reason| reason.ready())
        }
    };
    let close = move || {
        open.set(None);
        typed.set(String::new());
        focus_first(&format!("[data-confirm='{me}']"));
    };
    let submit = {
        let ready = ready.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            if ready() {
                open.set(None);
                typed.set(String::new());
                on_confirm.run(());
            }
        }
    };
    let title_id = format!("confirm-{me}-title");
    let details_id = format!("confirm-{me}-details");
    view! {
        <button
            id=id
            class=class
            data-confirm=me
            aria-haspopup="dialog"
            aria-expanded=move || is_open().to_string()
            disabled=busy
            on:click=move |_| {
                open.set(Some(me));
                // Focus moves into the question once it is drawn, so keyboard users answer it next.
                request_animation_frame(move || {
                    focus_first(&format!("#confirm-{me} .confirm-name, #confirm-{me} .confirm-yes"));
                });
            }
        >
            {label}
        </button>
        {move || is_open().then(|| view! {
            <form
                id=format!("confirm-{me}")
                class="confirm-dialog"
                role="alertdialog"
                aria-labelledby=title_id.clone()
                aria-describedby=details_id.clone()
                on:submit=submit.clone()
                on:keydown=move |event| {
                    if event.key() == "Escape" {
                        close();
                    }
                }
            >
                <p id=title_id.clone() class="question">{move || question.get()}</p>
                <p id=details_id.clone() class="details">{move || details.get()}</p>
                {move || reason.filter(Reason::held).map(|reason| view! {
                    <label>
                        <span>"Reason: a second person approves this before it runs"</span>
                        <textarea class="confirm-reason" rows="2" maxlength="500" bind:value=reason.text></textarea>
                    </label>
                })}
                {required.clone().map(|name| view! {
                    <label>
                        <span>"Type " <strong class="mono">{name}</strong> " to confirm"</span>
                        <input class="confirm-name" autocomplete="off" bind:value=typed />
                    </label>
                })}
                <div class="confirm-buttons">
                    <button type="submit" class="danger confirm-yes" disabled={
                        let ready = ready.clone();
                        move || !ready()
                    }>{confirm_label.clone()}</button>
                    <button type="button" class="secondary confirm-cancel" on:click=move |_| close()>"Cancel"</button>
                </div>
            </form>
        })}
    }
}

/// The actions on something destroyed: Recover (operators), and Eradicate (admins) once the
/// object's name is typed.
#[component]
pub fn RecycleActions(
    task: Task,
    recover: Callback<()>,
    question: String,
    name: String,
    /// The audited eradication, such as `Action::VolumeEradicate`.
    action: Action,
    eradicate: Callback<Option<String>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <td class="actions">
            <Show when=move || session.may(Action::RecycleBinRecover)>
                <button class="secondary recover" disabled=move || task.running() on:click=move |_| recover.run(())>"Recover"</button>
            </Show>
            <Show when=move || session.may(action)>
                <Eradicate question=question.clone() name=name.clone() task action on_confirm=eradicate />
            </Show>
        </td>
    }
}

/// Eradicate, once the object's name is typed: the same words wherever it is offered. When
/// `action` waits for a second person, it also asks why, and hands the reason on.
#[component]
pub fn Eradicate(
    question: String,
    name: String,
    task: Task,
    /// The audited action, such as `Action::VolumeEradicate`.
    action: Action,
    on_confirm: Callback<Option<String>>,
) -> impl IntoView {
    let reason = Reason::for_action(action);
    view! {
        <Confirm
            label="Eradicate…"
            class="danger eradicate"
            question
            details=ERADICATION_IMPACT
            confirm_label="Eradicate for good"
            strength=Strength::Irreversible(name)
            task
            reason
            on_confirm=Callback::new(move |()| on_confirm.run(reason.take()))
        />
    }
}
