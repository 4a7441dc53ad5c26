//! The gate in front of every `/api` route. Each route is declared with its [`Access`] (see
//! `api::endpoints`); the gate resolves the session, checks the role and the array scope,
//! gives the request an id that its array calls carry as `x-request-id`, and for a change
//! writes the audit row before the handler runs and completes it after. Handlers get the
//! checked user through [`CurrentUser`], which only the gate provides.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, FromRequestParts, Query, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use shared::api::{Action, ApiError, REASON_HEADER, Role, rest_permit};

use crate::approvals::{self, ApprovedRun, HeldChange, HeldChanges};
use crate::clock::unix_now_ms;
use crate::db::{AuditRecord, NewAuditRecord};
use crate::error::AppError;
use crate::identity::auth::CurrentUser;
use crate::identity::origin::ClientOrigin;
use crate::state::AppState;

/// The header carrying a request's id, to the browser and to the arrays.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The metrics label of an array the portal does not know.
pub const OTHER_ARRAY_LABEL: &str = "other";

/// The largest request body an audited route reads.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Body fields that name what a change is about, when the path does not.
const TARGET_FIELDS: &[&str] = &[
    "name",
    "names",
    "volume",
    "volumes",
    "host",
    "host_group",
    "source",
    "target",
    "remote",
    "username",
];

/// Query parameters that name what a REST root call is about, as arrays take them.
const REST_TARGET_PARAMETERS: &[&str] = &[
    "names",
    "ids",
    "group_names",
    "group_ids",
    "member_names",
    "member_ids",
    "source_names",
    "source_ids",
    "local_pod_names",
    "local_pod_ids",
    "remote_pod_names",
    "remote_pod_ids",
    "remote_names",
];

/// Parts of field names that hold secrets; their values never reach the audit log. Wide on
/// purpose: REST root bodies carry whatever the array takes (`connection_key`, SNMP
/// `community`, `auth_passphrase`).
const SECRET_FIELDS: &[&str] = &[
    "password",
    "secret",
    "token",
    "key",
    "passphrase",
    "community",
    "credential",
    // A Slack or Teams webhook's address is what lets anyone post to the channel.
    "webhook_url",
];

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: signing in itself.
    Public,
    /// A signed-in user with at least this role.
    Role(Role),
    /// An array's REST root: a signed-in user, with the least role and the audited action of
    /// the collection and method as `shared::api::REST_COLLECTIONS` says; refused when it
    /// says nothing.
    RestRoot,
}

/// A route's policy, handed to [`gate`] as its state.
#[derive(Debug, Clone)]
pub struct RoutePolicy {
    pub state: AppState,
    pub access: Access,
    /// The audited action, such as `volume.create`; `None` for reads.
    pub action: Option<Action>,
}

