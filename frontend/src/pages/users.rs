//! Portal users, for admins: add one, change a role or the arrays a user may use, disable,
//! reset a password, sign someone out everywhere.

use leptos::prelude::*;
use shared::api::{Action, CreateUserRequest, Role, UserChange, UserSummary, validate_create_user};
use shared::listing::{Column, Value};

use crate::api;
use crate::components::approvals::{DISABLE_IMPACT, ROLE_CHANGE_IMPACT};
use crate::components::outcome::SubmitButton;
use crate::components::table::SearchBox;
use crate::components::{
    AdminsOnly, ArrayScope, ArrayScopePicker, Confirm, Field, ListTable, Loaded, Outcome,
    OutcomeLine, Reason, Row, Strength, Task, UrlState, describe_arrays, done_outcome,
    live_resource, page_title, show_problem,
};
use crate::session::Session;

const ROLES: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <AdminsOnly refusal="Only admins manage users.">
            <UsersPageForAdmins />
        </AdminsOnly>
    }
}

#[component]
fn UsersPageForAdmins() -> impl IntoView {
    page_title("Users");
    let users = live_resource(api::users);
    let outcome = RwSignal::new(Outcome::Idle);
    // One reason for the page's changes to users, asked for where they are confirmed and,
    // for those that are not (scope, password, enabling), above the list.
    let reason = Reason::for_action(Action::UserChange);
    let state = UrlState::new("name");
    view! {
        <h1>"Users"</h1>
        <p class="muted">
            "Viewers read everything; operators also provision and take snapshots; admins also eradicate, manage users and read the audit log."
        </p>
        <CreateUser />
        <OutcomeLine id="users-outcome" outcome />
        {move || reason.held().then(|| view! {
            <label class="stack">
                <span>"Reason for changes to users: a second person approves each before it runs"</span>
                <input id="user-change-reason" maxlength="500" bind:value=reason.text />
            </label>
        })}
        <div class="toolbar">
            <SearchBox id="user-search" label="Search users" placeholder="name, role or array" state />
        </div>
        <Loaded resource=users loading="Loading users…" let:list>
            <ListTable
                id="users"
                columns=USER_COLUMNS
                rows=list.into_iter().map(|user| user_row(user, outcome, reason)).collect()
                state
                file="flashdeck-users.csv"
                empty_id="users-empty"
                empty="No users yet."
            />
        </Loaded>
    }
}

const USER_COLUMNS: &[Column] = &[
    Column::data("name", "User"),
    Column::data("role", "Role"),
    Column::data("status", "Status"),
    Column::data("arrays", "Arrays"),
    Column::data("array_username", "Array username"),
    Column::data("sessions", "Sessions"),
    Column::actions("Actions"),
];

fn user_row(user: UserSummary, outcome: RwSignal<Outcome>, reason: Reason) -> Row {
    let values = vec![
        Value::from(user.username.as_str()),
        Value::from(user.role.as_str()),
        Value::from(if user.disabled { "disabled" } else { "active" }),
        Value::from(describe_arrays(user.arrays.as_deref())),
        Value::from(user.array_username.clone().unwrap_or_default()),
        Value::from(user.sessions),
    ];
    Row::new(values, move || {
        view! { <UserRow user=user.clone() outcome reason /> }.into_any()
    })
}

