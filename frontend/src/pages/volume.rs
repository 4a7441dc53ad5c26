//! One volume: its figures, resize (shrinking only after a truncate confirmation), rename,
//! QoS limits, its connections from the volume's side, and destroy.

use leptos::prelude::*;

use crate::components::live::Answer;
use leptos_router::hooks::use_navigate;
use shared::api::Action;
use shared::api::{
    ConnectionQuery, ConnectionRequest, RecycleAction, RecycledKind, VolumeChange,
    validate_connection,
};
use shared::flasharray::{Connection, LimitPatch, QosPatch, Volume, VolumePatch};
use shared::size::{format_size, parse_size, parse_volume_size};

use crate::api::{self, ApiResult};
use crate::components::chart::HistoryCharts;
use crate::components::field::host_or_group_names;
use crate::components::outcome::{RecoverButton, SubmitButton};
use crate::components::{
    Confirm, Field, Live, Loaded, Outcome, OutcomeLine, Picker, PlainTable, Task, Timestamp,
    failure_outcome, object_resource, use_array, use_kept_for, use_param,
};
use crate::pages::replication::VolumeCopiesCard;
use crate::pages::snapshots::VolumeSnapshots;
use crate::session::Session;

#[component]
pub fn VolumePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let name = use_param("volume");
    let volume = object_resource(array, name, |array, name| async move {
        api::volume(&array, &name).await
    });
    let connections = object_resource(array, name, |array, name| async move {
        let query = ConnectionQuery {
            volume: Some(name),
            ..ConnectionQuery::default()
        };
        api::connections(&array, &query).await
    });
    // Outcomes live here, above the forms, so they outlast the refresh after an action.
    let resize_outcome = RwSignal::new(Outcome::Idle);
    let qos_outcome = RwSignal::new(Outcome::Idle);
    // A destroyed volume takes no change but its recovery: its forms would only be refused.
    let destroyed = Signal::derive(move || {
        volume
            .get()
            .is_some_and(|answer| answer.is_ok_and(|volume| volume.destroyed))
    });
    let kept_for = use_kept_for();

    view! {
        <h1>"Volume " <span id="volume-title">{name}</span></h1>
        <Loaded resource=volume error_id="volume-error" let:volume>
            <VolumeFacts volume=volume.clone() />
            {volume.destroyed.then(|| view! {
                <p class="card destroyed-note" id="volume-destroyed">
                    "Destroyed: no host sees it, and the array keeps it " {kept_for}
                    " before eradicating it. Recover it to change it. "
                    <RecoverButton action=RecycleAction {
                        array: array.get_untracked(),
                        kind: RecycledKind::Volume,
                        name: volume.name.clone(),
                    } />
                </p>
            })}
            <Show when=move || session.may(Action::VolumeChange) && !destroyed.get()>
                <div class="grid">
                    <Resize array volume=volume.clone() outcome=resize_outcome />
                    <Rename array name />
                    <QosLimits array volume=volume.clone() outcome=qos_outcome />
                </div>
            </Show>
        </Loaded>
        <h2>"History"</h2>
        <HistoryCharts array volume=name />
        <h2>"Connections"</h2>
        <Loaded resource=connections loading="Loading connections…" let:list>
            <ConnectionTable array volume=name connections=list />
        </Loaded>
        <Show when=move || session.may(Action::ConnectionCreate) && !destroyed.get()>
            <Connect array volume=name />
        </Show>
        <VolumeSnapshots array volume=name current=volume connections />
        <VolumeCopiesCard array volume=name />
        <Show when=move || session.may(Action::VolumeChange)>
            <Destroy array volume=name connections destroyed />
        </Show>
    }
}

#[component]
fn VolumeFacts(volume: Volume) -> impl IntoView {
    let limit = |value: Option<u64>, unit: &str| match value {
        Some(value) if unit == "/s" => format!("{}/s", format_size(value)),
        Some(value) => format!("{value} {unit}"),
        None => "unlimited".to_owned(),
    };
    view! {
        <dl class="facts" id="volume-facts">
            <dt>"Provisioned"</dt><dd id="fact-provisioned">{format_size(volume.provisioned)}</dd>
            <dt>"Serial"</dt><dd class="mono">{volume.serial}</dd>
            <dt>"Created"</dt><dd><Timestamp epoch_ms=volume.created /></dd>
            <dt>"Bandwidth limit"</dt><dd id="fact-bandwidth">{limit(volume.qos.bandwidth_limit, "/s")}</dd>
            <dt>"IOPS limit"</dt><dd id="fact-iops">{limit(volume.qos.iops_limit, "IOPS")}</dd>
            <dt>"State"</dt><dd id="fact-state">{if volume.destroyed { "destroyed" } else { "in use" }}</dd>
        </dl>
        <SpaceBreakdown space=volume.space />
    }
}

