//! The 2022 round replayed over HTTP until the report gives the figures the province
//! published ("20/23 tasks, about 87%"; "28/60 completed and 22/60 at 80% or more"); the same
//! figures as of a cut-off after a correction; CSV and Excel exports that match the JSON; and
//! publication to portals, who see only published results.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::*;

/// Unit code → username of its head, from the demo data.
fn heads() -> HashMap<String, String> {
    let demo: Value = serde_json::from_str(include_str!("../../src/demo/demo.json")).unwrap();
    let mut out = HashMap::new();
    for a in demo["accounts"].as_array().unwrap() {
        for b in a["bindings"].as_array().into_iter().flatten() {
            if b["role"] == "unit_head" {
                out.insert(
                    b["unit"].as_str().unwrap().to_string(),
                    a["username"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    out
}

/// The 11 Party and Front bodies of 2022 (the 5 advisory bodies of the Provincial Party
/// Committee, the Fatherland Front and the 5 socio-political organisations).
const PARTY_FRONT: [&str; 11] = [
    "VP-BTC",
    "VP-BTG",
    "VP-BDV",
    "VP-BNC",
    "VP-VPTU",
    "VP-MTTQ",
    "VP-TINHDOAN",
    "VP-HLHPN",
    "VP-HND",
    "VP-HCCB",
    "VP-LDLD",
];
/// The 12 departments whose directors were assigned in 2022.
const DEPARTMENTS: [&str; 12] = [
    "VP-SO-NV",
    "VP-SO-TP",
    "VP-SO-KHDT",
    "VP-SO-TC",
    "VP-SO-CT",
    "VP-SO-NNPTNT",
    "VP-SO-GTVT",
    "VP-SO-XD",
    "VP-SO-TNMT",
    "VP-SO-TTTT",
    "VP-SO-LDTBXH",
    "VP-SO-VHTTDL",
];

/// Reports `percent` for the year on `task` as its head, and has the Board accept it.
async fn report(app: &TestApp, head: &str, ob: &str, task: &str, percent: f64) -> Value {
    let put = app
        .send(reqwest::Method::PUT, &format!("/api/v1/assignments/{task}/progress-reports/2022-Y"), head,
            Some(json!({"narrative": format!("Đạt {percent}%"), "self_assessed_completion": percent, "confidence": "on_track"})), &[("If-Match", "*")])
        .await;
    assert!(put.status.is_success(), "{put:?}");
    let sent = app
        .post_if(
            &format!("/api/v1/progress-reports/{}/submit", put.id()),
            head,
            &put.etag(),
            json!({}),
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let accepted = app
        .post_if(
            &format!("/api/v1/progress-reports/{}/accept", put.id()),
            ob,
            &sent.etag(),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    accepted.body
}

/// The Vietnamese label of the demo's group `code` of 2022.
fn label(code: &str) -> String {
    let demo: Value = serde_json::from_str(include_str!("../../src/demo/demo.json")).unwrap();
    demo["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["year"] == 2022 && g["code"] == code)
        .unwrap_or_else(|| panic!("no group {code} of 2022"))["label_vi"]
        .as_str()
        .unwrap()
        .to_string()
}

fn row<'a>(report: &'a Value, label: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no row {label} in {report}"))
}

#[actix_web::test]
async fn the_2022_round_reproduces_the_published_figures() {
    let app = TestApp::spawn().await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let heads = heads();
    let round = app
        .post("/api/v1/rounds", &ob, json!({"assigning_unit_id": app.unit("VP").await, "year": 2022,
            "title": "Giao chỉ tiêu, nhiệm vụ năm 2022", "decision_number": "15-QĐ/TU", "decision_date": "2022-01-20",
            "reporting_cadence": "yearly", "report_due_days": 5}))
        .await;
    assert_eq!(round.status, 201, "{round:?}");
    // 23 tasks to the 11 Party and Front bodies (3 to the Organisation Board, 2 to each of the
    // others), 60 (5 each) to the 12 departments.
    let mut tasks: Vec<(String, String)> = Vec::new();
    let units: Vec<&str> = PARTY_FRONT
        .iter()
        .enumerate()
        .flat_map(|(k, code)| std::iter::repeat_n(*code, if k == 0 { 3 } else { 2 }))
        .chain((0..60).map(|i| DEPARTMENTS[i / 5]))
        .collect();
    assert_eq!(units.len(), 83);
    for (i, code) in units.iter().enumerate() {
        let task = app
            .post("/api/v1/assignments", &ob, json!({"round_id": round.body["id"], "assignee_unit_id": app.unit(code).await,
                "title": format!("Nhiệm vụ trọng tâm số {}", i + 1), "content_area": if i < 23 { "party_building" } else { "socio_economic" },
                "kind": "task", "product_description": "Sản phẩm cụ thể", "start_date": "2022-01-01", "end_date": "2022-12-31"}))
            .await;
        assert_eq!(task.status, 201, "{task:?}");
        tasks.push((
            code.to_string(),
            task.body["id"].as_str().unwrap().to_string(),
        ));
    }
    let round_etag = app
        .get(&format!("/api/v1/rounds/{}", round.id()), &ob)
        .await
        .etag();
    let issued = app
        .post_if(
            &format!("/api/v1/rounds/{}/issue", round.id()),
            &sc,
            &round_etag,
            json!({"override_reason": "Giao theo Quyết định 15-QĐ/TU"}),
        )
        .await;
    assert_eq!(issued.status, 200, "{issued:?}");

    // Party and Front bodies: 20 done, 2 at 85%, 1 at 50%. Departments: 28 done, 22 at 85%, 10
    // at 50%.
    let mut first_done_report = None;
    for (i, (code, task)) in tasks.iter().enumerate() {
        let percent = match i {
            0..=19 => 100.0,
            20..=21 => 85.0,
            22 => 50.0,
            _ if i - 23 < 28 => 100.0,
            _ if i - 23 < 50 => 85.0,
            _ => 50.0,
        };
        let head = app.token(&heads[code]).await;
        let accepted = report(&app, &head, &ob, task, percent).await;
        if i == 0 {
            first_done_report = Some((head, accepted));
        }
    }

    let url = format!(
        "/api/v1/reports/results?round_id={}&group_by=group",
        round.id()
    );
    let now = app.get(&url, &ob).await;
    assert_eq!(now.status, 200, "{now:?}");
    let (party_front, boards) = (label("DANG-MTTQ-DOAN-THE"), label("BAN-XAY-DUNG-DANG"));
    let bodies = &row(&now.body, &party_front)["tally"];
    assert_eq!(
        (bodies["assigned"].clone(), bodies["completed"].clone()),
        (json!(23), json!(20)),
        "{bodies}"
    );
    assert_eq!(bodies["completion_rate"], 87.0);
    // The same tasks also count in the groups whose rules they followed.
    assert_eq!(row(&now.body, &boards)["tally"]["assigned"], 11);
    assert_eq!(
        row(&now.body, &label("MTTQ-DOAN-THE"))["tally"]["assigned"],
        12
    );
    let departments = &row(&now.body, &label("SO-NGANH"))["tally"];
    assert_eq!(departments["completed"], 28, "{departments}");
    assert_eq!(departments["at_least_80"], 22, "{departments}");
    assert_eq!(departments["assigned"], 60);
    assert_eq!(now.body["total"]["assigned"], 83);

    // A correction after the cut-off: the current figures change, the cut-off's do not.
    let cut_off = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (head, _) = first_done_report.unwrap();
    report(&app, &head, &ob, &tasks[0].1, 60.0).await;
    let corrected = app.get(&url, &ob).await;
    assert_eq!(row(&corrected.body, &party_front)["tally"]["completed"], 19);
    let as_of = app
        .get(&format!("{url}&as_of={}", cut_off.replace('+', "%2B")), &ob)
        .await;
    assert_eq!(as_of.status, 200, "{as_of:?}");
    assert_eq!(
        row(&as_of.body, &party_front)["tally"],
        row(&now.body, &party_front)["tally"]
    );
    assert_problem(&app.get(&format!("{url}&as_of=hôm-qua"), &ob).await, 422);

    // Exports: an Excel workbook (summary, then one sheet per group) and CSV, same figures.
    let export = format!(
        "/api/v1/reports/export?format=xlsx&content=results&round_id={}&group_by=group",
        round.id()
    );
    let (status, headers, bytes) = app.get_bytes(&export, &ob).await;
    assert_eq!(status, 200);
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".xlsx"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
    let sheets = book.sheet_names();
    assert_eq!(sheets[0], "Tổng hợp", "{sheets:?}");
    assert_eq!(
        sheets[1..],
        [
            "BAN-XAY-DUNG-DANG",
            "DANG-MTTQ-DOAN-THE",
            "MTTQ-DOAN-THE",
            "SO-NGANH"
        ],
        "{sheets:?}"
    );
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let header: Vec<String> = summary
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[4], "Hoàn thành");
    let line = summary
        .rows()
        .find(|r| r[1] == Data::String(party_front.clone()))
        .expect("the Party and Front bodies' row");
    assert_eq!(line[2], Data::Float(23.0));
    assert_eq!(line[4], Data::Float(19.0));
    assert_eq!(
        line[10],
        Data::Float(
            row(&corrected.body, &party_front)["tally"]["completion_rate"]
                .as_f64()
                .unwrap()
        )
    );
    let by_unit = book.worksheet_range("SO-NGANH").unwrap();
    assert_eq!(
        by_unit.rows().count(),
        1 + 12 + 1,
        "header, 12 departments, total"
    );

    let (status, headers, bytes) = app
        .get_bytes(
            &export
                .replace("xlsx", "csv")
                .replace("content=results", "content=assignments"),
            &ob,
        )
        .await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("Nội dung nhiệm vụ, chỉ tiêu"));
    // One table per group: a Party or Front body's task is listed under its reporting group
    // and under the group whose rule it followed.
    assert_eq!(
        text.matches("Hoàn thành quá hạn").count(),
        2 * 19 + 28,
        "{text}"
    );

    // Publication: portals see nothing before, the titles and figures after.
    let portal = app.token("portal").await;
    let public = format!("/api/v1/public/rounds/{}/results", round.id());
    assert_problem(&app.get(&public, &portal).await, 404);
    assert_problem(&app.get(&url, &portal).await, 403);
    let current = app
        .get(&format!("/api/v1/rounds/{}", round.id()), &sc)
        .await;
    assert_problem(
        &app.post_if(
            &format!("/api/v1/rounds/{}/publish", round.id()),
            &ob,
            &current.etag(),
            json!({}),
        )
        .await,
        403,
    );
    let published = app
        .post_if(
            &format!("/api/v1/rounds/{}/publish", round.id()),
            &sc,
            &current.etag(),
            json!({}),
        )
        .await;
    assert_eq!(published.status, 200, "{published:?}");
    let current = app
        .get(&format!("/api/v1/rounds/{}", round.id()), &sc)
        .await;
    assert_problem(
        &app.post_if(
            &format!("/api/v1/rounds/{}/publish", round.id()),
            &sc,
            &current.etag(),
            json!({}),
        )
        .await,
        409,
    );
    let seen = app.get(&public, &portal).await;
    assert_eq!(seen.status, 200, "{seen:?}");
    assert_eq!(seen.body["total"]["assigned"], 83);
    assert_eq!(seen.body["assignments"].as_array().unwrap().len(), 83);
    let listed = app.get("/api/v1/public/rounds", &portal).await;
    assert_eq!(listed.body["items"][0]["id"], round.body["id"]);
    for private in ["narrative", "remarks", "evidence", "cadre", "comment"] {
        assert!(
            !seen.text.contains(private),
            "{private} leaked: {}",
            seen.text
        );
    }
}
