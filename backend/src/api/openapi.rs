//! The portal's API described: an OpenAPI 3.1 document (`/api/openapi.json`) and a reference
//! page (`/api/reference`), both made from [`super::endpoints`], whose routes name the shared
//! types they take and give, so the description cannot drift from the router.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use shared::api::{ApiError, NEVER_PASSED, REST_COLLECTIONS, Role};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, Schema};
use utoipa::openapi::{Ref, RefOr};

use super::{Endpoint, endpoints};
use crate::api::gate::Access;
use crate::formats::html_escaped;
use crate::state::{ApiDescription, AppState};

type Components = Vec<(String, RefOr<Schema>)>;

/// A shared type as the document refers to it, and the schemas it needs.
#[derive(Clone, Copy)]
pub struct Shape {
    name: fn() -> String,
    reference: fn() -> Value,
    components: fn(&mut Components),
}

impl Shape {
    /// A named type of `shared`, referred to by name.
    pub fn of<T: ToSchema>() -> Self {
        Self {
            name: || T::name().into_owned(),
            reference: || schema_value(&RefOr::Ref(Ref::from_schema_name(T::name()))),
            components: |all| {
                all.push((T::name().into_owned(), T::schema()));
                T::schemas(all);
            },
        }
    }

    /// A list of a named type.
    pub fn list_of<T: ToSchema>() -> Self {
        Self {
            name: || format!("list of {}", T::name()),
            reference: || {
                let items = RefOr::Ref(Ref::from_schema_name(T::name()));
                schema_value(&RefOr::T(Schema::Array(Array::new(items))))
            },
            components: Self::of::<T>().components,
        }
    }
}

fn schema_value(schema: &RefOr<Schema>) -> Value {
    serde_json::to_value(schema).unwrap_or(Value::Null)
}

/// What a route answers when it succeeds.
#[derive(Clone, Copy, Default)]
pub enum Answer {
    /// Not described: the route answers whatever its upstream does (a REST root).
    #[default]
    Passed,
    Json {
        status: u16,
        shape: Shape,
    },
    NoContent,
    Csv,
    Html,
    OpenApi,
}

/// What the document says of one route beyond its method, path and policy.
#[derive(Clone, Copy, Default)]
pub struct Description {
    pub summary: &'static str,
    pub body: Option<Shape>,
    pub query: Option<Shape>,
    pub answer: Answer,
}

/// The description, made on first use: anyone may ask for it, so it is not made again per
/// request.
fn described(state: &AppState) -> &ApiDescription {
    state.api_description.get_or_init(|| {
        let endpoints = endpoints();
        ApiDescription {
            document: openapi(&endpoints).to_string(),
            page: reference_page(&endpoints),
        }
    })
}

/// `GET /api/openapi.json`.
pub async fn document(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        described(&state).document.clone(),
    )
        .into_response()
}

/// `GET /api/reference`: the same description as a page for people, served by the portal.
pub async fn reference(State(state): State<AppState>) -> Html<String> {
    Html(described(&state).page.clone())
}

fn role_words(access: Access) -> &'static str {
    match access {
        Access::Public => "anyone",
        Access::Role(Role::Viewer) => "viewer",
        Access::Role(Role::Operator) => "operator",
        Access::Role(Role::Admin) => "admin",
        Access::RestRoot => REST_ROLE,
    }
}

/// What the description says of a REST root call's role: its collection's row decides.
const REST_ROLE: &str = "by collection";

