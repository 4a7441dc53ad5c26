//! The portal's own HTTP API between the frontend and the backend (`/api/...`).

mod actions;
mod admin;
mod approvals;
mod attention;
mod fleet;
mod hardware;
mod notifications;
mod planning;
mod pods;
mod protection;
mod pure1;
mod registration;
mod replication;
mod reports;
mod rest_root;
mod tokens;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::flasharray::{Host, HostPatch, HostPost, Volume, VolumePatch};

pub use actions::Action;
pub use admin::{
    AuditEntry, AuditForwarding, AuditOutcome, AuditQuery, CreateUserRequest, MAX_PASSWORD_BYTES,
    MIN_PASSWORD_CHARS, UserChange, UserSummary, validate_array_username, validate_create_user,
    validate_password, validate_password_length, validate_user_change, validate_username,
};
pub use approvals::{
    ApprovalDecision, ApprovalRequest, ApprovalState, Approvals, MAX_REASON_CHARS,
    MAX_WINDOW_DAYS_AHEAD, MAX_WINDOW_HOURS, MaintenanceWindow, REASON_HEADER, validate_reason,
    validate_window,
};
pub use attention::{Attention, FULL_SOON_DAYS, NEARLY_FULL, Urgency, full_in, needs_attention};
pub use fleet::{
    ALERT_SEVERITIES, AlertCounts, AlertFlag, ArrayFailure, ArrayFigures, ArraySearch, ArrayStatus,
    BatchItem, BatchOutcome, CHART_POINTS, FleetAlert, FleetAlertQuery, FleetAlerts,
    FleetDestroyRequest, FleetSearch, FleetSnapshotRequest, FleetSummary, FleetTotals, FleetVolume,
    Fullness, HISTORY_RANGES, History, HistoryQuery, Load, LoadPoint, MAX_BATCH,
    SEARCH_HITS_PER_KIND, SearchHit, SearchKind, SearchQuery, SpacePoint, SummaryQuery,
    history_range, validate_fleet_volumes,
};
pub use hardware::{FailingPart, HardwareHealth, HardwareReport, PartCount, PartRow};
pub use notifications::{
    AlertSeverity, Channel, ChannelKind, ChannelTestResult, CreatedChannel, Delivery,
    DeliveryState, EmailSettings, IDEMPOTENCY_HEADER, MAX_CHANNELS, MAX_REPEAT_HOURS, MAX_RULES,
    MAX_SILENCE_HOURS, MAX_SILENCES, MyNotifications, MyNotificationsChange, NewChannel, NewRule,
    NewSilence, PersonalMail, PersonalTopic, QuietHours, Rule, RuleCondition, SIGNATURE_HEADER,
    Silence, SmtpSecurity, TIMESTAMP_HEADER, is_invisible, message_text, url_host,
    validate_my_notifications, validate_new_channel, validate_new_rule, validate_new_silence,
};
pub use planning::{
    FORECAST_DAYS, Forecast, LoadSource, MIN_HISTORY_DAYS, PLACEMENT_PREFER_BELOW,
    PLACEMENT_SKIP_ABOVE, Placement, PlacementCandidate, PlacementInput, PlacementQuery, Runway,
    Unweighed, forecast, quantile, rank,
};
pub use pods::{
    CreatePodRequest, LagPoint, LinkPodRequest, POD_LAG_BREACH_MS, POD_LAG_WARNING_MS, PodDetail,
    PodLagHistory, PodLinkRelationship, StretchPodRequest, StretchedPod, judge_pod_link,
    judge_stretched_pod, validate_create_pod, validate_link_pod, validate_stretch_pod,
};
pub use protection::{
    CopyRequest, CreateProtectionGroupRequest, DestroyedQuery, GroupSnapshotDetail,
    GroupSnapshotRequest, MemberKind, MembersRequest, ProtectionGroupDetail, RecycleAction,
    RecycleBin, RecycledItem, RecycledKind, RestoreRequest, RestoreResult, SnapshotListQuery,
    describe_duration_ms, describe_retention, describe_schedule, kept_for, time_of_day,
};
pub use pure1::{
    Pure1Alert, Pure1Array, Pure1ConnectRequest, Pure1Fleet, Pure1Key, Pure1KeyPair, Pure1Source,
    Pure1Status, Pure1Test, validate_pure1_connect,
};
pub use registration::{
    ConnectionTest, RegisterArrayRequest, RegisterAuth, validate_register_array,
};
pub use replication::{
    AddTargetRequest, CONNECTION_TYPES, ConnectArraysRequest, FleetReplication, FleetThroughput,
    GroupReplication, LAG_BREACH, LAG_WARNING, LagFacts, ReplicationHealth,
    ReplicationRelationship, TargetCopies, ThroughputPoint, VolumeCopies, judge_replication,
    newest_copy, validate_add_target, validate_connect_arrays,
};
pub use reports::{
    ArrayReport, FleetReport, GroupReport, MAX_REPORT_ITEMS, MAX_UNPROTECTED_LISTED,
    ReportSchedule, ReportSettings, ReportVolume, WEEKDAYS, validate_report_schedule,
};
pub use rest_root::{
    EVERY_ERADICATION, NEVER_PASSED, NeverPassed, REST_COLLECTIONS, RestChange, RestCollection,
    RestPermit, RestRefusal, rest_permit,
};
pub use tokens::{
    CreateTokenRequest, CreatedToken, MAX_TOKEN_NAME_CHARS, MAX_TOKENS_PER_USER,
    REST_API_TOKEN_HEADER, TOKEN_PREFIX, TokenSummary, looks_like_token, validate_create_token,
};

