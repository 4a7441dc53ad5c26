//! Everything destroyed on every array, soonest eradicated first: recover, or (admins)
//! eradicate for good.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{RecycleAction, RecycledItem, Role};

use crate::api;
use crate::app::Session;
use crate::components::{Outcome, OutcomeLine, show_failure};
use crate::pages::volumes::format_remaining;

#[component]
pub fn RecycleBinPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let bin = LocalResource::new(api::recycle_bin);
    let outcome = RwSignal::new(Outcome::Idle);
    view! {
        <h1>"Recycle bin"</h1>
        <p class="muted">"Destroyed objects on every array. Each array eradicates them when their time runs out."</p>
        <OutcomeLine id="recycle-outcome" outcome />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                bin.get().map(|result| match result {
                    Ok(contents) => {
                        let errors = contents
                            .errors
                            .into_iter()
                            .map(|error| view! { <p class="error" role="alert">{error}</p> })
                            .collect_view();
                        let rows = contents
                            .items
                            .into_iter()
                            .map(|item| view! { <RecycledRow item outcome on_done=move || bin.refetch() /> })
                            .collect_view();
                        view! {
                            {errors}
                            <table id="recycle-bin">
                                <thead><tr><th>"Array"</th><th>"Kind"</th><th>"Name"</th><th>"Eradicated in"</th><th></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                        .into_any()
                    }
                    Err(failure) => {
                        session.notice(&failure);
                        view! { <p class="error" role="alert">{failure.error.message}</p> }.into_any()
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn RecycledRow(
    item: RecycledItem,
    outcome: RwSignal<Outcome>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let confirming = RwSignal::new(false);
    let action = RecycleAction {
        array: item.array.clone(),
        kind: item.kind,
        name: item.name.clone(),
    };
    let run = move |action: RecycleAction, recover: bool| {
        let (doing, done) = if recover {
            ("Recovering", "Recovered")
        } else {
            ("Eradicating", "Eradicated")
        };
        outcome.set(Outcome::Running(format!("{doing} {}…", action.name)));
        spawn_local(async move {
            let result = if recover {
                api::recover(&action).await
            } else {
                api::eradicate(&action).await
            };
            match result {
                Ok(()) => {
                    outcome.set(Outcome::Done(format!(
                        "{done} {} on {}.",
                        action.name, action.array
                    )));
                    on_done();
                }
                Err(failure) => show_failure(session, &failure, &[], outcome),
            }
        });
    };
    let key = format!("{}/{}", item.array, item.name);
    let recover = {
        let action = action.clone();
        move |_| run(action.clone(), true)
    };
    let eradicate = move |_| {
        if confirming.get_untracked() {
            run(action.clone(), false);
        } else {
            confirming.set(true);
        }
    };
    view! {
        <tr data-item=key data-kind=item.kind.label()>
            <td class="array">{item.array.clone()}</td>
            <td class="kind">{item.kind.label()}</td>
            <td class="name">{item.name.clone()}</td>
            <td class="remaining">{format_remaining(item.time_remaining)}</td>
            <td class="actions">
                <Show when=move || session.allows(Role::Operator)>
                    <button class="secondary recover" on:click=recover.clone()>"Recover"</button>
                </Show>
                <Show when=move || session.allows(Role::Admin)>
                    <button class="danger eradicate" on:click=eradicate.clone()>
                        {move || if confirming.get() { "Eradicate for good" } else { "Eradicate…" }}
                    </button>
                </Show>
            </td>
        </tr>
    }
}
