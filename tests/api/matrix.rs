//! The authorisation matrix: every endpoint, every role, in and out of scope.
//!
//! In scope: objects of the Department of Natural Resources and Environment (`VP-SO-TNMT`),
//! which its head and staff hold bindings on and supervisor `giamsat.2` watches. Out of scope
//! for them: objects of the Bình Xuyên district (`VP-HU-BX`), whose subtree is the only scope of
//! the extra administrator `admin.bx`. Province-wide roles (admin, Standing Committee,
//! Organisation Board, data feed, public reader) are bound to the whole tree.
//!
//! Every row runs each role against a freshly prepared object, so one role's success does not
//! change another's answer.

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;

const ROLES: [&str; 9] = [
    "admin",
    "thuongvu.1",
    "bantochuc.1",
    "giamsat.2",
    "head.so-tnmt",
    "staff.so-tnmt.1",
    "feed.so-khdt",
    "portal",
    "admin.bx",
];

/// A request to make, with the ETag to send when it is an update.
struct Call {
    method: Method,
    path: String,
    body: Option<Value>,
    etag: Option<String>,
}

impl Call {
    fn get(path: String) -> Self {
        Self {
            method: Method::GET,
            path,
            body: None,
            etag: None,
        }
    }
    fn post(path: String, body: Value) -> Self {
        Self {
            method: Method::POST,
            path,
            body: Some(body),
            etag: None,
        }
    }
}

struct World {
    admin: String,
    tnmt: Uuid,
    bx: Uuid,
    vp: Uuid,
    district: Uuid,
    commune: Uuid,
    tnmt_head_cadre: String,
    bx_head_cadre: String,
    tnmt_head_post: String,
    group_2022: String,
    head_account: String,
    head_binding: String,
}

async fn first_id(app: &TestApp, token: &str, path: &str) -> String {
    let res = app.get(path, token).await;
    res.body["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("nothing at {path}: {res:?}"))
        .to_string()
}

async fn etag_of(app: &TestApp, token: &str, path: &str) -> String {
    let res = app.get(path, token).await;
    assert_eq!(res.status, 200, "{path}: {res:?}");
    res.etag()
}

async fn world(app: &TestApp) -> World {
    let admin = app.token("admin").await;
    let (tnmt, bx, vp) = (
        app.unit("VP-SO-TNMT").await,
        app.unit("VP-HU-BX").await,
        app.unit("VP").await,
    );
    // An administrator of the Bình Xuyên subtree only.
    let account = app
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"username": "admin.bx", "display_name": "Quản trị Bình Xuyên", "kind": "user",
            "secret": "Mat-khau-du-dai-2026", "home_unit_id": bx}),
        )
        .await;
    assert_eq!(account.status, 201, "{account:?}");
    let binding = app
        .post("/api/v1/role-bindings", &admin, json!({"account_id": account.id(), "role": "admin", "unit_id": bx, "include_subtree": true, "valid_from": "2021-01-01"}))
        .await;
    assert_eq!(binding.status, 201, "{binding:?}");
    let today = chrono::Utc::now().date_naive();
    let head_account = app
        .get("/api/v1/me", &app.token("head.so-tnmt").await)
        .await
        .body["account"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        tnmt_head_cadre: first_id(
            app,
            &admin,
            &format!("/api/v1/posts?unit_id={tnmt}&kind=head&as_of={today}"),
        )
        .await,
        bx_head_cadre: first_id(
            app,
            &admin,
            &format!("/api/v1/posts?unit_id={bx}&kind=head&as_of={today}"),
        )
        .await,
        tnmt_head_post: first_id(
            app,
            &admin,
            &format!("/api/v1/posts?unit_id={tnmt}&kind=head&as_of={today}"),
        )
        .await,
        group_2022: first_id(
            app,
            &admin,
            &format!("/api/v1/groups?owner_unit_id={vp}&year=2022"),
        )
        .await,
        head_binding: first_id(
            app,
            &admin,
            &format!("/api/v1/role-bindings?account_id={head_account}"),
        )
        .await,
        district: app.level("district").await,
        commune: app.level("commune").await,
        head_account,
        admin,
        tnmt,
        bx,
        vp,
    }
    .fix_cadres(app)
    .await
}

impl World {
    /// The posts list gives post ids; turn the head posts into their cadres' ids.
    async fn fix_cadres(mut self, app: &TestApp) -> Self {
        for id in [&mut self.tnmt_head_cadre, &mut self.bx_head_cadre] {
            let post = app.get(&format!("/api/v1/posts/{id}"), &self.admin).await;
            *id = post.body["cadre_id"].as_str().unwrap().to_string();
        }
        self
    }
}

fn fresh_code(prefix: &str) -> String {
    format!("{prefix}-{}", &Uuid::now_v7().simple().to_string()[20..])
}

