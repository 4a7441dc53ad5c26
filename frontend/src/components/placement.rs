//! "Suggest an array": for the size being created, the arrays in the user's scope ranked by
//! room after placing it, load and runway, each with its reasons; picking one opens its
//! volumes page with the form filled in. Arrays only Pure1 sees are ranked after the
//! portal's own and cannot be picked.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{LoadSource, Placement, PlacementCandidate};
use shared::size::format_size;

use crate::api;
use crate::components::outcome::{Outcome, OutcomeLine};
use crate::session::Session;

/// The link that takes the form to `array`, keeping what was typed.
fn pick_href(array: &str, name: &str, size: &str) -> String {
    let encode = |text: &str| String::from(web_sys::js_sys::encode_uri_component(text));
    format!(
        "/arrays/{}/volumes?new_name={}&new_size={}",
        encode(array),
        encode(name),
        encode(size)
    )
}

/// The button and, once asked, the ranked arrays for a volume of `size` named `name`.
#[component]
pub fn SuggestArray(name: RwSignal<String>, size: RwSignal<String>) -> impl IntoView {
    let session = expect_context::<Session>();
    let advice = RwSignal::new(None::<Placement>);
    let outcome = RwSignal::new(Outcome::Idle);
    let ask = move |_| {
        let typed = size.get_untracked();
        if typed.trim().is_empty() {
            outcome.set(Outcome::Failed(
                "Enter a size first: the advice depends on it.".to_owned(),
            ));
            return;
        }
        outcome.set(Outcome::Running("Asking every array…".to_owned()));
        leptos::task::spawn_local(async move {
            match api::placement(typed.trim()).await {
                Ok(placement) => {
                    outcome.set(Outcome::Idle);
                    advice.set(Some(placement));
                }
                Err(failure) => {
                    session.notice(&failure);
                    outcome.set(Outcome::Failed(failure.error.message));
                }
            }
        });
    };
    view! {
        <button class="secondary" id="suggest-array" type="button" on:click=ask>"Suggest an array"</button>
        <OutcomeLine id="placement-outcome" outcome />
        {move || advice.get().map(|placement| view! { <Advice placement name size /> })}
    }
}

#[component]
fn Advice(placement: Placement, name: RwSignal<String>, size: RwSignal<String>) -> impl IntoView {
    let heading = format!("Where {} fits best", format_size(placement.size));
    let rows = placement
        .candidates
        .into_iter()
        .enumerate()
        .map(|(rank, candidate)| view! { <Candidate rank candidate name size /> })
        .collect_view();
    view! {
        <section class="placement" id="placement" aria-label="Placement advice">
            <h3>{heading}</h3>
            <ol class="candidates">{rows}</ol>
        </section>
    }
}

#[component]
fn Candidate(
    rank: usize,
    candidate: PlacementCandidate,
    name: RwSignal<String>,
    size: RwSignal<String>,
) -> impl IntoView {
    let array = candidate.array.clone();
    let title = candidate.array.clone();
    let pick = (candidate.eligible && candidate.managed).then(|| {
        let array = candidate.array.clone();
        let href = move || pick_href(&array, &name.get(), &size.get());
        let label = if rank == 0 { "Create it here" } else { "Pick" };
        view! { <A href=href attr:class="button pick">{label}</A> }
    });
    let source = match candidate.load_source {
        Some(LoadSource::Pure1) => " (Pure1)",
        Some(LoadSource::Array) => " (array)",
        None => "",
    };
    let reasons = candidate
        .reasons
        .into_iter()
        .map(|reason| view! { <li>{reason}</li> })
        .collect_view();
    view! {
        <li
            class="candidate"
            data-array=array
            data-eligible=candidate.eligible.to_string()
            data-managed=candidate.managed.to_string()
        >
            <strong>{title}</strong>
            {(!candidate.managed).then(|| view! { " " <span class="pill info seen-by-pure1">"seen by Pure1 only"</span> })}
            <span class="muted small">
                {candidate.used_after.map(|share| format!(" {:.0} % full after", share * 100.0))}
                {candidate.load_p95.map(|load| format!(" · load p95 {:.0} %{source}", load * 100.0))}
            </span>
            " " {pick}
            <ul class="reasons">{reasons}</ul>
        </li>
    }
}