/// Name of the session cookie; HttpOnly, so the frontend never reads it.
pub const SESSION_COOKIE: &str = "flashdeck_session";
/// Its name when the cookie is `Secure`: the `__Host-` prefix makes browsers refuse it from
/// another host or over plain HTTP, so a neighbour cannot plant a session of its own.
pub const SECURE_SESSION_COOKIE: &str = "__Host-flashdeck_session";
/// Header every mutating request must carry. A cross-site form cannot set a custom header,
/// and a cross-site script cannot send one without a CORS preflight the backend refuses.
pub const CSRF_HEADER: &str = "x-flashdeck-csrf";
/// The value of [`CSRF_HEADER`].
pub const CSRF_HEADER_VALUE: &str = "1";

/// What a portal user may do. Ordered: each role may do everything the one before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        [Role::Viewer, Role::Operator, Role::Admin]
            .into_iter()
            .find(|role| role.as_str() == text)
    }
}

/// `POST /api/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The signed-in user (`GET /api/auth/me`, and the answer to a login).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub username: String,
    pub role: Role,
    /// Signed in through the identity provider: signing out also ends its session there.
    #[serde(default)]
    pub sso: bool,
}

/// How people sign in here (`GET /api/auth/providers`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInMethods {
    /// The identity provider's name, when single sign-on is set up.
    pub single_sign_on: Option<String>,
    /// Whether local passwords sign in (break-glass users' always do).
    pub local_passwords: bool,
}

/// Where the sign-in page shows why single sign-on failed (`/?sso_error=…`).
pub const SSO_ERROR_PARAMETER: &str = "sso_error";

/// How the backend authenticates to an array. Credentials themselves never leave the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// An administrator's API token, exchanged for a REST session at login.
    ApiToken,
    /// An API client: an RS256 ID token exchanged for an OAuth 2.0 access token.
    ApiClient,
}

impl AuthMethod {
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::ApiToken => "API token",
            AuthMethod::ApiClient => "API client (OAuth 2.0)",
        }
    }
}

/// Whom an array's own audit log names for what the portal does there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// One array user, the portal's, for everyone.
    #[default]
    Service,
    /// Each portal user as their own array user (the ID token's `sub`); needs an API client.
    PerUser,
}

/// A registered array, as the portal lists it (`GET /api/arrays`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArraySummary {
    pub name: String,
    pub url: String,
    pub auth_method: AuthMethod,
    #[serde(default)]
    pub identity: Identity,
    /// Registered by an admin in the portal (and removable there), rather than in the
    /// configuration file.
    #[serde(default)]
    pub registered_in_portal: bool,
}

/// The columns the volume table sorts by, and the array field behind each.
pub const VOLUME_SORT_KEYS: &[(&str, &str)] = &[
    ("name", "name"),
    ("provisioned", "provisioned"),
    ("used", "space.virtual"),
    ("data_reduction", "space.data_reduction"),
    ("created", "created"),
    ("serial", "serial"),
    ("connections", "connection_count"),
];

/// The query of `GET /api/arrays/{array}/volumes`: one page, found and ordered by the array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// A key of [`VOLUME_SORT_KEYS`], with a leading `-` for descending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Part of a name, any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// `true` lists the volumes pending eradication instead.
    #[serde(default)]
    pub destroyed: bool,
}

/// The array's sort parameter for a volume table's sort key such as `-used`.
pub fn volume_sort_field(sort: &str) -> Result<String, ApiError> {
    sort_field(VOLUME_SORT_KEYS, sort)
}

/// The array's sort parameter for a table sort key, from the table's `(key, field)` pairs.
fn sort_field(table: &[(&str, &str)], sort: &str) -> Result<String, ApiError> {
    let (descending, key) = match sort.strip_prefix('-') {
        Some(key) => (true, key),
        None => (false, sort),
    };
    let field = table
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, field)| *field)
        .ok_or_else(|| {
            let keys: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
            ApiError::for_field(
                "sort",
                format!("Cannot sort by {key:?}: use one of {}.", keys.join(", ")),
            )
        })?;
    Ok(if descending {
        format!("-{field}")
    } else {
        field.to_owned()
    })
}

