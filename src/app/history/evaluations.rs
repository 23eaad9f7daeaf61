//! Past evaluations entered from the paper record: a decided grade with the days of its
//! self-assessment, appraisal and decision as they happened. The facts are derived from the
//! record up to the period's end, as for a live evaluation, so the same rules hold: a grade
//! that departs from the suggested one needs a reason, and beyond the group's quota of
//! excellent grades an exception reason.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::moment;
use crate::app::batch::{self, BatchOutcome, Refusal, Written};
use crate::app::evaluations::{
    attribute_grade, derived_facts, json, period_of, quota_for, rule_set_valid,
};
use crate::app::{in_tx, Tx};
use crate::auth::policy::assignments::visible;
use crate::auth::policy::require_somewhere;
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, EvaluationRow, PaperSourceRow};
use crate::db::repo;
use crate::domain::grading::{self, departure_violation, quota_violation, Grade};
use crate::domain::record::ContestedBy;
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::workflow::EvaluationState;
use crate::domain::Violation;
use crate::error::ApiError;

/// An evaluation as it was decided on paper.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PastEvaluation {
    /// The assignment evaluated.
    pub assignment_id: Uuid,
    /// `term`, a year (`2022`) or a quarter (`2022-Q3`) of the assignment.
    pub period: String,
    /// The rule set applied (default: the one valid at the end of the period).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub rule_set_code: Option<String>,
    /// The head's proposed grade, if the paper shows one.
    pub self_grade: Option<Grade>,
    /// The day of the self-assessment (with `self_grade`).
    pub self_assessed_on: Option<NaiveDate>,
    /// The Organisation Board's proposed grade, if the paper shows one.
    pub appraised_grade: Option<Grade>,
    /// The day of the appraisal (with `appraised_grade`).
    pub appraised_on: Option<NaiveDate>,
    /// The grade decided.
    pub grade: Grade,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// Note of the decision.
    #[validate(length(max = 10000), custom(function = "plain_text"))]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: Option<String>,
    /// Why the grade departs from the one the record suggests (required when it does).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub departure_reason: Option<String>,
    /// Why the group's quota of excellent grades was exceeded (required when it was).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub quota_exception_reason: Option<String>,
    /// The paper document, e.g. "Quyết định số 120-QĐ/TU ngày 15/12/2022".
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub source_document: String,
}

/// A batch of past evaluations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PastEvaluations {
    /// The evaluations, 1 to 1000.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub evaluations: Vec<PastEvaluation>,
}

/// The rules of a past evaluation's days: each stated step with its day, in order, from the
/// assignment's start to today.
pub fn day_violations(e: &PastEvaluation, a_start: NaiveDate, today: NaiveDate) -> Vec<Violation> {
    let mut out = Vec::new();
    let steps = [
        (
            "self_assessed_on",
            e.self_grade.is_some(),
            e.self_assessed_on,
        ),
        ("appraised_on", e.appraised_grade.is_some(), e.appraised_on),
        ("decided_on", true, Some(e.decided_on)),
    ];
    let mut last = a_start;
    for (field, graded, day) in steps {
        match (graded, day) {
            (true, None) | (false, Some(_)) => out.push(Violation::new(
                field,
                "required",
                "a step's grade and day go together",
                "mức xếp loại và ngày của một bước phải đi cùng nhau",
            )),
            (true, Some(day)) if day < last || day > today => out.push(Violation::new(
                field,
                "out_of_range",
                "steps follow each other, from the assignment's start to today",
                "các bước phải theo thứ tự, từ khi bắt đầu nhiệm vụ đến hôm nay",
            )),
            (true, Some(day)) => last = day,
            (false, None) => {}
        }
    }
    out
}

/// Records past evaluations as they were decided (`history_record` on each assigning unit):
/// each good item becomes a decided evaluation with the stated days, attributed to the cadres
/// who answered for the assignment in the period, entered now.
pub async fn record_evaluations(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    batch: PastEvaluations,
) -> Result<BatchOutcome, ApiError> {
    require_somewhere(caller, Permission::HistoryRecord)?;
    in_tx(conn, caller, async |tx| {
        batch::run(tx, "evaluations", batch.evaluations, async |tx, item| {
            if let Err(e) = item.validate() {
                return Ok(Err(Refusal::invalid(&e)));
            }
            record(tx, item).await
        })
        .await
    })
    .await
}