#[component]
fn CreateUser() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer);
    let arrays = ArrayScope::unchosen();
    let array_username = RwSignal::new(String::new());
    let username_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let arrays_error = RwSignal::new(None::<String>);
    let array_username_error = RwSignal::new(None::<String>);
    let task = Task::new();
    let outcome = task.outcome;
    let reason = Reason::for_action(Action::UserCreate);
    let fields = [
        ("username", username_error),
        ("password", password_error),
        ("arrays", arrays_error),
        ("array_username", array_username_error),
    ];
    let submit = task.on_submit(move || {
        for (_, error) in fields {
            error.set(None);
        }
        let mapped = array_username.get_untracked().trim().to_owned();
        let scope = arrays.value();
        let request = CreateUserRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: role.get_untracked(),
            arrays: scope.clone().unwrap_or_default(),
            array_username: (!mapped.is_empty()).then_some(mapped),
        };
        if let Err(problem) = validate_create_user(&request) {
            show_problem(&fields, problem, outcome);
            return;
        }
        if let Err(message) = scope {
            arrays_error.set(Some(message));
            return;
        }
        if !reason.ready() {
            outcome.set(Outcome::Failed(
                "Say why: a second person approves new users before they exist.".to_owned(),
            ));
            return;
        }
        let why = reason.take();
        task.refreshing().call(
            format!("Adding {}…", request.username),
            &fields,
            async move { api::create_user(&request, why.as_deref()).await },
            move |done| {
                done_outcome(done, |user| {
                    for field in [username, password, array_username] {
                        field.set(String::new());
                    }
                    arrays.clear();
                    Outcome::Done(format!(
                        "Added {} with the {} role.",
                        user.username,
                        user.role.as_str()
                    ))
                })
            },
        );
    });
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
                <ArrayScopePicker id="user-arrays".to_owned() scope=arrays error=arrays_error />
                <Field id="user-array-username" label="Array username (optional)" value=array_username error=array_username_error />
                {move || reason.held().then(|| view! {
                    <label>
                        <span>"Reason: a second person approves this before it runs"</span>
                        <input id="user-create-reason" maxlength="500" bind:value=reason.text />
                    </label>
                })}
                <SubmitButton id="user-create" label="Add user" outcome />
            </form>
            <OutcomeLine id="user-create-outcome" outcome />
        </div>
    }
}

