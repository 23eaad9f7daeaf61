//! The wire types of assignments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::assignments::{Milestone, RollupFigures, TargetSpec};
use crate::db::models::{AssignmentRow, TermsRow};
use crate::domain::assignment::{commitment_status, CommitmentStatus};
use crate::domain::round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
use crate::domain::target::Rollup;
use crate::domain::workflow::AssignmentState;

/// An assignment as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// The unit whose Standing Committee assigns.
    pub assigning_unit_id: Uuid,
    /// The unit whose head receives it (addressed to the post, not the person).
    pub assignee_unit_id: Uuid,
    /// Code, unique in the round.
    pub code: Option<String>,
    /// Title, in Vietnamese.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Content area.
    pub content_area: ContentArea,
    /// `task` (with a described product) or `target` (with a number).
    pub kind: AssignmentKind,
    /// The product expected of a task.
    pub product_description: Option<String>,
    /// Hard, new, unprecedented, long-standing, carried over.
    pub flags: Vec<AssignmentFlag>,
    /// Whether this is the unit's growth target.
    pub growth_target: bool,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day (the deadline).
    pub end_date: NaiveDate,
    /// The target, for kind `target`.
    pub target: Option<TargetSpec>,
    /// How the actuals of child assignments roll up into this one.
    pub rollup: Rollup,
    /// Weight in scoring.
    pub weight: f64,
    /// Roadmap milestones.
    pub milestones: Vec<Milestone>,
    /// The assignment this one cascades from.
    pub parent_id: Option<Uuid>,
    /// The assignment this one carries over from an earlier round.
    pub carried_from_id: Option<Uuid>,
    /// State.
    pub state: AssignmentState,
    /// Version of the frozen terms (0 while draft).
    pub terms_version: i32,
    /// Where the commitment to the current terms stands.
    pub commitment_status: CommitmentStatus,
    /// The commitment covering the current terms.
    pub commitment_id: Option<Uuid>,
    /// Why it was withdrawn.
    pub withdrawn_reason: Option<String>,
    /// Whether an obstacle on it was certified as an objective cause (it waives penalties in
    /// grading).
    pub objective_cause: bool,
    /// Code of the indicator a department feed reports for this target.
    pub indicator_code: Option<String>,
    /// Set when a fed value and the head's self-reported value differ beyond the tolerance.
    pub feed_mismatch_at: Option<DateTime<Utc>>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Self {
        Self {
            id: r.id,
            round_id: r.round_id,
            assigning_unit_id: r.assigning_unit_id,
            assignee_unit_id: r.assignee_unit_id,
            code: r.code,
            title: r.title,
            description: r.description,
            content_area: r.content_area,
            kind: r.kind,
            product_description: r.product_description,
            flags: r.flags,
            growth_target: r.growth_target,
            start_date: r.start_date,
            end_date: r.end_date,
            target: r.target.and_then(|t| serde_json::from_value(t).ok()),
            rollup: r.rollup,
            weight: r.weight,
            milestones: serde_json::from_value(r.milestones).unwrap_or_default(),
            parent_id: r.parent_id,
            carried_from_id: r.carried_from_id,
            state: r.state,
            terms_version: r.terms_version,
            commitment_status: commitment_status(r.commitment_id, r.commitment_invalidated_at),
            commitment_id: r.commitment_id,
            withdrawn_reason: r.withdrawn_reason,
            objective_cause: r.objective_cause,
            indicator_code: r.indicator_code,
            feed_mismatch_at: r.feed_mismatch_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One frozen version of an assignment's terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsVersion {
    /// Version number, from 1 at issue.
    pub terms_version: i32,
    /// The terms as frozen.
    #[schema(value_type = Object)]
    pub terms: Value,
    /// SHA-256 (hex) of their canonical JSON (RFC 8785).
    pub terms_hash: String,
    /// The approved amendment that made this version, if any.
    pub amendment_id: Option<Uuid>,
    /// When it was frozen.
    pub created_at: DateTime<Utc>,
}

impl From<TermsRow> for TermsVersion {
    fn from(r: TermsRow) -> Self {
        Self {
            terms_version: r.terms_version,
            terms: r.terms,
            terms_hash: r.terms_hash,
            amendment_id: r.amendment_id,
            created_at: r.created_at,
        }
    }
}

/// Every version of the terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsHistory {
    /// The assignment.
    pub assignment_id: Uuid,
    /// Versions, oldest first.
    pub items: Vec<TermsVersion>,
}

/// One child in a roll-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupChild {
    /// The child assignment.
    pub assignment_id: Uuid,
    /// Its assignee.
    pub assignee_unit_id: Uuid,
    /// Its state.
    pub state: AssignmentState,
    /// Its target number (value, or the range's lower bound).
    pub target_value: Option<f64>,
    /// Its latest actual value from an accepted progress report.
    pub actual_value: Option<f64>,
}

/// How a parent's target is split among its children, and their actuals rolled up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupView {
    /// The parent assignment.
    pub assignment_id: Uuid,
    /// Its roll-up method.
    pub method: Rollup,
    /// Its own target number.
    pub target_value: Option<f64>,
    /// The children's target numbers rolled up by the method.
    pub children_target_value: Option<f64>,
    /// Whether the rolled-up children's targets reach the parent's (for `sum`, `min`, `max`,
    /// `average` compared as the target's shape requires).
    pub children_cover_target: Option<bool>,
    /// The children's actual values rolled up (when every child has one).
    pub actual_value: Option<f64>,
    /// The children, issued or later (withdrawn ones excluded).
    pub children: Vec<RollupChild>,
}

impl From<RollupFigures> for RollupView {
    fn from(f: RollupFigures) -> Self {
        Self {
            assignment_id: f.parent.id,
            method: f.parent.rollup,
            target_value: f.target_value,
            children_target_value: f.rolled.children_target_value,
            children_cover_target: f.rolled.children_cover_target,
            actual_value: f.rolled.actual_value,
            children: f
                .children
                .into_iter()
                .map(|c| RollupChild {
                    assignment_id: c.row.id,
                    assignee_unit_id: c.row.assignee_unit_id,
                    state: c.row.state,
                    target_value: c.target_value,
                    actual_value: c.actual_value,
                })
                .collect(),
        }
    }
}
