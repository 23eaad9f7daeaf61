//! The committed OpenAPI document is the one the code generates.
//! Refresh it with `UPDATE_OPENAPI=1 cargo test --test api contract`.

#[test]
fn committed_openapi_matches_the_code() {
    let path = format!("{}/openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let generated = cadre_api::http::openapi::pretty_json().unwrap();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(format!("{}/openapi", env!("CARGO_MANIFEST_DIR"))).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale; run `UPDATE_OPENAPI=1 cargo test --test api contract` and review the diff"
    );
}

#[test]
fn every_operation_is_documented() {
    let doc = cadre_api::http::openapi::document_value().unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(
                op["description"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no description"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{name} has no success response"
            );
            let public = matches!(
                path.as_str(),
                "/healthz" | "/readyz" | "/api/v1/auth/token" | "/api/v1/auth/revoke"
            );
            if !public {
                assert!(
                    responses.contains_key("401"),
                    "{name} does not document 401"
                );
                assert!(
                    op.get("security").is_none() || op["security"] != serde_json::json!([{}]),
                    "{name} is public"
                );
            }
        }
    }
}

#[test]
fn every_schema_reference_resolves() {
    fn walk(v: &serde_json::Value, schemas: &serde_json::Value, missing: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(|r| r.as_str())
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    if schemas.get(name).is_none() {
                        missing.push(name.to_string());
                    }
                }
                map.values().for_each(|v| walk(v, schemas, missing));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, schemas, missing)),
            _ => {}
        }
    }
    let doc = cadre_api::http::openapi::document_value().unwrap();
    let mut missing = Vec::new();
    walk(&doc, &doc["components"]["schemas"], &mut missing);
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "unresolved schemas: {missing:?}");
}

/// Generated clients name methods after operation ids: unique, lower camel case; an open
/// operation declares no security requirement (`security: []`).
#[test]
fn operation_ids_are_unique_method_names_and_open_operations_need_nothing() {
    let doc = cadre_api::http::openapi::document_value().unwrap();
    let mut seen = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{method} {path}: operation id `{id}` is not lower camel case"
            );
            assert!(
                seen.insert(id.to_owned()),
                "{method} {path}: `{id}` is taken"
            );
            if let Some(security) = op.get("security") {
                let requirements = security.as_array().unwrap();
                assert!(
                    requirements
                        .iter()
                        .all(|r| r.as_object().is_some_and(|o| !o.is_empty())),
                    "{method} {path}: an empty requirement; say `security: []`"
                );
            }
        }
    }
}
