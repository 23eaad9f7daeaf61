//! A quarter of progress reporting over HTTP: on time, late and missing reports, a returned
//! and corrected report read "as of" before and after, and confidence that needs explaining.

use chrono::{Days, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use cadre_api::domain::periods::{Cadence, Period};

use crate::common::*;

async fn task(
    app: &TestApp,
    ob: &str,
    round: &Value,
    unit: Uuid,
    start: &str,
    end: &str,
) -> String {
    let res = app
        .post("/api/v1/assignments", ob, json!({"round_id": round["id"], "assignee_unit_id": unit,
            "title": "Tỷ lệ giải quyết hồ sơ đúng hạn", "content_area": "government_building", "kind": "target",
            "start_date": start, "end_date": end,
            "target": {"unit_of_measure": "%", "shape": "at_least", "value": 90.0}}))
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.body["id"].as_str().unwrap().to_string()
}

fn report(narrative: &str, value: f64, measured_on: &str, confidence: &str) -> Value {
    json!({"narrative": narrative, "actual_value": value, "measured_on": measured_on,
        "value_source": "Hệ thống một cửa điện tử", "self_assessed_completion": 80.0,
        "confidence": confidence, "obstacles": "Thiếu nhân lực", "proposals": "Bổ sung biên chế"})
}

#[actix_web::test]
async fn a_quarter_of_reporting_with_a_correction_read_as_of() {
    let app = TestApp::spawn().await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let today = Utc::now().date_naive();
    // The current quarter (its report not yet due) and the previous one (due date passed).
    let current = Period::containing(Cadence::Quarterly, today).unwrap();
    let previous = Period::containing(Cadence::Quarterly, current.start - Days::new(1)).unwrap();
    let (start, end) = (previous.start.to_string(), current.end.to_string());
    let vp = app.unit("VP").await;
    let round = app
        .post("/api/v1/rounds", &ob, json!({"assigning_unit_id": vp, "year": current.year, "title": "Đợt giao thử báo cáo",
            "decision_number": "30-QĐ/TU", "decision_date": start, "reporting_cadence": "quarterly", "report_due_days": 0}))
        .await;
    assert_eq!(round.status, 201, "{round:?}");
    let (tnmt, khdt, tc) = (
        app.unit("VP-SO-TNMT").await,
        app.unit("VP-SO-KHDT").await,
        app.unit("VP-SO-TC").await,
    );
    let late = task(&app, &ob, &round.body, tnmt, &start, &end).await;
    let on_time = task(&app, &ob, &round.body, khdt, &start, &end).await;
    let missing = task(&app, &ob, &round.body, tc, &start, &end).await;
    let issued = app
        .post_if(
            &format!("/api/v1/rounds/{}/issue", round.id()),
            &app.token("thuongvu.1").await,
            &round.etag(),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");

    // The schedule: two quarters; nothing reported yet, so the past one is overdue.
    let schedule = app
        .get(
            &format!("/api/v1/assignments/{missing}/reporting-schedule"),
            &sc,
        )
        .await;
    assert_eq!(schedule.status, 200, "{schedule:?}");
    let periods = schedule.body["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "{schedule:?}");
    assert_eq!(periods[0]["period_code"], previous.code());
    assert_eq!(periods[0]["timeliness"], "overdue");
    assert_eq!(periods[1]["timeliness"], "in_progress_within_deadline");
    assert_eq!(schedule.body["timeliness"], "overdue");

    // Staff prepare, the head submits: the current quarter on time, the past quarter late.
    let staff = app.token("staff.so-tnmt.1").await;
    let head = app.token("head.so-tnmt").await;
    let url = format!(
        "/api/v1/assignments/{late}/progress-reports/{}",
        previous.code()
    );
    let put = |token: String, body: Value, etag: Option<String>| {
        let app = &app;
        let url = url.clone();
        async move {
            let headers: Vec<(&str, &str)> = etag
                .as_deref()
                .map(|e| vec![("If-Match", e)])
                .unwrap_or_default();
            app.send(reqwest::Method::PUT, &url, &token, Some(body), &headers)
                .await
        }
    };
    let measured = previous.end.to_string();
    let draft = put(
        staff.clone(),
        report("Đã giải quyết 850/1000 hồ sơ", 85.0, &measured, "on_track"),
        None,
    )
    .await;
    assert_eq!(draft.status, 201, "{draft:?}");
    let id = draft.body["id"].as_str().unwrap().to_string();
    assert_problem(
        &app.post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &staff,
            &draft.etag(),
            json!({}),
        )
        .await,
        403,
    );
    let submitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &head,
            &draft.etag(),
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    assert_eq!(submitted.body["timeliness"], "completed_late");

    let khdt_head = app.token("head.so-khdt").await;
    let khdt_url = format!(
        "/api/v1/assignments/{on_time}/progress-reports/{}",
        current.code()
    );
    let other = app
        .send(
            reqwest::Method::PUT,
            &khdt_url,
            &khdt_head,
            Some(report("Đạt 92%", 92.0, &today.to_string(), "on_track")),
            &[],
        )
        .await;
    assert_eq!(other.status, 201, "{other:?}");
    let sent = app
        .post_if(
            &format!("/api/v1/progress-reports/{}/submit", other.id()),
            &khdt_head,
            &other.etag(),
            json!({}),
        )
        .await;
    assert_eq!(sent.body["timeliness"], "completed_on_time", "{sent:?}");
    // A head cannot write another unit's report; a period outside the schedule is refused.
    assert_problem(
        &app.send(
            reqwest::Method::PUT,
            &khdt_url,
            &head,
            Some(report("x", 1.0, &measured, "on_track")),
            &[],
        )
        .await,
        404,
    );
    let bad_period = format!("/api/v1/assignments/{late}/progress-reports/1999-Q1");
    assert_problem(
        &app.send(
            reqwest::Method::PUT,
            &bad_period,
            &head,
            Some(report("x", 1.0, &measured, "on_track")),
            &[],
        )
        .await,
        422,
    );

    // The Board returns it; it is corrected, resubmitted and accepted.
    assert_problem(
        &app.post_if(
            &format!("/api/v1/progress-reports/{id}/accept"),
            &sc,
            &submitted.etag(),
            json!({}),
        )
        .await,
        403,
    );
    assert_problem(
        &app.post_if(
            &format!("/api/v1/progress-reports/{id}/return"),
            &ob,
            &submitted.etag(),
            json!({}),
        )
        .await,
        422,
    );
    let returned = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/return"),
            &ob,
            &submitted.etag(),
            json!({"comment": "Số liệu chưa khớp với hệ thống một cửa"}),
        )
        .await;
    assert_eq!(returned.body["state"], "returned", "{returned:?}");
    let fixed = put(
        staff.clone(),
        report("Đã giải quyết 870/1000 hồ sơ", 87.0, &measured, "on_track"),
        Some(returned.etag()),
    )
    .await;
    assert_eq!(fixed.status, 200, "{fixed:?}");
    let resubmitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &head,
            &fixed.etag(),
            json!({}),
        )
        .await;
    let accepted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/accept"),
            &ob,
            &resubmitted.etag(),
            json!({}),
        )
        .await;
    assert_eq!(accepted.body["state"], "accepted", "{accepted:?}");
    assert_eq!(accepted.body["revision"], 1);
    // Still late: timeliness is fixed by the first submission.
    assert_eq!(accepted.body["timeliness"], "completed_late");
    let between = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // A correction after acceptance opens revision 2; "as of" reads still see revision 1.
    let corrected = put(
        staff.clone(),
        report("Điều chỉnh: 880/1000 hồ sơ", 88.0, &measured, "on_track"),
        Some(accepted.etag()),
    )
    .await;
    assert_eq!(corrected.status, 200, "{corrected:?}");
    assert_eq!(corrected.body["revision"], 2);
    assert_eq!(corrected.body["state"], "draft");
    let again = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &head,
            &corrected.etag(),
            json!({}),
        )
        .await;
    app.post_if(
        &format!("/api/v1/progress-reports/{id}/accept"),
        &ob,
        &again.etag(),
        json!({}),
    )
    .await;
    let now = app
        .get(&format!("/api/v1/progress-reports/{id}"), &sc)
        .await;
    assert_eq!(now.body["content"]["actual_value"], 88.0);
    assert_eq!(now.body["revision"], 2);
    let as_of = |t: chrono::DateTime<Utc>| {
        format!(
            "as_of={}",
            t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                .replace('+', "%2B")
        )
    };
    let then = app
        .get(
            &format!("/api/v1/progress-reports/{id}?{}", as_of(between)),
            &sc,
        )
        .await;
    assert_eq!(then.status, 200, "{then:?}");
    assert_eq!(then.body["content"]["actual_value"], 87.0);
    assert_eq!(then.body["revision"], 1);
    assert_eq!(then.body["state"], "accepted");
    let before_any = app
        .get(
            &format!(
                "/api/v1/assignments/{late}/progress-reports?{}",
                as_of(between - chrono::Duration::hours(1))
            ),
            &sc,
        )
        .await;
    assert_eq!(
        before_any.body.as_array().unwrap().len(),
        0,
        "{before_any:?}"
    );
    let history = app
        .get(&format!("/api/v1/progress-reports/{id}/revisions"), &sc)
        .await;
    assert_eq!(history.body.as_array().unwrap().len(), 9, "{history:?}");

    // Confidence that worsens needs a narrative.
    let cur_url = format!(
        "/api/v1/assignments/{late}/progress-reports/{}",
        current.code()
    );
    let worse = app
        .send(
            reqwest::Method::PUT,
            &cur_url,
            &head,
            Some(report("Chậm", 60.0, &today.to_string(), "off_track")),
            &[],
        )
        .await;
    assert_problem(&worse, 422);
    assert_eq!(worse.body["errors"][0]["field"], "confidence_narrative");
    let mut explained = report("Chậm", 60.0, &today.to_string(), "off_track");
    explained["confidence_narrative"] = json!("Thiên tai làm gián đoạn hệ thống");
    assert_eq!(
        app.send(reqwest::Method::PUT, &cur_url, &head, Some(explained), &[])
            .await
            .status,
        201
    );

    // The schedules now tell each unit's state.
    let s = app
        .get(
            &format!("/api/v1/assignments/{on_time}/reporting-schedule"),
            &sc,
        )
        .await;
    assert_eq!(s.body["periods"][1]["timeliness"], "completed_on_time");
    let s = app
        .get(
            &format!("/api/v1/assignments/{late}/reporting-schedule"),
            &sc,
        )
        .await;
    assert_eq!(s.body["periods"][0]["timeliness"], "completed_late");
    assert_eq!(s.body["timeliness"], "overdue");
    assert_eq!(s.body["stale_days"], 0);
}
