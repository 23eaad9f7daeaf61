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
                "code": format!("NV-22-{}", i + 1),
                "title": if i == 82 { "=HYPERLINK(\"http://x\")".to_owned() } else { format!("Nhiệm vụ trọng tâm số {}", i + 1) }, "content_area": if i < 23 { "party_building" } else { "socio_economic" },
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

    // Exports: an Excel workbook (summary, then one sheet per group, then the chart) and CSV,
    // same figures.
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
    check_results_workbook(&bytes, &party_front, &corrected.body);
    let (status, _, bytes) = app
        .get_bytes(
            &export.replace("content=results", "content=assignments"),
            &ob,
        )
        .await;
    assert_eq!(status, 200);
    check_assignments_workbook(&bytes);

    let csv_url = export
        .replace("xlsx", "csv")
        .replace("content=results", "content=assignments");
    let (status, headers, bytes) = app.get_bytes(&csv_url, &ob).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let rows = csv_table(bytes);
    assert_eq!(rows[0][0], "Nhóm");
    assert!(rows[0].iter().any(|h| h == "Nội dung nhiệm vụ, chỉ tiêu"));
    // One table: a Party or Front body's task is listed under its reporting group and under
    // the group whose rule it followed; one header row only.
    assert_eq!(rows.len(), 1 + 2 * 23 + 60);
    assert_eq!(rows.iter().filter(|r| r[1] == "Mã nhiệm vụ").count(), 1);
    assert!(rows
        .iter()
        .any(|r| r.iter().any(|c| c == "'=HYPERLINK(\"http://x\")")));
    assert!(!rows.iter().flatten().any(|c| c.starts_with('=')));
    assert!(rows.iter().any(|r| r[1] == "NV-22-1" && r[4] == "VP-BTC"));
    let results_csv = csv_table(
        app.get_bytes(
            &csv_url.replace("content=assignments", "content=results"),
            &ob,
        )
        .await
        .2,
    );
    assert_eq!(results_csv[0][..3], ["Nhóm", "Mã", "Tên"]);
    let line = results_csv
        .iter()
        .find(|r| r[0] == "Tổng hợp" && r[2] == party_front)
        .expect("the summary row of the Party and Front bodies");
    assert_eq!(line[3], "23");
    assert!(results_csv
        .iter()
        .any(|r| r[0] == party_front && r[1] == "VP-BTC"));
    assert!(
        !results_csv.iter().any(|r| r[2] == "Tổng cộng"),
        "no total rows"
    );
    for (content, first) in [("people", "Họ và tên"), ("indicators", "Năm")] {
        for format in ["csv", "xlsx"] {
            let url = format!("/api/v1/reports/export?format={format}&content={content}&year=2022");
            let (status, _, bytes) = app.get_bytes(&url, &ob).await;
            assert_eq!(status, 200, "{url}");
            if format == "csv" {
                assert_eq!(csv_table(bytes)[0][0], first, "{url}");
            } else {
                let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a workbook");
                assert_eq!(book.sheet_names().len(), 1, "{url}: no chart sheet");
                let sheet = book.worksheet_range_at(0).unwrap().unwrap();
                assert_eq!(
                    sheet.get_value((0, 0)),
                    Some(&Data::String("BAN TỔ CHỨC TỈNH ỦY".into())),
                    "{url}"
                );
            }
        }
    }

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

/// The rows of a CSV export, after checking its byte-order mark and that every row has the
/// header's columns.
fn csv_table(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes).unwrap();
    let body = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.expect("every row the header's columns")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    rows
}

/// The XML of `part` of the workbook `bytes`.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = zip.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut file, &mut out).unwrap();
    out
}

/// The row (index) of the header whose first cell is `first`.
fn header_row(sheet: &calamine::Range<Data>, first: &str) -> usize {
    sheet
        .rows()
        .position(|r| r[0] == Data::String(first.into()))
        .unwrap_or_else(|| panic!("no header {first}"))
}

