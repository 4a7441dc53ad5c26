//! Pure1's view of the fleet, for everyone: the arrays it reports (those the portal does not
//! manage too) with their busy meter, its open alerts, and where a new volume would fit.
//! Admins also connect the portal with an application id registered in Pure1, signing with a
//! key pair the portal generates (its public half shown to paste into Pure1) or with a private
//! key the admin has; test, connect, disconnect. The private key never comes back.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{
    Pure1Alert, Pure1Array, Pure1ConnectRequest, Pure1Fleet as Pure1FleetAnswer, Pure1Key,
    Pure1Source, Pure1Status, Pure1Test, Role, validate_pure1_connect,
};
use shared::listing::{Column, Value};

use crate::api;
use crate::components::placement::SuggestArray;
use crate::components::table::SearchBox;
use crate::components::{
    Confirm, Field, FieldErrors, ListTable, Loaded, Outcome, OutcomeLine, Row, Task, TextArea,
    Timestamp, UrlState, encode, live_resource, page_title,
};
use crate::pages::dashboard::ShareBar;
use crate::session::Session;

fn describe_test(test: &Pure1Test) -> String {
    if test.arrays.is_empty() {
        "Pure1 answered: it reports no arrays yet.".to_owned()
    } else {
        format!(
            "Pure1 answered: {} array(s): {}.",
            test.arrays.len(),
            test.arrays.join(", ")
        )
    }
}

#[component]
pub fn Pure1Page() -> impl IntoView {
    page_title("Pure1");
    let session = expect_context::<Session>();
    let fleet = live_resource(api::fleet_pure1);
    let state = UrlState::new("name");
    view! {
        <h1>"Pure1"</h1>
        <p class="muted">
            "What Pure1 sees of the fleet: arrays the portal does not manage too, each array's busy \
             meter now and over seven days, and Pure1's alerts. The portal only reads from Pure1."
        </p>
        <section id="pure1-sees" aria-labelledby="pure1-sees-heading">
            <h2 id="pure1-sees-heading">"Arrays Pure1 reports"</h2>
            <div class="toolbar">
                <SearchBox id="pure1-search" label="Search arrays" placeholder="name, model or software" state />
            </div>
            <Loaded resource=fleet loading="Asking Pure1…" let:fleet>
                {if fleet.connected {
                    view! { <Pure1Fleet fleet state /> }.into_any()
                } else {
                    view! {
                        <p class="muted" id="pure1-not-connected">
                            "Pure1 is not connected."
                            {(!session.allows(Role::Admin)).then_some(" An admin connects it on this page.")}
                        </p>
                    }
                    .into_any()
                }}
            </Loaded>
        </section>
        <section id="pure1-placement" aria-labelledby="pure1-placement-heading">
            <h2 id="pure1-placement-heading">"Where would a new volume fit?"</h2>
            <PlacementAsk />
        </section>
        <Show when=move || session.allows(Role::Admin)>
            <section id="pure1-connection" aria-labelledby="pure1-connection-heading">
                <h2 id="pure1-connection-heading">"Connection"</h2>
                <Pure1Connection />
            </section>
        </Show>
    }
}

#[component]
fn Pure1Connection() -> impl IntoView {
    let status = live_resource(api::pure1_status);
    view! {
        <Loaded resource=status let:status>
            <Pure1Settings status />
        </Loaded>
    }
}

const ARRAY_COLUMNS: &[Column] = &[
    Column::data("name", "Array"),
    Column::data("managed", "Managed by"),
    Column::data("model", "Model"),
    Column::data("software", "Software"),
    Column::data("busy_now", "Busy meter now"),
    Column::data("busy_p95", "7-day 95th percentile"),
];

/// Every array Pure1 reports (those the portal does not manage marked "seen by Pure1"), with
/// its busy meter, then Pure1's open alerts.
#[component]
fn Pure1Fleet(fleet: Pure1FleetAnswer, state: UrlState) -> impl IntoView {
    let error = fleet
        .error
        .map(|error| view! { <p class="error" id="pure1-error" role="alert">{error}</p> });
    let as_of = fleet
        .as_of
        .map(|at| view! { <p class="muted">"Pure1 as of " <Timestamp epoch_ms=at /></p> });
    let rows = fleet.arrays.into_iter().map(array_row).collect();
    view! {
        {error}
        {as_of}
        <div class="wide">
            <ListTable
                id="pure1-arrays"
                columns=ARRAY_COLUMNS
                rows
                state
                file="flashdeck-pure1-arrays.csv"
                empty_id="pure1-arrays-empty"
                empty="Pure1 reports no arrays."
            />
        </div>
        <h2>"Pure1's open alerts"</h2>
        <Pure1Alerts alerts=fleet.alerts />
    }
}

