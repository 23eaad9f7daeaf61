//! Queries of the level definitions of the organisation tree.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::LevelRow;
use crate::db::schema::org_levels;

/// Every level, by rank.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<LevelRow>> {
    org_levels::table
        .order(org_levels::rank)
        .select(LevelRow::as_select())
        .load(conn)
        .await
}

/// One level (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<LevelRow> {
    org_levels::table
        .find(id)
        .select(LevelRow::as_select())
        .first(conn)
        .await
}

/// One level, if it exists.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<LevelRow>> {
    get(conn, id).await.optional()
}

/// One level, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<LevelRow> {
    org_levels::table
        .find(id)
        .for_update()
        .select(LevelRow::as_select())
        .first(conn)
        .await
}

/// Stores a new level.
pub async fn insert(conn: &mut AsyncPgConnection, row: &LevelRow) -> QueryResult<LevelRow> {
    diesel::insert_into(org_levels::table)
        .values(row)
        .returning(LevelRow::as_returning())
        .get_result(conn)
        .await
}

/// Changes to a level; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = org_levels)]
pub struct Changes {
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// Rank.
    pub rank: Option<i32>,
}

/// Applies `changes` to a level and bumps its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    current: &LevelRow,
    changes: &Changes,
    now: DateTime<Utc>,
) -> QueryResult<LevelRow> {
    diesel::update(org_levels::table.find(current.id))
        .set((
            changes,
            org_levels::version.eq(current.version + 1),
            org_levels::updated_at.eq(now),
        ))
        .returning(LevelRow::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a level (a foreign-key error while units use it).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(org_levels::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}