/// Space as Purity's volume view breaks it down: written data by kind, then the ratios.
#[component]
fn SpaceBreakdown(space: shared::flasharray::Space) -> impl IntoView {
    let size = |value: Option<u64>| value.map(format_size).unwrap_or_else(|| "—".to_owned());
    let ratio = |value: Option<f64>| {
        value
            .map(|ratio| format!("{ratio:.1} to 1"))
            .unwrap_or_else(|| "—".to_owned())
    };
    let thin = space
        .thin_provisioning
        .map(|share| format!("{:.0} %", share * 100.0))
        .unwrap_or_else(|| "—".to_owned());
    view! {
        <h2>"Space"</h2>
        <dl class="facts" id="volume-space">
            <dt>"Unique"</dt><dd id="space-unique">{size(space.unique)}</dd>
            <dt>"Snapshots"</dt><dd id="space-snapshots">{size(space.snapshots)}</dd>
            <dt>"Shared"</dt><dd id="space-shared">{size(space.shared)}</dd>
            <dt>"Total physical"</dt><dd id="space-total">{size(space.total_physical)}</dd>
            <dt>"Written (virtual)"</dt><dd id="space-virtual">{size(space.virtual_)}</dd>
            <dt>"Data reduction"</dt><dd id="space-reduction">{ratio(space.data_reduction)}</dd>
            <dt>"Total reduction"</dt><dd>{ratio(space.total_reduction)}</dd>
            <dt>"Thin provisioning"</dt><dd id="space-thin">{thin}</dd>
        </dl>
    }
}

fn change(patch: VolumePatch, truncate: bool) -> VolumeChange {
    VolumeChange { patch, truncate }
}

/// Grow freely; shrinking asks for an explicit confirmation that data past the new end is lost.
#[component]
fn Resize(array: Memo<String>, volume: Volume, outcome: RwSignal<Outcome>) -> impl IntoView {
    let task = Task::over(outcome);
    let size = RwSignal::new(String::new());
    let size_error = RwSignal::new(None::<String>);
    let truncate = RwSignal::new(false);
    let current = volume.provisioned;
    let name = volume.name.clone();
    let shrinking = move || parse_volume_size(&size.get()).is_ok_and(|bytes| bytes < current);
    let submit = task.on_submit(move || {
        size_error.set(None);
        let bytes = match parse_volume_size(&size.get_untracked()) {
            Ok(bytes) => bytes,
            Err(error) => {
                size_error.set(Some(error.to_string()));
                return;
            }
        };
        if bytes < current && !truncate.get_untracked() {
            size_error.set(Some(format!(
                "Shrinking from {} to {} discards data past the new end: tick the box to confirm.",
                format_size(current),
                format_size(bytes)
            )));
            return;
        }
        let (array, name) = (array.get_untracked(), name.clone());
        let request = change(
            VolumePatch {
                provisioned: Some(bytes),
                ..VolumePatch::default()
            },
            bytes < current,
        );
        task.refreshing().call(
            "Resizing…",
            &[("provisioned", size_error)],
            async move { api::change_volume(&array, &name, &request).await },
            move |volume| {
                size.set(String::new());
                truncate.set(false);
                Outcome::Done(format!("Now {}.", format_size(volume.provisioned)))
            },
        );
    });
    view! {
        <form class="card stack" id="resize-volume" on:submit=submit novalidate>
            <h3>"Resize"</h3>
            <Field id="resize-size" label="New size" placeholder="10G" value=size error=size_error />
            <Show when=shrinking>
                <label class="check warning">
                    <input id="truncate-confirm" type="checkbox" bind:checked=truncate />
                    "Shrink and discard the data past the new end"
                </label>
            </Show>
            <SubmitButton id="resize-submit" label="Resize" outcome />
            <OutcomeLine id="resize-outcome" outcome />
        </form>
    }
}