#[component]
fn UserRow(user: UserSummary, outcome: RwSignal<Outcome>, reason: Reason) -> impl IntoView {
    let task = Task::over(outcome);
    let name = user.username.clone();
    let new_password = RwSignal::new(String::new());
    let password_error = RwSignal::new(None::<String>);
    let scope = ArrayScope::of(user.arrays.as_deref());
    let scope_error = RwSignal::new(None::<String>);
    let mapped = RwSignal::new(user.array_username.clone().unwrap_or_default());
    let mapped_error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let pending_role = RwSignal::new(user.role);
    let apply = {
        let name = name.clone();
        move |change: UserChange, done: String| {
            let name = name.clone();
            let why = reason.take();
            task.refreshing().call(
                format!("Changing {name}…"),
                &[
                    ("password", password_error),
                    ("arrays", scope_error),
                    ("array_username", mapped_error),
                ],
                async move { api::change_user(&name, &change, why.as_deref()).await },
                move |answer| done_outcome(answer, |_| Outcome::Done(done)),
            );
        }
    };
    let change_role = {
        let apply = apply.clone();
        let name = name.clone();
        Callback::new(move |()| {
            let role = pending_role.get_untracked();
            let change = UserChange {
                role: Some(role),
                ..UserChange::default()
            };
            apply(
                change,
                format!("{name} now has the {} role.", role.as_str()),
            );
        })
    };
    let save_scope = {
        let apply = apply.clone();
        let name = name.clone();
        task.on_submit(move || {
            scope_error.set(None);
            mapped_error.set(None);
            let username = mapped.get_untracked().trim().to_owned();
            let arrays = match scope.value() {
                Ok(arrays) => arrays,
                Err(message) => {
                    scope_error.set(Some(message));
                    return;
                }
            };
            let change = UserChange {
                arrays: Some(arrays),
                array_username: Some((!username.is_empty()).then_some(username)),
                ..UserChange::default()
            };
            // The form stays open: a refusal shows beside its field, and after a success the
            // list is fetched again and the row drawn afresh, closed.
            apply(
                change,
                format!("{name}'s arrays and array username are saved."),
            );
        })
    };
    let toggle = {
        let apply = apply.clone();
        let name = name.clone();
        let disabled = user.disabled;
        move || {
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
        task.on_submit(move || {
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
        })
    };
    let sign_out = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            let ending = name.clone();
            task.refreshing().call(
                format!("Signing {name} out…"),
                &[],
                async move { api::end_sessions(&ending).await },
                move |()| Outcome::Done(format!("{name} is signed out everywhere.")),
            );
        }
    };
    let role = user.role;
    let role_question = Signal::derive({
        let name = name.clone();
        move || format!("Give {name} the {} role?", pending_role.get().as_str())
    });
    let enable = toggle.clone();
    let disable = Callback::new(move |()| toggle());
    let row_id = format!("scope-{name}");
    let role_strength = Strength::Irreversible(name.clone());
    let disable_strength = Strength::Irreversible(name.clone());
    let disable_question = format!("Disable {name}?");
    let role_label = format!("Role of {name}");
    // Another admin changes one's own role, scope or state, as the server insists.
    let yourself = expect_context::<Session>().is(&name);
    view! {
        <tr data-user=name.clone()>
            <td class="name">{name.clone()}</td>
            <td>
                {yourself.then(|| view! {
                    <span class="own-role">{role.as_str()} <span class="muted">" (yours: another admin changes it)"</span></span>
                })}
                {(!yourself).then(|| view! {
                <select class="role" aria-label=role_label on:change=move |event| {
                    if let Some(choice) = Role::parse(&event_target_value(&event)) {
                        pending_role.set(choice);
                    }
                }>
                    {ROLES
                        .map(|choice| view! { <option value=choice.as_str() selected=choice == role>{choice.as_str()}</option> })
                        .collect_view()}
                </select>
                {move || (pending_role.get() != role).then(|| view! {
                    <Confirm
                        label="Apply…"
                        class="secondary apply-role"
                        question=role_question
                        details=ROLE_CHANGE_IMPACT
                        confirm_label="Change role"
                        strength=role_strength.clone()
                        reason
                        on_confirm=change_role
                    />
                })}
                })}
            </td>
            <td class="status">{if user.disabled { "disabled" } else { "active" }}</td>
            <td class="arrays">
                {describe_arrays(user.arrays.as_deref())}
                " "
                {(!yourself).then(|| view! {
                <button class="link edit-scope" aria-expanded=move || editing.get().to_string() on:click=move |_| editing.update(|open| *open = !*open)>
                    "Edit"
                </button>
                {move || editing.get().then(|| view! {
                    <form class="stack scope-form" on:submit=save_scope.clone() novalidate>
                        <ArrayScopePicker id=row_id.clone() scope error=scope_error />
                        <label>
                            <span>"Array username (empty: the user's own)"</span>
                            <input class="scope-array-username" bind:value=mapped aria-invalid=move || mapped_error.with(Option::is_some).to_string() />
                            {move || mapped_error.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
                        </label>
                        <button class="secondary save-scope" type="submit" disabled=move || outcome.with(Outcome::is_running)>"Save"</button>
                    </form>
                })}
                })}
            </td>
            <td class="array-username">{user.array_username.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td class="sessions">{user.sessions}</td>
            <td class="actions"><div class="row-actions">
                {if user.disabled {
                    view! { <button class="secondary toggle" on:click=move |_| enable()>"Enable"</button> }.into_any()
                } else if yourself {
                    ().into_any()
                } else {
                    view! {
                        <Confirm
                            label="Disable…"
                            class="secondary toggle"
                            question=disable_question.clone()
                            details=DISABLE_IMPACT
                            confirm_label="Disable"
                            strength=disable_strength.clone()
                            reason
                            on_confirm=disable
                        />
                    }
                    .into_any()
                }}
                <button class="secondary end-sessions" on:click=sign_out>"Sign out everywhere"</button>
                <form class="inline reset" on:submit=reset novalidate>
                    <input class="new-password" type="password" placeholder="new password" aria-label=format!("New password for {name}") bind:value=new_password />
                    <button class="secondary" type="submit">"Reset password"</button>
                    {move || password_error.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
                </form>
            </div></td>
        </tr>
    }
}
