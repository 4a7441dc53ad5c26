//! One array's volumes: a searchable, sortable, paged table; creating one or many; bulk
//! actions on a selection; and the destroyed volumes waiting for eradication.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Action, ConnectionRequest, CreateVolumeRequest, MemberKind, MembersRequest, RecycleAction,
    RecycledKind, SnapshotRequest, VolumeChange, VolumeList, VolumeListQuery,
    validate_create_volume,
};
use shared::flasharray::{Volume, VolumePatch};
use shared::listing::{Column, Value};
use shared::size::{format_size, parse_volume_size};
use web_sys::js_sys::Date;

use crate::api;
use crate::components::confirm::RecycleActions;
use crate::components::export::{CsvExport, Gather, paged_csv};
use crate::components::field::{Named, host_or_group_names, names_on_array};
use crate::components::outcome::{RecoverButton, SubmitButton};
use crate::components::placement::SuggestArray;
use crate::components::table::{
    ColumnChooser, EmptyState, LoadingMarker, PAGE_SIZE, Pager, SearchBox, SortHeader,
    hidden_columns,
};
use crate::components::{
    Confirm, Countdown, Field, Live, Loaded, Outcome, OutcomeLine, Picker, PlainTable, Task,
    Timestamp, UrlState, done_outcome, live_resource, use_array, use_kept_for,
};
use crate::session::Session;

fn list_query(state: &UrlState) -> VolumeListQuery {
    let search = state.search();
    VolumeListQuery {
        limit: Some(PAGE_SIZE),
        offset: Some(state.offset()),
        sort: Some(state.sort()),
        search: (!search.trim().is_empty()).then_some(search),
        destroyed: state.flag("destroyed"),
    }
}

#[component]
pub fn Volumes() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let state = UrlState::new("name");
    let destroyed = Memo::new(move |_| state.flag("destroyed"));
    let selected = RwSignal::new(BTreeSet::<String>::new());
    // Lives above the table, so the message outlasts the refresh that follows the action.
    let destroyed_outcome = RwSignal::new(Outcome::Idle);
    let pending = RwSignal::new(false);
    let volumes = live_resource(move || {
        let name = array.get();
        let query = list_query(&state);
        async move {
            let list = api::volumes(&name, &query).await?;
            Ok((list, Date::now()))
        }
    });
    Effect::new(move |_| {
        array.track();
        destroyed.track();
        selected.set(BTreeSet::new());
    });

    view! {
        <h1>"Volumes on " {array}</h1>
        <Show when=move || session.may(Action::VolumeCreate) && !destroyed.get()>
            <CreateVolumes array />
        </Show>
        <div class="toolbar">
            <SearchBox id="volume-search" label="Search names" state />
            <ColumnChooser state columns=VOLUME_COLUMNS />
            <CsvExport id="volumes-csv" file=Signal::derive(move || format!("{}-volumes.csv", array.get())) gather=volumes_csv(array, state) />
            <label class="check">
                <input
                    id="show-destroyed"
                    type="checkbox"
                    prop:checked=move || destroyed.get()
                    on:change=move |event| {
                        let on = event_target_checked(&event);
                        state.set_from_start("destroyed", on.then(|| "true".to_owned()), false);
                    }
                />
                "Destroyed volumes (pending eradication)"
            </label>
            <LoadingMarker pending />
        </div>
        <Show when=move || session.may(Action::VolumeChange)>
            <BulkActions array selected />
        </Show>
        <Loaded resource=volumes loading="Loading volumes…" error_id="volumes-error" pending let:answer>
            {
                let (list, fetched) = answer;
                if destroyed.get_untracked() {
                    view! { <DestroyedTable array list fetched state outcome=destroyed_outcome /> }.into_any()
                } else {
                    view! { <VolumeTable array list state selected /> }.into_any()
                }
            }
        </Loaded>
    }
}

/// The volume table's columns a user may hide: cell class and label.
const VOLUME_COLUMNS: &[(&str, &str)] = &[
    ("provisioned", "Provisioned"),
    ("used", "Used"),
    ("data_reduction", "Reduction"),
    ("created", "Created"),
    ("serial", "Serial"),
    ("connections", "Connections"),
    ("protection", "Protection groups"),
];

