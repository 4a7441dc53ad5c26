//! One search across the fleet: volumes, snapshots, hosts, host groups and protection groups
//! on every array in scope, by name part or by a filter in the arrays' own grammar; results
//! grouped by array and kind, each array saying what it found or why it could not.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Action, ArraySearch, BatchOutcome, FleetDestroyRequest, FleetSnapshotRequest, FleetVolume,
    SearchKind,
};
use shared::size::format_size;

use crate::api;
use crate::components::{
    Confirm, Field, Loaded, Outcome, OutcomeLine, Task, UrlState, live_resource, page_title,
};
use crate::session::Session;

#[component]
pub fn SearchPage() -> impl IntoView {
    page_title("Search");
    let session = expect_context::<Session>();
    let state = UrlState::new("");
    let typed = RwSignal::new(state.text("q"));
    let chosen_volumes = RwSignal::new(Vec::<FleetVolume>::new());
    Effect::new(move |_| typed.set(state.text("q")));
    let results = live_resource(move || {
        let (q, kinds) = (state.text("q"), state.text("kinds"));
        async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                api::fleet_search(&q, &kinds).await.map(Some)
            }
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        state.set(
            &[("q", Some(typed.get_untracked().trim().to_owned()))],
            false,
        );
    };
    let chosen = move |kind: SearchKind| {
        let kinds = state.text("kinds");
        kinds.is_empty() || kinds.split(',').any(|k| k == kind.as_str())
    };
    let toggle = move |kind: SearchKind, on: bool| {
        let mut kinds: Vec<&str> = SearchKind::ALL
            .iter()
            .filter(|k| if **k == kind { on } else { chosen(**k) })
            .map(|k| k.as_str())
            .collect();
        if kinds.len() == SearchKind::ALL.len() {
            kinds.clear();
        }
        state.set(&[("kinds", Some(kinds.join(",")))], false);
    };
    let kind_boxes = SearchKind::ALL
        .into_iter()
        .map(|kind| {
            view! {
                <label class="check">
                    <input
                        type="checkbox"
                        id=format!("search-kind-{}", kind.as_str())
                        prop:checked=move || chosen(kind)
                        on:change=move |event| toggle(kind, event_target_checked(&event))
                    />
                    {kind.label()}
                </label>
            }
        })
        .collect_view();
    view! {
        <h1>"Search the fleet"</h1>
        <form class="inline" role="search" on:submit=submit>
            <label>
                <span>"Name part, or an array filter such as name='sql-*'"</span>
                <input id="search-q" type="search" prop:value=move || typed.get()
                    on:input=move |event| typed.set(event_target_value(&event)) />
            </label>
            <button type="submit" id="search-run">"Search"</button>
        </form>
        <div class="toolbar" role="group" aria-label="Kinds">{kind_boxes}</div>
        <Show when=move || session.may(Action::FleetSnapshot)>
            <BatchActions chosen=chosen_volumes />
        </Show>
        <Loaded resource=results loading="Asking the arrays…" error_id="search-error" let:found>
            {match found {
                None => view! { <p class="muted" id="search-hint">"Type part of a name to look for it on every array."</p> }.into_any(),
                Some(found) => found
                    .arrays
                    .into_iter()
                    .map(|result| view! { <ArrayResults result chosen=chosen_volumes /> })
                    .collect_view()
                    .into_any(),
            }}
        </Loaded>
    }
}

/// A volume hit's checkbox, for fleet-wide actions.
#[component]
fn ChooseVolume(volume: FleetVolume, chosen: RwSignal<Vec<FleetVolume>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let label = format!("Choose {} on {}", volume.name, volume.array);
    let id = format!("choose-{}-{}", volume.array, volume.name);
    let this = volume.clone();
    let checked = move || chosen.with(|chosen| chosen.contains(&this));
    let toggle = move |event: leptos::ev::Event| {
        let on = event_target_checked(&event);
        let volume = volume.clone();
        chosen.update(|chosen| {
            chosen.retain(|other| *other != volume);
            if on {
                chosen.push(volume);
            }
        });
    };
    view! {
        <Show when=move || session.may(Action::FleetSnapshot)>
            <input type="checkbox" class="choose" id=id.clone() aria-label=label.clone()
                prop:checked=checked.clone() on:change=toggle.clone() />
        </Show>
    }
}

