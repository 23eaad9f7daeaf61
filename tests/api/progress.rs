//! A quarter of progress reporting over HTTP: on time, late and missing reports, a returned
//! and corrected report read "as of" before and after, and confidence that needs explaining.

use chrono::{Days, NaiveDate, Utc};
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

/// A round issued with one quarterly-reported target for each of three departments, running
/// from the start of the previous quarter (its report now overdue) to the end of the current one.
struct Quarter {
    ob: String,
    sc: String,
    staff: String,
    head: String,
    today: NaiveDate,
    current: Period,
    previous: Period,
    /// The department of natural resources' target, reported late.
    late: String,
    /// The department of planning's target, reported on time.
    on_time: String,
    /// The department of finance's target, never reported.
    missing: String,
}

impl Quarter {
    /// The URL of `task`'s report for `period`.
    fn url(&self, task: &str, period: &Period) -> String {
        format!(
            "/api/v1/assignments/{task}/progress-reports/{}",
            period.code()
        )
    }

    /// The late target's report for the previous quarter.
    fn late_url(&self) -> String {
        self.url(&self.late, &self.previous)
    }

    /// The day the previous quarter's figures were measured.
    fn measured(&self) -> String {
        self.previous.end.to_string()
    }
}

/// Writes a report with PUT, with If-Match when `etag` is given.
async fn put(app: &TestApp, url: &str, token: &str, body: Value, etag: Option<String>) -> Res {
    let headers: Vec<(&str, &str)> = etag
        .as_deref()
        .map(|e| vec![("If-Match", e)])
        .unwrap_or_default();
    app.send(reqwest::Method::PUT, url, token, Some(body), &headers)
        .await
}

/// The round issued with its three targets.
async fn issued(app: &TestApp) -> Quarter {
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
    let late = task(app, &ob, &round.body, tnmt, &start, &end).await;
    let on_time = task(app, &ob, &round.body, khdt, &start, &end).await;
    let missing = task(app, &ob, &round.body, tc, &start, &end).await;
    let issued = app
        .post_if(
            &format!("/api/v1/rounds/{}/issue", round.id()),
            &app.token("thuongvu.1").await,
            &round.etag(),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");
    Quarter {
        ob,
        sc,
        staff: app.token("staff.so-tnmt.1").await,
        head: app.token("head.so-tnmt").await,
        today,
        current,
        previous,
        late,
        on_time,
        missing,
    }
}

/// The late target's previous-quarter report, prepared by staff and submitted late by the
/// head: its id and the submitted report.
async fn submitted_late(app: &TestApp, q: &Quarter) -> (String, Res) {
    let draft = put(
        app,
        &q.late_url(),
        &q.staff,
        report(
            "Đã giải quyết 850/1000 hồ sơ",
            85.0,
            &q.measured(),
            "on_track",
        ),
        None,
    )
    .await;
    assert_eq!(draft.status, 201, "{draft:?}");
    let id = draft.body["id"].as_str().unwrap().to_string();
    let submitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &q.head,
            &draft.etag(),
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    (id, submitted)
}

/// The late report returned by the Board, corrected (87%), resubmitted and accepted: its id and
/// the accepted report.
async fn accepted_late(app: &TestApp, q: &Quarter) -> (String, Res) {
    let (id, submitted) = submitted_late(app, q).await;
    let returned = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/return"),
            &q.ob,
            &submitted.etag(),
            json!({"comment": "Số liệu chưa khớp với hệ thống một cửa"}),
        )
        .await;
    assert_eq!(returned.status, 200, "{returned:?}");
    let accepted = corrected_and_accepted(app, q, &id, &returned).await;
    (id, accepted)
}

