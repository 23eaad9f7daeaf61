//! Levels, units, the tree as of a date, moves, closing, merges and splits.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;

async fn create_unit(
    app: &TestApp,
    token: &str,
    code: &str,
    level: &str,
    parent: Option<Uuid>,
    from: &str,
) -> Uuid {
    let body = json!({"code": code, "name": format!("Đơn vị {code}"), "unit_type": "commune_party_committee",
        "level_id": app.level(level).await, "parent_id": parent, "valid_from": from});
    let res = app.post("/api/v1/org-units", token, body).await;
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

fn codes(subtree: &Value) -> Vec<String> {
    subtree["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["unit"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn levels_are_data_with_optimistic_concurrency() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let list = app.get("/api/v1/levels", &admin).await;
    assert_eq!(list.status, 200);
    let ranks: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rank"].as_i64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");

    let created = app.post("/api/v1/levels", &admin, json!({"code": "hamlet", "name_vi": "Thôn, tổ dân phố", "name_en": "Hamlet", "rank": 9})).await;
    assert_eq!(created.status, 201, "{created:?}");
    let url = created
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let dup = app
        .post(
            "/api/v1/levels",
            &admin,
            json!({"code": "hamlet2", "name_vi": "x", "name_en": "x", "rank": 9}),
        )
        .await;
    assert_problem(&dup, 409);

    let etag = created.etag();
    let no_if_match = app
        .send(
            reqwest::Method::PATCH,
            &url,
            &admin,
            Some(json!({"name_en": "Village"})),
            &[],
        )
        .await;
    assert_problem(&no_if_match, 428);
    let updated = app
        .patch(&url, &admin, &etag, json!({"name_en": "Village"}))
        .await;
    assert_eq!(updated.status, 200, "{updated:?}");
    assert_ne!(updated.etag(), etag);
    let stale = app
        .patch(&url, &admin, &etag, json!({"name_en": "Hamlet"}))
        .await;
    assert_problem(&stale, 412);
    assert_eq!(app.get(&url, &admin).await.body["name_en"], "Village");

    // Only a tree-wide administrator manages levels.
    let head = app.token("head.so-tnmt").await;
    assert_problem(
        &app.post(
            "/api/v1/levels",
            &head,
            json!({"code": "x", "name_vi": "x", "name_en": "x", "rank": 10}),
        )
        .await,
        403,
    );

    // A level in use cannot be deleted; an unused one can.
    let province = app.level("province").await;
    let level = app.get(&format!("/api/v1/levels/{province}"), &admin).await;
    assert_problem(
        &app.delete(&format!("/api/v1/levels/{province}"), &admin, &level.etag())
            .await,
        409,
    );
    let current = app.get(&url, &admin).await;
    assert_eq!(app.delete(&url, &admin, &current.etag()).await.status, 204);
    assert_problem(&app.get(&url, &admin).await, 404);
}

#[actix_web::test]
async fn units_crud_with_rules_and_audit() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let vp = app.unit("VP").await;
    let before = app.audit_count().await;
    let id = create_unit(
        &app,
        &admin,
        "VP-TEST-1",
        "district",
        Some(vp),
        "2024-01-01",
    )
    .await;
    assert_eq!(app.audit_count().await, before + 1);
    let unit = app.get(&format!("/api/v1/org-units/{id}"), &admin).await;
    assert_eq!(unit.body["parent_id"], vp.to_string());
    assert_eq!(unit.body["level_code"], "district");

    // Same code while the first is valid: conflict.
    let dup = app
        .post(
            "/api/v1/org-units",
            &admin,
            json!({"code": "VP-TEST-1", "name": "x", "unit_type": "other",
        "level_id": app.level("district").await, "parent_id": vp}),
        )
        .await;
    assert_problem(&dup, 409);
    // A child cannot rank above its parent, nor start before its parent exists.
    let bad = app
        .post(
            "/api/v1/org-units",
            &admin,
            json!({"code": "VP-TEST-2", "name": "x", "unit_type": "other",
        "level_id": app.level("province").await, "parent_id": id, "valid_from": "2020-01-01"}),
        )
        .await;
    assert_problem(&bad, 422);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["parent_not_valid", "level_above_parent"]);
    // Unknown parent.
    let orphan = app
        .post(
            "/api/v1/org-units",
            &admin,
            json!({"code": "VP-TEST-3", "name": "x", "unit_type": "other",
        "level_id": app.level("commune").await, "parent_id": Uuid::now_v7()}),
        )
        .await;
    assert_problem(&orphan, 422);

    let renamed = app
        .patch(
            &format!("/api/v1/org-units/{id}"),
            &admin,
            &unit.etag(),
            json!({"name": "Huyện ủy Thử nghiệm"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    assert_eq!(renamed.body["name"], "Huyện ủy Thử nghiệm");
    assert_eq!(renamed.body["version"], 2);

    // A unit with children cannot be deleted; a leaf can.
    let child = create_unit(
        &app,
        &admin,
        "VP-TEST-1-A",
        "commune",
        Some(id),
        "2024-01-01",
    )
    .await;
    assert_problem(
        &app.delete(&format!("/api/v1/org-units/{id}"), &admin, &renamed.etag())
            .await,
        409,
    );
    let leaf = app.get(&format!("/api/v1/org-units/{child}"), &admin).await;
    assert_eq!(
        app.delete(&format!("/api/v1/org-units/{child}"), &admin, &leaf.etag())
            .await
            .status,
        204
    );
}

#[actix_web::test]
async fn lists_paginate_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let all = app.get("/api/v1/org-units?limit=200", &admin).await;
    let total = all.body["items"].as_array().unwrap().len();
    assert!(total > 20, "demo has units: {total}");
    let mut seen = Vec::new();
    let mut url = "/api/v1/org-units?limit=7".to_string();
    loop {
        let page = app.get(&url, &admin).await;
        assert_eq!(page.status, 200, "{page:?}");
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 7);
        seen.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_string()));
        match page.body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/org-units?limit=7&cursor={c}"),
            None => break,
        }
    }
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(seen.len(), total);
    assert_eq!(dedup.len(), total);

    let filtered = app
        .get(
            "/api/v1/org-units?unit_type=provincial_party_committee",
            &admin,
        )
        .await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
    let districts = app
        .get("/api/v1/org-units?level=district&limit=200", &admin)
        .await;
    assert!(districts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["level_code"] == "district"));
    let by_name = app
        .get("/api/v1/org-units?q=b%C3%ACnh%20xuy%C3%AAn", &admin)
        .await;
    assert!(
        !by_name.body["items"].as_array().unwrap().is_empty(),
        "{by_name:?}"
    );
}

