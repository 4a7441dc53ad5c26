//! The action pattern: one [`Task`] per button or form, which refuses a second start while the
//! first runs, and one [`OutcomeLine`] that says what is running, what it did, or why it
//! failed — with a Recover button when what it did was destroy something.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::RecycleAction;

use crate::api::{self, ApiResult, Failure};
use crate::components::live::Live;
use crate::session::Session;

/// A form field's name, as the API names it, and its message, if it has one.
pub type FieldError = (&'static str, RwSignal<Option<String>>);

/// The outcome of the last action of a form: running, done, or the reason it failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Idle,
    Running(String),
    Done(String),
    /// Done, and undoable until the array eradicates it: the line offers Recover.
    Destroyed(String, RecycleAction),
    Failed(String),
}

impl Outcome {
    pub fn is_running(&self) -> bool {
        matches!(self, Outcome::Running(_))
    }

    fn state(&self) -> &'static str {
        match self {
            Outcome::Idle => "idle",
            Outcome::Running(_) => "running",
            Outcome::Done(_) | Outcome::Destroyed(..) => "done",
            Outcome::Failed(_) => "failed",
        }
    }
}

/// One action's lifecycle. [`Task::start`] is synchronous up to the spawn, so a double click
/// (or a second Enter) finds the task running and starts nothing.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    pub outcome: RwSignal<Outcome>,
    session: Session,
    live: Live,
    refresh: bool,
}

impl Task {
    pub fn new() -> Self {
        Self::over(RwSignal::new(Outcome::Idle))
    }

    /// A task whose outcome lives elsewhere: a line above a list that outlasts its rows.
    pub fn over(outcome: RwSignal<Outcome>) -> Self {
        Self {
            outcome,
            session: expect_context::<Session>(),
            live: expect_context::<Live>(),
            refresh: false,
        }
    }

    /// Reactive: for `disabled=` and progress labels.
    pub fn running(&self) -> bool {
        self.outcome.with(Outcome::is_running)
    }

    /// Runs `work` unless this task is already running; its result becomes the outcome.
    pub fn start<F>(&self, running: impl Into<String>, work: F)
    where
        F: Future<Output = Outcome> + 'static,
    {
        run_boxed(self.outcome, running.into(), Box::pin(work));
    }

    /// A form's submit handler: the browser does not send the form itself, and `submit` runs
    /// only while this task is not already running.
    pub fn on_submit(
        &self,
        submit: impl Fn() + Clone + 'static,
    ) -> impl Fn(leptos::ev::SubmitEvent) + Clone + 'static {
        let outcome = self.outcome;
        move |event| {
            event.prevent_default();
            if !outcome.with_untracked(Outcome::is_running) {
                submit();
            }
        }
    }

    /// The same task, but each call that succeeds then fetches everything on screen again:
    /// for calls that change something.
    pub fn refreshing(self) -> Self {
        Self {
            refresh: true,
            ..self
        }
    }

    /// Runs one API call unless this task is already running: `done` makes the outcome of its
    /// answer, and a failure goes through [`failure_outcome`] to the field of `fields` it
    /// names, or to the line.
    pub fn call<T, F, D>(&self, running: impl Into<String>, fields: &[FieldError], call: F, done: D)
    where
        T: 'static,
        F: Future<Output = ApiResult<T>> + 'static,
        D: FnOnce(T) -> Outcome + 'static,
    {
        self.settle(
            running.into(),
            fields,
            Box::pin(async move { call.await.map(done) }),
        );
    }

    /// What every [`Task::call`] does once its answer is an outcome, so the bundle holds it
    /// once.
    fn settle(
        &self,
        running: String,
        fields: &[FieldError],
        answer: Pin<Box<dyn Future<Output = ApiResult<Outcome>>>>,
    ) {
        let (session, live, refresh) = (self.session, self.live, self.refresh);
        let fields = fields.to_vec();
        self.start(running, async move {
            match answer.await {
                Ok(outcome) => {
                    if refresh {
                        live.changed();
                    }
                    outcome
                }
                Err(failure) => failure_outcome(session, &failure, &fields),
            }
        });
    }
}

/// What every [`Task::start`] does, whatever its work, so the bundle holds it once.
fn run_boxed(
    outcome: RwSignal<Outcome>,
    running: String,
    work: Pin<Box<dyn Future<Output = Outcome>>>,
) {
    if outcome.with_untracked(Outcome::is_running) {
        return;
    }
    outcome.set(Outcome::Running(running));
    spawn_local(async move {
        let result = work.await;
        outcome.set(result);
    });
}

impl Default for Task {
    fn default() -> Self {
        Self::new()
    }
}

