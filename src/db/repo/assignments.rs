//! Queries of assignments.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::AssignmentRow;
use crate::db::schema::assignments;

/// One assignment (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<AssignmentRow> {
    assignments::table
        .find(id)
        .select(AssignmentRow::as_select())
        .first(conn)
        .await
}

/// One assignment, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<AssignmentRow> {
    assignments::table
        .find(id)
        .select(AssignmentRow::as_select())
        .for_update()
        .first(conn)
        .await
}
