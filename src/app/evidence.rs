//! Evidence of results ("sản phẩm"): the assignee unit files links, document references and
//! uploaded files against an issued assignment and may retract them; verifiers mark them;
//! stored files are re-hashed on request. Evidence is never edited or deleted.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::require_under_way;
use super::locking::require_evidence_unlocked;
use super::{in_tx, IfMatch, Tx};
use crate::auth::policy::assignments as assignment_policy;
use crate::auth::policy::evidence::{
    lock_visible, require_assignee, require_integrity_check, require_verifier, visible,
};
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, EvidenceMarkRow, EvidenceRow, IntegrityCheckRow};
use crate::db::repo;
use crate::db::repo::evidence::ListFilter;
use crate::domain::evidence::{
    content_violations, integrity_of, milestone_violation, sanitize_file_name, verdict_violation,
    EvidenceKind, IntegrityState, VerificationMark,
};
use crate::domain::text::plain_text;
use crate::domain::Violation;
use crate::error::ApiError;
use crate::storage::{Rehash, Staged};

/// A reference to an official document (NĐ 30/2020).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// Number and symbol, e.g. "15-QĐ/TU".
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub number: String,
    /// Date of issue.
    pub date: NaiveDate,
    /// Issuing body, e.g. "Tỉnh ủy Phú Thọ".
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub issuer: String,
}

/// What goes with any new piece of evidence.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EvidenceAttachment {
    /// Title.
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: String,
    /// Description.
    #[validate(length(max = 10000), custom(function = "plain_text"))]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: Option<String>,
    /// The progress report it goes with (of the same assignment).
    pub report_id: Option<Uuid>,
    /// The milestone it goes with (index into the assignment's milestones).
    #[validate(range(min = 0, max = 1000))]
    #[schema(minimum = 0, maximum = 1000)]
    pub milestone_index: Option<i32>,
}

/// A link or a reference to an official document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// `link` or `document` (files go to `/evidence/files`).
    pub kind: EvidenceKind,
    /// Title.
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: String,
    /// Description.
    #[validate(length(max = 10000), custom(function = "plain_text"))]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: Option<String>,
    /// The progress report it goes with (of the same assignment).
    pub report_id: Option<Uuid>,
    /// The milestone it goes with (index into the assignment's milestones).
    #[validate(range(min = 0, max = 1000))]
    #[schema(minimum = 0, maximum = 1000)]
    pub milestone_index: Option<i32>,
    /// An `http(s)` link: required for `link`, optional for `document`.
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// The document, for `document`.
    #[validate(nested)]
    pub document: Option<DocumentRef>,
}

/// A retraction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// Why the evidence is withdrawn.
    #[validate(length(min = 1, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// A verification mark.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewMark {
    /// `verified` or `disputed`.
    pub mark: VerificationMark,
    /// What was checked, or what is disputed.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub comment: String,
}

/// A page of the evidence of an assignment the caller may read, oldest first: at most `limit`
/// rows after `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    filter: ListFilter,
    limit: i64,
    after: Option<Uuid>,
) -> Result<Vec<EvidenceRow>, ApiError> {
    let a = assignment_policy::visible(conn, caller, assignment).await?;
    Ok(repo::evidence::list(conn, a.id, filter, limit, after).await?)
}

/// A piece of evidence the caller may read.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<EvidenceRow, ApiError> {
    Ok(visible(conn, caller, id).await?.0)
}

