//! One array's protection groups: what each protects, when it snapshots and how long it keeps
//! them, in plain words; and creating one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::{CreateProtectionGroupRequest, Role, describe_retention, describe_schedule};

use crate::api;
use crate::app::Session;
use crate::components::{ArrayTabs, Field, Outcome, OutcomeLine, show_failure};

#[component]
pub fn ProtectionGroups() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let array = Memo::new(move |_| params.read().get("array").unwrap_or_default());
    let groups = LocalResource::new(move || {
        let array = array.get();
        async move { api::protection_groups(&array).await }
    });
    view! {
        <ArrayTabs array />
        <h1>"Protection groups on " {array}</h1>
        <Show when=move || session.allows(Role::Operator)>
            <CreateGroup array on_done=move || groups.refetch() />
        </Show>
        <Transition fallback=|| view! { <p class="muted">"Loading protection groups…"</p> }>
            {move || {
                groups.get().map(|result| match result {
                    Ok(groups) => {
                        let rows = groups
                            .into_iter()
                            .map(|group| {
                                let href = format!("/arrays/{}/protection/{}", array.get_untracked(), group.name);
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
                                <thead><tr><th>"Group"</th><th>"Protects"</th><th>"Schedule"</th><th>"Retention"</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                        .into_any()
                    }
                    Err(failure) => {
                        session.notice(&failure);
                        view! { <p class="error" role="alert">{failure.error.message}</p> }.into_any()
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn CreateGroup(
    array: Memo<String>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(Outcome::Idle);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        name_error.set(None);
        let request = CreateProtectionGroupRequest {
            name: name.get_untracked().trim().to_owned(),
        };
        if let Err(message) = shared::names::validate_object_name("Protection group", &request.name)
        {
            name_error.set(Some(message));
            return;
        }
        let array = array.get_untracked();
        outcome.set(Outcome::Running("Creating…".into()));
        spawn_local(async move {
            match api::create_protection_group(&array, &request).await {
                Ok(group) => {
                    outcome.set(Outcome::Done(format!(
                        "Created protection group {}.",
                        group.name
                    )));
                    name.set(String::new());
                    on_done();
                }
                Err(failure) => show_failure(session, &failure, &[("name", name_error)], outcome),
            }
        });
    };
    view! {
        <div class="card">
            <form class="inline" id="create-protection-group" on:submit=submit novalidate>
                <Field id="pg-name" label="Protection group name" placeholder="pg-oracle" value=name error=name_error />
                <button id="pg-create" type="submit">"Create protection group"</button>
            </form>
            <OutcomeLine id="pg-create-outcome" outcome />
        </div>
    }
}
