//! Evaluation over HTTP: self-assessment with the rule set's suggestion, a return, the
//! Board's appraisal with the group quota, the Committee's decision (refused beyond the quota
//! without a recorded exception), immutability, the superior committee's override that keeps
//! history, attribution to the heads who held the post, and the cadre record's access.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// An issued 2022 round of `assigning` with one task per assignee; returns the task ids.
async fn issued_tasks(
    app: &TestApp,
    assigning: &str,
    assignees: &[&str],
    quarterly: bool,
) -> Vec<String> {
    let mut round = Round::of(app, assigning)
        .decision(&format!("{}-QĐ/TU", 50 + assignees.len()))
        .with("title", "Đợt giao năm 2022")
        .with("quarterly_evaluation", quarterly)
        .override_reason("Đợt giao thử nghiệm");
    for code in assignees {
        round = round.task_with(
            code,
            json!({"title": "Hoàn thành giải phóng mặt bằng các dự án trọng điểm"}),
        );
    }
    round
        .issue()
        .await
        .tasks
        .iter()
        .map(Uuid::to_string)
        .collect()
}

fn assessment(grade: &str) -> Value {
    json!({"period": "2022", "grade": grade, "score": 92.0,
    "narrative": "Bàn giao 100% mặt bằng trước thời hạn",
    "evidence_ids": [],
    "items": [
        {"key": "Dự án đường vành đai 3", "completion": 1.2, "done": true, "on_time": true, "exceeded": true},
        {"key": "Khu công nghiệp Sơn Lôi", "completion": 1.0, "done": true, "on_time": true}
    ]})
}

