//! The sign-in form, shown whenever nobody is signed in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::LoginRequest;

use crate::api;
use crate::session::Session;

#[component]
pub fn Login() -> impl IntoView {
    let session = expect_context::<Session>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::login(&request).await {
                Ok(user) => session.signed_in(user),
                Err(failure) => error.set(Some(failure.error.message)),
            }
            pending.set(false);
        });
    };

    view! {
        <div class="card login">
            <h1>"Sign in to Flashdeck"</h1>
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
                {move || error.get().map(|message| view! { <p id="login-error" class="error" role="alert">{message}</p> })}
                <button id="login-submit" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </div>
    }
}
