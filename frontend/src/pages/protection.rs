//! One array's protection groups: what each protects, when it snapshots and how long it keeps
//! them, in plain words; and creating one.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{Action, CreateProtectionGroupRequest, describe_retention, describe_schedule};
use shared::flasharray::ProtectionGroup;

use shared::listing::{Column, Value};

use crate::api;
use crate::components::table::SearchBox;
use crate::components::{
    ListTable, Loaded, NameForm, NameFormIds, Row, UrlState, array_resource, use_array,
};
use crate::session::Session;

const COLUMNS: &[Column] = &[
    Column::data("name", "Group"),
    Column::data("protects", "Protects"),
    Column::data("schedule", "Schedule (array's clock)"),
    Column::data("retention", "Retention"),
];

#[component]
pub fn ProtectionGroups() -> impl IntoView {
    let session = expect_context::<Session>();
    let array = use_array();
    let groups = array_resource(array, |array| async move {
        api::protection_groups(&array).await
    });
    let state = UrlState::new("name");
    view! {
        <h1>"Protection groups on " {array}</h1>
        <Show when=move || session.may(Action::ProtectionGroupCreate)>
            <CreateGroup array />
        </Show>
        <div class="toolbar">
            <SearchBox id="group-search" label="Search groups" placeholder="name, schedule or retention" state />
        </div>
        <Loaded resource=groups loading="Loading protection groups…" let:groups>
            <GroupTable array groups state />
        </Loaded>
    }
}

#[component]
fn GroupTable(array: Memo<String>, groups: Vec<ProtectionGroup>, state: UrlState) -> impl IntoView {
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
            let schedule = describe_schedule(&group.snapshot_schedule);
            let retention = describe_retention(&group.source_retention);
            let values = vec![
                Value::from(group.name.as_str()),
                Value::from(members.as_str()),
                Value::from(schedule.as_str()),
                Value::from(retention.as_str()),
            ];
            let name = group.name;
            Row::new(values, move || {
                let (key, name) = (name.clone(), name.clone());
                view! {
                    <tr data-group=key>
                        <td class="name"><A href=href.clone()>{name}</A></td>
                        <td class="protects">{members.clone()}</td>
                        <td class="schedule">{schedule.clone()}</td>
                        <td class="retention">{retention.clone()}</td>
                    </tr>
                }
                .into_any()
            })
        })
        .collect();
    let file = format!("{}-protection-groups.csv", array.get_untracked());
    view! {
        <ListTable
            id="protection-groups"
            columns=COLUMNS
            rows
            state
            file
            empty_id="groups-empty"
            empty="This array has no protection groups yet."
        />
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
