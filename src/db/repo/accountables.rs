//! Queries of the positions that answer for an assignment, and of who held them.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::AccountableRow;
use crate::db::schema::{assignment_accountables, posts};
use crate::domain::vocab::PostKind;

/// The positions named for `assignment`, in a stable order.
pub async fn of_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Vec<AccountableRow>> {
    assignment_accountables::table
        .filter(assignment_accountables::assignment_id.eq(assignment))
        .order((
            assignment_accountables::unit_id,
            assignment_accountables::post_kind,
        ))
        .select(AccountableRow::as_select())
        .load(conn)
        .await
}

/// Replaces the positions named for `assignment` with `rows`.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    rows: &[AccountableRow],
) -> QueryResult<()> {
    diesel::delete(
        assignment_accountables::table
            .filter(assignment_accountables::assignment_id.eq(assignment)),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(assignment_accountables::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// The posts of kind `kind` in `unit` held at some time between `from` and `to`: post, cadre,
/// first and last day held.
pub async fn tenures(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    kind: PostKind,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(Uuid, Uuid, NaiveDate, Option<NaiveDate>)>> {
    posts::table
        .filter(posts::unit_id.eq(unit))
        .filter(posts::kind.eq(kind))
        .filter(posts::valid_from.le(to))
        .filter(posts::valid_to.is_null().or(posts::valid_to.ge(from)))
        .select((
            posts::id,
            posts::cadre_id,
            posts::valid_from,
            posts::valid_to,
        ))
        .load(conn)
        .await
}
