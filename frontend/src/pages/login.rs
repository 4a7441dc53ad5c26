//! The sign-in form, shown whenever nobody is signed in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::live::Answer;
use leptos_router::hooks::use_query_map;
use shared::api::{LoginRequest, SSO_ERROR_PARAMETER};

use crate::api;
use crate::components::{Outcome, Task};
use crate::session::Session;

#[component]
pub fn Login() -> impl IntoView {
    let session = expect_context::<Session>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Its failure is the form's error paragraph; success swaps the form for the app.
    let task = Task::new();
    let pending = move || task.running();
    let error = move || match task.outcome.get() {
        Outcome::Failed(message) => Some(message),
        _ => None,
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        task.call(
            "Signing in…",
            &[],
            async move { api::login(&request).await },
            move |user| {
                session.signed_in(user);
                Outcome::Idle
            },
        );
    };

    let methods = Answer::new(api::sign_in_methods);
    let sso_error = move || use_query_map().with(|query| query.get(SSO_ERROR_PARAMETER));
    let passwords = move || {
        methods
            .get()
            .and_then(Result::ok)
            .is_none_or(|methods| methods.local_passwords)
    };
    let form = move || {
        view! {
                <form class="stack" on:submit=submit>
                    <label>
                        <span>"Username"</span>
                        <input id="login-username" autocomplete="username" required bind:value=username />
                    </label>
                    <label>
                        <span>"Password"</span>
                        <input
                            id="login-password"
                            type="password"
                            autocomplete="current-password"
                            required
                            bind:value=password
                        />
                    </label>
                    {move || error().map(|message| view! { <p id="login-error" class="error" role="alert">{message}</p> })}
                    <button id="login-submit" type="submit" disabled=pending>
                        {move || if pending() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
        }
    };
    view! {
        <div class="card login">
            <h1>"Sign in to Flashdeck"</h1>
            {move || sso_error().map(|message| view! { <p id="sso-error" class="error" role="alert">{message}</p> })}
            {move || {
                methods.get().and_then(Result::ok).and_then(|methods| methods.single_sign_on).map(|name| view! {
                    // A page of the server's, not of the app: the browser goes to the provider.
                    <a id="sso-sign-in" class="button" href="/api/auth/oidc/start" rel="external">"Sign in with " {name}</a>
                })
            }}
            <Show when=passwords fallback=move || view! {
                <details id="break-glass">
                    <summary>"Break-glass sign-in with a portal password"</summary>
                    {form()}
                </details>
            }>
                {form()}
            </Show>
        </div>
    }
}
