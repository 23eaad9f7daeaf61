//! Who may see and act on progress reports: whoever may read the report's assignment (see
//! [`super::assignments`]); what they may do to it is a permission on one of its units.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::assignments::{self, Lock};
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, ReportRow};
use crate::db::schema::progress_reports;
use crate::error::ApiError;

/// Whether the caller may read the reports of assignment `a`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<bool, ApiError> {
    assignments::can_read(conn, caller, a).await
}

/// The filter of every list of reports: the reports of the assignments [`can_read`] allows.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<progress_reports::table, Pg, SqlType = Bool>>, ApiError> {
    assignments::readable_parts(conn, caller, progress_reports::assignment_id).await
}

/// Report `id` and its assignment, if the caller may read it; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(ReportRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Nothing).await
}

/// Report `id`, locked for a change, and its assignment, if the caller may read it; 404
/// otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(ReportRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Part).await
}
