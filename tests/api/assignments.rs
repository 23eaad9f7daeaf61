//! The seed's 2022 round end to end over HTTP: four groups with their rules, readiness
//! failures, issue, a commitment by every head (one with an Ed25519 signature), a head change
//! mid-year, an amendment, a plan, a cascade from a district to two communes with roll-up, and a
//! carry-over into 2023.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;

/// Id of the group of `year` with `code`.
pub async fn group(app: &TestApp, year: i32, code: &str) -> Uuid {
    use cadre_api::db::schema::org_groups;
    let mut conn = app.db().await;
    org_groups::table
        .filter(org_groups::year.eq(year).and(org_groups::code.eq(code)))
        .select(org_groups::id)
        .first(&mut conn)
        .await
        .unwrap()
}

/// Member units of a group, sorted.
async fn members(app: &TestApp, group: Uuid) -> Vec<Uuid> {
    use cadre_api::db::schema::org_group_members;
    let mut conn = app.db().await;
    org_group_members::table
        .filter(org_group_members::group_id.eq(group))
        .select(org_group_members::unit_id)
        .order(org_group_members::unit_id)
        .load(&mut conn)
        .await
        .unwrap()
}

/// Username of the account bound as head of `unit`.
async fn head_of(app: &TestApp, unit: Uuid) -> String {
    use cadre_api::db::schema::{accounts, role_bindings};
    let mut conn = app.db().await;
    role_bindings::table
        .inner_join(accounts::table)
        .filter(role_bindings::unit_id.eq(unit))
        .filter(role_bindings::role.eq("unit_head"))
        .select(accounts::username)
        .first(&mut conn)
        .await
        .unwrap_or_else(|_| panic!("no head account for {unit}"))
}

fn task(round: &Value, unit: Uuid, n: usize, area: &str) -> Value {
    json!({
        "round_id": round["id"], "assignee_unit_id": unit,
        "title": format!("Nhiệm vụ khó số {n}"),
        "content_area": area, "kind": "task",
        "product_description": "Sản phẩm cụ thể được nghiệm thu",
        "flags": ["hard"], "start_date": "2022-01-01", "end_date": "2022-12-31",
        "milestones": [{"title": "Sơ kết 6 tháng", "due_date": "2022-06-30"}],
    })
}

fn growth(round: &Value, unit: Uuid) -> Value {
    json!({
        "round_id": round["id"], "assignee_unit_id": unit,
        "title": "Tốc độ tăng giá trị sản xuất", "content_area": "socio_economic", "kind": "target",
        "growth_target": true, "start_date": "2022-01-01", "end_date": "2022-12-31",
        "target": {"unit_of_measure": "%", "shape": "range", "min": 8.0, "max": 9.5},
    })
}

async fn created(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/assignments", token, body).await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body
}

async fn sign(app: &TestApp, username: &str, round: &str, unit: Uuid) -> Res {
    let token = app.token(username).await;
    let terms = app
        .get(
            &format!("/api/v1/rounds/{round}/commitment-terms?assignee_unit_id={unit}"),
            &token,
        )
        .await;
    assert_eq!(terms.status, 200, "{terms:?}");
    app.post(
        &format!("/api/v1/rounds/{round}/commitments"),
        &token,
        json!({"assignee_unit_id": unit, "terms_hash": terms.body["terms_hash"]}),
    )
    .await
}

/// The 2022 round as the story's phases leave it: the province's round with its four groups'
/// rules and an assignment list for each of the 34 units of its 43 people (a district's
/// secretary and chair answer together).
struct World2022 {
    ob: String,
    sc: String,
    vp: Uuid,
    round: Value,
    rid: String,
    /// The ids of the four groups, in the order of their rules.
    groups: Vec<Uuid>,
    /// The 34 units addressed.
    units: Vec<Uuid>,
    tnmt: Uuid,
    bx: Uuid,
    mttq: Uuid,
    /// The department of natural resources' tasks, in the order they were created.
    tnmt_tasks: Vec<Value>,
    /// Bình Xuyên's admissions target, summed over its communes.
    bx_target: Value,
    /// The draft round's ETag.
    etag: String,
    /// The department of natural resources' commitment, once signed.
    commitment_id: Value,
}

impl World2022 {
    /// The department of natural resources' first task.
    fn a0(&self) -> String {
        self.tnmt_tasks[0]["id"].as_str().unwrap().to_string()
    }

    /// Its second task.
    fn a1(&self) -> String {
        self.tnmt_tasks[1]["id"].as_str().unwrap().to_string()
    }

    /// The Standing Committee issues the round.
    async fn issue(&self, app: &TestApp) -> Res {
        app.post_if(
            &format!("/api/v1/rounds/{}/issue", self.rid),
            &self.sc,
            &self.etag,
            json!({}),
        )
        .await
    }
}