/// Staff correct the returned report `id` (87%), the head resubmits and the Board accepts it:
/// the accepted report.
async fn corrected_and_accepted(app: &TestApp, q: &Quarter, id: &str, returned: &Res) -> Res {
    let fixed = put(
        app,
        &q.late_url(),
        &q.staff,
        report(
            "Đã giải quyết 870/1000 hồ sơ",
            87.0,
            &q.measured(),
            "on_track",
        ),
        Some(returned.etag()),
    )
    .await;
    assert_eq!(fixed.status, 200, "{fixed:?}");
    let resubmitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &q.head,
            &fixed.etag(),
            json!({}),
        )
        .await;
    assert_eq!(resubmitted.status, 200, "{resubmitted:?}");
    let accepted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/accept"),
            &q.ob,
            &resubmitted.etag(),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    accepted
}

/// The department of planning's head reports the current quarter on time: the submitted report.
async fn on_time_report(app: &TestApp, q: &Quarter) -> Res {
    let khdt_head = app.token("head.so-khdt").await;
    let other = put(
        app,
        &q.url(&q.on_time, &q.current),
        &khdt_head,
        report("Đạt 92%", 92.0, &q.today.to_string(), "on_track"),
        None,
    )
    .await;
    assert_eq!(other.status, 201, "{other:?}");
    app.post_if(
        &format!("/api/v1/progress-reports/{}/submit", other.id()),
        &khdt_head,
        &other.etag(),
        json!({}),
    )
    .await
}

#[actix_web::test]
async fn before_any_report_the_past_quarter_is_overdue() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    // The schedule: two quarters; nothing reported yet, so the past one is overdue.
    let schedule = app
        .get(
            &format!("/api/v1/assignments/{}/reporting-schedule", q.missing),
            &q.sc,
        )
        .await;
    assert_eq!(schedule.status, 200, "{schedule:?}");
    let periods = schedule.body["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "{schedule:?}");
    assert_eq!(periods[0]["period_code"], q.previous.code());
    assert_eq!(periods[0]["timeliness"], "overdue");
    assert_eq!(periods[1]["timeliness"], "in_progress_within_deadline");
    assert_eq!(schedule.body["timeliness"], "overdue");
}

#[actix_web::test]
async fn staff_prepare_and_the_head_submits_one_report_late_and_another_on_time() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    // Staff prepare, the head submits: the past quarter late, the current quarter on time.
    let draft = put(
        &app,
        &q.late_url(),
        &q.staff,
        report(
            "Đã giải quyết 850/1000 hồ sơ",
            85.0,
            &q.measured(),
            "on_track",
        ),
        None,
    )
    .await;
    assert_eq!(draft.status, 201, "{draft:?}");
    let id = draft.body["id"].as_str().unwrap().to_string();
    assert_problem(
        &app.post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &q.staff,
            &draft.etag(),
            json!({}),
        )
        .await,
        403,
    );
    let submitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &q.head,
            &draft.etag(),
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    assert_eq!(submitted.body["timeliness"], "completed_late");
    let sent = on_time_report(&app, &q).await;
    assert_eq!(sent.body["timeliness"], "completed_on_time", "{sent:?}");
}

#[actix_web::test]
async fn a_head_cannot_write_another_units_report_or_an_unscheduled_period() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    on_time_report(&app, &q).await;
    let measured = q.measured();
    assert_problem(
        &put(
            &app,
            &q.url(&q.on_time, &q.current),
            &q.head,
            report("x", 1.0, &measured, "on_track"),
            None,
        )
        .await,
        404,
    );
    let bad_period = format!("/api/v1/assignments/{}/progress-reports/1999-Q1", q.late);
    assert_problem(
        &put(
            &app,
            &bad_period,
            &q.head,
            report("x", 1.0, &measured, "on_track"),
            None,
        )
        .await,
        422,
    );
}

