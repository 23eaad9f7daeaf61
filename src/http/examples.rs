//! Examples in the contract: one on every request body and on the main responses (the `200`
//! or `201` of creating, reading and listing the core resources), from the table in
//! `examples.json`, keyed by operation id. Each entry has
//!
//! - `request`: the example of every media type of the request body, or `requests`: named
//!   examples (`{"name": {"summary": …, "value": …}}`) where one body has several useful shapes;
//! - `responses`: a status code → the example of that response.
//!
//! The values are shaped like the demo's data (`src/demo/`), and a test validates each one
//! against the schema it illustrates, so an example cannot drift from the code.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::{OpenApi, RefOr};

/// The examples of one operation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    request: Option<Value>,
    #[serde(default)]
    requests: BTreeMap<String, Named>,
    #[serde(default)]
    responses: BTreeMap<String, Value>,
}

/// A named example.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Named {
    summary: String,
    value: Value,
}

/// The table, by operation id.
fn table() -> Result<BTreeMap<String, Entry>, serde_json::Error> {
    serde_json::from_str(include_str!("examples.json"))
}

/// The document with the examples of the table.
pub fn with_examples(mut doc: OpenApi) -> OpenApi {
    // What cannot be placed is left out here; a test requires that nothing is.
    let _ = apply(&mut doc);
    doc
}