#[component]
fn Rename(array: Memo<String>, name: Memo<String>) -> impl IntoView {
    let navigate = use_navigate();
    let new_name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let outcome = task.outcome;
    let submit = task.on_submit(move || {
        name_error.set(None);
        let wanted = new_name.get_untracked().trim().to_owned();
        if let Err(message) = shared::names::validate_volume_name(&wanted) {
            name_error.set(Some(message));
            return;
        }
        let (on, current) = (array.get_untracked(), name.get_untracked());
        let navigate = navigate.clone();
        let request = change(
            VolumePatch {
                name: Some(wanted),
                ..VolumePatch::default()
            },
            false,
        );
        task.call(
            "Renaming…",
            &[("name", name_error)],
            async move { api::change_volume(&on, &current, &request).await },
            move |volume| {
                navigate(
                    &format!("/arrays/{}/volumes/{}", array.get_untracked(), volume.name),
                    Default::default(),
                );
                Outcome::Done(format!("Renamed to {}.", volume.name))
            },
        );
    });
    view! {
        <form class="card stack" id="rename-volume" on:submit=submit novalidate>
            <h3>"Rename"</h3>
            <Field id="rename-name" label="New name" placeholder="vol2" value=new_name error=name_error />
            <SubmitButton id="rename-submit" label="Rename" outcome />
            <OutcomeLine id="rename-outcome" outcome />
        </form>
    }
}

/// Bandwidth as a size per second (`500M`) and IOPS as a number; empty removes a limit.
#[component]
fn QosLimits(array: Memo<String>, volume: Volume, outcome: RwSignal<Outcome>) -> impl IntoView {
    let task = Task::over(outcome);
    let bandwidth = RwSignal::new(
        volume
            .qos
            .bandwidth_limit
            .map(format_size)
            .unwrap_or_default()
            .replace(' ', ""),
    );
    let iops = RwSignal::new(
        volume
            .qos
            .iops_limit
            .map(|value| value.to_string())
            .unwrap_or_default(),
    );
    let bandwidth_error = RwSignal::new(None::<String>);
    let iops_error = RwSignal::new(None::<String>);
    let name = volume.name.clone();
    let submit = task.on_submit(move || {
        bandwidth_error.set(None);
        iops_error.set(None);
        let bandwidth_text = bandwidth.get_untracked().trim().to_owned();
        let iops_text = iops.get_untracked().trim().to_owned();
        let bandwidth_limit = if bandwidth_text.is_empty() {
            LimitPatch::Unset(String::new())
        } else {
            match parse_size(&bandwidth_text) {
                Ok(bytes) => LimitPatch::Limit(bytes),
                Err(error) => {
                    bandwidth_error.set(Some(error.to_string()));
                    return;
                }
            }
        };
        let iops_limit = if iops_text.is_empty() {
            LimitPatch::Unset(String::new())
        } else {
            match iops_text.replace(',', "").parse::<u64>() {
                Ok(value) => LimitPatch::Limit(value),
                Err(_) => {
                    iops_error.set(Some(format!(
                        "{iops_text:?} is not a whole number of IOPS."
                    )));
                    return;
                }
            }
        };
        let (array, name) = (array.get_untracked(), name.clone());
        let request = change(
            VolumePatch {
                qos: Some(QosPatch {
                    bandwidth_limit: Some(bandwidth_limit),
                    iops_limit: Some(iops_limit),
                }),
                ..VolumePatch::default()
            },
            false,
        );
        task.refreshing().call(
            "Setting limits…",
            &[],
            async move { api::change_volume(&array, &name, &request).await },
            move |_| Outcome::Done("Limits set.".into()),
        );
    });
    view! {
        <form class="card stack" id="qos-volume" on:submit=submit novalidate>
            <h3>"QoS limits"</h3>
            <Field id="qos-bandwidth" label="Bandwidth per second (empty: unlimited)" placeholder="500M" value=bandwidth error=bandwidth_error />
            <Field id="qos-iops" label="IOPS (empty: unlimited)" placeholder="20000" value=iops error=iops_error />
            <SubmitButton id="qos-submit" label="Set limits" outcome />
            <OutcomeLine id="qos-outcome" outcome />
        </form>
    }
}

fn target_of(connection: &Connection) -> (Option<String>, Option<String>) {
    // A connection through a host group names the group; a private one names the host.
    match &connection.host_group.name {
        Some(group) => (None, Some(group.clone())),
        None => (connection.host.name.clone(), None),
    }
}