/// The columns of a volume list's CSV: sizes in bytes, times in UTC.
const VOLUME_CSV: &[Column] = &[
    Column::data("name", "Name"),
    Column::data("provisioned", "Provisioned"),
    Column::data("used", "Used"),
    Column::data("data_reduction", "Reduction"),
    Column::data("created", "Created"),
    Column::data("serial", "Serial"),
    Column::data("connections", "Connections"),
    Column::data("protection_groups", "Protection groups"),
];

/// Every volume the list's search and filter match, in its order, as CSV.
fn volumes_csv(array: Memo<String>, state: UrlState) -> Gather {
    paged_csv(
        VOLUME_CSV,
        array,
        move || list_query(&state),
        |array, query, offset, limit| async move {
            let query = VolumeListQuery {
                offset: Some(offset),
                limit: Some(limit),
                ..query
            };
            let list = api::volumes(&array, &query).await?;
            let groups = list.protection_groups;
            let rows = list
                .items
                .into_iter()
                .map(|volume| {
                    let protection = groups.get(&volume.name).map(|names| names.join(" "));
                    vec![
                        Value::from(volume.name),
                        Value::from(volume.provisioned),
                        volume.space.virtual_.map_or(Value::from(""), Value::from),
                        volume
                            .space
                            .data_reduction
                            .map_or(Value::from(""), Value::Number),
                        Value::Time(Some(volume.created)),
                        Value::from(volume.serial),
                        Value::from(volume.connection_count),
                        Value::from(protection.unwrap_or_default()),
                    ]
                })
                .collect();
            Ok((rows, list.total_item_count))
        },
    )
}