/// The 2022 round drafted with its group rules and the 34 units' assignments, leaving three
/// units short of their group's rule.
async fn draft_2022(app: &TestApp) -> World2022 {
    let ob = app.token("bantochuc.1").await;
    let sc = app.token("thuongvu.1").await;
    let vp = app.unit("VP").await;
    let groups = [
        (
            group(app, 2022, "BAN-XAY-DUNG-DANG").await,
            json!({"min_tasks": 3, "max_tasks": 3}),
        ),
        (
            group(app, 2022, "MTTQ-DOAN-THE").await,
            json!({"min_tasks": 3, "max_tasks": 3,
            "required_content_areas": ["party_building", "government_building", "socio_economic"]}),
        ),
        (
            group(app, 2022, "SO-NGANH").await,
            json!({"min_tasks": 5, "max_tasks": 5}),
        ),
        (
            group(app, 2022, "HUYEN-THANH-DANG-UY").await,
            json!({"min_tasks": 4, "growth_target_required": true}),
        ),
    ];
    let rules: Vec<Value> = groups
        .iter()
        .map(|(id, r)| {
            let mut r = r.clone();
            r["group_id"] = json!(id);
            r
        })
        .collect();
    let round = app
        .post("/api/v1/rounds", &ob, json!({"assigning_unit_id": vp, "year": 2022,
            "title": "Giao chỉ tiêu, nhiệm vụ năm 2022 cho người đứng đầu", "decision_number": "15-QĐ/TU",
            "decision_date": "2022-01-20", "signer_title": "Bí thư Tỉnh ủy", "signer_name": "Hoàng Thị Thúy Lan",
            "group_rules": rules}))
        .await;
    assert_eq!(round.status, 201, "{round:?}");
    let round = round.body;
    let rid = round["id"].as_str().unwrap().to_string();

    // Plan the assignments, leaving three units short of their group's rule.
    let tnmt = app.unit("VP-SO-TNMT").await;
    let bx = app.unit("VP-HU-BX").await;
    let mttq = app.unit("VP-MTTQ").await;
    let mut units = Vec::new();
    let mut tnmt_tasks = Vec::new();
    let mut bx_target = Value::Null;
    for (g, _) in &groups {
        for unit in members(app, *g).await {
            units.push(unit);
            let (areas, count): (Vec<&str>, usize) = match groups.iter().position(|(id, _)| id == g)
            {
                Some(1) => (
                    vec!["party_building", "government_building", "socio_economic"],
                    3,
                ),
                Some(0) => (vec!["party_building"; 3], 3),
                Some(2) => (vec!["socio_economic"; 5], 5),
                _ => (vec!["party_building", "national_defence", "security"], 3),
            };
            for (n, area) in areas.iter().enumerate().take(count) {
                if (unit == tnmt && n == 4) || (unit == mttq && *area == "socio_economic") {
                    continue;
                }
                let body = created(app, &ob, task(&round, unit, n, area)).await;
                if unit == tnmt {
                    tnmt_tasks.push(body);
                }
            }
            if groups[3].0 == *g && unit != bx {
                created(app, &ob, growth(&round, unit)).await;
            }
            if unit == bx {
                bx_target = created(app, &ob, json!({
                    "round_id": rid, "assignee_unit_id": bx, "title": "Kết nạp đảng viên mới",
                    "content_area": "party_building", "kind": "target", "rollup": "sum",
                    "start_date": "2022-01-01", "end_date": "2022-12-31",
                    "target": {"unit_of_measure": "đảng viên", "shape": "at_least", "value": 180.0}})).await;
            }
        }
    }
    let etag = app.get(&format!("/api/v1/rounds/{rid}"), &sc).await.etag();
    World2022 {
        ob,
        sc,
        vp,
        round,
        rid,
        groups: groups.iter().map(|(id, _)| *id).collect(),
        units,
        tnmt,
        bx,
        mttq,
        tnmt_tasks,
        bx_target,
        etag,
        commitment_id: Value::Null,
    }
}

/// Adds what the three short units lack.
async fn fix_breaches(app: &TestApp, w: &mut World2022) {
    w.tnmt_tasks.push(
        created(app, &w.ob, {
            let mut t = task(&w.round, w.tnmt, 4, "socio_economic");
            t["title"] = json!("Hoàn thành giải phóng mặt bằng 2 dự án trọng điểm");
            t
        })
        .await,
    );
    created(app, &w.ob, task(&w.round, w.mttq, 9, "socio_economic")).await;
    created(app, &w.ob, growth(&w.round, w.bx)).await;
}

/// The 2022 round drafted, fixed to its rules and issued.
async fn round_2022(app: &TestApp) -> World2022 {
    let mut w = draft_2022(app).await;
    fix_breaches(app, &mut w).await;
    let issued = w.issue(app).await;
    assert_eq!(issued.status, 200, "{issued:?}");
    w
}

/// Each of `units`' heads signs the issued round; the department of natural resources'
/// commitment is kept when it is among them.
async fn sign_for(app: &TestApp, w: &mut World2022, units: &[Uuid]) {
    for unit in units {
        let res = sign(app, &head_of(app, *unit).await, &w.rid, *unit).await;
        assert_eq!(res.status, 201, "{unit}: {res:?}");
    }
    w.commitment_id = app
        .get(&format!("/api/v1/assignments/{}", w.a0()), &w.sc)
        .await
        .body["commitment_id"]
        .clone();
}

/// The issued 2022 round signed by every head.
async fn signed(app: &TestApp) -> World2022 {
    let mut w = round_2022(app).await;
    let units = w.units.clone();
    sign_for(app, &mut w, &units).await;
    w
}

/// The issued 2022 round signed by the two heads the later phases follow: the department of
/// natural resources and Bình Xuyên district (signing all 34 would only slow these tests).
async fn signed_by_tnmt_and_bx(app: &TestApp) -> World2022 {
    let mut w = round_2022(app).await;
    let units = [w.tnmt, w.bx];
    sign_for(app, &mut w, &units).await;
    w
}

