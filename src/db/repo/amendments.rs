//! Queries of amendments, and of the new terms an approved amendment gives its assignment.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::AssignmentPart;
use crate::db::models::{AmendmentRow, AssignmentRow};
use crate::db::schema::{amendments, assignments};
use crate::domain::workflow::{AmendmentState, AssignmentState};

/// The amendments of an assignment, oldest first.
pub async fn of_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Vec<AmendmentRow>> {
    amendments::table
        .filter(amendments::assignment_id.eq(assignment))
        .order(amendments::id)
        .select(AmendmentRow::as_select())
        .load(conn)
        .await
}

impl AssignmentPart for AmendmentRow {
    async fn fetch(conn: &mut AsyncPgConnection, id: Uuid, lock: bool) -> QueryResult<Self> {
        let q = amendments::table.find(id).select(Self::as_select());
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

/// Stores a new amendment (a unique violation when another one of the assignment is pending).
pub async fn insert(conn: &mut AsyncPgConnection, row: &AmendmentRow) -> QueryResult<()> {
    diesel::insert_into(amendments::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Records the decision on an amendment: its new state, who decided, the comment and the terms
/// version an approval made; bumps its version.
pub async fn set_decided(
    conn: &mut AsyncPgConnection,
    current: &AmendmentRow,
    state: AmendmentState,
    by: Uuid,
    comment: Option<String>,
    resulting_terms_version: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<AmendmentRow> {
    diesel::update(amendments::table.find(current.id))
        .set((
            amendments::state.eq(state),
            amendments::decided_by.eq(by),
            amendments::decided_at.eq(now),
            amendments::decision_comment.eq(comment),
            amendments::resulting_terms_version.eq(resulting_terms_version),
            amendments::version.eq(current.version + 1),
            amendments::updated_at.eq(now),
        ))
        .returning(AmendmentRow::as_returning())
        .get_result(conn)
        .await
}

/// What an approved amendment changes in its assignment.
pub struct Amended {
    /// The target (JSON), for a target change.
    pub target: Option<serde_json::Value>,
    /// The deadline.
    pub end_date: NaiveDate,
    /// The state.
    pub state: AssignmentState,
    /// Why it was withdrawn, for a withdrawal.
    pub withdrawn_reason: Option<String>,
    /// The new terms version.
    pub terms_version: i32,
    /// The new row version.
    pub version: i32,
}

/// Applies an approved amendment's changes to assignment `id`.
pub async fn amend_assignment(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    change: Amended,
    now: DateTime<Utc>,
) -> QueryResult<AssignmentRow> {
    diesel::update(assignments::table.find(id))
        .set((
            assignments::target.eq(change.target),
            assignments::end_date.eq(change.end_date),
            assignments::state.eq(change.state),
            assignments::withdrawn_reason.eq(change.withdrawn_reason),
            assignments::terms_version.eq(change.terms_version),
            assignments::version.eq(change.version),
            assignments::updated_at.eq(now),
        ))
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await
}
