//! Per-indicator results over HTTP: targets of one indicator assigned to several units,
//! reported by their heads and, for one, sent by a licensed department feed; the tallies
//! (met out of assigned, Σ actual against Σ target) now and exactly as they stood at an
//! earlier cut-off; the caller's scope; bad filters; roles that may not read results.

use serde_json::{json, Value};

use crate::builders::*;
use crate::common::*;

const KET_NAP: &str = "KET_NAP_DANG_VIEN";
const HO_SO: &str = "HO_SO_DUNG_HAN";

/// A 2022 target of admitting at least `value` new Party members.
fn admissions(value: f64) -> Value {
    json!({"title": "Kết nạp đảng viên mới", "content_area": "party_building", "kind": "target",
        "start_date": "2022-01-01", "end_date": "2022-12-31", "indicator_code": KET_NAP,
        "target": {"unit_of_measure": "đảng viên", "shape": "at_least", "value": value}})
}

/// The row of `key` (an indicator code, or the title of a target without one).
fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["indicator_code"] == key || (r["indicator_code"].is_null() && r["title"] == key)
        })
        .unwrap_or_else(|| panic!("no row {key} in {report}"))
}

/// The figures compared here: assigned, with a value, met, exceeded, at 80%, met rate, Σ
/// target, Σ actual, difference.
fn figures(t: &Value) -> Value {
    json!([
        t["assigned"],
        t["with_value"],
        t["met"],
        t["exceeded"],
        t["at_least_80"],
        t["met_rate"],
        t["target_sum"],
        t["actual_sum"],
        t["difference"]
    ])
}

