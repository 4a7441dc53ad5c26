//! One host: its ports (add and remove), personality, what it sees from the host's side, and
//! delete.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::api::{Action, ConnectionQuery, validate_host_change};
use shared::flasharray::{Connection, Host, HostPatch};

use crate::api;
use crate::components::outcome::SubmitButton;
use crate::components::{
    Confirm, Field, Loaded, Outcome, OutcomeLine, PlainTable, Strength, Task, object_resource,
    use_array, use_param,
};
use crate::pages::hosts::{personalities, split_ports};
use crate::session::Session;

#[component]
pub fn HostPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let name = use_param("host");
    let host = object_resource(array, name, |array, name| async move {
        api::host(&array, &name).await
    });
    let connections = object_resource(array, name, |array, name| async move {
        let query = ConnectionQuery {
            host: Some(name),
            ..ConnectionQuery::default()
        };
        api::connections(&array, &query).await
    });
    view! {
        <h1>"Host " <span id="host-title">{name}</span></h1>
        <Loaded resource=host let:host>
            <HostDetail array host />
        </Loaded>
        <h2>"Volumes this host sees"</h2>
        <Loaded resource=connections loading="Loading connections…" let:connections>
            <HostConnections array connections />
        </Loaded>
        <Show when=move || session.may(Action::HostDelete)>
            <DeleteHost array name />
        </Show>
    }
}

