//! Batch endpoints: a round's assignments created in one call, and a pile of submitted progress
//! reports accepted in one call. Each item follows the rules of its single endpoint and gets an
//! outcome of its own; good items are written, bad ones rejected with their errors, all in one
//! transaction; a batch whose every item is rejected writes nothing.

use std::time::Instant;

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// The units of the demo province below `VP` whose heads a 43-person round addresses.
const HEADS: [&str; 43] = [
    "VP-BAO",
    "VP-BDV",
    "VP-BNC",
    "VP-BQL-KCN",
    "VP-BTC",
    "VP-BTG",
    "VP-CA",
    "VP-CTK",
    "VP-DUK-CQ",
    "VP-DUK-DN",
    "VP-HCCB",
    "VP-HLHPN",
    "VP-HND",
    "VP-HU-BX",
    "VP-HU-LT",
    "VP-HU-SL",
    "VP-HU-TDG",
    "VP-HU-TDO",
    "VP-HU-VT",
    "VP-HU-YL",
    "VP-LDLD",
    "VP-MTTQ",
    "VP-SO-CT",
    "VP-SO-GDDT",
    "VP-SO-GTVT",
    "VP-SO-KHCN",
    "VP-SO-KHDT",
    "VP-SO-LDTBXH",
    "VP-SO-NNPTNT",
    "VP-SO-NV",
    "VP-SO-TC",
    "VP-SO-TNMT",
    "VP-SO-TP",
    "VP-SO-TTTT",
    "VP-SO-VHTTDL",
    "VP-SO-XD",
    "VP-SO-YT",
    "VP-TCT",
    "VP-THU-PY",
    "VP-THU-VY",
    "VP-TINHDOAN",
    "VP-TTR",
    "VP-UBKT",
];

/// `field:code` of each error of item `i` of a batch outcome.
fn errors(outcome: &Res, i: usize) -> Vec<String> {
    outcome.body["items"][i]["errors"]
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
}

/// (recorded, rejected) of a batch outcome.
fn counts(outcome: &Res) -> (Value, Value) {
    (
        outcome.body["recorded"].clone(),
        outcome.body["rejected"].clone(),
    )
}

/// The standard task for the unit `unit` in `round`, with code `code`.
fn task(round: Uuid, unit: Uuid, code: &str) -> Value {
    merged(
        standard_task(),
        json!({"round_id": round, "assignee_unit_id": unit, "code": code}),
    )
}

