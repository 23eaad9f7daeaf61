//! Row types: what the tables hold, with states and codes typed by the domain's enums. Wire
//! formats (views) live with the HTTP handlers, never here.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::*;
use crate::domain::periods::Cadence;
use crate::domain::round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
use crate::domain::target::Rollup;
use crate::domain::webhooks::{DeliveryStatus, SubscriptionStatus};
use crate::domain::workflow::{AssignmentState, PlanState, RoundState};

/// A row of `org_levels`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = org_levels)]
pub struct LevelRow {
    pub id: Uuid,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub rank: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `org_units`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = org_units)]
pub struct UnitRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub unit_type: crate::domain::vocab::UnitType,
    pub level_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `org_unit_parents`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = org_unit_parents)]
pub struct ParentLinkRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub parent_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A row of `restructurings`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = restructurings)]
pub struct RestructuringRow {
    pub id: Uuid,
    pub kind: crate::domain::vocab::RestructuringKind,
    pub effective_date: NaiveDate,
    pub decision_ref: Option<String>,
    pub note: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A row of `org_groups`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = org_groups)]
pub struct GroupRow {
    pub id: Uuid,
    pub owner_unit_id: Uuid,
    pub year: i32,
    pub code: String,
    pub label_vi: String,
    pub label_en: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `cadres`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = cadres)]
pub struct CadreRow {
    pub id: Uuid,
    pub personnel_code: Option<String>,
    pub full_name: String,
    pub gender: Option<crate::domain::vocab::Gender>,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub managing_unit_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `posts`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = posts)]
pub struct PostRow {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub unit_id: Uuid,
    pub kind: crate::domain::vocab::PostKind,
    pub title: String,
    pub acting: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `accounts`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub kind: crate::domain::vocab::AccountKind,
    pub secret_hash: Option<String>,
    pub cadre_id: Option<Uuid>,
    pub home_unit_id: Uuid,
    pub external_subject: Option<String>,
    pub disabled: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Goes up each time the account's sessions end; access tokens carry the epoch they were
    /// issued under.
    pub token_epoch: i64,
    /// When the account's sessions last ended (external identity provider tokens issued
    /// before are refused).
    pub sessions_ended_at: Option<DateTime<Utc>>,
}

/// A row of `refresh_token_families`: one sign-in, and its revocation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_token_families)]
pub struct RefreshFamilyRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<crate::domain::refresh_token::RevokeReason>,
}

/// A row of `refresh_tokens` (the token itself is kept only as its SHA-256).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub token_hash: Vec<u8>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<Uuid>,
}

/// A row of `role_bindings`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = role_bindings)]
pub struct BindingRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub role: crate::domain::roles::Role,
    pub unit_id: Uuid,
    pub include_subtree: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// A row of `audit_events`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_account_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditRow {
    /// What the record says, as the chain hashes it.
    pub fn entry(&self) -> crate::domain::audit_chain::Entry<'_> {
        crate::domain::audit_chain::Entry {
            id: self.id,
            at: self.at,
            actor_account_id: self.actor_account_id,
            request_id: self.request_id.as_deref(),
            action: &self.action,
            resource_type: &self.resource_type,
            resource_id: self.resource_id,
            unit_id: self.unit_id,
            before: self.before.as_ref(),
            after: self.after.as_ref(),
        }
    }
}

/// A row of `audit_events` with its place in the chain (`None` for a row never linked).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct ChainedAuditRow {
    #[diesel(embed)]
    pub record: AuditRow,
    pub chain_position: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// A row of `audit_checkpoints`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
pub struct CheckpointRow {
    pub id: Uuid,
    pub position: i64,
    pub head_hash: String,
    pub at: DateTime<Utc>,
    pub signature: String,
    pub public_key: String,
}

/// A row of `events` as read (its position drawn at commit).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub position: i64,
    pub id: Uuid,
    pub type_: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub version: Option<i32>,
    pub time: DateTime<Utc>,
}

/// A new row of `events` (its position is drawn by the table's default).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEventRow {
    pub id: Uuid,
    pub type_: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub version: Option<i32>,
    pub time: DateTime<Utc>,
}

/// A row of `idempotency_keys`: a request claimed under an `Idempotency-Key`, with its stored
/// response once it has one.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub account_id: Uuid,
    pub key: String,
    pub method: String,
    pub path: String,
    pub request_hash: String,
    pub status: Option<i32>,
    pub response_body: Option<Vec<u8>>,
    pub response_headers: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// A row of `rounds`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = rounds)]
