//! Queries of evidence: the pieces, their stored files (blobs), verification marks and
//! integrity checks.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{AssignmentPart, KeysetDsl};
use crate::db::models::{EvidenceMarkRow, EvidenceRow, IntegrityCheckRow};
use crate::db::schema::{
    evidence, evidence_blobs, evidence_integrity_checks, evidence_marks, progress_reports,
};
use crate::domain::evidence::EvidenceKind;

/// Filters of an assignment's evidence list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListFilter {
    /// Only this kind.
    pub kind: Option<EvidenceKind>,
    /// Only evidence attached to this progress report.
    pub report_id: Option<Uuid>,
    /// `Some(true)`: only retracted; `Some(false)`: only standing; `None`: both.
    pub retracted: Option<bool>,
}

/// A page of an assignment's evidence, oldest first: at most `limit` rows with ids after
/// `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    filter: ListFilter,
    limit: i64,
    after: Option<Uuid>,
) -> QueryResult<Vec<EvidenceRow>> {
    let mut q = evidence::table
        .filter(evidence::assignment_id.eq(assignment))
        .select(EvidenceRow::as_select())
        .into_boxed()
        .keyset(evidence::id, after, limit);
    if let Some(kind) = filter.kind {
        q = q.filter(evidence::kind.eq(kind));
    }
    if let Some(report) = filter.report_id {
        q = q.filter(evidence::report_id.eq(report));
    }
    match filter.retracted {
        Some(true) => q = q.filter(evidence::retracted_at.is_not_null()),
        Some(false) => q = q.filter(evidence::retracted_at.is_null()),
        None => {}
    }
    q.load(conn).await
}

impl AssignmentPart for EvidenceRow {
    async fn fetch(conn: &mut AsyncPgConnection, id: Uuid, lock: bool) -> QueryResult<Self> {
        let q = evidence::table.find(id).select(Self::as_select());
        if lock {
            q.for_update().first(conn).await
        } else {
            q.first(conn).await
        }
    }

    fn assignment_id(&self) -> Uuid {
        self.assignment_id
    }
}

/// Whether `report` is a progress report of `assignment`.
pub async fn is_report_of(
    conn: &mut AsyncPgConnection,
    report: Uuid,
    assignment: Uuid,
) -> QueryResult<bool> {
    let found: i64 = progress_reports::table
        .filter(progress_reports::id.eq(report))
        .filter(progress_reports::assignment_id.eq(assignment))
        .count()
        .get_result(conn)
        .await?;
    Ok(found > 0)
}

/// The evidence `account` uploaded earlier with Idempotency-Key `key`, if any.
pub async fn by_idempotency_key(
    conn: &mut AsyncPgConnection,
    account: Uuid,
    key: &str,
) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .filter(evidence::submitted_by.eq(account))
        .filter(evidence::idempotency_key.eq(key))
        .select(EvidenceRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records a stored file by its hash, unless it is already known.
pub async fn insert_blob(
    conn: &mut AsyncPgConnection,
    sha256: &str,
    size_bytes: i64,
    media_type: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(evidence_blobs::table)
        .values((
            evidence_blobs::sha256.eq(sha256),
            evidence_blobs::size_bytes.eq(size_bytes),
            evidence_blobs::media_type.eq(media_type),
            evidence_blobs::first_stored_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// Stores a new piece of evidence.
pub async fn insert(conn: &mut AsyncPgConnection, row: &EvidenceRow) -> QueryResult<()> {
    diesel::insert_into(evidence::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Stores what can change of a piece of evidence (its verification, integrity and retraction,
/// and its version), as `row` holds it.
pub async fn update_status(conn: &mut AsyncPgConnection, row: &EvidenceRow) -> QueryResult<()> {
    diesel::update(evidence::table.find(row.id))
        .set((
            evidence::verification.eq(row.verification),
            evidence::verified_by.eq(row.verified_by),
            evidence::verified_at.eq(row.verified_at),
            evidence::verification_comment.eq(&row.verification_comment),
            evidence::integrity.eq(row.integrity),
            evidence::integrity_checked_at.eq(row.integrity_checked_at),
            evidence::retracted_by.eq(row.retracted_by),
            evidence::retracted_at.eq(row.retracted_at),
            evidence::retraction_reason.eq(&row.retraction_reason),
            evidence::version.eq(row.version),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Every verification mark of a piece of evidence, oldest first.
pub async fn marks(
    conn: &mut AsyncPgConnection,
    evidence_id: Uuid,
) -> QueryResult<Vec<EvidenceMarkRow>> {
    evidence_marks::table
        .filter(evidence_marks::evidence_id.eq(evidence_id))
        .order(evidence_marks::id)
        .select(EvidenceMarkRow::as_select())
        .load(conn)
        .await
}

/// Stores a verification mark.
pub async fn insert_mark(conn: &mut AsyncPgConnection, row: &EvidenceMarkRow) -> QueryResult<()> {
    diesel::insert_into(evidence_marks::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Stores the outcome of an integrity check.
pub async fn insert_integrity_check(
    conn: &mut AsyncPgConnection,
    row: &IntegrityCheckRow,
) -> QueryResult<()> {
    diesel::insert_into(evidence_integrity_checks::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}