/// The department's request to move its second task's deadline for an objective cause.
fn deadline_request() -> Value {
    json!({"kind": "deadline_change", "justification": "Vướng mắc do điều chỉnh quy hoạch (nguyên nhân khách quan)",
        "objective_cause": true, "end_date": "2023-06-30"})
}

/// The signed round after the Standing Committee moved the department's second deadline, which
/// invalidated the department's commitment.
async fn amended(app: &TestApp) -> World2022 {
    let w = signed_by_tnmt_and_bx(app).await;
    let head = app.token("head.so-tnmt").await;
    let amendment = app
        .post(
            &format!("/api/v1/assignments/{}/amendments", w.a1()),
            &head,
            deadline_request(),
        )
        .await;
    assert_eq!(amendment.status, 201, "{amendment:?}");
    let decided = app
        .post_if(
            &format!("/api/v1/amendments/{}/approve", amendment.id()),
            &w.sc,
            &amendment.etag(),
            json!({"comment": "Đồng ý"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    w
}

/// Bình Xuyên's Standing Committee (a new account) and its draft round for its communes:
/// the committee's token and the round.
async fn district_round(app: &TestApp, w: &World2022) -> (String, Res) {
    let admin = app.token("admin").await;
    let bx_sc = app
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"username": "thuongvu.bx", "display_name": "Ban Thường vụ Huyện ủy Bình Xuyên",
        "kind": "user", "secret": "Mat-khau-du-dai-2026", "home_unit_id": w.bx}),
        )
        .await;
    app.post(
        "/api/v1/role-bindings",
        &admin,
        json!({"account_id": bx_sc.id(), "role": "standing_committee", "unit_id": w.bx,
        "include_subtree": true, "valid_from": "2021-01-01"}),
    )
    .await;
    let bx_token = app.token("thuongvu.bx").await;
    let bx_round = app.post("/api/v1/rounds", &bx_token, json!({"assigning_unit_id": w.bx, "year": 2022,
        "title": "Giao chỉ tiêu cho các đảng bộ cơ sở", "decision_number": "05-QĐ/HU", "decision_date": "2022-02-15"})).await;
    assert_eq!(bx_round.status, 201, "{bx_round:?}");
    (bx_token, bx_round)
}

/// A commune's share of Bình Xuyên's admissions target, in `round`.
fn child(round: &Value, parent: &Value, commune: Uuid, value: f64, end: &str) -> Value {
    json!({
    "round_id": round, "assignee_unit_id": commune, "title": "Kết nạp đảng viên mới",
    "content_area": "party_building", "kind": "target", "parent_id": parent,
    "start_date": "2022-02-15", "end_date": end,
    "target": {"unit_of_measure": "đảng viên", "shape": "at_least", "value": value}})
}

/// The two communes of Bình Xuyên.
async fn communes(app: &TestApp) -> (Uuid, Uuid) {
    (
        app.unit("VP-HU-BX-XA-BH").await,
        app.unit("VP-HU-BX-XA-TK").await,
    )
}

/// The district splits its 180 admissions between its two communes (100 and 80) and issues.
async fn cascade(app: &TestApp, w: &World2022, bx_token: &str, bx_round: &Res) {
    let (bh, tk) = communes(app).await;
    let round = &bx_round.body["id"];
    let parent = &w.bx_target["id"];
    created(app, bx_token, child(round, parent, bh, 100.0, "2022-12-31")).await;
    created(app, bx_token, child(round, parent, tk, 80.0, "2022-12-31")).await;
    let bx_etag = app
        .get(&format!("/api/v1/rounds/{}", bx_round.id()), bx_token)
        .await
        .etag();
    let issued = app
        .post_if(
            &format!("/api/v1/rounds/{}/issue", bx_round.id()),
            bx_token,
            &bx_etag,
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");
}

/// The signed round with Bình Xuyên's cascade to its communes issued.
async fn cascaded(app: &TestApp) -> World2022 {
    let w = signed_by_tnmt_and_bx(app).await;
    let (bx_token, bx_round) = district_round(app, &w).await;
    cascade(app, &w, &bx_token, &bx_round).await;
    w
}

/// The province's draft round for 2023.
async fn round_2023(app: &TestApp, w: &World2022) -> Res {
    app.post(
        "/api/v1/rounds",
        &w.ob,
        json!({"assigning_unit_id": w.vp, "year": 2023, "title": "Giao nhiệm vụ năm 2023"}),
    )
    .await
}

#[actix_web::test]
async fn readiness_refuses_a_round_that_breaks_its_group_rules() {
    let app = TestApp::spawn().await;
    let w = draft_2022(&app).await;
    let (ob, sc, rid) = (&w.ob, &w.sc, &w.rid);
    // 34 units in the 4 groups of rules: 11 Party and Front bodies, 12 departments, 9 districts
    // (whose secretary and chair both answer, hence 43 people) and 2 blocs.
    assert_eq!(w.units.len(), 34, "34 units in 4 groups");

    // Readiness shows each broken rule; issuing is refused and changes nothing.
    let ready = app
        .get(&format!("/api/v1/rounds/{rid}/readiness"), ob)
        .await;
    assert_eq!(ready.status, 200, "{ready:?}");
    assert_eq!(ready.body["ready"], false);
    let breaches: Vec<(String, String)> = ready.body["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["unit_id"].as_str().unwrap().to_string(),
                b["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        breaches.contains(&(w.tnmt.to_string(), "too_few_tasks".into())),
        "{breaches:?}"
    );
    assert!(
        breaches.contains(&(w.mttq.to_string(), "missing_content_area".into())),
        "{breaches:?}"
    );
    assert!(
        breaches.contains(&(w.bx.to_string(), "missing_growth_target".into())),
        "{breaches:?}"
    );
    assert!(
        breaches.contains(&(w.mttq.to_string(), "too_few_tasks".into())),
        "{breaches:?}"
    );
    assert_eq!(breaches.len(), 4, "{breaches:?}");
    let refused = w.issue(&app).await;
    assert_problem(&refused, 422);
    assert_eq!(
        refused.body["errors"].as_array().unwrap().len(),
        4,
        "{refused:?}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/rounds/{rid}"), sc).await.body["state"],
        "draft"
    );
    // The Organisation Board drafts but cannot issue; an issue needs If-Match.
    assert_problem(
        &app.post_if(
            &format!("/api/v1/rounds/{rid}/issue"),
            ob,
            &w.etag,
            json!({}),
        )
        .await,
        403,
    );
    assert_problem(
        &app.post(&format!("/api/v1/rounds/{rid}/issue"), sc, json!({}))
            .await,
        428,
    );
}

