//! The application shell: who is signed in, the header, and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use shared::api::{Role, UserInfo};

use crate::api::{self, Failure};
use crate::pages::arrays::ArrayList;
use crate::pages::audit::AuditPage;
use crate::pages::host::HostPage;
use crate::pages::hosts::Hosts;
use crate::pages::login::Login;
use crate::pages::protection::ProtectionGroups;
use crate::pages::protection_group::ProtectionGroupPage;
use crate::pages::recycle_bin::RecycleBinPage;
use crate::pages::users::UsersPage;
use crate::pages::volume::VolumePage;
use crate::pages::volumes::Volumes;

/// The signed-in user, shared with every page through context.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    user: RwSignal<Option<UserInfo>>,
}

impl Session {
    pub fn signed_in(&self, user: UserInfo) {
        self.user.set(Some(user));
    }

    /// Whether the signed-in user's role includes `role`; the server checks it again.
    pub fn allows(&self, role: Role) -> bool {
        self.user
            .with(|user| user.as_ref().is_some_and(|user| user.role >= role))
    }

    /// Sends the user back to the sign-in form when the server says the session is gone.
    pub fn notice(&self, failure: &Failure) {
        if failure.is_unauthenticated() {
            self.user.set(None);
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let user = RwSignal::new(None::<UserInfo>);
    let checked = RwSignal::new(false);
    provide_context(Session { user });
    spawn_local(async move {
        if let Ok(info) = api::me().await {
            user.set(Some(info));
        }
        checked.set(true);
    });

    view! {
        <Router>
            <Header user />
            <main>
                <Show when=move || checked.get() fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    <Show when=move || user.with(Option::is_some) fallback=|| view! { <Login /> }>
                        <Routes fallback=|| view! { <p>"There is no such page."</p> }>
                            <Route path=path!("/") view=ArrayList />
                            <Route path=path!("/arrays/:array/volumes") view=Volumes />
                            <Route path=path!("/arrays/:array/volumes/:volume") view=VolumePage />
                            <Route path=path!("/arrays/:array/hosts") view=Hosts />
                            <Route path=path!("/arrays/:array/hosts/:host") view=HostPage />
                            <Route path=path!("/arrays/:array/protection") view=ProtectionGroups />
                            <Route path=path!("/arrays/:array/protection/:group") view=ProtectionGroupPage />
                            <Route path=path!("/recycle-bin") view=RecycleBinPage />
                            <Route path=path!("/users") view=UsersPage />
                            <Route path=path!("/audit") view=AuditPage />
                        </Routes>
                    </Show>
                </Show>
            </main>
        </Router>
    }
}

#[component]
fn Header(user: RwSignal<Option<UserInfo>>) -> impl IntoView {
    let sign_out = move |_| {
        spawn_local(async move {
            // Signed out locally whatever the server says: the session is unusable either way.
            let _ = api::logout().await;
            user.set(None);
        });
    };
    view! {
        <header>
            <A href="/" attr:class="brand">"Flashdeck"</A>
            <A href="/recycle-bin" attr:id="recycle-bin-link">"Recycle bin"</A>
            <Show when=move || user.with(|user| user.as_ref().is_some_and(|user| user.role >= Role::Admin))>
                <A href="/users" attr:id="users-link">"Users"</A>
                <A href="/audit" attr:id="audit-link">"Audit log"</A>
            </Show>
            <span class="spacer"></span>
            {move || {
                user.get()
                    .map(|user| {
                        view! {
                            <span class="who" id="signed-in-user">
                                {user.username} " (" {user.role.as_str()} ")"
                            </span>
                            <button class="link" id="sign-out" on:click=sign_out>"Sign out"</button>
                        }
                    })
            }}
        </header>
    }
}
