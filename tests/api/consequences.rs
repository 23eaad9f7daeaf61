//! Consequences of evaluation results over HTTP: what a decided grade was used for
//! (commendation, emulation classification, review and discipline, planning, appointment,
//! rotation), recorded by the Standing Committee or the Organisation Board for a cadre the grade
//! is attributed to, with the decision document, and read back in the cadre's record.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// An evaluation of the current year of a task of the Department of Natural Resources and
/// Environment, self-assessed and appraised (not yet decided): its URL and last ETag.
async fn appraised(app: &TestApp) -> (String, String, Value) {
    let year = this_year();
    let built = Round::of(app, "VP")
        .in_year(year)
        .override_reason("Đợt giao thử nghiệm")
        .task_with(
            "VP-SO-TNMT",
            merged(spanning(year), json!({"code": "NV-1"})),
        )
        .issue()
        .await;
    let task = built.tasks[0];
    let link = delivered(app, task, "head.so-tnmt", &format!("{year}-Q1"), 100.0).await;
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &app.token("head.so-tnmt").await,
            json!({"period": year.to_string(), "grade": "good", "score": 90.0,
                "narrative": "Bàn giao mặt bằng đúng hạn", "evidence_ids": [link]}),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let url = format!("/api/v1/evaluations/{}", assessed.id());
    let appraised = app
        .post_if(
            &format!("{url}/appraise"),
            &app.token("bantochuc.1").await,
            &assessed.etag(),
            json!({"grade": "good", "remarks": "Đúng thực tế"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let suggested = appraised.body["evaluation"]["suggestion"]["grade"].clone();
    (url, appraised.etag(), suggested)
}

/// The evaluation at `url`, appraised with ETag `etag`, decided by the Standing Committee as
/// the rule set suggests.
async fn decide(app: &TestApp, url: &str, etag: &str, suggested: Value) {
    let decided = app
        .post_if(
            &format!("{url}/decide"),
            &app.token("thuongvu.1").await,
            etag,
            json!({"grade": suggested, "note": "Quyết định xếp loại"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
}

/// A decided evaluation of the department's task: its URL.
async fn decided(app: &TestApp) -> String {
    let (url, etag, suggested) = appraised(app).await;
    decide(app, &url, &etag, suggested).await;
    url
}

/// The cadre heading the department today (the account `head.so-tnmt`).
async fn tnmt_head(app: &TestApp) -> String {
    let today = chrono::Utc::now().date_naive();
    let tnmt = app.unit("VP-SO-TNMT").await;
    let posts = app
        .get(
            &format!("/api/v1/posts?unit_id={tnmt}&kind=head&as_of={today}"),
            &app.token("admin").await,
        )
        .await;
    posts.body["items"][0]["cadre_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no head: {posts:?}"))
        .to_string()
}

/// A consequence of `kind` for `cadre` under decision `number`, dated today.
fn consequence(cadre: &str, kind: &str, number: &str) -> Value {
    json!({"cadre_id": cadre, "kind": kind, "decision_number": number,
        "decision_date": chrono::Utc::now().date_naive(), "issuer": "Ban Thường vụ Tỉnh ủy",
        "note": "Tặng Bằng khen của Ban Thường vụ Tỉnh ủy"})
}

/// The fields named by a 422's errors.
fn fields(res: &Res) -> Vec<String> {
    assert_problem(res, 422);
    res.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[actix_web::test]
async fn a_consequence_rests_on_a_decided_grade_and_shows_in_the_cadre_record() {
    let app = TestApp::spawn().await;
    let (sc, ob, head, staff) = (
        app.token("thuongvu.1").await,
        app.token("bantochuc.1").await,
        app.token("head.so-tnmt").await,
        app.token("staff.so-tnmt.1").await,
    );
    let cadre = tnmt_head(&app).await;
    let (url, etag, suggested) = appraised(&app).await;
    let path = format!("{url}/consequences");

    // Not decided yet: nothing rests on the grade.
    let before = app.audit_count().await;
    assert_problem(
        &app.post(&path, &sc, consequence(&cadre, "commendation", "125-QĐ/TU"))
            .await,
        409,
    );
    assert_eq!(app.audit_count().await, before);
    decide(&app, &url, &etag, suggested).await;

    // The Standing Committee records a reward, the Board a review; each is audited.
    let before = app.audit_count().await;
    let reward = app
        .post(&path, &sc, consequence(&cadre, "commendation", "125-QĐ/TU"))
        .await;
    assert_eq!(reward.status, 201, "{reward:?}");
    assert_eq!(reward.body["kind"], "commendation");
    assert_eq!(reward.body["cadre_id"], cadre.as_str());
    assert_eq!(reward.body["decision_number"], "125-QĐ/TU");
    assert_eq!(reward.body["issuer"], "Ban Thường vụ Tỉnh ủy");
    let planning = app
        .post(
            &path,
            &ob,
            json!({"cadre_id": cadre, "kind": "planning", "decision_number": " 310-QĐ/TU ",
                "decision_date": "2020-12-15", "issuer": "Ban Thường vụ Tỉnh ủy"}),
        )
        .await;
    assert_eq!(planning.status, 201, "{planning:?}");
    assert_eq!(planning.body["decision_number"], "310-QĐ/TU");
    assert_eq!(planning.body["note"], Value::Null);
    assert_eq!(app.audit_count().await, before + 2);
    let trail = app
        .get("/api/v1/audit-events?action=consequence.record", &sc)
        .await;
    let items = trail.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{trail:?}");
    assert_eq!(items[0]["resource_id"], reward.body["id"]);

    // The same decision twice is one consequence.
    assert_problem(
        &app.post(&path, &sc, consequence(&cadre, "commendation", "125-QĐ/TU"))
            .await,
        409,
    );

    // The cadre reads both in the record, under the evaluation they rest on.
    let record = app
        .get(&format!("/api/v1/cadres/{cadre}/record"), &head)
        .await;
    assert_eq!(record.status, 200, "{record:?}");
    let entry = record.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| url.ends_with(e["evaluation_id"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("no entry: {record:?}"))
        .clone();
    let kinds: Vec<&str> = entry["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["commendation", "planning"]);
    assert_eq!(entry["consequences"][0]["decision_number"], "125-QĐ/TU");

    // The evaluation's list: whole for those who may read the record, empty for the
    // department's staff, who read the evaluation but not the cadre's record.
    for token in [&sc, &ob, &head] {
        let listed = app.get(&path, token).await;
        assert_eq!(listed.status, 200, "{listed:?}");
        assert_eq!(
            listed.body["items"].as_array().unwrap().len(),
            2,
            "{listed:?}"
        );
    }
    let theirs = app.get(&path, &staff).await;
    assert_eq!(theirs.status, 200, "{theirs:?}");
    assert_eq!(theirs.body["items"], json!([]));
    assert_problem(&app.get(&path, &app.token("admin").await).await, 404);

    // The kinds are a vocabulary in both languages.
    let vocabulary = app
        .get(
            "/api/v1/vocabularies/consequence_kind",
            &app.token("portal").await,
        )
        .await;
    assert_eq!(vocabulary.status, 200, "{vocabulary:?}");
    let terms = vocabulary.body["terms"].as_array().unwrap();
    assert_eq!(terms.len(), 6);
    assert!(terms
        .iter()
        .any(|t| t["code"] == "review_discipline"
            && t["label_vi"] == "Kiểm điểm, làm rõ trách nhiệm"));
}

#[actix_web::test]
async fn others_are_refused_and_a_wrong_cadre_or_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let (sc, ob) = (
        app.token("thuongvu.1").await,
        app.token("bantochuc.1").await,
    );
    let cadre = tnmt_head(&app).await;
    let url = decided(&app).await;
    let path = format!("{url}/consequences");
    let body = consequence(&cadre, "commendation", "125-QĐ/TU");
    let before = app.audit_count().await;

    // The head, the staff and the supervisor read the evaluation but may not record; the
    // administrator, the feed and the portal do not see it.
    for (who, status) in [
        ("head.so-tnmt", 403),
        ("staff.so-tnmt.1", 403),
        ("giamsat.2", 403),
        ("admin", 404),
        ("feed.so-khdt", 404),
        ("portal", 404),
    ] {
        let res = app.post(&path, &app.token(who).await, body.clone()).await;
        assert_problem(&res, status);
    }
    assert_problem(
        &app.post(
            &format!("/api/v1/evaluations/{}/consequences", Uuid::now_v7()),
            &sc,
            body.clone(),
        )
        .await,
        404,
    );

    // A cadre the grade is not attributed to: another cadre of the department, or none.
    let other = app
        .post(
            "/api/v1/cadres",
            &ob,
            json!({"full_name": "Nguyễn Thị Hoa", "managing_unit_id": app.unit("VP-SO-TNMT").await}),
        )
        .await;
    assert_eq!(other.status, 201, "{other:?}");
    assert_eq!(app.audit_count().await, before + 1);
    for id in [other.id(), Uuid::now_v7()] {
        let res = app
            .post(
                &path,
                &sc,
                consequence(&id.to_string(), "commendation", "126-QĐ/TU"),
            )
            .await;
        assert_eq!(fields(&res), ["cadre_id"]);
    }

    // An unknown kind, a decision dated ahead, a blank document.
    let bad_kind = app
        .post(&path, &sc, consequence(&cadre, "khen_thuong", "127-QĐ/TU"))
        .await;
    assert_problem(&bad_kind, 422);
    assert!(bad_kind.text.contains("commendation"), "{bad_kind:?}");
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(2);
    let mut ahead = consequence(&cadre, "rotation", "128-QĐ/TU");
    ahead["decision_date"] = json!(tomorrow);
    assert_eq!(
        fields(&app.post(&path, &sc, ahead).await),
        ["decision_date"]
    );
    let mut blank = consequence(&cadre, "appointment", "   ");
    blank["issuer"] = json!("  ");
    let mut named = fields(&app.post(&path, &sc, blank).await);
    named.sort();
    assert_eq!(named, ["decision_number", "issuer"]);
    let mut unknown = consequence(&cadre, "appointment", "129-QĐ/TU");
    unknown["reward"] = json!("Bằng khen");
    assert_problem(&app.post(&path, &sc, unknown).await, 422);

    // Nothing was recorded.
    assert_eq!(app.audit_count().await, before + 1, "only the new cadre");
    let listed = app.get(&path, &sc).await;
    assert_eq!(listed.body["items"], json!([]), "{listed:?}");
    let record = app
        .get(&format!("/api/v1/cadres/{cadre}/record"), &sc)
        .await;
    assert!(record.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["consequences"] == json!([])));
}
