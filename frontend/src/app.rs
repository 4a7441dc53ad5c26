//! The application shell: who is signed in, the header, and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, path};
use shared::api::{Role, UserInfo};

use crate::api;
use crate::components::confirm::OpenConfirmation;
use crate::components::live::LiveBar;
use crate::components::saved_views::SavedViews;
use crate::components::shortcuts::jump_to_search;
use crate::components::{ApprovalPolicy, ArrayFrame, Live, RequestsLink};
use crate::on_demand::{
    AlertsRoute, ArraysRoute, AuditRoute, DisasterRecoveryRoute, HostRoute, HostsRoute,
    NotificationsRoute, OverviewRoute, PodsRoute, ProtectionGroupRoute, ProtectionGroupsRoute,
    Pure1Route, RecycleBinRoute, ReplicationRoute, RequestsRoute, SearchRoute, TokensRoute,
    UsersRoute, VolumeRoute, VolumesRoute,
};
use crate::pages::dashboard::Dashboard;
use crate::pages::login::Login;
use crate::session::Session;

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
            <Shell user checked />
        </Router>
    }
}

/// Everything inside the router: the app-wide clock and confirmation, the header, the pages.
#[component]
fn Shell(user: RwSignal<Option<UserInfo>>, checked: RwSignal<bool>) -> impl IntoView {
    let confirmation = OpenConfirmation::provide();
    Live::provide(Signal::derive(move || confirmation.is_asking()));
    ApprovalPolicy::provide();
    view! {
        <a class="skip" href="#content">"Skip to content"</a>
        <Header user />
        <main id="content" tabindex="-1">
            <Show when=move || checked.get() fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <Show when=move || user.with(Option::is_some) fallback=|| view! { <Login /> }>
                    {jump_to_search}
                    <div class="live-strip"><LiveBar /></div>
                    <Routes fallback=|| view! { <p>"There is no such page."</p> }>
                        <Route path=path!("/") view=Dashboard />
                        <Route path=path!("/arrays") view={Lazy::<ArraysRoute>::new()} />
                        <Route path=path!("/alerts") view={Lazy::<AlertsRoute>::new()} />
                        <Route path=path!("/dr") view={Lazy::<DisasterRecoveryRoute>::new()} />
                        <Route path=path!("/search") view={Lazy::<SearchRoute>::new()} />
                        <ParentRoute path=path!("/arrays/:array") view=ArrayFrame>
                            <Route path=path!("") view={Lazy::<VolumesRoute>::new()} />
                            <Route path=path!("overview") view={Lazy::<OverviewRoute>::new()} />
                            <Route path=path!("volumes") view={Lazy::<VolumesRoute>::new()} />
                            <Route path=path!("volumes/:volume") view={Lazy::<VolumeRoute>::new()} />
                            <Route path=path!("hosts") view={Lazy::<HostsRoute>::new()} />
                            <Route path=path!("hosts/:host") view={Lazy::<HostRoute>::new()} />
                            <Route path=path!("protection") view={Lazy::<ProtectionGroupsRoute>::new()} />
                            <Route path=path!("protection/:group") view={Lazy::<ProtectionGroupRoute>::new()} />
                            <Route path=path!("replication") view={Lazy::<ReplicationRoute>::new()} />
                            <Route path=path!("pods") view={Lazy::<PodsRoute>::new()} />
                        </ParentRoute>
                        <Route path=path!("/recycle-bin") view={Lazy::<RecycleBinRoute>::new()} />
                        <Route path=path!("/users") view={Lazy::<UsersRoute>::new()} />
                        <Route path=path!("/audit") view={Lazy::<AuditRoute>::new()} />
                        <Route path=path!("/pure1") view={Lazy::<Pure1Route>::new()} />
                        <Route path=path!("/tokens") view={Lazy::<TokensRoute>::new()} />
                        <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} />
                        <Route path=path!("/requests") view={Lazy::<RequestsRoute>::new()} />
                    </Routes>
                </Show>
            </Show>
        </main>
    }
}

