//! Who may see and act on assignments: the assigning unit's readers always; the assignee
//! unit's readers once the assignment is issued (a draft is the assigning side's business).

use diesel::dsl::EqAny;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::AssignmentRow;
use crate::db::repo::{self, AssignmentPart};
use crate::db::schema::assignments;
use crate::domain::roles::Permission;
use crate::domain::workflow::AssignmentState;
use crate::error::ApiError;

/// Whether the caller may read `a`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<bool, ApiError> {
    Ok(caller
        .can(conn, Permission::AssignmentRead, a.assigning_unit_id)
        .await?
        || (a.state != AssignmentState::Draft
            && caller
                .can(conn, Permission::AssignmentRead, a.assignee_unit_id)
                .await?))
}

/// The filter of every list of assignments: the rows [`can_read`] allows, and no others.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<assignments::table, Pg, SqlType = Bool>>, ApiError> {
    let units = caller.units_with(conn, Permission::AssignmentRead).await?;
    Ok(Box::new(
        assignments::assigning_unit_id
            .eq_any(units.clone())
            .or(assignments::state
                .ne(AssignmentState::Draft)
                .and(assignments::assignee_unit_id.eq_any(units))),
    ))
}

/// The ids of the assignments the caller may read, as a subquery for lists of things that
/// belong to an assignment (plans, reports, evidence…).
pub async fn readable_ids(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<assignments::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>, ApiError> {
    Ok(assignments::table
        .filter(readable(conn, caller).await?)
        .select(assignments::id)
        .into_boxed())
}

/// Assignment `id` if the caller may read it; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AssignmentRow, ApiError> {
    let a = repo::assignments::get(conn, id).await?;
    super::shown(can_read(conn, caller, &a).await?, a)
}

/// Assignment `id`, locked for a change, if the caller may read it; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AssignmentRow, ApiError> {
    let a = repo::assignments::lock(conn, id).await?;
    super::shown(can_read(conn, caller, &a).await?, a)
}

/// What [`part`] locks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Nothing.
    Nothing,
    /// The part only.
    Part,
    /// The part and its assignment.
    Both,
}

/// Part `id` of an assignment, with that assignment, if the caller may read the assignment;
/// 404 otherwise.
pub async fn part<P: AssignmentPart>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: Lock,
) -> Result<(P, AssignmentRow), ApiError> {
    let row = P::fetch(conn, id, lock != Lock::Nothing).await?;
    let a = if lock == Lock::Both {
        lock_visible(conn, caller, row.assignment_id()).await?
    } else {
        visible(conn, caller, row.assignment_id()).await?
    };
    Ok((row, a))
}

/// The filter of every list of parts of assignments whose assignment is `column`: the parts
/// of the assignments the caller may read.
pub async fn readable_parts<C>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    column: C,
) -> Result<Box<dyn BoxableExpression<C::Table, Pg, SqlType = Bool>>, ApiError>
where
    C: Column + Expression<SqlType = diesel::sql_types::Uuid>,
    EqAny<C, assignments::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>>:
        BoxableExpression<C::Table, Pg, SqlType = Bool> + 'static,
{
    Ok(Box::new(column.eq_any(readable_ids(conn, caller).await?)))
}