pub async fn gate(State(policy): State<RoutePolicy>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = request.method().clone();
    let (mut parts, body) = request.into_parts();
    let path = path_params(&mut parts).await;
    let request = Request::from_parts(parts, body);
    // Only arrays the portal knows get a label of their own, so that requests naming made-up
    // arrays cannot grow `/metrics` without end.
    let array = path.get("array").map(|name| {
        if policy.state.arrays.get(name).is_some() {
            name.clone()
        } else {
            OTHER_ARRAY_LABEL.to_owned()
        }
    });
    let mut response = match admit(&policy, request, &path, &request_id).await {
        Err(refusal) => refusal.into_response(),
        Ok(Admission::Held(response)) => response,
        Ok(Admission::Run(request, None)) => {
            flasharray::with_request_id(request_id.clone(), next.run(request)).await
        }
        Ok(Admission::Run(request, Some(audit))) => {
            let quiet = policy.action == Some(Action::NotificationChannelCreate);
            run_audited(policy.state.clone(), audit, quiet, next.run(request)).await
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    policy.state.metrics.record_request(
        array.as_deref(),
        method.as_str(),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// A change's audit row, written before it runs and completed after.
struct PendingAudit {
    id: i64,
    record: NewAuditRecord,
}

/// What the gate does with an admitted request.
enum Admission {
    /// Run it: the request with the user in its extensions and, for a change, its pending
    /// audit row.
    Run(Request, Option<Box<PendingAudit>>),
    /// A change that waits for a second person: recorded, and answered without running.
    Held(Response),
}

/// Checks the caller and, for a change, writes the pending audit row, or holds the change
/// for approval when its action needs a second person.
async fn admit(
    policy: &RoutePolicy,
    request: Request,
    path: &BTreeMap<String, String>,
    request_id: &str,
) -> Result<Admission, AppError> {
    let (mut parts, body) = request.into_parts();
    let role = match policy.access {
        Access::Public => return Ok(Admission::Run(Request::from_parts(parts, body), None)),
        Access::Role(role) => role,
        Access::RestRoot => Role::Viewer,
    };
    let approved = parts.extensions.remove::<ApprovedRun>();
    let user = match &approved {
        Some(run) => CurrentUser::approved(run.requester.clone(), run.token.as_ref()),
        None => {
            let origin = ClientOrigin::from_request_parts(&mut parts, &policy.state).await?;
            CurrentUser::from_request(&parts.headers, origin, &policy.state.sessions).await?
        }
    };
    user.require(role)?;
    validate_path(path)?;
    if let Some(array) = path.get("array") {
        user.require_array(array)?;
    }
    // On an array's REST root the table decides the role and the audited action; checked
    // here, so that a call the caller may not make is never held for approval either.
    let rest = match (policy.access, path.get("path")) {
        (Access::RestRoot, Some(rest_path)) => {
            let permit = rest_permit(
                parts.method.as_str(),
                rest_path,
                parts.uri.query().unwrap_or_default(),
            )
            .map_err(|refusal| AppError::Forbidden(refusal.message()))?;
            user.require(permit.role)?;
            parts.extensions.insert(permit.clone());
            Some(permit)
        }
        (Access::RestRoot, None) => {
            return Err(AppError::Internal(
                "a REST root route without a collection".into(),
            ));
        }
        _ => None,
    };
    parts.extensions.insert(user.clone());
    let action = match &rest {
        Some(permit) => permit.action,
        None => policy.action,
    };
    let Some(action) = action else {
        if let (Some(_), Some(array), Some(rest_path)) =
            (&rest, path.get("array"), path.get("path"))
        {
            policy.state.rest_root.count(
                &user.user.username,
                user.api_token().map(|grant| grant.name.as_str()),
                array,
                rest_path,
                unix_now_ms(),
            );
        }
        return Ok(Admission::Run(Request::from_parts(parts, body), None));
    };
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            AppError::Invalid(ApiError::new(format!(
                "The request body is larger than {MAX_BODY_BYTES} bytes."
            )))
        })?;
    // A change is audited and held by what its body says: one the gate cannot read is
    // refused rather than run blind.
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        crate::api::strict_json::parse(&bytes).map_err(|error| {
            AppError::Invalid(ApiError::new(format!(
                "The request body is not JSON the portal can read: {error}"
            )))
        })?
    };
    let through_rest_root = rest.is_some();
    // What the gate reads of a body is its fields: a body of any other shape would reach the
    // handler or the array unread (serde, for one, takes an array for a struct's fields in
    // order), past the rule, the scope of the arrays it names and the audit's redaction.
    if !(body.is_null() || body.is_object()) {
        return Err(AppError::Invalid(ApiError::new(
            "A change's body is a JSON object.",
        )));
    }
    // The gate reads a field whatever its case; two spellings of one would let the array or
    // the handler act on the one the gate did not read.
    if let Some(fields) = body.as_object() {
        let keys: Vec<&String> = fields.keys().collect();
        if let Some(twice) = keys.iter().enumerate().find_map(|(index, key)| {
            keys[..index]
                .iter()
                .any(|earlier| earlier.eq_ignore_ascii_case(key))
                .then_some(key)
        }) {
            return Err(AppError::Invalid(ApiError::new(format!(
                "The body gives {twice:.60} twice, in different cases; give it once."
            ))));
        }
    }
    let field = |name: &str| {
        body.as_object().and_then(|fields| {
            fields
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.to_string())
        })
    };
    let rest = rest.map(|permit| permit.with_body(field));
    // A change through a REST root that reaches other arrays names them as the array names
    // its connections: each must be an array the portal manages, checked below like `remote`.
    let mut reached = Vec::new();
    if let Some(permit) = &rest {
        user.require(permit.role)?;
        if let (false, Some(array)) = (permit.other_arrays.is_empty(), path.get("array")) {
            let client = super::extract::array(&policy.state, &user, array)?;
            reached = super::replication::managed_arrays_connected_as(
                &policy.state,
                &user,
                &client,
                array,
                &permit.other_arrays,
            )
            .await?;
        }
    }
    let general = action;
    let (action, mut amounts_to) = match rest {
        Some(permit) => (permit.action.unwrap_or(action), permit.amounts_to),
        None => (action, approvals::amounts_to(action, &body)),
    };
    // Audited as what it does (`volume.destroy`, not `volume.change`), and held by a rule on
    // that; read from the general change, whatever a REST root's body turned it into.
    let what_it_does = general.what_it_does(field);
    let action = match what_it_does.first() {
        Some(done) if action == general => *done,
        _ => action,
    };
    amounts_to.extend(what_it_does);
    approvals::add_what_it_takes_with_it(&mut amounts_to);
    let held = approved.is_none()
        && amounts_to
            .into_iter()
            .any(|action| policy.state.approvals.requires(action));
    // A change to arrays the path does not name names them in its body (the recycle bin,
    // fleet-wide actions), where its handler reads them: never from the query, which the
    // handler does not read. A change between two arrays names the other as `remote`, in
    // the path or the body: the caller must be allowed both, and so must whoever approves it.
    // A REST root's body is the array's, whose fields mean what the array says.
    let mut arrays: Vec<String> = path.get("array").cloned().into_iter().collect();
    let named = if through_rest_root {
        Vec::new()
    } else {
        arrays_named(&body)?
    };
    for other in path
        .get("remote")
        .cloned()
        .into_iter()
        .chain(named)
        .chain(reached)
    {
        user.require_array(&other)?;
        if !arrays.contains(&other) {
            arrays.push(other);
        }
    }
    let array = (!arrays.is_empty()).then(|| arrays.join(","));
    // An approved change runs on the arrays its approver saw, or not at all: the names a
    // REST call gives could have come to mean other arrays since.
    if let Some(run) = &approved
        && run.arrays.is_some()
        && run.arrays != array
    {
        return Err(AppError::Conflict(format!(
            "This change now reaches {}, not the arrays it was approved for ({}); ask again.",
            array.as_deref().unwrap_or("no array"),
            run.arrays.as_deref().unwrap_or_default()
        )));
    }
    let parameters = match action {
        // A channel's body is mostly its receiver's address, a secret however it is spelt:
        // only what names the channel is kept.
        Action::NotificationChannelCreate => only_fields(body, &["name", "kind"]),
        _ => parameters(&parts, body),
    };
    let target = target(path, &parameters);
    let record = NewAuditRecord {
        started_at_ms: unix_now_ms(),
        username: user.user.username.clone(),
        token: user.api_token().map(|grant| grant.name.clone()),
        array,
        action: action.name().to_owned(),
        target,
        parameters: match &approved {
            Some(run) => serde_json::json!({"approval": run.approval, "request": parameters}),
            None => parameters,
        }
        .to_string(),
        request_id: request_id.to_owned(),
    };
    if held {
        return hold(policy, &user, &parts, &bytes, record).await;
    }
    let id = policy.state.db.begin_audit(&record).await?;
    policy.state.metrics.record_audit_row();
    Ok(Admission::Run(
        Request::from_parts(parts, Body::from(bytes)),
        Some(Box::new(PendingAudit { id, record })),
    ))
}