#[actix_web::test]
async fn indicators_tally_units_that_met_them_now_and_at_a_cut_off() {
    let app = TestApp::spawn().await;
    let (ob, admin) = (app.token("bantochuc.1").await, app.token("admin").await);
    let fed = merged(standard_target(), json!({"indicator_code": HO_SO}));
    let built = Round::of(&app, "VP")
        .decision("60-QĐ/TU")
        .assignment("VP-SO-TNMT", admissions(50.0))
        .assignment("VP-SO-TC", admissions(40.0))
        .assignment("VP-SO-KHDT", admissions(30.0))
        .assignment("VP-SO-NV", admissions(20.0))
        .assignment("VP-SO-TNMT", fed.clone())
        .assignment("VP-SO-TC", fed)
        .assignment(
            "VP-SO-TP",
            json!({"title": "Giảm số vụ khiếu nại vượt cấp", "content_area": "government_building",
                "kind": "target", "start_date": "2022-01-01", "end_date": "2022-12-31",
                "target": {"unit_of_measure": "vụ", "shape": "at_most", "value": 5.0}}),
        )
        .task("VP-SO-TNMT")
        .issue()
        .await;
    let t = &built.tasks;

    // Before the cut-off: three of four units report admissions, both files targets are
    // reported, and the complaints target is reported under its ceiling.
    for (task, head, value) in [
        (t[0], "head.so-tnmt", 60.0),
        (t[1], "head.so-tc", 35.0),
        (t[2], "head.so-khdt", 10.0),
        (t[4], "head.so-tnmt", 85.0),
        (t[5], "head.so-tc", 95.0),
        (t[6], "head.so-tp", 3.0),
    ] {
        accepted_report(
            &app,
            task,
            head,
            "2022-Q1",
            target_report(value, "2022-03-14"),
        )
        .await;
    }
    accepted_report(&app, t[7], "head.so-tnmt", "2022-Q1", task_report(100.0)).await;

    let url = format!("/api/v1/reports/indicators?round_id={}", built.round);
    let before = app.get(&url, &ob).await;
    assert_eq!(before.status, 200, "{before:?}");
    let cut_off = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // After it: the fourth unit reports, the third reports a better second quarter, and a
    // licensed feed sends the official value for the first unit's files.
    accepted_report(
        &app,
        t[3],
        "head.so-nv",
        "2022-Q1",
        target_report(25.0, "2022-03-10"),
    )
    .await;
    accepted_report(
        &app,
        t[2],
        "head.so-khdt",
        "2022-Q2",
        target_report(32.0, "2022-06-14"),
    )
    .await;
    let feed = app.token("feed.so-khdt").await;
    let feed_account = app.get("/api/v1/me", &feed).await.body["account"]["id"].clone();
    let licence = app
        .post(
            "/api/v1/feed-licences",
            &admin,
            json!({"account_id": feed_account, "indicator_code": HO_SO,
                "unit_id": app.unit("VP-SO-TNMT").await, "valid_from": "2021-01-01"}),
        )
        .await;
    assert_eq!(licence.status, 201, "{licence:?}");
    let sent = app
        .post(
            "/api/v1/feeds/observations",
            &feed,
            json!({"observations": [{"external_id": "jun", "indicator_code": HO_SO,
                "unit_code": "VP-SO-TNMT", "date": "2022-06-30", "value": 92.0}]}),
        )
        .await;
    assert_eq!(sent.body["imported"], 1, "{sent:?}");

    // Now: 3 of 4 units admitted at least their target, 152 against 140 (+12); the feed's 92
    // counts over the head's 85; the target without a code is its own row.
    let now = app.get(&url, &ob).await;
    assert_eq!(now.status, 200, "{now:?}");
    let rows: Vec<(Value, Value)> = now.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["indicator_code"].clone(), r["title"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (json!(HO_SO), json!("Tỷ lệ hồ sơ giải quyết đúng hạn")),
            (json!(KET_NAP), json!("Kết nạp đảng viên mới")),
            (Value::Null, json!("Giảm số vụ khiếu nại vượt cấp")),
        ],
        "{}",
        now.body
    );
    let admitted = &row(&now.body, KET_NAP)["tally"];
    assert_eq!(
        figures(admitted),
        json!([4, 4, 3, 3, 1, 75.0, 140.0, 152.0, 12.0]),
        "{admitted}"
    );
    assert_eq!(
        (
            admitted["unit_of_measure"].clone(),
            admitted["shape"].clone()
        ),
        (json!("đảng viên"), json!("at_least"))
    );
    assert_eq!(row(&now.body, KET_NAP)["year"], 2022);
    assert_eq!(
        figures(&row(&now.body, HO_SO)["tally"]),
        json!([2, 2, 2, 2, 0, 100.0, 180.0, 187.0, 7.0])
    );
    let complaints = &row(&now.body, "Giảm số vụ khiếu nại vượt cấp")["tally"];
    assert_eq!(
        figures(complaints),
        json!([1, 1, 1, 1, 0, 100.0, 5.0, 3.0, -2.0])
    );
    assert_eq!(complaints["shape"], "at_most");
    // The total counts every target (the task is not one), without sums across units of
    // measure.
    assert_eq!(
        figures(&now.body["total"]),
        json!([7, 7, 6, 6, 1, 85.7, null, null, null])
    );

    // As of the cut-off: exactly the figures read before it, later reports and the feed's
    // value ignored.
    let as_of = app.get(&format!("{url}&as_of={cut_off}"), &ob).await;
    assert_eq!(as_of.status, 200, "{as_of:?}");
    assert_eq!(as_of.body["rows"], before.body["rows"]);
    assert_eq!(as_of.body["total"], before.body["total"]);
    assert_eq!(
        figures(&row(&as_of.body, KET_NAP)["tally"]),
        json!([4, 3, 1, 1, 1, 25.0, 140.0, 105.0, -35.0])
    );
    assert_eq!(
        figures(&row(&as_of.body, HO_SO)["tally"]),
        json!([2, 2, 1, 1, 1, 50.0, 180.0, 180.0, 0.0])
    );
    // A day before the round: nothing had a value.
    let early = app.get(&format!("{url}&as_of=2022-01-01"), &ob).await;
    assert_eq!(
        figures(&row(&early.body, KET_NAP)["tally"]),
        json!([4, 0, 0, 0, 0, 0.0, 140.0, null, null])
    );

    // A head counts only its own unit's targets; coverage filters apply.
    let own = app.get(&url, &app.token("head.so-tnmt").await).await;
    assert_eq!(own.status, 200, "{own:?}");
    assert_eq!(
        figures(&row(&own.body, KET_NAP)["tally"]),
        json!([1, 1, 1, 1, 0, 100.0, 50.0, 60.0, 10.0])
    );
    assert_eq!(own.body["rows"].as_array().unwrap().len(), 2);
    let tc = app
        .get(
            &format!("{url}&unit_id={}", app.unit("VP-SO-TC").await),
            &ob,
        )
        .await;
    assert_eq!(tc.body["total"]["assigned"], 2, "{tc:?}");
    let none = app
        .get(&format!("{url}&content_area=socio_economic"), &ob)
        .await;
    assert_eq!(none.body["rows"], json!([]), "{none:?}");
    assert_eq!(none.body["total"]["met_rate"], Value::Null);

    // Bad filters are refused naming the field.
    let bad_year = app.get(&format!("{url}&year=1999"), &ob).await;
    assert_problem(&bad_year, 422);
    assert!(bad_year.text.contains("year"), "{bad_year:?}");
    let bad_moment = app.get(&format!("{url}&as_of=hôm-qua"), &ob).await;
    assert_problem(&bad_moment, 422);
    assert!(bad_moment.text.contains("as_of"), "{bad_moment:?}");
    assert_problem(
        &app.get(&format!("{url}&content_area=khac"), &ob).await,
        400,
    );
}

