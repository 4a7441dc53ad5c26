//! One array's volumes: a searchable, sortable, paged table; creating one or many; bulk
//! actions on a selection; and the destroyed volumes waiting for eradication.

use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::{
    ConnectionRequest, CreateVolumeRequest, Role, SnapshotRequest, VolumeChange, VolumeList,
    VolumeListQuery, validate_create_volume,
};
use shared::flasharray::{Volume, VolumePatch};
use shared::size::{format_size, parse_volume_size};
use shared::time::format_timestamp_ms;

use crate::api::{self, ApiResult};
use crate::app::Session;
use crate::components::{ArrayTabs, Field, Outcome, OutcomeLine, show_failure};

/// Volumes per page: the array does the paging, so any array size stays responsive.
const PAGE_SIZE: u32 = 50;

/// What the table shows: which page, found and ordered how.
#[derive(Debug, Clone, Copy)]
struct ListState {
    search: RwSignal<String>,
    sort: RwSignal<String>,
    offset: RwSignal<u32>,
    destroyed: RwSignal<bool>,
}

impl ListState {
    fn query(&self) -> VolumeListQuery {
        let search = self.search.get();
        VolumeListQuery {
            limit: Some(PAGE_SIZE),
            offset: Some(self.offset.get()),
            sort: Some(self.sort.get()),
            search: (!search.trim().is_empty()).then_some(search),
            destroyed: self.destroyed.get(),
        }
    }
}

#[component]
pub fn Volumes() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let array = Memo::new(move |_| params.read().get("array").unwrap_or_default());
    let state = ListState {
        search: RwSignal::new(String::new()),
        sort: RwSignal::new("name".to_owned()),
        offset: RwSignal::new(0),
        destroyed: RwSignal::new(false),
    };
    let selected = RwSignal::new(BTreeSet::<String>::new());
    // Lives above the table, so the message outlasts the refresh that follows the action.
    let destroyed_outcome = RwSignal::new(Outcome::Idle);
    let volumes = LocalResource::new(move || {
        let name = array.get();
        let query = state.query();
        async move { api::volumes(&name, &query).await }
    });
    Effect::new(move |_| {
        array.track();
        state.destroyed.track();
        selected.set(BTreeSet::new());
    });

    view! {
        <ArrayTabs array />
        <h1>"Volumes on " {array}</h1>
        <Show when=move || session.allows(Role::Operator) && !state.destroyed.get()>
            <CreateVolumes array volumes />
        </Show>
        <div class="toolbar">
            <label>
                <span>"Search names"</span>
                <input
                    id="volume-search"
                    placeholder="part of a name"
                    prop:value=move || state.search.get()
                    on:input=move |event| {
                        state.search.set(event_target_value(&event));
                        state.offset.set(0);
                    }
                />
            </label>
            <label class="check">
                <input
                    id="show-destroyed"
                    type="checkbox"
                    prop:checked=move || state.destroyed.get()
                    on:change=move |event| {
                        state.destroyed.set(event_target_checked(&event));
                        state.offset.set(0);
                    }
                />
                "Destroyed volumes (pending eradication)"
            </label>
        </div>
        <Show when=move || session.allows(Role::Operator) && !selected.with(BTreeSet::is_empty)>
            <BulkActions array selected volumes />
        </Show>
        <Transition fallback=|| view! { <p class="muted">"Loading volumes…"</p> }>
            {move || {
                volumes.get().map(|result| match result {
                    Ok(list) if state.destroyed.get_untracked() => {
                        view! { <DestroyedTable array list volumes state outcome=destroyed_outcome /> }.into_any()
                    }
                    Ok(list) => view! { <VolumeTable array list state selected /> }.into_any(),
                    Err(failure) => {
                        session.notice(&failure);
                        view! { <p class="error" role="alert" id="volumes-error">{failure.error.message}</p> }.into_any()
                    }
                })
            }}
        </Transition>
    }
}

