//! Bad input gets a clear problem+json error and changes nothing.

use serde_json::json;

use crate::common::*;

async fn unit_count(app: &TestApp) -> i64 {
    use cadre_api::db::schema::org_units;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    org_units::table
        .count()
        .get_result(&mut app.db().await)
        .await
        .unwrap()
}

async fn raw(app: &TestApp, token: &str, content_type: &str, body: Vec<u8>) -> Res {
    let res = app
        .client
        .post(format!("{}/api/v1/org-units", app.base))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    read(res).await
}

#[actix_web::test]
async fn every_kind_of_bad_body_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let parent = app.unit("VP").await;
    let level = app.level("district").await;
    let (units, audits) = (unit_count(&app).await, app.audit_count().await);
    let good = json!({"code": "VP-NEW", "name": "Đơn vị mới", "unit_type": "party_board", "level_id": level, "parent_id": parent});

    let cases: Vec<(&str, &str, Vec<u8>, u16)> = vec![
        (
            "malformed JSON",
            "application/json",
            br#"{"code": "#.to_vec(),
            400,
        ),
        (
            "not JSON at all",
            "application/json",
            b"code=1".to_vec(),
            400,
        ),
        (
            "invalid UTF-8",
            "application/json",
            b"{\"code\": \"\xff\xfe\"}".to_vec(),
            400,
        ),
        (
            "wrong type",
            "application/json",
            {
                let mut b = good.clone();
                b["code"] = json!(5);
                b.to_string().into_bytes()
            },
            422,
        ),
        (
            "unknown field",
            "application/json",
            {
                let mut b = good.clone();
                b["secret_flag"] = json!(true);
                b.to_string().into_bytes()
            },
            422,
        ),
        (
            "unknown enum code",
            "application/json",
            {
                let mut b = good.clone();
                b["unit_type"] = json!("ministry");
                b.to_string().into_bytes()
            },
            422,
        ),
        (
            "huge string",
            "application/json",
            {
                let mut b = good.clone();
                b["name"] = json!("ế".repeat(5000));
                b.to_string().into_bytes()
            },
            422,
        ),
        (
            "control characters",
            "application/json",
            {
                let mut b = good.clone();
                b["name"] = json!("Sở\u{0000}Nội vụ");
                b.to_string().into_bytes()
            },
            422,
        ),
        (
            "bad code format",
            "application/json",
            {
                let mut b = good.clone();
                b["code"] = json!("mã có dấu");
                b.to_string().into_bytes()
            },
            422,
        ),
        (
            "oversized body",
            "application/json",
            {
                let mut b = good.clone();
                b["name"] = json!("x".repeat(100_000));
                b.to_string().into_bytes()
            },
            413,
        ),
        (
            "wrong media type",
            "text/plain",
            good.to_string().into_bytes(),
            415,
        ),
        ("empty body", "application/json", Vec::new(), 400),
    ];
    for (name, ctype, body, status) in cases {
        let res = raw(&app, &token, ctype, body).await;
        assert_eq!(res.status.as_u16(), status, "{name}: {res:?}");
        assert_problem(&res, status);
        assert!(
            !res.text.contains("diesel") && !res.text.contains("SELECT"),
            "{name} leaks internals: {res:?}"
        );
    }
    let invalid = raw(&app, &token, "application/json", {
        let mut b = good.clone();
        b["name"] = json!("");
        b.to_string().into_bytes()
    })
    .await;
    assert_eq!(invalid.body["errors"][0]["field"], "name", "{invalid:?}");
    assert_eq!(invalid.body["errors"][0]["code"], "length");
    assert_eq!(unit_count(&app).await, units);
    assert_eq!(app.audit_count().await, audits);

    // And the good body is accepted, with Vietnamese text kept byte for byte.
    let created = app.post("/api/v1/org-units", &token, good).await;
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.body["name"], "Đơn vị mới");
    assert_eq!(unit_count(&app).await, units + 1);
}

#[actix_web::test]
async fn vietnamese_text_round_trips_byte_for_byte() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let name = "Đảng ủy phường Xuân Hòa – “Phúc Yên” (cũ) ỹ ữ ợ 𝔸";
    let body = json!({"code": "VP-UTF8", "name": name, "unit_type": "party_board",
        "level_id": app.level("district").await, "parent_id": app.unit("VP").await});
    let created = app.post("/api/v1/org-units", &token, body).await;
    assert_eq!(created.status, 201, "{created:?}");
    let read = app
        .get(&format!("/api/v1/org-units/{}", created.id()), &token)
        .await;
    assert_eq!(
        read.body["name"].as_str().unwrap().as_bytes(),
        name.as_bytes()
    );
}

#[actix_web::test]
async fn bad_paths_and_queries() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    assert_problem(&app.get("/api/v1/org-units/not-a-uuid", &token).await, 404);
    assert_problem(&app.get("/api/v1/org-units?limit=0", &token).await, 422);
    assert_problem(&app.get("/api/v1/org-units?limit=201", &token).await, 422);
    assert_problem(&app.get("/api/v1/org-units?limit=abc", &token).await, 400);
    assert_problem(
        &app.get("/api/v1/org-units?as_of=2025-13-45", &token).await,
        400,
    );
    assert_problem(&app.get("/api/v1/org-units?cursor=%%%", &token).await, 422);
    assert_problem(
        &app.get("/api/v1/org-units?cursor=bm90LWEtdXVpZA", &token)
            .await,
        422,
    );
}

#[actix_web::test]
async fn a_nul_character_in_a_query_parameter_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let res = app.get("/api/v1/audit-events?action=a%00b", &token).await;
    assert_problem(&res, 422);
}

/// A body that is not an object is refused, even one serde could read a struct from.
#[actix_web::test]
async fn a_body_must_be_an_object() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let before = unit_count(&app).await;
    for body in ["[null, null]", "[]", "\"text\"", "42"] {
        let res = raw(&app, &admin, "application/json", body.as_bytes().to_vec()).await;
        assert_problem(&res, 422);
    }
    assert_eq!(unit_count(&app).await, before);
    let long = "x".repeat(2001);
    assert_problem(
        &app.get(&format!("/api/v1/events?types={long}"), &admin)
            .await,
        422,
    );
}
