//! The pages downloaded the first time one of them opens. The first load carries the shell,
//! the sign-in and the dashboard; the other pages arrive in three modules, one for each group
//! of pages people open together, so that opening a page costs a handful of downloads at most.
//!
//! `cargo xtask frontend` cuts the modules out as it builds: each `wasm_split` function below
//! is where one begins.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::LazyRoute;

use crate::pages::alerts::AlertsPage;
use crate::pages::arrays::ArrayList;
use crate::pages::audit::AuditPage;
use crate::pages::dr::DrPage;
use crate::pages::host::HostPage;
use crate::pages::hosts::Hosts;
use crate::pages::notifications::NotificationsPage;
use crate::pages::overview::ArrayOverview;
use crate::pages::pods::Pods;
use crate::pages::protection::ProtectionGroups;
use crate::pages::protection_group::ProtectionGroupPage;
use crate::pages::pure1::Pure1Page;
use crate::pages::recycle_bin::RecycleBinPage;
use crate::pages::replication::Replication;
use crate::pages::requests::RequestsPage;
use crate::pages::search::SearchPage;
use crate::pages::tokens::TokensPage;
use crate::pages::users::UsersPage;
use crate::pages::volume::VolumePage;
use crate::pages::volumes::Volumes;

/// One group of pages: which page of the group a route shows, the function where the
/// group's module begins, and one route type for each page, as the router's `Lazy` wants.
macro_rules! group {
    ($(#[$doc:meta])* $group:ident($kind:ident) { $($page:ident => $component:ident as $route:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        // Passed as a plain byte into the module cut out.
        #[repr(u8)]
        enum $kind {
            $($page),*
        }

        #[leptos::wasm_split::wasm_split($group, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $group(page: $kind) -> Result<AnyView, SplitLoaderError> {
            Ok(match page {
                $($kind::$page => view! { <$component /> }.into_any()),*
            })
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_route: Self) -> AnyView {
                    $group($kind::$page)
                        .await
                        .unwrap_or_else(|_| view! { <Unavailable /> }.into_any())
                }
            }
        )*
    };
}

/// Said when a page's module cannot be fetched: the network failed, or the portal was
/// upgraded since this tab loaded and the module it knows of is gone. Opening the page again
/// tries again.
#[component]
fn Unavailable() -> impl IntoView {
    view! {
        <p class="error" role="alert" id="page-unavailable">
            "This page could not be loaded: the network failed, or Flashdeck was updated since this tab opened. "
            <button class="link" on:click=|_| {
                let _ = window().location().reload();
            }>"Reload"</button>
        </p>
    }
}

group! {
    /// The pages about the whole fleet.
    fleet_page(FleetPage) {
        Arrays => ArrayList as ArraysRoute,
        Alerts => AlertsPage as AlertsRoute,
        DisasterRecovery => DrPage as DisasterRecoveryRoute,
        Search => SearchPage as SearchRoute,
        RecycleBin => RecycleBinPage as RecycleBinRoute,
        Pure1 => Pure1Page as Pure1Route,
    }
}

group! {
    /// The pages inside one array's frame.
    array_page(ArrayPage) {
        Overview => ArrayOverview as OverviewRoute,
        Volumes => Volumes as VolumesRoute,
        Volume => VolumePage as VolumeRoute,
        Hosts => Hosts as HostsRoute,
        Host => HostPage as HostRoute,
        ProtectionGroups => ProtectionGroups as ProtectionGroupsRoute,
        ProtectionGroup => ProtectionGroupPage as ProtectionGroupRoute,
        Replication => Replication as ReplicationRoute,
        Pods => Pods as PodsRoute,
    }
}

group! {
    /// The pages for the portal's own administration and the signed-in person's own things.
    admin_page(AdminPage) {
        Users => UsersPage as UsersRoute,
        Audit => AuditPage as AuditRoute,
        Tokens => TokensPage as TokensRoute,
        Notifications => NotificationsPage as NotificationsRoute,
        Requests => RequestsPage as RequestsRoute,
    }
}