/// The two-tier reform of 1 July 2025: communes merge into a new commune directly under the
/// province, the district is abolished, and the tree as of earlier dates is unchanged.
#[actix_web::test]
async fn merge_for_the_two_tier_reform_keeps_history() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let vp = app.unit("VP").await;
    let district = create_unit(&app, &admin, "VP-HU-X", "district", Some(vp), "2021-01-01").await;
    let c1 = create_unit(
        &app,
        &admin,
        "VP-HU-X-XA-1",
        "commune",
        Some(district),
        "2021-01-01",
    )
    .await;
    let c2 = create_unit(
        &app,
        &admin,
        "VP-HU-X-XA-2",
        "commune",
        Some(district),
        "2021-01-01",
    )
    .await;
    let cell = create_unit(
        &app,
        &admin,
        "VP-HU-X-XA-1-CB",
        "grassroots",
        Some(c1),
        "2021-01-01",
    )
    .await;

    // Closing the district while communes remain is refused.
    let d = app
        .get(&format!("/api/v1/org-units/{district}"), &admin)
        .await;
    let refused = app
        .post_if(
            &format!("/api/v1/org-units/{district}/close"),
            &admin,
            &d.etag(),
            json!({"valid_to": "2025-06-30", "reason": "Nghị quyết 1687/NQ-UBTVQH15"}),
        )
        .await;
    assert_problem(&refused, 409);

    let merge = json!({
        "effective_date": "2025-07-01",
        "decision_ref": "Nghị quyết số 1687/NQ-UBTVQH15",
        "predecessor_ids": [c1, c2],
        "successor": {"code": "VP-XA-MOI", "name": "Đảng ủy xã Mới", "unit_type": "commune_party_committee",
            "level_id": app.level("commune").await, "parent_id": vp}
    });
    let res = app
        .post("/api/v1/restructurings/merge", &admin, merge.clone())
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    let successor: Uuid = res.body["successor_ids"][0]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(res.body["moved_children"][0]["unit_id"], cell.to_string());
    // Doing it again is refused: the predecessors are closed.
    assert_problem(
        &app.post("/api/v1/restructurings/merge", &admin, merge)
            .await,
        422,
    );

    let d = app
        .get(&format!("/api/v1/org-units/{district}"), &admin)
        .await;
    let closed = app
        .post_if(
            &format!("/api/v1/org-units/{district}/close"),
            &admin,
            &d.etag(),
            json!({"valid_to": "2025-06-30", "reason": "Kết thúc hoạt động cấp huyện"}),
        )
        .await;
    assert_eq!(closed.status, 200, "{closed:?}");
    assert_eq!(closed.body["valid_to"], "2025-06-30");

    let before = app
        .get(
            &format!("/api/v1/org-units/{vp}/subtree?as_of=2025-06-30"),
            &admin,
        )
        .await;
    let before = codes(&before.body);
    for code in ["VP-HU-X", "VP-HU-X-XA-1", "VP-HU-X-XA-2", "VP-HU-X-XA-1-CB"] {
        assert!(
            before.contains(&code.to_string()),
            "{code} missing before the reform: {before:?}"
        );
    }
    assert!(!before.contains(&"VP-XA-MOI".to_string()));
    let after = app
        .get(
            &format!("/api/v1/org-units/{vp}/subtree?as_of=2025-07-01"),
            &admin,
        )
        .await;
    let entries = after.body["items"].as_array().unwrap();
    let find = |code: &str| entries.iter().find(|e| e["unit"]["code"] == code).cloned();
    assert!(find("VP-HU-X").is_none() && find("VP-HU-X-XA-1").is_none());
    assert_eq!(find("VP-XA-MOI").unwrap()["depth"], 1);
    let moved = find("VP-HU-X-XA-1-CB").unwrap();
    assert_eq!(moved["depth"], 2);
    assert_eq!(moved["unit"]["parent_id"], successor.to_string());

    let history = app
        .get(&format!("/api/v1/org-units/{successor}/history"), &admin)
        .await;
    let preds: Vec<&str> = history.body["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["unit_id"].as_str().unwrap())
        .collect();
    assert!(preds.contains(&c1.to_string().as_str()) && preds.contains(&c2.to_string().as_str()));
    let cell_history = app
        .get(&format!("/api/v1/org-units/{cell}/history"), &admin)
        .await;
    let links = cell_history.body["parents"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0]["valid_to"], "2025-06-30");
    assert_eq!(links[1]["valid_from"], "2025-07-01");
    // The closed commune is still readable, as it was.
    let old = app
        .get(&format!("/api/v1/org-units/{c1}?as_of=2024-01-01"), &admin)
        .await;
    assert_eq!(old.body["parent_id"], district.to_string());
    assert_eq!(old.body["valid_to"], "2025-06-30");
    let listed = app
        .get(&format!("/api/v1/restructurings?unit_id={c1}"), &admin)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let one = app
        .get(&format!("/api/v1/restructurings/{}", res.id()), &admin)
        .await;
    assert_eq!(one.body["kind"], "merge");
}