/// The host table's sort keys and the array fields they sort by.
pub const HOST_SORT_KEYS: &[(&str, &str)] = &[
    ("name", "name"),
    ("host_group", "host_group.name"),
    ("connections", "connection_count"),
];

/// The array's sort parameter for a host table's sort key such as `-connections`.
pub fn host_sort_field(sort: &str) -> Result<String, ApiError> {
    sort_field(HOST_SORT_KEYS, sort)
}

/// The query of `GET /api/arrays/{array}/hosts`: one page, found and ordered by the array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// A key of [`HOST_SORT_KEYS`], with a leading `-` for descending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Part of a name, any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
}

/// `GET /api/arrays/{array}/hosts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostList {
    pub items: Vec<Host>,
    pub total_item_count: u64,
}

/// `GET /api/arrays/{array}/volumes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeList {
    pub items: Vec<Volume>,
    pub total_item_count: u64,
    /// The protection groups of each listed volume that is in any.
    #[serde(default)]
    pub protection_groups: BTreeMap<String, Vec<String>>,
}

/// `POST /api/arrays/{array}/volumes`: one volume, or many through a name pattern such as
/// `db-[1-8]`, all of one size. The answer lists the volumes made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateVolumeRequest {
    /// A name, or a pattern ([`crate::names::expand_name_pattern`]).
    pub name: String,
    /// Bytes; the frontend parses what the admin typed with [`crate::size::parse_volume_size`].
    pub provisioned: u64,
}

/// `PATCH /api/arrays/{array}/volumes/{volume}`: rename, resize, QoS, destroy, recover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeChange {
    #[serde(flatten)]
    pub patch: VolumePatch,
    /// Confirms that shrinking may cut off data at the end of the volume.
    #[serde(default)]
    pub truncate: bool,
}

/// Checks a volume change as both sides do before it reaches an array.
pub fn validate_volume_change(change: &VolumeChange) -> Result<(), ApiError> {
    if let Some(name) = &change.patch.name {
        crate::names::validate_object_name("Volume", name)
            .map_err(|message| ApiError::for_field("name", message))?;
    }
    if let Some(provisioned) = change.patch.provisioned {
        crate::size::validate_volume_size(provisioned)
            .map_err(|error| ApiError::for_field("provisioned", error.to_string()))?;
    }
    if change.patch == VolumePatch::default() {
        return Err(ApiError::new("Nothing to change."));
    }
    Ok(())
}

/// `POST /api/arrays/{array}/hosts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateHostRequest {
    pub name: String,
    #[serde(flatten)]
    pub host: HostPost,
}

/// Checks a new host as both sides do: its name, and each port in a form the array takes.
/// Ports come back in their normal form (WWNs as lower-case colon pairs).
pub fn validate_create_host(request: &CreateHostRequest) -> Result<CreateHostRequest, ApiError> {
    crate::names::validate_object_name("Host", &request.name)
        .map_err(|message| ApiError::for_field("name", message))?;
    let mut checked = request.clone();
    checked.host.iqns = normalize_all(&request.host.iqns, crate::ports::normalize_iqn, "iqns")?;
    checked.host.wwns = normalize_all(&request.host.wwns, crate::ports::normalize_wwn, "wwns")?;
    checked.host.nqns = normalize_all(&request.host.nqns, crate::ports::normalize_nqn, "nqns")?;
    Ok(checked)
}

/// Checks a host change: a new name and the ports to add, normalised.
pub fn validate_host_change(change: &HostPatch) -> Result<HostPatch, ApiError> {
    if let Some(name) = &change.name {
        crate::names::validate_object_name("Host", name)
            .map_err(|message| ApiError::for_field("name", message))?;
    }
    let mut checked = change.clone();
    checked.add_iqns = normalize_all(&change.add_iqns, crate::ports::normalize_iqn, "iqns")?;
    checked.add_wwns = normalize_all(&change.add_wwns, crate::ports::normalize_wwn, "wwns")?;
    checked.add_nqns = normalize_all(&change.add_nqns, crate::ports::normalize_nqn, "nqns")?;
    checked.remove_iqns = normalize_all(&change.remove_iqns, crate::ports::normalize_iqn, "iqns")?;
    checked.remove_wwns = normalize_all(&change.remove_wwns, crate::ports::normalize_wwn, "wwns")?;
    checked.remove_nqns = normalize_all(&change.remove_nqns, crate::ports::normalize_nqn, "nqns")?;
    Ok(checked)
}