async fn new_commune(app: &TestApp, w: &World) -> Uuid {
    let res = app
        .post("/api/v1/org-units", &w.admin, json!({"code": fresh_code("VP-HU-BX-XA"), "name": "Xã thử", "unit_type": "commune_party_committee",
            "level_id": w.commune, "parent_id": w.bx, "valid_from": "2021-01-01"}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

/// Prepares the request of row `row` on fresh objects.
async fn prepare(app: &TestApp, w: &World, row: &str) -> Call {
    let a = &w.admin;
    match row {
        "list vocabularies" => Call::get("/api/v1/vocabularies".into()),
        "me" => Call::get("/api/v1/me".into()),
        "list levels" => Call::get("/api/v1/levels".into()),
        "create level" => Call::post(
            "/api/v1/levels".into(),
            json!({"code": fresh_code("lv"), "name_vi": "Cấp thử", "name_en": "Test", "rank": 50 + (Uuid::now_v7().as_u128() % 40) as i32}),
        ),
        "update level" => {
            let path = format!("/api/v1/levels/{}", w.district);
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, a, &path).await),
                path,
                body: Some(json!({"name_en": "District"})),
            }
        }
        "read unit in scope" => Call::get(format!("/api/v1/org-units/{}", w.tnmt)),
        "read unit out of scope" => Call::get(format!("/api/v1/org-units/{}", w.bx)),
        "list units" => Call::get("/api/v1/org-units".into()),
        "subtree in scope" => Call::get(format!("/api/v1/org-units/{}/subtree", w.tnmt)),
        "history in scope" => Call::get(format!("/api/v1/org-units/{}/history", w.tnmt)),
        "update unit in scope" => {
            let path = format!("/api/v1/org-units/{}", w.tnmt);
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, a, &path).await),
                path,
                body: Some(json!({"short_name": "Sở TN&MT"})),
            }
        }
        "update unit out of scope" => {
            let path = format!("/api/v1/org-units/{}", w.bx);
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, a, &path).await),
                path,
                body: Some(json!({"short_name": "HU Bình Xuyên"})),
            }
        }
        "create unit out of scope" => Call::post(
            "/api/v1/org-units".into(),
            json!({"code": fresh_code("VP-HU-BX-XA"), "name": "Xã mới",
            "unit_type": "commune_party_committee", "level_id": w.commune, "parent_id": w.bx}),
        ),
        "close unit out of scope" => {
            let path = format!("/api/v1/org-units/{}", new_commune(app, w).await);
            Call {
                method: Method::POST,
                etag: Some(etag_of(app, a, &path).await),
                path: format!("{path}/close"),
                body: Some(json!({"valid_to": "2026-01-31", "reason": "Giải thể"})),
            }
        }
        "merge out of scope" => {
            let (c1, c2) = (new_commune(app, w).await, new_commune(app, w).await);
            Call::post(
                "/api/v1/restructurings/merge".into(),
                json!({"effective_date": "2026-01-01", "predecessor_ids": [c1, c2],
                "successor": {"code": fresh_code("VP-HU-BX-XA"), "name": "Xã hợp nhất", "unit_type": "commune_party_committee", "level_id": w.commune, "parent_id": w.bx}}),
            )
        }
        "list restructurings" => Call::get("/api/v1/restructurings".into()),
        "read cadre in scope" => Call::get(format!("/api/v1/cadres/{}", w.tnmt_head_cadre)),
        "read cadre out of scope" => Call::get(format!("/api/v1/cadres/{}", w.bx_head_cadre)),
        "update cadre in scope" => {
            let path = format!("/api/v1/cadres/{}", w.tnmt_head_cadre);
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, a, &path).await),
                path,
                body: Some(json!({"email": "giamdoc@tnmt.vinhphuc.gov.vn"})),
            }
        }
        "create cadre in scope" => Call::post(
            "/api/v1/cadres".into(),
            json!({"full_name": "Phạm Minh Đức", "managing_unit_id": w.tnmt}),
        ),
        "read post in scope" => Call::get(format!("/api/v1/posts/{}", w.tnmt_head_post)),
        "appoint in scope" => Call::post(
            "/api/v1/posts".into(),
            json!({"cadre_id": w.tnmt_head_cadre, "unit_id": w.tnmt, "kind": "staff", "title": "Chuyên viên"}),
        ),
        "end post in scope" => {
            let cadre = app
                .post(
                    "/api/v1/cadres",
                    a,
                    json!({"full_name": "Đỗ Văn Tạm", "managing_unit_id": w.tnmt}),
                )
                .await;
            let post = app.post("/api/v1/posts", a, json!({"cadre_id": cadre.id(), "unit_id": w.tnmt, "kind": "staff", "title": "Chuyên viên", "valid_from": "2025-01-01"})).await;
            assert_eq!(post.status, 201, "{post:?}");
            Call {
                method: Method::POST,
                etag: Some(post.etag()),
                path: format!("/api/v1/posts/{}/end", post.id()),
                body: Some(json!({"valid_to": "2026-01-31", "reason": "Chuyển công tác"})),
            }
        }
        "read group" => Call::get(format!("/api/v1/groups/{}", w.group_2022)),
        "create group" => Call::post(
            "/api/v1/groups".into(),
            json!({"owner_unit_id": w.vp, "year": 2027, "code": fresh_code("N"), "label_vi": "Nhóm thử", "member_ids": [w.tnmt]}),
        ),
        "read account" => Call::get(format!("/api/v1/accounts/{}", w.head_account)),
        "create account" => Call::post(
            "/api/v1/accounts".into(),
            json!({"username": fresh_code("user").to_lowercase(), "display_name": "Người dùng mới", "kind": "user",
            "secret": "Mat-khau-du-dai-2026", "home_unit_id": w.tnmt}),
        ),
        "read binding" => Call::get(format!("/api/v1/role-bindings/{}", w.head_binding)),
        "grant binding" => Call::post(
            "/api/v1/role-bindings".into(),
            json!({"account_id": w.head_account, "role": "unit_staff", "unit_id": w.tnmt}),
        ),
        "read audit trail" => Call::get("/api/v1/audit-events".into()),
        other => panic!("unknown row {other}"),
    }
}

