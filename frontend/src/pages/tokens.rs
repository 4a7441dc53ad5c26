//! Personal API tokens: each user makes their own for scripts (a name, an expiry, a role and
//! arrays at most their own), sees it once, and revokes it; admins also see and revoke
//! everyone's.

use leptos::prelude::*;
use shared::api::{CreateTokenRequest, Role, TokenSummary, validate_create_token};

use crate::api;
use crate::components::{
    ArrayScope, ArrayScopePicker, Confirm, Field, FieldErrors, Live, Loaded, Outcome, OutcomeLine,
    PlainTable, Task, Timestamp, describe_arrays, live_resource, page_title,
};
use crate::session::Session;

/// The longest lifetime the form offers before the server's own limit is asked.
const FORM_MAX_DAYS: u32 = 3650;

#[component]
pub fn TokensPage() -> impl IntoView {
    page_title("API tokens");
    let session = expect_context::<Session>();
    // Above the tables, which are drawn afresh when a revocation changes them.
    let revoking = Task::new();
    let own = live_resource(api::tokens);
    let everyone = live_resource(move || async move {
        if session.allows(Role::Admin) {
            api::all_tokens().await.map(Some)
        } else {
            Ok(None)
        }
    });
    view! {
        <h1>"API tokens"</h1>
        <p class="muted">
            "A token lets a script use the portal as you, with at most your role and arrays, until it expires or is revoked. "
            "Send it as " <code>"Authorization: Bearer <token>"</code> " to any " <code>"/api"</code> " address, or give it to py-pure-client as the "
            <code>"api_token"</code> " of " <code>"flasharray.Client('<portal address>/api/arrays/<array>/rest', …)"</code>
            ": the script then needs no key of the array's. Every route, its role and its fields: "
            <a href="/api/reference" rel="external" id="api-reference">"API reference"</a> "."
        </p>
        <CreateToken />
        <h2>"Your tokens"</h2>
        <OutcomeLine id="token-revoke-outcome" outcome=revoking.outcome />
        <Loaded resource=own loading="Loading tokens…" let:list>
            <TokenTable id="own-tokens" tokens=list with_owner=false task=revoking />
        </Loaded>
        <Loaded resource=everyone loading="" let:list>
            {list.map(|list| view! {
                <h2>"Everyone's tokens"</h2>
                <TokenTable id="all-tokens" tokens=list with_owner=true task=revoking />
            })}
        </Loaded>
    }
}

#[component]
fn CreateToken() -> impl IntoView {
    let session = expect_context::<Session>();
    let own_role = move || {
        session
            .user
            .with(|user| user.as_ref().map_or(Role::Viewer, |user| user.role))
    };
    let name = RwSignal::new(String::new());
    let days = RwSignal::new("90".to_owned());
    let role = RwSignal::new(Role::Viewer);
    let arrays = ArrayScope::every();
    let errors = FieldErrors::new(&["name", "expires_in_days", "role", "arrays"]);
    let task = Task::new();
    let created = RwSignal::new(None::<String>);
    let submit = task.on_submit(move || {
        errors.clear();
        created.set(None);
        let Ok(expires_in_days) = days.get_untracked().trim().parse::<u32>() else {
            errors
                .of("expires_in_days")
                .set(Some("Give the number of days the token works.".to_owned()));
            return;
        };
        let scope = match arrays.value() {
            Ok(scope) => scope,
            Err(message) => {
                errors.of("arrays").set(Some(message));
                return;
            }
        };
        let request = CreateTokenRequest {
            name: name.get_untracked().trim().to_owned(),
            expires_in_days,
            role: role.get_untracked(),
            arrays: scope,
        };
        if let Err(problem) = validate_create_token(&request, FORM_MAX_DAYS) {
            errors.show(problem, task.outcome);
            return;
        }
        task.refreshing().call(
            format!("Creating {}…", request.name),
            &errors.all(),
            async move { api::create_token(&request).await },
            move |made| {
                created.set(Some(made.token));
                name.set(String::new());
                arrays.clear();
                Outcome::Done(format!(
                    "Created {}: copy it now, it is not shown again.",
                    made.summary.name
                ))
            },
        );
    });
    view! {
        <div class="card">
            <form class="inline" id="create-token" on:submit=submit novalidate>
                <Field id="token-name" label="Name" placeholder="nightly snapshots" value=name error=errors.of("name") />
                <Field id="token-days" label="Expires after (days)" kind="number" value=days error=errors.of("expires_in_days") />
                <label>
                    <span>"Role"</span>
                    <select id="token-role" on:change=move |event| {
                        if let Some(choice) = Role::parse(&event_target_value(&event)) {
                            role.set(choice);
                        }
                    }>
                        {move || {
                            [Role::Viewer, Role::Operator, Role::Admin]
                                .into_iter()
                                .filter(|choice| *choice <= own_role())
                                .map(|choice| view! { <option value=choice.as_str() selected=move || role.get() == choice>{choice.as_str()}</option> })
                                .collect_view()
                        }}
                    </select>
                    {move || errors.of("role").get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
                </label>
                <ArrayScopePicker id="token-arrays".to_owned() scope=arrays error=errors.of("arrays") />
                <button id="token-create" type="submit" disabled=move || task.running()>"Create token"</button>
            </form>
            <OutcomeLine id="token-create-outcome" outcome=task.outcome />
            {move || created.get().map(|token| view! {
                <p class="new-token">
                    <label>
                        <span>"The token, shown only now"</span>
                        <input id="new-token" readonly value=token on:focus=|event| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        } />
                    </label>
                </p>
            })}
        </div>
    }
}

