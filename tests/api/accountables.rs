//! The people who answer for an assignment: by default its unit's head; for a district, the
//! Party secretary and the chair of the People's Committee, each of whom receives the decided
//! grade in their own record from the same task.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// The cadre holding the head post of `unit` now.
async fn head_cadre(app: &TestApp, token: &str, unit: Uuid) -> Value {
    let posts = app
        .get(&format!("/api/v1/posts?unit_id={unit}&kind=head"), token)
        .await;
    assert_eq!(posts.status, 200, "{posts:?}");
    posts.body["items"][0]["cadre_id"].clone()
}

#[actix_web::test]
async fn a_district_task_is_answered_for_by_its_secretary_and_its_chair() {
    let app = TestApp::spawn().await;
    let (admin, ob, sc, head) = (
        app.token("admin").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("head.hu-binhxuyen").await,
    );
    let (vp, district) = (app.unit("VP").await, app.unit("VP-HU-BX").await);

    // The district People's Committee and its chair.
    let committee = app
        .post("/api/v1/org-units", &admin, json!({"code": "VP-UBND-BX", "name": "Ủy ban nhân dân huyện Bình Xuyên",
            "unit_type": "peoples_committee", "level_id": app.level("district").await, "parent_id": vp,
            "valid_from": "2021-01-01"}))
        .await;
    assert_eq!(committee.status, 201, "{committee:?}");
    let chair = app
        .post(
            "/api/v1/cadres",
            &ob,
            json!({"full_name": "Nguyễn Văn Chủ", "managing_unit_id": vp}),
        )
        .await;
    assert_eq!(chair.status, 201, "{chair:?}");
    let post = app
        .post(
            "/api/v1/posts",
            &ob,
            json!({"cadre_id": chair.id(), "unit_id": committee.id(), "kind": "head",
            "title": "Chủ tịch UBND huyện Bình Xuyên", "valid_from": "2021-01-01"}),
        )
        .await;
    assert_eq!(post.status, 201, "{post:?}");

    let year = this_year();
    let task = Round::of(&app, "VP")
        .in_year(year)
        .override_reason("Đợt giao thử nghiệm")
        .task_with(
            "VP-HU-BX",
            merged(spanning(year), json!({"code": "NV-BX-1"})),
        )
        .issue()
        .await
        .tasks[0];
    let url = format!("/api/v1/assignments/{task}/accountables");

    // By default the head of the assignee unit answers.
    let default = app.get(&url, &head).await;
    assert_eq!(default.status, 200, "{default:?}");
    assert_eq!(
        default.body,
        json!({"items": [{"unit_id": district, "post_kind": "head", "role": "head"}], "next_cursor": null})
    );

    // The Board names the secretary and the chair; heads may not, and bad positions change
    // nothing.
    let both = json!({"positions": [
        {"unit_id": district, "post_kind": "head", "role": "secretary"},
        {"unit_id": committee.id(), "post_kind": "head", "role": "chair"}]});
    let put = |token: &str, body: Value| {
        let (app, url, token) = (&app, &url, token.to_owned());
        async move {
            app.send(reqwest::Method::PUT, url, &token, Some(body), &[])
                .await
        }
    };
    assert_problem(&put(&head, both.clone()).await, 403);
    for bad in [
        json!({"positions": [{"unit_id": district, "post_kind": "staff", "role": "deputy"}]}),
        json!({"positions": [{"unit_id": Uuid::now_v7(), "post_kind": "head", "role": "chair"}]}),
        json!({"positions": [{"unit_id": district, "post_kind": "head", "role": "secretary"},
            {"unit_id": district, "post_kind": "head", "role": "chair"}]}),
        json!({"positions": []}),
    ] {
        assert_problem(&put(&ob, bad).await, 422);
    }
    assert_eq!(app.get(&url, &head).await.body, default.body);
    let named = put(&ob, both).await;
    assert_eq!(named.status, 200, "{named:?}");
    assert_eq!(named.body["items"].as_array().unwrap().len(), 2);

    // The district delivers, the grade is decided, and each of the two receives it.
    let evidence = delivered(
        &app,
        task,
        "head.hu-binhxuyen",
        &format!("{year}-Q1"),
        100.0,
    )
    .await;
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            json!({"period": year.to_string(), "grade": "good", "narrative": "Hoàn thành",
                "evidence_ids": [evidence]}),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let e = format!("/api/v1/evaluations/{}", assessed.id());
    let appraised = app
        .post_if(
            &format!("{e}/appraise"),
            &ob,
            &assessed.etag(),
            json!({"grade": "good", "remarks": "Đúng thực tế"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let grade = appraised.body["evaluation"]["suggestion"]["grade"].clone();
    let decided = app
        .post_if(
            &format!("{e}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": grade}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");

    let secretary = head_cadre(&app, &ob, district).await;

    // The results of people: both carry the task's grade, each for the whole year held.
    let people = app
        .get(&format!("/api/v1/reports/people?year={year}"), &sc)
        .await;
    assert_eq!(people.status, 200, "{people:?}");
    for cadre in [secretary.clone(), json!(chair.id())] {
        let row = people.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["cadre_id"] == cadre)
            .unwrap_or_else(|| panic!("{cadre} missing: {people:?}"));
        assert_eq!(row["tally"]["graded"], 1, "{row}");
        assert_eq!(row["entries"][0]["evaluation_id"], json!(assessed.id()));
        assert_eq!(row["entries"][0]["grade"], grade);
    }
    assert_problem(
        &app.get(&format!("/api/v1/reports/people?year={year}"), &head)
            .await,
        403,
    );
    for cadre in [secretary, json!(chair.id())] {
        let record = app
            .get(
                &format!("/api/v1/cadres/{}/record", cadre.as_str().unwrap()),
                &sc,
            )
            .await;
        assert_eq!(record.status, 200, "{record:?}");
        let entries = record.body["entries"].as_array().unwrap();
        assert!(
            entries
                .iter()
                .any(|x| x["evaluation_id"] == json!(assessed.id())),
            "{cadre}: {record:?}"
        );
    }
}
