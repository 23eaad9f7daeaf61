//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use std::collections::BTreeMap;

use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi};

use utoipa_actix_web::AppExt;

/// A problem+json response described by `description`.
pub(crate) fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .into()
}

fn set(codes: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    codes
        .iter()
        .map(|(c, d)| (c.to_string(), problem(d)))
        .collect()
}

const E400: (u16, &str) = (400, "Malformed request or query");
const E401: (u16, &str) = (401, "Missing, invalid or expired bearer token");
const E403: (u16, &str) = (403, "The caller's roles do not allow this here");
const E404: (u16, &str) = (404, "Unknown, or outside the caller's scope");
const E409: (u16, &str) = (409, "Conflicts with the current state");
const E412: (u16, &str) = (412, "If-Match does not match the current version");
const E413: (u16, &str) = (413, "Request body too large");
const E415: (u16, &str) = (415, "Content-Type must be application/json");
const E422: (u16, &str) = (422, "Well-formed, but breaks a rule (see errors)");
const E428: (u16, &str) = (428, "If-Match is required");
const E503: (u16, &str) = (503, "Database unavailable or request timed out");

/// Error responses of read operations.
pub struct ReadErrors;
impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E422, E503])
    }
}

/// Error responses of create operations and actions.
pub struct WriteErrors;
impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E409, E413, E415, E422, E503])
    }
}

/// Error responses of updates and state transitions guarded by `If-Match`.
pub struct UpdateErrors;
impl IntoResponses for UpdateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[
            E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E503,
        ])
    }
}

/// Error responses of deletions guarded by `If-Match`.
pub struct DeleteErrors;
impl IntoResponses for DeleteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E409, E412, E428, E503])
    }
}

struct Security;
impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        // The token endpoint as OAuth 2.0 flows, so that generators and Swagger UI can sign in
        // (and refresh); the bearer scheme beside them for tokens of the identity provider.
        const TOKEN_URL: &str = "/api/v1/auth/token";
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [
                    Flow::Password(Password::with_refresh_url(
                        TOKEN_URL,
                        Scopes::new(),
                        TOKEN_URL,
                    )),
                    Flow::ClientCredentials(ClientCredentials::new(TOKEN_URL, Scopes::new())),
                ],
                "People sign in with the password flow, which also returns a refresh token \
                 (rotated at each use; sign out at POST /api/v1/auth/revoke); machine clients \
                 use the client-credentials flow (no refresh token). Either way the access \
                 token is a JWT sent as `Authorization: Bearer`. No scopes: what a caller may \
                 do follows from its role bindings.",
            )),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/token, or from the provincial identity provider"))
                    .build(),
            ),
        );
        // Operation ids that read as what they do (`listAssignments`, `issueRound`); open
        // operations say `security: []` (no requirement) rather than one empty requirement.
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("get", item.get.as_mut()),
                ("post", item.post.as_mut()),
                ("patch", item.patch.as_mut()),
                ("put", item.put.as_mut()),
                ("delete", item.delete.as_mut()),
            ];
            for (method, op) in ops {
                if let Some(op) = op {
                    op.operation_id = Some(super::operation_ids::operation_id(method, path));
                    if op.security.as_ref().is_some_and(|s| {
                        s.iter().all(|r| {
                            serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({}))
                        })
                    }) {
                        op.security = Some(Vec::new());
                    }
                }
            }
        }
        // Every POST but the token, revocation and logout endpoints accepts an Idempotency-Key
        // (a logout's retry could never be replayed: its token no longer works).
        for (path, item) in openapi.paths.paths.iter_mut() {
            if [
                "/api/v1/auth/token",
                "/api/v1/auth/revoke",
                "/api/v1/auth/logout",
            ]
            .contains(&path.as_str())
            {
                continue;
            }
            if let Some(op) = item.post.as_mut() {
                let param = ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "Makes the request safe to retry for 24 hours: a retry with the same body gets the first \
                         response again (with `Idempotent-Replayed: true`), another body gets 422, and a retry \
                         while the first is still running gets 409.",
                    ))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255)).pattern(Some("^[!-~]([ -~]*[!-~])?$"))))
                    .build();
                op.parameters.get_or_insert_with(Vec::new).push(param);
            }
        }
    }
}

