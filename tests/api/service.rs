//! Probes, metrics, request ids, docs, languages, CORS.

use serde_json::json;

use crate::common::*;

#[actix_web::test]
async fn probes_metrics_and_request_ids() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz", "").await;
    assert_eq!(res.status, 200);
    assert!(res.headers.contains_key("x-request-id"));
    // A caller's well-formed request id is kept (to follow a request across systems); any
    // other is replaced.
    for (sent, kept) in [("portal-42:7", true), ("bad id", false)] {
        let headers = [("x-request-id", sent)];
        let res = app
            .send(reqwest::Method::GET, "/healthz", "", None, &headers)
            .await;
        assert_eq!(res.headers["x-request-id"] == sent, kept, "{sent}");
    }
    let res = app.get("/readyz", "").await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["status"], "ok");

    let token = app.token("admin").await;
    assert_eq!(app.get("/api/v1/levels", &token).await.status, 200);
    // Not beside the API: only on the internal listener.
    assert_eq!(app.get("/metrics", "").await.status, 404);
    let metrics = app.get_at(&app.metrics_base, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.text.contains("cadre_api_http_requests_total"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains(r#"endpoint="/api/v1/levels""#));
    assert!(metrics
        .text
        .contains("cadre_api_http_requests_duration_seconds_bucket"));
    assert!(metrics
        .text
        .contains(r#"cadre_api_db_pool_connections{state="max"} 4"#));
}

#[actix_web::test]
async fn readiness_fails_when_migrations_are_missing() {
    let app = TestApp::spawn().await;
    use diesel_async::SimpleAsyncConnection;
    app.db()
        .await
        .batch_execute("DELETE FROM __diesel_schema_migrations")
        .await
        .unwrap();
    let res = app.get("/readyz", "").await;
    assert_eq!(res.status, 503);
    assert_eq!(res.body["status"], "migrations pending");
}

#[actix_web::test]
async fn docs_and_spec_are_served_without_a_token() {
    let app = TestApp::spawn().await;
    let spec = app.get("/api/v1/openapi.json", "").await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body["openapi"].as_str().unwrap().get(..3), Some("3.1"));
    let page = app.get("/docs/", "").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("swagger"),
        "{}",
        &page.text[..200.min(page.text.len())]
    );
    let redirect = app
        .client
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 200);
}

#[actix_web::test]
async fn errors_speak_the_callers_language() {
    let app = TestApp::spawn().await;
    let en = app
        .send(
            reqwest::Method::GET,
            "/api/v1/levels",
            "",
            None,
            &[("Accept-Language", "en-GB")],
        )
        .await;
    assert_problem(&en, 401);
    assert_eq!(en.body["title"], "Authentication required");
    let vi = app
        .send(
            reqwest::Method::GET,
            "/api/v1/levels",
            "",
            None,
            &[("Accept-Language", "vi-VN,vi;q=0.9")],
        )
        .await;
    assert_problem(&vi, 401);
    assert_eq!(vi.body["title"], "Chưa xác thực");
    assert_eq!(vi.headers.get("content-language").unwrap(), "vi");
    let unknown = app.get("/api/v1/no-such-thing", "").await;
    assert_problem(&unknown, 404);
}

#[actix_web::test]
async fn cors_allows_only_configured_origins() {
    let app =
        TestApp::spawn_with(|c| c.cors_allowed_origins = vec!["https://portal.example.vn".into()])
            .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/levels", app.base),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
    };
    let ok = preflight("https://portal.example.vn").await.unwrap();
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "https://portal.example.vn"
    );
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[actix_web::test]
async fn vocabularies_carry_both_languages() {
    let app = TestApp::spawn().await;
    let token = app.token("portal").await;
    let all = app.get("/api/v1/vocabularies", &token).await;
    assert_eq!(all.status, 200);
    let roles = app.get("/api/v1/vocabularies/role", &token).await;
    let head = roles.body["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "unit_head")
        .unwrap();
    assert_eq!(head["label_vi"], "Người đứng đầu");
    assert_eq!(head["label_en"], "Head of unit");
    assert_problem(&app.get("/api/v1/vocabularies/nope", &token).await, 404);
}

#[actix_web::test]
async fn idempotency_keys_make_posts_safe_to_retry() {
    let app = TestApp::spawn().await;
    let ob = app.token("bantochuc.1").await;
    let unit = app.unit("VP-SO-TNMT").await;
    let body = serde_json::json!({"full_name": "Hoàng Thị Mai", "managing_unit_id": unit});
    let key = [("Idempotency-Key", "lgsp-2026-11-22-0001")];
    let audits = app.audit_count().await;
    let first = app
        .send(
            reqwest::Method::POST,
            "/api/v1/cadres",
            &ob,
            Some(body.clone()),
            &key,
        )
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    let again = app
        .send(
            reqwest::Method::POST,
            "/api/v1/cadres",
            &ob,
            Some(body.clone()),
            &key,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.headers.get("location"), first.headers.get("location"));
    assert_eq!(
        app.audit_count().await,
        audits + 1,
        "the retry wrote nothing"
    );
    let other = app
        .send(
            reqwest::Method::POST,
            "/api/v1/cadres",
            &ob,
            Some(serde_json::json!({"full_name": "Người khác", "managing_unit_id": unit})),
            &key,
        )
        .await;
    assert_problem(&other, 422);
    // Keys are per account: another caller's identical key is independent.
    let admin = app.token("admin").await;
    let theirs = app
        .send(
            reqwest::Method::POST,
            "/api/v1/cadres",
            &admin,
            Some(body),
            &key,
        )
        .await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body["id"], first.body["id"]);
    // A failed request does not burn the key.
    let bad_key = [("Idempotency-Key", "retry-after-fix")];
    let refused = app
        .send(
            reqwest::Method::POST,
            "/api/v1/cadres",
            &ob,
            Some(serde_json::json!({"full_name": "", "managing_unit_id": unit})),
            &bad_key,
        )
        .await;
    assert_problem(&refused, 422);
    let replayed = app
        .send(
            reqwest::Method::POST,
            "/api/v1/cadres",
            &ob,
            Some(serde_json::json!({"full_name": "", "managing_unit_id": unit})),
            &bad_key,
        )
        .await;
    assert_eq!(
        replayed.headers.get("idempotent-replayed").unwrap(),
        "true",
        "4xx answers are replayed too"
    );
}

