//! The portal's JSON API under `/api`.

mod approvals;
mod arrays;
mod audit;
mod connections;
mod dr;
mod extract;
mod fleet;
pub mod gate;
mod hardware;
mod hosts;
mod notifications;
mod openapi;
mod passed;
mod planning;
mod pods;
mod protection;
mod pure1;
mod recycle;
mod replication;
mod reports;
mod rest;
mod session;
mod snapshots;
mod sso;
mod strict_json;
mod tokens;
mod users;
mod volumes;

pub use approvals::run_scheduled_changes;

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, get, on, post};
use axum::{Router, middleware};
use shared::api::{Action, Role};

use crate::error::AppError;
use crate::identity::auth;
use crate::state::AppState;
use gate::{Access, RoutePolicy};
use openapi::{Answer, Description, Shape};
use utoipa::ToSchema;

/// One route of the API and who may call it. The router is built from [`endpoints`] alone,
/// so every route has a policy, and the role matrix test walks the same list.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The audited action of a change; reads have none.
    pub action: Option<Action>,
    /// What the API's description says of it.
    pub description: Description,
    route: MethodRouter<AppState>,
}

/// What the API's description says of a route, declared beside it.
impl Endpoint {
    fn about(mut self, summary: &'static str) -> Self {
        self.description.summary = summary;
        self
    }

    fn takes<T: ToSchema>(mut self) -> Self {
        self.description.body = Some(Shape::of::<T>());
        self
    }

    fn query<T: ToSchema>(mut self) -> Self {
        self.description.query = Some(Shape::of::<T>());
        self
    }

    fn gives<T: ToSchema>(self) -> Self {
        self.answers(200, Shape::of::<T>())
    }

    fn gives_list<T: ToSchema>(self) -> Self {
        self.answers(200, Shape::list_of::<T>())
    }

    fn creates<T: ToSchema>(self) -> Self {
        self.answers(201, Shape::of::<T>())
    }

    fn creates_list<T: ToSchema>(self) -> Self {
        self.answers(201, Shape::list_of::<T>())
    }

    fn answers(mut self, status: u16, shape: Shape) -> Self {
        self.description.answer = Answer::Json { status, shape };
        self
    }

    fn no_content(mut self) -> Self {
        self.description.answer = Answer::NoContent;
        self
    }

    fn csv(mut self) -> Self {
        self.description.answer = Answer::Csv;
        self
    }

    fn html(mut self) -> Self {
        self.description.answer = Answer::Html;
        self
    }

    fn openapi(mut self) -> Self {
        self.description.answer = Answer::OpenApi;
        self
    }
}

/// A read: `GET`, never audited.
fn read<H, T>(path: &'static str, role: Role, handler: H) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Endpoint {
        method: Method::GET,
        path,
        access: Access::Role(role),
        action: None,
        description: Description::default(),
        route: get(handler),
    }
}

/// A read open to anyone: the API's own description.
fn public_read<H, T>(path: &'static str, handler: H) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Endpoint {
        method: Method::GET,
        path,
        access: Access::Public,
        action: None,
        description: Description::default(),
        route: get(handler),
    }
}

/// A change, recorded in the audit log as `action`.
fn change<H, T>(method: Method, path: &'static str, action: Action, handler: H) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("changes use standard methods");
    Endpoint {
        method,
        path,
        access: Access::Role(action.least_role()),
        action: Some(action),
        description: Description::default(),
        route: on(filter, handler),
    }
}

/// A call on an array's REST root: passed to the array as the REST root's table allows.
fn rest_call(method: Method, path: &'static str) -> Endpoint {
    let filter = MethodFilter::try_from(method.clone()).expect("standard methods");
    Endpoint {
        method,
        path,
        access: Access::RestRoot,
        action: None,
        description: Description::default(),
        route: on(filter, rest::call),
    }
    .about("A REST 2.x call passed to the array, if the REST root's table allows it")
}

