//! Queries of evaluations, their grading rule sets and the attribution of decided grades to
//! the cadres who held the head's post.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::AssignmentPart;
use crate::db::models::{AttributionRow, EvaluationRow, OpinionRow, PaperSourceRow, RuleSetRow};
use crate::db::schema::{
    assignments, evaluation_attributions, evaluation_paper_sources, evaluations, evidence,
    opinions, rounds, rule_sets,
};
use crate::domain::grading::Grade;
use crate::domain::workflow::EvaluationState;

/// Every version of every rule set, by code and version.
pub async fn rule_sets(conn: &mut AsyncPgConnection) -> QueryResult<Vec<RuleSetRow>> {
    rule_sets::table
        .order((rule_sets::code, rule_sets::version))
        .select(RuleSetRow::as_select())
        .load(conn)
        .await
}

/// The latest version of rule set `code`, if any.
pub async fn latest_rule_set_version(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<i32>> {
    rule_sets::table
        .filter(rule_sets::code.eq(code))
        .select(diesel::dsl::max(rule_sets::version))
        .first(conn)
        .await
}

/// Stores a new rule-set version.
pub async fn insert_rule_set(conn: &mut AsyncPgConnection, row: &RuleSetRow) -> QueryResult<()> {
    diesel::insert_into(rule_sets::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// The evaluations of an assignment among those `readable`, oldest first.
pub async fn of_assignment(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    readable: Box<dyn BoxableExpression<evaluations::table, Pg, SqlType = Bool>>,
) -> QueryResult<Vec<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::assignment_id.eq(assignment))
        .filter(readable)
        .order(evaluations::id)
        .select(EvaluationRow::as_select())
        .load(conn)
        .await
}

impl AssignmentPart for EvaluationRow {
    async fn fetch(conn: &mut AsyncPgConnection, id: Uuid, lock: bool) -> QueryResult<Self> {
        let q = evaluations::table.find(id).select(Self::as_select());
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

/// The opinions recorded on any of `assignments`, oldest first (one query for a whole page).
pub async fn opinions_of(
    conn: &mut AsyncPgConnection,
    assignments: &[Uuid],
) -> QueryResult<Vec<OpinionRow>> {
    if assignments.is_empty() {
        return Ok(Vec::new());
    }
    opinions::table
        .filter(opinions::assignment_id.eq_any(assignments))
        .order(opinions::id)
        .select(OpinionRow::as_select())
        .load(conn)
        .await
}

/// The year of a round and whether it asks for quarterly evaluation.
pub async fn round_of(conn: &mut AsyncPgConnection, round: Uuid) -> QueryResult<(i32, bool)> {
    rounds::table
        .find(round)
        .select((rounds::year, rounds::quarterly_evaluation))
        .first(conn)
        .await
}

/// How many evaluations of `period` of an assignment stand (are not overridden).
pub async fn standing_in_period(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    period: &str,
) -> QueryResult<i64> {
    evaluations::table
        .filter(evaluations::assignment_id.eq(assignment))
        .filter(evaluations::period_code.eq(period))
        .filter(evaluations::state.ne(EvaluationState::Overridden))
        .count()
        .get_result(conn)
        .await
}

/// How many of `ids` are standing (not retracted) evidence of the assignment.
pub async fn standing_evidence(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    ids: &[Uuid],
) -> QueryResult<i64> {
    evidence::table
        .filter(evidence::id.eq_any(ids))
        .filter(evidence::assignment_id.eq(assignment))
        .filter(evidence::retracted_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// Stores a new evaluation.
pub async fn insert(conn: &mut AsyncPgConnection, row: &EvaluationRow) -> QueryResult<()> {
    diesel::insert_into(evaluations::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Writes the changeable columns of `row` (state, facts, the steps' grades and remarks,
/// version, time of change) and returns it as stored.
pub async fn update(
    conn: &mut AsyncPgConnection,
    row: &EvaluationRow,
) -> QueryResult<EvaluationRow> {
    diesel::update(evaluations::table.find(row.id))
        .set((
            evaluations::state.eq(row.state),
            evaluations::facts.eq(&row.facts),
            evaluations::suggestion.eq(&row.suggestion),
            evaluations::self_grade.eq(row.self_grade),
            evaluations::self_score.eq(row.self_score),
            evaluations::self_narrative.eq(&row.self_narrative),
            evaluations::evidence_ids.eq(&row.evidence_ids),
            evaluations::self_assessed_by.eq(row.self_assessed_by),
            evaluations::self_assessed_at.eq(row.self_assessed_at),
            evaluations::appraised_grade.eq(row.appraised_grade),
            evaluations::appraised_score.eq(row.appraised_score),
            evaluations::appraisal_remarks.eq(&row.appraisal_remarks),
            evaluations::appraised_by.eq(row.appraised_by),
            evaluations::appraised_at.eq(row.appraised_at),
            evaluations::decided_grade.eq(row.decided_grade),
            evaluations::decision_note.eq(&row.decision_note),
            evaluations::departure_reason.eq(&row.departure_reason),
            evaluations::quota_exception_reason.eq(&row.quota_exception_reason),
            evaluations::decided_by.eq(row.decided_by),
            evaluations::decided_at.eq(row.decided_at),
            evaluations::return_comment.eq(&row.return_comment),
            evaluations::version.eq(row.version),
            evaluations::updated_at.eq(row.updated_at),
        ))
        .returning(EvaluationRow::as_returning())
        .get_result(conn)
        .await
}

/// The proposed and decided grades of the standing evaluations of `period` of the round's
/// assignments to `units`, except evaluation `except`.
pub async fn standings(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    units: &[Uuid],
    period: &str,
    except: Uuid,
) -> QueryResult<Vec<(Option<Grade>, Option<Grade>)>> {
    evaluations::table
        .inner_join(assignments::table)
        .filter(assignments::round_id.eq(round))
        .filter(assignments::assignee_unit_id.eq_any(units))
        .filter(evaluations::period_code.eq(period))
        .filter(evaluations::state.ne(EvaluationState::Overridden))
        .filter(evaluations::id.ne(except))
        .select((evaluations::appraised_grade, evaluations::decided_grade))
        .load(conn)
        .await
}

/// Stores the attribution of a decided grade.
pub async fn insert_attributions(
    conn: &mut AsyncPgConnection,
    rows: &[AttributionRow],
) -> QueryResult<()> {
    diesel::insert_into(evaluation_attributions::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// One entry of a cadre's record: the attribution, the evaluation, and the assignment's title,
/// its round's year and its assignee unit.
pub type RecordRow = (AttributionRow, EvaluationRow, (String, i32, Uuid));

/// The decided grades attributed to a cadre, by year, period end and evaluation.
pub async fn record_of(conn: &mut AsyncPgConnection, cadre: Uuid) -> QueryResult<Vec<RecordRow>> {
    evaluation_attributions::table
        .inner_join(
            evaluations::table.on(evaluations::id.eq(evaluation_attributions::evaluation_id)),
        )
        .inner_join(assignments::table.on(assignments::id.eq(evaluations::assignment_id)))
        .inner_join(rounds::table.on(rounds::id.eq(assignments::round_id)))
        .filter(evaluation_attributions::cadre_id.eq(cadre))
        .order((rounds::year, evaluations::period_end, evaluations::id))
        .select((
            AttributionRow::as_select(),
            EvaluationRow::as_select(),
            (
                assignments::title,
                rounds::year,
                assignments::assignee_unit_id,
            ),
        ))
        .load(conn)
        .await
}

/// Records the paper an evaluation was entered from.
pub async fn insert_paper_source(
    conn: &mut AsyncPgConnection,
    row: &PaperSourceRow,
) -> QueryResult<()> {
    diesel::insert_into(evaluation_paper_sources::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// The papers the evaluations `ids` were entered from (those entered from paper).
pub async fn paper_sources(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<PaperSourceRow>> {
    evaluation_paper_sources::table
        .filter(evaluation_paper_sources::evaluation_id.eq_any(ids))
        .select(PaperSourceRow::as_select())
        .load(conn)
        .await
}
