//! Supervision over HTTP: an obstacle raised, answered by the watching supervisor, resolved and
//! certified as an objective cause; opinions; supervisors outside their watch are refused.

use serde_json::json;

use crate::builders::*;
use crate::common::*;

#[actix_web::test]
async fn an_obstacle_is_answered_resolved_and_certified() {
    let app = TestApp::spawn().await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let built = Round::of(&app, "VP")
        .decision("40-QĐ/TU")
        .task("VP-SO-TNMT")
        .issue()
        .await;
    let id = built.tasks[0];

    let staff = app.token("staff.so-tnmt.1").await;
    let raised = app
        .post(
            &format!("/api/v1/assignments/{id}/obstacles"),
            &staff,
            json!({
            "description": "Người dân chưa đồng thuận phương án bồi thường",
            "support_requested": "Đề nghị Ban Dân vận phối hợp tuyên truyền"}),
        )
        .await;
    assert_eq!(raised.status, 201, "{raised:?}");
    assert_eq!(raised.body["state"], "open");
    let url = format!("/api/v1/obstacles/{}", raised.id());

    // The localities' supervisor does not watch this department; the departments' does.
    let outside = app.token("giamsat.1").await;
    assert_problem(
        &app.post_if(
            &format!("{url}/respond"),
            &outside,
            &raised.etag(),
            json!({"note": "x"}),
        )
        .await,
        404,
    );
    let watcher = app.token("giamsat.2").await;
    let answered = app
        .post_if(
            &format!("{url}/respond"),
            &watcher,
            &raised.etag(),
            json!({"note": "Đã chủ trì họp với UBND huyện"}),
        )
        .await;
    assert_eq!(answered.body["state"], "answered", "{answered:?}");
    assert_problem(
        &app.post_if(
            &format!("{url}/respond"),
            &watcher,
            &raised.etag(),
            json!({"note": "lại"}),
        )
        .await,
        412,
    );

    let head = app.token("head.so-tnmt").await;
    let resolved = app
        .post_if(
            &format!("{url}/resolve"),
            &head,
            &answered.etag(),
            json!({"note": "Đã đồng thuận"}),
        )
        .await;
    assert_eq!(resolved.body["state"], "resolved", "{resolved:?}");
    assert_problem(
        &app.post_if(
            &format!("{url}/respond"),
            &watcher,
            &resolved.etag(),
            json!({"note": "x"}),
        )
        .await,
        409,
    );

    // Only the assigning side certifies an objective cause; it is recorded on the assignment.
    let note = json!({"note": "Thay đổi chính sách bồi thường của Trung ương"});
    assert_problem(
        &app.post_if(
            &format!("{url}/certify-objective-cause"),
            &head,
            &resolved.etag(),
            note.clone(),
        )
        .await,
        403,
    );
    assert_problem(
        &app.post_if(
            &format!("{url}/certify-objective-cause"),
            &watcher,
            &resolved.etag(),
            note.clone(),
        )
        .await,
        403,
    );
    let certified = app
        .post_if(
            &format!("{url}/certify-objective-cause"),
            &ob,
            &resolved.etag(),
            note.clone(),
        )
        .await;
    assert_eq!(certified.body["objective_cause"], true, "{certified:?}");
    assert_problem(
        &app.post_if(
            &format!("{url}/certify-objective-cause"),
            &ob,
            &certified.etag(),
            note,
        )
        .await,
        409,
    );
    let a = app.get(&format!("/api/v1/assignments/{id}"), &head).await;
    assert_eq!(a.body["objective_cause"], true);
    let listed = app
        .get(&format!("/api/v1/assignments/{id}/obstacles"), &watcher)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    // Opinions: the watching supervisor records one; staff cannot.
    let opinion = app
        .post(
            &format!("/api/v1/assignments/{id}/opinions"),
            &watcher,
            json!({"body": "Cần đẩy nhanh tiến độ quý III"}),
        )
        .await;
    assert_eq!(opinion.status, 201, "{opinion:?}");
    assert_problem(
        &app.post(
            &format!("/api/v1/assignments/{id}/opinions"),
            &staff,
            json!({"body": "x"}),
        )
        .await,
        403,
    );
    assert_problem(
        &app.get(&format!("/api/v1/assignments/{id}/opinions"), &outside)
            .await,
        404,
    );
    let opinions = app
        .get(&format!("/api/v1/assignments/{id}/opinions"), &head)
        .await;
    assert_eq!(opinions.body["items"].as_array().unwrap().len(), 1);

    // A spot check draws reproducibly from the seed and records the draw.
    let draws = format!("/api/v1/rounds/{}/spot-checks", built.round);
    let first = app
        .post(&draws, &ob, json!({"share": 0.5, "seed": "kiem-tra-2022"}))
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(first.body["drawn_ids"], json!([id]));
    let second = app
        .post(&draws, &ob, json!({"share": 0.5, "seed": "kiem-tra-2022"}))
        .await;
    assert_eq!(second.body["drawn_ids"], first.body["drawn_ids"]);
    let random = app.post(&draws, &sc, json!({"share": 1.0})).await;
    assert!(
        random.body["seed"].as_str().is_some_and(|s| !s.is_empty()),
        "{random:?}"
    );
    assert_problem(&app.post(&draws, &ob, json!({"share": 0.0})).await, 422);
    assert_problem(&app.post(&draws, &head, json!({"share": 0.5})).await, 403);
    assert_eq!(
        app.get(&draws, &sc).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_problem(&app.get(&draws, &head).await, 403);
}

#[actix_web::test]
async fn an_assignments_obstacles_come_in_pages_and_over_long_text_is_refused() {
    let app = TestApp::spawn().await;
    let built = Round::of(&app, "VP").task("VP-SO-TNMT").issue().await;
    let id = built.tasks[0];
    let staff = app.token("staff.so-tnmt.1").await;
    let path = format!("/api/v1/assignments/{id}/obstacles");
    let mut raised = Vec::new();
    for n in 1..=3 {
        let res = app
            .post(
                &path,
                &staff,
                json!({"description": format!("Vướng mắc số {n}"), "support_requested": "Hỗ trợ"}),
            )
            .await;
        raised.push(res.body["id"].clone());
        assert_eq!(res.status, 201, "{res:?}");
    }

    // Two, then the last one after the cursor, in the order they were raised.
    let first = app.get(&format!("{path}?limit=2"), &staff).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(first.body["items"][0]["id"], raised[0]);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(&format!("{path}?limit=2&cursor={cursor}"), &staff)
        .await;
    assert_eq!(second.status, 200, "{second:?}");
    assert_eq!(
        second.body["items"],
        json!([second.body["items"][0].clone()])
    );
    assert_eq!(second.body["items"][0]["id"], raised[2]);
    assert!(second.body["next_cursor"].is_null(), "{second:?}");
    // A cursor not made by the API and a limit beyond the documented maximum are 422.
    assert_problem(
        &app.get(&format!("{path}?cursor=bm9wZQ"), &staff).await,
        422,
    );
    assert_problem(&app.get(&format!("{path}?limit=201"), &staff).await, 422);
    // An unchanged page is 304 for the ETag it was served with.
    let etag = first
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let again = app
        .send(
            reqwest::Method::GET,
            &format!("{path}?limit=2"),
            &staff,
            None,
            &[("If-None-Match", etag.as_str())],
        )
        .await;
    assert_eq!(again.status, 304, "{again:?}");

    // The contract's `maxLength` of a description is the validator's.
    let doc = cadre_api::http::openapi::document_value().unwrap();
    let limit = doc["components"]["schemas"]["NewObstacle"]["properties"]["description"]
        ["maxLength"]
        .as_u64()
        .unwrap() as usize;
    let at = json!({"description": "ư".repeat(limit), "support_requested": "Hỗ trợ"});
    assert_eq!(app.post(&path, &staff, at).await.status, 201);
    let over = json!({"description": "ư".repeat(limit + 1), "support_requested": "Hỗ trợ"});
    let refused = app.post(&path, &staff, over).await;
    assert_problem(&refused, 422);
    assert_eq!(refused.body["type"], "urn:cadre-api:problem:validation");
    assert_eq!(refused.body["errors"][0]["field"], "description");
}
