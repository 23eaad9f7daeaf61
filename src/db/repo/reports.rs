//! Queries of progress reports and their history.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::AssignmentPart;
use crate::db::models::{ReportHistoryRow, ReportRow};
use crate::db::schema::{progress_report_history as history, progress_reports, rounds};
use crate::domain::periods::Cadence;
use crate::domain::progress::ReportState;

impl AssignmentPart for ReportRow {
    async fn fetch(conn: &mut AsyncPgConnection, id: Uuid, lock: bool) -> QueryResult<Self> {
        let q = progress_reports::table.find(id).select(Self::as_select());
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

/// The assignment a report belongs to, if the report exists.
pub async fn assignment_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    progress_reports::table
        .find(id)
        .select(progress_reports::assignment_id)
        .first(conn)
        .await
        .optional()
}

/// The reports of an assignment, by the end of their period.
pub async fn of_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Vec<ReportRow>> {
    progress_reports::table
        .filter(progress_reports::assignment_id.eq(assignment))
        .order(progress_reports::period_end)
        .select(ReportRow::as_select())
        .load(conn)
        .await
}

/// The report of an assignment for a period, locked until the transaction ends.
pub async fn lock_of_period(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    period_code: &str,
) -> QueryResult<Option<ReportRow>> {
    progress_reports::table
        .filter(progress_reports::assignment_id.eq(assignment))
        .filter(progress_reports::period_code.eq(period_code))
        .select(ReportRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The content of the assignment's latest report of a period ending before `before`.
pub async fn previous_content(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    before: NaiveDate,
) -> QueryResult<Option<serde_json::Value>> {
    progress_reports::table
        .filter(progress_reports::assignment_id.eq(assignment))
        .filter(progress_reports::period_end.lt(before))
        .order(progress_reports::period_end.desc())
        .select(progress_reports::content)
        .first(conn)
        .await
        .optional()
}

/// The reporting cadence and due days of a round.
pub async fn cadence_of_round(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<(Cadence, i32)> {
    rounds::table
        .find(round)
        .select((rounds::reporting_cadence, rounds::report_due_days))
        .first(conn)
        .await
}

/// Stores a new report.
pub async fn insert(conn: &mut AsyncPgConnection, row: &ReportRow) -> QueryResult<ReportRow> {
    diesel::insert_into(progress_reports::table)
        .values(row)
        .returning(ReportRow::as_returning())
        .get_result(conn)
        .await
}

/// New content of a report.
pub struct Content {
    /// State after the change.
    pub state: ReportState,
    /// Revision after the change.
    pub revision: i32,
    /// The content (JSON object).
    pub content: serde_json::Value,
    /// The target's actual value.
    pub actual_value: Option<f64>,
}

/// Replaces a report's content and bumps its version.
pub async fn update_content(
    conn: &mut AsyncPgConnection,
    current: &ReportRow,
    content: Content,
    now: DateTime<Utc>,
) -> QueryResult<ReportRow> {
    diesel::update(progress_reports::table.find(current.id))
        .set((
            progress_reports::state.eq(content.state),
            progress_reports::revision.eq(content.revision),
            progress_reports::content.eq(content.content),
            progress_reports::actual_value.eq(content.actual_value),
            progress_reports::version.eq(current.version + 1),
            progress_reports::updated_at.eq(now),
        ))
        .returning(ReportRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a report submitted (the first submission is kept).
pub async fn set_submitted(
    conn: &mut AsyncPgConnection,
    current: &ReportRow,
    state: ReportState,
    now: DateTime<Utc>,
) -> QueryResult<ReportRow> {
    diesel::update(progress_reports::table.find(current.id))
        .set((
            progress_reports::state.eq(state),
            progress_reports::first_submitted_at.eq(current.first_submitted_at.unwrap_or(now)),
            progress_reports::submitted_at.eq(now),
            progress_reports::version.eq(current.version + 1),
            progress_reports::updated_at.eq(now),
        ))
        .returning(ReportRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a report reviewed (accepted or returned) by `by`, with the reviewer's comment.
pub async fn set_reviewed(
    conn: &mut AsyncPgConnection,
    current: &ReportRow,
    state: ReportState,
    by: Uuid,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> QueryResult<ReportRow> {
    diesel::update(progress_reports::table.find(current.id))
        .set((
            progress_reports::state.eq(state),
            progress_reports::reviewed_at.eq(now),
            progress_reports::reviewed_by.eq(by),
            progress_reports::review_comment.eq(comment),
            progress_reports::version.eq(current.version + 1),
            progress_reports::updated_at.eq(now),
        ))
        .returning(ReportRow::as_returning())
        .get_result(conn)
        .await
}

/// Appends the report's current state to its history, as recorded by `by`.
pub async fn remember(conn: &mut AsyncPgConnection, r: &ReportRow, by: Uuid) -> QueryResult<()> {
    diesel::insert_into(history::table)
        .values((
            history::report_id.eq(r.id),
            history::revision.eq(r.revision),
            history::state.eq(r.state),
            history::content.eq(&r.content),
            history::actual_value.eq(r.actual_value),
            history::review_comment.eq(&r.review_comment),
            history::recorded_at.eq(r.updated_at),
            history::recorded_by.eq(by),
            history::occurred_at.eq(r.updated_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Records that report `r` reached `state` at `occurred_at`, entered now from the paper
/// `document`.
pub async fn remember_past(
    conn: &mut AsyncPgConnection,
    r: &ReportRow,
    state: ReportState,
    by: Uuid,
    occurred_at: DateTime<Utc>,
    document: &str,
) -> QueryResult<()> {
    diesel::insert_into(history::table)
        .values((
            history::report_id.eq(r.id),
            history::revision.eq(r.revision),
            history::state.eq(state),
            history::content.eq(&r.content),
            history::actual_value.eq(r.actual_value),
            history::recorded_at.eq(r.updated_at),
            history::recorded_by.eq(by),
            history::occurred_at.eq(occurred_at),
            history::source_document.eq(document),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The states of a report in the order they happened; with `until`, only those that had
/// happened by then (a state entered from paper counts from the day it happened).
pub async fn history(
    conn: &mut AsyncPgConnection,
    report: Uuid,
    until: Option<DateTime<Utc>>,
) -> QueryResult<Vec<ReportHistoryRow>> {
    let mut q = history::table
        .filter(history::report_id.eq(report))
        .order((history::occurred_at, history::id))
        .select(ReportHistoryRow::as_select())
        .into_boxed();
    if let Some(at) = until {
        q = q.filter(history::occurred_at.le(at));
    }
    q.load(conn).await
}