/// Records a change that needs a second person, and its request in the audit log, running
/// nothing: `202 Accepted` with the request.
async fn hold(
    policy: &RoutePolicy,
    user: &CurrentUser,
    parts: &Parts,
    body: &Bytes,
    record: NewAuditRecord,
) -> Result<Admission, AppError> {
    // Scripts send it as a header; the browser in the query, where any language fits.
    let reason = parts
        .headers
        .get(REASON_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            Query::<BTreeMap<String, String>>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|Query(mut query)| query.remove("reason"))
        });
    let path = parts.uri.path_and_query().map_or_else(
        || parts.uri.path().to_owned(),
        |path| path.as_str().to_owned(),
    );
    let held = approvals::queue(
        &HeldChanges::from_ref(&policy.state),
        HeldChange {
            user,
            action: &record.action,
            method: &parts.method,
            path,
            body,
            reason: reason.as_deref(),
            array: record.array.clone(),
            target: record.target.clone(),
            parameters: record.parameters.clone(),
        },
    )
    .await?;
    let request_row = NewAuditRecord {
        action: "approval.request".to_owned(),
        target: format!("#{} {} {}", held.id, held.action, held.target),
        parameters: serde_json::json!({"approval": held.id, "reason": held.reason, "request": held.parameters})
            .to_string(),
        ..record
    };
    let finished = AuditRecord {
        success: true,
        status: StatusCode::ACCEPTED.as_u16(),
        message: None,
        duration_ms: 0,
    };
    policy.state.audit_finished(&request_row, &finished).await?;
    Ok(Admission::Held(
        (StatusCode::ACCEPTED, axum::Json(held)).into_response(),
    ))
}

