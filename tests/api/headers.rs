//! Security headers on every answer — JSON, problems raised by handlers or by middleware, the
//! contract and the Swagger UI — and a `Cache-Control` that keeps personal data out of caches.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

/// Asserts the headers every answer carries, with the content security policy `csp`.
#[track_caller]
fn assert_secured(res: &Res, csp: &str) {
    let h = |name: &str| {
        res.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}: {res:?}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("referrer-policy"), "no-referrer");
    assert_eq!(h("content-security-policy"), csp);
}

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

fn cache(res: &Res) -> Option<&str> {
    res.headers
        .get("cache-control")
        .map(|v| v.to_str().unwrap())
}

#[actix_web::test]
async fn every_answer_is_secured_and_personal_data_is_not_stored() {
    let app = TestApp::spawn().await;
    let token = app.token("bantochuc.1").await;

    // JSON 200s: personal data never stored, the rest private and revalidated.
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_secured(&me, API_CSP);
    assert_eq!(cache(&me), Some("no-store"));
    let rounds = app.get("/api/v1/rounds", &token).await;
    assert_eq!(rounds.status, 200, "{rounds:?}");
    assert_secured(&rounds, API_CSP);
    assert_eq!(cache(&rounds), Some("private, no-cache"));
    let cadres = app.get("/api/v1/cadres", &token).await;
    assert_eq!(cache(&cadres), Some("no-store"), "{cadres:?}");

    // A 304 still says how to cache, and is secured too.
    let etag = rounds.headers["etag"].to_str().unwrap().to_owned();
    let again = app
        .send(
            Method::GET,
            "/api/v1/rounds",
            &token,
            None,
            &[("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304, "{again:?}");
    assert_eq!(cache(&again), Some("private, no-cache"));
    assert_secured(&again, API_CSP);

    // Problems: from a handler (404), from the token check (401), from a middleware (400).
    let missing = app
        .get(&format!("/api/v1/rounds/{}", uuid::Uuid::now_v7()), &token)
        .await;
    assert_problem(&missing, 404);
    assert_secured(&missing, API_CSP);
    assert_eq!(cache(&missing), Some("no-store"));
    let unrouted = app.get("/no/such/path", "").await;
    assert_problem(&unrouted, 404);
    assert_secured(&unrouted, API_CSP);
    let anonymous = app.get("/api/v1/me", "").await;
    assert_problem(&anonymous, 401);
    assert_secured(&anonymous, API_CSP);
    assert_eq!(cache(&anonymous), Some("no-store"));
    let bad_key = app
        .send(
            Method::POST,
            "/api/v1/cadres",
            &token,
            Some(json!({})),
            &[("Idempotency-Key", "")],
        )
        .await;
    assert_problem(&bad_key, 400);
    assert_secured(&bad_key, API_CSP);
    assert_eq!(cache(&bad_key), Some("no-store"));

    // The token endpoint keeps its own no-store.
    let issued = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "bantochuc.1", "password": PASSWORD}),
        )
        .await;
    assert_eq!(issued.status, 200);
    assert_secured(&issued, API_CSP);
    assert_eq!(cache(&issued), Some("no-store"));
}

#[actix_web::test]
async fn the_documentation_and_the_contract_cannot_be_framed() {
    let app = TestApp::spawn().await;
    let docs = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    let docs = read(docs).await;
    assert_eq!(docs.status, 200, "{docs:?}");
    assert!(docs.text.contains("swagger"), "{docs:?}");
    assert_secured(&docs, "frame-ancestors 'none'");
    assert_eq!(cache(&docs), None);
    let spec = app.get("/api/v1/openapi.json", "").await;
    assert_eq!(spec.status, 200);
    assert_secured(&spec, API_CSP);
    let health = app.get("/healthz", "").await;
    assert_secured(&health, API_CSP);
}
