//! Live data: one clock for the whole app, which refreshes what pages show every
//! [`REFRESH_EVERY_MS`] (unless paused, or while a form is being edited), on demand, and after
//! any action; and which makes countdowns and "3 min ago" tick.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use web_sys::js_sys::Date;

const REFRESH_EVERY_MS: f64 = 30_000.0;

#[derive(Debug, Clone, Copy)]
pub struct Live {
    generation: RwSignal<u64>,
    updated_ms: RwSignal<f64>,
    now_ms: RwSignal<f64>,
    paused: RwSignal<bool>,
    editing: RwSignal<bool>,
    /// True while something the user is in the middle of (a confirmation) would be redrawn away.
    hold: Signal<bool>,
}

impl Live {
    /// Starts the clock and puts it in context; call once, inside the router. The timer waits
    /// while `hold` is true.
    pub fn provide(hold: Signal<bool>) -> Self {
        let now = Date::now();
        let live = Self {
            generation: RwSignal::new(0),
            updated_ms: RwSignal::new(now),
            now_ms: RwSignal::new(now),
            paused: RwSignal::new(false),
            editing: RwSignal::new(false),
            hold,
        };
        set_interval(move || live.tick(), Duration::from_secs(1));
        // Typing into a form holds the timer back, so a refresh never rebuilds a form mid-edit;
        // sending it or leaving the page lets the timer go again.
        let editing = live.editing;
        let input = window_event_listener(leptos::ev::input, move |event| {
            if in_form(&event) {
                editing.set(true);
            }
        });
        let submit = window_event_listener(leptos::ev::submit, move |_| editing.set(false));
        let location = use_location();
        Effect::new(move |_| {
            location.pathname.track();
            editing.set(false);
        });
        on_cleanup(move || {
            input.remove();
            submit.remove();
        });
        provide_context(live);
        live
    }

    fn tick(&self) {
        let now = Date::now();
        self.now_ms.set(now);
        let due = now - self.updated_ms.get_untracked() >= REFRESH_EVERY_MS;
        let waiting = self.paused.get_untracked()
            || self.editing.get_untracked()
            || self.hold.get_untracked();
        if due && !waiting {
            self.changed();
        }
    }

    /// Makes every resource that called [`Live::track`] fetch again.
    pub fn changed(&self) {
        self.updated_ms.set(Date::now());
        self.generation.update(|generation| *generation += 1);
    }

    /// Called inside a resource's fetcher, so that it fetches again on every refresh.
    pub fn track(&self) {
        self.generation.track();
    }

    /// Now, as of the last second's tick: reactive, for countdowns and relative times.
    pub fn now_ms(&self) -> f64 {
        self.now_ms.get()
    }
}

/// What a fetch answers, kept without its type so that every resource in the app is the same
/// resource to the compiler: leptos's machinery for one is then in the bundle once rather than
/// once per kind of answer.
type Erased = Rc<dyn Any>;
type ErasedFetch = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Erased>>>>;

/// A resource of `T`: a [`LocalResource`] of what it answers, typed again when read.
pub struct Answer<T> {
    inner: LocalResource<Erased>,
    answers: PhantomData<fn() -> T>,
}

impl<T> Clone for Answer<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Answer<T> {}

impl<T: Clone + 'static> Answer<T> {
    /// The latest answer, `None` until the first; read inside a loading boundary, it holds
    /// the boundary until then.
    pub fn get(&self) -> Option<T> {
        self.inner.get().map(|answer| typed::<T>(&answer))
    }

    /// Reads the latest answer in place, `None` until the first.
    pub fn with<R>(&self, read: impl FnOnce(Option<&T>) -> R) -> R {
        self.inner.with(|answer| {
            read(
                answer
                    .as_ref()
                    .and_then(|answer| answer.downcast_ref::<T>()),
            )
        })
    }
}

fn typed<T: Clone + 'static>(answer: &Erased) -> T {
    answer
        .downcast_ref::<T>()
        .expect("a resource answers the type it was made for")
        .clone()
}