/// Every route under `/api`, with its policy.
pub fn endpoints() -> Vec<Endpoint> {
    use Action::*;
    use Role::{Admin, Viewer};
    const ARRAY_VOLUMES: &str = "/arrays/{array}/volumes";
    const VOLUME: &str = "/arrays/{array}/volumes/{volume}";
    const HOST: &str = "/arrays/{array}/hosts/{host}";
    const MEMBER: &str = "/arrays/{array}/host-groups/{group}/hosts/{host}";
    const SNAPSHOT: &str = "/arrays/{array}/volume-snapshots/{snapshot}";
    const GROUP: &str = "/arrays/{array}/protection-groups/{group}";
    const GROUP_MEMBERS: &str = "/arrays/{array}/protection-groups/{group}/members";
    const GROUP_SNAPSHOTS: &str = "/arrays/{array}/protection-groups/{group}/snapshots";
    const GROUP_SNAPSHOT: &str = "/arrays/{array}/protection-group-snapshots/{snapshot}";
    const CONNECTIONS: &str = "/arrays/{array}/connections";
    const ARRAY_CONNECTIONS: &str = "/arrays/{array}/array-connections";
    const GROUP_TARGETS: &str = "/arrays/{array}/protection-groups/{group}/targets";
    const PODS: &str = "/arrays/{array}/pods";
    const POD: &str = "/arrays/{array}/pods/{pod}";
    const POD_LINKS: &str = "/arrays/{array}/pods/{pod}/links";
    const REST_VERSIONS: &str = "/arrays/{array}/rest/api/api_version";
    const REST_LOGIN: &str = "/arrays/{array}/rest/api/{version}/login";
    const REST_LOGOUT: &str = "/arrays/{array}/rest/api/{version}/logout";
    const REST_CALL: &str = "/arrays/{array}/rest/api/{version}/{*path}";
    let login = Endpoint {
        method: Method::POST,
        path: "/auth/login",
        access: Access::Public,
        // Audited by the handler itself: the user is whoever the body names.
        action: None,
        description: Description::default(),
        route: post(session::login),
    }
    .about("Sign in with a username and password")
    .takes::<shared::api::LoginRequest>()
    .gives::<shared::api::UserInfo>();
    vec![
        login,
        change(Method::POST, "/auth/logout", SessionLogout, session::logout)
            .about("Sign out")
            .gives::<shared::api::UserInfo>(),
        public_read("/auth/providers", sso::providers)
            .about("How people sign in here")
            .gives::<shared::api::SignInMethods>(),
        public_read("/auth/oidc/start", sso::start)
            .about("Sign in through the identity provider: a redirect to it"),
        public_read("/auth/oidc/callback", sso::callback).about(
            "Where the identity provider sends the browser back; a redirect into the portal",
        ),
        public_read("/auth/oidc/end", sso::end)
            .about("Sign out at the identity provider too: a redirect to it"),
        read("/auth/me", Viewer, session::me)
            .about("Who is signed in")
            .gives::<shared::api::UserInfo>(),
        read("/arrays", Viewer, arrays::list)
            .about("The arrays the caller may use")
            .gives_list::<shared::api::ArraySummary>(),
        change(Method::POST, "/arrays", ArrayRegister, arrays::register)
            .about("Register an array")
            .takes::<shared::api::RegisterArrayRequest>()
            .creates::<shared::api::ArraySummary>(),
        change(
            Method::DELETE,
            "/arrays/{array}",
            ArrayRemove,
            arrays::remove,
        )
        .about("Remove a registered array")
        .no_content(),
        change(
            Method::POST,
            "/arrays/{array}/connection-test",
            ArrayTest,
            arrays::test_registered,
        )
        .about("Test a registered array's connection")
        .gives::<shared::api::ConnectionTest>(),
        change(
            Method::POST,
            "/connection-test",
            ArrayTestUnsaved,
            arrays::test_unsaved,
        )
        .about("Test an array's connection before registering it")
        .takes::<shared::api::RegisterArrayRequest>()
        .gives::<shared::api::ConnectionTest>(),
        read(ARRAY_VOLUMES, Viewer, volumes::list)
            .about("A page of an array's volumes")
            .query::<shared::api::VolumeListQuery>()
            .gives::<shared::api::VolumeList>(),
        change(Method::POST, ARRAY_VOLUMES, VolumeCreate, volumes::create)
            .about("Create volumes")
            .takes::<shared::api::CreateVolumeRequest>()
            .creates_list::<shared::flasharray::Volume>(),
        read(VOLUME, Viewer, volumes::get_one)
            .about("One volume")
            .gives::<shared::flasharray::Volume>(),
        change(Method::PATCH, VOLUME, VolumeChange, volumes::change)
            .about("Rename, resize, destroy or recover a volume")
            .takes::<shared::api::VolumeChange>()
            .gives::<shared::flasharray::Volume>(),
        change(Method::DELETE, VOLUME, VolumeEradicate, volumes::eradicate)
            .about("Eradicate a destroyed volume")
            .no_content(),
        read("/arrays/{array}/hosts", Viewer, hosts::list)
            .about("A page of an array's hosts")
            .query::<shared::api::HostListQuery>()
            .gives::<shared::api::HostList>(),
        change(
            Method::POST,
            "/arrays/{array}/hosts",
            HostCreate,
            hosts::create,
        )
        .about("Create a host")
        .takes::<shared::api::CreateHostRequest>()
        .creates::<shared::flasharray::Host>(),
        read(HOST, Viewer, hosts::get_one)
            .about("One host")
            .gives::<shared::flasharray::Host>(),
        change(Method::PATCH, HOST, HostChange, hosts::change)
            .about("Change a host's ports, CHAP or personality")
            .takes::<shared::flasharray::HostPatch>()
            .gives::<shared::flasharray::Host>(),
        change(Method::DELETE, HOST, HostDelete, hosts::delete)
            .about("Delete a host")
            .no_content(),
        read("/arrays/{array}/host-groups", Viewer, hosts::list_groups)
            .about("An array's host groups")
            .gives_list::<shared::flasharray::HostGroup>(),
        change(
            Method::POST,
            "/arrays/{array}/host-groups",
            HostGroupCreate,
            hosts::create_group,
        )
        .about("Create a host group")
        .takes::<shared::api::CreateHostGroupRequest>()
        .creates::<shared::flasharray::HostGroup>(),
        change(
            Method::DELETE,
            "/arrays/{array}/host-groups/{group}",
            HostGroupDelete,
            hosts::delete_group,
        )
        .about("Delete a host group")
        .no_content(),
        change(Method::PUT, MEMBER, HostGroupAddHost, hosts::add_member)
            .about("Add a host to a host group")
            .no_content(),
        change(
            Method::DELETE,
            MEMBER,
            HostGroupRemoveHost,
            hosts::remove_member,
        )
        .about("Remove a host from a host group")
        .no_content(),
        read("/arrays/{array}/volume-snapshots", Viewer, snapshots::list)
            .about("An array's volume snapshots")
            .query::<shared::api::SnapshotListQuery>()
            .gives_list::<shared::flasharray::VolumeSnapshot>(),
        change(
            Method::POST,
            "/arrays/{array}/volume-snapshots",
            SnapshotCreate,
            snapshots::create,
        )
        .about("Take snapshots of volumes")
        .takes::<shared::api::SnapshotRequest>()
        .creates_list::<shared::flasharray::VolumeSnapshot>(),
        change(Method::PATCH, SNAPSHOT, SnapshotChange, snapshots::change)
            .about("Rename, destroy or recover a snapshot")
            .takes::<shared::flasharray::VolumeSnapshotPatch>()
            .gives::<shared::flasharray::VolumeSnapshot>(),
        change(
            Method::DELETE,
            SNAPSHOT,
            SnapshotEradicate,
            snapshots::eradicate,
        )
        .about("Eradicate a destroyed snapshot")
        .no_content(),
        change(
            Method::POST,
            "/arrays/{array}/volumes/copy",
            VolumeCopy,
            snapshots::copy,
        )
        .about("Copy a volume or snapshot to a new volume")
        .takes::<shared::api::CopyRequest>()
        .creates::<shared::flasharray::Volume>(),
        change(
            Method::POST,
            "/arrays/{array}/volumes/{volume}/restore",
            VolumeRestore,
            snapshots::restore,
        )
        .about("Restore a volume from a snapshot")
        .takes::<shared::api::RestoreRequest>()
        .gives::<shared::api::RestoreResult>(),
        read(
            "/arrays/{array}/protection-groups",
            Viewer,
            protection::list,
        )
        .about("An array's protection groups")
        .query::<shared::api::DestroyedQuery>()
        .gives_list::<shared::flasharray::ProtectionGroup>(),
        change(
            Method::POST,
            "/arrays/{array}/protection-groups",
            ProtectionGroupCreate,
            protection::create,
        )
        .about("Create a protection group")
        .takes::<shared::api::CreateProtectionGroupRequest>()
        .creates::<shared::flasharray::ProtectionGroup>(),
        read(GROUP, Viewer, protection::get_one)
            .about("One protection group with members and schedule")
            .gives::<shared::api::ProtectionGroupDetail>(),
        change(
            Method::PATCH,
            GROUP,
            ProtectionGroupChange,
            protection::change,
        )
        .about("Change a protection group's schedule, retention or state")
        .takes::<shared::flasharray::ProtectionGroupPatch>()
        .gives::<shared::flasharray::ProtectionGroup>(),
        change(
            Method::POST,
            "/arrays/{array}/protection-groups/{group}/retention-lock",
            ProtectionGroupLockRetention,
            protection::lock_retention,
        )
        .about("Lock a protection group's retention (SafeMode): only Pure Technical Services unlock it")
        .gives::<shared::flasharray::ProtectionGroup>(),
        change(
            Method::DELETE,
            GROUP,
            ProtectionGroupEradicate,
            protection::eradicate,
        )
        .about("Eradicate a destroyed protection group")
        .no_content(),
        change(
            Method::POST,
            GROUP_MEMBERS,
            ProtectionGroupAddMembers,
            protection::add_members,
        )
        .about("Add members to a protection group")
        .takes::<shared::api::MembersRequest>()
        .gives::<shared::api::ProtectionGroupDetail>(),
        change(
            Method::DELETE,
            GROUP_MEMBERS,
            ProtectionGroupRemoveMembers,
            protection::remove_members,
        )
        .about("Remove members from a protection group")
        .takes::<shared::api::MembersRequest>()
        .gives::<shared::api::ProtectionGroupDetail>(),
        read(GROUP_SNAPSHOTS, Viewer, protection::snapshots)
            .about("A protection group's snapshots")
            .query::<shared::api::DestroyedQuery>()
            .gives_list::<shared::api::GroupSnapshotDetail>(),
        change(
            Method::POST,
            GROUP_SNAPSHOTS,
            ProtectionGroupSnapshot,
            protection::snapshot_now,
        )
        .about("Take a protection group snapshot now")
        .takes::<shared::api::GroupSnapshotRequest>()
        .creates::<shared::api::GroupSnapshotDetail>(),
        change(
            Method::PATCH,
            GROUP_SNAPSHOT,
            ProtectionGroupSnapshotChange,
            protection::change_snapshot,
        )
        .about("Destroy or recover a protection group snapshot")
        .takes::<protection::DestroyedChange>()
        .no_content(),
        change(
            Method::DELETE,
            GROUP_SNAPSHOT,
            ProtectionGroupSnapshotEradicate,
            protection::eradicate_snapshot,
        )
        .about("Eradicate a destroyed protection group snapshot")
        .no_content(),
        read("/fleet/summary", Viewer, fleet::summary)
            .about("Every array's figures for the dashboard")
            .query::<shared::api::SummaryQuery>()
            .gives::<shared::api::FleetSummary>(),
        read("/fleet/replication", Viewer, dr::fleet)
            .about("Every replication relationship of the caller's arrays, judged against its schedule")
            .gives::<shared::api::FleetReplication>(),
        read("/fleet/replication/throughput", Viewer, dr::throughput)
            .about("What the caller's arrays sent over their replication links over the last day")
            .gives::<shared::api::FleetThroughput>(),
        read("/fleet/alerts", Viewer, fleet::alerts)
            .about("Alerts across arrays")
            .query::<shared::api::FleetAlertQuery>()
            .gives::<shared::api::FleetAlerts>(),
        read("/fleet/search", Viewer, fleet::search)
            .about("Search every array by name")
            .query::<shared::api::SearchQuery>()
            .gives::<shared::api::FleetSearch>(),
        change(
            Method::PUT,
            "/arrays/{array}/alerts/{alert}/flag",
            AlertFlag,
            fleet::flag_alert,
        )
        .about("Flag or unflag an alert")
        .takes::<shared::api::AlertFlag>()
        .gives::<shared::flasharray::Alert>(),
        change(
            Method::POST,
            "/fleet/snapshots",
            FleetSnapshot,
            fleet::snapshot_volumes,
        )
        .about("Snapshot volumes across arrays")
        .takes::<shared::api::FleetSnapshotRequest>()
        .gives::<shared::api::BatchOutcome>(),
        change(
            Method::POST,
            "/fleet/destroy",
            FleetDestroy,
            fleet::destroy_volumes,
        )
        .about("Destroy volumes across arrays")
        .takes::<shared::api::FleetDestroyRequest>()
        .gives::<shared::api::BatchOutcome>(),
        read("/fleet/pure1", Viewer, pure1::fleet)
            .about("What Pure1 reports: arrays, busy meters, alerts")
            .gives::<shared::api::Pure1Fleet>(),
        read("/fleet/placement", Viewer, planning::placement)
            .about("Where a new volume fits best")
            .query::<shared::api::PlacementQuery>()
            .gives::<shared::api::Placement>(),
        read("/arrays/{array}/hardware", Viewer, hardware::report)
            .about("An array's controllers, drives and other parts, failing first")
            .gives::<shared::api::HardwareReport>(),
        read(
            "/arrays/{array}/eradication-config",
            Viewer,
            hardware::eradication_config,
        )
        .about("How long an array keeps what is destroyed, and what SafeMode keeps longer")
        .gives::<shared::flasharray::ArrayEradicationConfig>(),
        read("/arrays/{array}/forecast", Viewer, planning::array_forecast)
            .about("When an array fills up, at its growth")
            .gives::<shared::api::Forecast>(),
        read("/pure1", Admin, pure1::status)
            .about("The Pure1 connection")
            .gives::<shared::api::Pure1Status>(),
        change(
            Method::POST,
            "/pure1/key-pair",
            Pure1GenerateKeyPair,
            pure1::generate_key_pair,
        )
        .about("Generate a key pair for Pure1")
        .creates::<shared::api::Pure1KeyPair>(),
        change(Method::POST, "/pure1/test", Pure1Test, pure1::test)
            .about("Test a Pure1 connection")
            .takes::<shared::api::Pure1ConnectRequest>()
            .gives::<shared::api::Pure1Test>(),
        change(Method::PUT, "/pure1", Pure1Connect, pure1::connect)
            .about("Connect Pure1")
            .takes::<shared::api::Pure1ConnectRequest>()
            .gives::<shared::api::Pure1Test>(),
        change(Method::DELETE, "/pure1", Pure1Disconnect, pure1::disconnect)
            .about("Disconnect Pure1")
            .no_content(),
        read("/arrays/{array}/history", Viewer, fleet::array_history)
            .about("An array's space and performance history")
            .query::<shared::api::HistoryQuery>()
            .gives::<shared::api::History>(),
        read(
            "/arrays/{array}/volumes/{volume}/history",
            Viewer,
            fleet::volume_history,
        )
        .about("A volume's space and performance history")
        .query::<shared::api::HistoryQuery>()
        .gives::<shared::api::History>(),
        read("/recycle-bin", Viewer, recycle::list)
            .about("Destroyed objects across arrays")
            .gives::<shared::api::RecycleBin>(),
        change(
            Method::POST,
            "/recycle-bin/recover",
            RecycleBinRecover,
            recycle::recover,
        )
        .about("Recover a destroyed object")
        .takes::<shared::api::RecycleAction>()
        .no_content(),
        change(
            Method::POST,
            "/recycle-bin/eradicate",
            RecycleBinEradicate,
            recycle::eradicate,
        )
        .about("Eradicate a destroyed object")
        .takes::<shared::api::RecycleAction>()
        .no_content(),
        read(CONNECTIONS, Viewer, connections::list)
            .about("An array's host connections")
            .query::<shared::api::ConnectionQuery>()
            .gives_list::<shared::flasharray::Connection>(),
        change(
            Method::POST,
            CONNECTIONS,
            ConnectionCreate,
            connections::create,
        )
        .about("Connect a volume to a host or host group")
        .takes::<shared::api::ConnectionRequest>()
        .creates::<shared::flasharray::Connection>(),
        change(
            Method::DELETE,
            CONNECTIONS,
            ConnectionDelete,
            connections::delete,
        )
        .about("Disconnect a volume")
        .query::<shared::api::ConnectionRequest>()
        .no_content(),
        read(ARRAY_CONNECTIONS, Viewer, replication::list)
            .about("The arrays an array is connected to for replication")
            .gives_list::<shared::flasharray::ArrayConnection>(),
        change(
            Method::POST,
            ARRAY_CONNECTIONS,
            ArrayConnectionCreate,
            replication::connect,
        )
        .about("Connect an array to another the portal manages, with that array's connection key")
        .takes::<shared::api::ConnectArraysRequest>()
        .creates::<shared::flasharray::ArrayConnection>(),
        read(
            "/arrays/{array}/protection-groups/{group}/replication",
            Viewer,
            replication::replication,
        )
        .about("Where a protection group's copies are: its last transfer and what each target holds")
        .gives::<shared::api::GroupReplication>(),
        read(
            "/arrays/{array}/volumes/{volume}/copies",
            Viewer,
            replication::volume_copies,
        )
        .about("Where a volume's copies are: each protection group holding it and what its targets hold")
        .gives_list::<shared::api::VolumeCopies>(),
        read(GROUP_TARGETS, Viewer, replication::targets)
            .about("Where a protection group replicates, and whether each target allows it")
            .gives_list::<shared::flasharray::TargetProtectionGroup>(),
        change(
            Method::POST,
            GROUP_TARGETS,
            ProtectionGroupAddTarget,
            replication::add_target,
        )
        .about("Replicate a protection group to a connected array, allowed there when the portal manages it")
        .takes::<shared::api::AddTargetRequest>()
        .creates::<shared::flasharray::TargetProtectionGroup>(),
        change(
            Method::DELETE,
            "/arrays/{array}/protection-groups/{group}/targets/{remote}",
            ProtectionGroupRemoveTarget,
            replication::remove_target,
        )
        .about("Stop replicating a protection group to an array")
        .no_content(),
        change(
            Method::DELETE,
            "/arrays/{array}/array-connections/{remote}",
            ArrayConnectionDelete,
            replication::disconnect,
        )
        .about("Disconnect two arrays")
        .no_content(),
        read(PODS, Viewer, pods::list)
            .about("An array's pods, each with its volumes counted and its ActiveDR links")
            .gives_list::<shared::api::PodDetail>(),
        read("/arrays/{array}/pods/{pod}/lag", Viewer, pods::lag)
            .about("How far behind a pod's replica link has been over the last hour")
            .gives::<shared::api::PodLagHistory>(),
        change(Method::POST, PODS, PodCreate, pods::create)
            .about("Make a pod")
            .takes::<shared::api::CreatePodRequest>()
            .creates::<shared::flasharray::Pod>(),
        change(Method::PATCH, POD, PodChange, pods::change)
            .about("Destroy or recover a pod")
            .takes::<pods::PodDestroyedChange>()
            .gives::<shared::flasharray::Pod>(),
        change(Method::DELETE, POD, PodEradicate, pods::eradicate)
            .about("Eradicate a destroyed pod with the destroyed volumes in it")
            .no_content(),
        change(
            Method::POST,
            "/arrays/{array}/pods/{pod}/promote",
            PodPromote,
            pods::promote,
        )
        .about("Promote a pod: it takes writes from hosts and stops taking in its link's updates")
        .gives::<shared::flasharray::Pod>(),
        change(
            Method::POST,
            "/arrays/{array}/pods/{pod}/demote",
            PodDemote,
            pods::demote,
        )
        .about("Demote a pod: it refuses writes from hosts and can be a link's target")
        .gives::<shared::flasharray::Pod>(),
        change(Method::POST, POD_LINKS, PodLink, pods::link)
            .about("Replicate a pod to a pod on another array (ActiveDR), made and demoted there if needed")
            .takes::<shared::api::LinkPodRequest>()
            .creates::<shared::flasharray::PodReplicaLink>(),
        change(
            Method::POST,
            "/arrays/{array}/pods/{pod}/links/{remote_pod}/pause",
            PodPauseLink,
            pods::pause_link,
        )
        .about("Pause a pod's replica link")
        .gives::<shared::flasharray::PodReplicaLink>(),
        change(
            Method::POST,
            "/arrays/{array}/pods/{pod}/links/{remote_pod}/resume",
            PodResumeLink,
            pods::resume_link,
        )
        .about("Resume a pod's replica link")
        .gives::<shared::flasharray::PodReplicaLink>(),
        change(
            Method::DELETE,
            "/arrays/{array}/pods/{pod}/links/{remote_pod}",
            PodUnlink,
            pods::unlink,
        )
        .about("Delete a pod's replica link on both arrays")
        .no_content(),
        change(
            Method::POST,
            "/arrays/{array}/pods/{pod}/stretch",
            PodStretch,
            pods::stretch,
        )
        .about("Stretch a pod to another array (ActiveCluster); the arrays must be connected for sync-replication")
        .takes::<shared::api::StretchPodRequest>()
        .no_content(),
        change(
            Method::POST,
            "/arrays/{array}/pods/{pod}/unstretch",
            PodUnstretch,
            pods::unstretch,
        )
        .about("Take a stretched pod off another array, which keeps a destroyed POD.restretch")
        .takes::<shared::api::StretchPodRequest>()
        .no_content(),
        read("/users", Admin, users::list)
            .about("Portal users")
            .gives_list::<shared::api::UserSummary>(),
        change(Method::POST, "/users", UserCreate, users::create)
            .about("Add a portal user")
            .takes::<shared::api::CreateUserRequest>()
            .creates::<shared::api::UserSummary>(),
        change(Method::PATCH, "/users/{user}", UserChange, users::change)
            .about("Change a user's role, scope, password or state")
            .takes::<shared::api::UserChange>()
            .gives::<shared::api::UserSummary>(),
        change(
            Method::DELETE,
            "/users/{user}/sessions",
            UserEndSessions,
            users::end_sessions,
        )
        .about("Sign a user out everywhere")
        .no_content(),
        read("/notifications/channels", Admin, notifications::channels)
            .about("Where notifications go (addresses never shown)")
            .gives_list::<shared::api::Channel>(),
        change(
            Method::POST,
            "/notifications/channels",
            NotificationChannelCreate,
            notifications::create_channel,
        )
        .about("Add a channel (a webhook's signing secret shown once)")
        .takes::<shared::api::NewChannel>()
        .creates::<shared::api::CreatedChannel>(),
        change(
            Method::DELETE,
            "/notifications/channels/{channel}",
            NotificationChannelDelete,
            notifications::delete_channel,
        )
        .about("Delete a channel no rule sends to")
        .no_content(),
        change(
            Method::POST,
            "/notifications/channels/{channel}/test",
            NotificationChannelTest,
            notifications::test_channel,
        )
        .about("Send a test message and give the receiver's answer")
        .gives::<shared::api::ChannelTestResult>(),
        read("/notifications/rules", Admin, notifications::rules)
            .about("What the portal tells of")
            .gives_list::<shared::api::Rule>(),
        change(
            Method::POST,
            "/notifications/rules",
            NotificationRuleCreate,
            notifications::create_rule,
        )
        .about("Add a rule")
        .takes::<shared::api::NewRule>()
        .creates::<shared::api::Rule>(),
        change(
            Method::DELETE,
            "/notifications/rules/{rule}",
            NotificationRuleDelete,
            notifications::delete_rule,
        )
        .about("Delete a rule")
        .no_content(),
        change(
            Method::POST,
            "/notifications/deliveries/{delivery}/retry",
            NotificationDeliveryRetry,
            notifications::retry_delivery,
        )
        .about("Send a failed message once more")
        .no_content(),
        read("/notifications/deliveries", Admin, notifications::deliveries)
            .about("The latest messages and where each stands")
            .gives_list::<shared::api::Delivery>(),
        read("/notifications/silences", Admin, notifications::silences)
            .about("The silences in force")
            .gives_list::<shared::api::Silence>(),
        change(
            Method::POST,
            "/notifications/silences",
            NotificationSilenceCreate,
            notifications::create_silence,
        )
        .about("Tell nothing for a rule, on one array or all, for some hours")
        .takes::<shared::api::NewSilence>()
        .creates::<shared::api::Silence>(),
        change(
            Method::DELETE,
            "/notifications/silences/{silence}",
            NotificationSilenceEnd,
            notifications::end_silence,
        )
        .about("End a silence now")
        .no_content(),
        read(
            "/notifications/personal-mail",
            Admin,
            notifications::personal_mail,
        )
        .about("The email channel mail to people about themselves goes through")
        .gives::<shared::api::PersonalMail>(),
        change(
            Method::PUT,
            "/notifications/personal-mail",
            NotificationPersonalMail,
            notifications::set_personal_mail,
        )
        .about("Choose the email channel for mail to people (or none)")
        .takes::<shared::api::PersonalMail>()
        .gives::<shared::api::PersonalMail>(),
        read("/notifications/report", Admin, notifications::report)
            .about("When the capacity and protection report is sent, and through which channel")
            .gives::<shared::api::ReportSettings>(),
        change(
            Method::PUT,
            "/notifications/report",
            NotificationReportChange,
            notifications::set_report,
        )
        .about("Send the capacity and protection report weekly (or stop it)")
        .takes::<shared::api::ReportSettings>()
        .gives::<shared::api::ReportSettings>(),
        change(
            Method::POST,
            "/notifications/report/send",
            NotificationReportSend,
            notifications::send_report,
        )
        .about("Send the capacity and protection report through its channel now")
        .no_content(),
        read("/reports/fleet", Viewer, reports::fleet)
            .about("The capacity and protection report of your arrays")
            .gives::<shared::api::FleetReport>(),
        read("/reports/fleet.csv", Viewer, reports::fleet_csv)
            .about("The capacity and protection report as CSV")
            .csv(),
        read("/reports/fleet.html", Viewer, reports::fleet_html)
            .about("The capacity and protection report as an HTML file")
            .html(),
        read("/notifications/mine", Viewer, notifications::mine)
            .about("What you are told of by mail, and at which address")
            .gives::<shared::api::MyNotifications>(),
        change(
            Method::PUT,
            "/notifications/mine",
            NotificationSubscribe,
            notifications::change_mine,
        )
        .about("Give your address and choose what you are told of")
        .takes::<shared::api::MyNotificationsChange>()
        .gives::<shared::api::MyNotifications>(),
        read("/tokens", Viewer, tokens::list_own)
            .about("Your personal API tokens")
            .gives_list::<shared::api::TokenSummary>(),
        read("/tokens/all", Admin, tokens::list_all)
            .about("Every user's personal API tokens")
            .gives_list::<shared::api::TokenSummary>(),
        change(Method::POST, "/tokens", TokenCreate, tokens::create)
            .about("Create a personal API token (shown once)")
            .takes::<shared::api::CreateTokenRequest>()
            .creates::<shared::api::CreatedToken>(),
        change(
            Method::DELETE,
            "/tokens/{token}",
            TokenRevoke,
            tokens::revoke,
        )
        .about("Revoke a personal API token")
        .no_content(),
        Endpoint {
            method: Method::GET,
            path: REST_VERSIONS,
            // Arrays list their versions to anyone, and the SDK asks before signing in.
            access: Access::Public,
            action: None,
            description: Description::default(),
            route: get(rest::api_version),
        }
        .about("The array's REST versions"),
        Endpoint {
            method: Method::POST,
            path: REST_LOGIN,
            // The `api-token` header is checked by the handler, as the portal's own sign-in.
            access: Access::Public,
            action: None,
            description: Description::default(),
            route: post(rest::login),
        }
        .about("Sign in to an array's REST root with a personal API token"),
        change(Method::POST, REST_LOGOUT, RestLogout, rest::logout)
            .about("End a REST root session"),
        rest_call(Method::GET, REST_CALL),
        rest_call(Method::POST, REST_CALL),
        rest_call(Method::PATCH, REST_CALL),
        rest_call(Method::PUT, REST_CALL),
        rest_call(Method::DELETE, REST_CALL),
        public_read("/openapi.json", openapi::document)
            .about("This description, as OpenAPI 3.1")
            .openapi(),
        public_read("/reference", openapi::reference)
            .about("This description, as a page")
            .html(),
        read("/approvals", Viewer, approvals::list)
            .about("Changes waiting for a second person, and recent ones")
            .gives::<shared::api::Approvals>(),
        change(
            Method::POST,
            "/approvals/{approval}/approve",
            ApprovalApprove,
            approvals::approve,
        )
        .about("Approve a change, which then runs as its requester")
        .takes::<shared::api::ApprovalDecision>()
        .gives::<shared::api::ApprovalRequest>(),
        change(
            Method::POST,
            "/approvals/{approval}/reject",
            ApprovalReject,
            approvals::reject,
        )
        .about("Reject a change, which then never runs")
        .takes::<shared::api::ApprovalDecision>()
        .gives::<shared::api::ApprovalRequest>(),
        change(
            Method::POST,
            "/approvals/{approval}/cancel",
            ApprovalCancel,
            approvals::cancel,
        )
        .about("Cancel a change waiting for its maintenance window, which then never runs")
        .gives::<shared::api::ApprovalRequest>(),
        read("/audit", Admin, audit::list)
            .about("The audit log")
            .query::<shared::api::AuditQuery>()
            .gives_list::<shared::api::AuditEntry>(),
        read("/audit/forwarding", Admin, audit::forwarding)
            .about("Where the audit log is forwarded, and how far each destination got")
            .gives_list::<shared::api::AuditForwarding>(),
        read("/audit.csv", Admin, audit::export_csv)
            .about("The audit log as CSV")
            .query::<shared::api::AuditQuery>()
            .csv(),
    ]
}

/// Every `/api` route behind its gate. Unknown paths get a JSON 404, never the frontend's
/// `index.html`.
pub fn router(state: &AppState) -> Router<AppState> {
    endpoints()
        .into_iter()
        .fold(Router::new(), |router, endpoint| {
            let policy = RoutePolicy {
                state: state.clone(),
                access: endpoint.access,
                action: endpoint.action,
            };
            let route = endpoint
                .route
                .layer(middleware::from_fn_with_state(policy, gate::gate));
            let route = if endpoint.path.starts_with(rest::ROOT) {
                route.layer(middleware::from_fn(rest::array_envelope))
            } else {
                route
            };
            router.route(endpoint.path, route)
        })
        .fallback(|| async { AppError::NotFound("No such API endpoint.".into()) })
        .layer(middleware::from_fn(auth::require_csrf_header))
}
