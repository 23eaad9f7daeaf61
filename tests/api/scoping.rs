//! List scoping from outside: every list endpoint, read by callers whose scope excludes the
//! objects of the Bình Xuyên district (`VP-HU-BX`), returns none of them, and the same list read
//! by a caller in scope returns them. A list that leaked other units' rows would pass the
//! authorization matrix (which only checks statuses) but fails here.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// Callers with no business in Bình Xuyên: another unit's head and staff, a supervisor who
/// does not watch it, the portal and a data feed.
const OUTSIDERS: [&str; 5] = [
    "head.so-tnmt",
    "staff.so-tnmt.1",
    "giamsat.2",
    "portal",
    "feed.so-khdt",
];

/// Every page of a list (following `next_cursor`), as one text, or `None` when refused.
async fn read_all(app: &TestApp, token: &str, path: &str) -> Option<String> {
    let mut text = String::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit=200");
    loop {
        let res = app.get(&url, token).await;
        if res.status != 200 {
            assert!(
                [403, 404].contains(&res.status.as_u16()),
                "{path}: a refusal is 403 or 404: {res:?}"
            );
            return None;
        }
        text.push_str(&res.text);
        // A feed always gives a cursor; its end is an empty page.
        if res.body["items"].as_array().is_some_and(|i| i.is_empty()) {
            return Some(text);
        }
        match res.body["next_cursor"].as_str() {
            // The event feed resumes `after` its cursor; lists take `cursor`.
            Some(cursor) if path.ends_with("/events") => {
                url = format!("{path}{sep}limit=200&after={cursor}")
            }
            Some(cursor) => url = format!("{path}{sep}limit=200&cursor={cursor}"),
            None => return Some(text),
        }
    }
}

