//! A volume's snapshots on one time axis, direct and through protection groups: take one,
//! and from any point restore the volume (with a preview and a safety snapshot) or copy it to
//! a new volume; rename or destroy direct snapshots.

use leptos::prelude::*;

use crate::components::live::Answer;
use shared::api::{
    Action, CopyRequest, RecycleAction, RecycledKind, RestoreRequest, Role, SnapshotRequest,
};
use shared::flasharray::{Connection, Volume, VolumeSnapshot, VolumeSnapshotPatch};
use shared::listing::{Column, Value};
use shared::size::format_size;
use shared::time::format_timestamp_ms;

use crate::api::{self, ApiResult};
use crate::components::outcome::SubmitButton;
use crate::components::table::SearchBox;
use crate::components::{
    Confirm, Field, ListTable, Loaded, Outcome, OutcomeLine, Reason, Row, Task, Timestamp,
    UrlState, done_outcome, object_resource, use_kept_for,
};
use crate::session::Session;

/// Whether a protection group took it (`PG.SUFFIX.VOL`) rather than someone directly.
fn from_group(snapshot: &VolumeSnapshot) -> bool {
    snapshot.name.matches('.').count() > 1
}

/// The volume's snapshots: the timeline, the chosen point, and what can be done from it.
#[component]
pub fn VolumeSnapshots(
    array: Memo<String>,
    volume: Memo<String>,
    current: Answer<ApiResult<Volume>>,
    connections: Answer<ApiResult<Vec<Connection>>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let snapshots = object_resource(array, volume, |array, volume| async move {
        api::volume_snapshots(&array, &volume).await
    });
    let chosen = RwSignal::new(None::<VolumeSnapshot>);
    let outcome = RwSignal::new(Outcome::Idle);
    let state = UrlState::prefixed("-taken", "snapshots_");
    view! {
        <h2>"Snapshots"</h2>
        <Show when=move || session.may(Action::SnapshotCreate)>
            <TakeSnapshot array volume />
        </Show>
        <div class="toolbar">
            <SearchBox id="snapshot-search" label="Search snapshots" state />
        </div>
        <Loaded resource=snapshots loading="Loading snapshots…" let:list>
            <Timeline array volume list chosen state />
        </Loaded>
        {move || {
            chosen.get().map(|snapshot| view! {
                <SnapshotPanel array volume snapshot current connections outcome chosen />
            })
        }}
        <OutcomeLine id="snapshot-outcome" outcome />
    }
}

#[component]
fn TakeSnapshot(array: Memo<String>, volume: Memo<String>) -> impl IntoView {
    let suffix = RwSignal::new(String::new());
    let suffix_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let outcome = task.outcome;
    let submit = task.on_submit(move || {
        suffix_error.set(None);
        let text = suffix.get_untracked().trim().to_owned();
        let request = SnapshotRequest {
            volumes: vec![volume.get_untracked()],
            suffix: (!text.is_empty()).then_some(text),
        };
        if let Err(error) = shared::api::validate_snapshot_request(&request) {
            suffix_error.set(Some(error.message));
            return;
        }
        let array = array.get_untracked();
        task.refreshing().call(
            "Taking a snapshot…",
            &[("suffix", suffix_error)],
            async move { api::snapshot(&array, &request).await },
            move |taken| {
                let names: Vec<String> = taken.into_iter().map(|snapshot| snapshot.name).collect();
                suffix.set(String::new());
                Outcome::Done(format!("Took {}.", names.join(", ")))
            },
        );
    });
    view! {
        <form class="card inline" id="take-snapshot" on:submit=submit novalidate>
            <Field id="snapshot-suffix" label="Suffix (optional)" placeholder="before-upgrade" value=suffix error=suffix_error />
            <SubmitButton id="snapshot-take" label="Take snapshot" outcome />
        </form>
        <OutcomeLine id="take-snapshot-outcome" outcome />
    }
}

