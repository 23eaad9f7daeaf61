//! Queries of rounds: the round, its per-group rules, the decisions handed to assignees when it
//! is issued, its spot checks, and the assignment queries the round's use cases need (the
//! planned assignments, the drafts it issues, the active ones a spot check draws from).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{AssignmentRow, DecisionRow, GroupRuleRow, RoundRow, SpotCheckRow};
use crate::db::schema::{
    assignment_decisions, assignments, org_groups, round_group_rules, rounds, spot_checks,
};
use crate::domain::periods::Cadence;
use crate::domain::workflow::{AssignmentState, RoundState};

/// One round (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RoundRow> {
    rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .await
}

/// One round, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RoundRow> {
    rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// The per-group rules of a round, by group id.
pub async fn rules(conn: &mut AsyncPgConnection, round: Uuid) -> QueryResult<Vec<GroupRuleRow>> {
    round_group_rules::table
        .filter(round_group_rules::round_id.eq(round))
        .order(round_group_rules::group_id)
        .select(GroupRuleRow::as_select())
        .load(conn)
        .await
}

/// The per-group rules of several rounds, by group id.
pub async fn rules_of(
    conn: &mut AsyncPgConnection,
    rounds: &[Uuid],
) -> QueryResult<Vec<GroupRuleRow>> {
    round_group_rules::table
        .filter(round_group_rules::round_id.eq_any(rounds))
        .order(round_group_rules::group_id)
        .select(GroupRuleRow::as_select())
        .load(conn)
        .await
}

/// Filters of the round list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only rounds of this assigning unit.
    pub assigning_unit_id: Option<Uuid>,
    /// Only rounds of this year.
    pub year: Option<i32>,
    /// Only rounds in this state.
    pub state: Option<RoundState>,
}

/// A page of rounds matching `scope` and `filter`, by id, after `after`, at most `limit` rows.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Box<dyn BoxableExpression<rounds::table, Pg, SqlType = Bool>>,
    filter: &ListFilter,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<RoundRow>> {
    let mut q = rounds::table
        .filter(scope)
        .select(RoundRow::as_select())
        .into_boxed()
        .keyset(rounds::id, after, limit);
    if let Some(unit) = filter.assigning_unit_id {
        q = q.filter(rounds::assigning_unit_id.eq(unit));
    }
    if let Some(year) = filter.year {
        q = q.filter(rounds::year.eq(year));
    }
    if let Some(s) = filter.state {
        q = q.filter(rounds::state.eq(s));
    }
    q.load(conn).await
}