#[actix_web::test]
async fn a_round_fixed_to_its_rules_is_ready_and_issues_a_decision_per_head() {
    let app = TestApp::spawn().await;
    let mut w = draft_2022(&app).await;
    fix_breaches(&app, &mut w).await;
    let (ob, sc, rid) = (&w.ob, &w.sc, &w.rid);
    let ready = app
        .get(&format!("/api/v1/rounds/{rid}/readiness"), ob)
        .await;
    assert_eq!(ready.body["ready"], true, "{ready:?}");
    assert_eq!(
        ready.body["assignment_count"],
        3 * 5 + 3 * 6 + 5 * 12 + 4 * 11 + 1
    );
    let issued = w.issue(&app).await;
    assert_eq!(issued.status, 200, "{issued:?}");
    assert_eq!(issued.body["state"], "issued");
    let decisions = app
        .get(&format!("/api/v1/rounds/{rid}/decisions?limit=200"), sc)
        .await;
    assert_eq!(decisions.body["items"].as_array().unwrap().len(), 34);
}

#[actix_web::test]
async fn issued_terms_are_frozen() {
    let app = TestApp::spawn().await;
    let w = round_2022(&app).await;
    let (ob, a0) = (&w.ob, w.a0());
    // Issued terms are frozen: edits are refused, the first version is listed.
    let a0_now = app.get(&format!("/api/v1/assignments/{a0}"), ob).await;
    assert_eq!(a0_now.body["state"], "issued");
    assert_eq!(a0_now.body["terms_version"], 1);
    assert_problem(
        &app.patch(
            &format!("/api/v1/assignments/{a0}"),
            ob,
            &a0_now.etag(),
            json!({"title": "Đổi"}),
        )
        .await,
        409,
    );
    let terms = app
        .get(&format!("/api/v1/assignments/{a0}/terms"), ob)
        .await;
    assert_eq!(terms.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn search_ignores_diacritics_and_filters_by_group() {
    let app = TestApp::spawn().await;
    let w = round_2022(&app).await;
    let (ob, rid) = (&w.ob, &w.rid);
    let found = app
        .get(
            &format!("/api/v1/assignments?round_id={rid}&q=giai%20phong%20mat%20bang"),
            ob,
        )
        .await;
    assert_eq!(
        found.body["items"].as_array().unwrap().len(),
        1,
        "{found:?}"
    );
    let in_group = app
        .get(
            &format!(
                "/api/v1/assignments?round_id={rid}&group_id={}&limit=200",
                w.groups[2]
            ),
            ob,
        )
        .await;
    assert_eq!(in_group.body["items"].as_array().unwrap().len(), 5 * 12);
}

#[actix_web::test]
async fn staff_and_other_heads_cannot_sign_and_stale_terms_are_refused() {
    let app = TestApp::spawn().await;
    let w = round_2022(&app).await;
    let (rid, tnmt) = (&w.rid, w.tnmt);
    // Staff cannot sign; another unit's head cannot even see the terms; a stale hash is refused.
    let staff = app.token("staff.so-tnmt.1").await;
    let terms = app
        .get(
            &format!("/api/v1/rounds/{rid}/commitment-terms?assignee_unit_id={tnmt}"),
            &staff,
        )
        .await;
    assert_eq!(terms.status, 200, "{terms:?}");
    let staff_sign = app
        .post(
            &format!("/api/v1/rounds/{rid}/commitments"),
            &staff,
            json!({"assignee_unit_id": tnmt, "terms_hash": terms.body["terms_hash"]}),
        )
        .await;
    assert_problem(&staff_sign, 403);
    let other = app.token("head.btc").await;
    assert_problem(
        &app.get(
            &format!("/api/v1/rounds/{rid}/commitment-terms?assignee_unit_id={tnmt}"),
            &other,
        )
        .await,
        404,
    );
    let stale = app
        .post(
            &format!("/api/v1/rounds/{rid}/commitments"),
            &app.token("head.so-tnmt").await,
            json!({"assignee_unit_id": tnmt, "terms_hash": "0".repeat(64)}),
        )
        .await;
    assert_problem(&stale, 409);
}

#[actix_web::test]
async fn a_head_signs_with_an_ed25519_signature_and_a_bad_one_is_refused() {
    let app = TestApp::spawn().await;
    let w = round_2022(&app).await;
    let rid = &w.rid;
    // One head signs digitally (Ed25519 over the canonical terms); a bad signature is refused.
    let other = app.token("head.btc").await;
    let btc = app.unit("VP-BTC").await;
    let terms = app
        .get(
            &format!("/api/v1/rounds/{rid}/commitment-terms?assignee_unit_id={btc}"),
            &other,
        )
        .await;
    use ed25519_dalek::pkcs8::EncodePublicKey;
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    let pem = key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    let canonical = terms.body["canonical"].as_str().unwrap();
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let bad = b64(&key.sign(b"something else").to_bytes());
    let refused = app
        .post(
            &format!("/api/v1/rounds/{rid}/commitments"),
            &other,
            json!({"assignee_unit_id": btc, "terms_hash": terms.body["terms_hash"],
               "signature": {"algorithm": "ed25519", "value": bad, "key_pem": pem}}),
        )
        .await;
    assert_problem(&refused, 422);
    let good = b64(&key.sign(canonical.as_bytes()).to_bytes());
    let signed = app
        .post(
            &format!("/api/v1/rounds/{rid}/commitments"),
            &other,
            json!({"assignee_unit_id": btc, "terms_hash": terms.body["terms_hash"],
               "signature": {"algorithm": "ed25519", "value": good, "key_pem": pem}}),
        )
        .await;
    assert_eq!(signed.status, 201, "{signed:?}");
    assert_eq!(signed.body["signature_check"], "valid");
}

#[actix_web::test]
async fn heads_sign_the_frozen_terms() {
    let app = TestApp::spawn().await;
    // Every head signs (each signature's 201 is checked as the world is built).
    let w = signed(&app).await;
    let committed = app
        .get(
            &format!(
                "/api/v1/assignments?round_id={}&state=committed&limit=200",
                w.rid
            ),
            &w.sc,
        )
        .await;
    assert_eq!(
        committed.body["items"].as_array().unwrap().len(),
        3 * 5 + 3 * 6 + 5 * 12 + 4 * 11 + 1,
        "every assignment committed"
    );
    assert!(w.commitment_id.is_string());
}

#[actix_web::test]
async fn a_plan_is_prepared_by_staff_submitted_by_the_head_returned_and_approved() {
    let app = TestApp::spawn().await;
    let w = signed_by_tnmt_and_bx(&app).await;
    let ob = &w.ob;
    let staff = app.token("staff.so-tnmt.1").await;
    // The head writes a plan; staff prepare, the head submits, the Board returns, then approves.
    let plan_url = format!("/api/v1/assignments/{}/plan", w.a0());
    let plan = app.send(reqwest::Method::PUT, &plan_url, &staff, Some(json!({
        "solutions": "Rà soát hồ sơ, phối hợp địa phương", "general_objective": "Hoàn thành đúng hạn",
        "specific_objectives": [{"description": "Hồ sơ hoàn chỉnh", "value": 100.0, "unit_of_measure": "%"}],
        "roadmap": [{"step": "Rà soát", "due_date": "2022-03-31"}, {"step": "Hoàn thành", "due_date": "2022-12-15"}]})), &[]).await;
    assert_eq!(plan.status, 201, "{plan:?}");
    assert_problem(
        &app.post_if(
            &format!("{plan_url}/submit"),
            &staff,
            &plan.etag(),
            json!({}),
        )
        .await,
        403,
    );
    let head = app.token("head.so-tnmt").await;
    let submitted = app
        .post_if(
            &format!("{plan_url}/submit"),
            &head,
            &plan.etag(),
            json!({}),
        )
        .await;
    assert_eq!(submitted.body["state"], "submitted", "{submitted:?}");
    let returned = app
        .post_if(
            &format!("{plan_url}/return"),
            ob,
            &submitted.etag(),
            json!({"comment": "Bổ sung lộ trình quý"}),
        )
        .await;
    assert_eq!(returned.body["state"], "returned", "{returned:?}");
    let resubmitted = app
        .post_if(
            &format!("{plan_url}/submit"),
            &head,
            &returned.etag(),
            json!({}),
        )
        .await;
    let approved = app
        .post_if(
            &format!("{plan_url}/approve"),
            ob,
            &resubmitted.etag(),
            json!({}),
        )
        .await;
    assert_eq!(approved.body["state"], "approved", "{approved:?}");
    assert_problem(
        &app.post_if(
            &format!("{plan_url}/approve"),
            &app.token("admin").await,
            &approved.etag(),
            json!({}),
        )
        .await,
        404,
    );
}

#[actix_web::test]
async fn work_starts_and_an_approved_deadline_amendment_invalidates_the_commitment() {
    let app = TestApp::spawn().await;
    let w = signed_by_tnmt_and_bx(&app).await;
    let (ob, sc, a0, a1) = (&w.ob, &w.sc, w.a0(), w.a1());
    let staff = app.token("staff.so-tnmt.1").await;
    let head = app.token("head.so-tnmt").await;
    // The head starts work; then asks to move a deadline, which the Standing Committee approves.
    let a0_now = app.get(&format!("/api/v1/assignments/{a0}"), &head).await;
    let started = app
        .post_if(
            &format!("/api/v1/assignments/{a0}/start"),
            &head,
            &a0_now.etag(),
            json!({}),
        )
        .await;
    assert_eq!(started.body["state"], "in_progress", "{started:?}");
    let request = deadline_request();
    assert_problem(
        &app.post(
            &format!("/api/v1/assignments/{a1}/amendments"),
            &staff,
            request.clone(),
        )
        .await,
        403,
    );
    let amendment = app
        .post(
            &format!("/api/v1/assignments/{a1}/amendments"),
            &head,
            request.clone(),
        )
        .await;
    assert_eq!(amendment.status, 201, "{amendment:?}");
    assert_problem(
        &app.post(
            &format!("/api/v1/assignments/{a1}/amendments"),
            &head,
            request,
        )
        .await,
        409,
    );
    let am = amendment.body["id"].as_str().unwrap().to_string();
    assert_problem(
        &app.post_if(
            &format!("/api/v1/amendments/{am}/approve"),
            ob,
            &amendment.etag(),
            json!({}),
        )
        .await,
        403,
    );
    let decided = app
        .post_if(
            &format!("/api/v1/amendments/{am}/approve"),
            sc,
            &amendment.etag(),
            json!({"comment": "Đồng ý"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    assert_eq!(decided.body["resulting_terms_version"], 2);
    let a1_now = app.get(&format!("/api/v1/assignments/{a1}"), &head).await;
    assert_eq!(a1_now.body["end_date"], "2023-06-30");
    assert_eq!(
        a1_now.body["state"], "issued",
        "the commitment must be signed again"
    );
    assert_eq!(a1_now.body["commitment_status"], "invalidated");
    let a0_now = app.get(&format!("/api/v1/assignments/{a0}"), &head).await;
    assert_eq!(a0_now.body["state"], "in_progress");
    assert_eq!(a0_now.body["commitment_status"], "invalidated");
    let versions = app
        .get(&format!("/api/v1/assignments/{a1}/terms"), &head)
        .await;
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 2);
    let old = app
        .get(
            &format!("/api/v1/commitments/{}", w.commitment_id.as_str().unwrap()),
            &head,
        )
        .await;
    assert_eq!(old.body["status"], "invalidated", "{old:?}");
}

#[actix_web::test]
async fn a_new_head_re_signs_after_the_old_one_retires() {
    let app = TestApp::spawn().await;
    let w = amended(&app).await;
    let (ob, sc, rid, tnmt, a1) = (&w.ob, &w.sc, &w.rid, w.tnmt, w.a1());
    // Mid-year the head retires; a new head is appointed and re-signs: the assignments stay.
    let posts = app
        .get(&format!("/api/v1/posts?unit_id={tnmt}&kind=head"), ob)
        .await;
    let post = posts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["valid_to"].is_null())
        .expect("a current head");
    let post_url = format!("/api/v1/posts/{}", post["id"].as_str().unwrap());
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    let ended = app
        .post_if(
            &format!("{post_url}/end"),
            ob,
            &app.get(&post_url, ob).await.etag(),
            json!({"valid_to": yesterday, "reason": "Nghỉ hưu theo chế độ"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{ended:?}");
    let old_head_again = sign(&app, "head.so-tnmt", rid, tnmt).await;
    assert_problem(&old_head_again, 403);
    let cadre = app
        .post(
            "/api/v1/cadres",
            ob,
            json!({"full_name": "Lê Thị Thu Hà", "managing_unit_id": tnmt}),
        )
        .await;
    let appointed = app
        .post(
            "/api/v1/posts",
            ob,
            json!({"cadre_id": cadre.id(), "unit_id": tnmt, "kind": "head",
        "title": "Giám đốc Sở Tài nguyên và Môi trường", "valid_from": today}),
        )
        .await;
    assert_eq!(appointed.status, 201, "{appointed:?}");
    let admin = app.token("admin").await;
    let account = app.post("/api/v1/accounts", &admin, json!({"username": "head.so-tnmt.moi", "display_name": "Lê Thị Thu Hà",
        "kind": "user", "secret": "Mat-khau-du-dai-2026", "home_unit_id": tnmt, "cadre_id": cadre.id()})).await;
    assert_eq!(account.status, 201, "{account:?}");
    let binding = app.post("/api/v1/role-bindings", &admin, json!({"account_id": account.id(), "role": "unit_head", "unit_id": tnmt, "valid_from": today})).await;
    assert_eq!(binding.status, 201, "{binding:?}");
    let mine = app
        .get(
            &format!("/api/v1/assignments?assignee_unit_id={tnmt}&round_id={rid}"),
            &app.token("head.so-tnmt.moi").await,
        )
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 5, "{mine:?}");
    let resigned = sign(&app, "head.so-tnmt.moi", rid, tnmt).await;
    assert_eq!(resigned.status, 201, "{resigned:?}");
    assert_eq!(resigned.body["signer_cadre_id"], json!(cadre.id()));
    let a1_now = app.get(&format!("/api/v1/assignments/{a1}"), sc).await;
    assert_eq!(a1_now.body["state"], "committed");
    assert_eq!(a1_now.body["commitment_status"], "valid");
}

#[actix_web::test]
async fn a_district_cascades_its_target_to_two_communes_and_rolls_up() {
    let app = TestApp::spawn().await;
    let w = signed_by_tnmt_and_bx(&app).await;
    // Cascade: Bình Xuyên splits its 180 admissions between two communes, then rolls up.
    let (bx_token, bx_round) = district_round(&app, &w).await;
    let parent = w.bx_target["id"].clone();
    let (bh, _) = communes(&app).await;
    assert_problem(
        &app.post(
            "/api/v1/assignments",
            &bx_token,
            child(&bx_round.body["id"], &parent, bh, 100.0, "2023-03-31"),
        )
        .await,
        422,
    );
    // Only the unit the parent was given to cascades it: not the province in its own round.
    let r2023 = round_2023(&app, &w).await;
    let wrong = child(&r2023.body["id"], &parent, bh, 100.0, "2022-12-31");
    let refused = app.post("/api/v1/assignments", &w.ob, wrong).await;
    assert_problem(&refused, 422);
    assert_eq!(
        refused.body["errors"][0]["code"],
        "not_assigned_to_round_unit"
    );
    cascade(&app, &w, &bx_token, &bx_round).await;
    let rollup = app
        .get(
            &format!("/api/v1/assignments/{}/rollup", parent.as_str().unwrap()),
            &w.sc,
        )
        .await;
    assert_eq!(rollup.status, 200, "{rollup:?}");
    assert_eq!(rollup.body["method"], "sum");
    assert_eq!(rollup.body["children_target_value"], 180.0);
    assert_eq!(rollup.body["children_cover_target"], true);
    assert_eq!(rollup.body["children"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn the_localities_supervisor_sees_a_district_cascade_and_the_departments_one_does_not() {
    let app = TestApp::spawn().await;
    let w = cascaded(&app).await;
    let children = format!(
        "/api/v1/assignments?parent_id={}",
        w.bx_target["id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&children, &app.token("giamsat.1").await).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get(&children, &app.token("giamsat.2").await).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[actix_web::test]
async fn an_unfinished_assignment_is_carried_over_into_2023_once() {
    let app = TestApp::spawn().await;
    let w = signed_by_tnmt_and_bx(&app).await;
    let (ob, a1) = (&w.ob, w.a1());
    let r2023 = round_2023(&app, &w).await;
    assert_eq!(r2023.status, 201, "{r2023:?}");
    // Carry-over into 2023: linked to the original, flagged, once only.
    let carry = json!({"round_id": r2023.body["id"]});
    let carried = app
        .post(
            &format!("/api/v1/assignments/{a1}/carry-over"),
            ob,
            carry.clone(),
        )
        .await;
    assert_eq!(carried.status, 201, "{carried:?}");
    assert_eq!(carried.body["carried_from_id"], json!(a1));
    assert_eq!(carried.body["state"], "draft");
    assert!(carried.body["flags"]
        .as_array()
        .unwrap()
        .contains(&json!("carried_over")));
    assert_eq!(carried.body["start_date"], "2023-01-01");
    assert_eq!(carried.body["end_date"], "2023-12-31");
    assert_problem(
        &app.post(&format!("/api/v1/assignments/{a1}/carry-over"), ob, carry)
            .await,
        409,
    );
    let original = app.get(&format!("/api/v1/assignments/{a1}"), &w.sc).await;
    assert_eq!(original.body["state"], "committed");
}

#[actix_web::test]
async fn both_issues_of_the_province_and_the_district_are_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let w = cascaded(&app).await;
    let trail = app
        .get("/api/v1/audit-events?action=round.issue", &w.sc)
        .await;
    assert_eq!(
        trail.body["items"].as_array().unwrap().len(),
        2,
        "{trail:?}"
    );
}

#[actix_web::test]
async fn bad_assignment_input_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let ob = app.token("bantochuc.1").await;
    let vp = app.unit("VP").await;
    let tnmt = app.unit("VP-SO-TNMT").await;
    let round = app
        .post(
            "/api/v1/rounds",
            &ob,
            json!({"assigning_unit_id": vp, "year": 2024, "title": "Đợt thử"}),
        )
        .await;
    assert_eq!(round.status, 201, "{round:?}");
    let base = json!({"round_id": round.body["id"], "assignee_unit_id": tnmt, "title": "Chỉ tiêu",
        "content_area": "socio_economic", "kind": "target", "start_date": "2024-01-01", "end_date": "2024-12-31",
        "target": {"unit_of_measure": "%", "shape": "range", "min": 9.5, "max": 8.0}});
    let cases: Vec<(Value, &str)> = vec![
        (base.clone(), "target.max"),
        (
            {
                let mut b = base.clone();
                b["kind"] = json!("task");
                b
            },
            "target",
        ),
        (
            {
                let mut b = base.clone();
                b["end_date"] = json!("2023-12-31");
                b["target"] = json!({"unit_of_measure": "%", "shape": "at_most", "value": 1.04});
                b
            },
            "end_date",
        ),
        (
            {
                let mut b = base.clone();
                b["assignee_unit_id"] = json!(vp);
                b["target"] = json!({"unit_of_measure": "%", "shape": "at_most", "value": 1.04});
                b
            },
            "assignee_unit_id",
        ),
        (
            {
                let mut b = base.clone();
                b["target"] = json!({"shape": "at_least", "value": 12.0});
                b
            },
            "target.unit_of_measure",
        ),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/assignments", &ob, body).await;
        assert_problem(&res, 422);
        assert!(
            res.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {res:?}"
        );
    }
    let listed = app
        .get(
            &format!(
                "/api/v1/assignments?round_id={}",
                round.body["id"].as_str().unwrap()
            ),
            &ob,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
    // Unknown shapes and fields are refused by the contract.
    let mut odd = base.clone();
    odd["target"] = json!({"unit_of_measure": "%", "shape": "roughly", "value": 1.0});
    assert_problem(&app.post("/api/v1/assignments", &ob, odd).await, 422);
    let mut extra = base;
    extra["status"] = json!("issued");
    assert_problem(&app.post("/api/v1/assignments", &ob, extra).await, 422);
}

#[actix_web::test]
async fn an_override_is_recorded_and_a_delegate_signs_for_the_head() {
    let app = TestApp::spawn().await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let (vp, tnmt) = (app.unit("VP").await, app.unit("VP-SO-TNMT").await);
    let departments = group(&app, 2022, "SO-NGANH").await;
    let round = app
        .post(
            "/api/v1/rounds",
            &ob,
            json!({"assigning_unit_id": vp, "year": 2022, "title": "Đợt bổ sung",
            "decision_number": "20-QĐ/TU", "decision_date": "2022-03-01",
            "group_rules": [{"group_id": departments, "min_tasks": 1}]}),
        )
        .await;
    assert_eq!(round.status, 201, "{round:?}");
    let target = created(
        &app,
        &ob,
        json!({"round_id": round.body["id"], "assignee_unit_id": tnmt,
        "title": "Giảm tỷ lệ hộ nghèo", "content_area": "socio_economic", "kind": "target",
        "start_date": "2022-01-01", "end_date": "2022-12-31",
        "target": {"unit_of_measure": "%", "shape": "at_most", "value": 1.04, "baseline": 1.5}}),
    )
    .await;
    let url = format!("/api/v1/rounds/{}", round.id());
    // 11 departments have no task: issuing needs a written reason, which is kept with the list.
    let issued = app
        .post_if(
            &format!("{url}/issue"),
            &sc,
            &round.etag(),
            json!({"override_reason": "Các sở còn lại được giao trong quyết định số 15-QĐ/TU"}),
        )
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");
    assert_eq!(
        issued.body["override_breaches"].as_array().unwrap().len(),
        11
    );
    assert!(issued.body["override_reason"].is_string());

    // A deputy with a head's binding but no head post cannot sign until a delegation is recorded.
    let admin = app.token("admin").await;
    let cadre = app
        .post(
            "/api/v1/cadres",
            &ob,
            json!({"full_name": "Nguyễn Văn Phó", "managing_unit_id": tnmt}),
        )
        .await;
    let account = app.post("/api/v1/accounts", &admin, json!({"username": "pho.so-tnmt", "display_name": "Phó Giám đốc",
        "kind": "user", "secret": "Mat-khau-du-dai-2026", "home_unit_id": tnmt, "cadre_id": cadre.id()})).await;
    assert_eq!(account.status, 201, "{account:?}");
    app.post(
        "/api/v1/role-bindings",
        &admin,
        json!({"account_id": account.id(), "role": "unit_head", "unit_id": tnmt,
        "valid_from": "2022-01-01"}),
    )
    .await;
    let refused = sign(&app, "pho.so-tnmt", &round.id().to_string(), tnmt).await;
    assert_problem(&refused, 403);
    let today = chrono::Utc::now().date_naive().to_string();
    let delegation = app.post("/api/v1/signing-delegations", &ob, json!({"unit_id": tnmt, "cadre_id": cadre.id(),
        "valid_from": today, "decision_ref": "12-QĐ/STNMT", "reason": "Giám đốc đi công tác dài ngày"})).await;
    assert_eq!(delegation.status, 201, "{delegation:?}");
    let signed = sign(&app, "pho.so-tnmt", &round.id().to_string(), tnmt).await;
    assert_eq!(signed.status, 201, "{signed:?}");
    assert_eq!(signed.body["delegation_id"], json!(delegation.id()));
    assert!(signed.body["signer_post_id"].is_null());

    // A target change and a withdrawal go through amendments; a rejection changes nothing.
    let head = app.token("head.so-tnmt").await;
    let id = target["id"].as_str().unwrap();
    let change = app
        .post(
            &format!("/api/v1/assignments/{id}/amendments"),
            &head,
            json!({"kind": "target_change",
        "justification": "Tiêu chí hộ nghèo mới của Trung ương", "objective_cause": true,
        "target": {"unit_of_measure": "%", "shape": "at_most", "value": 1.2, "baseline": 1.5}}),
        )
        .await;
    assert_eq!(change.status, 201, "{change:?}");
    let url = format!("/api/v1/amendments/{}", change.id());
    assert_problem(
        &app.post_if(&format!("{url}/reject"), &sc, &change.etag(), json!({}))
            .await,
        422,
    );
    let rejected = app
        .post_if(
            &format!("{url}/reject"),
            &sc,
            &change.etag(),
            json!({"comment": "Giữ nguyên chỉ tiêu"}),
        )
        .await;
    assert_eq!(rejected.body["state"], "rejected", "{rejected:?}");
    assert_problem(
        &app.post_if(&format!("{url}/approve"), &sc, &rejected.etag(), json!({}))
            .await,
        409,
    );
    let still = app.get(&format!("/api/v1/assignments/{id}"), &head).await;
    assert_eq!(still.body["target"]["value"], 1.04);
    assert_eq!(still.body["commitment_status"], "valid");
    let withdrawal = app
        .post(
            &format!("/api/v1/assignments/{id}/amendments"),
            &head,
            json!({"kind": "withdrawal",
        "justification": "Nhiệm vụ đã chuyển cho Sở Lao động - Thương binh và Xã hội"}),
        )
        .await;
    let approved = app
        .post_if(
            &format!("/api/v1/amendments/{}/approve", withdrawal.id()),
            &sc,
            &withdrawal.etag(),
            json!({}),
        )
        .await;
    assert_eq!(approved.status, 200, "{approved:?}");
    let gone = app.get(&format!("/api/v1/assignments/{id}"), &head).await;
    assert_eq!(gone.body["state"], "withdrawn");
    assert_eq!(gone.body["terms_version"], 2);
}