fn count_label(count: u64, what: &str) -> String {
    match count {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// Previous and next page, and where this page sits.
#[component]
fn Pager(total: u64, shown: usize, state: ListState) -> impl IntoView {
    let offset = state.offset.get_untracked();
    let first = if shown == 0 { 0 } else { u64::from(offset) + 1 };
    let last = u64::from(offset) + shown as u64;
    let has_next = last < total;
    view! {
        <div class="pager">
            <button
                id="page-prev"
                class="secondary"
                disabled=offset == 0
                on:click=move |_| state.offset.update(|offset| *offset = offset.saturating_sub(PAGE_SIZE))
            >
                "← Previous"
            </button>
            <span id="page-info">{format!("{first}–{last} of {total}")}</span>
            <button
                id="page-next"
                class="secondary"
                disabled=!has_next
                on:click=move |_| state.offset.update(|offset| *offset += PAGE_SIZE)
            >
                "Next →"
            </button>
        </div>
    }
}

/// A column header that sorts by `key`, flipping the direction when already sorted by it.
#[component]
fn SortHeader(key: &'static str, label: &'static str, state: ListState) -> impl IntoView {
    let marker = move || {
        let sort = state.sort.get();
        if sort == key {
            " ▲"
        } else if sort.strip_prefix('-') == Some(key) {
            " ▼"
        } else {
            ""
        }
    };
    let toggle = move |_| {
        let next = if state.sort.get_untracked() == key {
            format!("-{key}")
        } else {
            key.to_owned()
        };
        state.sort.set(next);
        state.offset.set(0);
    };
    view! {
        <th>
            <button class="sort" data-sort=key on:click=toggle>{label}{marker}</button>
        </th>
    }
}

#[component]
fn VolumeTable(
    array: Memo<String>,
    list: VolumeList,
    state: ListState,
    selected: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let can_select = session.allows(Role::Operator);
    let shown = list.items.len();
    let groups = list.protection_groups;
    let rows = list
        .items
        .into_iter()
        .map(|volume| {
            let protection = groups
                .get(&volume.name)
                .map(|names| names.join(", "))
                .unwrap_or_default();
            view! { <VolumeRow array volume protection selected can_select /> }
        })
        .collect_view();
    view! {
        <h2 id="volume-count">{count_label(list.total_item_count, "volume")}</h2>
        <table id="volumes">
            <thead>
                <tr>
                    {can_select.then(|| view! { <th class="pick"></th> })}
                    <SortHeader key="name" label="Name" state />
                    <SortHeader key="provisioned" label="Provisioned" state />
                    <SortHeader key="used" label="Used" state />
                    <SortHeader key="data_reduction" label="Reduction" state />
                    <SortHeader key="created" label="Created" state />
                    <SortHeader key="serial" label="Serial" state />
                    <SortHeader key="connections" label="Connections" state />
                    <th>"Protection groups"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager total=list.total_item_count shown state />
    }
}

#[component]
fn VolumeRow(
    array: Memo<String>,
    volume: Volume,
    protection: String,
    selected: RwSignal<BTreeSet<String>>,
    can_select: bool,
) -> impl IntoView {
    let name = volume.name.clone();
    let href = format!("/arrays/{}/volumes/{}", array.get_untracked(), volume.name);
    let used = volume.space.virtual_.map(format_size).unwrap_or_default();
    let reduction = volume
        .space
        .data_reduction
        .map(|ratio| format!("{ratio:.1} to 1"))
        .unwrap_or_default();
    let pick = can_select.then(|| {
        let name = name.clone();
        let checked_name = name.clone();
        view! {
            <td class="pick">
                <input
                    type="checkbox"
                    class="select-volume"
                    aria-label=format!("Select {name}")
                    prop:checked=move || selected.with(|set| set.contains(&checked_name))
                    on:change=move |event| {
                        let on = event_target_checked(&event);
                        selected.update(|set| {
                            if on {
                                set.insert(name.clone());
                            } else {
                                set.remove(&name);
                            }
                        });
                    }
                />
            </td>
        }
    });
    let key = volume.name.clone();
    view! {
        <tr data-volume=key>
            {pick}
            <td class="name"><A href=href>{volume.name}</A></td>
            <td class="num provisioned">{format_size(volume.provisioned)}</td>
            <td class="num used">{used}</td>
            <td class="num reduction">{reduction}</td>
            <td class="created">{format_timestamp_ms(volume.created)}</td>
            <td class="mono serial">{volume.serial}</td>
            <td class="num connections">{volume.connection_count}</td>
            <td class="protection">{protection}</td>
        </tr>
    }
}

/// Destroyed volumes: how long each has left, and recover or (admins) eradicate.
#[component]
fn DestroyedTable(
    array: Memo<String>,
    list: VolumeList,
    volumes: LocalResource<ApiResult<VolumeList>>,
    state: ListState,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let shown = list.items.len();
    let rows = list
        .items
        .into_iter()
        .map(|volume| view! { <DestroyedRow array volume volumes outcome /> })
        .collect_view();
    view! {
        <h2 id="volume-count">{count_label(list.total_item_count, "destroyed volume")}</h2>
        <OutcomeLine id="destroyed-outcome" outcome />
        <table id="destroyed-volumes">
            <thead>
                <tr><th>"Name"</th><th>"Provisioned"</th><th>"Eradicated in"</th><th></th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager total=list.total_item_count shown state />
    }
}

/// `12 h 5 min`: what is left of a destroyed object's eradication delay.
pub fn format_remaining(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min")
    }
}

#[component]
fn DestroyedRow(
    array: Memo<String>,
    volume: Volume,
    volumes: LocalResource<ApiResult<VolumeList>>,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = volume.name.clone();
    let confirming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let recover = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            outcome.set(Outcome::Running(format!("Recovering {name}…")));
            spawn_local(async move {
                let change = VolumeChange {
                    patch: VolumePatch {
                        destroyed: Some(false),
                        ..VolumePatch::default()
                    },
                    truncate: false,
                };
                match api::change_volume(&array.get_untracked(), &name, &change).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(format!("Recovered {name}.")));
                        volumes.refetch();
                    }
                    Err(failure) => show_failure(session, &failure, &[], outcome),
                }
            });
        }
    };
    let eradicate = {
        let name = name.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            if typed.get_untracked() != name {
                outcome.set(Outcome::Failed(format!(
                    "Type {name} exactly to eradicate it."
                )));
                return;
            }
            let name = name.clone();
            outcome.set(Outcome::Running(format!("Eradicating {name}…")));
            spawn_local(async move {
                match api::eradicate_volume(&array.get_untracked(), &name).await {
                    Ok(()) => {
                        outcome.set(Outcome::Done(format!("Eradicated {name}.")));
                        volumes.refetch();
                    }
                    Err(failure) => show_failure(session, &failure, &[], outcome),
                }
            });
        }
    };
    let eradicate_control = move || {
        if confirming.get() {
            let eradicate = eradicate.clone();
            view! {
                <form class="confirm" on:submit=eradicate>
                    <input class="confirm-name" placeholder="type the volume's name" bind:value=typed />
                    <button class="danger confirm-eradicate" type="submit">"Eradicate for good"</button>
                </form>
            }
            .into_any()
        } else {
            view! {
                <button class="danger eradicate" on:click=move |_| confirming.set(true)>"Eradicate…"</button>
            }
            .into_any()
        }
    };
    let remaining = volume
        .time_remaining
        .map(format_remaining)
        .unwrap_or_default();
    view! {
        <tr data-volume=name.clone()>
            <td class="name">{volume.name}</td>
            <td class="num">{format_size(volume.provisioned)}</td>
            <td class="remaining">{remaining}</td>
            <td class="actions">
                <Show when=move || session.allows(Role::Operator)>
                    <button class="secondary recover" on:click=recover.clone()>"Recover"</button>
                </Show>
                <Show when=move || session.allows(Role::Admin)>
                    {eradicate_control.clone()}
                </Show>
            </td>
        </tr>
    }
}

