//! The array picker: every registered array the user may use, how the portal authenticates
//! to it, and whom the array's audit log names; for admins, registering an array, testing
//! a connection, removing an array registered here.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Action, ArraySummary, ConnectionTest, Identity, RegisterArrayRequest, RegisterAuth,
    validate_register_array,
};

use crate::api;
use crate::components::approvals::ARRAY_REMOVAL_IMPACT;
use crate::components::live::arrays_resource;
use crate::components::{
    Confirm, Field, FieldErrors, Loaded, Outcome, OutcomeLine, PlainTable, Reason, Strength, Task,
    TextArea, done_outcome, page_title,
};
use crate::session::Session;

/// Whom the array's own audit log will name.
fn identity_text(identity: Identity) -> &'static str {
    match identity {
        Identity::Service => "the portal's array user (service identity)",
        Identity::PerUser => "each portal user by name (per-user identity)",
    }
}

fn describe_answer(answer: &ConnectionTest) -> String {
    let product = [answer.os.as_deref(), answer.version.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{} answered: {}, REST {}.",
        answer.array_name,
        if product.is_empty() {
            "version not given"
        } else {
            &product
        },
        answer.rest_version
    )
}

#[component]
pub fn ArrayList() -> impl IntoView {
    page_title("Arrays");
    let session = expect_context::<Session>();
    let arrays = arrays_resource();
    let outcome = RwSignal::new(Outcome::Idle);
    view! {
        <h1>"Arrays"</h1>
        <OutcomeLine id="arrays-outcome" outcome />
        <Loaded resource=arrays loading="Loading arrays…" let:list>
            <ArrayTable list outcome />
        </Loaded>
        <Show when=move || session.may(Action::ArrayRegister)>
            <RegisterArray />
        </Show>
    }
}

#[component]
fn ArrayTable(list: Vec<ArraySummary>, outcome: RwSignal<Outcome>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted empty" id="arrays-empty">"No arrays are registered yet."</p> }
            .into_any();
    }
    let rows = list
        .into_iter()
        .map(|array| view! { <ArrayRow array outcome /> })
        .collect_view();
    view! {
        <PlainTable id="arrays" headers=&["Array", "Address", "Authentication", "Acts on the array as", "Actions"]>{rows}</PlainTable>
    }
    .into_any()
}

#[component]
fn ArrayRow(array: ArraySummary, outcome: RwSignal<Outcome>) -> impl IntoView {
    let session = expect_context::<Session>();
    let task = Task::over(outcome);
    let name = array.name.clone();
    let test = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            task.call(
                format!("Asking {name}…"),
                &[],
                async move { api::test_array(&name).await },
                |answer| Outcome::Done(describe_answer(&answer)),
            );
        }
    };
    let reason = Reason::for_action(Action::ArrayRemove);
    let remove = {
        let name = name.clone();
        Callback::new(move |()| {
            let name = name.clone();
            let why = reason.take();
            let removed = name.clone();
            task.refreshing().call(
                format!("Removing {name}…"),
                &[],
                async move { api::remove_array(&removed, why.as_deref()).await },
                move |done| {
                    done_outcome(done, |()| {
                        Outcome::Done(format!(
                            "Removed {name} from the portal; the array itself is unchanged."
                        ))
                    })
                },
            );
        })
    };
    let remove_question = format!("Remove {name} from Flashdeck?");
    let remove_strength = Strength::Irreversible(name.clone());
    let href = format!("/arrays/{}/volumes", array.name);
    let registered_here = array.registered_in_portal;
    view! {
        <tr data-array=name.clone()>
            <td><A href=href>{array.name}</A></td>
            <td class="mono">{array.url}</td>
            <td>{array.auth_method.label()}</td>
            <td class="identity">{identity_text(array.identity)}</td>
            <td class="actions">
                <Show when=move || session.may(Action::ArrayTest)>
                    <button class="secondary test-connection" on:click=test.clone()>"Test connection"</button>
                </Show>
                <Show when=move || registered_here && session.may(Action::ArrayRemove)>
                    <Confirm
                        label="Remove…"
                        class="secondary remove-array"
                        question=remove_question.clone()
                        details=ARRAY_REMOVAL_IMPACT
                        confirm_label="Remove array"
                        strength=remove_strength.clone()
                        reason
                        on_confirm=remove
                    />
                </Show>
            </td>
        </tr>
    }
}

