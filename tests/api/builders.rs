//! Test builders: a round of assignments drafted by the Organisation Board and issued by the
//! Standing Committee, in one expression, instead of the same requests rebuilt in every test.
//!
//! ```ignore
//! let task = Round::of(&app, "VP").decision("41-QĐ/TU").task("VP-SO-TNMT").issue().await.tasks[0];
//! ```

use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;

/// The task every builder starts from: a 2022 task with a described product.
pub fn standard_task() -> Value {
    json!({"title": "Hoàn thành giải phóng mặt bằng dự án đường vành đai 3",
        "content_area": "socio_economic", "kind": "task", "product_description": "Bàn giao mặt bằng",
        "start_date": "2022-01-01", "end_date": "2022-12-31"})
}

/// A quantified 2022 target: at least 90% of files handled on time.
pub fn standard_target() -> Value {
    json!({"title": "Tỷ lệ hồ sơ giải quyết đúng hạn", "content_area": "government_building",
        "kind": "target", "start_date": "2022-01-01", "end_date": "2022-12-31",
        "target": {"unit_of_measure": "%", "shape": "at_least", "value": 90.0}})
}

/// `base` with the fields of `overrides` set (a shallow merge of two JSON objects).
pub fn merged(mut base: Value, overrides: Value) -> Value {
    if let (Some(b), Value::Object(o)) = (base.as_object_mut(), overrides) {
        b.extend(o);
    }
    base
}

/// A round being built.
pub struct Round<'a> {
    app: &'a TestApp,
    assigning: String,
    fields: Value,
    tasks: Vec<(String, Value)>,
    issue: Value,
}

/// What a built round holds.
pub struct Built {
    /// The round's id.
    pub round: Uuid,
    /// The round's last ETag.
    pub etag: String,
    /// The ids of its assignments, in the order they were added.
    pub tasks: Vec<Uuid>,
}

impl<'a> Round<'a> {
    /// A 2022 round of the unit with master-data code `assigning`.
    pub fn of(app: &'a TestApp, assigning: &str) -> Self {
        Self {
            app,
            assigning: assigning.to_owned(),
            fields: json!({"year": 2022, "title": "Đợt giao", "decision_date": "2022-01-10",
                "decision_number": format!("QĐ-{}", &Uuid::now_v7().simple().to_string()[20..])}),
            tasks: Vec::new(),
            issue: json!({}),
        }
    }

    /// Sets a field of the round (`year`, `title`, `quarterly_evaluation`…).
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Self {
        self.fields[field] = value.into();
        self
    }

    /// Sets the decision number.
    pub fn decision(self, number: &str) -> Self {
        self.with("decision_number", number)
    }

    /// Adds the standard task to the unit with code `assignee`.
    pub fn task(self, assignee: &str) -> Self {
        self.task_with(assignee, json!({}))
    }

    /// Adds the standard task to `assignee` with some fields changed.
    pub fn task_with(self, assignee: &str, fields: Value) -> Self {
        self.assignment(assignee, merged(standard_task(), fields))
    }

    /// Adds an assignment with exactly `body` (round and assignee are filled in).
    pub fn assignment(mut self, assignee: &str, body: Value) -> Self {
        self.tasks.push((assignee.to_owned(), body));
        self
    }

    /// Issues over the readiness check's breaches with this reason.
    pub fn override_reason(mut self, reason: &str) -> Self {
        self.issue = json!({ "override_reason": reason });
        self
    }

    /// Creates the round and its assignments as the Organisation Board, leaving it a draft.
    pub async fn draft(self) -> Built {
        let app = self.app;
        let ob = app.token("bantochuc.1").await;
        let mut body = self.fields;
        body["assigning_unit_id"] = json!(app.unit(&self.assigning).await);
        let round = app.post("/api/v1/rounds", &ob, body).await;
        assert_eq!(round.status, 201, "{round:?}");
        let mut tasks = Vec::new();
        for (assignee, mut task) in self.tasks {
            task["round_id"] = json!(round.id());
            task["assignee_unit_id"] = json!(app.unit(&assignee).await);
            let res = app.post("/api/v1/assignments", &ob, task).await;
            assert_eq!(res.status, 201, "{res:?}");
            tasks.push(res.id());
        }
        Built {
            round: round.id(),
            etag: round.etag(),
            tasks,
        }
    }