pub struct RoundRow {
    pub id: Uuid,
    pub assigning_unit_id: Uuid,
    pub year: i32,
    pub term_label: Option<String>,
    pub title: String,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
    pub state: RoundState,
    pub issued_at: Option<DateTime<Utc>>,
    pub issued_by: Option<Uuid>,
    pub override_reason: Option<String>,
    pub override_breaches: Option<serde_json::Value>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reporting_cadence: Cadence,
    pub report_due_days: i32,
    pub quarterly_evaluation: bool,
}

/// A row of `round_group_rules`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = round_group_rules)]
pub struct GroupRuleRow {
    pub round_id: Uuid,
    pub group_id: Uuid,
    pub min_tasks: i32,
    pub max_tasks: Option<i32>,
    pub required_content_areas: Vec<ContentArea>,
    pub growth_target_required: bool,
}

/// A row of `assignments`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = assignments, treat_none_as_null = true)]
pub struct AssignmentRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub assigning_unit_id: Uuid,
    pub assignee_unit_id: Uuid,
    pub code: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub content_area: ContentArea,
    pub kind: AssignmentKind,
    pub product_description: Option<String>,
    pub flags: Vec<AssignmentFlag>,
    pub growth_target: bool,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub target: Option<serde_json::Value>,
    pub rollup: Rollup,
    pub weight: f64,
    pub milestones: serde_json::Value,
    pub parent_id: Option<Uuid>,
    pub carried_from_id: Option<Uuid>,
    pub state: AssignmentState,
    pub terms_version: i32,
    pub commitment_id: Option<Uuid>,
    pub commitment_invalidated_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub objective_cause: bool,
    pub indicator_code: Option<String>,
    pub feed_mismatch_at: Option<DateTime<Utc>>,
}

impl AssignmentRow {
    /// Whether the assignment is issued and not withdrawn.
    pub fn is_under_way(&self) -> bool {
        self.state.is_under_way()
    }
}

/// A row of `assignment_terms`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = assignment_terms)]
pub struct TermsRow {
    pub assignment_id: Uuid,
    pub terms_version: i32,
    pub terms: serde_json::Value,
    pub terms_hash: String,
    pub amendment_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A row of `assignment_decisions`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = assignment_decisions)]
pub struct DecisionRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub assignee_unit_id: Uuid,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub assignment_ids: Vec<Uuid>,
    pub terms_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A row of `signing_delegations`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = signing_delegations)]
pub struct DelegationRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub cadre_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub decision_ref: Option<String>,
    pub reason: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A row of `commitments`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = commitments)]
pub struct CommitmentRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub assignee_unit_id: Uuid,
    pub signer_account_id: Uuid,
    pub signer_cadre_id: Uuid,
    pub signer_post_id: Option<Uuid>,
    pub delegation_id: Option<Uuid>,
    pub signed_at: DateTime<Utc>,
    pub terms: serde_json::Value,
    pub terms_hash: String,
    pub signature_algorithm: Option<crate::domain::signature::SignatureAlgorithm>,
    pub signature: Option<String>,
    pub signer_key_pem: Option<String>,
    pub signature_check: Option<crate::domain::commitment::SignatureVerdict>,
    pub signature_detail: Option<String>,
    pub invalidated_at: Option<DateTime<Utc>>,
    pub invalidated_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A row of `plans`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub state: PlanState,
    pub solutions: String,
    pub general_objective: String,
    pub specific_objectives: serde_json::Value,
    pub roadmap: serde_json::Value,
    pub revision: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<Uuid>,
    pub review_comment: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `amendments`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = amendments)]
pub struct AmendmentRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub kind: crate::domain::workflow::AmendmentKind,
    pub justification: String,
    pub objective_cause: bool,
    pub proposed: serde_json::Value,
    pub state: crate::domain::workflow::AmendmentState,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub resulting_terms_version: Option<i32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `progress_reports`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = progress_reports)]
pub struct ReportRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub period_code: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_date: NaiveDate,
    pub state: crate::domain::progress::ReportState,
    pub revision: i32,
    pub content: serde_json::Value,
    pub actual_value: Option<f64>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<Uuid>,
    pub review_comment: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub source_document: Option<String>,
}

/// A row of `progress_report_history`.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = progress_report_history)]
pub struct ReportHistoryRow {
    pub id: i64,
    pub report_id: Uuid,
    pub revision: i32,
    pub state: crate::domain::progress::ReportState,
    pub content: serde_json::Value,
    pub actual_value: Option<f64>,
    pub review_comment: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub source_document: Option<String>,
}