/// An array's address, how to trust its certificate, and a credential: tested, then kept
/// on the server, encrypted.
#[component]
fn RegisterArray() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let ca_pem = RwSignal::new(String::new());
    let fingerprint = RwSignal::new(String::new());
    let method = RwSignal::new("api_token".to_owned());
    let api_token = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let key_id = RwSignal::new(String::new());
    let issuer = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let private_key = RwSignal::new(String::new());
    let key_password = RwSignal::new(String::new());
    let identity = RwSignal::new(Identity::Service);
    let errors = FieldErrors::new(&[
        "name",
        "url",
        "ca_pem",
        "tls_fingerprint",
        "api_token",
        "client_id",
        "key_id",
        "issuer",
        "username",
        "private_key",
        "private_key_password",
        "identity",
    ]);
    let error = move |field: &str| errors.of(field);
    let identity_error = errors.of("identity");
    let task = Task::new();
    let outcome = task.outcome;
    let optional = |signal: RwSignal<String>| {
        let text = signal.get_untracked().trim().to_owned();
        (!text.is_empty()).then_some(text)
    };
    let request = move || {
        let auth = if method.get_untracked() == "api_client" {
            RegisterAuth::ApiClient {
                client_id: client_id.get_untracked(),
                key_id: key_id.get_untracked(),
                issuer: issuer.get_untracked(),
                username: username.get_untracked(),
                private_key: private_key.get_untracked(),
                private_key_password: optional(key_password),
            }
        } else {
            RegisterAuth::ApiToken {
                api_token: api_token.get_untracked(),
            }
        };
        RegisterArrayRequest {
            name: name.get_untracked().trim().to_owned(),
            url: url.get_untracked().trim().to_owned(),
            ca_pem: optional(ca_pem),
            tls_fingerprint: optional(fingerprint),
            auth,
            identity: identity.get_untracked(),
        }
    };
    let checked = move || errors.checked(request(), validate_register_array, outcome);
    let test = move |_| {
        let Some(request) = checked() else { return };
        task.call(
            format!("Asking {}…", request.url),
            &errors.all(),
            async move { api::test_unsaved_array(&request).await },
            |answer| Outcome::Done(describe_answer(&answer)),
        );
    };
    let submit = task.on_submit(move || {
        let Some(request) = checked() else { return };
        task.refreshing().call(
            format!("Registering {}…", request.name),
            &errors.all(),
            async move { api::register_array(&request).await },
            move |array| {
                for field in [
                    name,
                    url,
                    ca_pem,
                    fingerprint,
                    api_token,
                    private_key,
                    key_password,
                ] {
                    field.set(String::new());
                }
                Outcome::Done(format!("Registered {}.", array.name))
            },
        );
    });
    view! {
        <h2>"Register an array"</h2>
        <p class="muted">"The credential is sent once, stored encrypted on the server, and never shown again."</p>
        <div class="card">
            <form class="inline" id="register-array" on:submit=submit novalidate>
                <Field id="array-name" label="Name" placeholder="fa-prod-02" value=name error=error("name") />
                <Field id="array-url" label="Address" placeholder="https://fa-lab-01.example.com" value=url error=error("url") />
                <Field id="array-fingerprint" label="Certificate SHA-256 fingerprint (optional)" value=fingerprint error=error("tls_fingerprint") />
                <TextArea id="array-ca" label="CA certificate, PEM (optional)" value=ca_pem error=error("ca_pem") />
                <label>
                    <span>"Authentication"</span>
                    <select id="array-auth" on:change=move |event| method.set(event_target_value(&event))>
                        <option value="api_token">"API token"</option>
                        <option value="api_client">"API client (OAuth 2.0)"</option>
                    </select>
                </label>
                <Show when=move || method.get() == "api_token">
                    <Field id="array-token" label="API token" kind="password" value=api_token error=error("api_token") />
                </Show>
                <Show when=move || method.get() == "api_client">
                    <Field id="array-client-id" label="Client id" value=client_id error=error("client_id") />
                    <Field id="array-key-id" label="Key id" value=key_id error=error("key_id") />
                    <Field id="array-issuer" label="Issuer" value=issuer error=error("issuer") />
                    <Field id="array-username" label="Array username" value=username error=error("username") />
                    <TextArea id="array-private-key" label="Private key, PEM" value=private_key error=error("private_key") />
                    <Field id="array-key-password" label="Key password (if encrypted)" kind="password" value=key_password error=error("private_key_password") />
                </Show>
                <label>
                    <span>"Identity on the array"</span>
                    <select
                        id="array-identity"
                        on:change=move |event| {
                            identity.set(if event_target_value(&event) == "per_user" { Identity::PerUser } else { Identity::Service });
                        }
                    >
                        <option value="service">"Service identity"</option>
                        <option value="per_user">"Per-user identity"</option>
                    </select>
                    {move || identity_error.get().map(|text| view! { <span id="array-identity-error" class="field-error" role="alert">{text}</span> })}
                </label>
                <button class="secondary" id="array-test" type="button" on:click=test>"Test connection"</button>
                <button id="array-register" type="submit">"Register"</button>
            </form>
            <OutcomeLine id="register-outcome" outcome />
        </div>
    }
}
