//! Queries of department data feeds: licences, observations, and the facts an import is
//! checked against (units by code, issued target assignments, self-reported values).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::{AssignmentRow, LicenceRow, ObservationRow};
use crate::db::schema::{
    accounts, assignments, feed_licences, observations, org_units, progress_reports,
};
use crate::domain::vocab::AccountKind;
use crate::domain::workflow::AssignmentState;

/// Most rows written by one statement of an import.
const CHUNK: usize = 2000;

/// Up to 1,000 licences passing `scope`, optionally of one client, by id.
pub async fn licences(
    conn: &mut AsyncPgConnection,
    scope: Box<dyn BoxableExpression<feed_licences::table, Pg, SqlType = Bool>>,
    account: Option<Uuid>,
) -> QueryResult<Vec<LicenceRow>> {
    let mut q = feed_licences::table
        .filter(scope)
        .order(feed_licences::id)
        .limit(1000)
        .select(LicenceRow::as_select())
        .into_boxed();
    if let Some(account) = account {
        q = q.filter(feed_licences::account_id.eq(account));
    }
    q.load(conn).await
}

/// Every licence of a client.
pub async fn licences_of(
    conn: &mut AsyncPgConnection,
    account: Uuid,
) -> QueryResult<Vec<LicenceRow>> {
    feed_licences::table
        .filter(feed_licences::account_id.eq(account))
        .select(LicenceRow::as_select())
        .load(conn)
        .await
}

/// One licence (`NotFound` when unknown).
pub async fn licence(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<LicenceRow> {
    feed_licences::table
        .find(id)
        .select(LicenceRow::as_select())
        .first(conn)
        .await
}

/// One licence, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock_licence(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<LicenceRow> {
    feed_licences::table
        .find(id)
        .select(LicenceRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Stores a new licence.
pub async fn insert_licence(conn: &mut AsyncPgConnection, row: &LicenceRow) -> QueryResult<()> {
    diesel::insert_into(feed_licences::table)
        .values(row)
        .execute(conn)
        .await
        .map(drop)
}

/// Brings a licence's last day to `last`, with the reason, and bumps its version.
pub async fn end_licence(
    conn: &mut AsyncPgConnection,
    current: &LicenceRow,
    last: NaiveDate,
    reason: &str,
) -> QueryResult<LicenceRow> {
    diesel::update(feed_licences::table.find(current.id))
        .set((
            feed_licences::valid_to.eq(last),
            feed_licences::end_reason.eq(reason),
            feed_licences::version.eq(current.version + 1),
        ))
        .returning(LicenceRow::as_returning())
        .get_result(conn)
        .await
}

/// Whether `account` is a machine client.
pub async fn is_client(conn: &mut AsyncPgConnection, account: Uuid) -> QueryResult<bool> {
    let n: i64 = accounts::table
        .filter(accounts::id.eq(account))
        .filter(accounts::kind.eq(AccountKind::Client))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// A unit as a feed names it: id, code and validity.
pub type UnitCode = (Uuid, String, NaiveDate, Option<NaiveDate>);

/// The units, past and present, with one of `codes`.
pub async fn units_by_code(
    conn: &mut AsyncPgConnection,
    codes: &[&str],
) -> QueryResult<Vec<UnitCode>> {
    org_units::table
        .filter(org_units::code.eq_any(codes))
        .select((
            org_units::id,
            org_units::code,
            org_units::valid_from,
            org_units::valid_to,
        ))
        .load(conn)
        .await
}

/// The assignments under way with one of `indicators`.
pub async fn targets_with(
    conn: &mut AsyncPgConnection,
    indicators: &[&str],
) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::indicator_code.eq_any(indicators))
        .filter(assignments::state.eq_any([
            AssignmentState::Issued,
            AssignmentState::Committed,
            AssignmentState::InProgress,
        ]))
        .select(AssignmentRow::as_select())
        .load(conn)
        .await
}

/// The observations of `client` with one of `external_ids`.
pub async fn observations_by_external_id(
    conn: &mut AsyncPgConnection,
    client: Uuid,
    external_ids: &[&str],
) -> QueryResult<Vec<ObservationRow>> {
    observations::table
        .filter(observations::client_id.eq(client))
        .filter(observations::external_id.eq_any(external_ids))
        .select(ObservationRow::as_select())
        .load(conn)
        .await
}

/// A self-reported value: assignment, period start and end, value.
pub type ReportedValue = (Uuid, NaiveDate, NaiveDate, Option<f64>);

/// The values the heads reported for `assignments`.
pub async fn reported_values(
    conn: &mut AsyncPgConnection,
    assignments: &[Uuid],
) -> QueryResult<Vec<ReportedValue>> {
    progress_reports::table
        .filter(progress_reports::assignment_id.eq_any(assignments))
        .filter(progress_reports::actual_value.is_not_null())
        .select((
            progress_reports::assignment_id,
            progress_reports::period_start,
            progress_reports::period_end,
            progress_reports::actual_value,
        ))
        .load(conn)
        .await
}

/// Stores observations, replacing those of the same client and external id.
pub async fn upsert_observations(
    conn: &mut AsyncPgConnection,
    rows: &[ObservationRow],
) -> QueryResult<()> {
    for chunk in rows.chunks(CHUNK) {
        diesel::insert_into(observations::table)
            .values(chunk)
            .on_conflict((observations::client_id, observations::external_id))
            .do_update()
            .set((
                observations::assignment_id.eq(excluded(observations::assignment_id)),
                observations::indicator_code.eq(excluded(observations::indicator_code)),
                observations::unit_id.eq(excluded(observations::unit_id)),
                observations::observed_on.eq(excluded(observations::observed_on)),
                observations::value.eq(excluded(observations::value)),
                observations::source_ref.eq(excluded(observations::source_ref)),
                observations::mismatch.eq(excluded(observations::mismatch)),
                observations::updated_at.eq(excluded(observations::updated_at)),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Flags `assignments` for their supervisor: a fed value disagreed with a self-reported one.
pub async fn flag_assignments(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(assignments::table.filter(assignments::id.eq_any(ids)))
        .set(assignments::feed_mismatch_at.eq(now))
        .execute(conn)
        .await
        .map(drop)
}

/// Flags observations as disagreeing with the self-reported value.
pub async fn flag_observations(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<()> {
    diesel::update(observations::table.filter(observations::id.eq_any(ids)))
        .set(observations::mismatch.eq(true))
        .execute(conn)
        .await
        .map(drop)
}

/// The fed values (id, value) of `assignment` observed between `from` and `to`.
pub async fn fed_values(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(Uuid, f64)>> {
    observations::table
        .filter(observations::assignment_id.eq(assignment))
        .filter(observations::observed_on.between(from, to))
        .select((observations::id, observations::value))
        .load(conn)
        .await
}

/// The latest (by day) 1,000 observations of an assignment, newest first.
pub async fn latest_observations(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
) -> QueryResult<Vec<ObservationRow>> {
    observations::table
        .filter(observations::assignment_id.eq(assignment))
        .order((observations::observed_on.desc(), observations::id.desc()))
        .limit(1000)
        .select(ObservationRow::as_select())
        .load(conn)
        .await
}
