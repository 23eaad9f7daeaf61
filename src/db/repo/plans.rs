//! Queries of implementation plans.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::PlanRow;
use crate::db::schema::plans;
use crate::domain::workflow::PlanState;

/// The plan of an assignment, if written.
pub async fn of_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Option<PlanRow>> {
    plans::table
        .filter(plans::assignment_id.eq(assignment))
        .select(PlanRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The plan of an assignment, locked until the transaction ends.
pub async fn lock_of_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Option<PlanRow>> {
    plans::table
        .filter(plans::assignment_id.eq(assignment))
        .select(PlanRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Stores a new plan.
pub async fn insert(conn: &mut AsyncPgConnection, row: &PlanRow) -> QueryResult<()> {
    diesel::insert_into(plans::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// New content of a plan.
pub struct Content {
    /// State after the change.
    pub state: PlanState,
    /// Concrete solutions.
    pub solutions: String,
    /// General objective.
    pub general_objective: String,
    /// Specific objectives (JSON array).
    pub specific_objectives: serde_json::Value,
    /// Roadmap (JSON array).
    pub roadmap: serde_json::Value,
    /// Revision.
    pub revision: i32,
}

/// Replaces a plan's content and bumps its version.
pub async fn update_content(
    conn: &mut AsyncPgConnection,
    current: &PlanRow,
    content: Content,
    now: DateTime<Utc>,
) -> QueryResult<PlanRow> {
    diesel::update(plans::table.find(current.id))
        .set((
            plans::state.eq(content.state),
            plans::solutions.eq(content.solutions),
            plans::general_objective.eq(content.general_objective),
            plans::specific_objectives.eq(content.specific_objectives),
            plans::roadmap.eq(content.roadmap),
            plans::revision.eq(content.revision),
            plans::version.eq(current.version + 1),
            plans::updated_at.eq(now),
        ))
        .returning(PlanRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a plan submitted by `by`.
pub async fn set_submitted(
    conn: &mut AsyncPgConnection,
    current: &PlanRow,
    state: PlanState,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<PlanRow> {
    diesel::update(plans::table.find(current.id))
        .set((
            plans::state.eq(state),
            plans::submitted_at.eq(now),
            plans::submitted_by.eq(by),
            plans::version.eq(current.version + 1),
            plans::updated_at.eq(now),
        ))
        .returning(PlanRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a plan reviewed (approved or returned) by `by`, with the reviewer's comment.
pub async fn set_reviewed(
    conn: &mut AsyncPgConnection,
    current: &PlanRow,
    state: PlanState,
    by: Uuid,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> QueryResult<PlanRow> {
    diesel::update(plans::table.find(current.id))
        .set((
            plans::state.eq(state),
            plans::reviewed_at.eq(now),
            plans::reviewed_by.eq(by),
            plans::review_comment.eq(comment),
            plans::version.eq(current.version + 1),
            plans::updated_at.eq(now),
        ))
        .returning(PlanRow::as_returning())
        .get_result(conn)
        .await
}