fn array_row(array: Pure1Array) -> Row {
    let software = [array.os.clone(), array.version.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let share = |load: Option<f64>| load.map_or(Value::from(""), Value::Number);
    let values = vec![
        Value::from(array.name.as_str()),
        Value::from(if array.managed {
            "portal"
        } else {
            "Pure1 only"
        }),
        Value::from(array.model.clone().unwrap_or_default()),
        Value::from(software.as_str()),
        share(array.load_now),
        share(array.load_p95),
    ];
    Row::new(values, move || {
        let name = array.name.clone();
        let label = if array.managed {
            view! { <A href=format!("/arrays/{}/overview", encode(&name))>{name.clone()}</A> }
                .into_any()
        } else {
            view! { {name.clone()} " " <span class="pill info seen-by-pure1">"seen by Pure1"</span> }.into_any()
        };
        view! {
            <tr data-array=array.name.clone() data-managed=array.managed.to_string()>
                <td class="name">{label}</td>
                <td class="managed">{if array.managed { "portal" } else { "Pure1 only" }}</td>
                <td class="model">{array.model.clone().unwrap_or_default()}</td>
                <td class="software">{software.clone()}</td>
                <td class="busy_now busy-now"><BusyMeter load=array.load_now /></td>
                <td class="busy_p95 busy-p95"><BusyMeter load=array.load_p95 /></td>
            </tr>
        }
        .into_any()
    })
}

/// The busy meter (0.3 = 30 %) as a bar and a percentage.
#[component]
pub fn BusyMeter(load: Option<f64>) -> impl IntoView {
    let Some(load) = load else {
        return view! { <span class="muted">"–"</span> }.into_any();
    };
    view! {
        <ShareBar share=load label="Busy" class="small" />
        <span class="load">{format!("{:.0} %", load * 100.0)}</span>
    }
    .into_any()
}

#[component]
fn Pure1Alerts(alerts: Vec<Pure1Alert>) -> impl IntoView {
    if alerts.is_empty() {
        return view! { <p class="muted" id="pure1-alerts-none">"Pure1 reports no open alerts."</p> }
            .into_any();
    }
    let items = alerts
        .into_iter()
        .map(|alert| {
            let severity = alert.severity.clone();
            let array = alert.array.clone();
            view! {
                <li data-array=array>
                    <span class=format!("pill {severity}")>{severity.clone()}</span> " "
                    <strong>{alert.array}</strong> ": " {alert.summary}
                    {alert.component_name.map(|component| view! { <span class="muted">" (" {component} ")"</span> })}
                    {alert.created.map(|at| view! { " " <span class="muted small"><Timestamp epoch_ms=at /></span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="alerts" id="pure1-alerts">{items}</ul> }.into_any()
}

/// A size, and the arrays ranked for a volume of it (Pure1's busy meter weighs in when
/// connected); picking one opens its volumes page with the form filled in.
#[component]
fn PlacementAsk() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let size = RwSignal::new(String::new());
    view! {
        <form class="inline" id="pure1-placement-form" on:submit=|event| event.prevent_default()>
            <label>
                <span>"Volume name (optional)"</span>
                <input id="pure1-placement-name" bind:value=name placeholder="db-new" />
            </label>
            <label>
                <span>"Size"</span>
                <input id="pure1-placement-size" bind:value=size placeholder="500G" />
            </label>
            <SuggestArray name size />
        </form>
    }
}

#[component]
fn Pure1Settings(status: Pure1Status) -> impl IntoView {
    let task = Task::new();
    let disconnect = Callback::new(move |()| {
        task.refreshing().call(
            "Disconnecting Pure1…",
            &[],
            api::disconnect_pure1(),
            move |()| Outcome::Done("Pure1 disconnected.".to_owned()),
        );
    });
    let connected = match (&status.app_id, status.source) {
        (Some(app_id), Some(source)) => {
            let from_file = source == Pure1Source::Configuration;
            let url = status.url.clone().unwrap_or_default();
            Some(view! {
                <div class="card" id="pure1-connected">
                    <p>
                        "Connected to " <span class="mono">{url}</span> " as application "
                        <strong class="mono" id="pure1-app-id">{app_id.clone()}</strong>
                        {if from_file { " (set up in the configuration file; change it there)." } else { "." }}
                    </p>
                    <Show when=move || !from_file>
                        <Confirm
                            label="Disconnect…"
                            id="pure1-disconnect"
                            class="secondary"
                            question="Disconnect Pure1?"
                            details="The portal forgets the application id and its private key; Pure1 is unchanged. Connecting again needs the key again (or a new key pair)."
                            confirm_label="Disconnect"
                            on_confirm=disconnect
                        />
                    </Show>
                </div>
            })
        }
        _ => None,
    };
    let form = status.can_store.then(|| {
        view! { <ConnectPure1 public_key=status.generated_public_key.clone() /> }
    });
    let cannot_store = (!status.can_store && status.source != Some(Pure1Source::Configuration))
        .then(|| view! {
            <p class="error" id="pure1-no-secret-key">
                "The portal has no secret key to encrypt Pure1's private key with: set FLASHDECK_SECRET_KEY \
                 (or secret_key_file), or set Pure1 up in the configuration file."
            </p>
        });
    view! {
        {connected}
        {cannot_store}
        {form}
        <OutcomeLine id="pure1-status-outcome" outcome=task.outcome />
    }
}

/// The connection form: where Pure1 is, the application id, and which key signs.
#[component]
fn ConnectPure1(public_key: Option<String>) -> impl IntoView {
    let public_key = RwSignal::new(public_key);
    let url = RwSignal::new(String::new());
    let app_id = RwSignal::new(String::new());
    let use_generated = RwSignal::new(true);
    let private_key = RwSignal::new(String::new());
    let key_password = RwSignal::new(String::new());
    let ca_pem = RwSignal::new(String::new());
    let errors = FieldErrors::new(&[
        "url",
        "app_id",
        "key",
        "private_key",
        "private_key_password",
        "ca_pem",
    ]);
    let error = move |field: &str| errors.of(field);
    let task = Task::new();
    let outcome = task.outcome;
    let generate = move |_| {
        task.call(
            "Generating a key pair…",
            &errors.all(),
            api::generate_pure1_key_pair(),
            move |pair| {
                public_key.set(Some(pair.public_key));
                use_generated.set(true);
                Outcome::Done(
                    "Key pair generated: register its public key in Pure1, then enter the application id.".to_owned(),
                )
            },
        );
    };
    let optional = |signal: RwSignal<String>| {
        let text = signal.get_untracked().trim().to_owned();
        (!text.is_empty()).then_some(text)
    };
    let checked = move || {
        let key = if use_generated.get_untracked() {
            Pure1Key::Generated
        } else {
            Pure1Key::PrivateKey {
                private_key: private_key.get_untracked(),
                private_key_password: optional(key_password),
            }
        };
        let request = Pure1ConnectRequest {
            url: optional(url),
            app_id: app_id.get_untracked().trim().to_owned(),
            key,
            ca_pem: optional(ca_pem),
        };
        errors.checked(request, validate_pure1_connect, outcome)
    };
    let test = move |_| {
        let Some(request) = checked() else { return };
        task.call(
            "Asking Pure1…",
            &errors.all(),
            async move { api::test_pure1(&request).await },
            |test| Outcome::Done(describe_test(&test)),
        );
    };
    let submit = task.on_submit(move || {
        let Some(request) = checked() else { return };
        task.refreshing().call(
            "Connecting Pure1…",
            &errors.all(),
            async move { api::connect_pure1(&request).await },
            move |test| {
                private_key.set(String::new());
                key_password.set(String::new());
                Outcome::Done(format!("Connected. {}", describe_test(&test)))
            },
        );
    });
    let key_error = error("key");
    view! {
        <h2>"Connect Pure1"</h2>
        <div class="card">
            <ol class="steps">
                <li>
                    "Generate a key pair here (its private key stays on the server, encrypted), or use a key you already registered. "
                    <button class="secondary" id="pure1-generate" type="button" on:click=generate>"Generate key pair"</button>
                </li>
                <li>
                    "In Pure1, go to Administration → API Registration → Register Application, give it the Viewer role, \
                     paste the public key, and copy the application id Pure1 shows."
                </li>
                <li>"Enter the application id below, test, and connect."</li>
            </ol>
            {move || public_key.get().map(|key| view! {
                <label class="wide">
                    <span>"Public key to register in Pure1"</span>
                    <textarea id="pure1-public-key" rows="8" readonly=true prop:value=key></textarea>
                </label>
            })}
            <form class="inline" id="pure1-connect" on:submit=submit novalidate>
                <Field id="pure1-app-id-input" label="Application id" placeholder="pure1:apikey:AuccHqCmfIYqBWcW" value=app_id error=error("app_id") />
                <Field id="pure1-url" label="Pure1 address (optional)" placeholder=shared::pure1::DEFAULT_URL value=url error=error("url") />
                <label>
                    <span>"Signing key"</span>
                    <select
                        id="pure1-key-choice"
                        on:change=move |event| use_generated.set(event_target_value(&event) == "generated")
                    >
                        <option value="generated" selected=move || use_generated.get()>"The key pair generated here"</option>
                        <option value="private_key" selected=move || !use_generated.get()>"My private key"</option>
                    </select>
                    {move || key_error.get().map(|text| view! { <span id="pure1-key-choice-error" class="field-error" role="alert">{text}</span> })}
                </label>
                <Show when=move || !use_generated.get()>
                    <TextArea id="pure1-private-key" label="Private key, PEM" value=private_key error=error("private_key") />
                    <Field id="pure1-key-password" label="Key password (if encrypted)" kind="password" value=key_password error=error("private_key_password") />
                </Show>
                <TextArea id="pure1-ca" label="CA certificate to trust for Pure1's address, PEM (optional)" value=ca_pem error=error("ca_pem") />
                <button class="secondary" id="pure1-test" type="button" on:click=test>"Test connection"</button>
                <button id="pure1-save" type="submit">"Connect"</button>
            </form>
            <OutcomeLine id="pure1-outcome" outcome />
        </div>
    }
}
