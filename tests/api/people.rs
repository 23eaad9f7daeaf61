//! Cadres, posts, heads over time, groups.

use serde_json::json;
use uuid::Uuid;

use crate::common::*;

async fn head_posts(app: &TestApp, token: &str, unit: Uuid, extra: &str) -> Vec<serde_json::Value> {
    let res = app
        .get(
            &format!("/api/v1/posts?unit_id={unit}&kind=head{extra}"),
            token,
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_head_change_keeps_history_and_one_head_at_a_time() {
    let app = TestApp::spawn().await;
    let ob = app.token("bantochuc.1").await;
    let tnmt = app.unit("VP-SO-TNMT").await;

    // The demo's mid-2022 change of head of the Department of Natural Resources and Environment.
    let all = head_posts(&app, &ob, tnmt, "").await;
    assert_eq!(all.len(), 2, "{all:?}");
    let early = head_posts(&app, &ob, tnmt, "&as_of=2022-03-01").await;
    let late = head_posts(&app, &ob, tnmt, "&as_of=2022-09-01").await;
    assert_eq!(early.len(), 1);
    assert_eq!(late.len(), 1);
    assert_ne!(early[0]["cadre_id"], late[0]["cadre_id"]);
    assert_eq!(early[0]["valid_to"], "2022-06-30");

    // A new cadre cannot be head while the current head's post is open.
    let cadre = app
        .post("/api/v1/cadres", &ob, json!({"full_name": "Lê Thị Thu Hà", "gender": "female", "managing_unit_id": tnmt, "personnel_code": "CB-9001"}))
        .await;
    assert_eq!(cadre.status, 201, "{cadre:?}");
    let appoint = json!({"cadre_id": cadre.id(), "unit_id": tnmt, "kind": "head", "title": "Giám đốc Sở Tài nguyên và Môi trường", "valid_from": "2026-07-01"});
    assert_problem(&app.post("/api/v1/posts", &ob, appoint.clone()).await, 409);

    // End the current head's post, then appoint: both posts stay in the history.
    let current_id = late[0]["id"].as_str().unwrap();
    let current = app.get(&format!("/api/v1/posts/{current_id}"), &ob).await;
    let ended = app
        .post_if(
            &format!("/api/v1/posts/{current_id}/end"),
            &ob,
            &current.etag(),
            json!({"valid_to": "2026-06-30", "reason": "Nghỉ hưu theo chế độ"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{ended:?}");
    assert_eq!(ended.body["valid_to"], "2026-06-30");
    let again = app
        .post_if(
            &format!("/api/v1/posts/{current_id}/end"),
            &ob,
            &ended.etag(),
            json!({"valid_to": "2026-06-30", "reason": "x"}),
        )
        .await;
    assert_problem(&again, 409);
    let appointed = app.post("/api/v1/posts", &ob, appoint).await;
    assert_eq!(appointed.status, 201, "{appointed:?}");
    assert_eq!(head_posts(&app, &ob, tnmt, "").await.len(), 3);
    let history = app
        .get(&format!("/api/v1/cadres/{}", cadre.id()), &ob)
        .await;
    assert_eq!(history.status, 200);
    assert_eq!(history.body["posts"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn cadre_records_are_scoped_and_validated() {
    let app = TestApp::spawn().await;
    let ob = app.token("bantochuc.1").await;
    let tnmt = app.unit("VP-SO-TNMT").await;
    let bx = app.unit("VP-HU-BX").await;
    let res = app.post("/api/v1/cadres", &ob, json!({"full_name": "Trần Văn Bình", "managing_unit_id": bx, "email": "binh@vinhphuc.gov.vn"})).await;
    assert_eq!(res.status, 201, "{res:?}");
    let id = res.id();
    // The head of a department does not see a locality's cadres; a feed sees no cadres at all.
    let head = app.token("head.so-tnmt").await;
    assert_problem(&app.get(&format!("/api/v1/cadres/{id}"), &head).await, 404);
    assert_problem(
        &app.get(
            &format!("/api/v1/cadres/{id}"),
            &app.token("feed.so-khdt").await,
        )
        .await,
        404,
    );
    let listed = app
        .get(&format!("/api/v1/cadres?managing_unit_id={bx}"), &head)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0);
    // Staff can read their unit's cadres but not change them.
    let staff = app.token("staff.so-tnmt.1").await;
    let mine = app
        .get(&format!("/api/v1/cadres?managing_unit_id={tnmt}"), &staff)
        .await;
    let first = mine.body["items"][0]["id"]
        .as_str()
        .expect("a cadre of the department")
        .to_string();
    let c = app.get(&format!("/api/v1/cadres/{first}"), &staff).await;
    assert_problem(
        &app.patch(
            &format!("/api/v1/cadres/{first}"),
            &staff,
            &c.etag(),
            json!({"full_name": "x"}),
        )
        .await,
        403,
    );
    // Validation.
    let bad = app
        .post(
            "/api/v1/cadres",
            &ob,
            json!({"full_name": "", "managing_unit_id": tnmt, "email": "not-an-email"}),
        )
        .await;
    assert_problem(&bad, 422);
    let dup = app.post("/api/v1/cadres", &ob, json!({"full_name": "Người trùng mã", "managing_unit_id": tnmt, "personnel_code": "CB-0001"})).await;
    assert_problem(&dup, 409);
    let search = app
        .get("/api/v1/cadres?q=Tr%E1%BA%A7n%20V%C4%83n%20B%C3%ACnh", &ob)
        .await;
    assert_eq!(
        search.body["items"].as_array().unwrap().len(),
        1,
        "{search:?}"
    );
}

#[actix_web::test]
async fn groups_of_units_for_a_year() {
    let app = TestApp::spawn().await;
    let ob = app.token("bantochuc.1").await;
    let vp = app.unit("VP").await;
    let groups = app
        .get(&format!("/api/v1/groups?owner_unit_id={vp}&year=2022"), &ob)
        .await;
    assert_eq!(groups.status, 200, "{groups:?}");
    let items = groups.body["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        5,
        "the 2022 round's 4 groups of rules and the Party and Front bodies' reporting group"
    );
    let mut members: Vec<&str> = items
        .iter()
        .flat_map(|g| g["member_ids"].as_array().unwrap())
        .map(|m| m.as_str().unwrap())
        .collect();
    members.sort();
    members.dedup();
    // 11 Party and Front bodies, 12 departments, 9 districts and 2 blocs: 43 people with the 9
    // districts' chairs.
    assert_eq!(members.len(), 34, "34 units in 2022");

    let tnmt = app.unit("VP-SO-TNMT").await;
    let bx = app.unit("VP-HU-BX").await;
    let created = app
        .post("/api/v1/groups", &ob, json!({"owner_unit_id": vp, "year": 2027, "code": "N1", "label_vi": "Nhóm thí điểm", "member_ids": [tnmt]}))
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    let url = format!("/api/v1/groups/{}", created.id());
    let added = app
        .post_if(
            &format!("{url}/members"),
            &ob,
            &created.etag(),
            json!({"unit_id": bx}),
        )
        .await;
    assert_eq!(added.status, 200, "{added:?}");
    assert_eq!(added.body["member_ids"].as_array().unwrap().len(), 2);
    assert_problem(
        &app.post_if(
            &format!("{url}/members"),
            &ob,
            &added.etag(),
            json!({"unit_id": bx}),
        )
        .await,
        409,
    );
    let removed = app
        .delete(&format!("{url}/members/{tnmt}"), &ob, &added.etag())
        .await;
    assert_eq!(removed.status, 200, "{removed:?}");
    assert_eq!(removed.body["member_ids"], json!([bx]));
    let dup = app.post("/api/v1/groups", &ob, json!({"owner_unit_id": vp, "year": 2027, "code": "N1", "label_vi": "Trùng", "member_ids": []})).await;
    assert_problem(&dup, 409);
    // A head cannot make groups.
    let head = app.token("head.so-tnmt").await;
    let refused = app.post("/api/v1/groups", &head, json!({"owner_unit_id": tnmt, "year": 2027, "code": "N2", "label_vi": "x", "member_ids": []})).await;
    assert_problem(&refused, 403);
}