/// The arrays a body names: its `array` or `remote`, or the `array` of each of its
/// `volumes`, sorted and each once.
fn arrays_named(body: &Value) -> Result<Vec<String>, AppError> {
    // A field that names arrays in another shape could be read by the handler where the gate
    // reads nothing: refused.
    let refuse = |field: &str| {
        AppError::Invalid(ApiError::for_field(
            field,
            format!("{field} names arrays by their names, as text."),
        ))
    };
    let mut arrays = Vec::new();
    for field in ["array", "remote"] {
        match body.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) => arrays.push(name.clone()),
            Some(_) => return Err(refuse(field)),
        }
    }
    for volume in body
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match volume {
            Value::String(_) => {}
            Value::Object(fields) => match fields.get("array") {
                None | Some(Value::Null) => {}
                Some(Value::String(name)) => arrays.push(name.clone()),
                Some(_) => return Err(refuse("volumes.array")),
            },
            _ => return Err(refuse("volumes")),
        }
    }
    arrays.sort();
    arrays.dedup();
    Ok(arrays)
}

/// Refuses a path whose parameters are not names the arrays could hold, so that `a,b` never
/// reaches an array's `names=` as two names.
fn validate_path(path: &BTreeMap<String, String>) -> Result<(), AppError> {
    for (parameter, value) in path {
        let checked = match parameter.as_str() {
            // Snapshot names join names with '.', and group snapshots end in a number.
            "snapshot" => validate_snapshot_name(value),
            "user" => shared::api::validate_username(value).map_err(|error| error.message),
            // Arrays name alerts by number, and the portal its tokens.
            "alert" => validate_number(value, "An alert is named by its number"),
            "token" => validate_number(value, "A token is named by its number"),
            "approval" => validate_number(value, "A request is named by its number"),
            "channel" => validate_number(value, "A channel is named by its number"),
            "rule" => validate_number(value, "A rule is named by its number"),
            "delivery" => validate_number(value, "A message is named by its number"),
            "silence" => validate_number(value, "A silence is named by its number"),
            "version" => validate_rest_version(value),
            // A group replicated from another array is `SOURCE:GROUP` on its target.
            "group" => match value.split_once(':') {
                Some((source, group)) => shared::names::validate_object_name("Array", source)
                    .and_then(|()| shared::names::validate_object_name("Group", group)),
                None => shared::names::validate_object_name("Group", value),
            },
            "path" => validate_rest_path(value),
            // A volume in a pod is `POD::VOLUME`.
            "volume" => shared::names::validate_volume_name(value),
            // An array that leaves a stretched pod keeps it as `POD.restretch`.
            "pod" => shared::names::validate_object_name(
                "Pod",
                value.strip_suffix(".restretch").unwrap_or(value),
            ),
            "remote_pod" => shared::names::validate_object_name("Pod", value),
            _ => shared::names::validate_object_name(&capitalised(parameter), value),
        };
        checked.map_err(|message| {
            AppError::Invalid(ApiError::for_field(parameter_field(parameter), message))
        })?;
    }
    Ok(())
}

