//! What the record holds about one assignment up to the end of an evaluation period: accepted
//! reports, licensed feed values, evidence and spot-check findings, read for the derivation of
//! an evaluation's facts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::{FindingRow, ReopeningRow, SpotCheckRow};
use crate::db::schema::{
    evaluation_reopenings, evaluations, evidence, observations, progress_reports,
    spot_check_findings, spot_checks,
};
use crate::domain::evidence::VerificationMark;
use crate::domain::feed::Provenance;
use crate::domain::progress::ReportState;
use crate::domain::record::{
    AcceptedReport, Decided, EvidenceFact, FedValue, Finding, FindingOutcome,
};
use crate::domain::workflow::EvaluationState;

/// Reports of `assignment` accepted now, covering periods that ended by `period_end`.
pub async fn accepted_reports(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    period_end: NaiveDate,
) -> QueryResult<Vec<AcceptedReport>> {
    type Row = (
        Uuid,
        NaiveDate,
        NaiveDate,
        Option<DateTime<Utc>>,
        Option<f64>,
        serde_json::Value,
    );
    let rows: Vec<Row> = progress_reports::table
        .filter(progress_reports::assignment_id.eq(assignment))
        .filter(progress_reports::state.eq(ReportState::Accepted))
        .filter(progress_reports::period_end.le(period_end))
        .order(progress_reports::period_end)
        .select((
            progress_reports::id,
            progress_reports::period_end,
            progress_reports::due_date,
            progress_reports::first_submitted_at,
            progress_reports::actual_value,
            progress_reports::content,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, period_end, due_date, first, actual, content)| AcceptedReport {
                id,
                period_end,
                due_date,
                first_submitted_on: first.map(|t| t.date_naive()),
                actual_value: actual,
                completion_percent: content["self_assessed_completion"].as_f64(),
            },
        )
        .collect())
}

/// Values department feeds recorded for `assignment`, measured by `period_end`.
pub async fn fed_values(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    period_end: NaiveDate,
) -> QueryResult<Vec<FedValue>> {
    let rows: Vec<(Uuid, NaiveDate, f64)> = observations::table
        .filter(observations::assignment_id.eq(assignment))
        .filter(observations::provenance.eq(Provenance::Feed))
        .filter(observations::observed_on.le(period_end))
        .order(observations::observed_on)
        .select((
            observations::id,
            observations::observed_on,
            observations::value,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, observed_on, value)| FedValue {
            id,
            observed_on,
            value,
        })
        .collect())
}

/// Every piece of evidence of `assignment`, with its verdict.
pub async fn evidence(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Vec<EvidenceFact>> {
    let rows: Vec<(Uuid, VerificationMark, Option<DateTime<Utc>>)> = evidence::table
        .filter(evidence::assignment_id.eq(assignment))
        .order(evidence::id)
        .select((evidence::id, evidence::verification, evidence::retracted_at))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, verification, retracted)| EvidenceFact {
            id,
            verification,
            retracted: retracted.is_some(),
        })
        .collect())
}

/// The spot-check findings on `assignment`.
pub async fn findings(conn: &mut AsyncPgConnection, assignment: Uuid) -> QueryResult<Vec<Finding>> {
    let rows: Vec<(Uuid, FindingOutcome)> = spot_check_findings::table
        .filter(spot_check_findings::assignment_id.eq(assignment))
        .order(spot_check_findings::id)
        .select((spot_check_findings::id, spot_check_findings::outcome))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, outcome)| Finding {
            id,
            discrepancy: outcome == FindingOutcome::Discrepancy,
        })
        .collect())
}

/// Records a finding.
pub async fn insert_finding(conn: &mut AsyncPgConnection, row: &FindingRow) -> QueryResult<()> {
    diesel::insert_into(spot_check_findings::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The findings of spot check `id`, by id.
pub async fn findings_of_check(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Vec<FindingRow>> {
    spot_check_findings::table
        .filter(spot_check_findings::spot_check_id.eq(id))
        .order(spot_check_findings::id)
        .select(FindingRow::as_select())
        .load(conn)
        .await
}

/// Spot check `id`.
pub async fn spot_check(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<SpotCheckRow> {
    spot_checks::table
        .find(id)
        .select(SpotCheckRow::as_select())
        .first(conn)
        .await
}

/// The standing decided evaluations of `assignment`, with whether each is reopened now.
pub async fn decided(conn: &mut AsyncPgConnection, assignment: Uuid) -> QueryResult<Vec<Decided>> {
    let rows: Vec<(NaiveDate, Option<DateTime<Utc>>, Option<Uuid>)> = evaluations::table
        .left_join(
            evaluation_reopenings::table.on(evaluation_reopenings::evaluation_id
                .eq(evaluations::id)
                .and(evaluation_reopenings::closed_at.is_null())),
        )
        .filter(evaluations::assignment_id.eq(assignment))
        .filter(evaluations::state.eq(EvaluationState::Decided))
        .select((
            evaluations::period_end,
            evaluations::decided_at,
            evaluation_reopenings::id.nullable(),
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(period_end, decided_at, open)| {
            Some(Decided {
                period_end,
                decided_at: decided_at?,
                reopened: open.is_some(),
            })
        })
        .collect())
}

/// The open reopening of evaluation `id`, locked, if any.
pub async fn lock_open_reopening(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<ReopeningRow>> {
    evaluation_reopenings::table
        .filter(evaluation_reopenings::evaluation_id.eq(id))
        .filter(evaluation_reopenings::closed_at.is_null())
        .select(ReopeningRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Records a reopening.
pub async fn insert_reopening(conn: &mut AsyncPgConnection, row: &ReopeningRow) -> QueryResult<()> {
    diesel::insert_into(evaluation_reopenings::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Closes reopening `id`.
pub async fn close_reopening(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<ReopeningRow> {
    diesel::update(evaluation_reopenings::table.find(id))
        .set((
            evaluation_reopenings::closed_by.eq(by),
            evaluation_reopenings::closed_at.eq(at),
        ))
        .returning(ReopeningRow::as_returning())
        .get_result(conn)
        .await
}

/// The reopenings of evaluation `id`, oldest first.
pub async fn reopenings(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<ReopeningRow>> {
    evaluation_reopenings::table
        .filter(evaluation_reopenings::evaluation_id.eq(id))
        .order(evaluation_reopenings::id)
        .select(ReopeningRow::as_select())
        .load(conn)
        .await
}