/// Every snapshot as a point on one axis from the oldest to now, and as a row below it.
#[component]
fn Timeline(
    array: Memo<String>,
    volume: Memo<String>,
    list: Vec<VolumeSnapshot>,
    chosen: RwSignal<Option<VolumeSnapshot>>,
    state: UrlState,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted" id="no-snapshots">"No snapshots yet."</p> }.into_any();
    }
    let first = list.first().map_or(0, |snapshot| snapshot.created);
    let last = list.last().map_or(0, |snapshot| snapshot.created);
    let span = (last - first).max(1) as f64;
    let markers = list
        .iter()
        .cloned()
        .map(|snapshot| {
            let left = (snapshot.created - first) as f64 / span * 96.0 + 2.0;
            let (class, by) = if from_group(&snapshot) {
                ("marker group", "protection group")
            } else {
                ("marker direct", "direct")
            };
            let title = format!(
                "{} ({by}) — {}",
                snapshot.name,
                format_timestamp_ms(snapshot.created)
            );
            let name = snapshot.name.clone();
            view! {
                <button
                    class=class
                    data-snapshot=name
                    title=title.clone()
                    aria-label=title
                    style=format!("left: {left:.2}%")
                    on:click=move |_| chosen.set(Some(snapshot.clone()))
                ></button>
            }
        })
        .collect_view();
    let rows = list
        .into_iter()
        .map(|snapshot| {
            let kind = if from_group(&snapshot) {
                "protection group"
            } else {
                "direct"
            };
            let values = vec![
                Value::from(snapshot.name.as_str()),
                Value::Time(Some(snapshot.created)),
                Value::from(kind),
                Value::from(snapshot.provisioned),
                snapshot
                    .space
                    .snapshots
                    .map_or(Value::from(""), Value::from),
                Value::from(if snapshot.destroyed { "destroyed" } else { "" }),
            ];
            Row::new(values, move || snapshot_row(snapshot.clone(), kind, chosen))
        })
        .collect();
    view! {
        <div class="timeline" id="timeline" aria-label="Snapshots over time">{markers}</div>
        <div class="timeline-axis">
            <span id="timeline-oldest">"Oldest " <Timestamp epoch_ms=first /></span>
            <span class="legend">
                <span class="key direct"></span>" direct "
                <span class="key group"></span>" by a protection group"
            </span>
            <span id="timeline-newest">"Newest " <Timestamp epoch_ms=last /></span>
        </div>
        <ListTable
            id="snapshots"
            columns=SNAPSHOT_COLUMNS
            rows
            state
            file=format!("{}-{}-snapshots.csv", array.get_untracked(), volume.get_untracked())
            empty_id="snapshots-empty"
            empty="No snapshots yet."
        />
    }
    .into_any()
}

const SNAPSHOT_COLUMNS: &[Column] = &[
    Column::data("name", "Snapshot"),
    Column::data("taken", "Taken"),
    Column::data("by", "By"),
    Column::data("size", "Size"),
    Column::data("space", "Space"),
    Column::data("state", "State"),
    Column::actions("Actions"),
];

/// One snapshot's row; its name and its button open what can be done from it.
fn snapshot_row(
    snapshot: VolumeSnapshot,
    kind: &'static str,
    chosen: RwSignal<Option<VolumeSnapshot>>,
) -> AnyView {
    let name = snapshot.name.clone();
    let space = snapshot
        .space
        .snapshots
        .map(format_size)
        .unwrap_or_default();
    let created = snapshot.created;
    let size = format_size(snapshot.provisioned);
    let key = name.clone();
    let destroyed = snapshot.destroyed;
    let choose = move |_| chosen.set(Some(snapshot.clone()));
    view! {
        <tr data-snapshot=key class:destroyed=destroyed>
            <td class="name"><button class="link choose-snapshot" on:click=choose.clone()>{name}</button></td>
            <td class="taken"><Timestamp epoch_ms=created /></td>
            <td class="by">{kind}</td>
            <td class="num size">{size}</td>
            <td class="num space">{space}</td>
            <td class="state">{destroyed.then_some("destroyed")}</td>
            <td class="actions">
                <button class="secondary small restore-snapshot" on:click=choose>"Restore or copy…"</button>
            </td>
        </tr>
    }
    .into_any()
}