/// Snapshot or destroy the chosen volumes across arrays; each one's outcome listed.
#[component]
fn BatchActions(chosen: RwSignal<Vec<FleetVolume>>) -> impl IntoView {
    let suffix = RwSignal::new(String::new());
    let suffix_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let done = RwSignal::new(None::<BatchOutcome>);
    let describe = |verb: &str, outcome: &BatchOutcome| {
        let failed = outcome.items.iter().filter(|item| !item.ok).count();
        let arrays: std::collections::BTreeSet<&str> = outcome
            .items
            .iter()
            .map(|item| item.array.as_str())
            .collect();
        format!(
            "{verb} {} of {} volumes on {} arrays (batch {}).",
            outcome.items.len() - failed,
            outcome.items.len(),
            arrays.len(),
            outcome.batch
        )
    };
    let snapshot = task.on_submit(move || {
        suffix_error.set(None);
        let volumes = chosen.get_untracked();
        let text = suffix.get_untracked().trim().to_owned();
        let request = FleetSnapshotRequest {
            volumes,
            suffix: (!text.is_empty()).then_some(text),
        };
        task.refreshing().call(
            "Taking snapshots…",
            &[("suffix", suffix_error)],
            async move { api::fleet_snapshot(&request).await },
            move |outcome| {
                let line = describe("Snapshotted", &outcome);
                done.set(Some(outcome));
                Outcome::Done(line)
            },
        );
    });
    let destroy = Callback::new(move |()| {
        let request = FleetDestroyRequest {
            volumes: chosen.get_untracked(),
        };
        task.refreshing().call(
            "Destroying…",
            &[],
            async move { api::fleet_destroy(&request).await },
            move |outcome| {
                let line = describe("Destroyed", &outcome);
                done.set(Some(outcome));
                chosen.set(Vec::new());
                Outcome::Done(format!(
                    "{line} They wait in the recycle bin until eradicated."
                ))
            },
        );
    });
    let count = move || chosen.with(Vec::len);
    let question = Signal::derive(move || format!("Destroy {} chosen volumes?", count()));
    let details = Signal::derive(move || {
        let names: Vec<String> = chosen.with(|chosen| {
            chosen
                .iter()
                .map(|volume| format!("{} on {}", volume.name, volume.array))
                .collect()
        });
        format!(
            "{}. Each can be recovered from the recycle bin until its array eradicates it.",
            names.join(", ")
        )
    });
    let items = move || {
        done.get().map(|outcome| {
            outcome
                .items
                .into_iter()
                .map(|item| {
                    let class = if item.ok { "success" } else { "error" };
                    let (array, volume) = (item.array.clone(), item.volume.clone());
                    view! {
                        <li class=class data-array=array data-volume=volume>
                            {item.volume} " on " {item.array} ": " {item.detail}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card batch" aria-label="Act on chosen volumes">
            <form class="inline" on:submit=snapshot>
                <p id="chosen-count">{move || format!("{} volumes chosen", count())}</p>
                <Field id="batch-suffix" label="Snapshot suffix (optional)" placeholder="before-upgrade" value=suffix error=suffix_error />
                <button type="submit" id="batch-snapshot" disabled=move || count() == 0 || task.running()>
                    "Snapshot chosen"
                </button>
                <Confirm
                    label="Destroy chosen…"
                    id="batch-destroy"
                    question
                    details
                    confirm_label="Destroy volumes"
                    task
                    on_confirm=destroy
                />
            </form>
            <OutcomeLine id="batch-outcome" outcome=task.outcome />
            <ul id="batch-items">{items}</ul>
        </section>
    }
}

#[component]
fn ArrayResults(result: ArraySearch, chosen: RwSignal<Vec<FleetVolume>>) -> impl IntoView {
    let array = result.array.clone();
    let status = match &result.error {
        Some(error) => view! { <span class="error">"Could not search: " {error.clone()}</span> }.into_any(),
        None if result.total > result.hits.len() as u64 => view! {
            <span class="muted">{result.total} " found; the first " {result.hits.len()} " are listed — narrow the search for the rest"</span>
        }
        .into_any(),
        None => view! { <span class="muted">{result.total} " found"</span> }.into_any(),
    };
    let groups = SearchKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let hits: Vec<_> = result
                .hits
                .iter()
                .filter(|hit| hit.kind == kind)
                .cloned()
                .collect();
            (!hits.is_empty()).then(|| {
                let items = hits
                    .into_iter()
                    .map(|hit| {
                        let href = kind.href(&array, &hit.name);
                        // A snapshot's provisioned size is its volume's; what it holds is its own.
                        let size = match (hit.held, hit.size) {
                            (Some(held), Some(size)) => Some(format!(
                                " · holds {} (of a {} volume)",
                                format_size(held),
                                format_size(size)
                            )),
                            (_, size) => size.map(|size| format!(" · {}", format_size(size))),
                        };
                        let destroyed = hit.destroyed.then_some(" · destroyed");
                        let name = hit.name.clone();
                        let choose = (kind == SearchKind::Volume && !hit.destroyed).then(|| {
                            let volume = FleetVolume {
                                array: array.clone(),
                                name: hit.name.clone(),
                            };
                            view! { <ChooseVolume volume chosen /> }
                        });
                        view! {
                            <li data-kind=kind.as_str() data-name=name>
                                {choose}
                                <A href=href>{hit.name}</A>
                                <span class="muted">{size}{destroyed}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! { <h3>{kind.label()}</h3><ul class="hits">{items}</ul> }
            })
        })
        .collect_view();
    view! {
        <section class="array-results card" data-array=array.clone()>
            <h2>{array.clone()} " " {status}</h2>
            {groups}
        </section>
    }
}