/// One volume or a pattern's worth (`db-[1-8]`), checked with the backend's validators first.
#[component]
fn CreateVolumes(
    array: Memo<String>,
    volumes: LocalResource<ApiResult<VolumeList>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = RwSignal::new(String::new());
    let size = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let size_error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(Outcome::Idle);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        name_error.set(None);
        size_error.set(None);
        outcome.set(Outcome::Idle);
        let provisioned = match parse_volume_size(&size.get_untracked()) {
            Ok(bytes) => bytes,
            Err(error) => {
                size_error.set(Some(error.to_string()));
                0
            }
        };
        let request = CreateVolumeRequest {
            name: name.get_untracked().trim().to_owned(),
            provisioned,
        };
        let names = match validate_create_volume(&request) {
            Ok(names) => names,
            Err(error) if error.field.as_deref() == Some("name") => {
                name_error.set(Some(error.message));
                return;
            }
            Err(error) => {
                if size_error.get_untracked().is_none() {
                    size_error.set(Some(error.message));
                }
                return;
            }
        };
        if size_error.get_untracked().is_some() {
            return;
        }
        let array_name = array.get_untracked();
        outcome.set(Outcome::Running(format!(
            "Creating {}…",
            count_label(names.len() as u64, "volume")
        )));
        spawn_local(async move {
            match api::create_volumes(&array_name, &request).await {
                Ok(created) => {
                    let names: Vec<String> =
                        created.iter().map(|volume| volume.name.clone()).collect();
                    outcome.set(Outcome::Done(format!(
                        "Created {} ({} each): {}.",
                        count_label(created.len() as u64, "volume"),
                        format_size(request.provisioned),
                        names.join(", ")
                    )));
                    name.set(String::new());
                    size.set(String::new());
                    volumes.refetch();
                }
                Err(failure) => show_failure(
                    session,
                    &failure,
                    &[("name", name_error), ("provisioned", size_error)],
                    outcome,
                ),
            }
        });
    };
    let running = move || matches!(outcome.get(), Outcome::Running(_));

    view! {
        <div class="card">
            <form class="inline" id="create-volume" on:submit=submit novalidate>
                <Field id="volume-name" label="Name, or a pattern such as db-[1-8]" placeholder="vol1" value=name error=name_error />
                <Field id="volume-size" label="Size (K, M, G, T, P)" placeholder="5G" value=size error=size_error />
                <button id="volume-create" type="submit" disabled=running>
                    {move || if running() { "Creating…" } else { "Create" }}
                </button>
            </form>
            <OutcomeLine id="volume-outcome" outcome />
        </div>
    }
}