/// What the chosen snapshot can do: restore the volume to it, copy it to a new volume, and
/// (direct snapshots) rename or destroy it.
#[component]
fn SnapshotPanel(
    array: Memo<String>,
    volume: Memo<String>,
    snapshot: VolumeSnapshot,
    current: Answer<ApiResult<Volume>>,
    connections: Answer<ApiResult<Vec<Connection>>>,
    outcome: RwSignal<Outcome>,
    chosen: RwSignal<Option<VolumeSnapshot>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let task = Task::over(outcome);
    let kept_for = use_kept_for();
    let safety = RwSignal::new(true);
    let confirm = RwSignal::new(false);
    let confirm_error = RwSignal::new(None::<String>);
    let typed_name = RwSignal::new(String::new());
    let typed_error = RwSignal::new(None::<String>);
    let reason = Reason::for_action(Action::VolumeRestore);
    let copy_name = RwSignal::new(format!("{}-copy", volume.get_untracked()));
    let copy_error = RwSignal::new(None::<String>);
    let name = snapshot.name.clone();
    let size_now = move || {
        current
            .get()
            .and_then(Result::ok)
            .map(|volume| format_size(volume.provisioned))
            .unwrap_or_default()
    };
    let hosts = move || {
        let seen: Vec<String> = connections
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|connection| connection.host_group.name.or(connection.host.name))
            .collect();
        if seen.is_empty() {
            "No host sees this volume.".to_owned()
        } else {
            format!(
                "{} will see the restored contents at once.",
                seen.join(", ")
            )
        }
    };
    let restore = {
        let name = name.clone();
        task.on_submit(move || {
            confirm_error.set(None);
            typed_error.set(None);
            // Without a safety snapshot nothing can undo a restore: the name is typed, as for eradicate.
            if !safety.get_untracked()
                && typed_name.get_untracked().trim() != volume.get_untracked()
            {
                typed_error.set(Some(format!(
                    "Without a safety snapshot this cannot be undone: type {} to confirm.",
                    volume.get_untracked()
                )));
                return;
            }
            // The server checks the confirmation too; it answers the same refusal.
            let request = RestoreRequest {
                snapshot: name.clone(),
                safety_snapshot: safety.get_untracked(),
                overwrite: confirm.get_untracked(),
            };
            let (array, volume) = (array.get_untracked(), volume.get_untracked());
            let why = reason.take();
            let running = format!("Restoring {volume} from {}…", request.snapshot);
            let restored = (volume.clone(), request.snapshot.clone());
            task.refreshing().call(
                running,
                &[("overwrite", confirm_error)],
                async move { api::restore(&array, &volume, &request, why.as_deref()).await },
                move |done| {
                    chosen.set(None);
                    done_outcome(done, |result| {
                        let safety = result
                            .safety_snapshot
                            .map(|snapshot| {
                                format!(" The state before is kept as {}.", snapshot.name)
                            })
                            .unwrap_or_default();
                        Outcome::Done(format!(
                            "Restored {} from {} ({}).{safety}",
                            restored.0,
                            restored.1,
                            format_size(result.volume.provisioned)
                        ))
                    })
                },
            );
        })
    };
    let copy = {
        let name = name.clone();
        task.on_submit(move || {
            copy_error.set(None);
            let request = CopyRequest {
                source: name.clone(),
                name: copy_name.get_untracked().trim().to_owned(),
            };
            if let Err(message) = shared::names::validate_volume_name(&request.name) {
                copy_error.set(Some(message));
                return;
            }
            let array = array.get_untracked();
            let running = format!("Copying {} to {}…", request.source, request.name);
            let source = request.source.clone();
            task.call(
                running,
                &[("name", copy_error)],
                async move { api::copy(&array, &request).await },
                move |volume| {
                    Outcome::Done(format!(
                        "Copied {source} to the new volume {} ({}).",
                        volume.name,
                        format_size(volume.provisioned)
                    ))
                },
            );
        })
    };
    let destroy = {
        let name = name.clone();
        Callback::new(move |()| {
            let (array, name) = (array.get_untracked(), name.clone());
            let patch = VolumeSnapshotPatch {
                destroyed: Some(true),
                ..VolumeSnapshotPatch::default()
            };
            let destroyed = (array.clone(), name.clone());
            task.refreshing().call(
                format!("Destroying {name}…"),
                &[],
                async move { api::change_snapshot(&destroyed.0, &destroyed.1, &patch).await },
                move |_| {
                    chosen.set(None);
                    Outcome::Destroyed(
                        format!(
                            "Destroyed {name}; it can be recovered {}.",
                            kept_for.get_untracked()
                        ),
                        RecycleAction {
                            array,
                            kind: RecycledKind::Snapshot,
                            name,
                        },
                    )
                },
            );
        })
    };
    let destroy_question = format!("Destroy snapshot {name} on {}?", array.get_untracked());
    let new_suffix = RwSignal::new(snapshot.suffix.clone());
    let suffix_error = RwSignal::new(None::<String>);
    let rename = {
        let name = name.clone();
        task.on_submit(move || {
            suffix_error.set(None);
            let suffix = new_suffix.get_untracked().trim().to_owned();
            if let Err(message) = shared::names::validate_object_name("Snapshot suffix", &suffix) {
                suffix_error.set(Some(message));
                return;
            }
            let (array, name) = (array.get_untracked(), name.clone());
            let patch = VolumeSnapshotPatch {
                name: Some(suffix),
                ..VolumeSnapshotPatch::default()
            };
            let renaming = name.clone();
            task.refreshing().call(
                format!("Renaming {name}…"),
                &[("name", suffix_error)],
                async move { api::change_snapshot(&array, &renaming, &patch).await },
                move |renamed| {
                    let done = Outcome::Done(format!("Renamed {name} to {}.", renamed.name));
                    chosen.set(Some(renamed));
                    done
                },
            );
        })
    };
    let direct = !from_group(&snapshot);
    view! {
        <div class="card" id="snapshot-panel" data-snapshot=name.clone()>
            <h3>{name.clone()}</h3>
            <p class="muted">
                "Taken " <Timestamp epoch_ms=snapshot.created /> ", " {format_size(snapshot.provisioned)}
                {if direct { " — taken directly" } else { " — taken by a protection group" }}
            </p>
            <Show when=move || session.may(Action::VolumeRestore)>
                <form class="stack" id="restore-form" on:submit=restore.clone() novalidate>
                    <h3>"Restore " {move || volume.get()} " to this point"</h3>
                    <p id="restore-preview">
                        "Size now " <strong>{size_now}</strong> ", after the restore "
                        <strong>{format_size(snapshot.provisioned)}</strong> ". " {hosts}
                    </p>
                    <label class="check">
                        <input
                            id="restore-safety"
                            type="checkbox"
                            bind:checked=safety
                            disabled=move || !session.allows(Role::Admin)
                        />
                        "First take a safety snapshot of what the volume holds now"
                        <Show when=move || !session.allows(Role::Admin)>
                            <span class="muted">" (only admins may skip it)"</span>
                        </Show>
                    </label>
                    <label class="check warning">
                        <input id="restore-confirm" type="checkbox" bind:checked=confirm />
                        "Replace the volume's current contents"
                    </label>
                    {move || confirm_error.get().map(|message| view! { <span id="restore-confirm-error" class="field-error" role="alert">{message}</span> })}
                    {move || (!safety.get()).then(|| view! {
                        <Field id="restore-type-name" label="No safety snapshot: type the volume's name to confirm" value=typed_name error=typed_error />
                    })}
                    {move || reason.held().then(|| view! {
                        <label>
                            <span>"Reason: a second person approves the restore before it runs"</span>
                            <textarea id="restore-reason" rows="2" maxlength="500" bind:value=reason.text></textarea>
                        </label>
                    })}
                    <SubmitButton id="restore-submit" class="danger" label="Restore" outcome />
                </form>
                <form class="inline" id="copy-form" on:submit=copy.clone() novalidate>
                    <Field id="copy-name" label="Copy to a new volume named" value=copy_name error=copy_error />
                    <SubmitButton id="copy-submit" label="Copy" outcome />
                </form>
                {direct.then(|| view! {
                    <form class="inline" id="rename-snapshot" on:submit=rename.clone() novalidate>
                        <Field id="snapshot-new-suffix" label="Rename: new suffix" value=new_suffix error=suffix_error />
                        <SubmitButton id="snapshot-rename" class="secondary" label="Rename" outcome />
                    </form>
                    <Confirm
                        id="snapshot-destroy"
                        label="Destroy snapshot…"
                        question=destroy_question.clone()
                        details=Signal::derive(move || format!("The volume keeps its current contents. The array keeps the snapshot {}; recover it until then.", kept_for.get()))
                        confirm_label="Destroy snapshot"
                        on_confirm=destroy
                    />
                })}
            </Show>
        </div>
    }
}
