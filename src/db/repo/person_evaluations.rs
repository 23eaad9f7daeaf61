//! Queries of people's and collectives' evaluations, and of the assignments they answered for.

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::{AssignmentRow, EvaluationRow, PersonEvaluationRow};
use crate::db::schema::{
    assignment_accountables, assignments, evaluations, org_group_members, org_groups,
    person_evaluations, posts, rounds,
};
use crate::domain::grading::Grade;
use crate::domain::workflow::{AssignmentState, EvaluationState};

/// A filter of person evaluations (a boxed diesel predicate).
pub type Scope = Box<dyn BoxableExpression<person_evaluations::table, Pg, SqlType = Bool>>;

/// Stores a new evaluation.
pub async fn insert(conn: &mut AsyncPgConnection, row: &PersonEvaluationRow) -> QueryResult<()> {
    diesel::insert_into(person_evaluations::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Writes every column of `row` but its id and returns it as stored.
pub async fn update(
    conn: &mut AsyncPgConnection,
    row: &PersonEvaluationRow,
) -> QueryResult<PersonEvaluationRow> {
    diesel::update(person_evaluations::table.find(row.id))
        .set(row)
        .returning(PersonEvaluationRow::as_returning())
        .get_result(conn)
        .await
}

/// Evaluation `id`, locked for a change when `lock`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lock: bool,
) -> QueryResult<Option<PersonEvaluationRow>> {
    let q = person_evaluations::table
        .find(id)
        .select(PersonEvaluationRow::as_select());
    if lock {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

/// Whether the subject already has a standing evaluation of `period` by `unit`.
pub async fn standing_exists(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    cadre: Option<Uuid>,
    collective: Option<Uuid>,
    period: &str,
) -> QueryResult<bool> {
    let mut q = person_evaluations::table
        .filter(person_evaluations::evaluating_unit_id.eq(unit))
        .filter(person_evaluations::period_code.eq(period))
        .filter(person_evaluations::state.ne(EvaluationState::Overridden))
        .into_boxed();
    q = match (cadre, collective) {
        (Some(c), _) => q.filter(person_evaluations::cadre_id.eq(c)),
        (None, Some(u)) => q.filter(person_evaluations::collective_unit_id.eq(u)),
        (None, None) => return Ok(false),
    };
    diesel::select(diesel::dsl::exists(q.select(person_evaluations::id)))
        .get_result(conn)
        .await
}

/// Filters of a list of person evaluations.
#[derive(Debug, Clone)]
pub struct ListFilter {
    /// The evaluating unit.
    pub evaluating_unit_id: Option<Uuid>,
    /// The period.
    pub period: Option<String>,
    /// Only this cadre's.
    pub cadre_id: Option<Uuid>,
    /// Only this quota group's.
    pub group_id: Option<Uuid>,
}

/// A page of the evaluations `readable` allows, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ListFilter,
    readable: Scope,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<PersonEvaluationRow>> {
    let mut q = person_evaluations::table
        .filter(readable)
        .select(PersonEvaluationRow::as_select())
        .into_boxed();
    if let Some(u) = filter.evaluating_unit_id {
        q = q.filter(person_evaluations::evaluating_unit_id.eq(u));
    }
    if let Some(p) = &filter.period {
        q = q.filter(person_evaluations::period_code.eq(p.clone()));
    }
    if let Some(c) = filter.cadre_id {
        q = q.filter(person_evaluations::cadre_id.eq(c));
    }
    if let Some(g) = filter.group_id {
        q = q.filter(person_evaluations::group_id.eq(g));
    }
    q.keyset(person_evaluations::id, after, limit)
        .load(conn)
        .await
}

/// The proposed and decided grades of the other standing evaluations of `group` and `period`.
pub async fn standings(
    conn: &mut AsyncPgConnection,
    group: Uuid,
    period: &str,
    except: Uuid,
) -> QueryResult<Vec<(Option<Grade>, Option<Grade>)>> {
    person_evaluations::table
        .filter(person_evaluations::group_id.eq(group))
        .filter(person_evaluations::period_code.eq(period))
        .filter(person_evaluations::state.ne(EvaluationState::Overridden))
        .filter(person_evaluations::id.ne(except))
        .select((
            person_evaluations::appraised_grade,
            person_evaluations::decided_grade,
        ))
        .load(conn)
        .await
}

/// The units where `cadre` held a post at some time between `from` and `to`.
pub async fn units_held(
    conn: &mut AsyncPgConnection,
    cadre: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Uuid>> {
    posts::table
        .filter(posts::cadre_id.eq(cadre))
        .filter(posts::valid_from.le(to))
        .filter(posts::valid_to.is_null().or(posts::valid_to.ge(from)))
        .select(posts::unit_id)
        .distinct()
        .load(conn)
        .await
}

/// The live assignments of rounds of `unit` in `years` that are assigned to one of `units` or
/// name a position in one of them, by id.
pub async fn answered_in(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    years: (i32, i32),
    units: &[Uuid],
) -> QueryResult<Vec<AssignmentRow>> {
    let named = assignment_accountables::table
        .filter(assignment_accountables::unit_id.eq_any(units.to_vec()))
        .select(assignment_accountables::assignment_id);
    assignments::table
        .inner_join(rounds::table.on(rounds::id.eq(assignments::round_id)))
        .filter(rounds::assigning_unit_id.eq(unit))
        .filter(rounds::year.between(years.0, years.1))
        .filter(assignments::state.ne_all([AssignmentState::Draft, AssignmentState::Withdrawn]))
        .filter(
            assignments::assignee_unit_id
                .eq_any(units.to_vec())
                .or(assignments::id.eq_any(named)),
        )
        .order(assignments::id)
        .select(AssignmentRow::as_select())
        .load(conn)
        .await
}

/// The standing decided evaluations of `period` of `assignments`.
pub async fn decided_of(
    conn: &mut AsyncPgConnection,
    assignments: &[Uuid],
    period: &str,
) -> QueryResult<Vec<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::assignment_id.eq_any(assignments))
        .filter(evaluations::period_code.eq(period))
        .filter(evaluations::state.eq(EvaluationState::Decided))
        .select(EvaluationRow::as_select())
        .load(conn)
        .await
}

/// The first group of `owner`'s groups of `year` that has one of `units` as a member.
pub async fn group_of(
    conn: &mut AsyncPgConnection,
    owner: Uuid,
    year: i32,
    units: &[Uuid],
) -> QueryResult<Option<Uuid>> {
    org_group_members::table
        .inner_join(org_groups::table)
        .filter(org_groups::owner_unit_id.eq(owner))
        .filter(org_groups::year.eq(year))
        .filter(org_group_members::unit_id.eq_any(units))
        .order(org_groups::id)
        .select(org_groups::id)
        .first(conn)
        .await
        .optional()
}