/// A row of `obstacles`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = obstacles)]
pub struct ObstacleRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub report_id: Option<Uuid>,
    pub description: String,
    pub support_requested: Option<String>,
    pub state: crate::domain::progress::ObstacleState,
    pub raised_by: Uuid,
    pub raised_at: DateTime<Utc>,
    pub response: Option<String>,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTime<Utc>>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub objective_cause: bool,
    pub certification_note: Option<String>,
    pub certified_by: Option<Uuid>,
    pub certified_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// A row of `opinions`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = opinions)]
pub struct OpinionRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A row of `feed_licences`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = feed_licences)]
pub struct LicenceRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub indicator_code: String,
    pub unit_id: Uuid,
    pub include_subtree: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
    pub end_reason: Option<String>,
}

/// A row of `observations`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = observations)]
pub struct ObservationRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub external_id: String,
    pub assignment_id: Uuid,
    pub indicator_code: String,
    pub unit_id: Uuid,
    pub observed_on: NaiveDate,
    pub value: f64,
    pub source_ref: Option<String>,
    pub provenance: crate::domain::feed::Provenance,
    pub mismatch: bool,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `spot_checks`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = spot_checks)]
pub struct SpotCheckRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub share: f64,
    pub seed: String,
    pub candidate_ids: Vec<Uuid>,
    pub drawn_ids: Vec<Uuid>,
    pub drawn_by: Uuid,
    pub drawn_at: DateTime<Utc>,
}

/// A row of `spot_check_findings`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = spot_check_findings)]
pub struct FindingRow {
    pub id: Uuid,
    pub spot_check_id: Uuid,
    pub assignment_id: Uuid,
    pub outcome: crate::domain::record::FindingOutcome,
    pub note: String,
    pub evidence_ids: Vec<Uuid>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A row of `evaluation_reopenings`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluation_reopenings)]
pub struct ReopeningRow {
    pub id: Uuid,
    pub evaluation_id: Uuid,
    pub reason: String,
    pub reopened_by: Uuid,
    pub reopened_at: DateTime<Utc>,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A row of `evaluation_paper_sources`: the paper an evaluation was entered from.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluation_paper_sources)]
pub struct PaperSourceRow {
    pub evaluation_id: Uuid,
    pub source_document: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A row of `consequences`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = consequences)]
pub struct ConsequenceRow {
    pub id: Uuid,
    pub evaluation_id: Uuid,
    pub cadre_id: Uuid,
    pub kind: crate::domain::consequence::ConsequenceKind,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub issuer: String,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

/// A row of `assignment_accountables`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = assignment_accountables)]
pub struct AccountableRow {
    pub assignment_id: Uuid,
    pub unit_id: Uuid,
    pub post_kind: crate::domain::vocab::PostKind,
    pub role: crate::domain::evaluation::AccountableRole,
}

/// A row of `evidence`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub report_id: Option<Uuid>,
    pub milestone_index: Option<i32>,
    pub kind: crate::domain::evidence::EvidenceKind,
    pub title: String,
    pub description: Option<String>,
    pub sha256: Option<String>,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub url: Option<String>,
    pub document_number: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub document_issuer: Option<String>,
    pub submitted_by: Uuid,
    pub submitted_at: DateTime<Utc>,
    pub verification: crate::domain::evidence::VerificationMark,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verification_comment: Option<String>,
    pub integrity: crate::domain::evidence::IntegrityState,
    pub integrity_checked_at: Option<DateTime<Utc>>,
    pub retracted_by: Option<Uuid>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
    pub version: i32,
    /// The uploader's `Idempotency-Key`; kept out of audit images.
    #[serde(skip_serializing)]
    pub idempotency_key: Option<String>,
}

/// A row of `evidence_marks`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evidence_marks)]
pub struct EvidenceMarkRow {
    pub id: Uuid,
    pub evidence_id: Uuid,
    pub mark: crate::domain::evidence::VerificationMark,
    pub comment: String,
    pub marked_by: Uuid,
    pub marked_at: DateTime<Utc>,
}

/// A row of `evidence_integrity_checks`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evidence_integrity_checks)]
pub struct IntegrityCheckRow {
    pub id: Uuid,
    pub evidence_id: Uuid,
    pub intact: bool,
    pub expected: String,
    pub actual: Option<String>,
    pub actual_size: Option<i64>,
    pub checked_by: Uuid,
    pub checked_at: DateTime<Utc>,
}

