//! What the round endpoints answer: rounds with their rules, readiness, decisions, spot checks
//! and their findings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::rounds::{self as app, GroupRuleSpec, RoundWithRules};
use crate::db::models::{DecisionRow, FindingRow, SpotCheckRow};
use crate::domain::periods::Cadence;
use crate::domain::record::FindingOutcome;
use crate::domain::workflow::RoundState;

/// A round of assignments given by one unit for a year (or a term).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Round {
    /// Id.
    pub id: Uuid,
    /// The unit whose Standing Committee assigns.
    pub assigning_unit_id: Uuid,
    /// Year, e.g. 2022.
    pub year: i32,
    /// Congress term, for multi-year rounds, e.g. "2020-2025".
    pub term_label: Option<String>,
    /// Title, in Vietnamese.
    pub title: String,
    /// Number and symbol of the decision, e.g. "15-QĐ/TU".
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// Title of the post of the signer, e.g. "Bí thư Tỉnh ủy".
    pub signer_title: Option<String>,
    /// Name of the signer.
    pub signer_name: Option<String>,
    /// `draft`, `issued` or `closed`.
    pub state: RoundState,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// The written reason for issuing despite broken rules, if any.
    pub override_reason: Option<String>,
    /// The rules broken when it was issued with an override.
    #[schema(value_type = Option<Object>)]
    pub override_breaches: Option<serde_json::Value>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Per-group rules.
    pub group_rules: Vec<GroupRuleSpec>,
    /// How often heads report progress.
    pub reporting_cadence: Cadence,
    /// Days after each period's cut-off (the 14th) that a report is due.
    pub report_due_days: i32,
    /// Whether assignments are also evaluated per quarter (besides yearly and whole-term).
    pub quarterly_evaluation: bool,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<RoundWithRules> for Round {
    fn from(
        RoundWithRules {
            round: r,
            group_rules,
        }: RoundWithRules,
    ) -> Self {
        Self {
            id: r.id,
            assigning_unit_id: r.assigning_unit_id,
            year: r.year,
            term_label: r.term_label,
            title: r.title,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            signer_title: r.signer_title,
            signer_name: r.signer_name,
            state: r.state,
            issued_at: r.issued_at,
            override_reason: r.override_reason,
            override_breaches: r.override_breaches,
            closed_at: r.closed_at,
            group_rules: group_rules.into_iter().map(GroupRuleSpec::from).collect(),
            reporting_cadence: r.reporting_cadence,
            quarterly_evaluation: r.quarterly_evaluation,
            report_due_days: r.report_due_days,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A rule of the round broken by one unit's planned assignments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleBreach {
    /// The group whose rule is broken.
    pub group_id: Uuid,
    /// Its code.
    pub group_code: String,
    /// The unit concerned.
    pub unit_id: Uuid,
    /// Which rule is broken.
    pub code: crate::domain::round_rules::BreachCode,
    /// Explanation, in the caller's language.
    pub message: String,
}

impl From<app::UnitBreach> for RuleBreach {
    fn from(b: app::UnitBreach) -> Self {
        Self {
            message: b.message().to_owned(),
            group_id: b.group_id,
            group_code: b.group_code,
            unit_id: b.unit_id,
            code: b.code,
        }
    }
}

/// The readiness of a round to be issued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    /// The round.
    pub round_id: Uuid,
    /// Whether it can be issued without an override.
    pub ready: bool,
    /// Number of assignments that would be issued.
    pub assignment_count: i64,
    /// Every broken rule.
    pub breaches: Vec<RuleBreach>,
}

impl From<app::Readiness> for Readiness {
    fn from(r: app::Readiness) -> Self {
        Self {
            ready: r.ready(),
            round_id: r.round_id,
            assignment_count: r.assignment_count,
            breaches: r.breaches.into_iter().map(RuleBreach::from).collect(),
        }
    }
}

/// The decision handed to one assignee when the round was issued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoundDecision {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// The assignee unit.
    pub assignee_unit_id: Uuid,
    /// Number and symbol of the decision.
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// The assignments it gives.
    pub assignment_ids: Vec<Uuid>,
    /// SHA-256 of the canonical list of the assignments' frozen terms.
    pub terms_hash: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<DecisionRow> for RoundDecision {
    fn from(r: DecisionRow) -> Self {
        Self {
            id: r.id,
            round_id: r.round_id,
            assignee_unit_id: r.assignee_unit_id,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            assignment_ids: r.assignment_ids,
            terms_hash: r.terms_hash,
            created_at: r.created_at,
        }
    }
}

/// A draw of assignments for field verification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpotCheck {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// Share drawn (0–1).
    pub share: f64,
    /// The seed: with the candidates it reproduces the draw.
    pub seed: String,
    /// The assignments the draw was made from (issued, committed or in progress).
    pub candidate_ids: Vec<Uuid>,
    /// The assignments drawn, in draw order.
    pub drawn_ids: Vec<Uuid>,
    /// Who drew.
    pub drawn_by: Uuid,
    /// When.
    pub drawn_at: DateTime<Utc>,
}

impl From<SpotCheckRow> for SpotCheck {
    fn from(r: SpotCheckRow) -> Self {
        Self {
            id: r.id,
            round_id: r.round_id,
            share: r.share,
            seed: r.seed,
            candidate_ids: r.candidate_ids,
            drawn_ids: r.drawn_ids,
            drawn_by: r.drawn_by,
            drawn_at: r.drawn_at,
        }
    }
}

/// What a field check found for one drawn assignment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Finding {
    /// Id.
    pub id: Uuid,
    /// The spot check.
    pub spot_check_id: Uuid,
    /// The drawn assignment.
    pub assignment_id: Uuid,
    /// Confirmed, or a discrepancy (a quality defect in the assignment's evaluations).
    pub outcome: FindingOutcome,
    /// What was checked and found.
    pub note: String,
    /// Evidence of the finding.
    pub evidence_ids: Vec<Uuid>,
    /// Who recorded it.
    pub recorded_by: Uuid,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl From<FindingRow> for Finding {
    fn from(r: FindingRow) -> Self {
        Self {
            id: r.id,
            spot_check_id: r.spot_check_id,
            assignment_id: r.assignment_id,
            outcome: r.outcome,
            note: r.note,
            evidence_ids: r.evidence_ids,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}