#[component]
fn HostDetail(array: Memo<String>, host: Host) -> impl IntoView {
    let session = expect_context::<Session>();
    let task = Task::new();
    let outcome = task.outcome;
    let name = host.name.clone();
    let send = move |patch: HostPatch, label: String| {
        let patch = match validate_host_change(&patch) {
            Ok(patch) => patch,
            Err(error) => return outcome.set(Outcome::Failed(error.message)),
        };
        let (array, name) = (array.get_untracked(), name.clone());
        task.refreshing().call(
            format!("{label}…"),
            &[],
            async move { api::change_host(&array, &name, &patch).await },
            move |_| Outcome::Done(format!("{label}: done.")),
        );
    };
    let host_name = host.name.clone();
    let ports = host
        .iqns
        .iter()
        .map(|port| ("iqn", port.clone()))
        .chain(host.wwns.iter().map(|port| ("wwn", port.clone())))
        .chain(host.nqns.iter().map(|port| ("nqn", port.clone())))
        .map(|(kind, port)| {
            let send = send.clone();
            let removed = port.clone();
            let question = format!("Remove port {port} from {}?", host_name);
            let remove = Callback::new(move |()| {
                let mut patch = HostPatch::default();
                match kind {
                    "iqn" => patch.remove_iqns = vec![removed.clone()],
                    "wwn" => patch.remove_wwns = vec![removed.clone()],
                    _ => patch.remove_nqns = vec![removed.clone()],
                }
                send(patch, format!("Removing {removed}"));
            });
            view! {
                <li data-port=port.clone()>
                    <span class="mono">{port.clone()}</span>
                    <Show when=move || session.may(Action::HostChange)>
                        <Confirm
                            label="Remove…"
                            class="link remove-port"
                            question=question.clone()
                            details="The host stops reaching its volumes through this port; add it again to undo."
                            confirm_label="Remove port"
                            on_confirm=remove
                        />
                    </Show>
                </li>
            }
        })
        .collect_view();
    let added = RwSignal::new(String::new());
    let added_error = RwSignal::new(None::<String>);
    let kind = RwSignal::new("iqn".to_owned());
    let add = {
        let send = send.clone();
        task.on_submit(move || {
            added_error.set(None);
            let ports = split_ports(&added.get_untracked());
            if ports.is_empty() {
                added_error.set(Some("Type at least one port.".into()));
                return;
            }
            let mut patch = HostPatch::default();
            match kind.get_untracked().as_str() {
                "iqn" => patch.add_iqns = ports,
                "wwn" => patch.add_wwns = ports,
                _ => patch.add_nqns = ports,
            }
            if let Err(error) = validate_host_change(&patch) {
                added_error.set(Some(error.message));
                return;
            }
            added.set(String::new());
            send(patch, "Adding ports".into());
        })
    };
    let personality_change = {
        let send = send.clone();
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            let patch = HostPatch {
                personality: Some(value),
                ..HostPatch::default()
            };
            send(patch, "Setting the personality".into());
        }
    };
    let current_personality = host.personality.clone().unwrap_or_default();
    let group = host.host_group.name.clone();
    view! {
        <dl class="facts">
            <dt>"Host group"</dt>
            <dd id="host-group">{group.unwrap_or_else(|| "none".into())}</dd>
            <dt>"Connections"</dt>
            <dd>{host.connection_count}</dd>
        </dl>
        <h2>"Ports"</h2>
        <ul id="host-ports" class="ports">{ports}</ul>
        <Show when=move || session.may(Action::HostChange)>
            <form class="card inline" id="add-ports" on:submit=add.clone() novalidate>
                <label>
                    <span>"Kind"</span>
                    <select id="add-port-kind" on:change=move |event| kind.set(event_target_value(&event))>
                        <option value="iqn">"IQN"</option>
                        <option value="wwn">"WWN"</option>
                        <option value="nqn">"NQN"</option>
                    </select>
                </label>
                <Field id="add-port" label="Ports to add" placeholder="21:00:00:24:ff:4c:c5:6b" value=added error=added_error />
                <SubmitButton id="add-port-submit" label="Add" outcome />
            </form>
            <label>
                <span>"Personality"</span>
                <select id="host-personality-edit" on:change=personality_change.clone()>
                    {personalities()
                        .map(|value| {
                            let selected = value == current_personality;
                            view! { <option value=value selected=selected>{if value.is_empty() { "default" } else { value }}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        </Show>
        <OutcomeLine id="host-change-outcome" outcome />
    }
}

#[component]
fn HostConnections(array: Memo<String>, connections: Vec<Connection>) -> impl IntoView {
    if connections.is_empty() {
        return view! { <p class="muted" id="no-host-connections">"This host sees no volumes."</p> }.into_any();
    }
    let rows = connections
        .into_iter()
        .map(|connection| {
            let volume = connection.volume.name.unwrap_or_default();
            let href = format!("/arrays/{}/volumes/{volume}", array.get_untracked());
            let through = connection
                .host_group
                .name
                .map(|group| format!("host group {group}"))
                .unwrap_or_else(|| "this host".into());
            let key = volume.clone();
            view! {
                <tr data-volume=key>
                    <td><A href=href>{volume}</A></td>
                    <td class="num lun">{connection.lun}</td>
                    <td class="through">{through}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <PlainTable id="host-connections" headers=&["Volume", "LUN", "Through"]>{rows}</PlainTable>
    }
    .into_any()
}

#[component]
fn DeleteHost(array: Memo<String>, name: Memo<String>) -> impl IntoView {
    let navigate = use_navigate();
    let task = Task::new();
    let delete = Callback::new(move |()| {
        let (array, name) = (array.get_untracked(), name.get_untracked());
        let navigate = navigate.clone();
        let deleted = (array.clone(), name.clone());
        task.call(
            format!("Deleting {name}…"),
            &[],
            async move { api::delete_host(&deleted.0, &deleted.1).await },
            move |()| {
                navigate(&format!("/arrays/{array}/hosts"), Default::default());
                Outcome::Done(format!("Deleted host {name}."))
            },
        );
    });
    let question =
        Signal::derive(move || format!("Delete host {} on {}?", name.get(), array.get()));
    view! {
        <div class="card danger-zone">
            {move || {
                let name = name.get();
                view! {
                    <Confirm
                        id="delete-host"
                        label="Delete host…"
                        question
                        details="The array refuses while the host has connections. Its ports and personality are forgotten; a deleted host cannot be recovered."
                        confirm_label="Delete host"
                        strength=Strength::Irreversible(name)
                        task=task
                        on_confirm=delete
                    />
                }
            }}
            <OutcomeLine id="delete-host-outcome" outcome=task.outcome />
        </div>
    }
}
