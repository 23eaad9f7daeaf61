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