fn created(res: &Res) -> Uuid {
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

/// Objects of Bình Xuyên, one of each kind a list returns.
struct Foreign {
    round: Uuid,
    assignment: Uuid,
    commitment: Uuid,
    delegation: Uuid,
    amendment: Uuid,
    report: Uuid,
    obstacle: Uuid,
    opinion: Uuid,
    evidence: Uuid,
    mark: Uuid,
    evaluation: Uuid,
    spot_check: Uuid,
    finding: Uuid,
    bx: Uuid,
    decision: Uuid,
    account: Uuid,
    binding: Uuid,
    licence: Uuid,
    cadre: Uuid,
    post: Uuid,
    reopening: Uuid,
    consequence: Uuid,
    person_evaluation: Uuid,
}

async fn seed(app: &TestApp) -> Foreign {
    let (admin, ob, sc) = (
        app.token("admin").await,
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let head = app.token("head.hu-binhxuyen").await;
    let watcher = app.token("giamsat.1").await;
    let bx = app.unit("VP-HU-BX").await;
    let built = Round::of(app, "VP").task("VP-HU-BX").issue().await;
    let (round, task) = (built.round, built.tasks[0]);
    let at = |tail: &str| format!("/api/v1/assignments/{task}/{tail}");

    let terms = app
        .get(
            &format!("/api/v1/rounds/{round}/commitment-terms?assignee_unit_id={bx}"),
            &head,
        )
        .await;
    assert_eq!(terms.status, 200, "{terms:?}");
    let commitment = created(
        &app.post(
            &format!("/api/v1/rounds/{round}/commitments"),
            &head,
            json!({"assignee_unit_id": bx, "terms_hash": terms.body["terms_hash"]}),
        )
        .await,
    );
    let today = chrono::Utc::now().date_naive();
    let post = app
        .get(
            &format!("/api/v1/posts?unit_id={bx}&kind=head&as_of={today}"),
            &admin,
        )
        .await;
    let post_id: Uuid = post.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let cadre: Uuid = post.body["items"][0]["cadre_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let delegation = created(
        &app.post(
            "/api/v1/signing-delegations",
            &ob,
            json!({"unit_id": bx, "cadre_id": cadre, "valid_from": "2026-01-01", "reason": "Ủy quyền ký thay"}),
        )
        .await,
    );
    let amendment = created(
        &app.post(
            &at("amendments"),
            &head,
            json!({"kind": "deadline_change", "justification": "Nguyên nhân khách quan do thiên tai", "end_date": "2023-03-31"}),
        )
        .await,
    );
    let report = created(
        &app.send(
            reqwest::Method::PUT,
            &at("progress-reports/2022-Q1"),
            &head,
            Some(json!({"narrative": "Bình Xuyên đã hoàn thành 50% khối lượng", "confidence": "on_track"})),
            &[],
        )
        .await,
    );
    let obstacle = created(
        &app.post(
            &at("obstacles"),
            &head,
            json!({"description": "Thiếu kinh phí thực hiện"}),
        )
        .await,
    );
    let opinion = created(
        &app.post(
            &at("opinions"),
            &watcher,
            json!({"body": "Đề nghị tập trung chỉ đạo"}),
        )
        .await,
    );
    let link = app
        .post(
            &at("evidence"),
            &head,
            json!({"kind": "link", "title": "Tin bài", "url": "https://binhxuyen.vinhphuc.gov.vn/tin"}),
        )
        .await;
    let evidence = created(&link);
    let marked = app
        .post_if(
            &format!("/api/v1/evidence/{evidence}/marks"),
            &watcher,
            &link.etag(),
            json!({"mark": "verified", "comment": "Đã đối chiếu"}),
        )
        .await;
    assert_eq!(marked.status, 200, "{marked:?}");
    let mark: Uuid = app
        .get(&format!("/api/v1/evidence/{evidence}/marks"), &sc)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let evaluation = created(
        &app.post(
            &at("evaluations"),
            &head,
            json!({"period": "2022", "grade": "good", "narrative": "Hoàn thành đúng hạn",
                "evidence_ids": [evidence]}),
        )
        .await,
    );
    let spot_check = created(
        &app.post(
            &format!("/api/v1/rounds/{round}/spot-checks"),
            &ob,
            json!({"share": 1.0, "seed": "kiem-tra-bx"}),
        )
        .await,
    );
    let finding = created(
        &app.post(
            &format!("/api/v1/spot-checks/{spot_check}/findings"),
            &ob,
            json!({"assignment_id": task, "outcome": "confirmed",
                "note": "Đối chiếu thực địa tại Bình Xuyên"}),
        )
        .await,
    );
    let decision: Uuid = app
        .get(&format!("/api/v1/rounds/{round}/decisions"), &sc)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let account = created(
        &app.post(
            "/api/v1/accounts",
            &admin,
            json!({"username": "vanthu.bx", "display_name": "Văn thư Bình Xuyên", "kind": "user",
                "secret": "Mat-khau-du-dai-2026", "home_unit_id": bx}),
        )
        .await,
    );
    let binding = created(
        &app.post(
            "/api/v1/role-bindings",
            &admin,
            json!({"account_id": account, "role": "unit_staff", "unit_id": bx,
                "include_subtree": false, "valid_from": "2021-01-01"}),
        )
        .await,
    );
    let other_feed = app
        .get("/api/v1/me", &app.token("feed.cuc-thong-ke").await)
        .await
        .body["account"]["id"]
        .clone();
    let licence = created(
        &app.post(
            "/api/v1/feed-licences",
            &admin,
            json!({"account_id": other_feed, "indicator_code": "HO_SO", "unit_id": bx}),
        )
        .await,
    );
    // The evaluation decided, its record reopened, a consequence recorded, and the head's own
    // evaluation of the year opened.
    let path = format!("/api/v1/evaluations/{evaluation}");
    let etag = app.get(&path, &ob).await.etag();
    let appraised = app
        .post_if(
            &format!("{path}/appraise"),
            &ob,
            &etag,
            json!({"grade": "good", "remarks": "Đúng thực tế"}),
        )
        .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    let decided = app
        .post_if(
            &format!("{path}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "good", "departure_reason": "Theo kết luận của Ban Thường vụ"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    let reopening = created(
        &app.post(
            &format!("{path}/reopen"),
            &ob,
            json!({"reason": "Sửa số liệu báo cáo"}),
        )
        .await,
    );
    let consequence = created(
        &app.post(
            &format!("{path}/consequences"),
            &sc,
            json!({"cadre_id": cadre,
            "kind": "commendation", "decision_number": "01-QĐ/BX", "decision_date": "2023-01-20",
            "issuer": "Ban Thường vụ Tỉnh ủy"}),
        )
        .await,
    );
    let person_evaluation = created(
        &app.post(
            "/api/v1/person-evaluations",
            &head,
            json!({"cadre_id": cadre,
            "evaluating_unit_id": app.unit("VP").await, "period": "2022", "grade": "good",
            "narrative": "Hoàn thành"}),
        )
        .await,
    );
    Foreign {
        reopening,
        consequence,
        person_evaluation,
        round,
        assignment: task,
        commitment,
        delegation,
        amendment,
        report,
        obstacle,
        opinion,
        evidence,
        mark,
        evaluation,
        spot_check,
        finding,
        bx,
        decision,
        account,
        binding,
        licence,
        cadre,
        post: post_id,
    }
}

#[actix_web::test]
async fn no_list_returns_another_units_rows() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let (a, r) = (f.assignment, f.round);
    // (list, the foreign object it must not disclose, a caller who does see it)
    let lists: Vec<(String, String, &str)> = vec![
        ("/api/v1/rounds".into(), f.round.to_string(), "thuongvu.1"),
        ("/api/v1/assignments".into(), a.to_string(), "thuongvu.1"),
        (
            "/api/v1/commitments".into(),
            f.commitment.to_string(),
            "thuongvu.1",
        ),
        (
            "/api/v1/signing-delegations".into(),
            f.delegation.to_string(),
            "head.hu-binhxuyen",
        ),
        (
            format!("/api/v1/assignments/{a}/amendments"),
            f.amendment.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/assignments/{a}/evaluations"),
            f.evaluation.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/assignments/{a}/evidence"),
            f.evidence.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/assignments/{a}/obstacles"),
            f.obstacle.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/assignments/{a}/opinions"),
            f.opinion.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/assignments/{a}/progress-reports"),
            f.report.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/progress-reports/{}/revisions", f.report),
            "Bình Xuyên đã hoàn thành".into(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/evidence/{}/marks", f.evidence),
            f.mark.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/rounds/{r}/decisions"),
            f.decision.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/rounds/{r}/spot-checks"),
            f.spot_check.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/spot-checks/{}/findings", f.spot_check),
            f.finding.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/assignments/{a}/accountables"),
            f.bx.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/evaluations/{}/reopenings", f.evaluation),
            f.reopening.to_string(),
            "thuongvu.1",
        ),
        (
            format!("/api/v1/evaluations/{}/consequences", f.evaluation),
            f.consequence.to_string(),
            "thuongvu.1",
        ),
        (
            "/api/v1/person-evaluations".into(),
            f.person_evaluation.to_string(),
            "thuongvu.1",
        ),
        ("/api/v1/events".into(), a.to_string(), "thuongvu.1"),
        ("/api/v1/audit-events".into(), a.to_string(), "thuongvu.1"),
        ("/api/v1/accounts".into(), f.account.to_string(), "admin"),
        (
            "/api/v1/role-bindings".into(),
            f.binding.to_string(),
            "admin",
        ),
        (
            "/api/v1/feed-licences".into(),
            f.licence.to_string(),
            "admin",
        ),
        (
            "/api/v1/cadres".into(),
            f.cadre.to_string(),
            "head.hu-binhxuyen",
        ),
        (
            "/api/v1/posts".into(),
            f.post.to_string(),
            "head.hu-binhxuyen",
        ),
    ];
    let mut leaks = Vec::new();
    for (path, marker, insider) in &lists {
        let seen = read_all(&app, &app.token(insider).await, path).await;
        assert!(
            seen.as_deref().is_some_and(|t| t.contains(marker.as_str())),
            "{insider} should find {marker} in {path}"
        );
        for outsider in OUTSIDERS {
            let text = read_all(&app, &app.token(outsider).await, path).await;
            if text.is_some_and(|t| t.contains(marker.as_str())) {
                leaks.push(format!("{outsider} sees {marker} in {path}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "foreign rows leaked:\n{}",
        leaks.join("\n")
    );
}

/// The public list holds only what was published; an unpublished round is not in it.
#[actix_web::test]
async fn the_public_list_holds_only_published_rounds() {
    let app = TestApp::spawn().await;
    let f = seed(&app).await;
    let portal = app.token("portal").await;
    let text: Value = app.get("/api/v1/public/rounds", &portal).await.body;
    assert!(!text.to_string().contains(&f.round.to_string()), "{text}");
}