#[component]
fn Header(user: RwSignal<Option<UserInfo>>) -> impl IntoView {
    let sign_out = move |_| {
        let sso = user.with_untracked(|user| user.as_ref().is_some_and(|user| user.sso));
        spawn_local(async move {
            // Signed out locally whatever the server says: the session is unusable either way.
            let _ = api::logout().await;
            user.set(None);
            if sso {
                // Out at the identity provider too, which sends the browser back here.
                let _ = window().location().set_href("/api/auth/oidc/end");
            }
        });
    };
    let signed_in = move || user.with(Option::is_some);
    // On a phone the header folds behind one button; any page opened, or anyone signing in
    // or out, folds it again, and closes the person's menu.
    let menu = RwSignal::new(false);
    let account = RwSignal::new(false);
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        user.track();
        menu.set(false);
        account.set(false);
    });
    view! {
        <header class:menu-open=move || menu.get()>
            <A href="/" attr:class="brand">"Flashdeck"</A>
            <Show when=signed_in>
                <button
                    class="secondary small menu-toggle"
                    id="menu-toggle"
                    aria-controls="header-menu"
                    aria-expanded=move || menu.get().to_string()
                    on:click=move |_| menu.update(|open| *open = !*open)
                >
                    "Menu"
                </button>
            </Show>
            <div class="header-menu" id="header-menu">
                <Show when=signed_in>
                    <nav class="primary" aria-label="Main">
                        <A href="/arrays" attr:id="arrays-link">"Arrays"</A>
                        <A href="/alerts" attr:id="alerts-link">"Alerts"</A>
                        <A href="/dr" attr:id="dr-link">"DR"</A>
                        <A href="/recycle-bin" attr:id="recycle-bin-link">"Recycle bin"</A>
                        <A href="/pure1" attr:id="pure1-link">"Pure1"</A>
                        <RequestsLink />
                        <Show when=move || user.with(|user| user.as_ref().is_some_and(|user| user.role >= Role::Admin))>
                            <A href="/users" attr:id="users-link">"Users"</A>
                            <A href="/audit" attr:id="audit-link">"Audit log"</A>
                            <A href="/notifications" attr:id="notifications-link">"Notifications"</A>
                        </Show>
                    </nav>
                </Show>
                <span class="spacer"></span>
                {move || signed_in().then(|| view! { <FleetSearchBox /> })}
                <ThemeChoice />
                {move || {
                    user.get()
                        .map(|user| {
                            view! {
                                <details
                                    class="user-menu"
                                    id="user-menu"
                                    prop:open=move || account.get()
                                    on:toggle=move |event| account.set(event_target::<web_sys::HtmlDetailsElement>(&event).open())
                                >
                                    <summary class="who" id="signed-in-user">
                                        {user.username.clone()} " (" {user.role.as_str()} ")"
                                    </summary>
                                    <div class="menu-panel">
                                        <A href="/tokens" attr:id="tokens-link">"API tokens"</A>
                                        <SavedViews username=user.username />
                                        <button class="link" id="sign-out" on:click=sign_out>"Sign out"</button>
                                    </div>
                                </details>
                            }
                        })
                }}
            </div>
        </header>
    }
}

/// The header's search: looks for a name on every array.
#[component]
fn FleetSearchBox() -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let q = typed.get_untracked();
        if !q.trim().is_empty() {
            let encoded = String::from(web_sys::js_sys::encode_uri_component(q.trim()));
            navigate(&format!("/search?q={encoded}"), Default::default());
        }
    };
    view! {
        <form role="search" class="fleet-search" on:submit=submit>
            <label>
                <span class="visually-hidden">"Search every array"</span>
                <input id="fleet-search" type="search" placeholder="Search (/)" title="Search every array: press / or Ctrl-K to come here" aria-keyshortcuts="/ Control+K"
                    on:input=move |event| typed.set(event_target_value(&event)) />
            </label>
        </form>
    }
}

/// Light, dark, or as the system prefers; remembered in this browser.
#[component]
fn ThemeChoice() -> impl IntoView {
    const KEY: &str = "flashdeck-theme";
    let storage = window().local_storage().ok().flatten();
    let saved = storage
        .as_ref()
        .and_then(|storage| storage.get_item(KEY).ok().flatten())
        .unwrap_or_else(|| "system".to_owned());
    let apply = move |theme: &str| {
        if let Some(root) = document().document_element() {
            let _ = if theme == "system" {
                root.remove_attribute("data-theme")
            } else {
                root.set_attribute("data-theme", theme)
            };
        }
    };
    apply(&saved);
    let choose = move |event: leptos::ev::Event| {
        let theme = event_target_value(&event);
        apply(&theme);
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(KEY, &theme);
        }
    };
    view! {
        <label class="theme">
            <span class="visually-hidden">"Theme"</span>
            <select id="theme-choice" on:change=choose>
                {["system", "light", "dark"]
                    .into_iter()
                    .map(|theme| {
                        let label = match theme {
                            "light" => "Light",
                            "dark" => "Dark",
                            _ => "System",
                        };
                        view! { <option value=theme selected=theme == saved>{label}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
