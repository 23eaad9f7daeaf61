//! Headers every response carries, errors and the documentation included: no content-type
//! sniffing, no framing (`X-Frame-Options` and CSP `frame-ancestors`), no referrer, and a
//! `Cache-Control` where the handler set none — `no-store` for personal data and errors,
//! `private, no-cache` for the other answers to an authenticated request (browsers may keep
//! them for the one user and revalidate them with their `ETag`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;

/// The content security policy of API answers (JSON, files, problems): nothing may load from
/// them, and nothing may frame them.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// The content security policy of the Swagger UI under `/docs`, which loads its own scripts,
/// styles and the contract: only framing is refused.
pub const DOCS_CSP: &str = "frame-ancestors 'none'";

/// Paths whose answers are about a person (the caller, an account, a cadre's record, people's
/// evaluations and results, role bindings) or carry secrets (tokens, webhook secrets): never
/// stored by any cache.
const PERSONAL: [&str; 8] = [
    "/api/v1/me",
    "/api/v1/auth/",
    "/api/v1/accounts",
    "/api/v1/cadres",
    "/api/v1/person-evaluations",
    "/api/v1/reports/people",
    "/api/v1/role-bindings",
    "/api/v1/webhook-subscriptions",
];

/// Whether `path` is `prefix` or below it (`/api/v1/accounts/…`, not `/api/v1/accountsx`).
fn under(path: &str, prefix: &str) -> bool {
    match path.strip_prefix(prefix) {
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// The `Cache-Control` an answer gets when its handler set none: `no-store` for personal paths
/// and for errors, `private, no-cache` for other answers to an authenticated request, none
/// otherwise (health probes, the contract, the documentation).
pub fn cache_control(path: &str, authenticated: bool, status: StatusCode) -> Option<&'static str> {
    if PERSONAL.iter().any(|p| under(path, p))
        || status.is_client_error()
        || status.is_server_error()
    {
        Some("no-store")
    } else if authenticated {
        Some("private, no-cache")
    } else {
        None
    }
}

/// The content security policy of the answer at `path`.
pub fn content_security_policy(path: &str) -> &'static str {
    if under(path, "/docs") {
        DOCS_CSP
    } else {
        API_CSP
    }
}

/// Sets the headers of an answer at `path` (see the module documentation).
pub fn apply(headers: &mut HeaderMap, path: &str, authenticated: bool, status: StatusCode) {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(path),
        ),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        if let Some(value) = cache_control(path, authenticated, status) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        }
    }
}

/// The middleware, the outermost but for logging. A problem a middleware raises passes it as
/// an error; it carries the same headers by itself ([`crate::error::PROBLEM_HEADERS`]).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    apply(res.headers_mut(), &path, authenticated, status);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_and_errors_are_never_stored() {
        let ok = StatusCode::OK;
        for path in [
            "/api/v1/me",
            "/api/v1/auth/token",
            "/api/v1/accounts",
            "/api/v1/accounts/0191",
            "/api/v1/cadres/0191/record",
            "/api/v1/person-evaluations/0191",
            "/api/v1/reports/people",
            "/api/v1/role-bindings",
            "/api/v1/webhook-subscriptions/0191/rotate-secret",
        ] {
            assert_eq!(cache_control(path, true, ok), Some("no-store"), "{path}");
        }
        for status in [
            StatusCode::UNAUTHORIZED,
            StatusCode::NOT_FOUND,
            StatusCode::SERVICE_UNAVAILABLE,
        ] {
            assert_eq!(
                cache_control("/api/v1/rounds", true, status),
                Some("no-store")
            );
            assert_eq!(cache_control("/nope", false, status), Some("no-store"));
        }
    }

    #[test]
    fn other_authenticated_answers_are_private_and_open_ones_left_alone() {
        let ok = StatusCode::OK;
        assert_eq!(
            cache_control("/api/v1/rounds", true, ok),
            Some("private, no-cache")
        );
        assert_eq!(
            cache_control("/api/v1/rounds/1", true, StatusCode::NOT_MODIFIED),
            Some("private, no-cache")
        );
        assert_eq!(
            cache_control("/api/v1/mex", true, ok),
            Some("private, no-cache")
        );
        assert_eq!(
            cache_control("/api/v1/accountsx", true, ok),
            Some("private, no-cache")
        );
        for path in [
            "/healthz",
            "/api/v1/openapi.json",
            "/docs/",
            "/api/v1/vocabularies",
        ] {
            assert_eq!(cache_control(path, false, ok), None, "{path}");
        }
    }

    #[test]
    fn only_the_documentation_may_load_scripts() {
        assert_eq!(content_security_policy("/docs/"), DOCS_CSP);
        assert_eq!(content_security_policy("/docs/index.css"), DOCS_CSP);
        assert_eq!(content_security_policy("/docs"), DOCS_CSP);
        assert_eq!(content_security_policy("/docsx"), API_CSP);
        assert_eq!(content_security_policy("/api/v1/openapi.json"), API_CSP);
    }

    #[test]
    fn problems_raised_by_middleware_carry_the_same_headers() {
        let mut headers = HeaderMap::new();
        apply(&mut headers, "/api/v1/rounds", true, StatusCode::CONFLICT);
        assert_eq!(headers.len(), crate::error::PROBLEM_HEADERS.len());
        for (name, value) in crate::error::PROBLEM_HEADERS {
            assert_eq!(headers.get(&name).unwrap(), value, "{name}");
        }
    }

    #[test]
    fn a_cache_control_of_the_handler_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        apply(&mut headers, "/api/v1/public/rounds", true, StatusCode::OK);
        assert_eq!(
            headers.get(header::CACHE_CONTROL).unwrap(),
            "public, max-age=60"
        );
        assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
        assert_eq!(
            headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert_eq!(
            headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            API_CSP
        );
    }
}
