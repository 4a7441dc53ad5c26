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

/// The pages about the whole fleet.
#[derive(Clone, Copy)]
#[repr(u8)]
enum FleetPage {
    Arrays,
    Alerts,
    DisasterRecovery,
    Search,
    RecycleBin,
    Pure1,
}

#[leptos::lazy]
fn fleet_page(page: FleetPage) -> AnyView {
    match page {
        FleetPage::Arrays => view! { <ArrayList /> }.into_any(),
        FleetPage::Alerts => view! { <AlertsPage /> }.into_any(),
        FleetPage::DisasterRecovery => view! { <DrPage /> }.into_any(),
        FleetPage::Search => view! { <SearchPage /> }.into_any(),
        FleetPage::RecycleBin => view! { <RecycleBinPage /> }.into_any(),
        FleetPage::Pure1 => view! { <Pure1Page /> }.into_any(),
    }
}

/// The pages inside one array's frame.
#[derive(Clone, Copy)]
#[repr(u8)]
enum ArrayPage {
    Overview,
    Volumes,
    Volume,
    Hosts,
    Host,
    ProtectionGroups,
    ProtectionGroup,
    Replication,
    Pods,
}

#[leptos::lazy]
fn array_page(page: ArrayPage) -> AnyView {
    match page {
        ArrayPage::Overview => view! { <ArrayOverview /> }.into_any(),
        ArrayPage::Volumes => view! { <Volumes /> }.into_any(),
        ArrayPage::Volume => view! { <VolumePage /> }.into_any(),
        ArrayPage::Hosts => view! { <Hosts /> }.into_any(),
        ArrayPage::Host => view! { <HostPage /> }.into_any(),
        ArrayPage::ProtectionGroups => view! { <ProtectionGroups /> }.into_any(),
        ArrayPage::ProtectionGroup => view! { <ProtectionGroupPage /> }.into_any(),
        ArrayPage::Replication => view! { <Replication /> }.into_any(),
        ArrayPage::Pods => view! { <Pods /> }.into_any(),
    }
}

/// The pages for the portal's own administration and the signed-in person's own things.
#[derive(Clone, Copy)]
#[repr(u8)]
enum AdminPage {
    Users,
    Audit,
    Tokens,
    Notifications,
    Requests,
}

#[leptos::lazy]
fn admin_page(page: AdminPage) -> AnyView {
    match page {
        AdminPage::Users => view! { <UsersPage /> }.into_any(),
        AdminPage::Audit => view! { <AuditPage /> }.into_any(),
        AdminPage::Tokens => view! { <TokensPage /> }.into_any(),
        AdminPage::Notifications => view! { <NotificationsPage /> }.into_any(),
        AdminPage::Requests => view! { <RequestsPage /> }.into_any(),
    }
}

/// One route type for each page, as the router's `Lazy` wants: its view is its group's page.
macro_rules! routes {
    ($($route:ident => $group:ident($page:expr)),* $(,)?) => {$(
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_route: Self) -> AnyView {
                $group($page).await
            }
        }
    )*};
}

routes! {
    ArraysRoute => fleet_page(FleetPage::Arrays),
    AlertsRoute => fleet_page(FleetPage::Alerts),
    DisasterRecoveryRoute => fleet_page(FleetPage::DisasterRecovery),
    SearchRoute => fleet_page(FleetPage::Search),
    RecycleBinRoute => fleet_page(FleetPage::RecycleBin),
    Pure1Route => fleet_page(FleetPage::Pure1),
    OverviewRoute => array_page(ArrayPage::Overview),
    VolumesRoute => array_page(ArrayPage::Volumes),
    VolumeRoute => array_page(ArrayPage::Volume),
    HostsRoute => array_page(ArrayPage::Hosts),
    HostRoute => array_page(ArrayPage::Host),
    ProtectionGroupsRoute => array_page(ArrayPage::ProtectionGroups),
    ProtectionGroupRoute => array_page(ArrayPage::ProtectionGroup),
    ReplicationRoute => array_page(ArrayPage::Replication),
    PodsRoute => array_page(ArrayPage::Pods),
    UsersRoute => admin_page(AdminPage::Users),
    AuditRoute => admin_page(AdminPage::Audit),
    TokensRoute => admin_page(AdminPage::Tokens),
    NotificationsRoute => admin_page(AdminPage::Notifications),
    RequestsRoute => admin_page(AdminPage::Requests),
}