/// The results workbook: title block, label sheet names, codes, percentages, print setup, chart.
fn check_results_workbook(bytes: &[u8], party_front: &str, report: &Value) {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 6, "{sheets:?}");
    assert_eq!(sheets[0], "Tổng hợp", "{sheets:?}");
    assert_eq!(sheets[5], "Biểu đồ", "{sheets:?}");
    for (name, code) in sheets[1..5].iter().zip([
        "BAN-XAY-DUNG-DANG",
        "DANG-MTTQ-DOAN-THE",
        "MTTQ-DOAN-THE",
        "SO-NGANH",
    ]) {
        assert!(label(code).starts_with(name.as_str()), "{name} of {code}");
    }
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let text: Vec<String> = summary.rows().take(7).map(|r| r[0].to_string()).collect();
    assert_eq!(text[0], "BAN TỔ CHỨC TỈNH ỦY", "{text:?}");
    assert_eq!(
        text[1],
        "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ, CHỈ TIÊU ĐƯỢC GIAO"
    );
    assert_eq!(text[2], "Đợt giao: Giao chỉ tiêu, nhiệm vụ năm 2022");
    assert!(text[3].starts_with("Phạm vi:"), "{text:?}");
    assert!(text[4].starts_with("Số liệu tính đến "), "{text:?}");
    assert!(
        text[5].starts_with("Người lập: ") && text[5].contains("(bantochuc.1)"),
        "{text:?}"
    );
    let head = header_row(&summary, "Mã");
    let header: Vec<String> = summary
        .rows()
        .nth(head)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[4], "Hoàn thành");
    let line = summary
        .rows()
        .find(|r| r[1] == Data::String(party_front.to_owned()))
        .expect("the Party and Front bodies' row");
    assert_eq!(
        line[0],
        Data::String("DANG-MTTQ-DOAN-THE".into()),
        "a group code, not an id"
    );
    assert_eq!(line[2], Data::Float(23.0));
    assert_eq!(line[4], Data::Float(19.0));
    let rate = row(report, party_front)["tally"]["completion_rate"]
        .as_f64()
        .unwrap();
    assert_eq!(line[10], Data::Float(rate / 100.0));
    let by_unit = book.worksheet_range(&sheets[4]).unwrap();
    let head = header_row(&by_unit, "Mã");
    assert_eq!(
        by_unit.rows().count() - head,
        1 + 12 + 1,
        "header, 12 departments, total"
    );
    assert!(by_unit
        .rows()
        .any(|r| r[0] == Data::String("VP-SO-NV".into())));

    let styles = part(bytes, "xl/styles.xml");
    for format in ["0.0%", "#,##0"] {
        assert!(
            styles.contains(&format!("formatCode=\"{format}\"")),
            "{format}: {styles}"
        );
    }
    let sheet = part(bytes, "xl/worksheets/sheet1.xml");
    for expected in [
        "orientation=\"landscape\"",
        "paperSize=\"9\"",
        "fitToHeight=\"0\"",
        "<pageSetUpPr fitToPage=\"1\"/>",
        "<pane ",
        "state=\"frozen\"",
        "<autoFilter ",
        "<col ",
        "customWidth=\"1\"",
        "&amp;CTrang &amp;P/&amp;N",
    ] {
        assert!(sheet.contains(expected), "{expected}: {sheet}");
    }
    let workbook = part(bytes, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    assert!(workbook.contains("_xlnm._FilterDatabase"), "{workbook}");
    let chart = part(bytes, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barChart>"), "{chart}");
    assert!(chart.contains("<c:grouping val=\"stacked\"/>"), "{chart}");
    assert_eq!(chart.matches("<c:ser>").count(), 5);
    assert!(part(bytes, "xl/charts/chart2.xml").contains("<c:barChart>"));
}

/// The assignments workbook: assignment and unit codes, labels, real dates, percentages.
fn check_assignments_workbook(bytes: &[u8]) {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
    let first = book.worksheet_range_at(0).unwrap().unwrap();
    let head = header_row(&first, "Mã nhiệm vụ");
    let line = first
        .rows()
        .skip(head + 1)
        .find(|r| r[0] == Data::String("NV-22-1".into()))
        .expect("the assignment by its code");
    assert_eq!(line[3], Data::String("VP-BTC".into()));
    assert_eq!(line[6], Data::String("Xây dựng Đảng".into()), "{line:?}");
    assert_eq!(
        line[7],
        Data::String("Nhiệm vụ (có sản phẩm cụ thể)".into()),
        "{line:?}"
    );
    assert!(
        matches!(line[8], Data::DateTime(_)),
        "a date: {:?}",
        line[8]
    );
    assert_eq!(line[10], Data::Float(0.6));
    assert!(part(bytes, "xl/styles.xml").contains("formatCode=\"dd/mm/yyyy\""));
    let uuid = regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-").unwrap();
    for r in first.rows() {
        for c in r {
            assert!(!uuid.is_match(&c.to_string()), "an id in {r:?}");
        }
    }
}