    /// Creates the round and its assignments, then issues it as the Standing Committee.
    pub async fn issue(self) -> Built {
        let (app, issue) = (self.app, self.issue.clone());
        let mut built = self.draft().await;
        let sc = app.token("thuongvu.1").await;
        let issued = app
            .post_if(
                &format!("/api/v1/rounds/{}/issue", built.round),
                &sc,
                &built.etag,
                issue,
            )
            .await;
        assert_eq!(issued.status, 200, "{issued:?}");
        built.etag = issued.etag();
        built
    }
}

/// The current year (UTC): a round of this year, reported today for a period whose due date
/// falls in it, reads on time whatever day the tests run.
pub fn this_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

/// Fields that put an assignment over the whole of `year`.
pub fn spanning(year: i32) -> Value {
    json!({"start_date": format!("{year}-01-01"), "end_date": format!("{year}-12-31")})
}

impl Round<'_> {
    /// Makes it a round of `year`, decided on 10 January (its assignments still need their
    /// dates: see [`spanning`]).
    pub fn in_year(self, year: i32) -> Self {
        self.with("year", year)
            .with("decision_date", format!("{year}-01-10"))
    }
}

/// A task's progress report: `percent` complete in the head's own estimate.
pub fn task_report(percent: f64) -> Value {
    json!({"narrative": format!("Đạt {percent}% khối lượng"), "self_assessed_completion": percent,
        "confidence": "on_track"})
}

/// A target's progress report: `value` measured on `measured_on`.
pub fn target_report(value: f64, measured_on: &str) -> Value {
    json!({"narrative": format!("Đạt {value}"), "actual_value": value, "measured_on": measured_on,
        "value_source": "Hệ thống một cửa điện tử", "confidence": "on_track"})
}

/// The progress report of `task` for reporting period `period` (e.g. `2022-Q4`) written with
/// `content` and submitted today by the head `head` (a username), then accepted by the
/// Organisation Board: the accepted report.
pub async fn accepted_report(
    app: &TestApp,
    task: Uuid,
    head: &str,
    period: &str,
    content: Value,
) -> Res {
    let head = app.token(head).await;
    let written = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/assignments/{task}/progress-reports/{period}"),
            &head,
            Some(content),
            &[],
        )
        .await;
    assert_eq!(written.status, 201, "{written:?}");
    let submitted = app
        .post_if(
            &format!("/api/v1/progress-reports/{}/submit", written.id()),
            &head,
            &written.etag(),
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    let accepted = app
        .post_if(
            &format!("/api/v1/progress-reports/{}/accept", written.id()),
            &app.token("bantochuc.1").await,
            &submitted.etag(),
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    accepted
}

/// A link added as evidence of `task` by `who` (a username of the assignee unit): the record.
pub async fn evidence_link(app: &TestApp, task: Uuid, who: &str, title: &str) -> Res {
    let link = app
        .post(
            &format!("/api/v1/assignments/{task}/evidence"),
            &app.token(who).await,
            json!({"kind": "link", "title": title,
                "url": format!("https://vinhphuc.gov.vn/minh-chung/{}", Uuid::now_v7())}),
        )
        .await;
    assert_eq!(link.status, 201, "{link:?}");
    link
}

/// A task delivered as the record shows it: an accepted report of `percent` for `period` and a
/// link as evidence, both by the head `head`. Returns the evidence's id.
pub async fn delivered(app: &TestApp, task: Uuid, head: &str, period: &str, percent: f64) -> Uuid {
    accepted_report(app, task, head, period, task_report(percent)).await;
    evidence_link(app, task, head, "Biên bản nghiệm thu sản phẩm")
        .await
        .id()
}