/// A row of `evaluations`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub id: Uuid,
    pub assignment_id: Uuid,
    pub period_code: String,
    pub period_end: NaiveDate,
    pub state: crate::domain::workflow::EvaluationState,
    pub rule_set_code: String,
    pub rule_set_version: i32,
    pub facts: serde_json::Value,
    pub suggestion: serde_json::Value,
    pub self_grade: Option<crate::domain::grading::Grade>,
    pub self_score: Option<f64>,
    pub self_narrative: Option<String>,
    pub evidence_ids: Vec<Uuid>,
    pub self_assessed_by: Option<Uuid>,
    pub self_assessed_at: Option<DateTime<Utc>>,
    pub appraised_grade: Option<crate::domain::grading::Grade>,
    pub appraised_score: Option<f64>,
    pub appraisal_remarks: Option<String>,
    pub appraised_by: Option<Uuid>,
    pub appraised_at: Option<DateTime<Utc>>,
    pub decided_grade: Option<crate::domain::grading::Grade>,
    pub decision_note: Option<String>,
    pub quota_exception_reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub return_comment: Option<String>,
    pub supersedes_id: Option<Uuid>,
    pub override_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub departure_reason: Option<String>,
}

/// A row of `person_evaluations`: a cadre's or a collective's evaluation for a year or a term.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = person_evaluations, treat_none_as_null = true)]
pub struct PersonEvaluationRow {
    pub id: Uuid,
    pub cadre_id: Option<Uuid>,
    pub collective_unit_id: Option<Uuid>,
    pub evaluating_unit_id: Uuid,
    pub group_id: Option<Uuid>,
    pub period_code: String,
    pub period_end: NaiveDate,
    pub state: crate::domain::workflow::EvaluationState,
    pub rule_set_code: String,
    pub rule_set_version: i32,
    pub basis: serde_json::Value,
    pub suggestion: serde_json::Value,
    pub self_grade: Option<crate::domain::grading::Grade>,
    pub self_narrative: Option<String>,
    pub self_assessed_by: Option<Uuid>,
    pub self_assessed_at: Option<DateTime<Utc>>,
    pub appraised_grade: Option<crate::domain::grading::Grade>,
    pub appraisal_remarks: Option<String>,
    pub appraised_by: Option<Uuid>,
    pub appraised_at: Option<DateTime<Utc>>,
    pub decided_grade: Option<crate::domain::grading::Grade>,
    pub decision_note: Option<String>,
    pub departure_reason: Option<String>,
    pub quota_exception_reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub return_comment: Option<String>,
    pub supersedes_id: Option<Uuid>,
    pub override_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `evaluation_attributions`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluation_attributions)]
pub struct AttributionRow {
    pub evaluation_id: Uuid,
    pub cadre_id: Uuid,
    pub post_id: Uuid,
    pub held_from: NaiveDate,
    pub held_to: NaiveDate,
    pub share: f64,
}

/// A row of `rule_sets`: one stored version of a grading rule set (never changed).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = rule_sets)]
pub struct RuleSetRow {
    pub code: String,
    pub version: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub definition: serde_json::Value,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A version of a round's published results, without its snapshot.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = round_publications)]
pub struct PublicationVersionRow {
    pub id: Uuid,
    pub round_id: Uuid,
    pub version: i32,
    pub published_at: DateTime<Utc>,
    pub published_by: Uuid,
    pub reason: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawal_reason: Option<String>,
}

/// A new version of a round's published results.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = round_publications)]
pub struct NewPublicationVersion {
    pub id: Uuid,
    pub round_id: Uuid,
    pub version: i32,
    pub snapshot: serde_json::Value,
    pub published_at: DateTime<Utc>,
    pub published_by: Uuid,
    pub reason: Option<String>,
}

/// The publication of a round's results: the columns of `rounds` that portals may see.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = rounds)]
pub struct PublicationRow {
    pub id: Uuid,
    pub title: String,
    pub year: i32,
    pub decision_number: Option<String>,
    pub assigning_unit_id: Uuid,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
    #[serde(skip_serializing)]
    pub state: crate::domain::workflow::RoundState,
}

/// A row of `webhook_subscriptions`: where to deliver which events, for whom.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = webhook_subscriptions)]
pub struct WebhookSubscriptionRow {
    pub id: Uuid,
    pub owner_account_id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub status: SubscriptionStatus,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub cursor: i64,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `webhook_secrets` (never serialised: the audit trail must not hold it).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_secrets)]
pub struct WebhookSecretRow {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A row of `webhook_deliveries`: one event for one subscription.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = webhook_deliveries)]
pub struct WebhookDeliveryRow {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub event_position: i64,
    pub event_type: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub schedule_step: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub dead_at: Option<DateTime<Utc>>,
}

/// A row of `webhook_attempts`: one attempt of a delivery, as the log shows it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct WebhookAttemptRow {
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub response_status: Option<i32>,
    pub error: Option<String>,
}
