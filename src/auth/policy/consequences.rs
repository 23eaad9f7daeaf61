//! Who may record and read the consequences of evaluation results: recording a commendation,
//! an emulation classification, a review or a personnel decision that rests on a decided grade
//! is the act of the Standing Committee (`evaluation_decide`) or of its standing office, the
//! Organisation Board (`evaluation_appraise`), on the evaluation's assigning unit; a
//! consequence is read under the rule of the cadre's record it belongs to.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::evaluations::may_read_record;
use crate::auth::Caller;
use crate::db::models::AssignmentRow;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Requires `evaluation_decide` or `evaluation_appraise` on the assigning unit of `a`, whose
/// evaluation the caller can already see (403 otherwise).
pub async fn may_record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    for permission in [Permission::EvaluationDecide, Permission::EvaluationAppraise] {
        if caller.can(conn, permission, a.assigning_unit_id).await? {
            return Ok(());
        }
    }
    Err(ApiError::forbidden())
}

/// The cadres among `cadres` whose record the caller may read (see
/// [`may_read_record`]); only their consequences are shown.
pub async fn readable_cadres(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cadres: &[Uuid],
) -> Result<Vec<Uuid>, ApiError> {
    let mut out = Vec::new();
    for cadre in cadres {
        match may_read_record(conn, caller, *cadre).await {
            Ok(()) => out.push(*cadre),
            Err(e) if matches!(e.status().as_u16(), 403 | 404) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
