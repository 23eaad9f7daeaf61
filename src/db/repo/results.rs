//! Queries of the results reports (what was known of each covered assignment at a moment) and
//! of the publication of a round's results.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::PublicationRow;
use crate::db::schema::{
    accounts, assignments, cadres, evaluation_attributions, evaluations, observations,
    org_group_members, org_groups, org_units, progress_report_history, progress_reports, rounds,
};
use crate::domain::feed::Provenance;
use crate::domain::grading::Grade;
use crate::domain::progress::ReportState;
use crate::domain::round_rules::{AssignmentKind, ContentArea};
use crate::domain::workflow::{AssignmentState, EvaluationState};

/// Which assignments a report covers (every condition given must hold).
#[derive(Default)]
pub struct Coverage {
    /// Only these assignments (the ids a caller may read), as a subquery.
    pub among: Option<assignments::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>>,
    /// Only this round.
    pub round: Option<Uuid>,
    /// Only rounds of this year.
    pub year: Option<i32>,
    /// Only assignments to these units.
    pub units: Option<Vec<Uuid>>,
    /// Only assignments to these units too (members of a group).
    pub members: Option<Vec<Uuid>>,
    /// Only this content area.
    pub content_area: Option<ContentArea>,
    /// Only this kind.
    pub kind: Option<AssignmentKind>,
}

/// A covered assignment: id, round, assignee unit, title, content area, kind, deadline,
/// target, its round's year and title, indicator code, the assignment's own code.
pub type Covered = (
    Uuid,
    Uuid,
    Uuid,
    String,
    ContentArea,
    AssignmentKind,
    NaiveDate,
    Option<serde_json::Value>,
    i32,
    String,
    Option<String>,
    Option<String>,
);

/// The issued (not withdrawn) assignments `c` covers, by id.
pub async fn covered(conn: &mut AsyncPgConnection, c: Coverage) -> QueryResult<Vec<Covered>> {
    let mut q = assignments::table
        .inner_join(rounds::table.on(rounds::id.eq(assignments::round_id)))
        .filter(assignments::state.ne_all([AssignmentState::Draft, AssignmentState::Withdrawn]))
        .select((
            assignments::id,
            assignments::round_id,
            assignments::assignee_unit_id,
            assignments::title,
            assignments::content_area,
            assignments::kind,
            assignments::end_date,
            assignments::target,
            rounds::year,
            rounds::title,
            assignments::indicator_code,
            assignments::code,
        ))
        .order(assignments::id)
        .into_boxed();
    if let Some(ids) = c.among {
        q = q.filter(assignments::id.eq_any(ids));
    }
    if let Some(r) = c.round {
        q = q.filter(assignments::round_id.eq(r));
    }
    if let Some(y) = c.year {
        q = q.filter(rounds::year.eq(y));
    }
    if let Some(units) = c.units {
        q = q.filter(assignments::assignee_unit_id.eq_any(units));
    }
    if let Some(members) = c.members {
        q = q.filter(assignments::assignee_unit_id.eq_any(members));
    }
    if let Some(area) = c.content_area {
        q = q.filter(assignments::content_area.eq(area));
    }
    if let Some(kind) = c.kind {
        q = q.filter(assignments::kind.eq(kind));
    }
    q.load(conn).await
}

/// One recorded state of a progress report: report, assignment, period end, due date, state,
/// content, actual value, when recorded.
pub type ReportStep = (
    Uuid,
    Uuid,
    NaiveDate,
    NaiveDate,
    ReportState,
    serde_json::Value,
    Option<f64>,
    DateTime<Utc>,
);

/// The states of the progress reports of `assignments` that had happened by `at`, in the order
/// they happened, each with the moment it happened.
pub async fn report_history(
    conn: &mut AsyncPgConnection,
    assignments: &[Uuid],
    at: DateTime<Utc>,
) -> QueryResult<Vec<ReportStep>> {
    progress_report_history::table
        .inner_join(
            progress_reports::table.on(progress_reports::id.eq(progress_report_history::report_id)),
        )
        .filter(progress_reports::assignment_id.eq_any(assignments))
        .filter(progress_report_history::occurred_at.le(at))
        .order((
            progress_report_history::occurred_at,
            progress_report_history::id,
        ))
        .select((
            progress_reports::id,
            progress_reports::assignment_id,
            progress_reports::period_end,
            progress_reports::due_date,
            progress_report_history::state,
            progress_report_history::content,
            progress_report_history::actual_value,
            progress_report_history::occurred_at,
        ))
        .load(conn)
        .await
}

/// The grades of `assignments` decided by `at`, oldest decision first.
pub async fn decided_grades(
    conn: &mut AsyncPgConnection,
    assignments: &[Uuid],
    at: DateTime<Utc>,
) -> QueryResult<Vec<(Uuid, Option<Grade>)>> {
    evaluations::table
        .filter(evaluations::assignment_id.eq_any(assignments))
        .filter(evaluations::decided_at.le(at))
        .order(evaluations::decided_at)
        .select((evaluations::assignment_id, evaluations::decided_grade))
        .load(conn)
        .await
}

