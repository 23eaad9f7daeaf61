//! What the evaluation endpoints answer: rule sets, evaluations with their opinions and the
//! group's quota, and a cadre's record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::evaluations::{Evaluated, Outcome, StoredRules};
use crate::db::models::{EvaluationRow, PaperSourceRow};
use crate::db::repo::evaluations::RecordRow;
use crate::domain::grading::{self, Facts, Grade, QuotaCheck, RuleSet};
use crate::domain::workflow::EvaluationState;
use crate::http::handlers::consequences::Consequence;
use crate::http::handlers::supervision::Opinion;

/// A stored rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredRuleSet {
    /// Code.
    pub code: String,
    /// Version.
    pub version: i32,
    /// The rules.
    pub definition: RuleSet,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl From<StoredRules> for StoredRuleSet {
    fn from(s: StoredRules) -> Self {
        Self {
            code: s.code,
            version: s.version,
            definition: s.definition,
            created_at: s.created_at,
        }
    }
}

/// The evaluation of one assignment for one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evaluation {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// `term` (the whole span), a year (`2022`) or a quarter (`2022-Q3`).
    pub period: String,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Workflow state.
    pub state: EvaluationState,
    /// Code of the rule set applied.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// The facts of the latest step.
    pub facts: Facts,
    /// The grade the rule set suggests for those facts, with its derivation.
    #[schema(value_type = grading::Suggestion)]
    pub suggestion: serde_json::Value,
    /// The head's proposed grade.
    pub self_grade: Option<Grade>,
    /// The head's score.
    pub self_score: Option<f64>,
    /// The head's account of the results.
    pub self_narrative: Option<String>,
    /// The evidence the head cites.
    pub evidence_ids: Vec<Uuid>,
    /// Who self-assessed.
    pub self_assessed_by: Option<Uuid>,
    /// When.
    pub self_assessed_at: Option<DateTime<Utc>>,
    /// The Organisation Board's proposed grade.
    pub appraised_grade: Option<Grade>,
    /// Its score.
    pub appraised_score: Option<f64>,
    /// Its remarks.
    pub appraisal_remarks: Option<String>,
    /// Who appraised.
    pub appraised_by: Option<Uuid>,
    /// When.
    pub appraised_at: Option<DateTime<Utc>>,
    /// The decided grade.
    pub decided_grade: Option<Grade>,
    /// The decision's note.
    pub decision_note: Option<String>,
    /// Why the quota of excellent grades was exceeded, when it was.
    pub quota_exception_reason: Option<String>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Comments of the last return.
    pub return_comment: Option<String>,
    /// The overridden decision this one replaces.
    pub supersedes_id: Option<Uuid>,
    /// Why the superior committee overrode it.
    pub override_reason: Option<String>,
    /// Why the decided grade departs from the suggested one.
    pub departure_reason: Option<String>,
    /// Supervisors' and the assigning side's opinions on the assignment, attached to the
    /// appraisal: those recorded up to it (all so far, before it).
    pub opinions: Vec<Opinion>,
    /// For an evaluation entered from the paper record: the document and the moment of entry
    /// (its step moments are then the days stated on paper).
    pub entered_from: Option<PaperSource>,
    /// Version, also the ETag.
    pub version: i32,
}

/// The paper an evaluation was entered from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaperSource {
    /// The document, e.g. "Quyết định số 120-QĐ/TU ngày 15/12/2022".
    pub source_document: String,
    /// Who entered it.
    pub recorded_by: Uuid,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
}

impl From<PaperSourceRow> for PaperSource {
    fn from(p: PaperSourceRow) -> Self {
        Self {
            source_document: p.source_document,
            recorded_by: p.recorded_by,
            recorded_at: p.recorded_at,
        }
    }
}

