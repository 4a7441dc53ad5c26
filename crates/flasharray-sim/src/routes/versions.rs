//! The REST levels an array serves: a call to a level its release lacks is refused as the
//! array refuses it, a collection its release lacks is an unknown path, and an answer at an
//! older level leaves out the fields that level did not have.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use shared::flasharray::{ApiVersions, RestVersion};

use crate::error::ApiFault;
use crate::release::fields_missing_at;
use crate::simulator::Simulator;

/// The most a reshaped answer may hold; lists at older levels are a few MiB at most.
const MOST_RESHAPED_BYTES: usize = 256 * 1024 * 1024;

/// `GET /api/api_version`: the levels of the array's release.
pub(crate) async fn api_version(State(sim): State<Simulator>) -> Json<ApiVersions> {
    Json(ApiVersions {
        version: sim.lock().release().rest_versions(),
    })
}

/// Serves only the levels `api_version` lists, each with the shapes it had.
pub(crate) async fn check_version(
    State(sim): State<Simulator>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let Some((version, collection)) = path
        .strip_prefix("/api/")
        .and_then(|rest| rest.split_once('/'))
    else {
        return next.run(request).await;
    };
    let (served, lacks) = {
        let state = sim.lock();
        (
            RestVersion::parse(version).filter(|parsed| state.release().serves(*parsed)),
            state.lacking.iter().any(|lacking| lacking == collection),
        )
    };
    let Some(version) = served else {
        return ApiFault::not_found(format!(
            "REST API version {version} is not supported by this array; see /api/api_version."
        ))
        .into_response();
    };
    if lacks {
        return ApiFault::not_found("The requested resource does not exist.").into_response();
    }
    let missing = fields_missing_at(collection, version);
    let reads = request.method() == Method::GET;
    let response = next.run(request).await;
    if missing.is_empty() || !reads || !response.status().is_success() {
        return response;
    }
    leave_out(response, &missing).await
}

/// The answer without `fields` (dotted paths) in its items.
async fn leave_out(response: Response, fields: &[&str]) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MOST_RESHAPED_BYTES).await else {
        return ApiFault {
            status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            context: None,
            message: "The answer was too large to send.".into(),
        }
        .into_response();
    };
    let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if let Some(items) = answer.get_mut("items").and_then(Value::as_array_mut) {
        for item in items {
            for field in fields {
                remove_path(item, field);
            }
        }
    }
    let reshaped = answer.to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(reshaped))
}

fn remove_path(value: &mut Value, path: &str) {
    match path.split_once('.') {
        Some((head, rest)) => {
            if let Some(inner) = value.get_mut(head) {
                remove_path(inner, rest);
            }
        }
        None => {
            if let Some(object) = value.as_object_mut() {
                object.remove(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dotted_path_removes_only_its_leaf() {
        let mut item = json!({"name": "a", "space": {"unique": 1, "used_provisioned": 2}});
        remove_path(&mut item, "space.used_provisioned");
        remove_path(&mut item, "absent.field");
        assert_eq!(item, json!({"name": "a", "space": {"unique": 1}}));
    }
}