#[component]
fn ConnectionTable(
    array: Memo<String>,
    volume: Memo<String>,
    connections: Vec<Connection>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let task = Task::new();
    if connections.is_empty() {
        return view! { <p class="muted" id="no-connections">"Not connected to any host."</p> }
            .into_any();
    }
    let rows = connections
        .into_iter()
        .map(|connection| {
            let (host, host_group) = target_of(&connection);
            let label = match (&host, &host_group) {
                (_, Some(group)) => format!("host group {group}"),
                (Some(host), None) => format!("host {host}"),
                (None, None) => String::new(),
            };
            let key = host.clone().or(host_group.clone()).unwrap_or_default();
            let question = format!("Disconnect {} from {label}?", volume.get_untracked());
            let details =
                "The host loses access at once; I/O in flight fails. Connect it again to undo.";
            let disconnect = Callback::new(move |()| {
                let request = ConnectionRequest {
                    volume: volume.get_untracked(),
                    host: host.clone(),
                    host_group: host_group.clone(),
                    lun: None,
                };
                let array = array.get_untracked();
                task.refreshing().call(
                    "Disconnecting…",
                    &[],
                    async move { api::disconnect(&array, &request).await },
                    move |()| Outcome::Done("Disconnected.".into()),
                );
            });
            view! {
                <tr data-target=key>
                    <td>{label}</td>
                    <td class="num lun">{connection.lun}</td>
                    <td>
                        <Show when=move || session.may(Action::ConnectionDelete)>
                            <Confirm
                                label="Disconnect…"
                                class="secondary disconnect"
                                question=question.clone()
                                details=details
                                confirm_label="Disconnect"
                                task
                                on_confirm=disconnect
                            />
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="volume-connections" headers=&["Seen by", "LUN", "Actions"]>{rows}</PlainTable>
        <OutcomeLine id="disconnect-outcome" outcome=task.outcome />
    }
    .into_any()
}

#[component]
fn Connect(array: Memo<String>, volume: Memo<String>) -> impl IntoView {
    let kind = RwSignal::new("host".to_owned());
    let target = RwSignal::new(String::new());
    let lun = RwSignal::new(String::new());
    let target_error = RwSignal::new(None::<String>);
    let lun_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let outcome = task.outcome;
    let submit = task.on_submit(move || {
        target_error.set(None);
        lun_error.set(None);
        let lun_text = lun.get_untracked().trim().to_owned();
        let lun_value = if lun_text.is_empty() {
            None
        } else {
            match lun_text.parse::<u32>() {
                Ok(value) => Some(value),
                Err(_) => {
                    lun_error.set(Some(format!("{lun_text:?} is not a LUN: use 1 to 4095.")));
                    return;
                }
            }
        };
        let name = target.get_untracked().trim().to_owned();
        let name = (!name.is_empty()).then_some(name);
        let request = if kind.get_untracked() == "host" {
            ConnectionRequest {
                volume: volume.get_untracked(),
                host: name,
                host_group: None,
                lun: lun_value,
            }
        } else {
            ConnectionRequest {
                volume: volume.get_untracked(),
                host: None,
                host_group: name,
                lun: lun_value,
            }
        };
        if let Err(error) = validate_connection(&request) {
            match error.field.as_deref() {
                Some("lun") => lun_error.set(Some(error.message)),
                _ => target_error.set(Some(error.message)),
            }
            return;
        }
        let array = array.get_untracked();
        task.refreshing().call(
            "Connecting…",
            &[("lun", lun_error), ("target", target_error)],
            async move { api::connect(&array, &request).await },
            move |connection| {
                target.set(String::new());
                lun.set(String::new());
                Outcome::Done(format!("Connected at LUN {}.", connection.lun))
            },
        );
    });
    view! {
        <form class="card inline" id="connect-volume" on:submit=submit novalidate>
            <label>
                <span>"Connect to"</span>
                <select id="connect-kind" on:change=move |event| kind.set(event_target_value(&event))>
                    <option value="host">"host"</option>
                    <option value="host_group">"host group"</option>
                </select>
            </label>
            <Picker id="connect-target" label="Name" placeholder="host1" value=target error=target_error options=host_or_group_names(array, kind) />
            <Field id="connect-lun" label="LUN (optional)" placeholder="1" value=lun error=lun_error />
            <SubmitButton id="connect-submit" label="Connect" outcome />
        </form>
        <OutcomeLine id="connect-outcome" outcome />
    }
}

/// Destroy, after saying which hosts see the volume; when the array refuses because hosts
/// still see it, offer to disconnect them all first. The outcome offers Recover.
#[component]
fn Destroy(
    array: Memo<String>,
    volume: Memo<String>,
    connections: Answer<ApiResult<Vec<Connection>>>,
    destroyed: Signal<bool>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let live = expect_context::<Live>();
    let task = Task::new();
    let kept_for = use_kept_for();
    let blocked = RwSignal::new(false);
    let seen_by = move || -> Vec<String> {
        match connections.get() {
            Some(Ok(list)) => list
                .iter()
                .map(|connection| match target_of(connection) {
                    (_, Some(group)) => format!("host group {group}"),
                    (host, None) => format!("host {}", host.unwrap_or_default()),
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let details = Signal::derive(move || {
        let seen = seen_by();
        let hosts = if seen.is_empty() {
            "No host sees it.".to_owned()
        } else {
            format!(
                "Seen by {}: the array refuses to destroy a connected volume.",
                seen.join(", ")
            )
        };
        format!(
            "{hosts} Its snapshots stay. The array keeps a destroyed volume {}; recover it until then.",
            kept_for.get()
        )
    });
    let destroy = move |disconnect_first: bool| {
        let (array, name) = (array.get_untracked(), volume.get_untracked());
        task.start("Destroying…", async move {
            if disconnect_first {
                let query = ConnectionQuery {
                    volume: Some(name.clone()),
                    ..ConnectionQuery::default()
                };
                let current = match api::connections(&array, &query).await {
                    Ok(current) => current,
                    Err(failure) => return failure_outcome(session, &failure, &[]),
                };
                for connection in current {
                    let (host, host_group) = target_of(&connection);
                    let request = ConnectionRequest {
                        volume: name.clone(),
                        host,
                        host_group,
                        lun: None,
                    };
                    if let Err(failure) = api::disconnect(&array, &request).await {
                        live.changed();
                        return failure_outcome(session, &failure, &[]);
                    }
                }
            }
            let request = change(
                VolumePatch {
                    destroyed: Some(true),
                    ..VolumePatch::default()
                },
                false,
            );
            let result = api::change_volume(&array, &name, &request).await;
            live.changed();
            match result {
                Ok(_) => {
                    blocked.set(false);
                    Outcome::Destroyed(
                        format!(
                            "Destroyed {name} on {array}; it can be recovered {}.",
                            kept_for.get_untracked()
                        ),
                        RecycleAction {
                            array,
                            kind: RecycledKind::Volume,
                            name,
                        },
                    )
                }
                Err(failure) => {
                    // Decided by what the array holds, not by the wording of its refusal.
                    let query = ConnectionQuery {
                        volume: Some(name.clone()),
                        ..ConnectionQuery::default()
                    };
                    let connected = api::connections(&array, &query)
                        .await
                        .is_ok_and(|list| !list.is_empty());
                    blocked.set(connected);
                    failure_outcome(session, &failure, &[])
                }
            }
        });
    };
    let question = Signal::derive(move || format!("Destroy {} on {}?", volume.get(), array.get()));
    let disconnect_details = Signal::derive(move || {
        format!(
            "Disconnects {} first: they lose access at once. Then destroys the volume, recoverable {}.",
            seen_by().join(", "),
            kept_for.get()
        )
    });
    // A connected volume is offered the way the array takes: disconnected first. Until its
    // connections are known, neither is offered; if they cannot be read, the array decides.
    let connected = move || !seen_by().is_empty() || blocked.get();
    let unconnected = move || {
        !blocked.get()
            && match connections.get() {
                Some(Ok(list)) => list.is_empty(),
                Some(Err(_)) => true,
                None => false,
            }
    };
    view! {
        <div class="card danger-zone">
            <Show when=move || !destroyed.get() && unconnected()>
                <Confirm
                    id="destroy-volume"
                    label="Destroy volume…"
                    question
                    details
                    confirm_label="Destroy"
                    task=task
                    on_confirm=Callback::new(move |()| destroy(false))
                />
            </Show>
            <OutcomeLine id="destroy-outcome" outcome=task.outcome />
            <Show when=move || !destroyed.get() && connected()>
                <Confirm
                    id="destroy-disconnect"
                    label="Disconnect from every host, then destroy…"
                    question
                    details=disconnect_details
                    confirm_label="Disconnect and destroy"
                    task=task
                    on_confirm=Callback::new(move |()| destroy(true))
                />
            </Show>
        </div>
    }
}
