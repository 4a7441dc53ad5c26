//! One array's hosts and host groups: create hosts with their ports, create host groups, put
//! hosts in and take them out, delete.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Action, CreateHostGroupRequest, CreateHostRequest, HostList, HostListQuery,
    validate_create_host,
};
use shared::flasharray::{HOST_PERSONALITIES, Host, HostGroup, HostPost};
use shared::listing::{Column, Value};

use crate::api::{self, ApiResult};
use crate::components::export::{CsvExport, Gather, paged_csv};
use crate::components::outcome::SubmitButton;
use crate::components::table::{EmptyState, PAGE_SIZE, Pager, SearchBox, SortHeader};
use crate::components::{
    Confirm, Field, ListTable, Loaded, NameForm, NameFormIds, Outcome, OutcomeLine, Row, Strength,
    Task, UrlState, array_resource, live_resource, show_problem, use_array,
};
use crate::session::Session;

/// The personality choices: the default (empty), then those the array takes.
pub fn personalities() -> impl Iterator<Item = &'static str> {
    std::iter::once("").chain(HOST_PERSONALITIES.iter().copied())
}

/// Ports typed one per line or separated by commas or spaces.
pub fn split_ports(text: &str) -> Vec<String> {
    text.split([',', '\n', ' '])
        .map(str::trim)
        .filter(|port| !port.is_empty())
        .map(str::to_owned)
        .collect()
}

fn list_query(state: &UrlState) -> HostListQuery {
    let search = state.search();
    HostListQuery {
        limit: Some(PAGE_SIZE),
        offset: Some(state.offset()),
        sort: Some(state.sort()),
        search: (!search.is_empty()).then_some(search),
    }
}

/// A host's ports of every kind, as the table shows them.
fn ports_of(host: &Host) -> Vec<String> {
    host.iqns
        .iter()
        .chain(&host.wwns)
        .chain(&host.nqns)
        .cloned()
        .collect()
}

const HOST_CSV: &[Column] = &[
    Column::data("name", "Host"),
    Column::data("host_group", "Host group"),
    Column::data("ports", "Ports"),
    Column::data("personality", "Personality"),
    Column::data("connections", "Connections"),
];

/// Every host the search matches, in the list's order, as CSV.
fn hosts_csv(array: Memo<String>, state: UrlState) -> Gather {
    paged_csv(
        HOST_CSV,
        array,
        move || list_query(&state),
        |array, query, offset, limit| async move {
            let query = HostListQuery {
                offset: Some(offset),
                limit: Some(limit),
                ..query
            };
            let list = api::hosts(&array, &query).await?;
            let rows = list
                .items
                .into_iter()
                .map(|host| {
                    let ports = ports_of(&host).join(" ");
                    vec![
                        Value::from(host.name),
                        Value::from(host.host_group.name.unwrap_or_default()),
                        Value::from(ports),
                        Value::from(host.personality.unwrap_or_default()),
                        Value::from(host.connection_count),
                    ]
                })
                .collect();
            Ok((rows, list.total_item_count))
        },
    )
}

#[component]
pub fn Hosts() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let state = UrlState::new("name");
    let group_state = UrlState::prefixed("name", "groups_");
    let page = live_resource(move || {
        let name = array.get();
        let query = list_query(&state);
        async move { api::hosts(&name, &query).await }
    });
    // Every host (a page of the array's most), for the groups' members and the add-host picker.
    let hosts = array_resource(array, |array| async move {
        api::hosts(&array, &HostListQuery::default()).await
    });
    let groups = array_resource(array, |array| async move { api::host_groups(&array).await });
    view! {
        <h1>"Hosts on " {array}</h1>
        <Show when=move || session.may(Action::HostCreate)>
            <CreateHost array />
        </Show>
        <div class="toolbar">
            <SearchBox id="host-search" label="Search hosts" state />
            <CsvExport id="hosts-csv" file=Signal::derive(move || format!("{}-hosts.csv", array.get())) gather=hosts_csv(array, state) />
        </div>
        <Loaded resource=page loading="Loading hosts…" error_id="hosts-error" let:hosts>
            <HostTable array hosts state />
        </Loaded>
        <h2>"Host groups"</h2>
        <Show when=move || session.may(Action::HostGroupCreate)>
            <CreateHostGroup array />
        </Show>
        <div class="toolbar">
            <SearchBox id="host-group-search" label="Search host groups" placeholder="group or host name" state=group_state />
        </div>
        <Loaded resource=groups loading="Loading host groups…" let:groups>
            <GroupTable
                array
                groups
                hosts=hosts.get().and_then(Result::ok).map(|list| list.items).unwrap_or_default()
                state=group_state
            />
        </Loaded>
    }
}

