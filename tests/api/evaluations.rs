//! Evaluation over HTTP, with the facts derived from the record: accepted progress reports (or
//! a licensed feed's values, for targets), standing evidence, the deadline in force, disputed
//! evidence and spot-check findings. The head self-assesses with the rule set's suggestion,
//! the Board returns or appraises with the group quota, the Committee decides (refused beyond
//! the quota without a recorded exception, or off the suggestion without a reason),
//! immutability, the superior committee's override that keeps history, attribution to the heads
//! who held the post, the cadre record's access, contests of derived facts, and results that
//! never count a task graded `not_complete` as completed.
//!
//! Timeliness is real: a 2022 product reported today is late, so the tests that want a product
//! on time use a round of the current year, reported for its first quarter (due within the
//! year, and the assignment runs to 31 December).

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// An issued round of `assigning` for `year` with one task per assignee, coded `NV-1`,
/// `NV-2`… in order: the built round.
async fn issued_tasks(
    app: &TestApp,
    assigning: &str,
    assignees: &[&str],
    year: i32,
    quarterly: bool,
) -> Built {
    let mut round = Round::of(app, assigning)
        .in_year(year)
        .decision(&format!("{}-QĐ/TU", 50 + assignees.len()))
        .with("title", format!("Đợt giao năm {year}"))
        .with("quarterly_evaluation", quarterly)
        .override_reason("Đợt giao thử nghiệm");
    for (i, code) in assignees.iter().enumerate() {
        round = round.task_with(
            code,
            merged(
                spanning(year),
                json!({"code": format!("NV-{}", i + 1),
                    "title": "Hoàn thành giải phóng mặt bằng các dự án trọng điểm"}),
            ),
        );
    }
    round.issue().await
}

/// A self-assessment of `period` proposing `grade`, citing `evidence`.
fn assessment(period: &str, grade: &str, evidence: &[Uuid]) -> Value {
    json!({"period": period, "grade": grade, "score": 92.0,
        "narrative": "Bàn giao 100% mặt bằng trước thời hạn", "evidence_ids": evidence})
}

/// A contest of `fact` of item `key`, claiming `value`, with a reason and `evidence`.
fn contest(key: &str, fact: &str, value: Value, evidence: &[Uuid]) -> Value {
    json!({"key": key, "fact": fact, "value": value,
        "reason": "Biên bản nghiệm thu cho thấy khác với số liệu trong hồ sơ", "evidence_ids": evidence})
}

/// The codes of the steps of an evaluation's suggestion.
fn codes(e: &Value) -> Vec<String> {
    e["suggestion"]["derivation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect()
}

/// The graded facts of an evaluation's only item.
fn item(e: &Value) -> &Value {
    &e["facts"]["items"][0]
}

/// The source of `fact` in the derivation of an evaluation's only item.
fn source<'a>(e: &'a Value, fact: &str) -> &'a Value {
    e["facts"]["derivation"][0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["fact"] == fact)
        .unwrap_or_else(|| panic!("no source of {fact}: {e}"))
}