#[actix_web::test]
async fn split_needs_every_child_assigned() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let vp = app.unit("VP").await;
    let big = create_unit(&app, &admin, "VP-XA-LON", "commune", Some(vp), "2021-01-01").await;
    let cell_a = create_unit(
        &app,
        &admin,
        "VP-XA-LON-CB1",
        "grassroots",
        Some(big),
        "2021-01-01",
    )
    .await;
    let cell_b = create_unit(
        &app,
        &admin,
        "VP-XA-LON-CB2",
        "grassroots",
        Some(big),
        "2021-01-01",
    )
    .await;
    let commune = app.level("commune").await;
    let successor = |code: &str| json!({"code": code, "name": format!("Đảng ủy {code}"), "unit_type": "commune_party_committee", "level_id": commune, "parent_id": vp});
    let mut body = json!({"effective_date": "2026-01-01", "predecessor_id": big,
        "successors": [successor("VP-XA-DONG"), successor("VP-XA-TAY")],
        "child_assignments": {cell_a.to_string(): "VP-XA-DONG"}});
    let missing = app
        .post("/api/v1/restructurings/split", &admin, body.clone())
        .await;
    assert_problem(&missing, 422);
    assert_eq!(missing.body["errors"][0]["code"], "child_not_assigned");
    assert_eq!(
        missing.body["errors"][0]["field"],
        format!("child_assignments.{cell_b}")
    );
    body["child_assignments"][cell_b.to_string()] = json!("VP-XA-TAY");
    let done = app.post("/api/v1/restructurings/split", &admin, body).await;
    assert_eq!(done.status, 201, "{done:?}");
    assert_eq!(done.body["successor_ids"].as_array().unwrap().len(), 2);
    let cell = app
        .get(&format!("/api/v1/org-units/{cell_b}"), &admin)
        .await;
    let tay = app.get("/api/v1/org-units?code=VP-XA-TAY", &admin).await;
    assert_eq!(cell.body["parent_id"], tay.body["items"][0]["id"]);
}

