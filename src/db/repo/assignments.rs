//! Queries of assignments and their frozen terms.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{AssignmentRow, TermsRow};
use crate::db::schema::{
    assignment_terms, assignments, org_group_members, progress_reports, rounds,
};
use crate::domain::progress::ReportState;
use crate::domain::round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
use crate::domain::workflow::AssignmentState;

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

/// What a list of assignments is narrowed to, besides the caller's scope.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only ids after this one (the cursor).
    pub after: Option<Uuid>,
    /// Only assignments of this round.
    pub round_id: Option<Uuid>,
    /// Only assignments of rounds of this year.
    pub year: Option<i32>,
    /// Only assignments to these units.
    pub assignee_units: Option<Vec<Uuid>>,
    /// Only assignments to members of this group.
    pub group_id: Option<Uuid>,
    /// Only this content area.
    pub content_area: Option<ContentArea>,
    /// Only this kind.
    pub kind: Option<AssignmentKind>,
    /// Only this state.
    pub state: Option<AssignmentState>,
    /// Only assignments carrying this flag.
    pub flag: Option<AssignmentFlag>,
    /// Only children of this assignment.
    pub parent_id: Option<Uuid>,
    /// Only assignments whose folded search text contains this (already folded) text.
    pub text: Option<String>,
}

/// A `LIKE` pattern matching `text` anywhere, with its wildcards and escape character escaped.
fn contains(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%");
    format!("%{}%", escaped.replace('_', "\\_"))
}

/// Up to `limit` assignments within `scope` matching `f`, ordered by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Box<dyn BoxableExpression<assignments::table, Pg, SqlType = Bool>>,
    f: Filter,
    limit: i64,
) -> QueryResult<Vec<AssignmentRow>> {
    let mut q = assignments::table
        .filter(scope)
        .select(AssignmentRow::as_select())
        .into_boxed()
        .keyset(assignments::id, f.after, limit);
    if let Some(round) = f.round_id {
        q = q.filter(assignments::round_id.eq(round));
    }
    if let Some(year) = f.year {
        let of_year = rounds::table
            .filter(rounds::year.eq(year))
            .select(rounds::id);
        q = q.filter(assignments::round_id.eq_any(of_year));
    }
    if let Some(units) = f.assignee_units {
        q = q.filter(assignments::assignee_unit_id.eq_any(units));
    }
    if let Some(group) = f.group_id {
        let members = org_group_members::table
            .filter(org_group_members::group_id.eq(group))
            .select(org_group_members::unit_id);
        q = q.filter(assignments::assignee_unit_id.eq_any(members));
    }
    if let Some(area) = f.content_area {
        q = q.filter(assignments::content_area.eq(area));
    }
    if let Some(kind) = f.kind {
        q = q.filter(assignments::kind.eq(kind));
    }
    if let Some(state) = f.state {
        q = q.filter(assignments::state.eq(state));
    }
    if let Some(flag) = f.flag {
        q = q.filter(assignments::flags.contains(vec![flag]));
    }
    if let Some(parent) = f.parent_id {
        q = q.filter(assignments::parent_id.eq(parent));
    }
    if let Some(text) = f.text {
        q = q.filter(assignments::search_text.like(contains(&text)));
    }
    q.load(conn).await
}

/// Stores a new assignment.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &AssignmentRow,
) -> QueryResult<AssignmentRow> {
    diesel::insert_into(assignments::table)
        .values(row)
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Replaces every column of an assignment with those of `row`.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    row: &AssignmentRow,
) -> QueryResult<AssignmentRow> {
    diesel::update(assignments::table.find(row.id))
        .set(row)
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Removes an assignment.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(assignments::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// Moves an assignment to `state`, recording `withdrawn_reason` when given, and bumps its
/// version.
pub async fn set_state(
    conn: &mut AsyncPgConnection,
    current: &AssignmentRow,
    state: AssignmentState,
    withdrawn_reason: Option<String>,
    now: DateTime<Utc>,
) -> QueryResult<AssignmentRow> {
    diesel::update(assignments::table.find(current.id))
        .set((
            assignments::state.eq(state),
            assignments::withdrawn_reason
                .eq(withdrawn_reason.or_else(|| current.withdrawn_reason.clone())),
            assignments::version.eq(current.version + 1),
            assignments::updated_at.eq(now),
        ))
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Every frozen version of an assignment's terms, oldest first.
pub async fn terms(conn: &mut AsyncPgConnection, assignment: Uuid) -> QueryResult<Vec<TermsRow>> {
    assignment_terms::table
        .filter(assignment_terms::assignment_id.eq(assignment))
        .order(assignment_terms::terms_version)
        .select(TermsRow::as_select())
        .load(conn)
        .await
}

/// The children of `parent` that are issued or later and not withdrawn, ordered by id.
pub async fn active_children(
    conn: &mut AsyncPgConnection,
    parent: Uuid,
) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::parent_id.eq(parent))
        .filter(assignments::state.ne_all(vec![AssignmentState::Draft, AssignmentState::Withdrawn]))
        .order(assignments::id)
        .select(AssignmentRow::as_select())
        .load(conn)
        .await
}

/// The latest actual value from an accepted progress report of each of `ids` that has one.
pub async fn latest_accepted_actuals(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, f64)>> {
    let rows: Vec<(Uuid, Option<f64>)> = progress_reports::table
        .filter(progress_reports::assignment_id.eq_any(ids))
        .filter(progress_reports::state.eq(ReportState::Accepted))
        .filter(progress_reports::actual_value.is_not_null())
        .distinct_on(progress_reports::assignment_id)
        .order((
            progress_reports::assignment_id,
            progress_reports::period_end.desc(),
        ))
        .select((
            progress_reports::assignment_id,
            progress_reports::actual_value,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, v)| v.map(|v| (id, v)))
        .collect())
}

/// Stores a version of an assignment's terms.
pub async fn insert_terms(conn: &mut AsyncPgConnection, row: &TermsRow) -> QueryResult<()> {
    diesel::insert_into(assignment_terms::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}