/// The fields named by a 422's errors.
fn fields(res: &Res) -> Vec<String> {
    assert_problem(res, 422);
    res.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The number of evaluations of `task`.
async fn evaluation_count(app: &TestApp, task: Uuid) -> usize {
    let res = app
        .get(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &app.token("thuongvu.1").await,
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body["items"].as_array().unwrap().len()
}

#[actix_web::test]
async fn a_grade_goes_from_self_assessment_to_decision_within_the_quota() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let (head, staff, ob, sc) = (
        app.token("head.so-tnmt").await,
        app.token("staff.so-tnmt.1").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    // The departments' group of the year, whose quota of excellent grades applies.
    let (tnmt, khdt) = (app.unit("VP-SO-TNMT").await, app.unit("VP-SO-KHDT").await);
    let group = app
        .post(
            "/api/v1/groups",
            &ob,
            json!({"owner_unit_id": app.unit("VP").await, "year": year,
            "code": "SO-NGANH", "label_vi": "Nhóm các sở, ngành", "member_ids": [tnmt, khdt]}),
        )
        .await;
    assert_eq!(group.status, 201, "{group:?}");
    let tasks = issued_tasks(&app, "VP", &["VP-SO-TNMT", "VP-SO-KHDT"], year, false)
        .await
        .tasks;
    let path = format!("/api/v1/assignments/{}/evaluations", tasks[0]);
    // On record: 120% in an accepted report of the first quarter, and the handover minutes.
    let link = delivered(&app, tasks[0], "head.so-tnmt", &format!("{year}-Q1"), 120.0).await;
    let period = year.to_string();
    let body = assessment(&period, "excellent", &[link]);

    // Only the head self-assesses, for a year of the assignment, citing its own evidence.
    assert_problem(&app.post(&path, &staff, body.clone()).await, 403);
    assert_problem(
        &app.post(&path, &app.token("head.so-khdt").await, body.clone())
            .await,
        404,
    );
    for bad_period in [(year + 1).to_string(), format!("{year}-Q1")] {
        let bad = assessment(&bad_period, "excellent", &[link]);
        assert_eq!(fields(&app.post(&path, &head, bad).await), ["period"]);
    }
    let elsewhere = evidence_link(&app, tasks[1], "head.so-khdt", "Biên bản của sở khác")
        .await
        .id();
    for cited in [vec![], vec![Uuid::now_v7()], vec![elsewhere]] {
        let bad = assessment(&period, "excellent", &cited);
        assert_eq!(fields(&app.post(&path, &head, bad).await), ["evidence_ids"]);
    }
    // The facts are not typed: the old body with items is refused.
    let mut typed = body.clone();
    typed["items"] = json!([{"key": "NV-1", "completion": 1.2, "done": true, "on_time": true}]);
    assert_problem(&app.post(&path, &head, typed).await, 422);
    assert_eq!(evaluation_count(&app, tasks[0]).await, 0);

    let assessed = app.post(&path, &head, body.clone()).await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    assert_eq!(assessed.body["state"], "self_assessed");
    // A period after July 2025 falls under Regulation 366.
    assert_eq!(assessed.body["rule_set_code"], "qd366-2025");
    let facts = item(&assessed.body);
    assert_eq!(facts["key"], "NV-1");
    assert_eq!(facts["completion"], 1.2);
    assert_eq!(
        (&facts["done"], &facts["on_time"], &facts["exceeded"]),
        (&json!(true), &json!(true), &json!(true))
    );
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

    // The Board appraises: it contests the delivery's timeliness, and the suggestion falls
    // from excellent; the derived value stays beside the contest.
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
        .post_if(&format!("{url}/appraise"), &ob, &again.etag(), json!({"grade": "excellent",
            "remarks": "Đúng thực tế", "contests": [contest("NV-1", "on_time", json!(false), &[link])]}))
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let evaluation = &appraised.body["evaluation"];
    assert_eq!(evaluation["state"], "appraised");
    assert_ne!(evaluation["suggestion"]["grade"], "excellent");
    let derivation = &evaluation["facts"]["derivation"][0];
    assert_eq!(derivation["derived"]["on_time"], true);
    assert_eq!(derivation["graded"]["on_time"], false);
    assert_eq!(derivation["contests"][0]["by"], "board");
    let steps = codes(evaluation);
    assert!(steps.contains(&"late_penalty".to_string()), "{steps:?}");
    // One excellent and no good grade in the departments' group: over the 20% quota.
    assert_eq!(appraised.body["quota"]["exceeded"], true);

    // Only the Standing Committee decides; beyond the quota only with a recorded reason, and
    // off the suggestion only with the reason for the departure.
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
    let exception = "Nhiệm vụ đột xuất, khối lượng lớn";
    let refused = app
        .post_if(
            &format!("{url}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "excellent", "quota_exception_reason": exception}),
        )
        .await;
    assert_eq!(fields(&refused), ["departure_reason"]);
    let decided = app
        .post_if(&format!("{url}/decide"), &sc, &appraised.etag(),
            json!({"grade": "excellent", "note": "Hoàn thành xuất sắc", "quota_exception_reason": exception,
                "departure_reason": "Biên bản bàn giao ký muộn do lỗi của chủ đầu tư"}))
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    assert_eq!(decided.body["evaluation"]["decided_grade"], "excellent");
    assert_eq!(
        decided.body["evaluation"]["quota_exception_reason"],
        exception
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
        assert_eq!(
            res.body["entries"][0]["held_to"],
            format!("{year}-12-31"),
            "{who}"
        );
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
    let tasks = issued_tasks(&app, "VP-HU-BX", &["VP-HU-BX-XA-BH"], 2022, false)
        .await
        .tasks;
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

    // The 2022 product is reported only now: the record shows it delivered, and late.
    let link = delivered(&app, tasks[0], "head.xa-bahien", "2022-Q4", 100.0).await;
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{}/evaluations", tasks[0]),
            &head,
            assessment("2022", "good", &[link]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    // 2022 predates the 2025 regulation: the province's product rule set applies.
    assert_eq!(assessed.body["rule_set_code"], "province-products");
    assert_eq!(item(&assessed.body)["done"], true);
    assert_eq!(item(&assessed.body)["on_time"], false);
    assert!(codes(&assessed.body).contains(&"late_penalty".to_string()));
    assert_ne!(assessed.body["suggestion"]["grade"], "good");
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
        .post_if(&format!("{url}/decide"), &sc, &appraised.etag(),
            json!({"grade": "good", "departure_reason": "Báo cáo chậm do sáp nhập, sản phẩm đạt yêu cầu"}))
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
    assert_eq!(evaluation_count(&app, tasks[0]).await, 2);

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
    let task = issued_tasks(&app, "VP", &["VP-SO-TNMT"], 2022, true)
        .await
        .tasks[0];
    let (head, staff, ob, watcher) = (
        app.token("head.so-tnmt").await,
        app.token("staff.so-tnmt.1").await,
        app.token("bantochuc.1").await,
        app.token("giamsat.2").await,
    );
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

    // 120% of the 2022 product, reported only now: late, for a certified objective cause.
    let link = delivered(&app, task, "head.so-tnmt", "2022-Q4", 120.0).await;
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            assessment("2022", "good", &[link]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let facts = item(&assessed.body);
    assert_eq!(
        (&facts["done"], &facts["on_time"], &facts["objective_cause"]),
        (&json!(true), &json!(false), &json!(true))
    );
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
    let quarterly = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            assessment("2022-Q2", "good", &[link]),
        )
        .await;
    assert_eq!(quarterly.status, 201, "{quarterly:?}");
    assert_eq!(quarterly.body["period_end"], "2022-06-30");
    // The report of the last quarter is not part of the second quarter's record.
    assert_eq!(item(&quarterly.body)["completion"], Value::Null);

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

#[actix_web::test]
async fn the_grade_follows_accepted_reports_and_typed_facts_are_refused() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let task = issued_tasks(&app, "VP", &["VP-SO-TNMT"], year, false)
        .await
        .tasks[0];
    let head = app.token("head.so-tnmt").await;
    // 60% then 100% accepted; 150% claimed for the third quarter but not accepted.
    accepted_report(
        &app,
        task,
        "head.so-tnmt",
        &format!("{year}-Q1"),
        task_report(60.0),
    )
    .await;
    let second = accepted_report(
        &app,
        task,
        "head.so-tnmt",
        &format!("{year}-Q2"),
        task_report(100.0),
    )
    .await;
    let claimed = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/assignments/{task}/progress-reports/{year}-Q3"),
            &head,
            Some(task_report(150.0)),
            &[],
        )
        .await;
    assert_eq!(claimed.status, 201, "{claimed:?}");
    let submitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{}/submit", claimed.id()),
            &head,
            &claimed.etag(),
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    let link = evidence_link(&app, task, "head.so-tnmt", "Biên bản bàn giao")
        .await
        .id();

    // The head cannot type the facts: items are an unknown field, and nothing is stored.
    let path = format!("/api/v1/assignments/{task}/evaluations");
    let mut typed = assessment(&year.to_string(), "excellent", &[link]);
    typed["items"] = json!([{"key": "NV-1", "completion": 1.5, "done": true, "on_time": true,
        "exceeded": true}]);
    let refused = app.post(&path, &head, typed).await;
    assert_problem(&refused, 422);
    assert!(refused.text.contains("items"), "{refused:?}");
    assert_eq!(evaluation_count(&app, task).await, 0);

    // The head proposes excellent; the suggestion follows the latest accepted report.
    let assessed = app
        .post(
            &path,
            &head,
            assessment(&year.to_string(), "excellent", &[link]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    assert_eq!(assessed.body["self_grade"], "excellent");
    let facts = item(&assessed.body);
    assert_eq!(facts["completion"], 1.0);
    assert_eq!(
        (&facts["done"], &facts["on_time"], &facts["exceeded"]),
        (&json!(true), &json!(true), &json!(false))
    );
    let completion = source(&assessed.body, "completion");
    assert_eq!(completion["kind"], "report");
    assert_eq!(completion["ids"], json!([second.id()]));
    assert_eq!(source(&assessed.body, "done")["ids"], json!([link]));
    // 100 points, but nothing exceeded: the gate of excellent fails.
    assert_eq!(assessed.body["suggestion"]["grade"], "good");
    assert!(codes(&assessed.body).contains(&"gate_exceeded".to_string()));
}

#[actix_web::test]
async fn without_standing_evidence_nothing_is_done_and_a_disputed_piece_is_a_defect() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let task = issued_tasks(&app, "VP", &["VP-SO-TNMT"], year, false)
        .await
        .tasks[0];
    let (head, ob) = (
        app.token("head.so-tnmt").await,
        app.token("bantochuc.1").await,
    );
    accepted_report(
        &app,
        task,
        "head.so-tnmt",
        &format!("{year}-Q1"),
        task_report(100.0),
    )
    .await;
    // Two pieces: one withdrawn by the unit, the other disputed by the Board.
    let withdrawn = evidence_link(&app, task, "head.so-tnmt", "Bản nháp biên bản").await;
    let retracted = app
        .post_if(
            &format!("/api/v1/evidence/{}/retract", withdrawn.id()),
            &head,
            &withdrawn.etag(),
            json!({"reason": "Nộp nhầm bản nháp"}),
        )
        .await;
    assert_eq!(retracted.status, 200, "{retracted:?}");
    let disputed = evidence_link(&app, task, "head.so-tnmt", "Biên bản bàn giao").await;
    let marked = app
        .post_if(
            &format!("/api/v1/evidence/{}/marks", disputed.id()),
            &ob,
            &disputed.etag(),
            json!({"mark": "disputed", "comment": "Biên bản thiếu chữ ký của hộ dân"}),
        )
        .await;
    assert_eq!(marked.status, 200, "{marked:?}");

    // A withdrawn piece cannot be cited; the disputed one can, but proves nothing.
    let path = format!("/api/v1/assignments/{task}/evaluations");
    let period = year.to_string();
    assert_eq!(
        fields(
            &app.post(&path, &head, assessment(&period, "good", &[withdrawn.id()]))
                .await
        ),
        ["evidence_ids"]
    );
    let assessed = app
        .post(&path, &head, assessment(&period, "good", &[disputed.id()]))
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let facts = item(&assessed.body);
    assert_eq!(facts["completion"], 1.0);
    assert_eq!(facts["done"], false);
    assert_eq!(facts["quality_defects"], 1);
    let done = source(&assessed.body, "done");
    assert_eq!(
        (&done["kind"], &done["ids"]),
        (&json!("evidence"), &json!([]))
    );
    assert_eq!(
        source(&assessed.body, "quality_defects")["ids"],
        json!([disputed.id()])
    );
    assert!(codes(&assessed.body).contains(&"quality_penalty".to_string()));

    // With a standing, undisputed piece the product is delivered; the dispute still counts.
    let minutes = evidence_link(&app, task, "head.so-tnmt", "Biên bản có đủ chữ ký")
        .await
        .id();
    let url = format!("/api/v1/evaluations/{}", assessed.id());
    let returned = app
        .post_if(
            &format!("{url}/return"),
            &ob,
            &assessed.etag(),
            json!({"comment": "Bổ sung biên bản có đủ chữ ký"}),
        )
        .await;
    assert_eq!(returned.status, 200, "{returned:?}");
    let again = app
        .post_if(
            &format!("{url}/self-assess"),
            &head,
            &returned.etag(),
            assessment(&period, "good", &[minutes]),
        )
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    let facts = item(&again.body);
    assert_eq!(
        (&facts["done"], &facts["quality_defects"]),
        (&json!(true), &json!(1))
    );
    assert_eq!(source(&again.body, "done")["ids"], json!([minutes]));
}

#[actix_web::test]
async fn a_licensed_feed_value_overrides_the_value_the_head_reported() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let target = |code: &str| {
        merged(
            merged(standard_target(), spanning(year)),
            json!({"code": code, "indicator_code": "HO_SO_DUNG_HAN"}),
        )
    };
    let tasks = Round::of(&app, "VP")
        .in_year(year)
        .assignment("VP-SO-TNMT", target("CT-1"))
        .assignment("VP-SO-KHDT", target("CT-2"))
        .issue()
        .await
        .tasks;
    // The feed is licensed for the indicator in the department of natural resources only.
    let admin = app.token("admin").await;
    let feed_account = app
        .get("/api/v1/me", &app.token("feed.so-khdt").await)
        .await
        .body["account"]["id"]
        .clone();
    let licence = app
        .post(
            "/api/v1/feed-licences",
            &admin,
            json!({"account_id": feed_account,
            "indicator_code": "HO_SO_DUNG_HAN", "unit_id": app.unit("VP-SO-TNMT").await,
            "valid_from": "2021-01-01"}),
        )
        .await;
    assert_eq!(licence.status, 201, "{licence:?}");

    // Both heads report 95% against a target of 90%, with evidence.
    let mut links = Vec::new();
    for (task, head) in tasks.iter().zip(["head.so-tnmt", "head.so-khdt"]) {
        accepted_report(
            &app,
            *task,
            head,
            &format!("{year}-Q1"),
            target_report(95.0, &format!("{year}-03-14")),
        )
        .await;
        links.push(
            evidence_link(&app, *task, head, "Báo cáo hệ thống một cửa")
                .await
                .id(),
        );
    }
    // The licensed feed measured 80% for the first.
    let sent = app
        .post(
            "/api/v1/feeds/observations",
            &app.token("feed.so-khdt").await,
            json!({"observations": [{"external_id": "q1", "indicator_code": "HO_SO_DUNG_HAN",
                "unit_code": "VP-SO-TNMT", "value": 80.0, "date": format!("{year}-03-01"),
                "source_ref": "Cổng dịch vụ công tỉnh"}]}),
        )
        .await;
    assert_eq!(sent.body["imported"], 1, "{sent:?}");
    let observations = app
        .get(
            &format!("/api/v1/assignments/{}/observations", tasks[0]),
            &app.token("thuongvu.1").await,
        )
        .await;
    let observation = observations.body["items"][0]["id"].clone();

    let mut suggested = Vec::new();
    for ((task, head), link) in tasks
        .iter()
        .zip(["head.so-tnmt", "head.so-khdt"])
        .zip(&links)
    {
        let assessed = app
            .post(
                &format!("/api/v1/assignments/{task}/evaluations"),
                &app.token(head).await,
                assessment(&year.to_string(), "excellent", &[*link]),
            )
            .await;
        assert_eq!(assessed.status, 201, "{assessed:?}");
        suggested.push(assessed.body);
    }
    // The fed value is the official actual: 80 of 90, not met, whatever the report says.
    let fed = &suggested[0];
    let completion = item(fed)["completion"].as_f64().unwrap();
    assert!((completion - 80.0 / 90.0).abs() < 1e-9, "{completion}");
    assert_eq!(
        (&item(fed)["done"], &item(fed)["exceeded"]),
        (&json!(false), &json!(false))
    );
    let source_of_fed = source(fed, "completion");
    assert_eq!(source_of_fed["kind"], "feed");
    assert_eq!(source_of_fed["ids"], json!([observation]));
    // Without a licensed feed the head's accepted report stands.
    let reported = &suggested[1];
    assert_eq!(item(reported)["done"], true);
    assert_eq!(source(reported, "completion")["kind"], "report");
    assert_eq!(reported["suggestion"]["grade"], "excellent");
    assert_ne!(fed["suggestion"]["grade"], "excellent");
}

#[actix_web::test]
async fn a_contest_needs_a_reason_and_evidence_and_stands_beside_the_derived_value() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let tasks = issued_tasks(&app, "VP", &["VP-SO-TNMT", "VP-SO-KHDT"], year, false)
        .await
        .tasks;
    let (head, ob) = (
        app.token("head.so-tnmt").await,
        app.token("bantochuc.1").await,
    );
    let link = delivered(&app, tasks[0], "head.so-tnmt", &format!("{year}-Q1"), 100.0).await;
    let elsewhere = evidence_link(&app, tasks[1], "head.so-khdt", "Biên bản của sở khác")
        .await
        .id();
    let path = format!("/api/v1/assignments/{}/evaluations", tasks[0]);
    let period = year.to_string();
    let with = |c: Value| {
        let mut body = assessment(&period, "excellent", &[link]);
        body["contests"] = json!([c]);
        body
    };

    // The head claims the product exceeded its requirement: refused without a reason, without
    // evidence (of this assignment), for another item or with a value of the wrong type.
    let mut no_reason = contest("NV-1", "exceeded", json!(true), &[link]);
    no_reason["reason"] = json!("");
    let mut reason_missing = no_reason.clone();
    reason_missing.as_object_mut().unwrap().remove("reason");
    let refused = app.post(&path, &head, with(reason_missing)).await;
    assert_problem(&refused, 422);
    assert!(refused.text.contains("`reason`"), "{refused:?}");
    for (bad, field) in [
        (no_reason, "reason"),
        (
            contest("NV-1", "exceeded", json!(true), &[]),
            "evidence_ids",
        ),
        (
            contest("NV-1", "exceeded", json!(true), &[elsewhere]),
            "evidence_ids",
        ),
        (contest("NV-9", "exceeded", json!(true), &[link]), "key"),
        (contest("NV-1", "exceeded", json!(5), &[link]), "value"),
    ] {
        let refused = app.post(&path, &head, with(bad)).await;
        assert_eq!(fields(&refused), [format!("contests[0].{field}")]);
    }
    assert_eq!(evaluation_count(&app, tasks[0]).await, 0);

    // With both, the contest is recorded beside the derived value and graded in its place.
    let assessed = app
        .post(
            &path,
            &head,
            with(contest("NV-1", "exceeded", json!(true), &[link])),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let derivation = &assessed.body["facts"]["derivation"][0];
    assert_eq!(derivation["derived"]["exceeded"], false);
    assert_eq!(derivation["graded"]["exceeded"], true);
    assert_eq!(derivation["contests"][0]["fact"], "exceeded");
    assert_eq!(derivation["contests"][0]["by"], "head");
    assert_eq!(derivation["contests"][0]["evidence_ids"], json!([link]));
    assert_eq!(item(&assessed.body)["exceeded"], true);
    assert_eq!(assessed.body["suggestion"]["grade"], "excellent");

    // The Board contests the same fact back: the latest contest is graded, both are kept.
    let appraised = app
        .post_if(
            &format!("/api/v1/evaluations/{}/appraise", assessed.id()),
            &ob,
            &assessed.etag(),
            json!({"grade": "good", "remarks": "Chưa vượt yêu cầu",
                "contests": [contest("NV-1", "exceeded", json!(false), &[link])]}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let evaluation = &appraised.body["evaluation"];
    let derivation = &evaluation["facts"]["derivation"][0];
    let by: Vec<&str> = derivation["contests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["by"].as_str().unwrap())
        .collect();
    assert_eq!(by, ["head", "board"]);
    assert_eq!(derivation["derived"]["exceeded"], false);
    assert_eq!(derivation["graded"]["exceeded"], false);
    assert_eq!(evaluation["suggestion"]["grade"], "good");
}

#[actix_web::test]
async fn a_decision_departing_from_the_suggestion_needs_a_reason() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let task = issued_tasks(&app, "VP", &["VP-SO-TNMT"], year, false)
        .await
        .tasks[0];
    let (head, ob, sc) = (
        app.token("head.so-tnmt").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let link = delivered(&app, task, "head.so-tnmt", &format!("{year}-Q1"), 100.0).await;
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            assessment(&year.to_string(), "good", &[link]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    assert_eq!(assessed.body["suggestion"]["grade"], "good");
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

    // Excellent departs from the suggested good: refused without a reason, or a blank one.
    for body in [
        json!({"grade": "excellent"}),
        json!({"grade": "excellent", "departure_reason": "   "}),
    ] {
        let refused = app
            .post_if(&format!("{url}/decide"), &sc, &appraised.etag(), body)
            .await;
        assert_eq!(fields(&refused), ["departure_reason"]);
    }
    let reason = "Sản phẩm được Trung ương biểu dương, vượt mức yêu cầu";
    let decided = app
        .post_if(
            &format!("{url}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "excellent", "departure_reason": reason}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    assert_eq!(decided.body["evaluation"]["decided_grade"], "excellent");
    // The reason is stored with the decision and read back with it.
    assert_eq!(decided.body["evaluation"]["departure_reason"], reason);
    let read = app.get(&url, &sc).await;
    assert_eq!(read.body["departure_reason"], reason, "{read:?}");
}

#[actix_web::test]
async fn a_spot_check_discrepancy_is_a_quality_defect_of_the_drawn_assignment() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let built = issued_tasks(&app, "VP", &["VP-SO-TNMT", "VP-SO-KHDT"], year, false).await;
    let heads = ["head.so-tnmt", "head.so-khdt"];
    let mut links = Vec::new();
    for (task, head) in built.tasks.iter().zip(heads) {
        links.push(delivered(&app, *task, head, &format!("{year}-Q1"), 100.0).await);
    }
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    // Half of the round is drawn: one of its two assignments.
    let drawn = app
        .post(
            &format!("/api/v1/rounds/{}/spot-checks", built.round),
            &ob,
            json!({"share": 0.5, "seed": format!("kiem-tra-{year}")}),
        )
        .await;
    assert_eq!(drawn.status, 201, "{drawn:?}");
    let ids = drawn.body["drawn_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 1, "{drawn:?}");
    let i = built.tasks.iter().position(|t| json!(t) == ids[0]).unwrap();
    let (task, other, head, link) = (built.tasks[i], built.tasks[1 - i], heads[i], links[i]);

    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &app.token(head).await,
            assessment(&year.to_string(), "good", &[link]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    assert_eq!(item(&assessed.body)["quality_defects"], 0);

    // Only holders of evidence_verify on the assigning unit record findings, only for a drawn
    // assignment, a discrepancy only with evidence.
    let findings = format!("/api/v1/spot-checks/{}/findings", drawn.id());
    let discrepancy = json!({"assignment_id": task, "outcome": "discrepancy",
        "note": "Thực địa còn 3 hộ chưa bàn giao mặt bằng", "evidence_ids": [link]});
    assert_problem(
        &app.post(
            &findings,
            &app.token("head.so-tnmt").await,
            discrepancy.clone(),
        )
        .await,
        403,
    );
    let mut not_drawn = discrepancy.clone();
    not_drawn["assignment_id"] = json!(other);
    not_drawn["evidence_ids"] = json!([links[1 - i]]);
    assert_eq!(
        fields(&app.post(&findings, &ob, not_drawn).await),
        ["assignment_id"]
    );
    let mut no_evidence = discrepancy.clone();
    no_evidence["evidence_ids"] = json!([]);
    assert_eq!(
        fields(&app.post(&findings, &ob, no_evidence).await),
        ["evidence_ids"]
    );
    let found = app.post(&findings, &ob, discrepancy).await;
    assert_eq!(found.status, 201, "{found:?}");
    assert_eq!(found.body["outcome"], "discrepancy");
    // One finding per assignment and check.
    assert_problem(
        &app.post(
            &findings,
            &ob,
            json!({"assignment_id": task, "outcome": "confirmed",
            "note": "Đối chiếu lại"}),
        )
        .await,
        409,
    );
    let listed = app.get(&findings, &sc).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    let listed = listed.body["items"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], found.body["id"]);
    assert_eq!(listed[0]["assignment_id"], json!(task));

    // The appraisal reads the record again: the discrepancy is a quality defect.
    let appraised = app
        .post_if(
            &format!("/api/v1/evaluations/{}/appraise", assessed.id()),
            &ob,
            &assessed.etag(),
            json!({"grade": "complete", "remarks": "Kiểm tra thực địa phát hiện sai lệch"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let evaluation = &appraised.body["evaluation"];
    assert_eq!(item(evaluation)["quality_defects"], 1);
    assert_eq!(
        source(evaluation, "quality_defects")["ids"],
        json!([found.body["id"]])
    );
    assert!(codes(evaluation).contains(&"quality_penalty".to_string()));
    assert_ne!(
        evaluation["suggestion"]["score"],
        assessed.body["suggestion"]["score"]
    );
}

#[actix_web::test]
async fn results_never_count_a_task_graded_not_complete_as_completed() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let built = issued_tasks(&app, "VP", &["VP-SO-TNMT", "VP-SO-KHDT"], year, false).await;
    let mut links = Vec::new();
    for (task, head) in built.tasks.iter().zip(["head.so-tnmt", "head.so-khdt"]) {
        links.push(delivered(&app, *task, head, &format!("{year}-Q1"), 100.0).await);
    }
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let report = format!(
        "/api/v1/reports/results?round_id={}&group_by=unit",
        built.round
    );
    let before = app.get(&report, &sc).await;
    assert_eq!(before.status, 200, "{before:?}");
    assert_eq!(before.body["total"]["completed"], 2, "{before:?}");

    // The first department's head is disciplined: graded not complete.
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{}/evaluations", built.tasks[0]),
            &app.token("head.so-tnmt").await,
            assessment(&year.to_string(), "good", &[links[0]]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let url = format!("/api/v1/evaluations/{}", assessed.id());
    let appraised = app
        .post_if(
            &format!("{url}/appraise"),
            &ob,
            &assessed.etag(),
            json!({"grade": "not_complete", "remarks": "Bị kỷ luật khiển trách trong năm",
                "facts": ["discipline_reprimand_or_above"]}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let decided = app
        .post_if(
            &format!("{url}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "not_complete"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");

    // Its reports still show it done, but it is no longer counted as completed.
    let after = app.get(&report, &sc).await;
    assert_eq!(after.status, 200, "{after:?}");
    let total = &after.body["total"];
    assert_eq!(
        (
            &total["assigned"],
            &total["completed"],
            &total["completed_on_time"],
            &total["in_progress"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(1)),
        "{after:?}"
    );
    assert_eq!(total["grades"]["not_complete"], 1);
    assert_eq!(total["grades"]["ungraded"], 1);
    let row = |unit: Uuid| {
        after.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == unit.to_string())
            .map(|r| r["tally"].clone())
            .unwrap_or_else(|| panic!("no row {unit}: {after:?}"))
    };
    let graded = row(app.unit("VP-SO-TNMT").await);
    assert_eq!(
        (&graded["completed"], &graded["grades"]["not_complete"]),
        (&json!(0), &json!(1))
    );
    assert_eq!(row(app.unit("VP-SO-KHDT").await)["completed"], 1);
}

#[actix_web::test]
async fn a_decision_locks_its_record_until_the_board_reopens_it() {
    let app = TestApp::spawn().await;
    let year = this_year();
    let task = issued_tasks(&app, "VP", &["VP-SO-TNMT"], year, false)
        .await
        .tasks[0];
    let (head, ob, sc) = (
        app.token("head.so-tnmt").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let q1 = format!("{year}-Q1");
    let report = accepted_report(&app, task, "head.so-tnmt", &q1, task_report(100.0)).await;
    let evidence = evidence_link(&app, task, "head.so-tnmt", "Biên bản nghiệm thu").await;
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &head,
            assessment(&year.to_string(), "good", &[evidence.id()]),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let url = format!("/api/v1/evaluations/{}", assessed.id());

    // Before the decision the record may still change; reopening an undecided one is refused.
    assert_problem(
        &app.post(
            &format!("{url}/reopen"),
            &ob,
            json!({"reason": "Sửa số liệu"}),
        )
        .await,
        409,
    );
    let appraised = app
        .post_if(
            &format!("{url}/appraise"),
            &ob,
            &assessed.etag(),
            json!({"grade": "good", "remarks": "Đúng thực tế"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let suggested = appraised.body["evaluation"]["suggestion"]["grade"].clone();
    let decided = app
        .post_if(
            &format!("{url}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": suggested, "note": "Quyết định xếp loại"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");

    // Decided: the report of the period and the evidence it saw are locked.
    let report_url = format!("/api/v1/assignments/{task}/progress-reports/{q1}");
    let correct = |etag: String| {
        let (app, head, report_url) = (&app, &head, &report_url);
        async move {
            app.send(
                reqwest::Method::PUT,
                report_url,
                head,
                Some(task_report(80.0)),
                &[("If-Match", etag.as_str())],
            )
            .await
        }
    };
    assert_problem(&correct(report.etag()).await, 409);
    let retract = format!("/api/v1/evidence/{}/retract", evidence.id());
    assert_problem(
        &app.post_if(
            &retract,
            &head,
            &evidence.etag(),
            json!({"reason": "Nhầm tệp"}),
        )
        .await,
        409,
    );
    let past = json!({"reports": [{"assignment_id": task, "period": format!("{year}-Q1"),
        "content": task_report(50.0), "submitted_on": format!("{year}-01-02"),
        "source_document": "Báo cáo giấy"}]});
    let entered = app
        .post("/api/v1/history/progress-reports", &ob, past)
        .await;
    assert_eq!(
        entered.body["items"][0]["status"], "rejected",
        "{entered:?}"
    );

    // The Board reopens with a reason (only the Board; a reason is required), the correction
    // goes through, and the record locks again.
    assert_problem(
        &app.post(&format!("{url}/reopen"), &head, json!({"reason": "x"}))
            .await,
        403,
    );
    assert_problem(
        &app.post(&format!("{url}/reopen"), &ob, json!({"reason": ""}))
            .await,
        422,
    );
    let reopened = app
        .post(
            &format!("{url}/reopen"),
            &ob,
            json!({"reason": "Biên bản kiểm tra cho thấy quý I mới đạt 80%"}),
        )
        .await;
    assert_eq!(reopened.status, 201, "{reopened:?}");
    assert_problem(
        &app.post(&format!("{url}/reopen"), &ob, json!({"reason": "lần hai"}))
            .await,
        409,
    );
    let corrected = correct(report.etag()).await;
    assert_eq!(corrected.status, 200, "{corrected:?}");
    assert_eq!(corrected.body["revision"], 2);
    let relocked = app.post(&format!("{url}/relock"), &ob, json!({})).await;
    assert_eq!(relocked.status, 200, "{relocked:?}");
    assert!(relocked.body["closed_at"].is_string());
    assert_problem(
        &app.post(&format!("{url}/relock"), &ob, json!({})).await,
        409,
    );
    assert_problem(&correct(corrected.etag()).await, 409);

    // The reopening stays on record, readable by the head.
    let listed = app.get(&format!("{url}/reopenings"), &head).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        listed.body["items"][0]["reason"],
        "Biên bản kiểm tra cho thấy quý I mới đạt 80%"
    );
}