#[actix_web::test]
async fn a_round_of_43_heads_is_set_up_in_one_call() {
    let app = TestApp::spawn().await;
    let (ob, sc, head, supervisor) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("head.so-tnmt").await,
        app.token("giamsat.2").await,
    );
    let round = Round::of(&app, "VP").draft().await.round;
    let url = format!("/api/v1/rounds/{round}/assignments/batch");
    let mut units = Vec::new();
    for code in HEADS {
        units.push(app.unit(code).await);
    }
    let batch: Vec<Value> = units
        .iter()
        .enumerate()
        .map(|(i, unit)| task(round, *unit, &format!("NV-{i:02}")))
        .collect();

    // Who may not draft this round's assignments is refused whole, and nothing changes.
    let audit = app.audit_count().await;
    for token in [&head, &supervisor, &app.token("admin").await] {
        let res = app
            .post(&url, token, json!({"assignments": batch.clone()}))
            .await;
        assert_problem(&res, 404);
    }
    let unknown = format!("/api/v1/rounds/{}/assignments/batch", Uuid::now_v7());
    assert_problem(
        &app.post(&unknown, &ob, json!({"assignments": batch.clone()}))
            .await,
        404,
    );
    assert_problem(&app.post(&url, &ob, json!({"assignments": []})).await, 422);
    assert_problem(
        &app.post(&url, &ob, json!({"tasks": batch.clone()})).await,
        422,
    );
    assert_eq!(app.audit_count().await, audit);

    // 43 assignments, one per head, in one call.
    let started = Instant::now();
    let res = app
        .post(&url, &ob, json!({"assignments": batch.clone()}))
        .await;
    let took = started.elapsed();
    println!("TIMING 43 assignments in one call: {took:?}");
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(counts(&res), (json!(43), json!(0)));
    assert_eq!(
        app.audit_count().await,
        audit + 43,
        "one audit row per item"
    );
    let listed = app
        .get(
            &format!("/api/v1/assignments?round_id={round}&limit=100"),
            &ob,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 43);
    let first = &res.body["items"][0];
    assert_eq!(
        (first["index"].clone(), first["status"].clone()),
        (json!(0), json!("recorded"))
    );
    let one = app
        .get(
            &format!("/api/v1/assignments/{}", first["id"].as_str().unwrap()),
            &ob,
        )
        .await;
    assert_eq!(one.status, 200, "{one:?}");
    assert_eq!(one.etag(), format!("\"{}\"", first["version"]));
    assert_eq!(one.body["code"], "NV-00");
    assert_eq!(one.body["assignee_unit_id"], json!(units[0]));

    // Good and bad items together: each bad one says why, the good ones are created.
    let tnmt = app.unit("VP-SO-TNMT").await;
    let vp = app.unit("VP").await;
    let other_round = Round::of(&app, "VP").draft().await.round;
    let mixed = json!({"assignments": [
        task(round, tnmt, "NV-MOI-1"),
        merged(task(round, tnmt, "NV-MOI-2"), json!({"title": ""})),
        merged(task(round, tnmt, "NV-MOI-3"), json!({"product_description": null})),
        task(round, vp, "NV-MOI-4"),
        task(other_round, tnmt, "NV-MOI-5"),
        task(round, tnmt, "NV-00"),
        task(round, tnmt, "NV-MOI-1"),
        merged(task(round, tnmt, "NV-MOI-8"), json!({"parent_id": Uuid::now_v7()})),
        task(round, tnmt, "NV-MOI-9"),
    ]});
    let audit = app.audit_count().await;
    let res = app.post(&url, &sc, mixed).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(counts(&res), (json!(2), json!(7)));
    assert_eq!(res.body["items"][0]["status"], "recorded");
    assert_eq!(errors(&res, 1), ["assignments[1].title:length"]);
    let shape = errors(&res, 2);
    assert!(
        shape.len() == 1 && shape[0].starts_with("assignments[2].product_description:"),
        "{shape:?}"
    );
    let assignee = errors(&res, 3);
    assert!(
        assignee.len() == 1 && assignee[0].starts_with("assignments[3].assignee_unit_id:"),
        "{assignee:?}"
    );
    assert_eq!(errors(&res, 4), ["assignments[4].round_id:round_mismatch"]);
    assert_eq!(errors(&res, 5), ["assignments[5].code:code_taken"]);
    assert_eq!(
        errors(&res, 6),
        ["assignments[6].code:code_taken"],
        "an earlier item of the same batch counts"
    );
    let parent = errors(&res, 7);
    assert!(
        parent.len() == 1 && parent[0].starts_with("assignments[7].parent_id:"),
        "{parent:?}"
    );
    assert_eq!(res.body["items"][8]["status"], "recorded");
    assert!(res.body["items"][5]["id"].is_null());
    assert_eq!(
        app.audit_count().await,
        audit + 2,
        "rejected items leave no trace"
    );

    // The single endpoint answers the same rules as before.
    let single = app
        .post("/api/v1/assignments", &ob, task(round, tnmt, "NV-00"))
        .await;
    assert_problem(&single, 409);
    let single = app
        .post("/api/v1/assignments", &ob, task(round, vp, "NV-MOI-10"))
        .await;
    assert_problem(&single, 422);
    assert_eq!(single.body["errors"][0]["field"], "assignee_unit_id");

    // A batch whose every item is rejected writes nothing and records nothing.
    let audit = app.audit_count().await;
    let res = app
        .post(
            &url,
            &ob,
            json!({"assignments": [task(round, tnmt, "NV-00"), task(round, vp, "NV-X")]}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(counts(&res), (json!(0), json!(2)));
    assert_eq!(app.audit_count().await, audit);

    // Once issued, the round takes no more assignments.
    let issued = Round::of(&app, "VP").task("VP-SO-TNMT").issue().await.round;
    let res = app
        .post(
            &format!("/api/v1/rounds/{issued}/assignments/batch"),
            &ob,
            json!({"assignments": [task(issued, tnmt, "NV-MUON")]}),
        )
        .await;
    assert_problem(&res, 409);
}

/// `count` submitted quarterly 2022 reports of new tasks of TNMT in an issued round (four per
/// task), and one draft report: (submitted reports with their versions, the draft's id).
async fn submitted_reports(app: &TestApp, count: usize) -> (Vec<(Uuid, i64)>, Uuid) {
    let ob = app.token("bantochuc.1").await;
    let head = app.token("head.so-tnmt").await;
    let tnmt = app.unit("VP-SO-TNMT").await;
    let round = Round::of(app, "VP").draft().await;
    let tasks = count.div_ceil(4) + 1;
    let batch: Vec<Value> = (0..tasks)
        .map(|i| task(round.round, tnmt, &format!("BC-{i:03}")))
        .collect();
    let created = app
        .post(
            &format!("/api/v1/rounds/{}/assignments/batch", round.round),
            &ob,
            json!({ "assignments": batch }),
        )
        .await;
    assert_eq!(counts(&created), (json!(tasks), json!(0)), "{created:?}");
    let sc = app.token("thuongvu.1").await;
    let path = format!("/api/v1/rounds/{}", round.round);
    let etag = app.get(&path, &sc).await.etag();
    let issued = app
        .post_if(&format!("{path}/issue"), &sc, &etag, json!({}))
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");
    let ids: Vec<Uuid> = created.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let (last, ids) = ids.split_last().unwrap();
    let write = |id: Uuid, q: u8| {
        let (app, head) = (app, &head);
        async move {
            let written = app
                .send(
                    Method::PUT,
                    &format!("/api/v1/assignments/{id}/progress-reports/2022-Q{q}"),
                    head,
                    Some(task_report(25.0 * f64::from(q))),
                    &[],
                )
                .await;
            assert_eq!(written.status, 201, "{written:?}");
            written
        }
    };
    let draft = write(*last, 1).await.id();
    let mut submitted = Vec::new();
    for id in ids {
        for q in 1..=4 {
            if submitted.len() == count {
                break;
            }
            let written = write(*id, q).await;
            let sent = app
                .post_if(
                    &format!("/api/v1/progress-reports/{}/submit", written.id()),
                    &head,
                    &written.etag(),
                    json!({}),
                )
                .await;
            assert_eq!(sent.status, 200, "{sent:?}");
            submitted.push((written.id(), sent.body["version"].as_i64().unwrap()));
        }
    }
    (submitted, draft)
}

fn acceptance(report: Uuid, version: i64) -> Value {
    json!({"report_id": report, "version": version})
}

#[actix_web::test]
async fn a_hundred_submitted_reports_are_accepted_in_one_call() {
    let app = TestApp::spawn().await;
    let (ob, sc, head) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("head.so-tnmt").await,
    );
    let url = "/api/v1/progress-reports/accept-batch";
    let (reports, draft) = submitted_reports(&app, 106).await;
    let (mixed, hundred) = reports.split_at(6);
    let batch: Vec<Value> = hundred.iter().map(|(r, v)| acceptance(*r, *v)).collect();
    assert_eq!(batch.len(), 100);

    // Only the Organisation Board reviews reports; a bad body is refused whole.
    let audit = app.audit_count().await;
    for token in [&sc, &head, &app.token("admin").await] {
        let res = app
            .post(url, token, json!({"reports": batch.clone()}))
            .await;
        assert_problem(&res, 403);
    }
    assert_problem(&app.post(url, &ob, json!({"reports": []})).await, 422);
    assert_problem(
        &app.post(url, &ob, json!({"reports": [{"report_id": hundred[0].0}]}))
            .await,
        422,
    );
    assert_eq!(app.audit_count().await, audit);

    // A hundred acceptances in one call.
    let started = Instant::now();
    let res = app.post(url, &ob, json!({ "reports": batch })).await;
    let took = started.elapsed();
    println!("TIMING 100 report acceptances in one call: {took:?}");
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(counts(&res), (json!(100), json!(0)));
    assert_eq!(
        app.audit_count().await,
        audit + 100,
        "one audit row per item"
    );
    let (first, version) = hundred[0];
    let read = app
        .get(&format!("/api/v1/progress-reports/{first}"), &ob)
        .await;
    assert_eq!(read.body["state"], "accepted", "{read:?}");
    assert_eq!(res.body["items"][0]["id"], json!(first));
    assert_eq!(
        read.etag(),
        format!("\"{}\"", res.body["items"][0]["version"])
    );
    assert_eq!(res.body["items"][0]["version"], json!(version + 1));

    // Good and bad items together: each bad one says why, the good ones are accepted.
    let audit = app.audit_count().await;
    let res = app
        .post(
            url,
            &ob,
            json!({"reports": [
                acceptance(mixed[0].0, mixed[0].1),
                acceptance(Uuid::now_v7(), 1),
                acceptance(mixed[1].0, mixed[1].1 - 1),
                acceptance(draft, 1),
                acceptance(first, version + 1),
                acceptance(mixed[0].0, mixed[0].1),
                {"report_id": mixed[2].0, "version": mixed[2].1, "comment": ""},
                {"report_id": mixed[3].0, "version": mixed[3].1, "comment": "Đạt yêu cầu"},
            ]}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(counts(&res), (json!(2), json!(6)));
    assert_eq!(res.body["items"][0]["status"], "recorded");
    assert_eq!(errors(&res, 1), ["reports[1].report_id:not_found"]);
    assert_eq!(errors(&res, 2), ["reports[2].version:stale_version"]);
    assert_eq!(errors(&res, 3), ["reports[3].report_id:invalid_state"]);
    assert_eq!(
        errors(&res, 4),
        ["reports[4].report_id:invalid_state"],
        "already accepted"
    );
    assert_eq!(
        errors(&res, 5),
        ["reports[5].version:stale_version"],
        "the same report twice: the first acceptance moved its version on"
    );
    assert_eq!(errors(&res, 6), ["reports[6].comment:length"]);
    assert_eq!(res.body["items"][7]["status"], "recorded");
    let commented = app
        .get(&format!("/api/v1/progress-reports/{}", mixed[3].0), &ob)
        .await;
    assert_eq!(
        commented.body["review_comment"], "Đạt yêu cầu",
        "{commented:?}"
    );
    assert_eq!(app.audit_count().await, audit + 2);
    let untouched = app
        .get(&format!("/api/v1/progress-reports/{}", mixed[1].0), &ob)
        .await;
    assert_eq!(untouched.body["state"], "submitted");

    // A batch whose every item is rejected writes nothing and records nothing.
    let res = app
        .post(
            url,
            &ob,
            json!({"reports": [acceptance(mixed[1].0, 99), acceptance(draft, 1)]}),
        )
        .await;
    assert_eq!(counts(&res), (json!(0), json!(2)), "{res:?}");
    assert_eq!(app.audit_count().await, audit + 2);

    // The single endpoint answers the same rules as before.
    let single = app
        .post_if(
            &format!("/api/v1/progress-reports/{first}/accept"),
            &ob,
            "\"1\"",
            json!({}),
        )
        .await;
    assert_problem(&single, 412);
}

#[actix_web::test]
async fn a_batch_holds_at_most_a_thousand_items() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 1 << 20).await;
    let ob = app.token("bantochuc.1").await;
    let items: Vec<Value> = (0..1001).map(|_| acceptance(Uuid::now_v7(), 1)).collect();
    let res = app
        .post(
            "/api/v1/progress-reports/accept-batch",
            &ob,
            json!({ "reports": items[..1001].to_vec() }),
        )
        .await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "reports", "{res:?}");
    let res = app
        .post(
            "/api/v1/progress-reports/accept-batch",
            &ob,
            json!({ "reports": items[..1000].to_vec() }),
        )
        .await;
    assert_eq!(counts(&res), (json!(0), json!(1000)), "{res:?}");
}

