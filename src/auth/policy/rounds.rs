//! Who may see rounds: the readers of the assigning unit, and the readers of any unit the round
//! has issued assignments to. A round's decisions are all visible to the assigning unit's
//! readers; an assignee's readers see only the decisions handed to the units they read.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::RoundRow;
use crate::db::repo;
use crate::db::schema::{assignment_decisions, assignments, rounds};
use crate::domain::roles::Permission;
use crate::domain::workflow::AssignmentState;
use crate::error::ApiError;

/// Whether the caller may read round `id` of `assigning_unit`: it reads the assigning unit, or
/// some unit the round has issued assignments to.
pub async fn can_read_round(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    assigning_unit: Uuid,
) -> Result<bool, ApiError> {
    if caller
        .can(conn, Permission::AssignmentRead, assigning_unit)
        .await?
    {
        return Ok(true);
    }
    let units = caller.units_with(conn, Permission::AssignmentRead).await?;
    Ok(repo::rounds::issued_to_any(conn, id, &units).await?)
}

/// Whether the caller may read `round`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: &RoundRow,
) -> Result<bool, ApiError> {
    can_read_round(conn, caller, round.id, round.assigning_unit_id).await
}

/// The filter of every list of rounds: the rows [`can_read`] allows, and no others.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<Box<dyn BoxableExpression<rounds::table, Pg, SqlType = Bool>>, ApiError> {
    let units = caller.units_with(conn, Permission::AssignmentRead).await?;
    let issued_to_readable = assignments::table
        .filter(assignments::state.ne(AssignmentState::Draft))
        .filter(assignments::assignee_unit_id.eq_any(units.clone()))
        .select(assignments::round_id);
    Ok(Box::new(
        rounds::assigning_unit_id
            .eq_any(units)
            .or(rounds::id.eq_any(issued_to_readable)),
    ))
}

/// The filter of the decisions of `round` (which the caller may read): all of them for the
/// assigning unit's readers, those handed to units the caller reads otherwise.
pub async fn readable_decisions(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: &RoundRow,
) -> Result<Box<dyn BoxableExpression<assignment_decisions::table, Pg, SqlType = Bool>>, ApiError> {
    let of_round = assignment_decisions::round_id.eq(round.id);
    if caller
        .can(conn, Permission::AssignmentRead, round.assigning_unit_id)
        .await?
    {
        return Ok(Box::new(of_round));
    }
    let units = caller.units_with(conn, Permission::AssignmentRead).await?;
    Ok(Box::new(
        of_round.and(assignment_decisions::assignee_unit_id.eq_any(units)),
    ))
}

/// Round `id` if the caller may read it; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<RoundRow, ApiError> {
    let round = repo::rounds::get(conn, id).await?;
    super::shown(can_read(conn, caller, &round).await?, round)
}

/// Round `id`, locked for a change, if the caller may read it; 404 otherwise.
pub async fn lock_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<RoundRow, ApiError> {
    let round = repo::rounds::lock(conn, id).await?;
    super::shown(can_read(conn, caller, &round).await?, round)
}