/// Checks and writes one past evaluation.
async fn record(tx: &mut Tx<'_>, item: PastEvaluation) -> batch::Step<Written> {
    let caller = tx.caller;
    let a = match visible(tx.conn, caller, item.assignment_id).await {
        Ok(a) => a,
        Err(e) => return Refusal::of(e, "assignment_id").map(Err),
    };
    if !caller
        .can(tx.conn, Permission::HistoryRecord, a.assigning_unit_id)
        .await?
    {
        return Refusal::of(ApiError::forbidden(), "assignment_id").map(Err);
    }
    let mut out = day_violations(&item, a.start_date, tx.now.date_naive());
    if !a.is_under_way() {
        out.push(Violation::new(
            "assignment_id",
            "not_under_way",
            "only issued assignments are evaluated",
            "chỉ đánh giá nhiệm vụ đã ban hành",
        ));
    }
    let (_, quarterly) = repo::evaluations::round_of(tx.conn, a.round_id).await?;
    let end = match period_of(&a, &item.period, quarterly) {
        Ok(end) => end,
        Err(v) => {
            out.push(v);
            return Ok(Err(Refusal::rules(out)));
        }
    };
    let rules = match rule_set_valid(tx.conn, item.rule_set_code.as_deref(), end).await? {
        Ok(rules) => rules,
        Err(v) => {
            out.push(v);
            return Ok(Err(Refusal::rules(out)));
        }
    };
    if !out.is_empty() {
        return Ok(Err(Refusal::rules(out)));
    }
    if repo::evaluations::standing_in_period(tx.conn, a.id, &item.period).await? > 0 {
        return Ok(Err(Refusal::conflict(
            "period",
            "already_evaluated",
            "this period already has an evaluation",
            "kỳ này đã có đánh giá",
        )));
    }
    let none = serde_json::Value::Null;
    let facts = derived_facts(
        tx.conn,
        &a,
        end,
        &rules,
        &none,
        Vec::new(),
        ContestedBy::Head,
    )
    .await?;
    let suggestion = grading::suggest(&rules, &facts);
    if let Some(v) = departure_violation(
        Some(suggestion.grade),
        item.grade,
        item.departure_reason.as_deref(),
    ) {
        return Ok(Err(Refusal::rules(vec![v])));
    }
    let row = decided_row(tx, &a, &item, end, &rules, &facts, &suggestion)?;
    let quota = quota_for(tx.conn, &a, &row, item.grade, &rules, true).await?;
    let exceeded = quota.filter(|q| q.exceeded);
    if let Some(v) = quota_violation(exceeded.as_ref(), item.quota_exception_reason.as_deref()) {
        return Ok(Err(Refusal::rules(vec![v])));
    }
    let row = EvaluationRow {
        quota_exception_reason: item.quota_exception_reason.filter(|_| exceeded.is_some()),
        ..row
    };
    repo::evaluations::insert(tx.conn, &row).await?;
    attribute_grade(tx.conn, &a, &row).await?;
    repo::evaluations::insert_paper_source(
        tx.conn,
        &PaperSourceRow {
            evaluation_id: row.id,
            source_document: item.source_document,
            recorded_by: caller.account_id,
            recorded_at: tx.now,
        },
    )
    .await?;
    tx.created(
        "evaluation.record_history",
        row.id,
        Some(a.assignee_unit_id),
        &row,
    );
    Ok(Ok(Written {
        id: row.id,
        version: row.version,
    }))
}

/// The decided evaluation a checked past evaluation stores, its steps on the stated days.
fn decided_row(
    tx: &Tx<'_>,
    a: &AssignmentRow,
    item: &PastEvaluation,
    end: NaiveDate,
    rules: &grading::RuleSet,
    facts: &grading::Facts,
    suggestion: &grading::Suggestion,
) -> Result<EvaluationRow, ApiError> {
    let by = Some(tx.caller.account_id);
    let departs = suggestion.grade != item.grade;
    Ok(EvaluationRow {
        id: Uuid::now_v7(),
        assignment_id: a.id,
        period_code: item.period.clone(),
        period_end: end,
        state: EvaluationState::Decided,
        rule_set_code: rules.code.clone(),
        rule_set_version: rules.version,
        facts: json(facts)?,
        suggestion: json(suggestion)?,
        departure_reason: item.departure_reason.clone().filter(|_| departs),
        self_grade: item.self_grade,
        self_score: None,
        self_narrative: None,
        evidence_ids: Vec::new(),
        self_assessed_by: item.self_grade.and(by),
        self_assessed_at: item.self_assessed_on.map(moment),
        appraised_grade: item.appraised_grade,
        appraised_score: None,
        appraisal_remarks: None,
        appraised_by: item.appraised_grade.and(by),
        appraised_at: item.appraised_on.map(moment),
        decided_grade: Some(item.grade),
        decision_note: item.note.clone(),
        quota_exception_reason: None,
        decided_by: by,
        decided_at: Some(moment(item.decided_on)),
        return_comment: None,
        supersedes_id: None,
        override_reason: None,
        version: 1,
        created_at: tx.now,
        updated_at: tx.now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn past(
        self_on: Option<NaiveDate>,
        appraised_on: Option<NaiveDate>,
        decided_on: NaiveDate,
    ) -> PastEvaluation {
        PastEvaluation {
            assignment_id: Uuid::nil(),
            period: "2022".into(),
            rule_set_code: None,
            self_grade: self_on.map(|_| Grade::Good),
            self_assessed_on: self_on,
            appraised_grade: appraised_on.map(|_| Grade::Good),
            appraised_on,
            grade: Grade::Good,
            decided_on,
            note: None,
            departure_reason: None,
            quota_exception_reason: None,
            source_document: "Quyết định số 120-QĐ/TU".into(),
        }
    }

    fn fields(e: &PastEvaluation) -> Vec<String> {
        day_violations(e, d(2022, 1, 1), d(2026, 11, 30))
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    #[test]
    fn steps_follow_each_other_within_the_assignment_and_not_ahead() {
        let ok = past(Some(d(2022, 12, 5)), Some(d(2022, 12, 10)), d(2022, 12, 15));
        assert!(fields(&ok).is_empty());
        assert!(fields(&past(None, None, d(2023, 1, 10))).is_empty());
        let early = past(Some(d(2022, 12, 5)), Some(d(2022, 12, 1)), d(2022, 12, 15));
        assert_eq!(fields(&early), ["appraised_on"]);
        assert_eq!(fields(&past(None, None, d(2021, 12, 31))), ["decided_on"]);
        assert_eq!(fields(&past(None, None, d(2026, 12, 1))), ["decided_on"]);
    }

    #[test]
    fn a_grade_needs_its_day_and_a_day_its_grade() {
        let mut e = past(None, None, d(2022, 12, 15));
        e.self_grade = Some(Grade::Excellent);
        assert_eq!(fields(&e), ["self_assessed_on"]);
        let mut e = past(None, None, d(2022, 12, 15));
        e.appraised_on = Some(d(2022, 12, 10));
        assert_eq!(fields(&e), ["appraised_on"]);
    }
}