/// The REST roots' table as the document lists it: each collection, who reads it, which
/// changes it takes (their least role and audited action), and what is never passed.
fn rest_collections() -> Value {
    let collections: Vec<Value> = REST_COLLECTIONS
        .iter()
        .map(|collection| {
            let changes: Vec<Value> = collection
                .changes
                .iter()
                .map(|change| {
                    json!({
                        "method": change.method,
                        "role": change.action.least_role().as_str(),
                        "audited_as": change.action,
                        "also_held_as": change.amounts_to,
                        "other_arrays_named_by": change.other_arrays,
                    })
                })
                .collect();
            json!({"path": collection.path, "read": collection.read.as_str(), "changes": changes})
        })
        .collect();
    let never: Vec<Value> = NEVER_PASSED
        .iter()
        .map(|never| json!({"path": never.path, "why": never.why}))
        .collect();
    json!({"passed": collections, "never_passed": never})
}

/// `/arrays/{array}/rest/api/{version}/{*path}` as OpenAPI writes it.
fn openapi_path(path: &str) -> String {
    format!("/api{}", path.replace("{*", "{"))
}

fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| name.trim_start_matches('*').to_owned())
        .collect()
}

/// The query parameters of a query type: its schema's properties.
fn query_parameters(shape: &Shape, components: &Components) -> Vec<Value> {
    let name = (shape.name)();
    let Some((_, schema)) = components.iter().find(|(component, _)| *component == name) else {
        return Vec::new();
    };
    let schema = schema_value(schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|properties| {
            properties
                .iter()
                .map(|(property, schema)| {
                    let mut parameter = json!({
                        "name": property,
                        "in": "query",
                        "required": required.contains(&property.as_str()),
                        "schema": schema,
                    });
                    if let Some(text) = schema.get("description") {
                        parameter["description"] = text.clone();
                    }
                    parameter
                })
                .collect()
        })
        .unwrap_or_default()
}

fn operation(endpoint: &Endpoint, components: &mut Components) -> Value {
    let description = &endpoint.description;
    let role = role_words(endpoint.access);
    let mut parameters: Vec<Value> = path_parameters(endpoint.path)
        .into_iter()
        .map(|name| {
            let text = if name == "path" {
                "The array's REST collection, slashes included (such as volumes or host-groups/hosts)."
            } else {
                "A name, as the arrays and the portal spell it."
            };
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": text})
        })
        .collect();
    if let Some(query) = &description.query {
        (query.components)(components);
        parameters.extend(query_parameters(query, components));
    }
    let mut responses = serde_json::Map::new();
    match description.answer {
        Answer::Json { status, shape } => {
            (shape.components)(components);
            responses.insert(
                status.to_string(),
                json!({"description": (shape.name)(), "content": {"application/json": {"schema": (shape.reference)()}}}),
            );
        }
        Answer::NoContent => {
            responses.insert("204".into(), json!({"description": "Done."}));
        }
        Answer::Csv => {
            responses.insert(
                "200".into(),
                json!({"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}),
            );
        }
        Answer::Html => {
            responses.insert(
                "200".into(),
                json!({"description": "A page", "content": {"text/html": {"schema": {"type": "string"}}}}),
            );
        }
        Answer::OpenApi => {
            responses.insert(
                "200".into(),
                json!({"description": "An OpenAPI 3.1 document", "content": {"application/json": {"schema": {"type": "object"}}}}),
            );
        }
        Answer::Passed => {
            responses.insert(
                "default".into(),
                json!({"description": "The array's own answer, passed on as it came."}),
            );
        }
    }
    responses.insert(
        "4XX".into(),
        json!({"description": "Refused: the message says why; `field` names the request field it is about.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}),
    );
    let mut operation = json!({
        "operationId": operation_id(endpoint),
        "summary": description.summary,
        "description": match endpoint.access {
            Access::Public => "Open to anyone.".to_owned(),
            Access::Role(_) => format!("Needs the {role} role, and the array in the caller's scope where the path names one."),
            Access::RestRoot => "Passed to the array only for the collections and methods listed in x-flashdeck-rest-collections, with the least role and audited action listed there; anything else is refused for everyone, as are expose_* parameters. An overwrite (POST volumes with overwrite=true) is audited as volume.restore and takes a safety snapshot of each volume first. The array's answer is passed on as JSON only.".to_owned(),
        },
        "tags": [tag(endpoint.path)],
        "parameters": parameters,
        "responses": responses,
        "x-flashdeck-role": role,
    });
    if let Some(action) = endpoint.action {
        operation["x-flashdeck-audited-as"] = json!(action);
    }
    if endpoint.access == Access::Public {
        operation["security"] = json!([]);
    }
    if let Some(body) = &description.body {
        (body.components)(components);
        operation["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": (body.reference)()}},
        });
    }
    operation
}

fn operation_id(endpoint: &Endpoint) -> String {
    let path: String = endpoint
        .path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| segment.trim_matches(|c| matches!(c, '{' | '}' | '*')))
        .collect::<Vec<_>>()
        .join("_");
    format!(
        "{}_{}",
        endpoint.method.as_str().to_ascii_lowercase(),
        path.replace(['-', '.'], "_")
    )
}

