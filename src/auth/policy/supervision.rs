//! Who may see and act on obstacles and opinions: whoever may read the assignment they belong
//! to (see [`super::assignments`]); what they may do is a permission on one of its units.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::assignments::{self, Lock};
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, ObstacleRow};
use crate::db::schema::{obstacles, opinions};
use crate::error::ApiError;

/// Whether the caller may read an obstacle or opinion of assignment `a`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<bool, ApiError> {
    assignments::can_read(conn, caller, a).await
}

/// The filter of every list of obstacles: those of the assignments [`can_read`] allows.
pub async fn readable_obstacles(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<obstacles::table, Pg, SqlType = Bool>>, ApiError> {
    assignments::readable_parts(conn, caller, obstacles::assignment_id).await
}

/// The filter of every list of opinions: those on the assignments [`can_read`] allows.
pub async fn readable_opinions(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<opinions::table, Pg, SqlType = Bool>>, ApiError> {
    assignments::readable_parts(conn, caller, opinions::assignment_id).await
}

/// Obstacle `id`, if the caller may read its assignment; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ObstacleRow, ApiError> {
    let (o, _) = assignments::part(conn, caller, id, Lock::Nothing).await?;
    Ok(o)
}

/// Obstacle `id` and its assignment, both locked for a change, if the caller may read the
/// assignment; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(ObstacleRow, AssignmentRow), ApiError> {
    assignments::part(conn, caller, id, Lock::Both).await
}
