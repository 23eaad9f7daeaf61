//! Wire types of evidence.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::evidence::DocumentRef;
use crate::db::models::{EvidenceMarkRow, EvidenceRow, IntegrityCheckRow};
use crate::domain::evidence::{sanitize_file_name, EvidenceKind, IntegrityState, VerificationMark};

/// A stored file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceFile {
    /// SHA-256 of the content (lower-case hex); also the storage key.
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Media type recognised from the content.
    pub media_type: String,
    /// Original file name, sanitised.
    pub file_name: String,
    /// Where to download it.
    pub content_url: String,
}

/// A piece of evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    /// Id.
    pub id: Uuid,
    /// The assignment it proves.
    pub assignment_id: Uuid,
    /// The progress report it goes with, if any.
    pub report_id: Option<Uuid>,
    /// The roadmap milestone it goes with (index into the assignment's milestones), if any.
    pub milestone_index: Option<i32>,
    /// `file`, `link` or `document`.
    pub kind: EvidenceKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// The file, for `file`.
    pub file: Option<EvidenceFile>,
    /// The link, for `link` (and optionally `document`).
    pub url: Option<String>,
    /// The document, for `document`.
    pub document: Option<DocumentRef>,
    /// Who submitted it.
    pub submitted_by: Uuid,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// The latest verification mark.
    pub verification: VerificationMark,
    /// Who marked it.
    pub verified_by: Option<Uuid>,
    /// When.
    pub verified_at: Option<DateTime<Utc>>,
    /// The marker's comment.
    pub verification_comment: Option<String>,
    /// Outcome of the latest re-hash of the file.
    pub integrity: IntegrityState,
    /// When it was re-hashed.
    pub integrity_checked_at: Option<DateTime<Utc>>,
    /// Whether it was retracted (it then no longer counts as evidence, but stays on record).
    pub retracted: bool,
    /// Who retracted it.
    pub retracted_by: Option<Uuid>,
    /// When.
    pub retracted_at: Option<DateTime<Utc>>,
    /// Why.
    pub retraction_reason: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<EvidenceRow> for Evidence {
    fn from(r: EvidenceRow) -> Self {
        let file = match (r.sha256, r.file_name, r.media_type, r.size_bytes) {
            (Some(sha256), Some(file_name), Some(media_type), Some(size_bytes)) => {
                Some(EvidenceFile {
                    sha256,
                    size_bytes,
                    media_type,
                    // Names stored before a sanitising rule was added get it on the way out.
                    file_name: sanitize_file_name(&file_name),
                    content_url: format!("/api/v1/evidence/{}/content", r.id),
                })
            }
            _ => None,
        };
        let document = match (r.document_number, r.document_date, r.document_issuer) {
            (Some(number), Some(date), Some(issuer)) => Some(DocumentRef {
                number,
                date,
                issuer,
            }),
            _ => None,
        };
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            report_id: r.report_id,
            milestone_index: r.milestone_index,
            kind: r.kind,
            title: r.title,
            description: r.description,
            file,
            url: r.url,
            document,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            verification: r.verification,
            verified_by: r.verified_by,
            verified_at: r.verified_at,
            verification_comment: r.verification_comment,
            integrity: r.integrity,
            integrity_checked_at: r.integrity_checked_at,
            retracted: r.retracted_at.is_some(),
            retracted_by: r.retracted_by,
            retracted_at: r.retracted_at,
            retraction_reason: r.retraction_reason,
            version: r.version,
        }
    }
}

/// One recorded verification mark.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceMark {
    /// Id.
    pub id: Uuid,
    /// `verified` or `disputed`.
    pub mark: VerificationMark,
    /// Comment.
    pub comment: String,
    /// Who.
    pub marked_by: Uuid,
    /// When.
    pub marked_at: DateTime<Utc>,
}

impl From<EvidenceMarkRow> for EvidenceMark {
    fn from(r: EvidenceMarkRow) -> Self {
        Self {
            id: r.id,
            mark: r.mark,
            comment: r.comment,
            marked_by: r.marked_by,
            marked_at: r.marked_at,
        }
    }
}

/// The outcome of re-hashing a stored file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntegrityCheck {
    /// Id.
    pub id: Uuid,
    /// The evidence.
    pub evidence_id: Uuid,
    /// Whether the stored bytes still hash to the recorded SHA-256.
    pub intact: bool,
    /// The recorded SHA-256.
    pub expected: String,
    /// The SHA-256 of what is stored now; absent when the file is missing.
    pub actual: Option<String>,
    /// The size of what is stored now.
    pub actual_size: Option<i64>,
    /// Who asked.
    pub checked_by: Uuid,
    /// When.
    pub checked_at: DateTime<Utc>,
}

impl From<IntegrityCheckRow> for IntegrityCheck {
    fn from(r: IntegrityCheckRow) -> Self {
        Self {
            id: r.id,
            evidence_id: r.evidence_id,
            intact: r.intact,
            expected: r.expected,
            actual: r.actual,
            actual_size: r.actual_size,
            checked_by: r.checked_by,
            checked_at: r.checked_at,
        }
    }
}