/// The group a route is listed under: what it is about.
fn tag(path: &str) -> &'static str {
    const TAGS: &[(&str, &str)] = &[
        ("/auth", "sign-in"),
        ("/arrays/{array}/rest", "array REST roots"),
        ("/arrays/{array}/volume", "volumes and snapshots"),
        ("/arrays/{array}/host", "hosts"),
        ("/arrays/{array}/connections", "hosts"),
        ("/arrays/{array}/protection", "protection"),
        ("/arrays/{array}/alerts", "fleet"),
        ("/arrays/{array}/history", "fleet"),
        ("/arrays/{array}/forecast", "planning"),
        ("/arrays", "arrays"),
        ("/connection-test", "arrays"),
        ("/fleet/placement", "planning"),
        ("/fleet/pure1", "Pure1"),
        ("/fleet", "fleet"),
        ("/pure1", "Pure1"),
        ("/recycle-bin", "volumes and snapshots"),
        ("/users", "users and tokens"),
        ("/tokens", "users and tokens"),
        ("/audit", "audit"),
    ];
    TAGS.iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or("portal", |(_, tag)| tag)
}

/// The OpenAPI 3.1 document of `endpoints`.
pub fn openapi(endpoints: &[Endpoint]) -> Value {
    let mut components = Components::new();
    (Shape::of::<ApiError>().components)(&mut components);
    let mut paths: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    for endpoint in endpoints {
        let operation = operation(endpoint, &mut components);
        paths
            .entry(openapi_path(endpoint.path))
            .or_default()
            .insert(endpoint.method.as_str().to_ascii_lowercase(), operation);
    }
    let schemas: BTreeMap<String, Value> = components
        .iter()
        .map(|(name, schema)| (name.clone(), schema_value(schema)))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Flashdeck",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The portal's API. Scripts authenticate with a personal API token (made under API tokens in the portal) as `Authorization: Bearer`; the browser with its session cookie and the `x-flashdeck-csrf: 1` header on changes. Each route names the least role it needs (`x-flashdeck-role`) and, for a change, the action it is audited as.",
        },
        "servers": [{"url": "/"}],
        "x-flashdeck-rest-collections": rest_collections(),
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token, fdk_…"},
                "session": {"type": "apiKey", "in": "cookie", "name": shared::api::SESSION_COOKIE},
            },
        },
    })
}