/// Puts the examples of the table into the document. Returns what it could not place: an
/// unreadable table, or an entry naming an operation, request body or response that the
/// document does not have (a test requires none).
pub fn apply(doc: &mut OpenApi) -> Vec<String> {
    let mut table = match table() {
        Ok(table) => table,
        Err(e) => return vec![format!("examples.json: {e}")],
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            let Some(entry) = op.operation_id.as_ref().and_then(|id| table.get_mut(id)) else {
                continue;
            };
            let request = entry.request.take();
            let requests = std::mem::take(&mut entry.requests);
            if let Some(body) = op.request_body.as_mut() {
                for content in body.content.values_mut() {
                    if request.is_some() {
                        content.example = request.clone();
                    }
                    for (name, named) in &requests {
                        let example = ExampleBuilder::new()
                            .summary(named.summary.clone())
                            .value(Some(named.value.clone()))
                            .build();
                        content.examples.insert(name.clone(), RefOr::T(example));
                    }
                }
            } else {
                entry.request = request;
                entry.requests = requests;
            }
            let responses = std::mem::take(&mut entry.responses);
            for (status, example) in responses {
                match op.responses.responses.get_mut(&status) {
                    Some(RefOr::T(response)) if !response.content.is_empty() => {
                        for content in response.content.values_mut() {
                            if content.schema.is_some() {
                                content.example = Some(example.clone());
                            }
                        }
                    }
                    _ => {
                        entry.responses.insert(status, example);
                    }
                }
            }
        }
    }
    let mut missed = Vec::new();
    for (id, entry) in table {
        if entry.request.is_some() || !entry.requests.is_empty() {
            missed.push(format!("{id}: no operation with a request body"));
        }
        for status in entry.responses.keys() {
            missed.push(format!("{id}: no response {status} with content"));
        }
    }
    missed
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    /// The document with its examples, as JSON.
    fn document() -> Value {
        super::super::openapi::document_value().unwrap()
    }

    /// The components' schemas, closed for the test: an object schema that lists its
    /// properties refuses any other (directly, or as a whole where it is a part of an `allOf`),
    /// so an example cannot carry a field the schema does not have.
    fn closed_schemas(doc: &Value) -> Value {
        fn refs_in_all_of(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
                        for part in parts {
                            if let Some(r) = part["$ref"].as_str() {
                                out.push(r.trim_start_matches("#/components/schemas/").into());
                            }
                        }
                    }
                    map.values().for_each(|v| refs_in_all_of(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs_in_all_of(v, out)),
                _ => {}
            }
        }
        fn close(v: &mut Value, open: bool) {
            match v {
                Value::Object(map) => {
                    if map.contains_key("allOf") {
                        map.entry("unevaluatedProperties").or_insert(json!(false));
                        if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                            parts.iter_mut().for_each(|p| close(p, true));
                        }
                        return;
                    }
                    if !open
                        && map.contains_key("properties")
                        && !map.contains_key("additionalProperties")
                    {
                        map.insert("additionalProperties".into(), json!(false));
                    }
                    for (key, value) in map.iter_mut() {
                        if key != "allOf" {
                            close(value, false);
                        }
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|v| close(v, false)),
                _ => {}
            }
        }
        let mut schemas = doc["components"]["schemas"].clone();
        let mut parts = Vec::new();
        refs_in_all_of(&schemas, &mut parts);
        if let Value::Object(map) = &mut schemas {
            for (name, schema) in map.iter_mut() {
                close(schema, parts.contains(name));
            }
        }
        schemas
    }

    /// Every example of a media type object: `example` and each of `examples`.
    fn examples_of(content: &Value) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        if let Some(example) = content.get("example") {
            out.push(("example".into(), example.clone()));
        }
        if let Some(named) = content.get("examples").and_then(Value::as_object) {
            for (name, example) in named {
                out.push((format!("examples.{name}"), example["value"].clone()));
            }
        }
        out
    }

    /// Each (place, schema, example) of the document: request bodies and responses.
    fn all_examples(doc: &Value) -> Vec<(String, Value, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let name = format!("{} ({method} {path})", op["operationId"].as_str().unwrap());
                let mut contents = Vec::new();
                if let Some(body) = op["requestBody"]["content"].as_object() {
                    for (media, content) in body {
                        contents.push((format!("{name} request {media}"), content));
                    }
                }
                for (status, response) in op["responses"].as_object().unwrap() {
                    if let Some(content) = response["content"].as_object() {
                        for (media, content) in content {
                            contents.push((format!("{name} {status} {media}"), content));
                        }
                    }
                }
                for (place, content) in contents {
                    for (which, example) in examples_of(content) {
                        out.push((
                            format!("{place} {which}"),
                            content["schema"].clone(),
                            example,
                        ));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_table_has_nothing_the_document_cannot_take() {
        let mut doc = super::super::openapi::document();
        let missed = super::apply(&mut doc);
        assert!(missed.is_empty(), "{missed:#?}");
    }

    #[test]
    fn every_request_body_has_an_example() {
        let doc = document();
        let mut without = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(body) = op["requestBody"]["content"].as_object() {
                    for (media, content) in body {
                        if examples_of(content).is_empty() {
                            without.push(format!("{method} {path} {media}"));
                        }
                    }
                }
            }
        }
        assert!(
            without.is_empty(),
            "request bodies without an example: {without:#?}"
        );
    }

    #[test]
    fn the_main_responses_have_an_example() {
        let doc = document();
        let mut without = Vec::new();
        for (id, status) in MAIN_RESPONSES {
            let found = doc["paths"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|item| item.as_object().unwrap().values())
                .find(|op| op["operationId"] == *id);
            let Some(op) = found else {
                without.push(format!("{id}: no such operation"));
                continue;
            };
            let content = &op["responses"][status]["content"]["application/json"];
            if examples_of(content).is_empty() {
                without.push(format!("{id} {status}"));
            }
        }
        assert!(
            without.is_empty(),
            "main responses without an example: {without:#?}"
        );
    }

    /// The `200`/`201` of creating, reading and listing the core resources (lists only where
    /// they are already pages).
    const MAIN_RESPONSES: &[(&str, &str)] = &[
        ("createRound", "201"),
        ("getRound", "200"),
        ("listRounds", "200"),
        ("createAssignment", "201"),
        ("getAssignment", "200"),
        ("listAssignments", "200"),
        ("signCommitment", "201"),
        ("getCommitment", "200"),
        ("listCommitments", "200"),
        ("setAssignmentPlan", "201"),
        ("getAssignmentPlan", "200"),
        ("writeProgressReport", "201"),
        ("getProgressReport", "200"),
        ("evidenceAssignment", "201"),
        ("getEvidence", "200"),
        ("getAssignmentEvidence", "200"),
        ("createAssignmentEvaluation", "201"),
        ("getEvaluation", "200"),
        ("createPersonEvaluation", "201"),
        ("getPersonEvaluation", "200"),
        ("listPersonEvaluations", "200"),
        ("getResultsReport", "200"),
        ("listEvents", "200"),
        ("createOrgUnit", "201"),
        ("getOrgUnit", "200"),
        ("listOrgUnits", "200"),
        ("createCadre", "201"),
        ("getCadre", "200"),
        ("listCadres", "200"),
    ];

    #[test]
    fn every_example_validates_against_its_schema() {
        let doc = document();
        let components = json!({ "schemas": closed_schemas(&doc) });
        let examples = all_examples(&doc);
        assert!(examples.len() > 100, "only {} examples", examples.len());
        let mut failures = Vec::new();
        for (place, schema, example) in examples {
            // The schema with the components beside it, so `#/components/schemas/…` resolves.
            let mut root = match schema {
                Value::Object(map) => map,
                other => panic!("{place}: schema {other}"),
            };
            root.insert("components".into(), components.clone());
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&Value::Object(root))
                .unwrap_or_else(|e| panic!("{place}: {e}"));
            for error in validator.iter_errors(&example) {
                failures.push(format!("{place}: {} at {}", error, error.instance_path()));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn the_check_catches_a_wrong_example() {
        let doc = document();
        let components = json!({ "schemas": closed_schemas(&doc) });
        let schema = json!({ "$ref": "#/components/schemas/Round", "components": components });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let good = doc["paths"]["/api/v1/rounds/{id}"]["get"]["responses"]["200"]["content"]
            ["application/json"]["example"]
            .clone();
        assert!(validator.is_valid(&good));
        for (field, value) in [
            ("id", json!("not-a-uuid")),
            ("state", json!("finished")),
            ("created_at", json!("2025-13-01")),
            ("unknown_field", json!(1)),
        ] {
            let mut bad = good.clone();
            bad[field] = value;
            assert!(!validator.is_valid(&bad), "{field} passed");
        }
        let mut bad = good.clone();
        bad.as_object_mut().unwrap().remove("title");
        assert!(!validator.is_valid(&bad), "a missing title passed");
    }
}