#[actix_web::test]
async fn move_is_effective_dated() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let vp = app.unit("VP").await;
    let a = create_unit(&app, &admin, "VP-XA-A", "commune", Some(vp), "2021-01-01").await;
    let b = create_unit(&app, &admin, "VP-XA-B", "commune", Some(vp), "2021-01-01").await;
    let cell = create_unit(
        &app,
        &admin,
        "VP-XA-A-CB",
        "grassroots",
        Some(a),
        "2021-01-01",
    )
    .await;
    let current = app.get(&format!("/api/v1/org-units/{cell}"), &admin).await;
    let moved = app
        .post_if(
            &format!("/api/v1/org-units/{cell}/move"),
            &admin,
            &current.etag(),
            json!({"parent_id": b, "effective_date": "2024-01-01"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{moved:?}");
    let then = app
        .get(
            &format!("/api/v1/org-units/{cell}?as_of=2023-12-31"),
            &admin,
        )
        .await;
    assert_eq!(then.body["parent_id"], a.to_string());
    let now = app.get(&format!("/api/v1/org-units/{cell}"), &admin).await;
    assert_eq!(now.body["parent_id"], b.to_string());
    // A stale ETag is refused; moving a unit under its own descendant is refused.
    let stale = app
        .post_if(
            &format!("/api/v1/org-units/{cell}/move"),
            &admin,
            &current.etag(),
            json!({"parent_id": a, "effective_date": "2024-06-01"}),
        )
        .await;
    assert_problem(&stale, 412);
    let b_now = app.get(&format!("/api/v1/org-units/{b}"), &admin).await;
    let cycle = app
        .post_if(
            &format!("/api/v1/org-units/{b}/move"),
            &admin,
            &b_now.etag(),
            json!({"parent_id": cell, "effective_date": "2024-06-01"}),
        )
        .await;
    assert_problem(&cycle, 422);
}

#[actix_web::test]
async fn a_subtree_admin_is_confined_to_its_subtree() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let vp = app.unit("VP").await;
    let mine = create_unit(
        &app,
        &admin,
        "VP-HU-MINE",
        "district",
        Some(vp),
        "2021-01-01",
    )
    .await;
    let other = create_unit(
        &app,
        &admin,
        "VP-HU-OTHER",
        "district",
        Some(vp),
        "2021-01-01",
    )
    .await;
    {
        use cadre_api::db::schema::role_bindings;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let account: Uuid = app.get("/api/v1/me", &app.token("portal").await).await.body["account"]
            ["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        diesel::insert_into(role_bindings::table)
            .values((
                role_bindings::id.eq(Uuid::now_v7()),
                role_bindings::account_id.eq(account),
                role_bindings::role.eq("admin"),
                role_bindings::unit_id.eq(mine),
                role_bindings::include_subtree.eq(true),
                role_bindings::valid_from.eq(chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()),
            ))
            .execute(&mut app.db().await)
            .await
            .unwrap();
    }
    let local = app.token("portal").await;
    let commune = app.level("commune").await;
    let inside = app.post("/api/v1/org-units", &local, json!({"code": "VP-HU-MINE-1", "name": "x", "unit_type": "other", "level_id": commune, "parent_id": mine})).await;
    assert_eq!(inside.status, 201, "{inside:?}");
    // Outside: the portal binding lets it see the other district, but not manage it.
    let outside = app.post("/api/v1/org-units", &local, json!({"code": "VP-HU-OTHER-1", "name": "x", "unit_type": "other", "level_id": commune, "parent_id": other})).await;
    assert_problem(&outside, 403);
    let o = app.get(&format!("/api/v1/org-units/{other}"), &local).await;
    assert_problem(
        &app.patch(
            &format!("/api/v1/org-units/{other}"),
            &local,
            &o.etag(),
            json!({"name": "y"}),
        )
        .await,
        403,
    );
    // A new top unit needs a tree-wide administrator.
    let top = app.post("/api/v1/org-units", &local, json!({"code": "PT", "name": "Tỉnh ủy Phú Thọ", "unit_type": "provincial_party_committee", "level_id": app.level("province").await})).await;
    assert_problem(&top, 403);
}
