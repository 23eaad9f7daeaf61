//! History entered as it happened: a past round's reports entered from paper with their real
//! days read on time or late by those days, appear in "as of" figures from those days, keep
//! the moment of entry beside them, and a batch answers one outcome per item.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

fn past(task: Uuid, period: &str, submitted: &str, accepted: Option<&str>) -> Value {
    json!({"assignment_id": task, "period": period,
        "content": {"narrative": "Đã bàn giao mặt bằng", "self_assessed_completion": 100.0,
            "confidence": "on_track"},
        "submitted_on": submitted, "accepted_on": accepted,
        "source_document": format!("Báo cáo ngày {submitted}")})
}

#[actix_web::test]
async fn a_past_round_entered_with_its_real_days_reads_as_it_happened() {
    let app = TestApp::spawn().await;
    let (ob, head) = (
        app.token("bantochuc.1").await,
        app.token("head.so-tnmt").await,
    );
    let built = Round::of(&app, "VP")
        .with("reporting_cadence", "yearly")
        .with("report_due_days", 15)
        .override_reason("Nhập hồ sơ năm 2022 từ bản giấy")
        .task("VP-SO-TNMT")
        .task("VP-SO-KHDT")
        .issue()
        .await;
    let (tnmt, khdt) = (built.tasks[0], built.tasks[1]);
    let url = "/api/v1/history/progress-reports";
    let batch = json!({"reports": [
        past(tnmt, "2022-Y", "2022-12-20", Some("2022-12-28")),
        past(khdt, "2022-Y", "2023-02-10", Some("2023-01-31")),
        past(khdt, "2022-Y", "2023-02-10", Some("2023-02-15")),
        past(khdt, "2022-Y", "2023-02-11", None),
        past(Uuid::now_v7(), "2022-Y", "2023-01-10", None),
        past(tnmt, "2022-Q1", "2022-04-10", None),
    ]});

    // Only the Board enters history; a bad body is refused whole and changes nothing.
    assert_problem(&app.post(url, &head, batch.clone()).await, 403);
    assert_problem(&app.post(url, &ob, json!({"reports": []})).await, 422);
    let audit = app.audit_count().await;

    let res = app.post(url, &ob, batch).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(
        (res.body["recorded"].clone(), res.body["rejected"].clone()),
        (json!(2), json!(4))
    );
    let outcome = |i: usize| &res.body["items"][i];
    let codes = |i: usize| -> Vec<String> {
        outcome(i)["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(outcome(0)["status"], "recorded");
    assert_eq!(codes(1), ["reports[1].accepted_on:out_of_range"]);
    assert_eq!(outcome(2)["status"], "recorded");
    assert_eq!(codes(3), ["reports[3].period:already_reported"]);
    assert_eq!(codes(4), ["reports[4].assignment_id:unknown_assignment"]);
    assert_eq!(codes(5), ["reports[5].period:not_in_schedule"]);
    assert_eq!(
        app.audit_count().await,
        audit + 2,
        "one audit row per recorded item"
    );

    // The report reads as it happened, with its document; its history keeps the entry moment.
    let id = outcome(0)["id"].as_str().unwrap().to_string();
    let report = app
        .get(&format!("/api/v1/progress-reports/{id}"), &ob)
        .await;
    assert_eq!(report.status, 200, "{report:?}");
    assert_eq!(report.body["state"], "accepted");
    assert!(report.body["first_submitted_at"]
        .as_str()
        .unwrap()
        .starts_with("2022-12-20"));
    assert_eq!(report.body["timeliness"], "completed_on_time", "{report:?}");
    assert_eq!(report.body["source_document"], "Báo cáo ngày 2022-12-20");
    let revisions = app
        .get(&format!("/api/v1/progress-reports/{id}/revisions"), &ob)
        .await;
    let steps = revisions.body["items"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{revisions:?}");
    assert!(steps[1]["occurred_at"]
        .as_str()
        .unwrap()
        .starts_with("2022-12-28"));
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(steps[1]["recorded_at"]
        .as_str()
        .unwrap()
        .starts_with(&today[..4]));
    let late = outcome(2)["id"].as_str().unwrap().to_string();
    let late = app
        .get(&format!("/api/v1/progress-reports/{late}"), &ob)
        .await;
    assert_eq!(late.body["timeliness"], "completed_late", "{late:?}");

    // "As of" figures follow the stated days: nothing done by mid-December 2022, one on time
    // by the end of January, and the late one by March.
    let results = format!(
        "/api/v1/reports/results?round_id={}&group_by=unit",
        built.round
    );
    let total = |as_of: &'static str| {
        let (app, ob, results) = (&app, &ob, &results);
        async move {
            let res = app.get(&format!("{results}&as_of={as_of}"), ob).await;
            assert_eq!(res.status, 200, "{res:?}");
            res.body["total"].clone()
        }
    };
    let end_2022 = total("2022-12-15").await;
    assert_eq!(
        (
            end_2022["completed"].clone(),
            end_2022["in_progress"].clone()
        ),
        (json!(0), json!(2))
    );
    let january = total("2023-01-31").await;
    assert_eq!(
        (
            january["completed_on_time"].clone(),
            january["overdue"].clone()
        ),
        (json!(1), json!(1))
    );
    let march = total("2023-03-31").await;
    assert_eq!(
        (
            march["completed_on_time"].clone(),
            march["completed_late"].clone()
        ),
        (json!(1), json!(1))
    );
}

fn past_evaluation(task: Uuid, grade: &str, decided: &str) -> Value {
    json!({"assignment_id": task, "period": "2022", "self_grade": grade,
        "self_assessed_on": "2023-01-05", "appraised_grade": grade, "appraised_on": "2023-01-10",
        "grade": grade, "decided_on": decided,
        "source_document": "Quyết định số 120-QĐ/TU ngày 15/01/2023"})
}

#[actix_web::test]
async fn past_decisions_are_entered_with_their_days_and_rest_on_the_record() {
    let app = TestApp::spawn().await;
    let (ob, head) = (
        app.token("bantochuc.1").await,
        app.token("head.so-tnmt").await,
    );
    let built = Round::of(&app, "VP")
        .with("reporting_cadence", "yearly")
        .override_reason("Nhập hồ sơ năm 2022 từ bản giấy")
        .task("VP-SO-TNMT")
        .task("VP-SO-KHDT")
        .issue()
        .await;
    let (tnmt, khdt) = (built.tasks[0], built.tasks[1]);
    let reports = json!({"reports": [past(tnmt, "2022-Y", "2022-12-20", Some("2022-12-28"))]});
    let res = app
        .post("/api/v1/history/progress-reports", &ob, reports)
        .await;
    assert_eq!(res.body["recorded"], 1, "{res:?}");
    evidence_link(&app, tnmt, "head.so-tnmt", "Biên bản bàn giao mặt bằng").await;

    let url = "/api/v1/history/evaluations";
    let mut shuffled = past_evaluation(tnmt, "good", "2023-01-15");
    shuffled["appraised_on"] = json!("2023-01-01");
    let mut unsourced = past_evaluation(tnmt, "good", "2023-01-15");
    unsourced["source_document"] = json!("");
    let batch = json!({"evaluations": [
        past_evaluation(tnmt, "good", "2023-01-15"),
        past_evaluation(khdt, "good", "2023-01-15"),
        past_evaluation(tnmt, "good", "2023-01-16"),
        shuffled,
        unsourced,
        past_evaluation(Uuid::now_v7(), "good", "2023-01-15"),
    ]});
    assert_problem(&app.post(url, &head, batch.clone()).await, 403);
    let audit = app.audit_count().await;
    let res = app.post(url, &ob, batch).await;
    assert_eq!(res.status, 200, "{res:?}");
    let codes = |i: usize| -> Vec<String> {
        res.body["items"][i]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(res.body["items"][0]["status"], "recorded", "{res:?}");
    // Nothing on record for the other task suggests not complete: "good" needs a reason.
    assert_eq!(codes(1), ["evaluations[1].departure_reason:required"]);
    assert_eq!(codes(2), ["evaluations[2].period:already_evaluated"]);
    assert_eq!(codes(3), ["evaluations[3].appraised_on:out_of_range"]);
    assert_eq!(codes(4), ["evaluations[4].source_document:length"]);
    assert_eq!(codes(5), ["evaluations[5].assignment_id:not_found"]);
    assert_eq!(app.audit_count().await, audit + 1);

    // The decision reads as it happened, with its paper and the moment of entry.
    let id = res.body["items"][0]["id"].as_str().unwrap().to_string();
    let e = app.get(&format!("/api/v1/evaluations/{id}"), &ob).await;
    assert_eq!(e.status, 200, "{e:?}");
    assert_eq!(e.body["state"], "decided");
    assert_eq!(e.body["decided_grade"], "good");
    assert_eq!(e.body["suggestion"]["grade"], "good", "{e:?}");
    assert!(e.body["decided_at"]
        .as_str()
        .unwrap()
        .starts_with("2023-01-15"));
    assert!(e.body["self_assessed_at"]
        .as_str()
        .unwrap()
        .starts_with("2023-01-05"));
    assert_eq!(
        e.body["entered_from"]["source_document"],
        "Quyết định số 120-QĐ/TU ngày 15/01/2023"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(e.body["entered_from"]["recorded_at"]
        .as_str()
        .unwrap()
        .starts_with(&today));

    // With a reason the departure is recorded; the grades count from their stated days.
    let mut departing = past_evaluation(khdt, "complete", "2023-01-20");
    departing["departure_reason"] = json!("Hồ sơ giấy ghi nhận sản phẩm đã bàn giao");
    let res = app
        .post(url, &ob, json!({"evaluations": [departing]}))
        .await;
    assert_eq!(res.body["recorded"], 1, "{res:?}");
    let graded = |as_of: &'static str| {
        let (app, ob, round) = (&app, &ob, built.round);
        async move {
            let url = format!("/api/v1/reports/results?round_id={round}&as_of={as_of}");
            let res = app.get(&url, ob).await;
            assert_eq!(res.status, 200, "{res:?}");
            res.body["total"]["grades"].clone()
        }
    };
    assert_eq!(graded("2023-01-10").await["ungraded"], 2);
    let later = graded("2023-01-31").await;
    assert_eq!(
        (later["good"].clone(), later["complete"].clone()),
        (json!(1), json!(1))
    );

    // The results of people follow the same days.
    let people = |as_of: &'static str| {
        let (app, ob) = (&app, &ob);
        async move {
            let res = app
                .get(
                    &format!("/api/v1/reports/people?year=2022&as_of={as_of}"),
                    ob,
                )
                .await;
            assert_eq!(res.status, 200, "{res:?}");
            res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["tally"]["graded"].as_u64().unwrap())
                .sum::<u64>()
        }
    };
    assert_eq!(people("2023-01-10").await, 0);
    // Two grades: the TNMT one goes to both directors of 2022 (the post changed hands on
    // 1 July), the KHDT one to its director.
    assert_eq!(people("2023-01-31").await, 3);
}
