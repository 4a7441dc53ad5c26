//! The boundary around what a page fetches: while the first answer is on its way it says so,
//! a refresh keeps the last answer on screen until the next one is in, a failure shows its
//! message where the data would be, and a lapsed session sends the user back to sign in.

use leptos::prelude::*;

use crate::api::{ApiResult, Failure};
use crate::components::live::Answer;
use crate::session::Session;

/// Draws `children` with each answer of `resource`; pages say only what to draw with it.
#[component]
pub fn Loaded<T, F, V>(
    resource: Answer<ApiResult<T>>,
    /// What shows until the first answer; empty, nothing.
    #[prop(default = "Loading…")]
    loading: &'static str,
    /// The failure paragraph's id, where a test or a link looks for it.
    #[prop(optional)]
    error_id: Option<&'static str>,
    /// Set while a newer answer is on its way, for a marker over the rows it replaces.
    #[prop(optional)]
    pending: Option<RwSignal<bool>>,
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + 'static,
    V: IntoView + 'static,
{
    let session = expect_context::<Session>();
    let draw = move || {
        resource.get().map(|answer| match answer {
            Ok(data) => children(data).into_any(),
            Err(failure) => failed(session, &failure, error_id),
        })
    };
    boundary(loading, pending, Box::new(draw))
}

/// The part of every [`Loaded`] that does not depend on what it draws, so the bundle holds it
/// once.
fn boundary(
    loading: &'static str,
    pending: Option<RwSignal<bool>>,
    draw: Box<dyn Fn() -> Option<AnyView> + Send>,
) -> AnyView {
    let pending = pending.unwrap_or_else(|| RwSignal::new(false));
    view! {
        <Transition
            fallback=move || (!loading.is_empty()).then(|| view! { <p class="muted">{loading}</p> })
            set_pending=pending.write_only()
        >
            {draw}
        </Transition>
    }
    .into_any()
}

fn failed(session: Session, failure: &Failure, id: Option<&'static str>) -> AnyView {
    session.notice(failure);
    let message = failure.error.message.clone();
    view! { <p class="error" role="alert" id=id>{message}</p> }.into_any()
}
