//! Who may count and publish results: a report counts the assignments the caller may read
//! (the same rule as the assignment list); a round's results are published by its assigning
//! unit's Standing Committee; published results are open to every authenticated caller.

use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;

use super::assignments;
use crate::auth::Caller;
use crate::db::models::PublicationRow;
use crate::db::schema;
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// The ids of the assignments a report may count for the caller, as a subquery: those
/// [`assignments::readable`] allows; 403 when the caller may read assignments nowhere.
pub async fn counted(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<schema::assignments::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>, ApiError> {
    if !caller.has(Permission::AssignmentRead) {
        return Err(ApiError::forbidden());
    }
    assignments::readable_ids(conn, caller).await
}

/// Requires `round_issue` on the round's assigning unit (403 when the caller can read its
/// assignments, 404 otherwise).
pub async fn may_publish(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: &PublicationRow,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::RoundIssue,
            Permission::AssignmentRead,
            round.assigning_unit_id,
        )
        .await
}