#[actix_web::test]
async fn roles_that_may_not_read_results_are_refused() {
    let app = TestApp::spawn().await;
    let built = Round::of(&app, "VP")
        .assignment("VP-SO-TNMT", admissions(10.0))
        .issue()
        .await;
    let url = format!("/api/v1/reports/indicators?round_id={}", built.round);
    for who in ["feed.so-khdt", "portal", "admin"] {
        let res = app.get(&url, &app.token(who).await).await;
        assert_problem(&res, 403);
    }
    let anonymous = app.send(reqwest::Method::GET, &url, "", None, &[]).await;
    assert_eq!(anonymous.status, 401, "{anonymous:?}");
}

#[actix_web::test]
async fn units_rank_by_score_with_its_derivation_as_of_any_moment() {
    let app = TestApp::spawn().await;
    let (sc, head) = (
        app.token("thuongvu.1").await,
        app.token("head.so-tnmt").await,
    );
    let year = this_year();
    let built = Round::of(&app, "VP")
        .in_year(year)
        .override_reason("Xếp hạng thử")
        .task_with("VP-SO-TNMT", spanning(year))
        .task_with("VP-SO-KHDT", spanning(year))
        .task_with("VP-SO-GDDT", spanning(year))
        .issue()
        .await;
    let period = format!("{year}-Q1");
    accepted_report(
        &app,
        built.tasks[0],
        "head.so-tnmt",
        &period,
        task_report(100.0),
    )
    .await;
    let between = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    accepted_report(
        &app,
        built.tasks[1],
        "head.so-khdt",
        &period,
        task_report(50.0),
    )
    .await;

    let url = format!("/api/v1/reports/ranking?round_id={}", built.round);
    let places = |res: &Res| -> Vec<(u64, String, f64)> {
        res.body["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                let name = u["unit_name"].as_str().unwrap();
                (
                    u["rank"].as_u64().unwrap(),
                    name.to_owned(),
                    u["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let now = app.get(&url, &sc).await;
    assert_eq!(now.status, 200, "{now:?}");
    let ranked = places(&now);
    assert_eq!(
        ranked.iter().map(|p| (p.0, p.2)).collect::<Vec<_>>(),
        [(1, 100.0), (2, 50.0), (3, 0.0)],
        "{now:?}"
    );
    let first = &now.body["units"][0]["items"][0];
    assert_eq!(first["assignment_id"], json!(built.tasks[0]));
    assert_eq!(first["status"], "completed_on_time");
    assert_eq!(first["points"], 100.0);

    // As of the moment between the two reports, the second unit had nothing yet.
    let then = app
        .get(&format!("{url}&as_of={}", between.replace('+', "%2B")), &sc)
        .await;
    assert_eq!(then.status, 200, "{then:?}");
    assert_eq!(
        places(&then).iter().map(|p| (p.0, p.2)).collect::<Vec<_>>(),
        [(1, 100.0), (2, 0.0), (2, 0.0)],
        "{then:?}"
    );
    // A head ranks only what they may count.
    let own = app.get(&url, &head).await;
    assert_eq!(own.status, 200, "{own:?}");
    assert_eq!(own.body["units"].as_array().unwrap().len(), 1, "{own:?}");
    assert_eq!(
        own.body["units"][0]["items"][0]["assignment_id"],
        json!(built.tasks[0])
    );
}