fn validate_number(name: &str, refusal: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 18 || !name.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(refusal.to_owned());
    }
    Ok(())
}

fn validate_rest_version(version: &str) -> Result<(), String> {
    let minor = version.strip_prefix("2.").unwrap_or_default();
    if minor.is_empty() || minor.len() > 3 || !minor.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(format!(
            "{version:.20} is not a REST 2.x version such as 2.36"
        ));
    }
    Ok(())
}

/// A REST collection such as `host-groups/hosts`: nothing that could step out of `/api/2.x/`.
fn validate_rest_path(path: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/');
    if path.is_empty()
        || path.len() > 200
        || !path.chars().all(allowed)
        || path.starts_with('/')
        || path.contains("//")
    {
        return Err(
            "A REST path names a collection, such as volumes or host-groups/hosts".to_owned(),
        );
    }
    Ok(())
}

fn validate_snapshot_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':');
    if name.is_empty() || name.len() > 255 || !name.chars().all(allowed) {
        return Err(
            "A snapshot name is up to 255 letters, digits, '-', '.' and ':' characters".to_owned(),
        );
    }
    Ok(())
}

fn capitalised(parameter: &str) -> String {
    let mut chars = parameter.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

fn parameter_field(parameter: &str) -> &'static str {
    match parameter {
        "array" => "array",
        "volume" => "volume",
        "host" => "host",
        "group" => "group",
        "snapshot" => "snapshot",
        "user" => "username",
        "alert" => "alert",
        "token" => "token",
        "approval" => "approval",
        "version" => "version",
        "pod" => "pod",
        "remote_pod" => "remote_pod",
        _ => "path",
    }
}