#[component]
fn TokenTable(
    id: &'static str,
    tokens: Vec<TokenSummary>,
    with_owner: bool,
    task: Task,
) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="muted" id=id>"No tokens."</p> }.into_any();
    }
    let rows = tokens
        .into_iter()
        .map(|token| view! { <TokenRow token with_owner task /> })
        .collect_view();
    // The owner's column comes first, and only in the list of everyone's tokens.
    const HEADERS: [&str; 8] = [
        "User",
        "Name",
        "Role",
        "Arrays",
        "Created",
        "Expires",
        "Last used",
        "Actions",
    ];
    let headers = if with_owner {
        &HEADERS[..]
    } else {
        &HEADERS[1..]
    };
    view! { <PlainTable id headers>{rows}</PlainTable> }.into_any()
}

#[component]
fn TokenRow(token: TokenSummary, with_owner: bool, task: Task) -> impl IntoView {
    let live = expect_context::<Live>();
    let id = token.id;
    let name = token.name.clone();
    let revoke = {
        let name = name.clone();
        Callback::new(move |()| {
            let name = name.clone();
            task.refreshing().call(
                format!("Revoking {name}…"),
                &[],
                api::revoke_token(id),
                move |()| {
                    Outcome::Done(format!("{name} is revoked: scripts using it are refused."))
                },
            );
        })
    };
    let expired = live.now_ms() >= token.expires_at as f64 * 1000.0;
    view! {
        <tr data-token=name.clone()>
            {with_owner.then(|| view! { <td class="owner">{token.username.clone()}</td> })}
            <td class="name">{name.clone()}</td>
            <td class="role">{token.role.as_str()}</td>
            <td class="arrays">{describe_arrays(token.arrays.as_deref())}</td>
            <td><Timestamp epoch_ms=token.created_at * 1000 /></td>
            <td class="expires">
                {expired.then(|| view! { <span class="badge">"expired"</span> " " })}
                <Timestamp epoch_ms=token.expires_at * 1000 />
            </td>
            <td class="last-used">
                {match token.last_used_at {
                    Some(at) => view! {
                        <Timestamp epoch_ms=at * 1000 />
                        " from " {token.last_used_from.clone().unwrap_or_default()}
                    }.into_any(),
                    None => view! { "never" }.into_any(),
                }}
            </td>
            <td class="actions">
                <Confirm
                    label="Revoke…"
                    class="secondary revoke"
                    question=format!("Revoke {name}?")
                    details="Scripts using it are refused from their next request; a revoked token cannot be restored."
                    confirm_label="Revoke"
                    task
                    on_confirm=revoke
                />
            </td>
        </tr>
    }
}
