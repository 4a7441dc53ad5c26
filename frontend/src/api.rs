//! Calls to the backend's `/api`, decoding every error into the portal's [`ApiError`].

use std::future::Future;
use std::pin::Pin;

use gloo_net::http::{Request, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{
    AddTargetRequest, ApiError, ApprovalDecision, ApprovalRequest, Approvals, ArraySummary,
    AuditEntry, AuditQuery, BatchOutcome, CSRF_HEADER, CSRF_HEADER_VALUE, ConnectArraysRequest,
    ConnectionQuery, ConnectionRequest, ConnectionTest, CopyRequest, CreateHostGroupRequest,
    CreateHostRequest, CreatePodRequest, CreateProtectionGroupRequest, CreateTokenRequest,
    CreateUserRequest, CreateVolumeRequest, CreatedToken, FleetAlertQuery, FleetAlerts,
    FleetDestroyRequest, FleetReplication, FleetSearch, FleetSnapshotRequest, FleetSummary,
    FleetThroughput, Forecast, GroupReplication, GroupSnapshotDetail, GroupSnapshotRequest,
    HardwareReport, History, HistoryQuery, HostList, HostListQuery, LinkPodRequest, LoginRequest,
    MaintenanceWindow, MembersRequest, Placement, PlacementQuery, PodDetail, PodLagHistory,
    ProtectionGroupDetail, Pure1ConnectRequest, Pure1Fleet, Pure1KeyPair, Pure1Status, Pure1Test,
    RecycleAction, RecycleBin, RegisterArrayRequest, RestoreRequest, RestoreResult, SearchQuery,
    SignInMethods, SnapshotListQuery, SnapshotRequest, StretchPodRequest, SummaryQuery,
    TokenSummary, UserChange, UserInfo, UserSummary, VolumeChange, VolumeCopies, VolumeList,
    VolumeListQuery,
};
use shared::flasharray::{
    ArrayConnection, ArrayEradicationConfig, Connection, Host, HostGroup, HostPatch, Pod,
    PodReplicaLink, ProtectionGroup, ProtectionGroupPatch, TargetProtectionGroup, Volume,
    VolumeSnapshot, VolumeSnapshotPatch,
};

use crate::components::encode;

/// A failed call: the HTTP status (0 when the backend was unreachable) and its error body.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: u16,
    pub error: ApiError,
}

impl Failure {
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }
}

pub type ApiResult<T> = Result<T, Failure>;

fn unreachable(error: impl std::fmt::Display) -> Failure {
    Failure {
        status: 0,
        error: ApiError::new(format!("Cannot reach the Flashdeck server: {error}")),
    }
}

/// What the server answered, read whole. Sending and reading do not depend on the type an
/// answer is decoded into, so [`exchange`] is one function and each call adds only its
/// decoding to the bundle.
struct Answer {
    status: u16,
    ok: bool,
    status_text: String,
    text: String,
}

/// Sends `request` (or says why it could not be made) and reads the answer.
fn exchange(
    request: Result<Request, gloo_net::Error>,
) -> Pin<Box<dyn Future<Output = ApiResult<Answer>>>> {
    Box::pin(async move {
        let response = request
            .map_err(unreachable)?
            .send()
            .await
            .map_err(unreachable)?;
        let (status, ok, status_text) = (response.status(), response.ok(), response.status_text());
        // A body cut short still leaves its status to act on (a 401 still signs out).
        let text = response.text().await.unwrap_or_default();
        Ok(Answer {
            status,
            ok,
            status_text,
            text,
        })
    })
}

impl Answer {
    fn decode<T: DeserializeOwned>(self) -> ApiResult<T> {
        if !self.ok {
            return Err(self.failure());
        }
        serde_json::from_str(&self.text).map_err(|error| Failure {
            status: self.status,
            error: ApiError::new(format!("Unexpected answer from the server: {error}")),
        })
    }