async fn path_params(parts: &mut Parts) -> BTreeMap<String, String> {
    RawPathParams::from_request_parts(parts, &())
        .await
        .map(|params| {
            params
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The body, and the query string if there is one, as JSON with every secret removed.
fn parameters(parts: &Parts, body: Value) -> Value {
    let query = Query::<BTreeMap<String, String>>::try_from_uri(&parts.uri)
        .map(|Query(query)| query)
        .unwrap_or_default();
    let mut parameters = match (query.is_empty(), body) {
        (true, body) => body,
        (false, Value::Null) => serde_json::json!(query),
        (false, body) => serde_json::json!({ "query": query, "body": body }),
    };
    redact(&mut parameters);
    parameters
}

/// `body`'s `fields` alone.
fn only_fields(body: Value, fields: &[&str]) -> Value {
    match body {
        Value::Object(mut given) => Value::Object(
            fields
                .iter()
                .filter_map(|field| {
                    given
                        .remove(*field)
                        .map(|value| ((*field).to_owned(), value))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn redact(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                let name = name.to_ascii_lowercase();
                if SECRET_FIELDS.iter().any(|secret| name.contains(secret)) && !field.is_null() {
                    *field = Value::String("<redacted>".to_owned());
                } else {
                    redact(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// What a change is about: the objects its path names, or else those its body names.
fn target(path: &BTreeMap<String, String>, parameters: &Value) -> String {
    let named: Vec<&str> = path
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "array" | "version"))
        .map(|(_, value)| value.as_str())
        .collect();
    if !named.is_empty() {
        // A REST root call names its objects in the query, as arrays take them.
        let query = path
            .contains_key("path")
            .then(|| parameters.get("query").unwrap_or(parameters));
        // Arrays read parameter names in any case, as the gate does.
        let names: Vec<String> = REST_TARGET_PARAMETERS
            .iter()
            .filter_map(|name| {
                let (_, value) = query?
                    .as_object()?
                    .iter()
                    .find(|(given, _)| given.eq_ignore_ascii_case(name))?;
                Some(format!("{name}={}", value.as_str()?))
            })
            .collect();
        return named
            .into_iter()
            .map(str::to_owned)
            .chain(names)
            .collect::<Vec<_>>()
            .join(" ");
    }
    let body = parameters.get("body").unwrap_or(parameters);
    TARGET_FIELDS
        .iter()
        .filter_map(|field| {
            let value = match body.get(*field)? {
                Value::String(text) => text.clone(),
                // Names, or objects on arrays (`{"array", "name"}`) as `array/name`.
                Value::Array(items) => items
                    .iter()
                    .filter_map(|item| match item {
                        Value::String(name) => Some(name.clone()),
                        Value::Object(fields) => {
                            let text = |key: &str| fields.get(key).and_then(Value::as_str);
                            Some(format!("{}/{}", text("array")?, text("name")?))
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                _ => return None,
            };
            Some(format!("{field}={value}"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs an admitted change to its end in its own task, so that a browser that goes away
/// cannot cut it off between the array's answer and the completion of its audit row. A
/// `quiet` change's refusal is recorded by the field it names alone: its words may quote
/// what was sent, a secret. The change's log line is written here, for every change alike,
/// from what the audit row holds: no secret is in it.
async fn run_audited(
    state: AppState,
    audit: Box<PendingAudit>,
    quiet: bool,
    run: impl Future<Output = Response> + Send + 'static,
) -> Response {
    let task = tokio::spawn(async move {
        let started = Instant::now();
        let request_id = audit.record.request_id.clone();
        let response = flasharray::with_request_id(request_id, run).await;
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let success = parts.status.is_success();
        let record = AuditRecord {
            success,
            status: parts.status.as_u16(),
            message: (!success).then(|| match quiet {
                true => quiet_error_message(&bytes),
                false => error_message(&bytes),
            }),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        log_change(&audit.record, &record);
        if let Err(error) = state.db.finish_audit(audit.id, &record).await {
            let audit_id = audit.id;
            tracing::error!(%error, audit_id, "cannot complete an audit row; it stays pending");
        }
        Response::from_parts(parts, Body::from(bytes))
    });
    task.await.unwrap_or_else(|error| {
        AppError::Internal(format!("a request task failed: {error}")).into_response()
    })
}

/// The arrays and the target are written quoted, their control characters escaped, and cut
/// short: they come from what the caller sent, and a line break in them would forge a line of
/// the log.
fn log_change(change: &NewAuditRecord, outcome: &AuditRecord) {
    let (user, action) = (&change.username, &change.action);
    let array = clipped(change.array.as_deref().unwrap_or("-"));
    let target = clipped(&change.target);
    let (status, request_id) = (outcome.status, &change.request_id);
    if outcome.success {
        tracing::info!(%user, ?array, %action, ?target, status, %request_id, "change made");
    } else {
        tracing::info!(%user, ?array, %action, ?target, status, %request_id, "change refused");
    }
}

/// How much of a caller's text a log line keeps.
const LOGGED_CHARS: usize = 200;

/// `text`'s first [`LOGGED_CHARS`] characters, with `…` when it goes on.
fn clipped(text: &str) -> String {
    match text.char_indices().nth(LOGGED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// The message of an error answer: the array's own when the array refused.
fn error_message(body: &Bytes) -> String {
    serde_json::from_slice::<ApiError>(body)
        .map(|error| error.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(body).into_owned())
}

/// "refused (field: email.password)", never the refusal's words.
fn quiet_error_message(body: &Bytes) -> String {
    match serde_json::from_slice::<ApiError>(body)
        .ok()
        .and_then(|error| error.field)
    {
        Some(field) => format!("refused (field: {field})"),
        None => "refused".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_named_alone_or_as_its_source_array_names_it_never_as_a_list() {
        let group = |name: &str| validate_path(&BTreeMap::from([("group".into(), name.into())]));
        assert!(group("pg-oracle").is_ok());
        assert!(group("fa-prod-01:pg-oracle").is_ok());
        for bad in [
            "pg-a,pg-b",
            "fa-prod-01:pg-a:pg-b",
            ":pg-a",
            "fa-prod-01:",
            "a:b,c",
        ] {
            assert!(group(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_are_removed_at_any_depth() {
        let mut value = serde_json::json!({
            "name": "esx-01",
            "chap": {"host_password": "s3cret-s3cret", "host_user": "esx"},
            "password": null,
            "items": [{"api_token": "abc"}],
            "connection_key": "ck-s3cret",
            "snmp": {"community": "public-s3cret", "auth_passphrase": "pp-s3cret"},
            "key": {"private": "k-s3cret"},
        });
        redact(&mut value);
        let text = value.to_string();
        assert!(!text.contains("s3cret") && !text.contains("abc"), "{text}");
        assert_eq!(value["chap"]["host_user"], "esx");
        assert_eq!(value["password"], Value::Null);
    }

    #[test]
    fn logged_text_is_cut_at_a_character_not_a_byte() {
        assert_eq!(clipped("fa-1"), "fa-1");
        let long = "é".repeat(LOGGED_CHARS + 1);
        assert_eq!(clipped(&long), format!("{}…", "é".repeat(LOGGED_CHARS)));
        assert_eq!(clipped(&long[..LOGGED_CHARS * 2]), "é".repeat(LOGGED_CHARS));
    }

    #[test]
    fn a_change_names_the_arrays_its_body_names() {
        let fleet = serde_json::json!({"volumes": [
            {"array": "fa-2", "name": "a"},
            {"array": "fa-1", "name": "b"},
            {"array": "fa-2", "name": "c"},
        ]});
        assert_eq!(arrays_named(&fleet).expect("named"), ["fa-1", "fa-2"]);
        let bin = serde_json::json!({"array": "fa-3", "kind": "volume", "name": "x"});
        assert_eq!(arrays_named(&bin).expect("named"), ["fa-3"]);
        assert!(arrays_named(&Value::Null).expect("none").is_empty());
        // Named in another shape, an array would reach the handler unseen.
        for hidden in [
            serde_json::json!({"volumes": [{"array": "fa-1", "name": "a"}, ["fa-2", "b"]]}),
            serde_json::json!({"volumes": [{"array": ["fa-2"], "name": "a"}]}),
            serde_json::json!({"remote": ["fa-2"]}),
            serde_json::json!({"array": {"name": "fa-2"}}),
        ] {
            assert!(arrays_named(&hidden).is_err(), "{hidden}");
        }
    }

    #[test]
    fn the_target_comes_from_the_path_or_else_the_body() {
        let mut path = BTreeMap::new();
        path.insert("array".to_owned(), "fa-1".to_owned());
        let body = serde_json::json!({"volume": "db-1", "host": "esx-1", "lun": 3});
        assert_eq!(target(&path, &body), "volume=db-1 host=esx-1");
        path.insert("volume".to_owned(), "db-2".to_owned());
        assert_eq!(target(&path, &body), "db-2");
        let names = serde_json::json!({"query": {}, "body": {"names": ["a", "b"]}});
        assert_eq!(target(&BTreeMap::new(), &names), "names=a,b");
        let mut rest = BTreeMap::new();
        rest.insert("array".to_owned(), "fa-1".to_owned());
        rest.insert("path".to_owned(), "volumes".to_owned());
        let query = serde_json::json!({"names": "db-1,db-2", "overwrite": "true"});
        assert_eq!(target(&rest, &query), "volumes names=db-1,db-2");
        let fleet = serde_json::json!({"volumes": [{"array": "fa-1", "name": "db-1"}, {"array": "fa-2", "name": "db-2"}]});
        assert_eq!(
            target(&BTreeMap::new(), &fleet),
            "volumes=fa-1/db-1,fa-2/db-2"
        );
    }
}
