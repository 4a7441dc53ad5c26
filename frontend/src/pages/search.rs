//! One search across the fleet: volumes, snapshots, hosts, host groups and protection groups
//! on every array in scope, by name part or by a filter in the arrays' own grammar; each
//! array says what it found or why it could not, and the hits are one table across arrays.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Action, ArraySearch, BatchOutcome, FleetDestroyRequest, FleetSnapshotRequest, FleetVolume,
    SearchHit, SearchKind,
};
use shared::listing::{Column, Value};
use shared::size::format_size;

use crate::api;
use crate::components::outcome::focus_first;
use crate::components::{
    Confirm, Field, ListTable, Loaded, Outcome, OutcomeLine, Row, Task, Timestamp, UrlState,
    live_resource, page_title,
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
    // Opened with nothing asked yet (the `/` key on a phone opens it so), the box takes the
    // focus once drawn.
    if state.text("q").trim().is_empty() {
        request_animation_frame(|| focus_first("#search-q"));
    }
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
                Some(found) => view! { <Results arrays=found.arrays chosen=chosen_volumes state /> }.into_any(),
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

const COLUMNS: &[Column] = &[
    Column::actions("Choose"),
    Column::data("array", "Array"),
    Column::data("kind", "Kind"),
    Column::data("name", "Name"),
    Column::data("size", "Size"),
    Column::data("holds", "Holds"),
    Column::data("created", "Created"),
    Column::data("state", "State"),
];

/// What each array found or why it could not, then every hit in one table across arrays.
#[component]
fn Results(
    arrays: Vec<ArraySearch>,
    chosen: RwSignal<Vec<FleetVolume>>,
    state: UrlState,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let statuses = arrays
        .iter()
        .map(|result| {
            let status = match &result.error {
                Some(error) => format!("could not search: {error}"),
                None if result.total > result.hits.len() as u64 => format!(
                    "{} found; the first {} are listed — narrow the search for the rest",
                    result.total,
                    result.hits.len()
                ),
                None => format!("{} found", result.total),
            };
            let class = if result.error.is_some() {
                "array-results error"
            } else {
                "array-results"
            };
            view! {
                <li class=class data-array=result.array.clone()>
                    <strong>{result.array.clone()}</strong> ": " {status}
                </li>
            }
        })
        .collect_view();
    let choosable: Vec<FleetVolume> = arrays
        .iter()
        .flat_map(|result| {
            result
                .hits
                .iter()
                .filter(|hit| hit.kind == SearchKind::Volume && !hit.destroyed)
                .map(|hit| FleetVolume {
                    array: result.array.clone(),
                    name: hit.name.clone(),
                })
        })
        .collect();
    let rows = arrays
        .into_iter()
        .flat_map(|result| {
            let array = result.array;
            result
                .hits
                .into_iter()
                .map(move |hit| hit_row(array.clone(), hit, chosen))
        })
        .collect();
    let count = choosable.len();
    let offer = count > 0 && session.may(Action::FleetSnapshot);
    let choose_all = move |_| chosen.set(choosable.clone());
    view! {
        <ul id="search-arrays">{statuses}</ul>
        {offer.then(|| view! {
            <button type="button" class="secondary" id="choose-all" on:click=choose_all>
                {format!("Choose all {count} volumes found")}
            </button>
        })}
        <ListTable
            id="search-results"
            columns=COLUMNS
            rows
            state
            file="flashdeck-search.csv"
            empty_id="search-empty"
            empty="Nothing on any array has that name."
        />
    }
}

fn hit_row(array: String, hit: SearchHit, chosen: RwSignal<Vec<FleetVolume>>) -> Row {
    let values = vec![
        Value::from(array.as_str()),
        Value::from(hit.kind.as_str()),
        Value::from(hit.name.as_str()),
        hit.size.map_or(Value::from(""), Value::from),
        hit.held.map_or(Value::from(""), Value::from),
        Value::Time(hit.created),
        Value::from(if hit.destroyed { "destroyed" } else { "" }),
    ];
    Row::new(values, move || {
        let kind = hit.kind;
        let href = kind.href(&array, &hit.name);
        // A snapshot's provisioned size is its volume's; what it holds is its own.
        let size = match (hit.held, hit.size) {
            (Some(_), Some(size)) => format!("of a {} volume", format_size(size)),
            (_, size) => size.map(format_size).unwrap_or_default(),
        };
        let held = hit.held.map(format_size);
        let choose = (kind == SearchKind::Volume && !hit.destroyed).then(|| {
            let volume = FleetVolume {
                array: array.clone(),
                name: hit.name.clone(),
            };
            view! { <ChooseVolume volume chosen /> }
        });
        let (name, created) = (hit.name.clone(), hit.created);
        view! {
            <tr data-array=array.clone() data-kind=kind.as_str() data-name=hit.name.clone()>
                <td class="pick">{choose}</td>
                <td class="array">{array.clone()}</td>
                <td class="kind">{kind.as_str()}</td>
                <td class="name"><A href=href>{name}</A></td>
                <td class="num size">{size}</td>
                <td class="num holds">{held}</td>
                <td class="created">{created.map(|created| view! { <Timestamp epoch_ms=created /> })}</td>
                <td class="state">{hit.destroyed.then_some("destroyed")}</td>
            </tr>
        }
        .into_any()
    })
}
