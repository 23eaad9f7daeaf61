//! Who may see and act on amendments: those who may read their assignment
//! (see [`super::assignments`]).

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::assignments::{self, Lock};
use crate::auth::Caller;
use crate::db::models::{AmendmentRow, AssignmentRow};
use crate::error::ApiError;

/// Amendment `id` if the caller may read its assignment; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AmendmentRow, ApiError> {
    let (row, _) = assignments::part(conn, caller, id, Lock::Nothing).await?;
    Ok(row)
}

/// Amendment `id` and its assignment, both locked for a change, if the caller may read the
/// assignment; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(AmendmentRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Both).await
}