#[actix_web::test]
async fn other_methods_on_a_known_path_get_405_with_allow() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .request(reqwest::Method::PUT, format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET");
    let res = app
        .client
        .request(
            reqwest::Method::PUT,
            format!("{}/api/v1/no-such-thing", app.base),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn a_literal_path_wins_over_a_parameter_for_405() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let res = app.get("/api/v1/restructurings/merge", &token).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.headers["allow"], "POST");
}

/// A GET answers with an ETag (the object's version, else a weak tag of the body for lists and
/// reports), and `304 Not Modified` without a body when `If-None-Match` names it; a change
/// gives a new tag. Browsers may send the headers the API uses.
#[actix_web::test]
async fn reads_are_conditional_and_browsers_may_ask_so() {
    let app =
        TestApp::spawn_with(|c| c.cors_allowed_origins = vec!["https://portal.example.vn".into()])
            .await;
    let ob = app.token("bantochuc.1").await;
    let group = app
        .post(
            "/api/v1/groups",
            &ob,
            json!({"owner_unit_id": app.unit("VP").await, "year": 2031,
            "code": "ETAG", "label_vi": "Nhóm thử", "member_ids": []}),
        )
        .await;
    assert_eq!(group.status, 201, "{group:?}");
    let path = format!("/api/v1/groups/{}", group.id());
    let tag = app.get(&path, &ob).await.etag();
    let again = app
        .send(
            reqwest::Method::GET,
            &path,
            &ob,
            None,
            &[("If-None-Match", &tag)],
        )
        .await;
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.text.is_empty());
    assert_eq!(again.etag(), tag);
    let other = app
        .send(
            reqwest::Method::GET,
            &path,
            &ob,
            None,
            &[("If-None-Match", "\"999\"")],
        )
        .await;
    assert_eq!(other.status, 200);

    let list = app.get("/api/v1/groups?year=2031", &ob).await;
    let listed = list.etag();
    assert!(listed.starts_with("W/\""), "{list:?}");
    let unchanged = app
        .send(
            reqwest::Method::GET,
            "/api/v1/groups?year=2031",
            &ob,
            None,
            &[("If-None-Match", &listed)],
        )
        .await;
    assert_eq!(unchanged.status, 304, "{unchanged:?}");
    let renamed = app
        .send(
            reqwest::Method::PATCH,
            &path,
            &ob,
            Some(json!({"label_vi": "Nhóm thử đã đổi"})),
            &[("If-Match", &tag)],
        )
        .await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    let changed = app
        .send(
            reqwest::Method::GET,
            "/api/v1/groups?year=2031",
            &ob,
            None,
            &[("If-None-Match", &listed)],
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.etag(), listed);

    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/groups", app.base),
        )
        .header("Origin", "https://portal.example.vn")
        .header("Access-Control-Request-Method", "GET")
        .header(
            "Access-Control-Request-Headers",
            "if-none-match, x-request-id, authorization",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200, "{preflight:?}");
    let exposed = app
        .client
        .get(format!("{}/api/v1/groups", app.base))
        .bearer_auth(&ob)
        .header("Origin", "https://portal.example.vn")
        .send()
        .await
        .unwrap();
    let exposed = exposed
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("content-disposition") && exposed.contains("etag"),
        "{exposed}"
    );
}

/// With an owner URL, the runtime role gets rows and no more: the audit trail is append-only
/// to it, and it cannot change the schema.
#[actix_web::test]
async fn the_runtime_role_may_only_append_to_the_audit_trail() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
    let app = TestApp::spawn().await;
    let role = format!("rt_{}", app.db_name);
    let mut owner = app.db().await;
    owner
        .batch_execute(&format!("CREATE ROLE \"{role}\" LOGIN"))
        .await
        .unwrap();
    cadre_api::db::grant_runtime(&app.db_url, &role)
        .await
        .unwrap();
    let mut url = url::Url::parse(&app.db_url).unwrap();
    url.set_username(&role).unwrap();
    let mut runtime = AsyncPgConnection::establish(url.as_str()).await.unwrap();
    for (sql, allowed) in [
        ("SELECT count(*) FROM audit_events", true),
        ("UPDATE org_units SET version = version WHERE false", true),
        ("UPDATE audit_events SET action = action", false),
        ("DELETE FROM audit_events", false),
        ("TRUNCATE audit_events", false),
        ("CREATE TABLE intruder (id int)", false),
        ("DROP TABLE rounds CASCADE", false),
    ] {
        let outcome = runtime.batch_execute(sql).await;
        assert_eq!(outcome.is_ok(), allowed, "{sql}: {outcome:?}");
    }
    drop(runtime);
    owner
        .batch_execute(&format!("DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\""))
        .await
        .unwrap();
}
