//! The API's description: every declared route is in the OpenAPI document with its role and
//! action, every schema it refers to is there, the document validates as OpenAPI 3.1 (by
//! `openapi-spec-validator` from PyPI), and the reference page lists every route.

use std::path::Path;
use std::process::Command;

use axum::http::StatusCode;
use backend::api::gate::Access;
use serde_json::Value;
use shared::api::Action;

use crate::TestApp;

fn openapi_path(path: &str) -> String {
    format!("/api{}", path.replace("{*", "{"))
}

fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                match (name.as_str(), field) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(field, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn every_route_is_documented_with_its_role_and_every_reference_resolves() {
    let app = TestApp::new().await;
    let (status, _, document) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK, "open to anyone");
    assert_eq!(document["openapi"], "3.1.0");
    for endpoint in backend::api::endpoints() {
        let path = openapi_path(endpoint.path);
        let method = endpoint.method.as_str().to_ascii_lowercase();
        let operation = &document["paths"][&path][&method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        let role = match endpoint.access {
            Access::Public => "anyone",
            Access::Role(role) => role.as_str(),
            Access::RestRoot => "by collection",
        };
        assert_eq!(operation["x-flashdeck-role"], role, "{method} {path}");
        assert_eq!(
            operation["x-flashdeck-audited-as"].as_str(),
            endpoint.action.map(Action::name),
            "{method} {path}"
        );
        assert!(
            operation["summary"]
                .as_str()
                .is_some_and(|text| !text.is_empty()),
            "{method} {path} has no summary"
        );
    }
    let volumes = &document["paths"]["/api/arrays/{array}/volumes"];
    assert_eq!(
        volumes["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateVolumeRequest"
    );
    assert!(
        volumes["get"]["parameters"]
            .as_array()
            .is_some_and(|parameters| parameters
                .iter()
                .any(|parameter| parameter["name"] == "search")),
        "query parameters come from the query type: {}",
        volumes["get"]["parameters"]
    );
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 50, "{} references", found.len());
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target} points outside the schemas"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{target} does not resolve"
        );
    }

    let (status, _, page) = app.call("GET", "/api/reference", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().expect("HTML");
    assert!(page.contains("<h1>Flashdeck API reference</h1>"));
    assert!(page.contains("/api/arrays/{array}/volumes"));
    assert!(page.contains("id=\"schema-CreateVolumeRequest\""));
    assert!(!page.contains("<script"), "nothing to fetch or run");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_document_validates_as_openapi_3_1() {
    let app = TestApp::new().await;
    let (_, _, document) = app.call("GET", "/api/openapi.json", None, None).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, document.to_string()).expect("written");
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi-spec-validator");
    tokio::task::block_in_place(|| {
        let python = test_support::python::venv_python(&venv, "openapi-spec-validator==0.9.0");
        let output = Command::new(&python)
            .args(["-m", "openapi_spec_validator", "--schema", "3.1.0"])
            .arg(&file)
            .output()
            .expect("validator ran");
        assert!(
            output.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    });
}
