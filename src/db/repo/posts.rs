//! Queries of posts (a cadre's post in a unit for a period).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::PostRow;
use crate::db::schema::{cadres, posts};
use crate::domain::vocab::PostKind;

/// The filter a policy puts on every list of posts.
pub type Scope = Box<dyn BoxableExpression<posts::table, Pg, SqlType = Bool>>;

/// One post with its cadre's full name (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<(PostRow, String)> {
    posts::table
        .inner_join(cadres::table)
        .filter(posts::id.eq(id))
        .select((PostRow::as_select(), cadres::full_name))
        .first(conn)
        .await
}

/// Locks a post until the transaction ends and returns its unit (`NotFound` when unknown).
pub async fn lock_unit(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Uuid> {
    posts::table
        .find(id)
        .select(posts::unit_id)
        .for_update()
        .first(conn)
        .await
}

/// Every post a cadre has held, oldest first, with the cadre's name.
pub async fn of_cadre(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
) -> QueryResult<Vec<(PostRow, String)>> {
    posts::table
        .inner_join(cadres::table)
        .filter(posts::cadre_id.eq(cadre))
        .select((PostRow::as_select(), cadres::full_name))
        .order((posts::valid_from, posts::id))
        .load(conn)
        .await
}

/// The posts of `unit` still open after `last_day`.
pub async fn open_after(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    last_day: NaiveDate,
) -> QueryResult<Vec<PostRow>> {
    posts::table
        .filter(posts::unit_id.eq(unit))
        .filter(posts::valid_to.is_null().or(posts::valid_to.gt(last_day)))
        .select(PostRow::as_select())
        .load(conn)
        .await
}

/// Filters of the post list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only posts begun by this day.
    pub begun_by: Option<NaiveDate>,
    /// Only posts still held on this day.
    pub held_on: Option<NaiveDate>,
    /// Only posts in this unit.
    pub unit_id: Option<Uuid>,
    /// Only posts of this cadre.
    pub cadre_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<PostKind>,
    /// Only ids after this cursor.
    pub after: Option<Uuid>,
    /// At most this many rows.
    pub limit: i64,
}

/// Posts in `scope` matching `f`, by id, with their cadre's name.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    f: &ListFilter,
) -> QueryResult<Vec<(PostRow, String)>> {
    let in_scope = posts::table.filter(scope).select(posts::id).into_boxed();
    let mut q = posts::table
        .inner_join(cadres::table)
        .filter(posts::id.eq_any(in_scope))
        .select((PostRow::as_select(), cadres::full_name))
        .into_boxed()
        .keyset(posts::id, f.after, f.limit);
    if let Some(day) = f.begun_by {
        q = q.filter(posts::valid_from.le(day));
    }
    if let Some(day) = f.held_on {
        q = q.filter(posts::valid_to.is_null().or(posts::valid_to.ge(day)));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(posts::unit_id.eq(unit));
    }
    if let Some(cadre) = f.cadre_id {
        q = q.filter(posts::cadre_id.eq(cadre));
    }
    if let Some(kind) = f.kind {
        q = q.filter(posts::kind.eq(kind));
    }
    q.load(conn).await
}

/// Stores a new post.
pub async fn insert(conn: &mut AsyncPgConnection, row: &PostRow) -> QueryResult<()> {
    diesel::insert_into(posts::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Changes to a post; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = posts)]
pub struct Changes {
    /// Title.
    pub title: Option<String>,
    /// Acting capacity.
    pub acting: Option<bool>,
}

/// Applies `changes` to a post and bumps its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i32,
    changes: &Changes,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(posts::table.find(id))
        .set((
            changes,
            posts::version.eq(version + 1),
            posts::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Ends a post on `last_day` for `reason` and bumps its version.
pub async fn end(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i32,
    last_day: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(posts::table.find(id))
        .set((
            posts::valid_to.eq(last_day),
            posts::end_reason.eq(reason),
            posts::version.eq(version + 1),
            posts::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}
