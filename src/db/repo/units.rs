//! Queries of organisation units and their dated parent links.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{ParentLinkRow, UnitRow};
use crate::db::schema::{org_levels, org_unit_parents, org_units};
use crate::domain::tree::Placement;
use crate::domain::validity::Validity;
use crate::domain::vocab::UnitType;

/// The filter a policy puts on every list of units.
pub type Scope = Box<dyn BoxableExpression<org_units::table, Pg, SqlType = Bool>>;

/// Whether unit `id` exists.
pub async fn exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(org_units::table.find(id)))
        .get_result(conn)
        .await
}

/// One unit with its level code (`NotFound` when unknown).
pub async fn get_with_level(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<(UnitRow, String)> {
    org_units::table
        .inner_join(org_levels::table)
        .filter(org_units::id.eq(id))
        .select((UnitRow::as_select(), org_levels::code))
        .first(conn)
        .await
}

/// Units with their level codes.
pub async fn with_levels(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(UnitRow, String)>> {
    org_units::table
        .inner_join(org_levels::table)
        .filter(org_units::id.eq_any(ids))
        .select((UnitRow::as_select(), org_levels::code))
        .load(conn)
        .await
}

/// One unit, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<UnitRow> {
    org_units::table
        .find(id)
        .for_update()
        .select(UnitRow::as_select())
        .first(conn)
        .await
}

/// The validity of a unit, shared-locked so that it cannot close meanwhile.
pub async fn share_validity(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Validity> {
    let (from, to): (NaiveDate, Option<NaiveDate>) = org_units::table
        .find(id)
        .select((org_units::valid_from, org_units::valid_to))
        .for_share()
        .first(conn)
        .await?;
    Ok(Validity { from, to })
}

/// Level rank and validity of a unit, for the placement rules.
pub async fn placement(conn: &mut AsyncPgConnection, unit: Uuid) -> QueryResult<Placement> {
    let (from, to, rank): (NaiveDate, Option<NaiveDate>, i32) = org_units::table
        .inner_join(org_levels::table)
        .filter(org_units::id.eq(unit))
        .select((org_units::valid_from, org_units::valid_to, org_levels::rank))
        .first(conn)
        .await?;
    Ok(Placement {
        level_rank: rank,
        validity: Validity { from, to },
    })
}

/// The parent link of `unit` valid on `day`.
pub async fn parent_on(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    day: NaiveDate,
) -> QueryResult<Option<ParentLinkRow>> {
    org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq(unit))
        .filter(org_unit_parents::valid_from.le(day))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        )
        .select(ParentLinkRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The parents on `day` of some units, as (unit, parent).
pub async fn parents_on(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    day: NaiveDate,
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq_any(ids))
        .filter(org_unit_parents::valid_from.le(day))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        )
        .select((org_unit_parents::unit_id, org_unit_parents::parent_id))
        .load(conn)
        .await
}

/// The children attached to `unit` on `day`.
pub async fn children_on(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    day: NaiveDate,
) -> QueryResult<Vec<Uuid>> {
    org_unit_parents::table
        .filter(org_unit_parents::parent_id.eq(unit))
        .filter(org_unit_parents::valid_from.le(day))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        )
        .select(org_unit_parents::unit_id)
        .load(conn)
        .await
}

/// Every parent link of a unit, oldest first.
pub async fn parent_links(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
) -> QueryResult<Vec<ParentLinkRow>> {
    org_unit_parents::table
        .filter(org_unit_parents::unit_id.eq(unit))
        .order(org_unit_parents::valid_from)
        .select(ParentLinkRow::as_select())
        .load(conn)
        .await
}

/// Filters of the unit list (the policy's scope comes apart).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Date at which the tree is read.
    pub day: NaiveDate,
    /// Also units not valid on `day`.
    pub include_closed: bool,
    /// Only children of this unit on `day`.
    pub parent_id: Option<Uuid>,
    /// Only this code.
    pub code: Option<String>,
    /// Only this level code.
    pub level: Option<String>,
    /// Only this kind.
    pub unit_type: Option<UnitType>,
    /// Name matches this `ILIKE` pattern.
    pub name_like: Option<String>,
    /// Only ids after this cursor.
    pub after: Option<Uuid>,
    /// At most this many rows.
    pub limit: i64,
}

/// Units in `scope` matching `f`, by id, with their level code and parent on `f.day`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    f: &ListFilter,
) -> QueryResult<Vec<(UnitRow, String, Option<Uuid>)>> {
    let day = f.day;
    let parent_link = org_unit_parents::table.on(org_unit_parents::unit_id.eq(org_units::id).and(
        org_unit_parents::valid_from.le(day).and(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.ge(day)),
        ),
    ));
    let in_scope = org_units::table
        .filter(scope)
        .select(org_units::id)
        .into_boxed();
    let mut q = org_units::table
        .inner_join(org_levels::table)
        .left_join(parent_link)
        .filter(org_units::id.eq_any(in_scope))
        .select((
            UnitRow::as_select(),
            org_levels::code,
            org_unit_parents::parent_id.nullable(),
        ))
        .into_boxed()
        .keyset(org_units::id, f.after, f.limit);
    if !f.include_closed {
        q = q.filter(org_units::valid_from.le(day)).filter(
            org_units::valid_to
                .is_null()
                .or(org_units::valid_to.ge(day)),
        );
    }
    if let Some(parent) = f.parent_id {
        q = q.filter(org_unit_parents::parent_id.eq(parent));
    }
    if let Some(code) = &f.code {
        q = q.filter(org_units::code.eq(code.clone()));
    }
    if let Some(level) = &f.level {
        q = q.filter(org_levels::code.eq(level.clone()));
    }
    if let Some(t) = f.unit_type {
        q = q.filter(org_units::unit_type.eq(t));
    }
    if let Some(pattern) = &f.name_like {
        q = q.filter(org_units::name.ilike(pattern.clone()));
    }
    q.load(conn).await
}