/// The REST roots' table on the reference page.
fn rest_section(page: &mut String) {
    page.push_str(
        "<h2 id=\"rest-collections\">What an array's REST root passes</h2>\
         <p>Only these collections and methods reach the array, for the roles named; anything else is refused for everyone, \
         and so is any <code>expose_*</code> or <code>context_*</code> parameter. Changes are audited under the action named, which \
         <code>[approvals] actions</code> can hold for a second person. A change that reaches other arrays names them by \
         name in the parameter shown, as the array names its connections: each must be an array the portal manages that the caller may change.</p>\
         <table><thead><tr><th>Collection</th><th>Read</th><th>Changes</th></tr></thead><tbody>",
    );
    for collection in REST_COLLECTIONS {
        let changes: Vec<String> = collection
            .changes
            .iter()
            .map(|change| {
                let reaching = change
                    .other_arrays
                    .map(|parameter| format!(", other arrays in {parameter}"))
                    .unwrap_or_default();
                format!(
                    "{} ({}): {}{reaching}",
                    change.method,
                    change.action.least_role().as_str(),
                    change.action
                )
            })
            .collect();
        let _ = write!(
            page,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            html_escaped(collection.path),
            collection.read.as_str(),
            html_escaped(&changes.join("; "))
        );
    }
    page.push_str("</tbody></table><h3>Never passed, for anyone</h3><ul>");
    for never in NEVER_PASSED {
        let _ = write!(
            page,
            "<li><code>{}</code>: {}</li>",
            html_escaped(never.path),
            html_escaped(never.why)
        );
    }
    page.push_str("</ul>");
}

/// The reference page: every route by group, with its role, what it takes and gives, and
/// each schema's fields; plain HTML, nothing fetched from elsewhere.
fn reference_page(endpoints: &[Endpoint]) -> String {
    let document = openapi(endpoints);
    let mut groups: BTreeMap<&str, Vec<&Endpoint>> = BTreeMap::new();
    for endpoint in endpoints {
        groups.entry(tag(endpoint.path)).or_default().push(endpoint);
    }
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flashdeck API reference</title></head><body>\
         <h1>Flashdeck API reference</h1>\
         <p>Scripts send a personal API token as <code>Authorization: Bearer fdk_…</code>. \
         The machine-readable description is <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1).</p>",
    );
    for (group, members) in &groups {
        let _ = write!(
            page,
            "<h2>{}</h2><table><thead><tr><th>Method</th><th>Path</th><th>Role</th><th>What</th><th>Takes</th><th>Gives</th></tr></thead><tbody>",
            html_escaped(group)
        );
        for endpoint in members {
            let description = &endpoint.description;
            let takes = description
                .body
                .map(|shape| (shape.name)())
                .or_else(|| {
                    description
                        .query
                        .map(|shape| format!("query: {}", (shape.name)()))
                })
                .unwrap_or_default();
            let gives = match description.answer {
                Answer::Json { shape, .. } => (shape.name)(),
                Answer::NoContent => "nothing (204)".to_owned(),
                Answer::Csv => "CSV".to_owned(),
                Answer::Html => "this page".to_owned(),
                Answer::OpenApi => "the OpenAPI document".to_owned(),
                Answer::Passed => "the array's answer".to_owned(),
            };
            let _ = write!(
                page,
                "<tr id=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escaped(&operation_id(endpoint)),
                endpoint.method,
                html_escaped(&openapi_path(endpoint.path)),
                role_words(endpoint.access),
                html_escaped(description.summary),
                html_escaped(&takes),
                html_escaped(&gives),
            );
        }
        page.push_str("</tbody></table>");
    }
    rest_section(&mut page);
    page.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = document["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let _ = write!(page, "<h3 id=\"schema-{0}\">{0}</h3>", html_escaped(name));
            if let Some(text) = schema.get("description").and_then(Value::as_str) {
                let _ = write!(page, "<p>{}</p>", html_escaped(text));
            }
            let fields = schema["properties"].as_object();
            if let Some(fields) = fields {
                page.push_str("<dl>");
                for (field, details) in fields {
                    let about = details
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let _ = write!(
                        page,
                        "<dt><code>{}</code></dt><dd>{}</dd>",
                        html_escaped(field),
                        html_escaped(about)
                    );
                }
                page.push_str("</dl>");
            } else {
                let _ = write!(page, "<pre>{}</pre>", html_escaped(&schema.to_string()));
            }
        }
    }
    page.push_str("</body></html>");
    page
}