/// The verification marks of a piece of evidence the caller may read, oldest first.
pub async fn marks(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<EvidenceMarkRow>, ApiError> {
    let (e, _) = visible(conn, caller, id).await?;
    Ok(repo::evidence::marks(conn, e.id).await?)
}

/// Checks the assignment takes evidence from the caller: `assignment_prepare` on the assignee
/// unit (403) and the assignment under way (409).
async fn check_assignee(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    require_assignee(conn, caller, a).await?;
    let rule = (
        "evidence is attached to issued assignments",
        "chỉ nộp sản phẩm cho nhiệm vụ đã ban hành",
    );
    require_under_way(a, rule)
}

/// Violations of where the evidence is attached: the report must be the assignment's and the
/// milestone one of its milestones.
async fn attachment_violations(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    at: &EvidenceAttachment,
) -> Result<Vec<Violation>, ApiError> {
    let mut out = Vec::new();
    if let Some(report) = at.report_id {
        if !repo::evidence::is_report_of(conn, report, a.id).await? {
            out.push(Violation::new(
                "report_id",
                "unknown_report",
                "not a progress report of this assignment",
                "không phải báo cáo tiến độ của nhiệm vụ này",
            ));
        }
    }
    let count = a.milestones.as_array().map_or(0, Vec::len);
    out.extend(milestone_violation(at.milestone_index, count));
    Ok(out)
}

/// A new piece of evidence of `a` by the caller, with nothing of its content yet.
fn blank_row(
    tx: &Tx<'_>,
    a: &AssignmentRow,
    kind: EvidenceKind,
    at: EvidenceAttachment,
) -> EvidenceRow {
    EvidenceRow {
        id: Uuid::now_v7(),
        assignment_id: a.id,
        report_id: at.report_id,
        milestone_index: at.milestone_index,
        kind,
        title: at.title,
        description: at.description,
        sha256: None,
        file_name: None,
        media_type: None,
        size_bytes: None,
        url: None,
        document_number: None,
        document_date: None,
        document_issuer: None,
        submitted_by: tx.caller.account_id,
        submitted_at: tx.now,
        verification: VerificationMark::Unverified,
        verified_by: None,
        verified_at: None,
        verification_comment: None,
        integrity: IntegrityState::Unchecked,
        integrity_checked_at: None,
        retracted_by: None,
        retracted_at: None,
        retraction_reason: None,
        version: 1,
        idempotency_key: None,
    }
}

/// Stores a new piece of evidence of `a` and records it.
async fn insert(
    tx: &mut Tx<'_>,
    a: &AssignmentRow,
    row: EvidenceRow,
) -> Result<EvidenceRow, ApiError> {
    repo::evidence::insert(tx.conn, &row).await?;
    tx.created("evidence.create", row.id, Some(a.assignee_unit_id), &row);
    Ok(row)
}

/// The assignee unit attaches a link or a document reference to an issued assignment.
pub async fn add(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    new: NewEvidence,
) -> Result<EvidenceRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = assignment_policy::lock_visible(tx.conn, caller, assignment).await?;
        check_assignee(tx.conn, caller, &a).await?;
        let at = EvidenceAttachment {
            title: new.title,
            description: new.description,
            report_id: new.report_id,
            milestone_index: new.milestone_index,
        };
        let mut violations = attachment_violations(tx.conn, &a, &at).await?;
        violations.extend(content_violations(
            new.kind,
            new.url.as_deref(),
            new.document.is_some(),
        ));
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let mut row = blank_row(tx, &a, new.kind, at);
        row.url = new.url;
        if let Some(d) = new.document {
            row.document_number = Some(d.number);
            row.document_date = Some(d.date);
            row.document_issuer = Some(d.issuer);
        }
        insert(tx, &a, row).await
    })
    .await
}

/// Refuses an upload before its body is read: the assignment must be readable, take evidence
/// from the caller and be under way.
pub async fn authorise_upload(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<(), ApiError> {
    let a = assignment_policy::visible(conn, caller, assignment).await?;
    check_assignee(conn, caller, &a).await
}

/// The evidence the caller uploaded earlier with Idempotency-Key `key`, if any.
pub async fn earlier_upload(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &str,
) -> Result<Option<EvidenceRow>, ApiError> {
    Ok(repo::evidence::by_idempotency_key(conn, caller.account_id, key).await?)
}

/// A file staged in the evidence store, with what the form said of it.
pub struct Upload<'a> {
    /// The staged content.
    pub staged: &'a Staged,
    /// Its original name, sanitised, if the form gave one.
    pub file_name: Option<String>,
    /// The form's other fields.
    pub attachment: EvidenceAttachment,
    /// The request's Idempotency-Key, if any.
    pub idempotency_key: Option<String>,
}

/// Records an uploaded file as evidence of `assignment`, re-checking the assignee under the
/// assignment's lock. `keep_file` moves the staged file to its place in the store; it runs
/// last, so a refusal leaves the store as it was (should the commit fail after it, the file
/// stays under its hash, unreferenced). The caller discards the staged file afterwards.
pub async fn upload(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    file: Upload<'_>,
    keep_file: impl AsyncFnOnce() -> Result<(), ApiError>,
) -> Result<EvidenceRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = assignment_policy::lock_visible(tx.conn, caller, assignment).await?;
        check_assignee(tx.conn, caller, &a).await?;
        if let Some(key) = &file.idempotency_key {
            if repo::evidence::by_idempotency_key(tx.conn, caller.account_id, key)
                .await?
                .is_some()
            {
                return Err(ApiError::conflict(
                    "a request with this Idempotency-Key was completed meanwhile; retry it",
                    "một yêu cầu với Idempotency-Key này vừa hoàn tất; hãy gửi lại",
                ));
            }
        }
        let violations = attachment_violations(tx.conn, &a, &file.attachment).await?;
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let staged = file.staged;
        let size = i64::try_from(staged.size).map_err(ApiError::internal)?;
        repo::evidence::insert_blob(tx.conn, &staged.sha256, size, staged.media_type, tx.now)
            .await?;
        let mut row = blank_row(tx, &a, EvidenceKind::File, file.attachment);
        row.sha256 = Some(staged.sha256.clone());
        row.size_bytes = Some(size);
        row.media_type = Some(staged.media_type.to_owned());
        row.file_name = Some(file.file_name.unwrap_or_else(|| sanitize_file_name("")));
        row.idempotency_key = file.idempotency_key;
        let row = insert(tx, &a, row).await?;
        keep_file().await?;
        Ok(row)
    })
    .await
}

