//! The pages downloaded the first time one of them opens. The first load carries the shell,
//! the sign-in and the dashboard; the other pages arrive in three modules, one for each group
//! of pages people open together, so that opening a page costs a handful of downloads at most.
//!
//! `cargo xtask frontend` cuts the modules out after the build: each `#[lazy]` function below
//! is where one begins.

use leptos::prelude::*;
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
        #[repr(u8)]
        enum $kind {
            $($page),*
        }

        #[leptos::lazy]
        fn $group(page: $kind) -> AnyView {
            match page {
                $($kind::$page => view! { <$component /> }.into_any()),*
            }
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_route: Self) -> AnyView {
                    $group($kind::$page).await
                }
            }
        )*
    };
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