#[component]
fn HostTable(array: Memo<String>, hosts: HostList, state: UrlState) -> impl IntoView {
    let total = hosts.total_item_count;
    let hosts = hosts.items;
    let shown = hosts.len();
    let empty = (total == 0).then(|| {
        let text = if state.search().is_empty() {
            "This array has no hosts yet."
        } else {
            "No host's name contains that text."
        };
        view! { <EmptyState id="hosts-empty" text /> }
    });
    let rows = hosts
        .into_iter()
        .map(|host| {
            let href = format!("/arrays/{}/hosts/{}", array.get_untracked(), host.name);
            let ports = ports_of(&host);
            let key = host.name.clone();
            view! {
                <tr data-host=key>
                    <td class="name"><A href=href>{host.name}</A></td>
                    <td class="group">{host.host_group.name.unwrap_or_default()}</td>
                    <td class="mono ports">{ports.join(" ")}</td>
                    <td class="personality">{host.personality.unwrap_or_default()}</td>
                    <td class="num connections">{host.connection_count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table id="hosts">
            <thead>
                <tr>
                    <SortHeader key="name" label="Host" state />
                    <SortHeader key="host_group" label="Host group" state />
                    <th>"Ports"</th>
                    <th>"Personality"</th>
                    <SortHeader key="connections" label="Connections" state />
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
        <Pager total shown state />
    }
    .into_any()
}

/// A host with IQNs, WWNs (any common spelling) or NQNs, normalised before they are sent.
#[component]
fn CreateHost(array: Memo<String>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let iqns = RwSignal::new(String::new());
    let wwns = RwSignal::new(String::new());
    let nqns = RwSignal::new(String::new());
    let personality = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let iqns_error = RwSignal::new(None::<String>);
    let wwns_error = RwSignal::new(None::<String>);
    let nqns_error = RwSignal::new(None::<String>);
    let ports_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let outcome = task.outcome;
    let fields = [
        ("name", name_error),
        ("iqns", iqns_error),
        ("wwns", wwns_error),
        ("nqns", nqns_error),
        ("ports", ports_error),
    ];
    let submit = task.on_submit(move || {
        for (_, error) in fields {
            error.set(None);
        }
        let personality_choice = personality.get_untracked();
        let request = CreateHostRequest {
            name: name.get_untracked().trim().to_owned(),
            host: HostPost {
                iqns: split_ports(&iqns.get_untracked()),
                wwns: split_ports(&wwns.get_untracked()),
                nqns: split_ports(&nqns.get_untracked()),
                personality: (!personality_choice.is_empty()).then_some(personality_choice),
                chap: None,
            },
        };
        let request = match validate_create_host(&request) {
            Ok(request) => request,
            Err(problem) => {
                show_problem(&fields, problem, outcome);
                return;
            }
        };
        let array = array.get_untracked();
        task.refreshing().call(
            format!("Creating host {}…", request.name),
            &fields,
            async move { api::create_host(&array, &request).await },
            move |host| {
                for field in [name, iqns, wwns, nqns] {
                    field.set(String::new());
                }
                Outcome::Done(format!("Created host {}.", host.name))
            },
        );
    });
    view! {
        <div class="card">
            <form class="inline" id="create-host" on:submit=submit novalidate>
                <Field id="host-name" label="Host name" placeholder="host1" value=name error=name_error />
                <Field id="host-iqns" label="IQNs" placeholder="iqn.2001-04.com.example:host1" value=iqns error=iqns_error />
                <Field id="host-wwns" label="WWNs" placeholder="21:00:00:24:ff:4c:c5:6a" value=wwns error=wwns_error />
                <Field id="host-nqns" label="NQNs" placeholder="nqn.2014-08.org.nvmexpress:uuid:…" value=nqns error=nqns_error />
                <label>
                    <span>"Personality"</span>
                    <select id="host-personality" on:change=move |event| personality.set(event_target_value(&event))>
                        {personalities()
                            .map(|value| view! { <option value=value>{if value.is_empty() { "default" } else { value }}</option> })
                            .collect_view()}
                    </select>
                </label>
                <SubmitButton id="host-create" label="Create host" outcome />
            </form>
            {move || ports_error.get().map(|message| view! { <p id="host-ports-error" class="error" role="alert">{message}</p> })}
            <OutcomeLine id="host-outcome" outcome />
        </div>
    }
}

#[component]
fn CreateHostGroup(array: Memo<String>) -> impl IntoView {
    let ids = NameFormIds {
        form: "create-host-group",
        field: "group-name",
        button: "group-create",
        outcome: "group-outcome",
    };
    let create = move |name: String| {
        let array = array.get_untracked();
        async move { api::create_host_group(&array, &CreateHostGroupRequest { name }).await }
    };
    view! {
        <NameForm
            ids
            kind="Host group"
            label="Host group name"
            placeholder="hgroup1"
            button="Create host group"
            running="Creating host group…"
            create
        />
    }
}

const GROUP_COLUMNS: &[Column] = &[
    Column::data("name", "Host group"),
    Column::data("members", "Hosts"),
    Column::data("connections", "Connections"),
    Column::actions("Actions"),
];

/// Each group with its hosts; add a host, take one out, delete the group.
#[component]
fn GroupTable(
    array: Memo<String>,
    groups: Vec<HostGroup>,
    hosts: Vec<Host>,
    state: UrlState,
) -> impl IntoView {
    let task = Task::new();
    let host_names: Vec<String> = hosts.iter().map(|host| host.name.clone()).collect();
    let rows = groups
        .into_iter()
        .map(|group| {
            let members: Vec<String> = hosts
                .iter()
                .filter(|host| host.host_group.name.as_deref() == Some(group.name.as_str()))
                .map(|host| host.name.clone())
                .collect();
            let values = vec![
                Value::from(group.name.as_str()),
                Value::from(members.join(" ")),
                Value::from(group.connection_count),
            ];
            let (name, connections) = (group.name, group.connection_count);
            Row::new(values, move || {
                view! {
                    <HostGroupRow array name=name.clone() members=members.clone() connections task />
                }
                .into_any()
            })
        })
        .collect();
    let file = format!("{}-host-groups.csv", array.get_untracked());
    view! {
        <ListTable
            id="host-groups"
            columns=GROUP_COLUMNS
            rows
            state
            file
            empty_id="groups-empty"
            empty="This array has no host groups yet."
        />
        <datalist id="host-names">
            {host_names.into_iter().map(|name| view! { <option value=name></option> }).collect_view()}
        </datalist>
        <OutcomeLine id="groups-outcome" outcome=task.outcome />
    }
}

#[component]
fn HostGroupRow(
    array: Memo<String>,
    name: String,
    members: Vec<String>,
    connections: u32,
    task: Task,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let act =
        move |label: String,
              call: std::pin::Pin<Box<dyn std::future::Future<Output = ApiResult<()>>>>| {
            task.refreshing()
                .call(format!("{label}…"), &[], call, move |()| {
                    Outcome::Done(format!("{label}: done."))
                });
        };
    let adding = RwSignal::new(String::new());
    let group_name = name.clone();
    let member_views = members
        .into_iter()
        .map(|host| {
            let group_name = group_name.clone();
            let question = format!("Remove {host} from host group {group_name}?");
            let remove = {
                let host = host.clone();
                Callback::new(move |()| {
                    let (array, group, host) = (array.get_untracked(), group_name.clone(), host.clone());
                    act(
                        format!("Removing {host} from {group}"),
                        Box::pin(async move { api::remove_from_group(&array, &group, &host).await }),
                    );
                })
            };
            view! {
                <span class="member" data-member=host.clone()>
                    {host.clone()}
                    <Show when=move || session.may(Action::HostGroupRemoveHost)>
                        <Confirm
                            label="Remove…"
                            class="link remove-member"
                            question=question.clone()
                            details="It loses the volumes connected to the group; add it again to undo."
                            confirm_label="Remove from group"
                            on_confirm=remove
                        />
                    </Show>
                </span>
            }
        })
        .collect_view();
    let add = {
        let group_name = group_name.clone();
        task.on_submit(move || {
            let host = adding.get_untracked().trim().to_owned();
            let (array, group) = (array.get_untracked(), group_name.clone());
            act(
                format!("Adding {host} to {group}"),
                Box::pin(async move { api::add_to_group(&array, &group, &host).await }),
            );
        })
    };
    let delete = {
        let group_name = group_name.clone();
        Callback::new(move |()| {
            let (array, group) = (array.get_untracked(), group_name.clone());
            act(
                format!("Deleting host group {group}"),
                Box::pin(async move { api::delete_host_group(&array, &group).await }),
            );
        })
    };
    let question = format!(
        "Delete host group {group_name} on {}?",
        array.get_untracked()
    );
    let add_label = format!("Host to add to {group_name}");
    let strength = Strength::Irreversible(group_name.clone());
    let key = name.clone();
    view! {
        <tr data-group=key>
            <td class="name">{name}</td>
            <td class="members">{member_views}</td>
            <td class="num connections">{connections}</td>
            <td class="actions">
                <Show when=move || session.may(Action::HostGroupAddHost)>
                    <form class="inline compact add-member" on:submit=add.clone()>
                        <input class="add-member-name" placeholder="host name" list="host-names"
                            aria-label=add_label.clone() bind:value=adding />
                        <button class="secondary" type="submit">"Add host"</button>
                    </form>
                    <Confirm
                        label="Delete…"
                        class="danger delete-group"
                        question=question.clone()
                        details="The array refuses while the group has hosts or connections. A deleted group cannot be recovered."
                        confirm_label="Delete host group"
                        strength=strength.clone()
                        on_confirm=delete
                    />
                </Show>
            </td>
        </tr>
    }
}