/// Whether the round has issued (non-draft) assignments to one of `units`.
pub async fn issued_to_any(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    units: &[Uuid],
) -> QueryResult<bool> {
    let n: i64 = assignments::table
        .filter(assignments::round_id.eq(round))
        .filter(assignments::state.ne(AssignmentState::Draft))
        .filter(assignments::assignee_unit_id.eq_any(units))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// Stores a new round.
pub async fn insert(conn: &mut AsyncPgConnection, row: &RoundRow) -> QueryResult<()> {
    diesel::insert_into(rounds::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces every per-group rule of a round.
pub async fn replace_rules(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    rules: &[GroupRuleRow],
) -> QueryResult<()> {
    delete_rules(conn, round).await?;
    if !rules.is_empty() {
        diesel::insert_into(round_group_rules::table)
            .values(rules)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Removes every per-group rule of a round.
pub async fn delete_rules(conn: &mut AsyncPgConnection, round: Uuid) -> QueryResult<()> {
    diesel::delete(round_group_rules::table.filter(round_group_rules::round_id.eq(round)))
        .execute(conn)
        .await
        .map(drop)
}

/// Removes a round (a foreign key refuses it while something still refers to it).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::delete(rounds::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// Changes to a draft round; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = rounds)]
pub struct Changes {
    /// Congress term.
    pub term_label: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Number and symbol of the decision.
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// Title of the signer's post.
    pub signer_title: Option<String>,
    /// Name of the signer.
    pub signer_name: Option<String>,
    /// How often heads report progress.
    pub reporting_cadence: Option<Cadence>,
    /// Days after each period's cut-off that a report is due.
    pub report_due_days: Option<i32>,
    /// Whether assignments are also evaluated per quarter.
    pub quarterly_evaluation: Option<bool>,
}

/// Applies `changes` to a round and bumps its version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    current: &RoundRow,
    changes: &Changes,
    now: DateTime<Utc>,
) -> QueryResult<RoundRow> {
    diesel::update(rounds::table.find(current.id))
        .set((
            changes,
            rounds::version.eq(current.version + 1),
            rounds::updated_at.eq(now),
        ))
        .returning(RoundRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a round issued by `by`, with the override and the rules it broke, if any.
pub async fn set_issued(
    conn: &mut AsyncPgConnection,
    current: &RoundRow,
    state: RoundState,
    by: Uuid,
    override_reason: Option<String>,
    override_breaches: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> QueryResult<RoundRow> {
    diesel::update(rounds::table.find(current.id))
        .set((
            rounds::state.eq(state),
            rounds::issued_at.eq(now),
            rounds::issued_by.eq(by),
            rounds::override_reason.eq(override_reason),
            rounds::override_breaches.eq(override_breaches),
            rounds::version.eq(current.version + 1),
            rounds::updated_at.eq(now),
        ))
        .returning(RoundRow::as_returning())
        .get_result(conn)
        .await
}

/// Marks a round closed.
pub async fn set_closed(
    conn: &mut AsyncPgConnection,
    current: &RoundRow,
    state: RoundState,
    now: DateTime<Utc>,
) -> QueryResult<RoundRow> {
    diesel::update(rounds::table.find(current.id))
        .set((
            rounds::state.eq(state),
            rounds::closed_at.eq(now),
            rounds::version.eq(current.version + 1),
            rounds::updated_at.eq(now),
        ))
        .returning(RoundRow::as_returning())
        .get_result(conn)
        .await
}

/// The unit owning a group, if the group exists.
pub async fn group_owner(conn: &mut AsyncPgConnection, group: Uuid) -> QueryResult<Option<Uuid>> {
    org_groups::table
        .find(group)
        .select(org_groups::owner_unit_id)
        .first(conn)
        .await
        .optional()
}

/// A group's code and its member units (`NotFound` when the group is unknown).
pub async fn group_with_members(
    conn: &mut AsyncPgConnection,
    group: Uuid,
) -> QueryResult<(String, Vec<Uuid>)> {
    let code: String = org_groups::table
        .find(group)
        .select(org_groups::code)
        .first(conn)
        .await?;
    let members = super::groups::members(conn, group).await?;
    Ok((code, members))
}

/// The round's assignments that are not withdrawn.
pub async fn planned_assignments(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::round_id.eq(round))
        .filter(assignments::state.ne(AssignmentState::Withdrawn))
        .select(AssignmentRow::as_select())
        .load(conn)
        .await
}

/// The round's draft assignments, by id, locked until the transaction ends.
pub async fn lock_draft_assignments(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::round_id.eq(round))
        .filter(assignments::state.eq(AssignmentState::Draft))
        .order(assignments::id)
        .select(AssignmentRow::as_select())
        .for_update()
        .load(conn)
        .await
}

/// Moves an assignment to `state` on terms version `terms_version` and bumps its version.
pub async fn set_assignment_issued(
    conn: &mut AsyncPgConnection,
    current: &AssignmentRow,
    state: AssignmentState,
    terms_version: i32,
    now: DateTime<Utc>,
) -> QueryResult<AssignmentRow> {
    diesel::update(assignments::table.find(current.id))
        .set((
            assignments::state.eq(state),
            assignments::terms_version.eq(terms_version),
            assignments::version.eq(current.version + 1),
            assignments::updated_at.eq(now),
        ))
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Stores the decision handed to one assignee.
pub async fn insert_decision(conn: &mut AsyncPgConnection, row: &DecisionRow) -> QueryResult<()> {
    diesel::insert_into(assignment_decisions::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// A page of decisions matching `scope`, by id, after `after`, at most `limit` rows.
pub async fn decisions(
    conn: &mut AsyncPgConnection,
    scope: Box<dyn BoxableExpression<assignment_decisions::table, Pg, SqlType = Bool>>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<DecisionRow>> {
    assignment_decisions::table
        .filter(scope)
        .select(DecisionRow::as_select())
        .into_boxed()
        .keyset(assignment_decisions::id, after, limit)
        .load(conn)
        .await
}

/// The ids of the round's issued, committed or in-progress assignments, by id.
pub async fn active_assignment_ids(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<Vec<Uuid>> {
    assignments::table
        .filter(assignments::round_id.eq(round))
        .filter(assignments::state.eq_any([
            AssignmentState::Issued,
            AssignmentState::Committed,
            AssignmentState::InProgress,
        ]))
        .order(assignments::id)
        .select(assignments::id)
        .load(conn)
        .await
}

/// Stores a spot-check draw.
pub async fn insert_spot_check(
    conn: &mut AsyncPgConnection,
    row: &SpotCheckRow,
) -> QueryResult<()> {
    diesel::insert_into(spot_checks::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Every spot-check draw of a round, oldest first.
pub async fn spot_checks(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<Vec<SpotCheckRow>> {
    spot_checks::table
        .filter(spot_checks::round_id.eq(round))
        .order(spot_checks::id)
        .select(SpotCheckRow::as_select())
        .load(conn)
        .await
}
