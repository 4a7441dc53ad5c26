//! One array's protection groups: what each protects, when it snapshots and how long it keeps
//! them, in plain words; and creating one.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{Action, CreateProtectionGroupRequest, describe_retention, describe_schedule};
use shared::flasharray::ProtectionGroup;

use crate::api;
use crate::components::table::EmptyState;
use crate::components::{Loaded, NameForm, NameFormIds, live_resource, use_array};
use crate::session::Session;

#[component]
pub fn ProtectionGroups() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let groups = live_resource(move || {
        let array = array.get();
        async move { api::protection_groups(&array).await }
    });
    view! {
        <h1>"Protection groups on " {array}</h1>
        <Show when=move || session.may(Action::ProtectionGroupCreate)>
            <CreateGroup array />
        </Show>
        <Loaded resource=groups loading="Loading protection groups…" let:groups>
            <GroupTable array groups />
        </Loaded>
    }
}

#[component]
fn GroupTable(array: Memo<String>, groups: Vec<ProtectionGroup>) -> impl IntoView {
    let empty = groups.is_empty().then(|| {
        view! {
            <EmptyState id="groups-empty" text="This array has no protection groups yet." />
        }
    });
    let rows = groups
        .into_iter()
        .map(|group| {
            let href = format!(
                "/arrays/{}/protection/{}",
                array.get_untracked(),
                group.name
            );
            let members = match (group.volume_count, group.host_count, group.host_group_count) {
                (0, 0, 0) => "nothing yet".to_owned(),
                (volumes, 0, 0) => format!("{volumes} volume(s)"),
                (0, hosts, 0) => format!("{hosts} host(s)"),
                (_, _, groups) => format!("{groups} host group(s)"),
            };
            let key = group.name.clone();
            view! {
                <tr data-group=key>
                    <td class="name"><A href=href>{group.name}</A></td>
                    <td>{members}</td>
                    <td class="schedule">{describe_schedule(&group.snapshot_schedule)}</td>
                    <td class="retention">{describe_retention(&group.source_retention)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table id="protection-groups">
            <thead><tr><th>"Group"</th><th>"Protects"</th><th>"Schedule (array's clock)"</th><th>"Retention"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
    }
}

#[component]
fn CreateGroup(array: Memo<String>) -> impl IntoView {
    let ids = NameFormIds {
        form: "create-protection-group",
        field: "pg-name",
        button: "pg-create",
        outcome: "pg-create-outcome",
    };
    let create = move |name: String| {
        let array = array.get_untracked();
        async move { api::create_protection_group(&array, &CreateProtectionGroupRequest { name }).await }
    };
    view! {
        <NameForm
            ids
            kind="Protection group"
            label="Protection group name"
            placeholder="pg-oracle"
            button="Create protection group"
            running="Creating…"
            create
        />
    }
}
