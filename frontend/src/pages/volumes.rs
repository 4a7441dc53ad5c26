//! One array's volumes, and the form to create one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::{CreateVolumeRequest, Role, VolumeList};
use shared::names::validate_object_name;
use shared::size::{format_size, parse_volume_size};
use shared::time::format_timestamp_ms;

use crate::api::{self, ApiResult};
use crate::app::Session;

#[component]
pub fn Volumes() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let array = Memo::new(move |_| params.read().get("array").unwrap_or_default());
    let volumes = LocalResource::new(move || {
        let name = array.get();
        async move { api::volumes(&name).await }
    });

    view! {
        <p><A href="/">"← Arrays"</A></p>
        <h1>"Volumes on " {array}</h1>
        <Show when=move || session.allows(Role::Operator)>
            <CreateVolume array volumes />
        </Show>
        <Transition fallback=|| view! { <p class="muted">"Loading volumes…"</p> }>
            {move || {
                volumes.get().map(|result| match result {
                    Ok(list) => view! { <VolumeTable list /> }.into_any(),
                    Err(failure) => {
                        session.notice(&failure);
                        view! { <p class="error" role="alert" id="volumes-error">{failure.error.message}</p> }.into_any()
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn VolumeTable(list: VolumeList) -> impl IntoView {
    let count = match list.total_item_count {
        1 => "1 volume".to_owned(),
        n => format!("{n} volumes"),
    };
    view! {
        <h2 id="volume-count">{count}</h2>
        <table id="volumes">
            <thead>
                <tr><th>"Name"</th><th>"Provisioned"</th><th>"Created"</th><th>"Serial"</th></tr>
            </thead>
            <tbody>
                {list
                    .items
                    .into_iter()
                    .map(|volume| {
                        let key = volume.name.clone();
                        view! {
                            <tr data-volume=key>
                                <td class="name">{volume.name}</td>
                                <td class="num provisioned">{format_size(volume.provisioned)}</td>
                                <td class="created">{format_timestamp_ms(volume.created)}</td>
                                <td class="mono serial">{volume.serial}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Checks the form with the same validators as the backend, sends it, and shows the array's
/// answer next to the field it concerns.
#[component]
fn CreateVolume(
    array: Memo<String>,
    volumes: LocalResource<ApiResult<VolumeList>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = RwSignal::new(String::new());
    let size = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let size_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        for message in [name_error, size_error, form_error, created] {
            message.set(None);
        }
        let volume_name = name.get_untracked().trim().to_owned();
        let name_checked = validate_object_name("Volume", &volume_name);
        let size_checked = parse_volume_size(&size.get_untracked());
        if let Err(message) = &name_checked {
            name_error.set(Some(message.clone()));
        }
        if let Err(error) = &size_checked {
            size_error.set(Some(error.to_string()));
        }
        let (Ok(()), Ok(provisioned)) = (name_checked, size_checked) else {
            return;
        };
        let request = CreateVolumeRequest {
            name: volume_name,
            provisioned,
        };
        let array_name = array.get_untracked();
        pending.set(true);
        spawn_local(async move {
            match api::create_volume(&array_name, &request).await {
                Ok(volume) => {
                    created.set(Some(format!(
                        "Created volume {} ({}).",
                        volume.name,
                        format_size(volume.provisioned)
                    )));
                    name.set(String::new());
                    size.set(String::new());
                    volumes.refetch();
                }
                Err(failure) => {
                    session.notice(&failure);
                    let message = Some(failure.error.message);
                    match failure.error.field.as_deref() {
                        Some("name") => name_error.set(message),
                        Some("provisioned") => size_error.set(message),
                        _ => form_error.set(message),
                    }
                }
            }
            pending.set(false);
        });
    };

    view! {
        <div class="card">
            <form class="inline" id="create-volume" on:submit=submit novalidate>
                <Field id="volume-name" label="Volume name" placeholder="vol1" value=name error=name_error />
                <Field id="volume-size" label="Size (K, M, G, T, P)" placeholder="5G" value=size error=size_error />
                <button id="volume-create" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create volume" }}
                </button>
            </form>
            {move || form_error.get().map(|message| view! { <p id="volume-form-error" class="error" role="alert">{message}</p> })}
            {move || created.get().map(|message| view! { <p id="volume-created" class="success" role="status">{message}</p> })}
        </div>
    }
}

/// A labelled text input, with the message about it (if any) right beneath it.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <label>
            <span>{label}</span>
            <input
                id=id
                placeholder=placeholder
                bind:value=value
                aria-invalid=move || error.with(Option::is_some).to_string()
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! { <span id=error_id.clone() class="field-error" role="alert">{message}</span> }
                    })
            }}
        </label>
    }
}