/// The one place a resource is made.
fn erased_resource(fetch: ErasedFetch) -> LocalResource<Erased> {
    LocalResource::new(fetch)
}

impl<T: 'static> Answer<T> {
    /// A resource that fetches with `fetch` now and whenever what `fetch` reads changes.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = T> + 'static,
    {
        let fetch: ErasedFetch = Box::new(move || {
            let answer = fetch();
            Box::pin(async move { Rc::new(answer.await) as Erased })
        });
        Self {
            inner: erased_resource(fetch),
            answers: PhantomData,
        }
    }
}

/// A resource that fetches with `fetch` now and again on every refresh: what every page shows
/// comes from one of these.
pub fn live_resource<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> Answer<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let live = expect_context::<Live>();
    Answer::new(move || {
        live.track();
        fetch()
    })
}

/// What `fetch` answers, once, as a signal (`None` until it has answered) that a page may read
/// inside its loading boundary without being held back: a slow answer delays only what shows
/// it.
pub fn answer_signal<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> ReadSignal<Option<T>>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Option<T>> + 'static,
{
    let answer = RwSignal::new(None);
    let asked = LocalResource::new(fetch);
    Effect::new(move |_| {
        if let Some(value) = asked.get() {
            answer.set(value);
        }
    });
    answer.read_only()
}

/// A live resource of one object on an array, named by the page's address: `fetch` takes
/// the array's name and the object's.
pub fn object_resource<T, Fut>(
    array: Memo<String>,
    name: Memo<String>,
    fetch: impl Fn(String, String) -> Fut + 'static,
) -> Answer<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    live_resource(move || fetch(array.get(), name.get()))
}

/// What `fetch` answers about the array the page is about, fetched again when the array or
/// the data changes.
pub fn array_resource<T, Fut>(
    array: Memo<String>,
    fetch: impl Fn(String) -> Fut + 'static,
) -> Answer<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    live_resource(move || fetch(array.get()))
}

/// The registered arrays the user may use, fetched again on every refresh. One function for
/// every page that lists them, so the bundle holds one copy of the resource's code.
pub fn arrays_resource() -> Answer<crate::api::ApiResult<Vec<shared::api::ArraySummary>>> {
    live_resource(crate::api::arrays)
}

/// The names of the registered arrays other than `here`: what a change between two arrays
/// offers to pick.
pub fn other_arrays(here: Memo<String>) -> Signal<Vec<String>> {
    let arrays = arrays_resource();
    Signal::derive(move || {
        let here = here.get();
        arrays
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|summary| summary.name)
            .filter(|name| *name != here)
            .collect()
    })
}

fn in_form(event: &web_sys::Event) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|element| element.closest("form").ok().flatten())
        .is_some()
}

/// "Updated 12 s ago", Refresh, and Pause: on every page, in the header.
#[component]
pub fn LiveBar() -> impl IntoView {
    let live = expect_context::<Live>();
    let ago = move || {
        let seconds = ((live.now_ms() - live.updated_ms.get()) / 1000.0).max(0.0) as u64;
        format!("Updated {} ago", shared::time::describe_seconds(seconds))
    };
    let state = move || {
        if live.paused.get() {
            "Auto-refresh paused"
        } else if live.editing.get() || live.hold.get() {
            "Auto-refresh waits while you edit or answer a question"
        } else {
            "Refreshes every 30 s"
        }
    };
    view! {
        <div class="live" id="live">
            <span id="updated-ago" class="muted" title=state>{ago}</span>
            <button class="secondary small" id="refresh" on:click=move |_| {
                live.editing.set(false);
                live.changed();
            }>"Refresh"</button>
            <label class="check small">
                <input
                    type="checkbox"
                    id="pause-refresh"
                    prop:checked=move || live.paused.get()
                    on:change=move |event| live.paused.set(event_target_checked(&event))
                />
                "Pause"
            </label>
        </div>
    }
}