#[actix_web::test]
async fn a_grade_goes_from_self_assessment_to_decision_within_the_quota() {
    let app = TestApp::spawn().await;
    let tasks = issued_tasks(&app, "VP", &["VP-SO-TNMT", "VP-SO-KHDT"], false).await;
    let (head, staff, ob, sc) = (
        app.token("head.so-tnmt").await,
        app.token("staff.so-tnmt.1").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let path = format!("/api/v1/assignments/{}/evaluations", tasks[0]);

    // Only the head self-assesses, for a year of the assignment, citing its own evidence.
    assert_problem(&app.post(&path, &staff, assessment("excellent")).await, 403);
    assert_problem(
        &app.post(
            &path,
            &app.token("head.so-khdt").await,
            assessment("excellent"),
        )
        .await,
        404,
    );
    for period in ["2023", "2022-Q1"] {
        let mut bad = assessment("excellent");
        bad["period"] = json!(period);
        assert_problem(&app.post(&path, &head, bad).await, 422);
    }
    let mut bad = assessment("excellent");
    bad["evidence_ids"] = json!([Uuid::now_v7()]);
    assert_problem(&app.post(&path, &head, bad).await, 422);
    let mut bad = assessment("excellent");
    bad["items"][1]["key"] = json!("Dự án đường vành đai 3");
    assert_problem(&app.post(&path, &head, bad).await, 422);

    let link = app
        .post(&format!("/api/v1/assignments/{}/evidence", tasks[0]), &staff,
            json!({"kind": "link", "title": "Biên bản bàn giao", "url": "https://vinhphuc.gov.vn/bb"}))
        .await;
    let mut body = assessment("excellent");
    body["evidence_ids"] = json!([link.id()]);
    let assessed = app.post(&path, &head, body.clone()).await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    assert_eq!(assessed.body["state"], "self_assessed");
    // 2022 predates the 2025 regulation: the province's product rule set applies.
    assert_eq!(assessed.body["rule_set_code"], "province-products");
    assert_eq!(assessed.body["suggestion"]["grade"], "excellent");
    assert_problem(&app.post(&path, &head, body.clone()).await, 409);
    let url = format!("/api/v1/evaluations/{}", assessed.id());

    // The Board returns it; the head assesses again.
    let returned = app
        .post_if(
            &format!("{url}/return"),
            &ob,
            &assessed.etag(),
            json!({"comment": "Bổ sung biên bản bàn giao"}),
        )
        .await;
    assert_eq!(returned.status, 200, "{returned:?}");
    assert_eq!(returned.body["state"], "returned_to_head");
    let again = app
        .post_if(&format!("{url}/self-assess"), &head, &returned.etag(), body)
        .await;
    assert_eq!(again.status, 200, "{again:?}");

    // The Board appraises: one item late makes the suggestion fall from excellent.
    assert_problem(
        &app.post_if(
            &format!("{url}/appraise"),
            &head,
            &again.etag(),
            json!({"grade": "excellent", "remarks": "Tự thẩm định"}),
        )
        .await,
        403,
    );
    let appraised = app
        .post_if(&format!("{url}/appraise"), &ob, &again.etag(), json!({"grade": "excellent", "remarks": "Đúng thực tế",
            "items": [
                {"key": "Dự án đường vành đai 3", "completion": 1.2, "done": true, "on_time": true, "exceeded": true},
                {"key": "Khu công nghiệp Sơn Lôi", "completion": 1.0, "done": true, "on_time": false}
            ]}))
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let evaluation = &appraised.body["evaluation"];
    assert_eq!(evaluation["state"], "appraised");
    assert_ne!(evaluation["suggestion"]["grade"], "excellent");
    let steps: Vec<&str> = evaluation["suggestion"]["derivation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(steps.contains(&"late_penalty"), "{steps:?}");
    // One excellent and no good grade in the departments' group: over the 20% quota.
    assert_eq!(appraised.body["quota"]["exceeded"], true);

    // Only the Standing Committee decides; beyond the quota only with a recorded reason.
    for who in ["head.so-tnmt", "bantochuc.1"] {
        assert_problem(
            &app.post_if(
                &format!("{url}/decide"),
                &app.token(who).await,
                &appraised.etag(),
                json!({"grade": "excellent"}),
            )
            .await,
            403,
        );
    }
    assert_problem(
        &app.post_if(
            &format!("{url}/decide"),
            &app.token("admin").await,
            &appraised.etag(),
            json!({"grade": "excellent"}),
        )
        .await,
        404,
    );
    let refused = app
        .post_if(
            &format!("{url}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "excellent"}),
        )
        .await;
    assert_problem(&refused, 422);
    assert!(refused.text.contains("quota_exceeded"), "{refused:?}");
    let decided = app
        .post_if(&format!("{url}/decide"), &sc, &appraised.etag(),
            json!({"grade": "excellent", "note": "Hoàn thành xuất sắc", "quota_exception_reason": "Nhiệm vụ đột xuất, khối lượng lớn"}))
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    assert_eq!(decided.body["evaluation"]["decided_grade"], "excellent");
    assert_eq!(
        decided.body["evaluation"]["quota_exception_reason"],
        "Nhiệm vụ đột xuất, khối lượng lớn"
    );

    // Decided is final: no appraisal, return or decision again.
    let etag = decided.etag();
    for (step, who, body) in [
        (
            "appraise",
            &ob,
            json!({"grade": "good", "remarks": "Sửa lại"}),
        ),
        ("return", &ob, json!({"comment": "Xem lại"})),
        ("decide", &sc, json!({"grade": "good"})),
    ] {
        assert_problem(
            &app.post_if(&format!("{url}/{step}"), who, &etag, body)
                .await,
            409,
        );
    }
    // The province's committee has no superior in the tree: no override of its own decision.
    assert_problem(
        &app.post_if(
            &format!("{url}/override"),
            &sc,
            &etag,
            json!({"grade": "good", "reason": "Xem xét lại"}),
        )
        .await,
        403,
    );

    // The grade is the head's: in the cadre's record, which only the cadre and the
    // Committee and Board above see.
    let today = chrono::Utc::now().date_naive();
    let admin = app.token("admin").await;
    let tnmt = app.unit("VP-SO-TNMT").await;
    let post = app
        .get(
            &format!("/api/v1/posts?unit_id={tnmt}&kind=head&as_of={today}"),
            &admin,
        )
        .await;
    let cadre = post.body["items"][0]["cadre_id"]
        .as_str()
        .unwrap()
        .to_string();
    let record = format!("/api/v1/cadres/{cadre}/record");
    for who in ["head.so-tnmt", "thuongvu.1", "bantochuc.1"] {
        let res = app.get(&record, &app.token(who).await).await;
        assert_eq!(res.status, 200, "{who}: {res:?}");
        assert_eq!(res.body["entries"][0]["grade"], "excellent", "{who}");
        assert_eq!(res.body["entries"][0]["held_to"], "2022-12-31", "{who}");
        let share = res.body["entries"][0]["share"].as_f64().unwrap();
        assert!(share > 0.0 && share <= 1.0, "{who}: {share}");
    }
    for (who, status) in [
        ("staff.so-tnmt.1", 403),
        ("giamsat.2", 403),
        ("admin", 403),
        ("head.so-khdt", 404),
        ("portal", 404),
    ] {
        assert_problem(&app.get(&record, &app.token(who).await).await, status);
    }
}

#[actix_web::test]
async fn a_superior_committee_overrides_and_a_head_change_splits_the_grade() {
    let app = TestApp::spawn().await;
    let tasks = issued_tasks(&app, "VP-HU-BX", &["VP-HU-BX-XA-BH"], false).await;
    let (head, ob, sc, admin) = (
        app.token("head.xa-bahien").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("admin").await,
    );
    // The commune's head changes on 1 July 2022.
    let commune = app.unit("VP-HU-BX-XA-BH").await;
    let posts = app
        .get(
            &format!("/api/v1/posts?unit_id={commune}&kind=head&as_of=2022-06-30"),
            &admin,
        )
        .await;
    let first_post = posts.body["items"][0].clone();
    let first_cadre = first_post["cadre_id"].as_str().unwrap().to_string();
    let post_url = format!("/api/v1/posts/{}", first_post["id"].as_str().unwrap());
    let etag = app.get(&post_url, &admin).await.etag();
    let ended = app
        .post_if(
            &format!("{post_url}/end"),
            &admin,
            &etag,
            json!({"valid_to": "2022-06-30", "reason": "Điều động"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{ended:?}");
    let successor = app
        .post(
            "/api/v1/cadres",
            &admin,
            json!({"full_name": "Lê Minh Khoa", "managing_unit_id": commune}),
        )
        .await;
    let appointed = app
        .post(
            "/api/v1/posts",
            &admin,
            json!({"cadre_id": successor.id(), "unit_id": commune, "kind": "head",
            "title": "Bí thư Đảng ủy xã", "valid_from": "2022-07-01"}),
        )
        .await;
    assert_eq!(appointed.status, 201, "{appointed:?}");

    let assessed = app
        .post(
            &format!("/api/v1/assignments/{}/evaluations", tasks[0]),
            &head,
            assessment("good"),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let url = format!("/api/v1/evaluations/{}", assessed.id());
    let appraised = app
        .post_if(
            &format!("{url}/appraise"),
            &ob,
            &assessed.etag(),
            json!({"grade": "good", "remarks": "Đạt yêu cầu"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let decided = app
        .post_if(
            &format!("{url}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "good"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");

    // The province's committee, above the district, overrides; the district's head cannot.
    let body = json!({"grade": "complete", "reason": "Phát hiện sai phạm trong bồi thường"});
    assert_problem(
        &app.post_if(
            &format!("{url}/override"),
            &app.token("head.hu-binhxuyen").await,
            &decided.etag(),
            body.clone(),
        )
        .await,
        403,
    );
    let overridden = app
        .post_if(&format!("{url}/override"), &sc, &decided.etag(), body)
        .await;
    assert_eq!(overridden.status, 201, "{overridden:?}");
    assert_eq!(overridden.body["decided_grade"], "complete");
    assert_eq!(overridden.body["supersedes_id"], assessed.body["id"]);
    let old = app.get(&url, &sc).await;
    assert_eq!(old.body["state"], "overridden");
    assert_eq!(old.body["decided_grade"], "good");
    let all = app
        .get(
            &format!("/api/v1/assignments/{}/evaluations", tasks[0]),
            &sc,
        )
        .await;
    assert_eq!(all.body.as_array().unwrap().len(), 2);

    // Both heads carry the grade for the days they held the post; the old decision stays
    // in the record, marked overridden.
    let record = app
        .get(&format!("/api/v1/cadres/{first_cadre}/record"), &sc)
        .await;
    assert_eq!(record.status, 200, "{record:?}");
    let entries = record.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{record:?}");
    let states: Vec<&str> = entries
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert!(states.contains(&"overridden") && states.contains(&"decided"));
    for e in entries {
        assert_eq!(e["held_to"], "2022-06-30");
        assert!((e["share"].as_f64().unwrap() - 181.0 / 365.0).abs() < 1e-9);
    }
    let theirs = app
        .get(&format!("/api/v1/cadres/{}/record", successor.id()), &sc)
        .await;
    assert_eq!(theirs.body["entries"].as_array().unwrap().len(), 2);
    assert_eq!(theirs.body["entries"][0]["held_from"], "2022-07-01");

    // The two-tier reform merges the commune away; the record keeps its grades and unit.
    let merged = app
        .post("/api/v1/restructurings/merge", &admin, json!({"effective_date": "2025-07-01",
            "predecessor_ids": [commune, app.unit("VP-HU-BX-XA-TK").await],
            "successor": {"code": "VP-XA-BX-MOI", "name": "Xã Bình Xuyên mới", "unit_type": "commune_party_committee",
                "level_id": app.level("commune").await, "parent_id": app.unit("VP-HU-BX").await}}))
        .await;
    assert_eq!(merged.status, 201, "{merged:?}");
    let after = app
        .get(&format!("/api/v1/cadres/{first_cadre}/record"), &sc)
        .await;
    assert_eq!(after.status, 200, "{after:?}");
    assert_eq!(after.body["entries"], record.body["entries"]);
    assert_eq!(after.body["entries"][0]["unit_id"], json!(commune));
}

#[actix_web::test]
async fn an_objective_cause_waives_lateness_discipline_forces_not_complete_and_opinions_attach() {
    let app = TestApp::spawn().await;
    let tasks = issued_tasks(&app, "VP", &["VP-SO-TNMT"], true).await;
    let (head, staff, ob, watcher) = (
        app.token("head.so-tnmt").await,
        app.token("staff.so-tnmt.1").await,
        app.token("bantochuc.1").await,
        app.token("giamsat.2").await,
    );
    let task = &tasks[0];
    // An obstacle certified as an objective cause, and a supervisor's opinion.
    let raised = app
        .post(
            &format!("/api/v1/assignments/{task}/obstacles"),
            &staff,
            json!({"description": "Trung ương thay đổi chính sách bồi thường"}),
        )
        .await;
    let certified = app
        .post_if(
            &format!("/api/v1/obstacles/{}/certify-objective-cause", raised.id()),
            &ob,
            &raised.etag(),
            json!({"note": "Nguyên nhân khách quan"}),
        )
        .await;
    assert_eq!(certified.status, 200, "{certified:?}");
    let opinion = app
        .post(
            &format!("/api/v1/assignments/{task}/opinions"),
            &watcher,
            json!({"body": "Đơn vị đã nỗ lực, đề nghị ghi nhận"}),
        )
        .await;
    assert_eq!(opinion.status, 201, "{opinion:?}");

    let mut body = assessment("good");
    body["items"][1]["on_time"] = json!(false);
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            body,
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let codes = |e: &Value| -> Vec<String> {
        e["suggestion"]["derivation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap().to_string())
            .collect()
    };
    let steps = codes(&assessed.body);
    assert!(steps.contains(&"penalty_waived".to_string()), "{steps:?}");
    assert!(!steps.contains(&"late_penalty".to_string()), "{steps:?}");
    assert_eq!(assessed.body["suggestion"]["grade"], "excellent");

    // Discipline found by the Board forces "not complete", whatever the score.
    let url = format!("/api/v1/evaluations/{}", assessed.id());
    let appraised = app
        .post_if(&format!("{url}/appraise"), &ob, &assessed.etag(),
            json!({"grade": "not_complete", "remarks": "Bị kỷ luật khiển trách trong năm", "facts": ["discipline_reprimand_or_above"]}))
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let evaluation = &appraised.body["evaluation"];
    assert_eq!(evaluation["suggestion"]["grade"], "not_complete");
    assert!(codes(evaluation).contains(&"forced".to_string()));
    assert_eq!(
        evaluation["opinions"][0]["body"],
        "Đơn vị đã nỗ lực, đề nghị ghi nhận"
    );

    // This round asks for quarterly evaluation too.
    let mut quarter = assessment("good");
    quarter["period"] = json!("2022-Q2");
    let quarterly = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            quarter,
        )
        .await;
    assert_eq!(quarterly.status, 201, "{quarterly:?}");
    assert_eq!(quarterly.body["period_end"], "2022-06-30");

    // An opinion after the appraisal is not part of it.
    app.post(
        &format!("/api/v1/assignments/{task}/opinions"),
        &watcher,
        json!({"body": "Ý kiến sau thẩm định"}),
    )
    .await;
    let read = app.get(&url, &ob).await;
    assert_eq!(
        read.body["opinions"].as_array().unwrap().len(),
        1,
        "{read:?}"
    );
}
