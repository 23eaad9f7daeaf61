//! Queries of groups of units and their members.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::GroupRow;
use crate::db::schema::{org_group_members, org_groups};

/// The filter a policy puts on every list of groups.
pub type Scope = Box<dyn BoxableExpression<org_groups::table, Pg, SqlType = Bool>>;

/// One group (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<GroupRow> {
    org_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(conn)
        .await
}

/// One group, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<GroupRow> {
    org_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// The member units of a group.
pub async fn members(conn: &mut AsyncPgConnection, group: Uuid) -> QueryResult<Vec<Uuid>> {
    org_group_members::table
        .filter(org_group_members::group_id.eq(group))
        .select(org_group_members::unit_id)
        .load(conn)
        .await
}

/// The (group, member unit) pairs of some groups.
pub async fn members_of(
    conn: &mut AsyncPgConnection,
    groups: &[Uuid],
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    org_group_members::table
        .filter(org_group_members::group_id.eq_any(groups))
        .select((org_group_members::group_id, org_group_members::unit_id))
        .load(conn)
        .await
}

/// The groups of similar units `unit` belongs to in `year`.
pub async fn of_unit_in_year(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    year: i32,
) -> QueryResult<Vec<Uuid>> {
    org_group_members::table
        .inner_join(org_groups::table)
        .filter(org_group_members::unit_id.eq(unit))
        .filter(org_groups::year.eq(year))
        .select(org_groups::id)
        .load(conn)
        .await
}

/// Filters of the group list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only groups of this owner.
    pub owner_unit_id: Option<Uuid>,
    /// Only groups of this year.
    pub year: Option<i32>,
    /// Only groups with this member.
    pub member_id: Option<Uuid>,
    /// Only ids after this cursor.
    pub after: Option<Uuid>,
    /// At most this many rows.
    pub limit: i64,
}

/// Groups in `scope` matching `f`, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    f: &ListFilter,
) -> QueryResult<Vec<GroupRow>> {
    let mut q = org_groups::table
        .filter(scope)
        .select(GroupRow::as_select())
        .into_boxed()
        .keyset(org_groups::id, f.after, f.limit);
    if let Some(owner) = f.owner_unit_id {
        q = q.filter(org_groups::owner_unit_id.eq(owner));
    }
    if let Some(year) = f.year {
        q = q.filter(org_groups::year.eq(year));
    }
    if let Some(member) = f.member_id {
        let containing = org_group_members::table
            .filter(org_group_members::unit_id.eq(member))
            .select(org_group_members::group_id);
        q = q.filter(org_groups::id.eq_any(containing));
    }
    q.load(conn).await
}

/// Stores a new group.
pub async fn insert(conn: &mut AsyncPgConnection, row: &GroupRow) -> QueryResult<GroupRow> {
    diesel::insert_into(org_groups::table)
        .values(row)
        .returning(GroupRow::as_returning())
        .get_result(conn)
        .await
}

/// Adds member units to a group.
pub async fn add_members(
    conn: &mut AsyncPgConnection,
    group: Uuid,
    units: &[Uuid],
) -> QueryResult<()> {
    if units.is_empty() {
        return Ok(());
    }
    let links: Vec<_> = units
        .iter()
        .map(|u| {
            (
                org_group_members::group_id.eq(group),
                org_group_members::unit_id.eq(*u),
            )
        })
        .collect();
    diesel::insert_into(org_group_members::table)
        .values(&links)
        .execute(conn)
        .await
        .map(drop)
}

/// Removes a member unit; how many rows went (0 when it was not a member).
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    group: Uuid,
    unit: Uuid,
) -> QueryResult<usize> {
    diesel::delete(
        org_group_members::table
            .filter(org_group_members::group_id.eq(group))
            .filter(org_group_members::unit_id.eq(unit)),
    )
    .execute(conn)
    .await
}

/// Changes to a group; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = org_groups)]
pub struct Changes {
    /// Code.
    pub code: Option<String>,
    /// Vietnamese label.
    pub label_vi: Option<String>,
    /// English label.
    pub label_en: Option<String>,
}

/// Applies `changes` to a group and bumps its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    current: &GroupRow,
    changes: &Changes,
    now: DateTime<Utc>,
) -> QueryResult<GroupRow> {
    diesel::update(org_groups::table.find(current.id))
        .set((
            changes,
            org_groups::version.eq(current.version + 1),
            org_groups::updated_at.eq(now),
        ))
        .returning(GroupRow::as_returning())
        .get_result(conn)
        .await
}

/// Bumps a group's version (its members changed).
pub async fn touch(
    conn: &mut AsyncPgConnection,
    current: &GroupRow,
    now: DateTime<Utc>,
) -> QueryResult<GroupRow> {
    diesel::update(org_groups::table.find(current.id))
        .set((
            org_groups::version.eq(current.version + 1),
            org_groups::updated_at.eq(now),
        ))
        .returning(GroupRow::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a group and its member list.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(org_group_members::table.filter(org_group_members::group_id.eq(id)))
        .execute(conn)
        .await?;
    diesel::delete(org_groups::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}
