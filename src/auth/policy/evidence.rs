//! Who may see and act on evidence: whoever can read the assignment reads its evidence; the
//! assignee unit (`assignment_prepare`) files and retracts it; verifiers (`evidence_verify`)
//! mark it; either may have a file re-hashed.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::assignments::{self, Lock};
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, EvidenceRow};
use crate::db::schema::evidence;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// The filter of every list of evidence: pieces of the assignments the caller may read.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<evidence::table, Pg, SqlType = Bool>>, ApiError> {
    assignments::readable_parts(conn, caller, evidence::assignment_id).await
}

/// Evidence `id` with its assignment, if the caller may read the assignment; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(EvidenceRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Nothing).await
}

/// Evidence `id`, locked for a change, with its assignment, if the caller may read the
/// assignment; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(EvidenceRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Part).await
}

/// Requires that the caller may file or retract evidence of `a` (`assignment_prepare` on the
/// assignee unit): 403 otherwise.
pub async fn require_assignee(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    caller
        .require_on(conn, Permission::AssignmentPrepare, a.assignee_unit_id)
        .await
}

/// Requires that the caller may mark evidence of `a` (`evidence_verify` on the assignee
/// unit): 403 otherwise.
pub async fn require_verifier(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    caller
        .require_on(conn, Permission::EvidenceVerify, a.assignee_unit_id)
        .await
}

/// Requires that the caller may have a file of `a` re-hashed: a verifier (`evidence_verify`)
/// or the assignee unit (`assignment_prepare`); 403 otherwise.
pub async fn require_integrity_check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    let unit = a.assignee_unit_id;
    if caller.can(conn, Permission::EvidenceVerify, unit).await?
        || caller
            .can(conn, Permission::AssignmentPrepare, unit)
            .await?
    {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