#[derive(QueryableByName)]
struct TreeRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Integer)]
    depth: i32,
}

/// The subtree of `root` as it stood on `day`: (unit, depth) in depth-first order, siblings by
/// code, only units and links valid that day.
pub async fn subtree(
    conn: &mut AsyncPgConnection,
    root: Uuid,
    day: NaiveDate,
) -> QueryResult<Vec<(Uuid, i32)>> {
    let rows: Vec<TreeRow> = diesel::sql_query(
        "WITH RECURSIVE live AS (
             SELECT id, code FROM org_units WHERE valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)),
         links AS (
             SELECT unit_id, parent_id FROM org_unit_parents WHERE valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)),
         tree(id, depth, path) AS (
             SELECT id, 0, ARRAY[code] FROM live WHERE id = $1
             UNION ALL
             SELECT l.unit_id, t.depth + 1, t.path || u.code
             FROM tree t JOIN links l ON l.parent_id = t.id JOIN live u ON u.id = l.unit_id
             WHERE t.depth < 50)
         SELECT id, depth FROM tree ORDER BY path",
    )
    .bind::<SqlUuid, _>(root)
    .bind::<Date, _>(day)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.depth)).collect())
}

/// Stores a new unit.
pub async fn insert(conn: &mut AsyncPgConnection, row: &UnitRow) -> QueryResult<()> {
    diesel::insert_into(org_units::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Stores a new parent link.
pub async fn insert_link(conn: &mut AsyncPgConnection, link: &ParentLinkRow) -> QueryResult<()> {
    diesel::insert_into(org_unit_parents::table)
        .values(link)
        .execute(conn)
        .await
        .map(drop)
}

/// Locks a unit until the transaction ends (`NotFound` when unknown).
pub async fn lock_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Uuid> {
    org_units::table
        .find(id)
        .select(org_units::id)
        .for_update()
        .first(conn)
        .await
}

/// Changes to a unit; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = org_units)]
pub struct Changes {
    /// Code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind.
    pub unit_type: Option<UnitType>,
    /// New version.
    pub version: i32,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// Applies `changes` to a unit.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &Changes) -> QueryResult<()> {
    diesel::update(org_units::table.find(id))
        .set(changes)
        .execute(conn)
        .await
        .map(drop)
}

/// Bumps a unit's version.
pub async fn bump(conn: &mut AsyncPgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(org_units::table.find(id))
        .set((
            org_units::version.eq(org_units::version + 1),
            org_units::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Ends a unit's validity on `last_day`.
pub async fn set_valid_to(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    last_day: NaiveDate,
) -> QueryResult<()> {
    diesel::update(org_units::table.find(id))
        .set(org_units::valid_to.eq(last_day))
        .execute(conn)
        .await
        .map(drop)
}

/// How many parent links ever pointed at `unit`.
pub async fn count_children_ever(conn: &mut AsyncPgConnection, unit: Uuid) -> QueryResult<i64> {
    org_unit_parents::table
        .filter(org_unit_parents::parent_id.eq(unit))
        .count()
        .get_result(conn)
        .await
}

/// How many children stay attached to `unit` after `last_day`.
pub async fn count_children_after(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    last_day: NaiveDate,
) -> QueryResult<i64> {
    org_unit_parents::table
        .filter(org_unit_parents::parent_id.eq(unit))
        .filter(
            org_unit_parents::valid_to
                .is_null()
                .or(org_unit_parents::valid_to.gt(last_day)),
        )
        .count()
        .get_result(conn)
        .await
}

/// How many parent links of `unit` start after `day`.
pub async fn count_links_after(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    day: NaiveDate,
) -> QueryResult<i64> {
    org_unit_parents::table
        .filter(
            org_unit_parents::unit_id
                .eq(unit)
                .and(org_unit_parents::valid_from.gt(day)),
        )
        .count()
        .get_result(conn)
        .await
}

/// Ends the parent links of `unit` that reach beyond `last_day` (and began by then).
pub async fn end_links_after(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    last_day: NaiveDate,
) -> QueryResult<()> {
    diesel::update(
        org_unit_parents::table
            .filter(org_unit_parents::unit_id.eq(unit))
            .filter(org_unit_parents::valid_from.le(last_day))
            .filter(
                org_unit_parents::valid_to
                    .is_null()
                    .or(org_unit_parents::valid_to.gt(last_day)),
            ),
    )
    .set(org_unit_parents::valid_to.eq(last_day))
    .execute(conn)
    .await
    .map(drop)
}

/// Ends one parent link on `last_day` (`None`: open again).
pub async fn end_link(
    conn: &mut AsyncPgConnection,
    link: Uuid,
    last_day: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(org_unit_parents::table.find(link))
        .set(org_unit_parents::valid_to.eq(last_day))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes one parent link.
pub async fn delete_link(conn: &mut AsyncPgConnection, link: Uuid) -> QueryResult<()> {
    diesel::delete(org_unit_parents::table.find(link))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes every parent link of `unit`.
pub async fn delete_links_of(conn: &mut AsyncPgConnection, unit: Uuid) -> QueryResult<()> {
    diesel::delete(org_unit_parents::table.filter(org_unit_parents::unit_id.eq(unit)))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes a unit (a foreign-key error while anything refers to it).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(org_units::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}