/// The API contract.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cadre API — giao nhiệm vụ và đánh giá cán bộ bằng sản phẩm",
        description = "Open REST API for assigning tasks and targets to heads of agencies and localities, \
tracking their commitments and products, and evaluating cadres by results. Errors are RFC 9457 \
problem details; send `Accept-Language: vi` for Vietnamese messages. Lists use cursor pagination. \
Updates require `If-Match` with the ETag last read. Every answer, errors included, carries \
`X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Content-Security-Policy` with \
`frame-ancestors 'none'` and `Referrer-Policy: no-referrer`; personal data and errors \
`Cache-Control: no-store`, other authenticated answers `private, no-cache`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "Provincial Organisation Board IT team")
    ),
    servers((url = "/", description = "This server")),
    security(("oauth2" = []), ("bearer" = [])),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags(
        (name = "operations", description = "Health probes"),
        (name = "auth", description = "Tokens and the current caller"),
        (name = "vocabularies", description = "Enumeration codes with Vietnamese and English labels"),
        (name = "organisation", description = "Levels, units, the tree as of a date, restructuring, groups"),
        (name = "personnel", description = "Cadres and the posts they hold"),
        (name = "access", description = "Accounts, role bindings and the audit trail"),
        (name = "assignments", description = "Rounds, their per-group rules and decisions; assignments (tasks and targets), cascade, roll-up and carry-over"),
        (name = "commitments", description = "Signed commitments to the terms, and signing delegations"),
        (name = "plans", description = "Implementation plans and their approval"),
        (name = "amendments", description = "Requests to change a target or deadline, or to withdraw, and their decisions"),
        (name = "progress", description = "Reporting schedules and progress reports, with every revision kept"),
        (name = "supervision", description = "Obstacles and the support given, objective causes, supervisors' opinions"),
        (name = "feeds", description = "Department data feeds: licences and batches of indicator values"),
        (name = "evaluations", description = "Grading rule sets; self-assessment, appraisal, decision and override of each assignment's grade"),
        (name = "person evaluations", description = "Evaluation of people and collectives by their products: a cadre's year or term over every assignment they answered for, with the quota of excellent grades counted per person"),
        (name = "events", description = "The event feed: every change as a CloudEvents 1.0 event, in commit order, resumable from a cursor"),
        (name = "reports", description = "The Organisation Board's results reports (as of any cut-off), CSV and Excel exports, and published results for portals"),
        (name = "evidence", description = "Evidence of results: uploaded files, links and document references; retraction, verification marks and integrity checks"),
    )
)]
pub struct ApiDoc;

/// The contract: the info, tags and components above plus every operation the routes declare.
pub fn document() -> utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| {
            let (_, mut doc) = actix_web::App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .configure(super::routes)
                .split_for_parts();
            Security.modify(&mut doc);
            super::examples::with_examples(refine(doc))
        });
    DOCUMENT.clone()
}

/// What the derive cannot say: list items refer to their object's component (`Page_Group`'s
/// items are `Group`s, one class in generated clients), and files are binary.
fn refine(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat, SchemaType};
    use utoipa::openapi::{Ref, Schema};
    if let Some(components) = doc.components.as_mut() {
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            let Some(item) = name.strip_prefix("Page_") else {
                continue;
            };
            if !names.iter().any(|n| n == item) {
                continue;
            }
            if let RefOr::T(Schema::Object(page)) = schema {
                if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
                    items.items =
                        ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
                }
            }
        }
    }
    for item in doc.paths.paths.values_mut() {
        if let Some(get) = item.get.as_mut() {
            conditional_read(get);
        }
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            for response in op.responses.responses.values_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                for (media, content) in response.content.iter_mut() {
                    if media.contains("json") || media.starts_with("text/") {
                        continue;
                    }
                    if let Some(RefOr::T(Schema::Object(file))) = content.schema.as_mut() {
                        if file.schema_type == SchemaType::Type(Type::String)
                            && file.format.is_none()
                        {
                            file.format = Some(SchemaFormat::KnownFormat(KnownFormat::Binary));
                            file.content_media_type = "application/octet-stream".into();
                        }
                    }
                }
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            caching(path, op);
        }
    }
    doc
}