fn normalize_all(
    ports: &[String],
    normalize: fn(&str) -> Result<String, String>,
    field: &str,
) -> Result<Vec<String>, ApiError> {
    ports
        .iter()
        .map(|port| normalize(port).map_err(|message| ApiError::for_field(field, message)))
        .collect()
}

/// `POST /api/arrays/{array}/host-groups`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateHostGroupRequest {
    pub name: String,
}

/// `POST /api/arrays/{array}/connections`, and the query of `DELETE`: a volume and exactly
/// one of a host or a host group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionRequest {
    pub volume: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_group: Option<String>,
    /// 1 to 4095; the array picks the lowest free one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun: Option<u32>,
}

/// Checks a connection request as both sides do.
pub fn validate_connection(request: &ConnectionRequest) -> Result<(), ApiError> {
    if request.volume.is_empty() {
        return Err(ApiError::for_field("volume", "Choose a volume."));
    }
    match (&request.host, &request.host_group) {
        (Some(_), Some(_)) => {
            return Err(ApiError::for_field(
                "target",
                "Connect to a host or to a host group, not both.",
            ));
        }
        (None, None) => {
            return Err(ApiError::for_field(
                "target",
                "Choose a host or a host group.",
            ));
        }
        _ => {}
    }
    if let Some(lun) = request.lun
        && !(1..=4095).contains(&lun)
    {
        return Err(ApiError::for_field(
            "lun",
            format!("LUN {lun} is out of range: use 1 to 4095, or leave it empty."),
        ));
    }
    Ok(())
}

/// `POST /api/arrays/{array}/volume-snapshots`: snapshots of one or more volumes, taken
/// together as one consistent set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotRequest {
    pub volumes: Vec<String>,
    /// Appended after a dot; the array numbers the snapshots when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// Checks a snapshot request as both sides do.
pub fn validate_snapshot_request(request: &SnapshotRequest) -> Result<(), ApiError> {
    if request.volumes.is_empty() {
        return Err(ApiError::for_field(
            "volumes",
            "Choose at least one volume.",
        ));
    }
    if let Some(suffix) = &request.suffix {
        validate_snapshot_suffix(suffix)?;
    }
    Ok(())
}

/// A snapshot suffix, refused under the `suffix` field: what follows the dot in `VOLUME.SUFFIX`.
pub fn validate_snapshot_suffix(suffix: &str) -> Result<(), ApiError> {
    crate::names::validate_object_name("Snapshot suffix", suffix)
        .map_err(|message| ApiError::for_field("suffix", message))
}

/// The query of `GET /api/arrays/{array}/connections`: everything, or one side's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_group: Option<String>,
}

/// Every portal API error has this body; the HTTP status tells the category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// For a person: the array's own message when the array refused.
    pub message: String,
    /// The request field the message is about, so the UI can show it next to that field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The array's `x-request-id` when the error came from an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: None,
            request_id: None,
        }
    }

    pub fn for_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: Some(field.to_owned()),
            request_id: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Checks a volume creation request as both the frontend and the backend do before it
/// reaches an array; returns the names it makes.
pub fn validate_create_volume(request: &CreateVolumeRequest) -> Result<Vec<String>, ApiError> {
    let names = crate::names::expand_name_pattern("Volume", &request.name)
        .map_err(|message| ApiError::for_field("name", message))?;
    crate::size::validate_volume_size(request.provisioned)
        .map_err(|error| ApiError::for_field("provisioned", error.to_string()))?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_sign_in_password() {
        let login = LoginRequest {
            username: "alice".into(),
            password: "hunter2hunter2".into(),
        };
        let shown = format!("{login:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("alice"),
            "{shown}"
        );
    }

    #[test]
    fn host_table_keys_become_the_arrays_sort_fields() {
        assert_eq!(host_sort_field("host_group").unwrap(), "host_group.name");
        assert_eq!(
            host_sort_field("-connections").unwrap(),
            "-connection_count"
        );
        let refused = host_sort_field("ports").unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("sort"));
        assert!(
            refused.message.contains("name, host_group, connections"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        assert_eq!(Role::parse("operator"), Some(Role::Operator));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn create_volume_errors_name_the_field() {
        let bad_name = CreateVolumeRequest {
            name: "-x".into(),
            provisioned: 1 << 20,
        };
        assert_eq!(
            validate_create_volume(&bad_name)
                .unwrap_err()
                .field
                .as_deref(),
            Some("name")
        );
        let bad_size = CreateVolumeRequest {
            name: "x".into(),
            provisioned: 1000,
        };
        assert_eq!(
            validate_create_volume(&bad_size)
                .unwrap_err()
                .field
                .as_deref(),
            Some("provisioned")
        );
    }
}