/// Updates a piece of evidence locked by the caller and records the change as `action`.
async fn change(
    tx: &mut Tx<'_>,
    before: EvidenceRow,
    unit: Uuid,
    action: &str,
    apply: impl FnOnce(&mut EvidenceRow),
) -> Result<EvidenceRow, ApiError> {
    let mut row = before.clone();
    apply(&mut row);
    row.version += 1;
    repo::evidence::update_status(tx.conn, &row).await?;
    tx.changed(action, row.id, Some(unit), &before, &row);
    Ok(row)
}

/// Evidence `id` locked for a change, with its assignment: `require` checks the caller's
/// right on the assignment, then `If-Match`; 409 once the evidence is retracted.
async fn lock_live(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    require: impl AsyncFnOnce(&mut AsyncPgConnection, &AssignmentRow) -> Result<(), ApiError>,
) -> Result<(EvidenceRow, AssignmentRow), ApiError> {
    let (e, a) = lock_visible(conn, caller, id).await?;
    require(conn, &a).await?;
    if_match.check(e.version)?;
    require_evidence_unlocked(conn, a.id, e.submitted_at).await?;
    if e.retracted_at.is_some() {
        return Err(ApiError::conflict(
            "the evidence has been retracted",
            "minh chứng đã bị rút lại",
        ));
    }
    Ok((e, a))
}

/// The assignee unit withdraws a piece of evidence with a reason.
pub async fn retract(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    reason: String,
) -> Result<EvidenceRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let require = async |c: &mut AsyncPgConnection, a: &AssignmentRow| {
            require_assignee(c, caller, a).await
        };
        let (e, a) = lock_live(tx.conn, caller, id, if_match, require).await?;
        let (by, now) = (caller.account_id, tx.now);
        change(tx, e, a.assignee_unit_id, "evidence.retract", |r| {
            r.retracted_by = Some(by);
            r.retracted_at = Some(now);
            r.retraction_reason = Some(reason);
        })
        .await
    })
    .await
}

/// A verifier marks a piece of evidence verified or disputed; the mark is kept and shows on
/// the evidence.
pub async fn mark(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: NewMark,
) -> Result<EvidenceRow, ApiError> {
    if let Some(v) = verdict_violation(new.mark) {
        return Err(ApiError::violations(vec![v]));
    }
    in_tx(conn, caller, async |tx| {
        let require = async |c: &mut AsyncPgConnection, a: &AssignmentRow| {
            require_verifier(c, caller, a).await
        };
        let (e, a) = lock_live(tx.conn, caller, id, if_match, require).await?;
        let row = EvidenceMarkRow {
            id: Uuid::now_v7(),
            evidence_id: e.id,
            mark: new.mark,
            comment: new.comment,
            marked_by: caller.account_id,
            marked_at: tx.now,
        };
        repo::evidence::insert_mark(tx.conn, &row).await?;
        change(tx, e, a.assignee_unit_id, "evidence.mark", |r| {
            r.verification = row.mark;
            r.verified_by = Some(row.marked_by);
            r.verified_at = Some(row.marked_at);
            r.verification_comment = Some(row.comment);
        })
        .await
    })
    .await
}

/// The recorded SHA-256 of a file the caller may have re-hashed (a verifier or the assignee
/// unit); 409 for links and document references.
pub async fn file_to_check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<String, ApiError> {
    let (e, a) = visible(conn, caller, id).await?;
    require_integrity_check(conn, caller, &a).await?;
    e.sha256.ok_or_else(|| {
        ApiError::conflict(
            "only files have content to verify",
            "chỉ tệp mới có nội dung để kiểm tra",
        )
    })
}

/// Records the outcome of re-hashing the file of evidence `id`, recorded as `expected`: the
/// check is kept and its outcome shows on the evidence.
pub async fn record_integrity(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    expected: String,
    found: Rehash,
) -> Result<IntegrityCheckRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (e, a) = lock_visible(tx.conn, caller, id).await?;
        let outcome = integrity_of(&expected, found.sha256.as_deref());
        let actual_size = found
            .size
            .map(i64::try_from)
            .transpose()
            .map_err(ApiError::internal)?;
        let row = IntegrityCheckRow {
            id: Uuid::now_v7(),
            evidence_id: e.id,
            intact: outcome == IntegrityState::Intact,
            expected,
            actual: found.sha256,
            actual_size,
            checked_by: caller.account_id,
            checked_at: tx.now,
        };
        repo::evidence::insert_integrity_check(tx.conn, &row).await?;
        if !row.intact {
            tracing::error!(evidence = %e.id, expected = %row.expected, actual = ?row.actual, "evidence file altered or missing");
        }
        let checked_at = row.checked_at;
        change(
            tx,
            e,
            a.assignee_unit_id,
            "evidence.verify_integrity",
            |r| {
                r.integrity = outcome;
                r.integrity_checked_at = Some(checked_at);
            },
        )
        .await?;
        Ok(row)
    })
    .await
}