/// The `Cache-Control` that `http::headers` gives the successful answers (and 304s) of the
/// operation at `path` whose handler declares none: `no-store` or `private, no-cache`.
fn caching(path: &str, op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::header::HeaderBuilder;
    // No `security` inherits the document's (a token); `[]` or `[{}]` needs none.
    let authenticated = op.security.as_ref().is_none_or(|s| {
        s.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v != serde_json::json!({})))
    });
    // A handler that sets its own (a file, a token, published data) declares it: its 304 says
    // the same, and nothing is added.
    let declared = op
        .responses
        .responses
        .iter()
        .find_map(|(status, r)| match r {
            RefOr::T(r) if status.starts_with('2') => r.headers.get("Cache-Control").cloned(),
            _ => None,
        });
    if let Some(header) = declared {
        if let Some(RefOr::T(not_modified)) = op.responses.responses.get_mut("304") {
            not_modified
                .headers
                .entry("Cache-Control".into())
                .or_insert(header);
        }
        return;
    }
    let Some(value) =
        super::headers::cache_control(path, authenticated, actix_web::http::StatusCode::OK)
    else {
        return;
    };
    let description = match value {
        "no-store" => "`no-store`: personal data or secrets, never kept by any cache.",
        _ => {
            "`private, no-cache`: a browser may keep it for this user only, and revalidates it \
             (with `If-None-Match`) before each use; shared caches do not keep it."
        }
    };
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if (status.starts_with('2') || status == "304")
            && !response.headers.contains_key("Cache-Control")
        {
            response.headers.insert(
                "Cache-Control".into(),
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .enum_values(Some([value])),
                    )
                    .description(Some(description))
                    .build(),
            );
        }
    }
}

/// What `http::conditional` does for every GET, said on each: a successful answer carries an
/// `ETag` (the version, or a weak tag of the JSON body), and `If-None-Match` naming it gets 304.
/// A GET that answers no JSON and declares no `ETag` (a CSV export) is left as it is.
fn conditional_read(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::header::HeaderBuilder;
    let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
        return;
    };
    let json = ok.content.keys().any(|m| m.contains("json"));
    if !json && !ok.headers.contains_key("ETag") {
        return;
    }
    let etag = || {
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "Entity tag of this representation: the version (`\"3\"`) of a single resource, \
                 else a weak tag (`W/\"…\"`) of the body. Send it back in `If-None-Match` to \
                 read again only when it changed, and in `If-Match` to update.",
            ))
            .build()
    };
    ok.headers.insert("ETag".into(), etag());
    let not_modified = ResponseBuilder::new()
        .description("Not modified: `If-None-Match` names the current `ETag`; no body")
        .header("ETag", etag())
        .build();
    op.responses
        .responses
        .insert("304".into(), RefOr::T(not_modified));
    let params = op.parameters.get_or_insert_with(Vec::new);
    if !params.iter().any(|p| p.name == "If-None-Match") {
        params.push(
            ParameterBuilder::new()
                .name("If-None-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "ETags (or `*`) already held, comma-separated: when one names the current \
                     representation (weak comparison) the answer is 304 without a body.",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        );
    }
}

/// The document as pretty JSON, as committed under `openapi/`.
pub fn pretty_json() -> Result<String, serde_json::Error> {
    Ok(document().to_pretty_json()? + "\n")
}

/// The document as a JSON value.
pub fn document_value() -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(document())
}

/// The methods the contract declares for a concrete request path (`/api/v1/groups/4f…`), or
/// `None` when no path of the contract matches it. Answers `405` with `Allow` for other methods.
pub fn allowed_methods(path: &str) -> Option<&'static [String]> {
    static TEMPLATES: std::sync::LazyLock<Vec<(Vec<String>, Vec<String>)>> =
        std::sync::LazyLock::new(|| {
            let doc = document_value().unwrap_or_default();
            doc["paths"]
                .as_object()
                .map(|paths| {
                    paths
                        .iter()
                        .map(|(template, item)| {
                            let segments = template.split('/').map(str::to_owned).collect();
                            let methods = item
                                .as_object()
                                .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                                .unwrap_or_default();
                            (segments, methods)
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
    let segments: Vec<&str> = path.split('/').collect();
    // The template with the most literal segments wins: `/restructurings/merge` over `/{id}`.
    TEMPLATES
        .iter()
        .filter(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
        .max_by_key(|(template, _)| template.iter().filter(|t| !t.starts_with('{')).count())
        .map(|(_, methods)| methods.as_slice())
}
