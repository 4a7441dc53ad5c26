//! Portal users, for admins: add one, change a role or the arrays a user may use, disable,
//! reset a password, sign someone out everywhere.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{CreateUserRequest, Role, UserChange, UserSummary, validate_create_user};

use crate::api;
use crate::app::Session;
use crate::components::{Field, Outcome, OutcomeLine, show_failure};

const ROLES: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

/// `fa-1, fa-2` as a list; empty means every array.
fn parse_arrays(text: &str) -> Option<Vec<String>> {
    let names: Vec<String> = text
        .split([',', ' '])
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    (!names.is_empty()).then_some(names)
}

fn describe_arrays(arrays: Option<&[String]>) -> String {
    arrays.map_or_else(|| "all arrays".to_owned(), |names| names.join(", "))
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Show
            when=move || session.allows(Role::Admin)
            fallback=|| view! { <p class="error" id="admins-only" role="alert">"Only admins manage users."</p> }
        >
            <UsersPageForAdmins />
        </Show>
    }
}

#[component]
fn UsersPageForAdmins() -> impl IntoView {
    let session = expect_context::<Session>();
    let users = LocalResource::new(api::users);
    let outcome = RwSignal::new(Outcome::Idle);
    let refresh = move || users.refetch();
    view! {
        <h1>"Users"</h1>
        <p class="muted">
            "Viewers read everything; operators also provision and take snapshots; admins also eradicate, manage users and read the audit log."
        </p>
        <CreateUser on_done=refresh />
        <OutcomeLine id="users-outcome" outcome />
        <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || {
                users.get().map(|result| match result {
                    Ok(list) => {
                        let rows = list
                            .into_iter()
                            .map(|user| view! { <UserRow user outcome on_done=refresh /> })
                            .collect_view();
                        view! {
                            <table id="users">
                                <thead>
                                    <tr>
                                        <th>"User"</th><th>"Role"</th><th>"Status"</th><th>"Arrays"</th>
                                        <th>"Array username"</th><th>"Sessions"</th><th></th>
                                    </tr>
                                </thead>
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
fn CreateUser(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer);
    let arrays = RwSignal::new(String::new());
    let array_username = RwSignal::new(String::new());
    let username_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let arrays_error = RwSignal::new(None::<String>);
    let array_username_error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(Outcome::Idle);
    let fields = [
        ("username", username_error),
        ("password", password_error),
        ("arrays", arrays_error),
        ("array_username", array_username_error),
    ];
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        for (_, error) in fields {
            error.set(None);
        }
        let mapped = array_username.get_untracked().trim().to_owned();
        let request = CreateUserRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: role.get_untracked(),
            arrays: parse_arrays(&arrays.get_untracked()),
            array_username: (!mapped.is_empty()).then_some(mapped),
        };
        if let Err(error) = validate_create_user(&request) {
            match fields
                .iter()
                .find(|(name, _)| Some(*name) == error.field.as_deref())
            {
                Some((_, signal)) => signal.set(Some(error.message)),
                None => outcome.set(Outcome::Failed(error.message)),
            }
            return;
        }
        outcome.set(Outcome::Running(format!("Adding {}…", request.username)));
        spawn_local(async move {
            match api::create_user(&request).await {
                Ok(user) => {
                    outcome.set(Outcome::Done(format!(
                        "Added {} with the {} role.",
                        user.username,
                        user.role.as_str()
                    )));
                    for field in [username, password, arrays, array_username] {
                        field.set(String::new());
                    }
                    on_done();
                }
                Err(failure) => show_failure(session, &failure, &fields, outcome),
            }
        });
    };
    view! {
        <div class="card">
            <form class="inline" id="create-user" on:submit=submit novalidate>
                <Field id="user-name" label="Username" placeholder="alice" value=username error=username_error />
                <Field id="user-password" label="Password" kind="password" value=password error=password_error />
                <label>
                    <span>"Role"</span>
                    <select
                        id="user-role"
                        on:change=move |event| {
                            if let Some(choice) = Role::parse(&event_target_value(&event)) {
                                role.set(choice);
                            }
                        }
                    >
                        {ROLES
                            .map(|choice| view! { <option value=choice.as_str()>{choice.as_str()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <Field id="user-arrays" label="Arrays (empty: all)" placeholder="fa-prod-01, fa-dr-01" value=arrays error=arrays_error />
                <Field id="user-array-username" label="Array username (optional)" value=array_username error=array_username_error />
                <button id="user-create" type="submit">"Add user"</button>
            </form>
            <OutcomeLine id="user-create-outcome" outcome />
        </div>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    outcome: RwSignal<Outcome>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = user.username.clone();
    let new_password = RwSignal::new(String::new());
    let password_error = RwSignal::new(None::<String>);
    let apply = {
        let name = name.clone();
        move |change: UserChange, done: String| {
            let name = name.clone();
            outcome.set(Outcome::Running(format!("Changing {name}…")));
            spawn_local(async move {
                match api::change_user(&name, &change).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(done));
                        on_done();
                    }
                    Err(failure) => {
                        show_failure(session, &failure, &[("password", password_error)], outcome);
                    }
                }
            });
        }
    };
    let change_role = {
        let apply = apply.clone();
        let name = name.clone();
        move |event: leptos::ev::Event| {
            if let Some(role) = Role::parse(&event_target_value(&event)) {
                let change = UserChange {
                    role: Some(role),
                    ..UserChange::default()
                };
                apply(
                    change,
                    format!("{name} now has the {} role.", role.as_str()),
                );
            }
        }
    };
    let toggle = {
        let apply = apply.clone();
        let name = name.clone();
        let disabled = user.disabled;
        move |_| {
            let change = UserChange {
                disabled: Some(!disabled),
                ..UserChange::default()
            };
            let done = if disabled {
                format!("{name} can sign in again.")
            } else {
                format!("{name} is disabled and signed out.")
            };
            apply(change, done);
        }
    };
    let reset = {
        let apply = apply.clone();
        let name = name.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            password_error.set(None);
            let password = new_password.get_untracked();
            if let Err(error) = shared::api::validate_password(&password) {
                password_error.set(Some(error.message));
                return;
            }
            new_password.set(String::new());
            let change = UserChange {
                password: Some(password),
                ..UserChange::default()
            };
            apply(
                change,
                format!("{name}'s password is reset and their sessions ended."),
            );
        }
    };
    let sign_out = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            spawn_local(async move {
                match api::end_sessions(&name).await {
                    Ok(()) => {
                        outcome.set(Outcome::Done(format!("{name} is signed out everywhere.")));
                        on_done();
                    }
                    Err(failure) => show_failure(session, &failure, &[], outcome),
                }
            });
        }
    };
    let role = user.role;
    view! {
        <tr data-user=name.clone()>
            <td class="name">{name.clone()}</td>
            <td>
                <select class="role" on:change=change_role>
                    {ROLES
                        .map(|choice| view! { <option value=choice.as_str() selected=choice == role>{choice.as_str()}</option> })
                        .collect_view()}
                </select>
            </td>
            <td class="status">{if user.disabled { "disabled" } else { "active" }}</td>
            <td class="arrays">{describe_arrays(user.arrays.as_deref())}</td>
            <td class="array-username">{user.array_username.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td class="sessions">{user.sessions}</td>
            <td class="actions"><div class="row-actions">
                <button class="secondary toggle" on:click=toggle>
                    {if user.disabled { "Enable" } else { "Disable" }}
                </button>
                <button class="secondary end-sessions" on:click=sign_out>"Sign out everywhere"</button>
                <form class="inline reset" on:submit=reset novalidate>
                    <input class="new-password" type="password" placeholder="new password" bind:value=new_password />
                    <button class="secondary" type="submit">"Reset password"</button>
                    {move || password_error.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
                </form>
            </div></td>
        </tr>
    }
}