fn count_label(count: u64, what: &str) -> String {
    match count {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

#[component]
fn VolumeTable(
    array: Memo<String>,
    list: VolumeList,
    state: UrlState,
    selected: RwSignal<BTreeSet<String>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let can_select = session.may(Action::VolumeChange);
    let shown = list.items.len();
    let on_page: Vec<String> = list
        .items
        .iter()
        .map(|volume| volume.name.clone())
        .collect();
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
    let all_checked = {
        let on_page = on_page.clone();
        move || {
            !on_page.is_empty()
                && selected.with(|set| on_page.iter().all(|name| set.contains(name)))
        }
    };
    let select_all = move |event: leptos::ev::Event| {
        let on = event_target_checked(&event);
        selected.update(|set| {
            for name in &on_page {
                if on {
                    set.insert(name.clone());
                } else {
                    set.remove(name);
                }
            }
        });
    };
    let empty = (list.total_item_count == 0).then(|| {
        let text = if state.search().is_empty() {
            "This array has no volumes yet."
        } else {
            "No volume's name contains that text."
        };
        view! { <EmptyState id="volumes-empty" text /> }
    });
    view! {
        <h2 id="volume-count">{count_label(list.total_item_count, "volume")}</h2>
        <table id="volumes" data-hide=hidden_columns(state)>
            <thead>
                <tr>
                    {can_select.then(|| view! {
                        <th class="pick">
                            <input type="checkbox" id="select-all" aria-label="Select every volume on this page"
                                prop:checked=all_checked on:change=select_all />
                        </th>
                    })}
                    <SortHeader key="name" label="Name" state />
                    <SortHeader key="provisioned" label="Provisioned" state />
                    <SortHeader key="used" label="Used" state />
                    <SortHeader key="data_reduction" label="Reduction" state />
                    <SortHeader key="created" label="Created" state />
                    <SortHeader key="serial" label="Serial" state />
                    <SortHeader key="connections" label="Connections" state />
                    <th class="protection">"Protection groups"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
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
            <td class="num data_reduction">{reduction}</td>
            <td class="created"><Timestamp epoch_ms=volume.created /></td>
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
    fetched: f64,
    state: UrlState,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let shown = list.items.len();
    let empty = list.items.is_empty().then(|| {
        view! { <EmptyState id="destroyed-empty" text="No destroyed volume is waiting for eradication." /> }
    });
    let rows = list
        .items
        .into_iter()
        .map(|volume| view! { <DestroyedRow array volume fetched outcome /> })
        .collect_view();
    view! {
        <h2 id="volume-count">{count_label(list.total_item_count, "destroyed volume")}</h2>
        <OutcomeLine id="destroyed-outcome" outcome />
        <PlainTable id="destroyed-volumes" headers=&["Name", "Provisioned", "Eradicated in", "Actions"]>{rows}</PlainTable>
        {empty}
        <Pager total=list.total_item_count shown state />
    }
}

fn destroyed_patch(destroyed: bool) -> VolumeChange {
    VolumeChange {
        patch: VolumePatch {
            destroyed: Some(destroyed),
            ..VolumePatch::default()
        },
        truncate: false,
    }
}

#[component]
fn DestroyedRow(
    array: Memo<String>,
    volume: Volume,
    fetched: f64,
    outcome: RwSignal<Outcome>,
) -> impl IntoView {
    let task = Task::over(outcome);
    let name = volume.name.clone();
    let recover = {
        let name = name.clone();
        Callback::new(move |()| {
            let (array, name) = (array.get_untracked(), name.clone());
            let recovered = name.clone();
            task.refreshing().call(
                format!("Recovering {name}…"),
                &[],
                async move { api::change_volume(&array, &recovered, &destroyed_patch(false)).await },
                move |_| Outcome::Done(format!("Recovered {name}.")),
            );
        })
    };
    let eradicate = {
        let name = name.clone();
        Callback::new(move |reason: Option<String>| {
            let (array, name) = (array.get_untracked(), name.clone());
            let eradicated = name.clone();
            task.refreshing().call(
                format!("Eradicating {name}…"),
                &[],
                async move { api::eradicate_volume(&array, &eradicated, reason.as_deref()).await },
                move |done| done_outcome(done, |()| Outcome::Done(format!("Eradicated {name}."))),
            );
        })
    };
    let question = format!("Eradicate {name} on {}?", array.get_untracked());
    let eradicated = name.clone();
    let remaining = volume.time_remaining;
    view! {
        <tr data-volume=name>
            <td class="name">{volume.name}</td>
            <td class="num">{format_size(volume.provisioned)}</td>
            <td class="remaining">
                {remaining.map(|remaining_ms| view! { <Countdown remaining_ms fetched_ms=fetched /> })}
            </td>
            <RecycleActions task recover question name=eradicated action=Action::VolumeEradicate eradicate />
        </tr>
    }
}

/// One volume or a pattern's worth (`db-[1-8]`), checked with the backend's validators first.
#[component]
fn CreateVolumes(array: Memo<String>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let size = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let size_error = RwSignal::new(None::<String>);
    let task = Task::new();
    // Placement advice links here with the form's values.
    let url = UrlState::new("");
    Effect::new(move || {
        for (key, field) in [("new_name", name), ("new_size", size)] {
            let given = url.text(key);
            if !given.is_empty() {
                field.set(given);
            }
        }
    });

    let submit = task.on_submit(move || {
        name_error.set(None);
        size_error.set(None);
        task.outcome.set(Outcome::Idle);
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
        let running = format!("Creating {}…", count_label(names.len() as u64, "volume"));
        let each = format_size(request.provisioned);
        task.refreshing().call(
            running,
            &[("name", name_error), ("provisioned", size_error)],
            async move { api::create_volumes(&array_name, &request).await },
            move |created| {
                let names: Vec<String> = created.iter().map(|volume| volume.name.clone()).collect();
                name.set(String::new());
                size.set(String::new());
                Outcome::Done(format!(
                    "Created {} ({each} each): {}.",
                    count_label(created.len() as u64, "volume"),
                    names.join(", ")
                ))
            },
        );
    });

    view! {
        <div class="card">
            <form class="inline" id="create-volume" on:submit=submit novalidate>
                <Field id="volume-name" label="Name, or a pattern such as db-[1-8]" placeholder="vol1" value=name error=name_error />
                <Field id="volume-size" label="Size (K, M, G, T, P)" placeholder="5G" value=size error=size_error />
                <SubmitButton id="volume-create" label="Create" outcome=task.outcome />
            </form>
            <OutcomeLine id="volume-outcome" outcome=task.outcome />
            <SuggestArray name size />
        </div>
    }
}

/// What happened to each selected volume.
#[derive(Debug, Clone, PartialEq)]
struct ItemOutcome {
    volume: String,
    result: Result<String, String>,
    destroyed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Bulk {
    Connect,
    Snapshot,
    Protect,
    Destroy,
}

/// Connect, destroy or snapshot every selected volume; each one's result is listed as it
/// comes, and one failure does not hide the others.
#[component]
fn BulkActions(array: Memo<String>, selected: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let kept_for = use_kept_for();
    let live = expect_context::<Live>();
    let target_kind = RwSignal::new("host".to_owned());
    let target = RwSignal::new(String::new());
    let target_error = RwSignal::new(None::<String>);
    let suffix = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<ItemOutcome>::new());
    let progress = RwSignal::new(None::<(usize, usize)>);
    let target_names = host_or_group_names(array, target_kind);
    let group = RwSignal::new(String::new());
    let group_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let running = move || task.running();

    let run = move |action: Bulk| {
        if running() {
            return;
        }
        let chosen: Vec<String> = selected.get_untracked().into_iter().collect();
        let array_name = array.get_untracked();
        let kind = target_kind.get_untracked();
        let target_name = target.get_untracked().trim().to_owned();
        if action == Bulk::Connect && target_name.is_empty() {
            target_error.set(Some(
                "Choose the host or host group to connect to.".to_owned(),
            ));
            return;
        }
        target_error.set(None);
        let group_name = group.get_untracked().trim().to_owned();
        if action == Bulk::Protect && group_name.is_empty() {
            group_error.set(Some(
                "Choose the protection group to add them to.".to_owned(),
            ));
            return;
        }
        group_error.set(None);
        let suffix_text = suffix.get_untracked().trim().to_owned();
        progress.set(Some((0, chosen.len())));
        results.set(Vec::new());
        task.start("Working…", async move {
            if action == Bulk::Snapshot {
                // One call: the array takes the set at one instant, consistent across volumes.
                let request = SnapshotRequest {
                    volumes: chosen.clone(),
                    suffix: (!suffix_text.is_empty()).then_some(suffix_text),
                };
                let outcomes = match api::snapshot(&array_name, &request).await {
                    Ok(snapshots) => snapshots
                        .into_iter()
                        .map(|snapshot| ItemOutcome {
                            volume: snapshot.source.name.clone().unwrap_or_default(),
                            result: Ok(format!("snapshot {}", snapshot.name)),
                            destroyed: false,
                        })
                        .collect(),
                    Err(failure) => {
                        session.notice(&failure);
                        chosen
                            .iter()
                            .map(|volume| ItemOutcome {
                                volume: volume.clone(),
                                result: Err(failure.error.message.clone()),
                                destroyed: false,
                            })
                            .collect()
                    }
                };
                results.set(outcomes);
            } else if action == Bulk::Protect {
                // One call: the group takes them all, or the array says why not.
                let request = MembersRequest {
                    kind: MemberKind::Volumes,
                    names: chosen.clone(),
                };
                let result = api::add_members(&array_name, &group_name, &request)
                    .await
                    .map(|_| format!("added to {group_name}"))
                    .map_err(|failure| {
                        session.notice(&failure);
                        failure.error.message
                    });
                results.set(
                    chosen
                        .into_iter()
                        .map(|volume| ItemOutcome {
                            volume,
                            result: result.clone(),
                            destroyed: false,
                        })
                        .collect(),
                );
            } else {
                let total = chosen.len();
                for (done, volume) in chosen.into_iter().enumerate() {
                    progress.set(Some((done + 1, total)));
                    let result = match action {
                        Bulk::Connect => {
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
                        _ => api::change_volume(&array_name, &volume, &destroyed_patch(true))
                            .await
                            .map(|_| "destroyed".to_owned()),
                    };
                    let destroyed = action == Bulk::Destroy && result.is_ok();
                    if destroyed {
                        selected.update(|set| {
                            set.remove(&volume);
                        });
                    }
                    let result = result.map_err(|failure| {
                        session.notice(&failure);
                        failure.error.message
                    });
                    results.update(|list| {
                        list.push(ItemOutcome {
                            volume,
                            result,
                            destroyed,
                        })
                    });
                }
            }
            progress.set(None);
            live.changed();
            Outcome::Idle
        });
    };
    let destroy_question = Signal::derive(move || {
        format!(
            "Destroy {} on {}?",
            count_label(selected.with(BTreeSet::len) as u64, "volume"),
            array.get()
        )
    });
    let destroy_details = Signal::derive(move || {
        let names: Vec<String> = selected.get().into_iter().collect();
        format!(
            "{}. A volume still connected to hosts is refused and listed. The array keeps destroyed volumes {}: recover them from the results below, the destroyed volumes or the recycle bin.",
            names.join(", "),
            kept_for.get()
        )
    });

    let visible =
        move || !selected.with(BTreeSet::is_empty) || running() || !results.with(Vec::is_empty);
    view! {
        <div class="card bulk" id="bulk-actions" hidden=move || !visible()>
            <p>
                <strong id="bulk-count">{move || count_label(selected.with(BTreeSet::len) as u64, "volume")}</strong>
                " selected "
                <button class="link" id="bulk-clear" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
            </p>
            <div class="inline">
                <label>
                    <span>"Connect to"</span>
                    <select id="bulk-target-kind" on:change=move |event| target_kind.set(event_target_value(&event))>
                        <option value="host">"host"</option>
                        <option value="host_group">"host group"</option>
                    </select>
                </label>
                <Picker id="bulk-target" label="Name" placeholder="host1" value=target error=target_error options=target_names />
                <button id="bulk-connect" disabled=running on:click=move |_| run(Bulk::Connect)>"Connect"</button>
                <label>
                    <span>"Snapshot suffix (optional)"</span>
                    <input id="bulk-suffix" bind:value=suffix placeholder="before-upgrade" />
                </label>
                <button id="bulk-snapshot" disabled=running on:click=move |_| run(Bulk::Snapshot)>"Snapshot"</button>
                // The array's groups are asked for once volumes are ticked, not on every visit.
                <Show when=move || !selected.with(BTreeSet::is_empty)>
                    <Picker id="bulk-group" label="Protection group" placeholder="pg-daily" value=group error=group_error options=names_on_array(array, Signal::derive(|| Named::ProtectionGroups)) />
                </Show>
                <button id="bulk-protect" disabled=running on:click=move |_| run(Bulk::Protect)>"Add to group"</button>
                <Confirm
                    id="bulk-destroy"
                    label="Destroy…"
                    question=destroy_question
                    details=destroy_details
                    confirm_label="Destroy"
                    task
                    on_confirm=Callback::new(move |()| run(Bulk::Destroy))
                />
            </div>
            <p class="muted" role="status" aria-live="polite" id="bulk-running">
                {move || progress.get().map(|(done, total)| format!("Working: {done} of {total}…"))}
            </p>
            <ul id="bulk-results">
                {move || {
                    let array_name = array.get();
                    results
                        .get()
                        .into_iter()
                        .map(|item| {
                            let (class, text) = match &item.result {
                                Ok(text) => ("success", text.clone()),
                                Err(text) => ("error", text.clone()),
                            };
                            let recover = item.destroyed.then(|| {
                                let action = RecycleAction {
                                    array: array_name.clone(),
                                    kind: RecycledKind::Volume,
                                    name: item.volume.clone(),
                                };
                                view! { " " <RecoverButton action /> }
                            });
                            view! {
                                <li data-volume=item.volume.clone() class=class>
                                    <strong>{item.volume.clone()}</strong>": "{text}{recover}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
