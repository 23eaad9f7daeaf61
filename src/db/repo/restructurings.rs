//! Queries of restructurings (merges and splits) and the successions they record.

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::RestructuringRow;
use crate::db::schema::{restructurings, unit_successions};
use crate::domain::vocab::RestructuringKind;

/// The filter a policy puts on every list of restructurings.
pub type Scope = Box<dyn BoxableExpression<restructurings::table, Pg, SqlType = Bool>>;

/// One restructuring (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RestructuringRow> {
    restructurings::table
        .find(id)
        .select(RestructuringRow::as_select())
        .first(conn)
        .await
}

/// Filters of the restructuring list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only those touching this unit.
    pub unit_id: Option<Uuid>,
    /// Effective on or after.
    pub from: Option<NaiveDate>,
    /// Effective on or before.
    pub to: Option<NaiveDate>,
    /// Only ids after this cursor.
    pub after: Option<Uuid>,
    /// At most this many rows.
    pub limit: i64,
}

/// Restructurings in `scope` matching `f`, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    f: &ListFilter,
) -> QueryResult<Vec<RestructuringRow>> {
    let mut q = restructurings::table
        .filter(scope)
        .select(RestructuringRow::as_select())
        .into_boxed()
        .keyset(restructurings::id, f.after, f.limit);
    if let Some(unit) = f.unit_id {
        let touching_unit = unit_successions::table
            .filter(
                unit_successions::predecessor_id
                    .eq(unit)
                    .or(unit_successions::successor_id.eq(unit)),
            )
            .select(unit_successions::restructuring_id);
        q = q.filter(restructurings::id.eq_any(touching_unit));
    }
    if let Some(from) = f.from {
        q = q.filter(restructurings::effective_date.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(restructurings::effective_date.le(to));
    }
    q.load(conn).await
}

/// The (predecessor, successor) links a restructuring recorded.
pub async fn links(
    conn: &mut AsyncPgConnection,
    restructuring: Uuid,
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    unit_successions::table
        .filter(unit_successions::restructuring_id.eq(restructuring))
        .select((
            unit_successions::predecessor_id,
            unit_successions::successor_id,
        ))
        .load(conn)
        .await
}

/// The (restructuring, predecessor, successor) links of some restructurings.
pub async fn links_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, Uuid, Uuid)>> {
    unit_successions::table
        .filter(unit_successions::restructuring_id.eq_any(ids))
        .select((
            unit_successions::restructuring_id,
            unit_successions::predecessor_id,
            unit_successions::successor_id,
        ))
        .load(conn)
        .await
}

/// A succession seen from one unit: (the other unit, restructuring, kind, effective date).
pub type SuccessionRow = (Uuid, Uuid, RestructuringKind, NaiveDate);

/// The units `unit` succeeded.
pub async fn predecessors_of(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
) -> QueryResult<Vec<SuccessionRow>> {
    unit_successions::table
        .inner_join(
            restructurings::table.on(restructurings::id.eq(unit_successions::restructuring_id)),
        )
        .filter(unit_successions::successor_id.eq(unit))
        .select((
            unit_successions::predecessor_id,
            restructurings::id,
            restructurings::kind,
            restructurings::effective_date,
        ))
        .load(conn)
        .await
}

/// The units that succeeded `unit`.
pub async fn successors_of(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
) -> QueryResult<Vec<SuccessionRow>> {
    unit_successions::table
        .inner_join(
            restructurings::table.on(restructurings::id.eq(unit_successions::restructuring_id)),
        )
        .filter(unit_successions::predecessor_id.eq(unit))
        .select((
            unit_successions::successor_id,
            restructurings::id,
            restructurings::kind,
            restructurings::effective_date,
        ))
        .load(conn)
        .await
}

/// Stores a new restructuring.
pub async fn insert(conn: &mut AsyncPgConnection, row: &RestructuringRow) -> QueryResult<()> {
    diesel::insert_into(restructurings::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Records that `successor` succeeded `predecessor` through `restructuring`.
pub async fn insert_succession(
    conn: &mut AsyncPgConnection,
    restructuring: Uuid,
    predecessor: Uuid,
    successor: Uuid,
) -> QueryResult<()> {
    diesel::insert_into(unit_successions::table)
        .values((
            unit_successions::restructuring_id.eq(restructuring),
            unit_successions::predecessor_id.eq(predecessor),
            unit_successions::successor_id.eq(successor),
        ))
        .execute(conn)
        .await
        .map(drop)
}
