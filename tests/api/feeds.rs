//! Department data feeds over HTTP: a batch with valid, invalid and out-of-licence rows, its
//! dry run and replay, a mismatch with the head's own value, and 10,000 rows in one request.

use serde_json::{json, Value};

use crate::builders::*;
use crate::common::*;

#[actix_web::test]
async fn a_feed_batch_is_checked_row_by_row_and_replays_idempotently() {
    let app = TestApp::spawn().await;
    let (ob, sc, admin) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("admin").await,
    );
    let tnmt = app.unit("VP-SO-TNMT").await;
    let fed = || {
        merged(
            standard_target(),
            json!({"indicator_code": "HO_SO_DUNG_HAN"}),
        )
    };
    let built = Round::of(&app, "VP")
        .decision("50-QĐ/TU")
        .assignment("VP-SO-TNMT", fed())
        .assignment("VP-SO-TC", fed())
        .issue()
        .await;
    let id = built.tasks[0];

    // The feed is licensed for the indicator in TNMT only.
    let feed_account = app
        .get("/api/v1/me", &app.token("feed.so-khdt").await)
        .await
        .body["account"]["id"]
        .clone();
    let licence = app
        .post(
            "/api/v1/feed-licences",
            &admin,
            json!({"account_id": feed_account, "indicator_code": "HO_SO_DUNG_HAN",
            "unit_id": tnmt, "valid_from": "2021-01-01"}),
        )
        .await;
    assert_eq!(licence.status, 201, "{licence:?}");
    assert_problem(
        &app.post(
            "/api/v1/feed-licences",
            &ob,
            json!({"account_id": feed_account, "indicator_code": "X",
        "unit_id": tnmt}),
        )
        .await,
        403,
    );

    // The head reported 85% for the first quarter.
    let head = app.token("head.so-tnmt").await;
    let report = app
        .send(reqwest::Method::PUT, &format!("/api/v1/assignments/{id}/progress-reports/2022-Q1"), &head,
            Some(json!({"narrative": "Đạt 85%", "actual_value": 85.0, "measured_on": "2022-03-14", "confidence": "on_track"})), &[])
        .await;
    assert_eq!(report.status, 201, "{report:?}");

    let row = |ext: &str, unit: &str, indicator: &str, when: Value, value: f64| {
        let mut r = json!({"external_id": ext, "indicator_code": indicator, "unit_code": unit, "value": value,
            "source_ref": "Cổng dịch vụ công tỉnh"});
        for (k, v) in when.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let batch = |second: f64| {
        json!({"observations": [
            row("q1", "VP-SO-TNMT", "HO_SO_DUNG_HAN", json!({"period": "2022-Q1"}), 86.0),
            row("jun", "VP-SO-TNMT", "HO_SO_DUNG_HAN", json!({"date": "2022-06-30"}), second),
            row("tc", "VP-SO-TC", "HO_SO_DUNG_HAN", json!({"period": "2022-Q1"}), 90.0),
            row("ghost", "VP-KHONG-CO", "HO_SO_DUNG_HAN", json!({"period": "2022-Q1"}), 90.0),
            row("other", "VP-SO-TNMT", "KHAC", json!({"period": "2022-Q1"}), 1.0),
            row("q1", "VP-SO-TNMT", "HO_SO_DUNG_HAN", json!({"period": "2022-Q2"}), 88.0),
            row("later", "VP-SO-TNMT", "HO_SO_DUNG_HAN", json!({"date": "2030-01-01"}), 90.0),
            row("both", "VP-SO-TNMT", "HO_SO_DUNG_HAN", json!({"date": "2022-02-01", "period": "2022-Q1"}), 90.0),
            row("low", "VP-SO-TNMT", "HO_SO_DUNG_HAN", json!({"date": "2022-03-01"}), 70.0),
            row("nul\u{0}", "VP-SO-TNMT\u{0}", "HO_SO_DUNG_HAN\u{0}", json!({"date": "2022-03-01"}), 70.0),
        ]})
    };
    let feed = app.token("feed.so-khdt").await;
    let reasons = |s: &Res| -> Vec<String> {
        s.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}:{}",
                    r["status"].as_str().unwrap(),
                    r["reason"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    let expected = [
        "imported:",
        "imported:",
        "rejected:outside_licence",
        "rejected:unknown_unit",
        "rejected:outside_licence",
        "rejected:duplicate_in_batch",
        "rejected:no_assignment",
        "rejected:invalid",
        "imported:",
        "rejected:invalid",
    ];

    // A dry run classifies every row and writes nothing.
    let dry = app
        .post(
            "/api/v1/feeds/observations?dry_run=true",
            &feed,
            batch(50.0),
        )
        .await;
    assert_eq!(dry.status, 200, "{dry:?}");
    assert_eq!(reasons(&dry), expected);
    assert_eq!(dry.body["flagged_assignments"], json!([id]));
    assert_eq!(
        app.get(&format!("/api/v1/assignments/{id}/observations"), &sc)
            .await
            .body["items"],
        json!([])
    );

    let done = app
        .post("/api/v1/feeds/observations", &feed, batch(50.0))
        .await;
    assert_eq!(reasons(&done), expected);
    assert_eq!(
        (done.body["imported"].clone(), done.body["rejected"].clone()),
        (json!(3), json!(7))
    );
    let values = app
        .get(&format!("/api/v1/assignments/{id}/observations"), &sc)
        .await;
    assert_eq!(
        values.body["items"].as_array().unwrap().len(),
        3,
        "{values:?}"
    );
    assert_eq!(values.body["items"][0]["provenance"], "feed");
    // 70 against a self-reported 85 differs beyond 5%: the supervisor sees the flag.
    let flagged = app
        .get(
            &format!("/api/v1/assignments/{id}"),
            &app.token("giamsat.2").await,
        )
        .await;
    assert!(flagged.body["feed_mismatch_at"].is_string(), "{flagged:?}");

    // Replays are idempotent; a changed value is an update.
    let again = app
        .post("/api/v1/feeds/observations", &feed, batch(50.0))
        .await;
    assert_eq!(
        (
            again.body["imported"].clone(),
            again.body["ignored"].clone()
        ),
        (json!(0), json!(3))
    );
    let changed = app
        .post("/api/v1/feeds/observations", &feed, batch(55.0))
        .await;
    assert_eq!(
        (
            changed.body["updated"].clone(),
            changed.body["ignored"].clone()
        ),
        (json!(1), json!(2))
    );

    // Only feeds send values; a malformed batch is refused whole.
    assert_problem(
        &app.post("/api/v1/feeds/observations", &head, batch(50.0))
            .await,
        403,
    );
    assert_problem(
        &app.post("/api/v1/feeds/observations", &feed, json!({"rows": []}))
            .await,
        422,
    );
    assert_problem(
        &app.send(
            reqwest::Method::POST,
            "/api/v1/feeds/observations",
            &feed,
            None,
            &[("Content-Type", "text/plain")],
        )
        .await,
        415,
    );

    // 10,000 rows in one request.
    let many: Vec<Value> = (0..10_000)
        .map(|i| {
            row(
                &format!("bulk-{i}"),
                "VP-SO-TNMT",
                "HO_SO_DUNG_HAN",
                json!({"date": format!("2022-{:02}-{:02}", 1 + i % 12, 1 + i % 28)}),
                80.0 + (i % 20) as f64,
            )
        })
        .collect();
    let bulk = app
        .post(
            "/api/v1/feeds/observations",
            &feed,
            json!({"observations": many}),
        )
        .await;
    assert_eq!(
        bulk.status,
        200,
        "{}",
        bulk.text.chars().take(500).collect::<String>()
    );
    assert_eq!(bulk.body["imported"], 10_000);
}

#[actix_web::test]
async fn a_later_self_report_is_checked_against_fed_values_and_licences_end() {
    let app = TestApp::spawn().await;
    let (sc, admin) = (app.token("thuongvu.1").await, app.token("admin").await);
    let tnmt = app.unit("VP-SO-TNMT").await;
    let built = Round::of(&app, "VP")
        .decision("51-QĐ/TU")
        .assignment(
            "VP-SO-TNMT",
            merged(
                standard_target(),
                json!({"indicator_code": "HO_SO_DUNG_HAN"}),
            ),
        )
        .issue()
        .await;
    let id = built.tasks[0];
    let feed = app.token("feed.so-khdt").await;
    let feed_account = app.get("/api/v1/me", &feed).await.body["account"]["id"].clone();
    let licence = app
        .post(
            "/api/v1/feed-licences",
            &admin,
            json!({"account_id": feed_account, "indicator_code": "HO_SO_DUNG_HAN",
            "unit_id": tnmt, "valid_from": "2021-01-01"}),
        )
        .await;
    assert_eq!(licence.status, 201, "{licence:?}");
    let value = |ext: &str, period: &str, v: f64| {
        json!({"observations": [{"external_id": ext, "indicator_code": "HO_SO_DUNG_HAN", "unit_code": "VP-SO-TNMT",
            "period": period, "value": v}]})
    };

    // The department's system reports 60% first; the head's later 85% disagrees.
    let sent = app
        .post(
            "/api/v1/feeds/observations",
            &feed,
            value("q1", "2022-Q1", 60.0),
        )
        .await;
    assert_eq!(sent.body["imported"], 1, "{sent:?}");
    let watcher = app.token("giamsat.2").await;
    let url = format!("/api/v1/assignments/{id}");
    assert_eq!(
        app.get(&url, &watcher).await.body["feed_mismatch_at"],
        Value::Null
    );
    let head = app.token("head.so-tnmt").await;
    let report = app
        .send(reqwest::Method::PUT, &format!("{url}/progress-reports/2022-Q1"), &head,
            Some(json!({"narrative": "Đạt 85%", "actual_value": 85.0, "measured_on": "2022-03-14", "confidence": "on_track"})), &[])
        .await;
    assert_eq!(report.status, 201, "{report:?}");
    assert!(app.get(&url, &watcher).await.body["feed_mismatch_at"].is_string());
    let values = app.get(&format!("{url}/observations"), &sc).await;
    assert_eq!(values.body["items"][0]["mismatch"], true, "{values:?}");

    // Ending the licence: If-Match, a reason, never later; values after its end are refused.
    let path = format!("/api/v1/feed-licences/{}", licence.id());
    let current = app.get(&path, &admin).await;
    assert_eq!(current.status, 200, "{current:?}");
    assert_problem(
        &app.post_if(
            &format!("{path}/end"),
            &app.token("head.so-tnmt").await,
            &current.etag(),
            json!({"valid_to": "2022-06-30", "reason": "x"}),
        )
        .await,
        404,
    );
    assert_problem(
        &app.post_if(
            &format!("{path}/end"),
            &admin,
            &current.etag(),
            json!({"valid_to": "2020-12-31", "reason": "Trước khi cấp"}),
        )
        .await,
        422,
    );
    let ended = app
        .post_if(
            &format!("{path}/end"),
            &admin,
            &current.etag(),
            json!({"valid_to": "2022-06-30", "reason": "Chuyển sang hệ thống mới"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{ended:?}");
    assert_eq!(ended.body["valid_to"], "2022-06-30");
    assert_problem(
        &app.post_if(
            &format!("{path}/end"),
            &admin,
            &current.etag(),
            json!({"valid_to": "2022-05-31", "reason": "Lại"}),
        )
        .await,
        412,
    );
    assert_problem(
        &app.post_if(
            &format!("{path}/end"),
            &admin,
            &ended.etag(),
            json!({"valid_to": "2022-09-30", "reason": "Gia hạn"}),
        )
        .await,
        409,
    );
    let late = app
        .post(
            "/api/v1/feeds/observations",
            &feed,
            value("q4", "2022-Q4", 90.0),
        )
        .await;
    assert_eq!(late.body["rejected"], 1, "{late:?}");
    assert_eq!(
        late.body["rows"][0]["reason"], "outside_licence",
        "{late:?}"
    );
}
