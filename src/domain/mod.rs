//! Pure domain rules: no HTTP, no SQL.

pub mod assignment;
pub mod audit_chain;
pub mod canonical;
pub mod commitment;
pub mod consequence;
pub mod evaluation;
pub mod events;
pub mod evidence;
pub mod feed;
pub mod grading;
pub mod org_rules;
pub mod periods;
pub mod person;
pub mod progress;
pub mod publication;
pub mod quota;
pub mod record;
pub mod refresh_token;
pub mod restructuring;
pub mod results;
pub mod roles;
pub mod round_issue;
pub mod round_rules;
pub mod sign_in;
pub mod signature;
pub mod spot_check;
pub mod spreadsheet;
pub mod target;
pub mod text;
pub mod tree;
pub mod validity;
pub mod vocab;
pub mod webhooks;
pub mod workflow;

/// A broken rule about one input field, reported in both working languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path of the offending field, e.g. `predecessor_ids[1]`.
    pub field: String,
    /// Stable machine code of the rule.
    pub code: &'static str,
    /// English message.
    pub message_en: String,
    /// Vietnamese message.
    pub message_vi: String,
}

impl Violation {
    /// A violation of rule `code` on `field`.
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        en: impl Into<String>,
        vi: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            message_en: en.into(),
            message_vi: vi.into(),
        }
    }
}

/// The vocabularies of rounds, assignments, commitments, plans and amendments.
pub fn assignment_vocabularies() -> Vec<(&'static str, Vec<vocab::Term>)> {
    use round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
    use signature::SignatureAlgorithm;
    use target::{CompletionBand, Rollup, TargetShape};
    use workflow::{AmendmentKind, AmendmentState, AssignmentState, PlanState, RoundState};
    vec![
        (ContentArea::VOCABULARY, ContentArea::terms()),
        (AssignmentKind::VOCABULARY, AssignmentKind::terms()),
        (AssignmentFlag::VOCABULARY, AssignmentFlag::terms()),
        (TargetShape::VOCABULARY, TargetShape::terms()),
        (Rollup::VOCABULARY, Rollup::terms()),
        (CompletionBand::VOCABULARY, CompletionBand::terms()),
        (RoundState::VOCABULARY, RoundState::terms()),
        (AssignmentState::VOCABULARY, AssignmentState::terms()),
        (PlanState::VOCABULARY, PlanState::terms()),
        (AmendmentState::VOCABULARY, AmendmentState::terms()),
        (AmendmentKind::VOCABULARY, AmendmentKind::terms()),
        (SignatureAlgorithm::VOCABULARY, SignatureAlgorithm::terms()),
        (
            evaluation::AccountableRole::VOCABULARY,
            evaluation::AccountableRole::terms(),
        ),
        (record::FactField::VOCABULARY, record::FactField::terms()),
        (record::SourceKind::VOCABULARY, record::SourceKind::terms()),
        (
            record::ContestedBy::VOCABULARY,
            record::ContestedBy::terms(),
        ),
        (
            record::FindingOutcome::VOCABULARY,
            record::FindingOutcome::terms(),
        ),
        (periods::Cadence::VOCABULARY, periods::Cadence::terms()),
        (
            progress::ReportState::VOCABULARY,
            progress::ReportState::terms(),
        ),
        (
            progress::Confidence::VOCABULARY,
            progress::Confidence::terms(),
        ),
        (
            progress::Timeliness::VOCABULARY,
            progress::Timeliness::terms(),
        ),
        (
            evidence::EvidenceKind::VOCABULARY,
            evidence::EvidenceKind::terms(),
        ),
        (
            evidence::VerificationMark::VOCABULARY,
            evidence::VerificationMark::terms(),
        ),
        (
            evidence::IntegrityState::VOCABULARY,
            evidence::IntegrityState::terms(),
        ),
        (grading::Grade::VOCABULARY, grading::Grade::terms()),
        (
            workflow::EvaluationState::VOCABULARY,
            workflow::EvaluationState::terms(),
        ),
        (
            consequence::ConsequenceKind::VOCABULARY,
            consequence::ConsequenceKind::terms(),
        ),
    ]
}