/// Expected status per role, in the order of [`ROLES`]:
/// admin, Standing Committee, Organisation Board, supervisor, head, staff, feed, public, admin.bx.
const MATRIX: &[(&str, [u16; 9])] = &[
    (
        "list vocabularies",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    ("me", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("list levels", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "create level",
        [201, 403, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "update level",
        [200, 403, 403, 403, 403, 403, 403, 403, 403],
    ),
    (
        "read unit in scope",
        [200, 200, 200, 200, 200, 200, 200, 200, 404],
    ),
    (
        "read unit out of scope",
        [200, 200, 200, 404, 404, 404, 200, 200, 200],
    ),
    ("list units", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "subtree in scope",
        [200, 200, 200, 200, 200, 200, 200, 200, 404],
    ),
    (
        "history in scope",
        [200, 200, 200, 200, 200, 200, 200, 200, 404],
    ),
    (
        "update unit in scope",
        [200, 403, 403, 403, 403, 403, 403, 403, 404],
    ),
    (
        "update unit out of scope",
        [200, 403, 403, 404, 404, 404, 403, 403, 200],
    ),
    (
        "create unit out of scope",
        [201, 403, 403, 422, 422, 422, 403, 403, 201],
    ),
    (
        "close unit out of scope",
        [200, 403, 403, 404, 404, 404, 403, 403, 200],
    ),
    (
        "merge out of scope",
        [201, 403, 403, 422, 422, 422, 403, 403, 201],
    ),
    (
        "list restructurings",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "read cadre in scope",
        [200, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read cadre out of scope",
        [200, 200, 200, 404, 404, 404, 404, 404, 200],
    ),
    (
        "update cadre in scope",
        [200, 403, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "create cadre in scope",
        [201, 403, 201, 403, 403, 403, 422, 422, 422],
    ),
    (
        "read post in scope",
        [200, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "appoint in scope",
        [201, 403, 201, 403, 403, 403, 422, 422, 422],
    ),
    (
        "end post in scope",
        [200, 403, 200, 403, 403, 403, 404, 404, 404],
    ),
    ("read group", [200, 200, 200, 404, 404, 404, 200, 200, 404]),
    (
        "create group",
        [201, 403, 201, 422, 422, 422, 403, 403, 422],
    ),
    (
        "read account",
        [200, 404, 404, 404, 404, 404, 404, 404, 404],
    ),
    (
        "create account",
        [201, 403, 403, 403, 403, 403, 403, 403, 422],
    ),
    (
        "read binding",
        [200, 404, 404, 404, 404, 404, 404, 404, 404],
    ),
    (
        "grant binding",
        [201, 403, 403, 403, 403, 403, 403, 403, 422],
    ),
    (
        "read audit trail",
        [200, 200, 200, 403, 403, 403, 403, 403, 200],
    ),
];

#[actix_web::test]
async fn authorization_matrix() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push(app.token(role).await);
    }
    let mut failures = Vec::new();
    for (row, expected) in MATRIX {
        for (i, role) in ROLES.iter().enumerate() {
            let call = prepare(&app, &w, row).await;
            let headers: Vec<(&str, &str)> = call
                .etag
                .as_deref()
                .map(|e| vec![("If-Match", e)])
                .unwrap_or_default();
            let res = app
                .send(
                    call.method.clone(),
                    &call.path,
                    &tokens[i],
                    call.body.clone(),
                    &headers,
                )
                .await;
            if res.status.as_u16() != expected[i] {
                failures.push(format!(
                    "{row} as {role}: expected {}, got {}",
                    expected[i], res.text
                ));
            }
            if res.status.as_u16() >= 400 {
                assert!(
                    res.content_type().starts_with("application/problem+json"),
                    "{row} as {role}: {res:?}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[actix_web::test]
async fn without_a_token_everything_but_the_public_endpoints_is_401() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    for (row, _) in MATRIX {
        let call = prepare(&app, &w, row).await;
        let res = app.send(call.method, &call.path, "", call.body, &[]).await;
        assert_eq!(res.status, 401, "{row}: {res:?}");
    }
}