/// What happened to each selected volume.
#[derive(Debug, Clone, PartialEq)]
struct ItemOutcome {
    volume: String,
    result: Result<String, String>,
}

/// Connect, destroy or snapshot every selected volume; each one's result is listed, and one
/// failure does not hide the others.
#[component]
fn BulkActions(
    array: Memo<String>,
    selected: RwSignal<BTreeSet<String>>,
    volumes: LocalResource<ApiResult<VolumeList>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let target_kind = RwSignal::new("host".to_owned());
    let target = RwSignal::new(String::new());
    let suffix = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<ItemOutcome>::new());
    let running = RwSignal::new(false);

    let run = move |action: &'static str| {
        let chosen: Vec<String> = selected.get_untracked().into_iter().collect();
        let array_name = array.get_untracked();
        let kind = target_kind.get_untracked();
        let target_name = target.get_untracked().trim().to_owned();
        let suffix_text = suffix.get_untracked().trim().to_owned();
        running.set(true);
        results.set(Vec::new());
        spawn_local(async move {
            let mut outcomes = Vec::new();
            if action == "snapshot" {
                // One call: the array takes the set at one instant, consistent across volumes.
                let request = SnapshotRequest {
                    volumes: chosen.clone(),
                    suffix: (!suffix_text.is_empty()).then_some(suffix_text),
                };
                match api::snapshot(&array_name, &request).await {
                    Ok(snapshots) => {
                        for snapshot in snapshots {
                            outcomes.push(ItemOutcome {
                                volume: snapshot.source.name.clone().unwrap_or_default(),
                                result: Ok(format!("snapshot {}", snapshot.name)),
                            });
                        }
                    }
                    Err(failure) => {
                        session.notice(&failure);
                        for volume in &chosen {
                            outcomes.push(ItemOutcome {
                                volume: volume.clone(),
                                result: Err(failure.error.message.clone()),
                            });
                        }
                    }
                }
            } else {
                for volume in chosen {
                    let result = match action {
                        "connect" => {
                            let (host, host_group) = if kind == "host" {
                                (Some(target_name.clone()), None)
                            } else {
                                (None, Some(target_name.clone()))
                            };
                            let request = ConnectionRequest {
                                volume: volume.clone(),
                                host,
                                host_group,
                                lun: None,
                            };
                            api::connect(&array_name, &request)
                                .await
                                .map(|connection| format!("connected at LUN {}", connection.lun))
                        }
                        _ => {
                            let change = VolumeChange {
                                patch: VolumePatch {
                                    destroyed: Some(true),
                                    ..VolumePatch::default()
                                },
                                truncate: false,
                            };
                            api::change_volume(&array_name, &volume, &change)
                                .await
                                .map(|_| "destroyed".to_owned())
                        }
                    };
                    let result = result.map_err(|failure| {
                        session.notice(&failure);
                        failure.error.message
                    });
                    outcomes.push(ItemOutcome { volume, result });
                }
            }
            results.set(outcomes);
            running.set(false);
            volumes.refetch();
        });
    };

    view! {
        <div class="card bulk" id="bulk-actions">
            <p>
                <strong id="bulk-count">{move || count_label(selected.with(BTreeSet::len) as u64, "volume")}</strong>
                " selected"
            </p>
            <div class="inline">
                <label>
                    <span>"Connect to"</span>
                    <select id="bulk-target-kind" on:change=move |event| target_kind.set(event_target_value(&event))>
                        <option value="host">"host"</option>
                        <option value="host_group">"host group"</option>
                    </select>
                </label>
                <label>
                    <span>"Name"</span>
                    <input id="bulk-target" bind:value=target placeholder="host1" />
                </label>
                <button id="bulk-connect" disabled=move || running.get() on:click=move |_| run("connect")>"Connect"</button>
                <label>
                    <span>"Snapshot suffix (optional)"</span>
                    <input id="bulk-suffix" bind:value=suffix placeholder="before-upgrade" />
                </label>
                <button id="bulk-snapshot" disabled=move || running.get() on:click=move |_| run("snapshot")>"Snapshot"</button>
                <button id="bulk-destroy" class="danger" disabled=move || running.get() on:click=move |_| run("destroy")>"Destroy"</button>
            </div>
            <Show when=move || running.get()>
                <p class="muted" role="status" id="bulk-running">"Working…"</p>
            </Show>
            <ul id="bulk-results">
                {move || {
                    results
                        .get()
                        .into_iter()
                        .map(|item| {
                            let (class, text) = match &item.result {
                                Ok(text) => ("success", text.clone()),
                                Err(text) => ("error", text.clone()),
                            };
                            view! {
                                <li data-volume=item.volume.clone() class=class>
                                    <strong>{item.volume.clone()}</strong>": "{text}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