    /// A success whose body does not matter (`204 No Content`).
    fn nothing(self) -> ApiResult<()> {
        if self.ok { Ok(()) } else { Err(self.failure()) }
    }

    /// A change that may wait for a second person: `202` with the request, or done.
    fn maybe_held<T: DeserializeOwned>(
        self,
        done: impl FnOnce(Self) -> ApiResult<T>,
    ) -> ApiResult<Done<T>> {
        if self.status == 202 {
            return self.decode().map(|held| Done::Held(Box::new(held)));
        }
        done(self).map(Done::Now)
    }

    /// The server's error body, or its status when the body is not one.
    fn failure(self) -> Failure {
        let error = serde_json::from_str::<ApiError>(&self.text).unwrap_or_else(|_| {
            ApiError::new(format!(
                "The server answered {} {}",
                self.status, self.status_text
            ))
        });
        Failure {
            status: self.status,
            error,
        }
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> ApiResult<T> {
    exchange(Request::get(url).build()).await?.decode()
}

/// Mutating requests carry the CSRF header the backend requires.
async fn post<T: DeserializeOwned>(url: &str, body: &impl Serialize) -> ApiResult<T> {
    send(Request::post(url), body).await
}

async fn patch<T: DeserializeOwned>(url: &str, body: &impl Serialize) -> ApiResult<T> {
    send(Request::patch(url), body).await
}

async fn put<T: DeserializeOwned>(url: &str, body: &impl Serialize) -> ApiResult<T> {
    send(Request::put(url), body).await
}

async fn send<T: DeserializeOwned>(request: RequestBuilder, body: &impl Serialize) -> ApiResult<T> {
    exchange(with_csrf(request).json(body)).await?.decode()
}

/// A mutation whose success has no body (`204 No Content`).
async fn no_content(request: RequestBuilder) -> ApiResult<()> {
    exchange(with_csrf(request).build()).await?.nothing()
}

/// A mutation with a body whose success has none.
async fn send_for_nothing(request: RequestBuilder, body: &impl Serialize) -> ApiResult<()> {
    exchange(with_csrf(request).json(body)).await?.nothing()
}

/// How a change that may need a second person ended.
#[derive(Debug, Clone)]
pub enum Done<T = ()> {
    /// It ran, with this answer.
    Now(T),
    /// It waits for approval as this request.
    Held(Box<ApprovalRequest>),
}

/// The reason of a change that needs approval, in the query (any language; headers take ASCII).
fn with_reason(url: String, reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("{url}?reason={}", encode_uri_component(reason)),
        None => url,
    }
}

/// A `DELETE` that may wait for a second person, with its reason.
async fn delete_maybe_held(url: String, reason: Option<&str>) -> ApiResult<Done> {
    let url = with_reason(url, reason);
    exchange(with_csrf(Request::delete(&url)).build())
        .await?
        .maybe_held(Answer::nothing)
}

/// A change with a JSON body and answer that may wait for a second person.
async fn post_maybe_held<T: DeserializeOwned>(
    request: RequestBuilder,
    body: &impl Serialize,
) -> ApiResult<Done<T>> {
    exchange(with_csrf(request).json(body))
        .await?
        .maybe_held(Answer::decode)
}

/// A query type of `shared` as the query string the server reads it from.
fn query_string<T: serde::Serialize>(query: &T) -> String {
    shared::query::to_query_string(query).expect("query types are flat structs")
}

fn with_csrf(request: RequestBuilder) -> RequestBuilder {
    request.header(CSRF_HEADER, CSRF_HEADER_VALUE)
}

pub async fn sign_in_methods() -> ApiResult<SignInMethods> {
    get("/api/auth/providers").await
}

pub async fn me() -> ApiResult<UserInfo> {
    get("/api/auth/me").await
}

pub async fn login(request: &LoginRequest) -> ApiResult<UserInfo> {
    post("/api/auth/login", request).await
}

pub async fn logout() -> ApiResult<UserInfo> {
    post("/api/auth/logout", &()).await
}

pub async fn arrays() -> ApiResult<Vec<ArraySummary>> {
    get("/api/arrays").await
}

/// `/api/arrays/ARRAY/REST`, with every name kept one path segment.
fn array_url(array: &str, rest: &[&str]) -> String {
    let mut url = format!("/api/arrays/{}", encode(array));
    for segment in rest {
        url.push('/');
        url.push_str(&encode(segment));
    }
    url
}

pub async fn volumes(array: &str, query: &VolumeListQuery) -> ApiResult<VolumeList> {
    get(&format!(
        "{}{}",
        array_url(array, &["volumes"]),
        query_string(query)
    ))
    .await
}

pub async fn create_volumes(array: &str, request: &CreateVolumeRequest) -> ApiResult<Vec<Volume>> {
    post(&array_url(array, &["volumes"]), request).await
}

pub async fn volume(array: &str, volume: &str) -> ApiResult<Volume> {
    get(&array_url(array, &["volumes", volume])).await
}

pub async fn change_volume(array: &str, volume: &str, change: &VolumeChange) -> ApiResult<Volume> {
    patch(&array_url(array, &["volumes", volume]), change).await
}

pub async fn eradicate_volume(array: &str, volume: &str, reason: Option<&str>) -> ApiResult<Done> {
    delete_maybe_held(array_url(array, &["volumes", volume]), reason).await
}

pub async fn snapshot(array: &str, request: &SnapshotRequest) -> ApiResult<Vec<VolumeSnapshot>> {
    post(&array_url(array, &["volume-snapshots"]), request).await
}

pub async fn volume_snapshots(array: &str, volume: &str) -> ApiResult<Vec<VolumeSnapshot>> {
    let query = SnapshotListQuery {
        volume: Some(volume.to_owned()),
        destroyed: None,
    };
    get(&format!(
        "{}{}",
        array_url(array, &["volume-snapshots"]),
        query_string(&query)
    ))
    .await
}

pub async fn change_snapshot(
    array: &str,
    snapshot: &str,
    patch: &VolumeSnapshotPatch,
) -> ApiResult<VolumeSnapshot> {
    self::patch(&array_url(array, &["volume-snapshots", snapshot]), patch).await
}

pub async fn restore(
    array: &str,
    volume: &str,
    request: &RestoreRequest,
    reason: Option<&str>,
) -> ApiResult<Done<RestoreResult>> {
    let url = with_reason(array_url(array, &["volumes", volume, "restore"]), reason);
    post_maybe_held(Request::post(&url), request).await
}

pub async fn copy(array: &str, request: &CopyRequest) -> ApiResult<Volume> {
    post(&array_url(array, &["volumes", "copy"]), request).await
}

pub async fn protection_groups(array: &str) -> ApiResult<Vec<ProtectionGroup>> {
    get(&array_url(array, &["protection-groups"])).await
}

pub async fn create_protection_group(
    array: &str,
    request: &CreateProtectionGroupRequest,
) -> ApiResult<ProtectionGroup> {
    post(&array_url(array, &["protection-groups"]), request).await
}

pub async fn protection_group(array: &str, group: &str) -> ApiResult<ProtectionGroupDetail> {
    get(&array_url(array, &["protection-groups", group])).await
}

pub async fn change_protection_group(
    array: &str,
    group: &str,
    change: &ProtectionGroupPatch,
) -> ApiResult<ProtectionGroup> {
    patch(&array_url(array, &["protection-groups", group]), change).await
}

/// An array's pods, with their volumes counted and their links.
pub async fn pods(array: &str) -> ApiResult<Vec<PodDetail>> {
    get(&array_url(array, &["pods"])).await
}

pub async fn create_pod(array: &str, request: &CreatePodRequest) -> ApiResult<Pod> {
    post(&array_url(array, &["pods"]), request).await
}

/// Promotes (`"promote"`) or demotes (`"demote"`) a pod; it may wait for a second admin.
pub async fn set_pod_promotion(
    array: &str,
    pod: &str,
    change: &str,
    reason: Option<&str>,
) -> ApiResult<Done<Pod>> {
    let url = with_reason(array_url(array, &["pods", pod, change]), reason);
    post_maybe_held(Request::post(&url), &()).await
}

/// Links a pod to a pod on another array (made and demoted there if needed).
pub async fn link_pod(
    array: &str,
    pod: &str,
    request: &LinkPodRequest,
    reason: Option<&str>,
) -> ApiResult<Done<PodReplicaLink>> {
    let url = with_reason(array_url(array, &["pods", pod, "links"]), reason);
    post_maybe_held(Request::post(&url), request).await
}

/// Pauses (`"pause"`) or resumes (`"resume"`) a pod's link.
pub async fn set_pod_link_paused(
    array: &str,
    pod: &str,
    remote_pod: &str,
    change: &str,
    reason: Option<&str>,
) -> ApiResult<Done<PodReplicaLink>> {
    let url = with_reason(
        array_url(array, &["pods", pod, "links", remote_pod, change]),
        reason,
    );
    post_maybe_held(Request::post(&url), &()).await
}

/// How far behind the pod's link has been over the last hour.
pub async fn pod_lag(array: &str, pod: &str) -> ApiResult<PodLagHistory> {
    get(&array_url(array, &["pods", pod, "lag"])).await
}

/// Stretches a pod to another array (`"stretch"`), or takes it off one (`"unstretch"`).
pub async fn set_pod_stretch(
    array: &str,
    pod: &str,
    change: &str,
    request: &StretchPodRequest,
    reason: Option<&str>,
) -> ApiResult<Done> {
    let url = with_reason(array_url(array, &["pods", pod, change]), reason);
    exchange(with_csrf(Request::post(&url)).json(request))
        .await?
        .maybe_held(Answer::nothing)
}

pub async fn unlink_pod(
    array: &str,
    pod: &str,
    remote_pod: &str,
    reason: Option<&str>,
) -> ApiResult<Done> {
    delete_maybe_held(
        array_url(array, &["pods", pod, "links", remote_pod]),
        reason,
    )
    .await
}

/// Locks the group's retention (SafeMode); only Pure Technical Services unlock it. It may
/// wait for a second admin, with its reason.
pub async fn lock_retention(
    array: &str,
    group: &str,
    reason: Option<&str>,
) -> ApiResult<Done<ProtectionGroup>> {
    let url = with_reason(
        array_url(array, &["protection-groups", group, "retention-lock"]),
        reason,
    );
    post_maybe_held(Request::post(&url), &()).await
}

pub async fn add_members(
    array: &str,
    group: &str,
    request: &MembersRequest,
) -> ApiResult<ProtectionGroupDetail> {
    post(
        &array_url(array, &["protection-groups", group, "members"]),
        request,
    )
    .await
}

pub async fn remove_members(
    array: &str,
    group: &str,
    request: &MembersRequest,
) -> ApiResult<ProtectionGroupDetail> {
    send(
        Request::delete(&array_url(array, &["protection-groups", group, "members"])),
        request,
    )
    .await
}

pub async fn group_snapshots(array: &str, group: &str) -> ApiResult<Vec<GroupSnapshotDetail>> {
    get(&array_url(
        array,
        &["protection-groups", group, "snapshots"],
    ))
    .await
}

pub async fn snapshot_group(
    array: &str,
    group: &str,
    request: &GroupSnapshotRequest,
) -> ApiResult<GroupSnapshotDetail> {
    post(
        &array_url(array, &["protection-groups", group, "snapshots"]),
        request,
    )
    .await
}

#[derive(Serialize)]
struct Destroyed {
    destroyed: bool,
}

pub async fn destroy_group_snapshot(array: &str, snapshot: &str) -> ApiResult<()> {
    send_for_nothing(
        Request::patch(&array_url(array, &["protection-group-snapshots", snapshot])),
        &Destroyed { destroyed: true },
    )
    .await
}

pub async fn recycle_bin() -> ApiResult<RecycleBin> {
    get("/api/recycle-bin").await
}

pub async fn recover(action: &RecycleAction) -> ApiResult<()> {
    send_for_nothing(Request::post("/api/recycle-bin/recover"), action).await
}

pub async fn eradicate(action: &RecycleAction, reason: Option<&str>) -> ApiResult<Done> {
    let url = with_reason("/api/recycle-bin/eradicate".to_owned(), reason);
    exchange(with_csrf(Request::post(&url)).json(action))
        .await?
        .maybe_held(Answer::nothing)
}

pub async fn approvals() -> ApiResult<Approvals> {
    get("/api/approvals").await
}

/// Approves (at once, or in `window`) or rejects request `id`.
pub async fn decide_approval(
    id: i64,
    approve: bool,
    comment: &str,
    window: Option<MaintenanceWindow>,
) -> ApiResult<ApprovalRequest> {
    let verb = if approve { "approve" } else { "reject" };
    let decision = ApprovalDecision {
        comment: (!comment.trim().is_empty()).then(|| comment.trim().to_owned()),
        window,
    };
    post(&format!("/api/approvals/{id}/{verb}"), &decision).await
}

pub async fn cancel_approval(id: i64) -> ApiResult<ApprovalRequest> {
    exchange(with_csrf(Request::post(&format!("/api/approvals/{id}/cancel"))).build())
        .await?
        .decode()
}

pub async fn hosts(array: &str, query: &HostListQuery) -> ApiResult<HostList> {
    get(&format!(
        "{}{}",
        array_url(array, &["hosts"]),
        query_string(query)
    ))
    .await
}

pub async fn host(array: &str, host: &str) -> ApiResult<Host> {
    get(&array_url(array, &["hosts", host])).await
}

pub async fn create_host(array: &str, request: &CreateHostRequest) -> ApiResult<Host> {
    post(&array_url(array, &["hosts"]), request).await
}

pub async fn change_host(array: &str, host: &str, change: &HostPatch) -> ApiResult<Host> {
    patch(&array_url(array, &["hosts", host]), change).await
}

pub async fn delete_host(array: &str, host: &str) -> ApiResult<()> {
    no_content(Request::delete(&array_url(array, &["hosts", host]))).await
}

pub async fn host_groups(array: &str) -> ApiResult<Vec<HostGroup>> {
    get(&array_url(array, &["host-groups"])).await
}

pub async fn create_host_group(
    array: &str,
    request: &CreateHostGroupRequest,
) -> ApiResult<HostGroup> {
    post(&array_url(array, &["host-groups"]), request).await
}

pub async fn delete_host_group(array: &str, group: &str) -> ApiResult<()> {
    no_content(Request::delete(&array_url(array, &["host-groups", group]))).await
}

pub async fn add_to_group(array: &str, group: &str, host: &str) -> ApiResult<()> {
    no_content(Request::put(&array_url(
        array,
        &["host-groups", group, "hosts", host],
    )))
    .await
}

pub async fn remove_from_group(array: &str, group: &str, host: &str) -> ApiResult<()> {
    no_content(Request::delete(&array_url(
        array,
        &["host-groups", group, "hosts", host],
    )))
    .await
}

pub async fn connections(array: &str, query: &ConnectionQuery) -> ApiResult<Vec<Connection>> {
    get(&format!(
        "{}{}",
        array_url(array, &["connections"]),
        query_string(query)
    ))
    .await
}

pub async fn connect(array: &str, request: &ConnectionRequest) -> ApiResult<Connection> {
    post(&array_url(array, &["connections"]), request).await
}

pub async fn disconnect(array: &str, request: &ConnectionRequest) -> ApiResult<()> {
    no_content(Request::delete(&format!(
        "{}{}",
        array_url(array, &["connections"]),
        query_string(request)
    )))
    .await
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The browser's own encoder, so that any array name stays one path segment.
    #[wasm_bindgen(js_name = encodeURIComponent)]
    fn encode_uri_component(text: &str) -> String;
}

pub async fn tokens() -> ApiResult<Vec<TokenSummary>> {
    get("/api/tokens").await
}

pub async fn all_tokens() -> ApiResult<Vec<TokenSummary>> {
    get("/api/tokens/all").await
}

pub async fn create_token(request: &CreateTokenRequest) -> ApiResult<CreatedToken> {
    post("/api/tokens", request).await
}

pub async fn revoke_token(id: i64) -> ApiResult<()> {
    no_content(Request::delete(&format!("/api/tokens/{id}"))).await
}

pub async fn audit_forwarding() -> ApiResult<Vec<shared::api::AuditForwarding>> {
    get("/api/audit/forwarding").await
}

pub async fn notification_channels() -> ApiResult<Vec<shared::api::Channel>> {
    get("/api/notifications/channels").await
}

pub async fn create_channel(
    channel: &shared::api::NewChannel,
) -> ApiResult<shared::api::CreatedChannel> {
    post("/api/notifications/channels", channel).await
}

pub async fn delete_channel(id: i64) -> ApiResult<()> {
    no_content(Request::delete(&format!(
        "/api/notifications/channels/{id}"
    )))
    .await
}

pub async fn test_channel(id: i64) -> ApiResult<shared::api::ChannelTestResult> {
    post(&format!("/api/notifications/channels/{id}/test"), &()).await
}

pub async fn notification_rules() -> ApiResult<Vec<shared::api::Rule>> {
    get("/api/notifications/rules").await
}

pub async fn create_rule(rule: &shared::api::NewRule) -> ApiResult<shared::api::Rule> {
    post("/api/notifications/rules", rule).await
}

pub async fn delete_rule(id: i64) -> ApiResult<()> {
    no_content(Request::delete(&format!("/api/notifications/rules/{id}"))).await
}

pub async fn retry_delivery(id: i64) -> ApiResult<()> {
    no_content(Request::post(&format!(
        "/api/notifications/deliveries/{id}/retry"
    )))
    .await
}

pub async fn deliveries() -> ApiResult<Vec<shared::api::Delivery>> {
    get("/api/notifications/deliveries").await
}

pub async fn silences() -> ApiResult<Vec<shared::api::Silence>> {
    get("/api/notifications/silences").await
}

pub async fn create_silence(silence: &shared::api::NewSilence) -> ApiResult<shared::api::Silence> {
    post("/api/notifications/silences", silence).await
}

pub async fn end_silence(id: i64) -> ApiResult<()> {
    no_content(Request::delete(&format!(
        "/api/notifications/silences/{id}"
    )))
    .await
}

pub async fn personal_mail() -> ApiResult<shared::api::PersonalMail> {
    get("/api/notifications/personal-mail").await
}

pub async fn report_settings() -> ApiResult<shared::api::ReportSettings> {
    get("/api/notifications/report").await
}

pub async fn set_report_settings(
    settings: &shared::api::ReportSettings,
) -> ApiResult<shared::api::ReportSettings> {
    put("/api/notifications/report", settings).await
}

pub async fn send_report_now() -> ApiResult<()> {
    no_content(Request::post("/api/notifications/report/send")).await
}

pub async fn set_personal_mail(
    choice: &shared::api::PersonalMail,
) -> ApiResult<shared::api::PersonalMail> {
    put("/api/notifications/personal-mail", choice).await
}

pub async fn my_notifications() -> ApiResult<shared::api::MyNotifications> {
    get("/api/notifications/mine").await
}

pub async fn change_my_notifications(
    change: &shared::api::MyNotificationsChange,
) -> ApiResult<shared::api::MyNotifications> {
    put("/api/notifications/mine", change).await
}

pub async fn users() -> ApiResult<Vec<UserSummary>> {
    get("/api/users").await
}

pub async fn create_user(
    request: &CreateUserRequest,
    reason: Option<&str>,
) -> ApiResult<Done<UserSummary>> {
    let url = with_reason("/api/users".to_owned(), reason);
    post_maybe_held(Request::post(&url), request).await
}

pub async fn change_user(
    username: &str,
    change: &UserChange,
    reason: Option<&str>,
) -> ApiResult<Done<UserSummary>> {
    let url = with_reason(
        format!("/api/users/{}", encode_uri_component(username)),
        reason,
    );
    post_maybe_held(Request::patch(&url), change).await
}

pub async fn end_sessions(username: &str) -> ApiResult<()> {
    no_content(Request::delete(&format!(
        "/api/users/{}/sessions",
        encode_uri_component(username)
    )))
    .await
}

pub async fn audit(query: &AuditQuery) -> ApiResult<Vec<AuditEntry>> {
    get(&format!("/api/audit{}", query_string(query))).await
}

/// The CSV export of what `query` finds, as a link the browser downloads.
pub fn audit_csv_url(query: &AuditQuery) -> String {
    format!("/api/audit.csv{}", query_string(query))
}

pub async fn register_array(request: &RegisterArrayRequest) -> ApiResult<ArraySummary> {
    post("/api/arrays", request).await
}

pub async fn test_unsaved_array(request: &RegisterArrayRequest) -> ApiResult<ConnectionTest> {
    post("/api/connection-test", request).await
}

pub async fn test_array(array: &str) -> ApiResult<ConnectionTest> {
    post(&array_url(array, &["connection-test"]), &()).await
}

pub async fn array_connections(array: &str) -> ApiResult<Vec<ArrayConnection>> {
    get(&array_url(array, &["array-connections"])).await
}

pub async fn connect_arrays(
    array: &str,
    request: &ConnectArraysRequest,
) -> ApiResult<ArrayConnection> {
    post(&array_url(array, &["array-connections"]), request).await
}

/// Where a volume's copies are, by the protection groups holding it.
pub async fn volume_copies(array: &str, volume: &str) -> ApiResult<Vec<VolumeCopies>> {
    get(&array_url(array, &["volumes", volume, "copies"])).await
}

/// The group's last transfer and what each target holds of it.
pub async fn group_replication(array: &str, group: &str) -> ApiResult<GroupReplication> {
    get(&array_url(
        array,
        &["protection-groups", group, "replication"],
    ))
    .await
}

pub async fn add_group_target(
    array: &str,
    group: &str,
    request: &AddTargetRequest,
) -> ApiResult<TargetProtectionGroup> {
    post(
        &array_url(array, &["protection-groups", group, "targets"]),
        request,
    )
    .await
}

/// Stops `group` replicating to `remote` (as the array names it).
pub async fn remove_group_target(
    array: &str,
    group: &str,
    remote: &str,
    reason: Option<&str>,
) -> ApiResult<Done> {
    delete_maybe_held(
        array_url(array, &["protection-groups", group, "targets", remote]),
        reason,
    )
    .await
}

/// Disconnects `array` from `remote` (as the array names it).
pub async fn disconnect_arrays(array: &str, remote: &str, reason: Option<&str>) -> ApiResult<Done> {
    delete_maybe_held(array_url(array, &["array-connections", remote]), reason).await
}

pub async fn remove_array(array: &str, reason: Option<&str>) -> ApiResult<Done> {
    delete_maybe_held(array_url(array, &[]), reason).await
}

pub async fn fleet_summary(refresh: bool) -> ApiResult<FleetSummary> {
    get(&format!(
        "/api/fleet/summary{}",
        query_string(&SummaryQuery {
            refresh: refresh.then(|| "true".to_owned()),
        })
    ))
    .await
}

/// Alerts across the fleet: `severity` and `array` narrow them, `closed` adds the closed ones.
/// Every replication relationship of the caller's arrays.
/// What the arrays sent over their replication links over the last day.
pub async fn fleet_throughput() -> ApiResult<FleetThroughput> {
    get("/api/fleet/replication/throughput").await
}

pub async fn fleet_replication() -> ApiResult<FleetReplication> {
    get("/api/fleet/replication").await
}

pub async fn fleet_alerts(severity: &str, array: &str, closed: bool) -> ApiResult<FleetAlerts> {
    let given = |text: &str| Some(text.to_owned()).filter(|text| !text.is_empty());
    get(&format!(
        "/api/fleet/alerts{}",
        query_string(&FleetAlertQuery {
            severity: given(severity),
            array: given(array),
            closed,
        })
    ))
    .await
}

pub async fn fleet_search(q: &str, kinds: &str) -> ApiResult<FleetSearch> {
    let query = SearchQuery {
        q: Some(q.to_owned()),
        kinds: Some(kinds.to_owned()).filter(|kinds| !kinds.is_empty()),
    };
    get(&format!("/api/fleet/search{}", query_string(&query))).await
}

fn history(range: &str) -> HistoryQuery {
    HistoryQuery {
        range: Some(range.to_owned()),
    }
}

pub async fn array_history(array: &str, range: &str) -> ApiResult<History> {
    get(&format!(
        "{}{}",
        array_url(array, &["history"]),
        query_string(&history(range))
    ))
    .await
}

pub async fn volume_history(array: &str, volume: &str, range: &str) -> ApiResult<History> {
    get(&format!(
        "{}{}",
        array_url(array, &["volumes", volume, "history"]),
        query_string(&history(range))
    ))
    .await
}

pub async fn fleet_snapshot(request: &FleetSnapshotRequest) -> ApiResult<BatchOutcome> {
    post("/api/fleet/snapshots", request).await
}

pub async fn fleet_destroy(request: &FleetDestroyRequest) -> ApiResult<BatchOutcome> {
    post("/api/fleet/destroy", request).await
}

pub async fn flag_alert(
    array: &str,
    alert: &str,
    flag: &shared::api::AlertFlag,
) -> ApiResult<shared::flasharray::Alert> {
    send(
        Request::put(&array_url(array, &["alerts", alert, "flag"])),
        flag,
    )
    .await
}

pub async fn pure1_status() -> ApiResult<Pure1Status> {
    get("/api/pure1").await
}

pub async fn generate_pure1_key_pair() -> ApiResult<Pure1KeyPair> {
    post("/api/pure1/key-pair", &()).await
}

pub async fn test_pure1(request: &Pure1ConnectRequest) -> ApiResult<Pure1Test> {
    post("/api/pure1/test", request).await
}

pub async fn connect_pure1(request: &Pure1ConnectRequest) -> ApiResult<Pure1Test> {
    send(Request::put("/api/pure1"), request).await
}

pub async fn disconnect_pure1() -> ApiResult<()> {
    no_content(Request::delete("/api/pure1")).await
}

pub async fn fleet_pure1() -> ApiResult<Pure1Fleet> {
    get("/api/fleet/pure1").await
}

pub async fn hardware(array: &str) -> ApiResult<HardwareReport> {
    get(&array_url(array, &["hardware"])).await
}

pub async fn eradication_config(array: &str) -> ApiResult<ArrayEradicationConfig> {
    get(&array_url(array, &["eradication-config"])).await
}

pub async fn forecast(array: &str) -> ApiResult<Forecast> {
    get(&array_url(array, &["forecast"])).await
}

/// Where a volume of `size` (as typed: `2T`, `500G`) should go, best first.
pub async fn placement(size: &str) -> ApiResult<Placement> {
    get(&format!(
        "/api/fleet/placement{}",
        query_string(&PlacementQuery {
            size: Some(size.to_owned()),
        })
    ))
    .await
}