#[actix_web::test]
async fn a_returned_report_is_corrected_and_accepted_but_stays_late() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    let (id, submitted) = submitted_late(&app, &q).await;
    // The Board returns it (the Standing Committee cannot accept); it is corrected,
    // resubmitted and accepted.
    assert_problem(
        &app.post_if(
            &format!("/api/v1/progress-reports/{id}/accept"),
            &q.sc,
            &submitted.etag(),
            json!({}),
        )
        .await,
        403,
    );
    assert_problem(
        &app.post_if(
            &format!("/api/v1/progress-reports/{id}/return"),
            &q.ob,
            &submitted.etag(),
            json!({}),
        )
        .await,
        422,
    );
    let returned = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/return"),
            &q.ob,
            &submitted.etag(),
            json!({"comment": "Số liệu chưa khớp với hệ thống một cửa"}),
        )
        .await;
    assert_eq!(returned.body["state"], "returned", "{returned:?}");
    let accepted = corrected_and_accepted(&app, &q, &id, &returned).await;
    assert_eq!(accepted.body["state"], "accepted", "{accepted:?}");
    assert_eq!(accepted.body["revision"], 1);
    // Still late: timeliness is fixed by the first submission.
    assert_eq!(accepted.body["timeliness"], "completed_late");
}

#[actix_web::test]
async fn a_correction_after_acceptance_is_revision_2_and_as_of_reads_still_see_revision_1() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    let (id, accepted) = accepted_late(&app, &q).await;
    let (sc, late) = (&q.sc, &q.late);
    let between = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // A correction after acceptance opens revision 2; "as of" reads still see revision 1.
    let corrected = put(
        &app,
        &q.late_url(),
        &q.staff,
        report(
            "Điều chỉnh: 880/1000 hồ sơ",
            88.0,
            &q.measured(),
            "on_track",
        ),
        Some(accepted.etag()),
    )
    .await;
    assert_eq!(corrected.status, 200, "{corrected:?}");
    assert_eq!(corrected.body["revision"], 2);
    assert_eq!(corrected.body["state"], "draft");
    let again = app
        .post_if(
            &format!("/api/v1/progress-reports/{id}/submit"),
            &q.head,
            &corrected.etag(),
            json!({}),
        )
        .await;
    app.post_if(
        &format!("/api/v1/progress-reports/{id}/accept"),
        &q.ob,
        &again.etag(),
        json!({}),
    )
    .await;
    let now = app.get(&format!("/api/v1/progress-reports/{id}"), sc).await;
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
            sc,
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
            sc,
        )
        .await;
    assert_eq!(
        before_any.body["items"].as_array().unwrap().len(),
        0,
        "{before_any:?}"
    );
    let history = app
        .get(&format!("/api/v1/progress-reports/{id}/revisions"), sc)
        .await;
    assert_eq!(
        history.body["items"].as_array().unwrap().len(),
        9,
        "{history:?}"
    );
}

#[actix_web::test]
async fn confidence_worse_than_the_previous_quarter_needs_a_narrative() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    accepted_late(&app, &q).await;
    let cur_url = q.url(&q.late, &q.current);
    let today = q.today.to_string();
    let worse = put(
        &app,
        &cur_url,
        &q.head,
        report("Chậm", 60.0, &today, "off_track"),
        None,
    )
    .await;
    assert_problem(&worse, 422);
    assert_eq!(worse.body["errors"][0]["field"], "confidence_narrative");
    let mut explained = report("Chậm", 60.0, &today, "off_track");
    explained["confidence_narrative"] = json!("Thiên tai làm gián đoạn hệ thống");
    assert_eq!(
        put(&app, &cur_url, &q.head, explained, None).await.status,
        201
    );
}

#[actix_web::test]
async fn the_schedules_tell_each_units_state() {
    let app = TestApp::spawn().await;
    let q = issued(&app).await;
    on_time_report(&app, &q).await;
    accepted_late(&app, &q).await;
    let s = app
        .get(
            &format!("/api/v1/assignments/{}/reporting-schedule", q.on_time),
            &q.sc,
        )
        .await;
    assert_eq!(s.body["periods"][1]["timeliness"], "completed_on_time");
    let s = app
        .get(
            &format!("/api/v1/assignments/{}/reporting-schedule", q.late),
            &q.sc,
        )
        .await;
    assert_eq!(s.body["periods"][0]["timeliness"], "completed_late");
    assert_eq!(s.body["timeliness"], "overdue");
    assert_eq!(s.body["stale_days"], 0);
}
