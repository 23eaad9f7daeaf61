//! Queries of supervision: obstacles raised on assignments and supervisors' opinions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::AssignmentPart;
use crate::db::models::{AssignmentRow, ObstacleRow, OpinionRow};
use crate::db::schema::{assignments, obstacles, opinions};
use crate::domain::progress::ObstacleState;

impl AssignmentPart for ObstacleRow {
    async fn fetch(conn: &mut AsyncPgConnection, id: Uuid, lock: bool) -> QueryResult<Self> {
        let q = obstacles::table.find(id).select(Self::as_select());
        if lock {
            q.for_update().first(conn).await
        } else {
            q.first(conn).await
        }
    }

    fn assignment_id(&self) -> Uuid {
        self.assignment_id
    }
}

/// The obstacles of an assignment, oldest first.
pub async fn obstacles_of(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Vec<ObstacleRow>> {
    obstacles::table
        .filter(obstacles::assignment_id.eq(assignment))
        .order(obstacles::id)
        .select(ObstacleRow::as_select())
        .load(conn)
        .await
}

/// Stores a new obstacle.
pub async fn insert_obstacle(conn: &mut AsyncPgConnection, row: &ObstacleRow) -> QueryResult<()> {
    diesel::insert_into(obstacles::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Records the answer to an obstacle.
pub async fn set_response(
    conn: &mut AsyncPgConnection,
    current: &ObstacleRow,
    state: ObstacleState,
    response: String,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<ObstacleRow> {
    diesel::update(obstacles::table.find(current.id))
        .set((
            obstacles::version.eq(current.version + 1),
            obstacles::state.eq(state),
            obstacles::response.eq(response),
            obstacles::responded_by.eq(by),
            obstacles::responded_at.eq(now),
        ))
        .returning(ObstacleRow::as_returning())
        .get_result(conn)
        .await
}

/// Records that an obstacle is resolved.
pub async fn set_resolved(
    conn: &mut AsyncPgConnection,
    current: &ObstacleRow,
    state: ObstacleState,
    note: String,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<ObstacleRow> {
    diesel::update(obstacles::table.find(current.id))
        .set((
            obstacles::version.eq(current.version + 1),
            obstacles::state.eq(state),
            obstacles::resolution_note.eq(note),
            obstacles::resolved_by.eq(by),
            obstacles::resolved_at.eq(now),
        ))
        .returning(ObstacleRow::as_returning())
        .get_result(conn)
        .await
}

/// Records that an obstacle is certified as an objective cause.
pub async fn set_certified(
    conn: &mut AsyncPgConnection,
    current: &ObstacleRow,
    note: String,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<ObstacleRow> {
    diesel::update(obstacles::table.find(current.id))
        .set((
            obstacles::version.eq(current.version + 1),
            obstacles::objective_cause.eq(true),
            obstacles::certification_note.eq(note),
            obstacles::certified_by.eq(by),
            obstacles::certified_at.eq(now),
        ))
        .returning(ObstacleRow::as_returning())
        .get_result(conn)
        .await
}

/// Records on the assignment that an objective cause was certified, and bumps its version.
pub async fn mark_objective_cause(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(assignments::table.find(a.id))
        .set((
            assignments::objective_cause.eq(true),
            assignments::version.eq(a.version + 1),
            assignments::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The opinions on an assignment, oldest first; with `until`, only those recorded by then.
pub async fn opinions_of(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    until: Option<DateTime<Utc>>,
) -> QueryResult<Vec<OpinionRow>> {
    let mut q = opinions::table
        .filter(opinions::assignment_id.eq(assignment))
        .order(opinions::id)
        .select(OpinionRow::as_select())
        .into_boxed();
    if let Some(at) = until {
        q = q.filter(opinions::created_at.le(at));
    }
    q.load(conn).await
}

/// Stores a new opinion.
pub async fn insert_opinion(conn: &mut AsyncPgConnection, row: &OpinionRow) -> QueryResult<()> {
    diesel::insert_into(opinions::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}