/// A form's submit button, disabled and marked busy while its action runs.
#[component]
pub fn SubmitButton(
    id: &'static str,
    label: &'static str,
    outcome: RwSignal<Outcome>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let running = move || outcome.with(Outcome::is_running);
    view! {
        <button id=id class=class type="submit" disabled=running aria-busy=move || running().to_string()>
            {label}
        </button>
    }
}

/// A persistent live region, so screen readers announce each new outcome; when an action ends
/// the focus moves to what it said, or to the field its message went to, so a keyboard user
/// lands on the result.
#[component]
pub fn OutcomeLine(#[prop(into)] id: String, outcome: RwSignal<Outcome>) -> impl IntoView {
    let selector = format!("#{id}");
    Effect::new(move |previous: Option<bool>| {
        let running = outcome.with(Outcome::is_running);
        if previous == Some(true) && !running {
            let to_field = outcome.with_untracked(|outcome| *outcome == Outcome::Idle);
            // After the page has drawn the outcome, or marked the field invalid.
            let selector = selector.clone();
            request_animation_frame(move || {
                if to_field {
                    focus_first_invalid_field();
                } else {
                    focus_first(&selector);
                }
            });
        }
        running
    });
    view! {
        <div
            id=id
            tabindex="-1"
            class=move || format!("outcome {}", outcome.with(Outcome::state))
            data-state=move || outcome.with(Outcome::state)
            role="status"
            aria-live=move || if matches!(outcome.get(), Outcome::Failed(_)) { "assertive" } else { "polite" }
        >
            {move || match outcome.get() {
                Outcome::Idle => ().into_any(),
                Outcome::Running(text) | Outcome::Done(text) | Outcome::Failed(text) => {
                    text.into_any()
                }
                Outcome::Destroyed(text, action) => {
                    view! { {text} " " <RecoverButton action /> }.into_any()
                }
            }}
        </div>
    }
}

/// Focuses the first element on the page that `selector` matches. Elements are found by
/// selector rather than held in `NodeRef`s, each kind of which adds its own code to the bundle.
pub fn focus_first(selector: &str) {
    use wasm_bindgen::JsCast;
    if let Ok(Some(element)) = document().query_selector(selector)
        && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = element.focus();
    }
}

/// Focuses the first field on the page marked `aria-invalid`.
pub fn focus_first_invalid_field() {
    focus_first("[aria-invalid='true']");
}

/// Recovers what an action destroyed, and refreshes what the page shows.
async fn recovery(session: Session, live: Live, action: RecycleAction) -> Outcome {
    match api::recover(&action).await {
        Ok(()) => {
            live.changed();
            Outcome::Done(format!("Recovered {} on {}.", action.name, action.array))
        }
        Err(failure) => failure_outcome(session, &failure, &[]),
    }
}

/// Recover, beside one item of a list of results; it then says how that went, and the focus
/// moves from the button to what it says.
#[component]
pub fn RecoverButton(action: RecycleAction) -> impl IntoView {
    let live = expect_context::<Live>();
    let session = expect_context::<Session>();
    let task = Task::new();
    let allowed = session.allows(shared::api::Role::Operator);
    let name = action.name.clone();
    let key = (web_sys::js_sys::Math::random() * 9.0e15) as u64;
    view! {
        {move || match task.outcome.get() {
            Outcome::Idle if allowed => {
                let action = action.clone();
                view! {
                    <button class="secondary small recover-now" aria-label=format!("Recover {name}") on:click=move |_| {
                        let recovered = recovery(session, live, action.clone());
                        task.start(format!("Recovering {}…", action.name), async move {
                            let outcome = recovered.await;
                            request_animation_frame(move || {
                                focus_first(&format!("[data-recovered='{key}']"));
                            });
                            outcome
                        });
                    }>"Recover"</button>
                }
                .into_any()
            }
            Outcome::Idle => ().into_any(),
            Outcome::Failed(text) => {
                view! { <span class="error" tabindex="-1" data-recovered=key>{text}</span> }.into_any()
            }
            Outcome::Running(text) | Outcome::Done(text) | Outcome::Destroyed(text, _) => {
                view! { <span class="recovered" tabindex="-1" data-recovered=key>{text}</span> }.into_any()
            }
        }}
    }
}

/// The outcome a failure leaves: the form's line stays quiet when a field shows the message.
pub fn failure_outcome(
    session: Session,
    failure: &Failure,
    fields: &[(&str, RwSignal<Option<String>>)],
) -> Outcome {
    session.notice(failure);
    let field = failure.error.field.as_deref();
    match fields.iter().find(|(name, _)| Some(*name) == field) {
        Some((_, signal)) => {
            signal.set(Some(failure.error.message.clone()));
            Outcome::Idle
        }
        None => Outcome::Failed(failure.error.message.clone()),
    }
}
