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
    /// A file to upload as `multipart/form-data` (with the body's fields), instead of JSON.
    file: Option<Vec<u8>>,
}

impl Call {
    fn get(path: String) -> Self {
        Self {
            method: Method::GET,
            path,
            body: None,
            etag: None,
            file: None,
        }
    }
    fn post(path: String, body: Value) -> Self {
        Self {
            method: Method::POST,
            path,
            body: Some(body),
            etag: None,
            file: None,
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
    ob: String,
    sc: String,
    head: String,
    staff: String,
    /// An issued VP round with one assignment to TNMT and one to Bình Xuyên.
    issued_round: Uuid,
    tnmt_assignment: Uuid,
    bx_assignment: Uuid,
    /// A draft VP round of 2023.
    draft_round: Uuid,
    /// How many periods of people's evaluations were handed out (see [`person_period`]).
    person_periods: std::sync::atomic::AtomicUsize,
}

/// A new webhook subscription of the TNMT head, stored directly (the matrix's server allows no
/// local target to subscribe through the API).
async fn head_subscription(app: &TestApp, w: &World) -> Uuid {
    use cadre_api::db::models::WebhookSubscriptionRow;
    use cadre_api::domain::webhooks::SubscriptionStatus;
    use diesel_async::RunQueryDsl;
    let now = chrono::Utc::now();
    let row = WebhookSubscriptionRow {
        id: Uuid::now_v7(),
        owner_account_id: w.head_account.parse().unwrap(),
        url: "https://portal.example.gov.vn/hooks".into(),
        description: None,
        event_types: Vec::new(),
        unit_id: None,
        status: SubscriptionStatus::Active,
        disabled_at: None,
        disabled_reason: None,
        cursor: 0,
        failing_since: None,
        last_success_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut conn = app.db().await;
    diesel::insert_into(cadre_api::db::schema::webhook_subscriptions::table)
        .values(&row)
        .execute(&mut conn)
        .await
        .unwrap();
    row.id
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
        ob: app.token("bantochuc.1").await,
        sc: app.token("thuongvu.1").await,
        head: app.token("head.so-tnmt").await,
        staff: app.token("staff.so-tnmt.1").await,
        issued_round: Uuid::nil(),
        tnmt_assignment: Uuid::nil(),
        bx_assignment: Uuid::nil(),
        draft_round: Uuid::nil(),
        person_periods: Default::default(),
    }
    .fix_cadres(app)
    .await
    .with_assignments(app)
    .await
}

/// A new draft VP round (with a unique decision number).
async fn draft_round(app: &TestApp, w: &World, year: i32) -> Uuid {
    let res = app
        .post(
            "/api/v1/rounds",
            &w.ob,
            json!({"assigning_unit_id": w.vp, "year": year, "title": "Đợt giao thử",
            "decision_number": fresh_code("QĐ"), "decision_date": format!("{year}-01-15")}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

/// A new draft task for `unit` in `round`.
async fn draft_task(app: &TestApp, w: &World, round: Uuid, unit: Uuid) -> Uuid {
    let res = app
        .post(
            "/api/v1/assignments",
            &w.ob,
            json!({"round_id": round, "assignee_unit_id": unit, "title": "Nhiệm vụ thử",
            "content_area": "socio_economic", "kind": "task", "product_description": "Sản phẩm",
            "start_date": "2022-01-01", "end_date": "2022-12-31"}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

/// Issues `round` as the Standing Committee.
async fn issue(app: &TestApp, w: &World, round: Uuid) {
    let path = format!("/api/v1/rounds/{round}");
    let etag = etag_of(app, &w.sc, &path).await;
    let res = app
        .post_if(&format!("{path}/issue"), &w.sc, &etag, json!({}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
}

/// A new issued assignment to TNMT, in a round of its own.
async fn issued_task(app: &TestApp, w: &World) -> Uuid {
    let round = draft_round(app, w, 2022).await;
    let task = draft_task(app, w, round, w.tnmt).await;
    issue(app, w, round).await;
    task
}

/// The terms hash the head of TNMT would sign in `round`.
async fn terms_hash(app: &TestApp, w: &World, round: Uuid) -> Value {
    let res = app
        .get(
            &format!(
                "/api/v1/rounds/{round}/commitment-terms?assignee_unit_id={}",
                w.tnmt
            ),
            &w.sc,
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body["terms_hash"].clone()
}

/// A new committed assignment to TNMT, in a round of its own.
async fn committed_task(app: &TestApp, w: &World) -> Uuid {
    let task = issued_task(app, w).await;
    let round: Uuid = app
        .get(&format!("/api/v1/assignments/{task}"), &w.sc)
        .await
        .body["round_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hash = terms_hash(app, w, round).await;
    let res = app
        .post(
            &format!("/api/v1/rounds/{round}/commitments"),
            &w.head,
            json!({"assignee_unit_id": w.tnmt, "terms_hash": hash}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    task
}

/// A draft plan for a new issued TNMT assignment, submitted by its head.
async fn submitted_plan(app: &TestApp, w: &World) -> (Uuid, String) {
    let task = issued_task(app, w).await;
    let path = format!("/api/v1/assignments/{task}/plan");
    let plan = app
        .send(Method::PUT, &path, &w.staff, Some(plan_body()), &[])
        .await;
    assert_eq!(plan.status, 201, "{plan:?}");
    let submitted = app
        .post_if(&format!("{path}/submit"), &w.head, &plan.etag(), json!({}))
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    (task, submitted.etag())
}

fn plan_body() -> Value {
    json!({"solutions": "Giải pháp", "general_objective": "Mục tiêu",
        "roadmap": [{"step": "Hoàn thành", "due_date": "2022-12-15"}]})
}

fn report_body() -> Value {
    json!({"narrative": "Đã hoàn thành 50% khối lượng", "confidence": "on_track"})
}

fn deadline_request() -> Value {
    json!({"kind": "deadline_change", "justification": "Nguyên nhân khách quan do thiên tai", "end_date": "2023-03-31"})
}

impl World {
    /// Rounds and assignments shared by the rows that only read.
    async fn with_assignments(mut self, app: &TestApp) -> Self {
        self.issued_round = draft_round(app, &self, 2022).await;
        self.tnmt_assignment = draft_task(app, &self, self.issued_round, self.tnmt).await;
        self.bx_assignment = draft_task(app, &self, self.issued_round, self.bx).await;
        issue(app, &self, self.issued_round).await;
        self.draft_round = draft_round(app, &self, 2023).await;
        self
    }

    /// The posts list gives post ids; turn the head posts into their cadres' ids.
    /// Mints the world's tokens again, after a call that ended their sessions.
    async fn renew_tokens(&mut self, app: &TestApp) {
        self.admin = app.token("admin").await;
        self.ob = app.token("bantochuc.1").await;
        self.sc = app.token("thuongvu.1").await;
        self.head = app.token("head.so-tnmt").await;
        self.staff = app.token("staff.so-tnmt.1").await;
    }

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

/// A fresh PDF uploaded as evidence of `task` by `token`.
async fn evidence_file(app: &TestApp, token: &str, task: Uuid) -> Res {
    let res = app
        .upload(
            &format!("/api/v1/assignments/{task}/evidence/files"),
            token,
            (
                "bien-ban.pdf",
                format!("%PDF-1.7\n{}\n", Uuid::now_v7()).into_bytes(),
            ),
            &[("title", "Biên bản")],
            &[],
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res
}

/// A head's self-assessment of 2022 of `task`, citing a fresh piece of its evidence.
async fn self_assessment(app: &TestApp, w: &World, task: Uuid) -> Value {
    let evidence = evidence_file(app, &w.staff, task).await.id();
    json!({"period": "2022", "grade": "good", "narrative": "Hoàn thành đúng hạn",
        "evidence_ids": [evidence]})
}

/// A fresh evaluation of a fresh task, self-assessed, appraised and decided.
async fn decided_evaluation(app: &TestApp, w: &World) -> Uuid {
    let task = issued_task(app, w).await;
    let e = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &w.head,
            self_assessment(app, w, task).await,
        )
        .await;
    assert_eq!(e.status, 201, "{e:?}");
    let path = format!("/api/v1/evaluations/{}", e.id());
    let appraised = app
        .post_if(
            &format!("{path}/appraise"),
            &w.ob,
            &e.etag(),
            json!({"grade": "good", "remarks": "Đúng thực tế"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let decided = app
        .post_if(
            &format!("{path}/decide"),
            &w.sc,
            &appraised.etag(),
            json!({"grade": "good", "departure_reason": "Theo kết luận của Ban Thường vụ"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    e.id()
}

/// Prepares the request of row `row` on fresh objects.
/// A period of people's evaluation containing 2022, different at each call: a term `a-b` of
/// at most ten years (65 of them), so that each row's fresh evaluation is the only one of its
/// period.
fn person_period(w: &World) -> String {
    let n = w
        .person_periods
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (2012..=2022)
        .flat_map(|a: i32| (2022.max(a + 1)..=a + 10).map(move |b| format!("{a}-{b}")))
        .nth(n)
        .expect("enough periods for the matrix")
}

/// The TNMT head's self-assessment of a fresh period, over a fresh issued task.
async fn person_self_assessment(app: &TestApp, w: &World) -> Value {
    issued_task(app, w).await;
    json!({"cadre_id": w.tnmt_head_cadre, "evaluating_unit_id": w.vp, "period": person_period(w),
        "grade": "good", "narrative": "Hoàn thành các nhiệm vụ"})
}

/// A person evaluation of the TNMT head taken to `state`: its path and ETag.
async fn person_evaluation(app: &TestApp, w: &World, state: &str) -> (String, String) {
    let body = person_self_assessment(app, w).await;
    let e = app.post("/api/v1/person-evaluations", &w.head, body).await;
    assert_eq!(e.status, 201, "{e:?}");
    let path = format!("/api/v1/person-evaluations/{}", e.id());
    let mut etag = e.etag();
    let steps: &[(&str, &str, Value)] = match state {
        "returned" => &[("return", "ob", json!({"comment": "Bổ sung"}))],
        "appraised" => &[(
            "appraise",
            "ob",
            json!({"grade": "good", "remarks": "Đúng"}),
        )],
        "decided" => &[
            (
                "appraise",
                "ob",
                json!({"grade": "good", "remarks": "Đúng"}),
            ),
            (
                "decide",
                "sc",
                json!({"grade": "good", "departure_reason": "Theo kết luận"}),
            ),
        ],
        _ => &[],
    };
    for (action, who, body) in steps {
        let token = if *who == "ob" { &w.ob } else { &w.sc };
        let res = app
            .post_if(&format!("{path}/{action}"), token, &etag, body.clone())
            .await;
        assert_eq!(res.status, 200, "{action}: {res:?}");
        etag = res.etag();
    }
    (path, etag)
}

async fn prepare(app: &TestApp, w: &World, row: &str) -> Call {
    let a = &w.admin;
    match row {
        "list vocabularies" => Call::get("/api/v1/vocabularies".into()),
        "me" => Call::get("/api/v1/me".into()),
        "log out everywhere" => Call::post("/api/v1/auth/logout".into(), json!({})),
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
                file: None,
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
                file: None,
            }
        }
        "update unit out of scope" => {
            let path = format!("/api/v1/org-units/{}", w.bx);
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, a, &path).await),
                path,
                body: Some(json!({"short_name": "HU Bình Xuyên"})),
                file: None,
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
                file: None,
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
                file: None,
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
                file: None,
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
        "verify audit chain" => Call::post("/api/v1/audit/verify".into(), json!({})),
        "list audit checkpoints" => Call::get("/api/v1/audit/checkpoints".into()),
        "create audit checkpoint" => Call::post("/api/v1/audit/checkpoints".into(), json!({})),
        "audit checkpoint key" => Call::get("/api/v1/audit/checkpoints/public-key".into()),
        "list rounds" => Call::get("/api/v1/rounds".into()),
        "read issued round" => Call::get(format!("/api/v1/rounds/{}", w.issued_round)),
        "create round" => Call::post(
            "/api/v1/rounds".into(),
            json!({"assigning_unit_id": w.vp, "year": 2024, "title": "Đợt giao 2024"}),
        ),
        "round readiness" => Call::get(format!("/api/v1/rounds/{}/readiness", w.draft_round)),
        "issue round" => {
            let round = draft_round(app, w, 2022).await;
            draft_task(app, w, round, w.tnmt).await;
            let path = format!("/api/v1/rounds/{round}");
            Call {
                method: Method::POST,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path: format!("{path}/issue"),
                body: Some(json!({})),
                file: None,
            }
        }
        "round decisions" => Call::get(format!("/api/v1/rounds/{}/decisions", w.issued_round)),
        "list assignments" => Call::get("/api/v1/assignments".into()),
        "read assignment in scope" => {
            Call::get(format!("/api/v1/assignments/{}", w.tnmt_assignment))
        }
        "read assignment out of scope" => {
            Call::get(format!("/api/v1/assignments/{}", w.bx_assignment))
        }
        "list accountables in scope" => Call::get(format!(
            "/api/v1/assignments/{}/accountables",
            w.tnmt_assignment
        )),
        "name accountables" => Call {
            method: Method::PUT,
            ..Call::post(
                format!(
                    "/api/v1/assignments/{}/accountables",
                    issued_task(app, w).await
                ),
                json!({"positions": [{"unit_id": w.tnmt, "post_kind": "head", "role": "head"}]}),
            )
        },
        "assignment terms in scope" => {
            Call::get(format!("/api/v1/assignments/{}/terms", w.tnmt_assignment))
        }
        "assignment rollup in scope" => {
            Call::get(format!("/api/v1/assignments/{}/rollup", w.tnmt_assignment))
        }
        "create assignment" => Call::post(
            "/api/v1/assignments".into(),
            json!({"round_id": w.draft_round, "assignee_unit_id": w.tnmt, "title": "Nhiệm vụ mới",
                "content_area": "party_building", "kind": "task", "product_description": "Sản phẩm",
                "start_date": "2023-01-01", "end_date": "2023-12-31"}),
        ),
        "update draft assignment" => {
            let task = draft_task(app, w, w.draft_round, w.tnmt).await;
            let path = format!("/api/v1/assignments/{task}");
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path,
                body: Some(json!({"title": "Nhiệm vụ đã sửa"})),
                file: None,
            }
        }
        "withdraw assignment" => {
            let task = issued_task(app, w).await;
            let path = format!("/api/v1/assignments/{task}");
            Call {
                method: Method::POST,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path: format!("{path}/withdraw"),
                body: Some(json!({"reason": "Không còn phù hợp"})),
                file: None,
            }
        }
        "start assignment" => {
            let task = committed_task(app, w).await;
            let path = format!("/api/v1/assignments/{task}");
            Call {
                method: Method::POST,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path: format!("{path}/start"),
                body: None,
                file: None,
            }
        }
        "carry over" => {
            let task = issued_task(app, w).await;
            Call::post(
                format!("/api/v1/assignments/{task}/carry-over"),
                json!({"round_id": w.draft_round}),
            )
        }
        "commitment terms in scope" => Call::get(format!(
            "/api/v1/rounds/{}/commitment-terms?assignee_unit_id={}",
            w.issued_round, w.tnmt
        )),
        "sign commitment" => {
            let task = issued_task(app, w).await;
            let round = app
                .get(&format!("/api/v1/assignments/{task}"), &w.sc)
                .await
                .body["round_id"]
                .clone();
            let round: Uuid = round.as_str().unwrap().parse().unwrap();
            Call::post(
                format!("/api/v1/rounds/{round}/commitments"),
                json!({"assignee_unit_id": w.tnmt, "terms_hash": terms_hash(app, w, round).await}),
            )
        }
        "list commitments" => Call::get("/api/v1/commitments".into()),
        "create delegation" => Call::post(
            "/api/v1/signing-delegations".into(),
            json!({"unit_id": w.tnmt, "cadre_id": w.tnmt_head_cadre, "valid_from": "2026-01-01", "reason": "Ủy quyền ký thay"}),
        ),
        "list delegations" => Call::get("/api/v1/signing-delegations".into()),
        "write plan" => {
            let task = issued_task(app, w).await;
            Call {
                method: Method::PUT,
                path: format!("/api/v1/assignments/{task}/plan"),
                body: Some(plan_body()),
                etag: None,
                file: None,
            }
        }
        "approve plan" => {
            let (task, etag) = submitted_plan(app, w).await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/assignments/{task}/plan/approve"),
                body: Some(json!({})),
                etag: Some(etag),
                file: None,
            }
        }
        "request amendment" => {
            let task = issued_task(app, w).await;
            Call::post(
                format!("/api/v1/assignments/{task}/amendments"),
                deadline_request(),
            )
        }
        "approve amendment" => {
            let task = issued_task(app, w).await;
            let req = app
                .post(
                    &format!("/api/v1/assignments/{task}/amendments"),
                    &w.head,
                    deadline_request(),
                )
                .await;
            assert_eq!(req.status, 201, "{req:?}");
            Call {
                method: Method::POST,
                path: format!("/api/v1/amendments/{}/approve", req.id()),
                body: Some(json!({})),
                etag: Some(req.etag()),
                file: None,
            }
        }
        "update draft round" => {
            let path = format!("/api/v1/rounds/{}", draft_round(app, w, 2024).await);
            Call {
                method: Method::PATCH,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path,
                body: Some(json!({"title": "Đợt giao đã sửa"})),
                file: None,
            }
        }
        "delete draft round" => {
            let path = format!("/api/v1/rounds/{}", draft_round(app, w, 2024).await);
            Call {
                method: Method::DELETE,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path,
                body: None,
                file: None,
            }
        }
        "close round" => {
            let round = draft_round(app, w, 2022).await;
            draft_task(app, w, round, w.tnmt).await;
            issue(app, w, round).await;
            let path = format!("/api/v1/rounds/{round}");
            Call {
                method: Method::POST,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path: format!("{path}/close"),
                body: None,
                file: None,
            }
        }
        "delete draft assignment" => {
            let task = draft_task(app, w, w.draft_round, w.tnmt).await;
            let path = format!("/api/v1/assignments/{task}");
            Call {
                method: Method::DELETE,
                etag: Some(etag_of(app, &w.sc, &path).await),
                path,
                body: None,
                file: None,
            }
        }
        "read commitment in scope" => {
            let task = committed_task(app, w).await;
            let id = app
                .get(&format!("/api/v1/assignments/{task}"), &w.sc)
                .await
                .body["commitment_id"]
                .clone();
            Call::get(format!("/api/v1/commitments/{}", id.as_str().unwrap()))
        }
        "read delegation" => {
            let res = app
                .post(
                    "/api/v1/signing-delegations",
                    &w.ob,
                    json!({"unit_id": w.tnmt, "cadre_id": w.tnmt_head_cadre,
                    "valid_from": "2026-01-01", "reason": "Ủy quyền ký thay"}),
                )
                .await;
            assert_eq!(res.status, 201, "{res:?}");
            Call::get(format!("/api/v1/signing-delegations/{}", res.id()))
        }
        "read plan" => {
            let (task, _) = submitted_plan(app, w).await;
            Call::get(format!("/api/v1/assignments/{task}/plan"))
        }
        "submit plan" => {
            let task = issued_task(app, w).await;
            let path = format!("/api/v1/assignments/{task}/plan");
            let plan = app
                .send(Method::PUT, &path, &w.staff, Some(plan_body()), &[])
                .await;
            Call {
                method: Method::POST,
                path: format!("{path}/submit"),
                body: None,
                etag: Some(plan.etag()),
                file: None,
            }
        }
        "return plan" => {
            let (task, etag) = submitted_plan(app, w).await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/assignments/{task}/plan/return"),
                body: Some(json!({"comment": "Bổ sung lộ trình"})),
                etag: Some(etag),
                file: None,
            }
        }
        "list amendments in scope" => Call::get(format!(
            "/api/v1/assignments/{}/amendments",
            w.tnmt_assignment
        )),
        "read amendment" | "reject amendment" => {
            let task = issued_task(app, w).await;
            let req = app
                .post(
                    &format!("/api/v1/assignments/{task}/amendments"),
                    &w.head,
                    deadline_request(),
                )
                .await;
            assert_eq!(req.status, 201, "{req:?}");
            if row == "read amendment" {
                Call::get(format!("/api/v1/amendments/{}", req.id()))
            } else {
                Call {
                    method: Method::POST,
                    path: format!("/api/v1/amendments/{}/reject", req.id()),
                    body: Some(json!({"comment": "Không chấp thuận"})),
                    etag: Some(req.etag()),
                    file: None,
                }
            }
        }
        "reporting schedule in scope" => Call::get(format!(
            "/api/v1/assignments/{}/reporting-schedule",
            w.tnmt_assignment
        )),
        "list progress reports in scope" => Call::get(format!(
            "/api/v1/assignments/{}/progress-reports",
            w.tnmt_assignment
        )),
        "write progress report" => {
            let task = issued_task(app, w).await;
            Call {
                method: Method::PUT,
                path: format!("/api/v1/assignments/{task}/progress-reports/2022-Q1"),
                body: Some(report_body()),
                etag: None,
                file: None,
            }
        }
        "read progress report"
        | "progress report revisions"
        | "submit progress report"
        | "accept progress report" => {
            let task = issued_task(app, w).await;
            let draft = app
                .send(
                    Method::PUT,
                    &format!("/api/v1/assignments/{task}/progress-reports/2022-Q1"),
                    &w.staff,
                    Some(report_body()),
                    &[],
                )
                .await;
            assert_eq!(draft.status, 201, "{draft:?}");
            let path = format!("/api/v1/progress-reports/{}", draft.id());
            match row {
                "read progress report" => Call::get(path),
                "progress report revisions" => Call::get(format!("{path}/revisions")),
                "submit progress report" => Call {
                    method: Method::POST,
                    path: format!("{path}/submit"),
                    body: None,
                    etag: Some(draft.etag()),
                    file: None,
                },
                _ => {
                    let sent = app
                        .post_if(&format!("{path}/submit"), &w.head, &draft.etag(), json!({}))
                        .await;
                    assert_eq!(sent.status, 200, "{sent:?}");
                    Call {
                        method: Method::POST,
                        path: format!("{path}/accept"),
                        body: Some(json!({})),
                        etag: Some(sent.etag()),
                        file: None,
                    }
                }
            }
        }
        "raise obstacle" => {
            let task = issued_task(app, w).await;
            Call::post(
                format!("/api/v1/assignments/{task}/obstacles"),
                json!({"description": "Thiếu kinh phí thực hiện"}),
            )
        }
        "list obstacles in scope" => Call::get(format!(
            "/api/v1/assignments/{}/obstacles",
            w.tnmt_assignment
        )),
        "respond to obstacle" | "certify objective cause" | "read obstacle" => {
            let task = issued_task(app, w).await;
            let raised = app
                .post(
                    &format!("/api/v1/assignments/{task}/obstacles"),
                    &w.staff,
                    json!({"description": "Thiếu kinh phí thực hiện"}),
                )
                .await;
            assert_eq!(raised.status, 201, "{raised:?}");
            let path = format!("/api/v1/obstacles/{}", raised.id());
            match row {
                "read obstacle" => Call::get(path),
                "respond to obstacle" => Call {
                    method: Method::POST,
                    path: format!("{path}/respond"),
                    body: Some(json!({"note": "Đã làm việc với Sở Tài chính"})),
                    etag: Some(raised.etag()),
                    file: None,
                },
                _ => Call {
                    method: Method::POST,
                    path: format!("{path}/certify-objective-cause"),
                    body: Some(json!({"note": "Cắt giảm ngân sách theo Nghị quyết của Quốc hội"})),
                    etag: Some(raised.etag()),
                    file: None,
                },
            }
        }
        "record opinion" => Call::post(
            format!("/api/v1/assignments/{}/opinions", w.tnmt_assignment),
            json!({"body": "Đề nghị tập trung chỉ đạo"}),
        ),
        "list opinions in scope" => Call::get(format!(
            "/api/v1/assignments/{}/opinions",
            w.tnmt_assignment
        )),
        "import observations" => Call::post(
            "/api/v1/feeds/observations?dry_run=true".into(),
            json!({"observations": [{"external_id": "x1", "indicator_code": "HO_SO", "unit_code": "VP-SO-TNMT",
                "period": "2022-Q1", "value": 1.0}]}),
        ),
        "list observations in scope" => Call::get(format!(
            "/api/v1/assignments/{}/observations",
            w.tnmt_assignment
        )),
        "list feed licences" => Call::get("/api/v1/feed-licences".into()),
        "grant feed licence" => {
            let feed = app
                .get("/api/v1/me", &app.token("feed.so-khdt").await)
                .await
                .body["account"]["id"]
                .clone();
            Call::post(
                "/api/v1/feed-licences".into(),
                json!({"account_id": feed, "indicator_code": "HO_SO", "unit_id": w.tnmt}),
            )
        }
        "draw spot check" => Call::post(
            format!("/api/v1/rounds/{}/spot-checks", w.issued_round),
            json!({"share": 0.5, "seed": "matrix"}),
        ),
        "list spot checks" => Call::get(format!("/api/v1/rounds/{}/spot-checks", w.issued_round)),
        "record spot-check finding" | "list spot-check findings" => {
            let drawn = app
                .post(
                    &format!("/api/v1/rounds/{}/spot-checks", w.issued_round),
                    &w.ob,
                    json!({"share": 1.0, "seed": "matrix-findings"}),
                )
                .await;
            assert_eq!(drawn.status, 201, "{drawn:?}");
            let path = format!("/api/v1/spot-checks/{}/findings", drawn.id());
            match row {
                "list spot-check findings" => Call::get(path),
                _ => Call::post(
                    path,
                    json!({"assignment_id": w.tnmt_assignment, "outcome": "confirmed",
                        "note": "Đối chiếu thực địa đúng như báo cáo"}),
                ),
            }
        }
        "read feed licence" | "end feed licence" => {
            let feed = app
                .get("/api/v1/me", &app.token("feed.so-khdt").await)
                .await
                .body["account"]["id"]
                .clone();
            let licence = app
                .post(
                    "/api/v1/feed-licences",
                    a,
                    json!({"account_id": feed, "indicator_code": "HO_SO", "unit_id": w.tnmt}),
                )
                .await;
            assert_eq!(licence.status, 201, "{licence:?}");
            let path = format!("/api/v1/feed-licences/{}", licence.id());
            match row {
                "read feed licence" => Call::get(path),
                _ => Call {
                    etag: Some(licence.etag()),
                    ..Call::post(format!("{path}/end"), json!({"reason": "Thôi cung cấp"}))
                },
            }
        }
        "list rule sets" => Call::get("/api/v1/rule-sets".into()),
        "create rule set" => {
            let mut set = cadre_api::domain::grading::province_products();
            set.code = fresh_code("rs");
            Call::post(
                "/api/v1/rule-sets".into(),
                serde_json::to_value(set).unwrap(),
            )
        }
        "enter past reports" => Call::post(
            "/api/v1/history/progress-reports".into(),
            json!({"reports": [{"assignment_id": issued_task(app, w).await, "period": "2022-Q1",
                "content": {"narrative": "Báo cáo quý I", "self_assessed_completion": 30.0, "confidence": "on_track"},
                "submitted_on": "2022-04-10", "accepted_on": "2022-04-20",
                "source_document": "Báo cáo số 01-BC/STNMT ngày 10/4/2022"}]}),
        ),
        "list person evaluations" => Call::get("/api/v1/person-evaluations".into()),
        "follow the event feed" => Call::get("/api/v1/events".into()),
        "list webhook subscriptions" => Call::get("/api/v1/webhook-subscriptions".into()),
        "subscribe to events (private target)" => Call::post(
            "/api/v1/webhook-subscriptions".into(),
            json!({"url": "https://10.0.0.9/hooks"}),
        ),
        "read the head's webhook subscription" => Call::get(format!(
            "/api/v1/webhook-subscriptions/{}",
            head_subscription(app, w).await
        )),
        "read the head's webhook deliveries" => Call::get(format!(
            "/api/v1/webhook-subscriptions/{}/deliveries",
            head_subscription(app, w).await
        )),
        "disable the head's webhook subscription" => {
            let id = head_subscription(app, w).await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/webhook-subscriptions/{id}/disable"),
                body: None,
                etag: Some("\"1\"".into()),
                file: None,
            }
        }
        "rotate the head's webhook secret" => {
            let id = head_subscription(app, w).await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/webhook-subscriptions/{id}/rotate-secret"),
                body: None,
                etag: Some("\"1\"".into()),
                file: None,
            }
        }
        "preview person evaluation" => Call::get(format!(
            "/api/v1/person-evaluations/preview?cadre_id={}&evaluating_unit_id={}&period=2022",
            w.tnmt_head_cadre, w.vp
        )),
        "self-assess person" => Call::post(
            "/api/v1/person-evaluations".into(),
            person_self_assessment(app, w).await,
        ),
        "read person evaluation" => Call::get(person_evaluation(app, w, "self_assessed").await.0),
        "self-assess person again" => {
            let (path, etag) = person_evaluation(app, w, "returned").await;
            Call {
                etag: Some(etag),
                ..Call::post(
                    format!("{path}/self-assess"),
                    json!({"grade": "good", "narrative": "Đã bổ sung"}),
                )
            }
        }
        "appraise person" | "return person evaluation" => {
            let (path, etag) = person_evaluation(app, w, "self_assessed").await;
            let (action, body) = if row == "appraise person" {
                ("appraise", json!({"grade": "good", "remarks": "Đúng"}))
            } else {
                ("return", json!({"comment": "Bổ sung"}))
            };
            Call {
                etag: Some(etag),
                ..Call::post(format!("{path}/{action}"), body)
            }
        }
        "decide person" => {
            let (path, etag) = person_evaluation(app, w, "appraised").await;
            Call {
                etag: Some(etag),
                ..Call::post(
                    format!("{path}/decide"),
                    json!({"grade": "good", "departure_reason": "Theo kết luận"}),
                )
            }
        }
        "override person" => {
            let (path, etag) = person_evaluation(app, w, "decided").await;
            Call {
                etag: Some(etag),
                ..Call::post(
                    format!("{path}/override"),
                    json!({"grade": "complete", "reason": "Xem xét lại"}),
                )
            }
        }
        "enter past evaluations" => Call::post(
            "/api/v1/history/evaluations".into(),
            json!({"evaluations": [{"assignment_id": issued_task(app, w).await, "period": "2022",
                "grade": "not_complete", "decided_on": "2023-01-10",
                "source_document": "Quyết định số 120-QĐ/TU ngày 10/01/2023"}]}),
        ),
        "read derived facts" => Call::get(format!(
            "/api/v1/assignments/{}/derived-facts?period=2022",
            issued_task(app, w).await
        )),
        "self-assess" => {
            let task = issued_task(app, w).await;
            Call::post(
                format!("/api/v1/assignments/{task}/evaluations"),
                self_assessment(app, w, task).await,
            )
        }
        "appraise evaluation" | "decide evaluation" | "read evaluation" => {
            let task = issued_task(app, w).await;
            let e = app
                .post(
                    &format!("/api/v1/assignments/{task}/evaluations"),
                    &w.head,
                    self_assessment(app, w, task).await,
                )
                .await;
            assert_eq!(e.status, 201, "{e:?}");
            let path = format!("/api/v1/evaluations/{}", e.id());
            match row {
                "read evaluation" => Call::get(path),
                "appraise evaluation" => Call {
                    etag: Some(e.etag()),
                    ..Call::post(
                        format!("{path}/appraise"),
                        json!({"grade": "good", "remarks": "Đúng thực tế"}),
                    )
                },
                _ => {
                    let appraised = app
                        .post_if(
                            &format!("{path}/appraise"),
                            &w.ob,
                            &e.etag(),
                            json!({"grade": "good", "remarks": "Đúng thực tế"}),
                        )
                        .await;
                    assert_eq!(appraised.status, 200, "{appraised:?}");
                    Call {
                        etag: Some(appraised.etag()),
                        ..Call::post(
                            format!("{path}/decide"),
                            json!({"grade": "good", "departure_reason": "Theo kết luận của Ban Thường vụ"}),
                        )
                    }
                }
            }
        }
        "reopen evaluation record" | "relock evaluation record" | "list evaluation reopenings" => {
            let e = decided_evaluation(app, w).await;
            let path = format!("/api/v1/evaluations/{e}");
            match row {
                "list evaluation reopenings" => Call::get(format!("{path}/reopenings")),
                "reopen evaluation record" => Call::post(
                    format!("{path}/reopen"),
                    json!({"reason": "Sửa số liệu báo cáo quý IV theo biên bản kiểm tra"}),
                ),
                _ => {
                    let opened = app
                        .post(
                            &format!("{path}/reopen"),
                            &w.ob,
                            json!({"reason": "Sửa số liệu báo cáo"}),
                        )
                        .await;
                    assert_eq!(opened.status, 201, "{opened:?}");
                    Call::post(format!("{path}/relock"), json!({}))
                }
            }
        }
        "record evaluation consequence" | "list evaluation consequences" => {
            let e = decided_evaluation(app, w).await;
            let path = format!("/api/v1/evaluations/{e}/consequences");
            match row {
                "list evaluation consequences" => Call::get(path),
                _ => Call::post(
                    path,
                    json!({"cadre_id": w.tnmt_head_cadre, "kind": "commendation",
                        "decision_number": fresh_code("QĐ"), "decision_date": "2023-01-20",
                        "issuer": "Ban Thường vụ Tỉnh ủy", "note": "Tặng Bằng khen"}),
                ),
            }
        }
        "create assignments in one call" => Call::post(
            format!("/api/v1/rounds/{}/assignments/batch", w.draft_round),
            json!({"assignments": [{"round_id": w.draft_round, "assignee_unit_id": w.tnmt,
                "title": "Nhiệm vụ mới", "content_area": "party_building", "kind": "task",
                "product_description": "Sản phẩm", "start_date": "2023-01-01",
                "end_date": "2023-12-31"}]}),
        ),
        "submit progress reports in one call" => Call::post(
            "/api/v1/progress-reports/submit-batch".into(),
            json!({"period": "2022-Q1", "reports": [
                {"assignment_id": issued_task(app, w).await, "content": report_body()}]}),
        ),
        "accept progress reports in one call" => {
            let task = issued_task(app, w).await;
            let draft = app
                .send(
                    Method::PUT,
                    &format!("/api/v1/assignments/{task}/progress-reports/2022-Q1"),
                    &w.staff,
                    Some(report_body()),
                    &[],
                )
                .await;
            assert_eq!(draft.status, 201, "{draft:?}");
            let sent = app
                .post_if(
                    &format!("/api/v1/progress-reports/{}/submit", draft.id()),
                    &w.head,
                    &draft.etag(),
                    json!({}),
                )
                .await;
            assert_eq!(sent.status, 200, "{sent:?}");
            Call::post(
                "/api/v1/progress-reports/accept-batch".into(),
                json!({"reports": [{"report_id": draft.id(), "version": sent.body["version"]}]}),
            )
        }
        "report results per person" => Call::get("/api/v1/reports/people?year=2022".into()),
        "rank units by score" => Call::get(format!(
            "/api/v1/reports/ranking?round_id={}",
            w.issued_round
        )),
        "report results per indicator" => Call::get(format!(
            "/api/v1/reports/indicators?round_id={}",
            w.issued_round
        )),
        "read cadre record in scope" => {
            Call::get(format!("/api/v1/cadres/{}/record", w.tnmt_head_cadre))
        }
        "report results" => Call::get(format!(
            "/api/v1/reports/results?round_id={}&group_by=unit",
            w.issued_round
        )),
        "export results" => Call::get(format!(
            "/api/v1/reports/export?format=xlsx&content=results&round_id={}",
            w.issued_round
        )),
        "publish round" => {
            let round = draft_round(app, w, 2022).await;
            draft_task(app, w, round, w.tnmt).await;
            issue(app, w, round).await;
            let path = format!("/api/v1/rounds/{round}");
            Call {
                etag: Some(etag_of(app, &w.sc, &path).await),
                ..Call::post(format!("{path}/publish"), json!({}))
            }
        }
        "read published results" => {
            let round = draft_round(app, w, 2022).await;
            draft_task(app, w, round, w.tnmt).await;
            issue(app, w, round).await;
            let path = format!("/api/v1/rounds/{round}");
            let etag = etag_of(app, &w.sc, &path).await;
            let res = app
                .post_if(&format!("{path}/publish"), &w.sc, &etag, json!({}))
                .await;
            assert_eq!(res.status, 200, "{res:?}");
            Call::get(format!("/api/v1/public/rounds/{round}/results"))
        }
        "list published rounds" => Call::get("/api/v1/public/rounds".into()),
        "correct publication"
        | "withdraw publication"
        | "list published versions"
        | "read published version" => {
            let round = draft_round(app, w, 2022).await;
            draft_task(app, w, round, w.tnmt).await;
            issue(app, w, round).await;
            let path = format!("/api/v1/rounds/{round}");
            let etag = etag_of(app, &w.sc, &path).await;
            let res = app
                .post_if(&format!("{path}/publish"), &w.sc, &etag, json!({}))
                .await;
            assert_eq!(res.status, 200, "{res:?}");
            let reason = json!({"reason": "Rà soát lại số liệu"});
            match row {
                "correct publication" => Call {
                    etag: Some(res.etag()),
                    ..Call::post(format!("{path}/publication/corrections"), reason)
                },
                "withdraw publication" => Call {
                    etag: Some(res.etag()),
                    ..Call::post(format!("{path}/publication/withdraw"), reason)
                },
                "list published versions" => {
                    Call::get(format!("/api/v1/public/rounds/{round}/versions"))
                }
                _ => Call::get(format!("/api/v1/public/rounds/{round}/versions/1")),
            }
        }
        "add evidence link" => Call::post(
            format!("/api/v1/assignments/{}/evidence", w.tnmt_assignment),
            json!({"kind": "link", "title": "Tin bài", "url": "https://vinhphuc.gov.vn/tin"}),
        ),
        "upload evidence file" => Call {
            file: Some(b"%PDF-1.7\nmatrix\n".to_vec()),
            ..Call::post(
                format!("/api/v1/assignments/{}/evidence/files", w.tnmt_assignment),
                json!({"title": "Biên bản"}),
            )
        },
        "list evidence in scope" => Call::get(format!(
            "/api/v1/assignments/{}/evidence",
            w.tnmt_assignment
        )),
        "read evidence out of scope" | "download evidence out of scope" => {
            let bx_head = app.token("head.hu-binhxuyen").await;
            let e = evidence_file(app, &bx_head, w.bx_assignment).await;
            match row {
                "read evidence out of scope" => Call::get(format!("/api/v1/evidence/{}", e.id())),
                _ => Call::get(format!("/api/v1/evidence/{}/content", e.id())),
            }
        }
        "read evidence in scope"
        | "download evidence in scope"
        | "retract evidence"
        | "mark evidence"
        | "list evidence marks"
        | "verify evidence integrity" => {
            let e = evidence_file(app, &w.staff, w.tnmt_assignment).await;
            let path = format!("/api/v1/evidence/{}", e.id());
            match row {
                "read evidence in scope" => Call::get(path),
                "download evidence in scope" => Call::get(format!("{path}/content")),
                "list evidence marks" => Call::get(format!("{path}/marks")),
                "verify evidence integrity" => {
                    Call::post(format!("{path}/verify-integrity"), json!({}))
                }
                "retract evidence" => Call {
                    etag: Some(e.etag()),
                    ..Call::post(format!("{path}/retract"), json!({"reason": "Nộp nhầm tệp"}))
                },
                _ => Call {
                    etag: Some(e.etag()),
                    ..Call::post(
                        format!("{path}/marks"),
                        json!({"mark": "verified", "comment": "Đã đối chiếu"}),
                    )
                },
            }
        }
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
    // The whole chain is checked by any audit reader; a checkpoint, which attests it all, is
    // made only with `audit_read` over a whole tree (not by a district's administrator).
    (
        "verify audit chain",
        [200, 200, 200, 403, 403, 403, 403, 403, 200],
    ),
    (
        "list audit checkpoints",
        [200, 200, 200, 403, 403, 403, 403, 403, 200],
    ),
    (
        "create audit checkpoint",
        [201, 201, 201, 403, 403, 403, 403, 403, 403],
    ),
    (
        "audit checkpoint key",
        [200, 200, 200, 403, 403, 403, 403, 403, 200],
    ),
    // Roles: admin, Standing Committee, Organisation Board, supervisor, head, staff, feed,
    // public, admin.bx. Administrators never see or touch assignments.
    ("list rounds", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    (
        "read issued round",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "create round",
        [403, 201, 201, 422, 422, 422, 403, 403, 422],
    ),
    (
        "round readiness",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    ("issue round", [404, 200, 403, 404, 404, 404, 404, 404, 404]),
    (
        "round decisions",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "list assignments",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "read assignment in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read assignment out of scope",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    (
        "assignment terms in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "list accountables in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "name accountables",
        [404, 200, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "assignment rollup in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "create assignment",
        [422, 201, 201, 422, 422, 422, 422, 422, 422],
    ),
    (
        "update draft assignment",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    (
        "withdraw assignment",
        [404, 200, 403, 403, 403, 403, 404, 404, 404],
    ),
    (
        "start assignment",
        [404, 403, 403, 403, 200, 403, 404, 404, 404],
    ),
    ("carry over", [404, 201, 201, 403, 403, 403, 404, 404, 404]),
    (
        "commitment terms in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "sign commitment",
        [404, 403, 403, 403, 201, 403, 404, 404, 404],
    ),
    (
        "list commitments",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "create delegation",
        [201, 403, 201, 403, 403, 403, 422, 422, 422],
    ),
    (
        "list delegations",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    ("write plan", [404, 403, 403, 403, 201, 201, 404, 404, 404]),
    (
        "approve plan",
        [404, 200, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "request amendment",
        [404, 403, 403, 403, 201, 403, 404, 404, 404],
    ),
    (
        "approve amendment",
        [404, 200, 403, 403, 403, 403, 404, 404, 404],
    ),
    (
        "update draft round",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    (
        "delete draft round",
        [404, 204, 204, 404, 404, 404, 404, 404, 404],
    ),
    ("close round", [404, 200, 403, 403, 403, 403, 404, 404, 404]),
    (
        "delete draft assignment",
        [404, 204, 204, 404, 404, 404, 404, 404, 404],
    ),
    (
        "read commitment in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read delegation",
        [200, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    ("read plan", [404, 200, 200, 200, 200, 200, 404, 404, 404]),
    ("submit plan", [404, 403, 403, 403, 200, 403, 404, 404, 404]),
    ("return plan", [404, 200, 200, 403, 403, 403, 404, 404, 404]),
    (
        "list amendments in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read amendment",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "reject amendment",
        [404, 200, 403, 403, 403, 403, 404, 404, 404],
    ),
    (
        "reporting schedule in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "list progress reports in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "write progress report",
        [404, 403, 403, 403, 201, 201, 404, 404, 404],
    ),
    (
        "read progress report",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "progress report revisions",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "submit progress report",
        [404, 403, 403, 403, 200, 403, 404, 404, 404],
    ),
    (
        "accept progress report",
        [404, 403, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "raise obstacle",
        [404, 403, 403, 403, 201, 201, 404, 404, 404],
    ),
    (
        "list obstacles in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read obstacle",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "respond to obstacle",
        [404, 200, 200, 200, 403, 403, 404, 404, 404],
    ),
    (
        "certify objective cause",
        [404, 200, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "record opinion",
        [404, 201, 201, 201, 403, 403, 404, 404, 404],
    ),
    (
        "list opinions in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "import observations",
        [403, 403, 403, 403, 403, 403, 200, 403, 403],
    ),
    (
        "list observations in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "list feed licences",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "grant feed licence",
        [201, 403, 403, 403, 403, 403, 403, 403, 422],
    ),
    (
        "draw spot check",
        [404, 201, 201, 403, 403, 403, 404, 404, 404],
    ),
    (
        "list spot checks",
        [404, 200, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "record spot-check finding",
        [404, 403, 201, 403, 403, 403, 404, 404, 404],
    ),
    (
        "list spot-check findings",
        [404, 200, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "read feed licence",
        [200, 404, 404, 404, 404, 404, 200, 404, 404],
    ),
    (
        "end feed licence",
        [200, 404, 404, 404, 404, 404, 403, 404, 404],
    ),
    (
        "list rule sets",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "create rule set",
        [403, 403, 201, 403, 403, 403, 403, 403, 403],
    ),
    (
        "enter past reports",
        [403, 403, 200, 403, 403, 403, 403, 403, 403],
    ),
    (
        "follow the event feed",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "list webhook subscriptions",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "subscribe to events (private target)",
        [422, 422, 422, 422, 422, 422, 422, 422, 422],
    ),
    (
        "read the head's webhook subscription",
        [200, 404, 404, 404, 200, 404, 404, 404, 404],
    ),
    (
        "read the head's webhook deliveries",
        [200, 404, 404, 404, 200, 404, 404, 404, 404],
    ),
    (
        "disable the head's webhook subscription",
        [200, 404, 404, 404, 200, 404, 404, 404, 404],
    ),
    (
        "rotate the head's webhook secret",
        [403, 404, 404, 404, 200, 404, 404, 404, 404],
    ),
    (
        "list person evaluations",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "preview person evaluation",
        [403, 200, 200, 403, 200, 403, 403, 403, 403],
    ),
    (
        "self-assess person",
        [403, 403, 403, 403, 201, 403, 403, 403, 403],
    ),
    (
        "read person evaluation",
        [404, 200, 200, 404, 200, 404, 404, 404, 404],
    ),
    (
        "self-assess person again",
        [404, 403, 403, 404, 200, 404, 404, 404, 404],
    ),
    (
        "appraise person",
        [404, 403, 200, 404, 403, 404, 404, 404, 404],
    ),
    (
        "return person evaluation",
        [404, 403, 200, 404, 403, 404, 404, 404, 404],
    ),
    (
        "decide person",
        [404, 200, 403, 404, 403, 404, 404, 404, 404],
    ),
    (
        "override person",
        [404, 403, 403, 404, 403, 404, 404, 404, 404],
    ),
    (
        "enter past evaluations",
        [403, 403, 200, 403, 403, 403, 403, 403, 403],
    ),
    (
        "read derived facts",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    ("self-assess", [404, 403, 403, 403, 201, 403, 404, 404, 404]),
    (
        "read evaluation",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "appraise evaluation",
        [404, 403, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "decide evaluation",
        [404, 200, 403, 403, 403, 403, 404, 404, 404],
    ),
    (
        "reopen evaluation record",
        [404, 403, 201, 403, 403, 403, 404, 404, 404],
    ),
    (
        "relock evaluation record",
        [404, 403, 200, 403, 403, 403, 404, 404, 404],
    ),
    (
        "list evaluation reopenings",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "record evaluation consequence",
        [404, 201, 201, 403, 403, 403, 404, 404, 404],
    ),
    (
        "list evaluation consequences",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read cadre record in scope",
        [403, 200, 200, 403, 200, 403, 404, 404, 404],
    ),
    (
        "report results",
        [403, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    (
        "report results per person",
        [403, 200, 200, 403, 403, 403, 403, 403, 403],
    ),
    (
        "rank units by score",
        [403, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    (
        "report results per indicator",
        [403, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    (
        "create assignments in one call",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    (
        "submit progress reports in one call",
        [403, 403, 403, 403, 200, 403, 403, 403, 403],
    ),
    (
        "accept progress reports in one call",
        [403, 403, 200, 403, 403, 403, 403, 403, 403],
    ),
    (
        "export results",
        [403, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    (
        "publish round",
        [404, 200, 403, 404, 404, 404, 404, 404, 404],
    ),
    (
        "read published results",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "list published rounds",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "correct publication",
        [404, 201, 403, 404, 404, 404, 404, 404, 404],
    ),
    (
        "withdraw publication",
        [404, 200, 403, 404, 404, 404, 404, 404, 404],
    ),
    (
        "list published versions",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "read published version",
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    (
        "add evidence link",
        [404, 403, 403, 403, 201, 201, 404, 404, 404],
    ),
    (
        "upload evidence file",
        [404, 403, 403, 403, 201, 201, 404, 404, 404],
    ),
    (
        "list evidence in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read evidence in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "read evidence out of scope",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    (
        "download evidence in scope",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "download evidence out of scope",
        [404, 200, 200, 404, 404, 404, 404, 404, 404],
    ),
    (
        "retract evidence",
        [404, 403, 403, 403, 200, 200, 404, 404, 404],
    ),
    (
        "mark evidence",
        [404, 403, 200, 200, 403, 403, 404, 404, 404],
    ),
    (
        "list evidence marks",
        [404, 200, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "verify evidence integrity",
        [404, 403, 200, 200, 200, 200, 404, 404, 404],
    ),
    (
        "log out everywhere",
        [204, 204, 204, 204, 204, 204, 204, 204, 204],
    ),
];

/// Rows whose success ends the sessions of an account the matrix holds tokens of (a role
/// granted to the TNMT head; a logout): every token is minted again after each of their calls.
const ENDS_SESSIONS: [&str; 2] = ["grant binding", "log out everywhere"];

/// Sends a prepared call: JSON, or a multipart upload when it carries a file.
async fn send(app: &TestApp, call: Call, token: &str, headers: &[(&str, &str)]) -> Res {
    match call.file {
        Some(file) => {
            let body = call.body.unwrap_or_default();
            let fields: Vec<(&str, &str)> = body
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()))
                .collect();
            app.upload(&call.path, token, ("tep.pdf", file), &fields, headers)
                .await
        }
        None => {
            app.send(call.method, &call.path, token, call.body, headers)
                .await
        }
    }
}

#[actix_web::test]
async fn authorization_matrix() {
    let app = TestApp::spawn().await;
    let mut w = world(&app).await;
    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push(app.token(role).await);
    }
    let mut failures = Vec::new();
    for (row, expected) in MATRIX {
        for (i, role) in ROLES.iter().enumerate() {
            let call = prepare(&app, &w, row).await;
            let etag = call.etag.clone();
            let headers: Vec<(&str, &str)> = etag
                .as_deref()
                .map(|e| vec![("If-Match", e)])
                .unwrap_or_default();
            let res = send(&app, call, &tokens[i], &headers).await;
            if ENDS_SESSIONS.contains(row) {
                for (token, role) in tokens.iter_mut().zip(ROLES) {
                    *token = app.token(role).await;
                }
                w.renew_tokens(&app).await;
            }
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
        let res = send(&app, call, "", &[]).await;
        // Published results are open to everyone.
        let public = row.starts_with("read published") || row.starts_with("list published");
        assert_eq!(res.status, if public { 200 } else { 401 }, "{row}: {res:?}");
    }
}