#[actix_web::test]
async fn a_heads_reports_of_a_period_are_submitted_in_one_call() {
    let app = TestApp::spawn().await;
    let (ob, sc, head) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("head.so-tnmt").await,
    );
    let (tnmt, khdt) = (app.unit("VP-SO-TNMT").await, app.unit("VP-SO-KHDT").await);
    let round = Round::of(&app, "VP").draft().await.round;
    let mut batch: Vec<Value> = (0..60)
        .map(|i| task(round, tnmt, &format!("NV-{i:02}")))
        .collect();
    batch.push(task(round, khdt, "NV-KHDT"));
    let created = app
        .post(
            &format!("/api/v1/rounds/{round}/assignments/batch"),
            &ob,
            json!({ "assignments": batch }),
        )
        .await;
    assert_eq!(counts(&created), (json!(61), json!(0)), "{created:?}");
    let path = format!("/api/v1/rounds/{round}");
    let etag = app.get(&path, &sc).await.etag();
    let issued = app
        .post_if(&format!("{path}/issue"), &sc, &etag, json!({}))
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");
    let ids: Vec<Uuid> = created.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().parse().unwrap())
        .collect();
    // Two of the period's reports are already drafts.
    let mut drafts = Vec::new();
    for id in &ids[1..3] {
        let written = app
            .send(
                Method::PUT,
                &format!("/api/v1/assignments/{id}/progress-reports/2022-Q1"),
                &head,
                Some(task_report(20.0)),
                &[],
            )
            .await;
        assert_eq!(written.status, 201, "{written:?}");
        drafts.push(written.body["version"].clone());
    }
    let item = |id: Uuid| json!({"assignment_id": id, "content": task_report(25.0)});
    let mut items = vec![
        item(ids[0]),
        merged(item(ids[1]), json!({"version": drafts[0]})),
        item(ids[2]),
        item(ids[60]),
        json!({"assignment_id": ids[3], "content": {"narrative": "", "confidence": "on_track"}}),
    ];
    items.extend(ids[4..60].iter().map(|id| item(*id)));
    let url = "/api/v1/progress-reports/submit-batch";

    // Only a head submits; a bad body is refused whole.
    let body = json!({"period": "2022-Q1", "reports": items});
    assert_problem(&app.post(url, &ob, body.clone()).await, 403);
    assert_problem(
        &app.post(url, &head, json!({"period": "2022-Q1", "reports": []}))
            .await,
        422,
    );

    let started = Instant::now();
    let res = app.post(url, &head, body).await;
    let took = started.elapsed();
    println!("TIMING 60 reports written and submitted in one call: {took:?}");
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(counts(&res), (json!(58), json!(3)), "{res:?}");
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
    assert_eq!(codes(2), ["reports[2].version:required"]);
    assert_eq!(codes(3), ["reports[3].assignment_id:not_found"]);
    assert_eq!(codes(4), ["reports[4].content.narrative:length"]);
    for i in [0, 1, 5] {
        let id = res.body["items"][i]["id"].as_str().unwrap().to_string();
        let report = app
            .get(&format!("/api/v1/progress-reports/{id}"), &head)
            .await;
        assert_eq!(report.body["state"], "submitted", "{report:?}");
        assert_eq!(report.body["version"], res.body["items"][i]["version"]);
    }
    // The same period again: every report is already submitted, nothing is written.
    let audit = app.audit_count().await;
    let again = json!({"period": "2022-Q1", "reports": [merged(item(ids[0]),
        json!({"version": res.body["items"][0]["version"]}))]});
    let res = app.post(url, &head, again).await;
    assert_eq!(counts(&res), (json!(0), json!(1)), "{res:?}");
    assert_eq!(app.audit_count().await, audit);
}