/// The evaluation alone, without opinions (as a new evaluation is answered).
impl From<EvaluationRow> for Evaluation {
    fn from(r: EvaluationRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            period: r.period_code,
            period_end: r.period_end,
            state: r.state,
            rule_set_code: r.rule_set_code,
            rule_set_version: r.rule_set_version,
            facts: serde_json::from_value(r.facts).unwrap_or_default(),
            suggestion: r.suggestion,
            self_grade: r.self_grade,
            self_score: r.self_score,
            self_narrative: r.self_narrative,
            evidence_ids: r.evidence_ids,
            self_assessed_by: r.self_assessed_by,
            self_assessed_at: r.self_assessed_at,
            appraised_grade: r.appraised_grade,
            appraised_score: r.appraised_score,
            appraisal_remarks: r.appraisal_remarks,
            appraised_by: r.appraised_by,
            appraised_at: r.appraised_at,
            decided_grade: r.decided_grade,
            decision_note: r.decision_note,
            quota_exception_reason: r.quota_exception_reason,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            return_comment: r.return_comment,
            supersedes_id: r.supersedes_id,
            override_reason: r.override_reason,
            departure_reason: r.departure_reason,
            opinions: Vec::new(),
            entered_from: None,
            version: r.version,
        }
    }
}

impl From<Evaluated> for Evaluation {
    fn from(e: Evaluated) -> Self {
        Self {
            opinions: e.opinions.into_iter().map(Opinion::from).collect(),
            entered_from: e.paper.map(PaperSource::from),
            ..Self::from(e.row)
        }
    }
}

/// An evaluation step's outcome: the evaluation and the group's quota of excellent grades.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationOutcome {
    /// The evaluation after the step.
    pub evaluation: Evaluation,
    /// The quota of the assignee's group of similar units, with this step's grade counted;
    /// absent when the unit is in no group for the round's year.
    pub quota: Option<QuotaCheck>,
}

impl From<Outcome> for EvaluationOutcome {
    fn from(o: Outcome) -> Self {
        Self {
            evaluation: o.evaluation.into(),
            quota: o.quota,
        }
    }
}

/// One decided grade in a cadre's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordEntry {
    /// The evaluation.
    pub evaluation_id: Uuid,
    /// `decided`, or `overridden` when a superior committee replaced it.
    pub state: EvaluationState,
    /// The grade.
    pub grade: Option<Grade>,
    /// The period.
    pub period: String,
    /// The assignment.
    pub assignment_id: Uuid,
    /// Its title.
    pub assignment_title: String,
    /// Year of its round.
    pub round_year: i32,
    /// The unit the cadre headed (kept even after the unit was merged or closed).
    pub unit_id: Uuid,
    /// The head's post.
    pub post_id: Uuid,
    /// First day of the period the cadre held the post.
    pub held_from: NaiveDate,
    /// Last day.
    pub held_to: NaiveDate,
    /// Share of the period held.
    pub share: f64,
    /// Rule set applied.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// The rule set's suggestion and derivation.
    #[schema(value_type = grading::Suggestion)]
    pub suggestion: serde_json::Value,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision it overrides, if any.
    pub supersedes_id: Option<Uuid>,
    /// Why it overrides it.
    pub override_reason: Option<String>,
    /// What the result was used for, for this cadre, oldest first.
    pub consequences: Vec<Consequence>,
}

impl From<RecordRow> for RecordEntry {
    fn from((at, e, (title, year, unit)): RecordRow) -> Self {
        Self {
            evaluation_id: e.id,
            state: e.state,
            grade: e.decided_grade,
            period: e.period_code,
            assignment_id: e.assignment_id,
            assignment_title: title,
            round_year: year,
            unit_id: unit,
            post_id: at.post_id,
            held_from: at.held_from,
            held_to: at.held_to,
            share: at.share,
            rule_set_code: e.rule_set_code,
            rule_set_version: e.rule_set_version,
            suggestion: e.suggestion,
            decided_at: e.decided_at,
            supersedes_id: e.supersedes_id,
            override_reason: e.override_reason,
            consequences: Vec::new(),
        }
    }
}

/// A cadre's evaluation record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CadreRecord {
    /// The cadre.
    pub cadre_id: Uuid,
    /// Decided grades attributed to the cadre, by period and assignment.
    pub entries: Vec<RecordEntry>,
}