/// The names and master-data codes of `units`.
pub async fn unit_names(
    conn: &mut AsyncPgConnection,
    units: &[Uuid],
) -> QueryResult<Vec<(Uuid, String, String)>> {
    org_units::table
        .filter(org_units::id.eq_any(units))
        .select((org_units::id, org_units::name, org_units::code))
        .load(conn)
        .await
}

/// The display name of `account` and the name of its home unit (who issues its reports).
pub async fn issuer(conn: &mut AsyncPgConnection, account: Uuid) -> QueryResult<(String, String)> {
    accounts::table
        .inner_join(org_units::table.on(org_units::id.eq(accounts::home_unit_id)))
        .filter(accounts::id.eq(account))
        .select((accounts::display_name, org_units::name))
        .first(conn)
        .await
}

/// The groups `units` belong to: unit, group, its Vietnamese label, code and year.
pub async fn memberships(
    conn: &mut AsyncPgConnection,
    units: &[Uuid],
) -> QueryResult<Vec<(Uuid, Uuid, String, String, i32)>> {
    org_group_members::table
        .inner_join(org_groups::table)
        .filter(org_group_members::unit_id.eq_any(units))
        .select((
            org_group_members::unit_id,
            org_groups::id,
            org_groups::label_vi,
            org_groups::code,
            org_groups::year,
        ))
        .load(conn)
        .await
}

/// A round's publication, if the round exists.
pub async fn publication(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<Option<PublicationRow>> {
    rounds::table
        .find(round)
        .select(PublicationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A round's publication, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock_publication(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> QueryResult<PublicationRow> {
    rounds::table
        .find(round)
        .select(PublicationRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Marks a round's results published by `by`.
pub async fn set_published(
    conn: &mut AsyncPgConnection,
    current: &PublicationRow,
    by: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<PublicationRow> {
    diesel::update(rounds::table.find(current.id))
        .set((
            rounds::published_at.eq(now),
            rounds::published_by.eq(by),
            rounds::version.eq(current.version + 1),
            rounds::updated_at.eq(now),
        ))
        .returning(PublicationRow::as_returning())
        .get_result(conn)
        .await
}

/// The published rounds, newest first (at most 500).
pub async fn published(conn: &mut AsyncPgConnection) -> QueryResult<Vec<PublicationRow>> {
    rounds::table
        .filter(rounds::published_at.is_not_null())
        .order(rounds::published_at.desc())
        .limit(500)
        .select(PublicationRow::as_select())
        .load(conn)
        .await
}

/// Values department feeds had recorded by `at` for `ids`: assignment, day measured, value,
/// oldest measurement first.
pub async fn fed_values(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> QueryResult<Vec<(Uuid, NaiveDate, f64)>> {
    observations::table
        .filter(observations::assignment_id.eq_any(ids))
        .filter(observations::provenance.eq(Provenance::Feed))
        .filter(observations::received_at.le(at))
        .order((observations::assignment_id, observations::observed_on))
        .select((
            observations::assignment_id,
            observations::observed_on,
            observations::value,
        ))
        .load(conn)
        .await
}

/// One decided grade attributed to a person: cadre, name, managing unit, evaluation,
/// assignment, its title, period, grade, share of the period held.
pub type PersonGrade = (
    Uuid,
    String,
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    Option<Grade>,
    f64,
);

/// The standing decided grades of assignments of rounds of `year` (and of `round`, if given)
/// attributed to people, by person and evaluation.
pub async fn person_grades(
    conn: &mut AsyncPgConnection,
    year: i32,
    round: Option<Uuid>,
    at: DateTime<Utc>,
) -> QueryResult<Vec<PersonGrade>> {
    let later = diesel::alias!(evaluations as later);
    let mut q = evaluation_attributions::table
        .inner_join(
            evaluations::table.on(evaluations::id.eq(evaluation_attributions::evaluation_id)),
        )
        .inner_join(assignments::table.on(assignments::id.eq(evaluations::assignment_id)))
        .inner_join(rounds::table.on(rounds::id.eq(assignments::round_id)))
        .inner_join(cadres::table.on(cadres::id.eq(evaluation_attributions::cadre_id)))
        .filter(rounds::year.eq(year))
        .filter(evaluations::decided_at.le(at))
        .filter(
            // Standing at `at`: decided and never overridden, or overridden after `at`.
            evaluations::state
                .eq(EvaluationState::Decided)
                .or(evaluations::id.nullable().eq_any(
                    later
                        .filter(later.field(evaluations::decided_at).gt(at))
                        .select(later.field(evaluations::supersedes_id)),
                )),
        )
        .order((cadres::id, evaluations::id))
        .select((
            cadres::id,
            cadres::full_name,
            cadres::managing_unit_id,
            evaluations::id,
            assignments::id,
            assignments::title,
            evaluations::period_code,
            evaluations::decided_grade,
            evaluation_attributions::share,
        ))
        .into_boxed();
    if let Some(r) = round {
        q = q.filter(rounds::id.eq(r));
    }
    q.load(conn).await
}
