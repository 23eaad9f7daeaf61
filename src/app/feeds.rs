//! Department data feeds: administrators license machine clients for indicators in units;
//! clients send batches of values, each row recorded against the unit's issued target
//! assignment or refused on its own; a value disagreeing with the head's own flags the
//! assignment for its supervisor. Imports are idempotent by (client, external id) and can be
//! dry runs, which change nothing.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{in_tx, Change, IfMatch};
use crate::auth::policy::assignments as assignment_policy;
use crate::auth::policy::feeds::{
    lock_visible, readable, require_grant, require_manage, require_submit, visible,
};
use crate::auth::{scope, Caller};
use crate::db::models::{AssignmentRow, LicenceRow, ObservationRow};
use crate::db::repo;
use crate::domain::feed::{mismatch, observed_day, within, Provenance, Rejection, RowStatus};
use crate::domain::text::code_format;
use crate::domain::text::plain_text;
use crate::domain::Violation;
use crate::error::{ApiError, Msg};

/// Most rows in one batch.
pub const MAX_ROWS: usize = 50_000;

/// One value sent by a feed.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationIn {
    /// The sender's own id of the value; sending it again updates or is ignored.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub external_id: String,
    /// The indicator (an assignment's `indicator_code`).
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub indicator_code: String,
    /// The unit's master-data code.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub unit_code: String,
    /// The reporting period, e.g. `2022-Q1` (the value stands at its cut-off), or use `date`.
    pub period: Option<String>,
    /// The day the value was measured.
    pub date: Option<NaiveDate>,
    /// The value.
    pub value: f64,
    /// Reference of the source (document, dataset).
    #[validate(length(max = 500), custom(function = "plain_text"))]
    #[schema(
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub source_ref: Option<String>,
}

/// A batch of values.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationBatch {
    /// The values, at most 50,000 (`MAX_ROWS`).
    #[schema(max_items = 50000)]
    pub observations: Vec<ObservationIn>,
}

/// New licence.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLicence {
    /// The machine client (an account of kind `client`).
    pub account_id: Uuid,
    /// The indicator.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub indicator_code: String,
    /// The unit; the caller needs `account_manage` on it.
    pub unit_id: Uuid,
    /// Whether it covers the unit's subtree.
    #[serde(default)]
    pub include_subtree: bool,
    /// First day (default today).
    pub valid_from: Option<NaiveDate>,
    /// Last day.
    pub valid_to: Option<NaiveDate>,
}

/// The end of a licence.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceEnd {
    /// Its last day (default today); values observed after it are refused.
    pub valid_to: Option<NaiveDate>,
    /// Why it ends.
    #[validate(length(min = 1, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// What became of one row of a batch.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The row's external id.
    pub external_id: String,
    /// What became of it.
    pub status: RowStatus,
    /// Why it was refused.
    pub reason: Option<Rejection>,
    /// The assignment the value was recorded against.
    pub assignment_id: Option<Uuid>,
    /// Whether it differs from the head's self-reported value beyond the tolerance.
    pub mismatch: bool,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone)]
pub struct Summary {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The outcome of every row.
    pub rows: Vec<Outcome>,
    /// Assignments flagged for a mismatch with the self-reported value.
    pub flagged_assignments: Vec<Uuid>,
}

impl Summary {
    /// How many rows ended with `status`.
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|o| o.status == status).count()
    }
}

/// Refuses a batch before its body is read unless the caller may send one.
pub fn authorise_import(caller: &Caller) -> Result<(), ApiError> {
    require_submit(caller)
}

/// Imports a batch of values sent by the calling client; with `dry_run` every row is checked
/// and classified and nothing is written.
pub async fn import(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    rows: Vec<ObservationIn>,
    dry_run: bool,
    tolerance: f64,
) -> Result<Summary, ApiError> {
    require_submit(caller)?;
    if rows.len() > MAX_ROWS {
        return Err(ApiError::unprocessable(
            format!("at most {MAX_ROWS} rows per batch"),
            format!("mỗi lô tối đa {MAX_ROWS} dòng"),
        )
        .field(
            "observations",
            "length",
            Msg::new("too many rows", "quá nhiều dòng"),
        ));
    }
    if dry_run {
        return in_rolled_back_tx(conn, async |conn| {
            Ok(classify(conn, caller, &rows, tolerance, true)
                .await?
                .summary)
        })
        .await;
    }
    let Classified {
        summary,
        mut accepted,
    } = classify(conn, caller, &rows, tolerance, false).await?;
    if accepted.is_empty() {
        // Every row was refused or is already known as sent: there is nothing to record.
        return Ok(summary);
    }
    in_tx(conn, caller, async |tx| {
        for a in &mut accepted {
            a.row.updated_at = tx.now;
            if a.new {
                a.row.received_at = tx.now;
            }
        }
        let rows: Vec<ObservationRow> = accepted.into_iter().map(|a| a.row).collect();
        repo::feeds::upsert_observations(tx.conn, &rows).await?;
        if !summary.flagged_assignments.is_empty() {
            repo::feeds::flag_assignments(tx.conn, &summary.flagged_assignments, tx.now).await?;
        }
        let home = repo::accounts::home_unit(tx.conn, caller.account_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        tx.record(Change {
            action: "feed.import",
            resource_type: "observation_batch",
            resource_id: None,
            unit_id: Some(home),
            before: None::<&()>,
            after: Some(&serde_json::json!({
                "imported": summary.count(RowStatus::Imported),
                "updated": summary.count(RowStatus::Updated),
                "ignored": summary.count(RowStatus::Ignored),
                "rejected": summary.count(RowStatus::Rejected),
                "flagged_assignments": summary.flagged_assignments,
            })),
        });
        Ok(summary)
    })
    .await
}

/// Runs `work` in a transaction that is always rolled back, for a dry run: it reads what a
/// real import would read and cannot change anything, even by mistake. Unlike [`in_tx`] it
/// never commits and records no audit (a dry run is not a change).
async fn in_rolled_back_tx<T>(
    conn: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    AnsiTransactionManager::begin_transaction(conn).await?;
    let outcome = work(conn).await;
    AnsiTransactionManager::rollback_transaction(conn).await?;
    outcome
}

/// A row to write, and whether its external id is new.
struct Accepted {
    row: ObservationRow,
    new: bool,
}

/// A classified batch: the summary, and the rows to write (new or changed values).
struct Classified {
    summary: Summary,
    accepted: Vec<Accepted>,
}

/// Checks and classifies every row of a batch against the units, the client's licences, the
/// issued target assignments and the values the client sent before; writes nothing.
async fn classify(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    rows: &[ObservationIn],
    tolerance: f64,
    dry_run: bool,
) -> Result<Classified, ApiError> {
    let now = Utc::now();
    let mut outcomes: Vec<Outcome> = rows
        .iter()
        .enumerate()
        .map(|(index, r)| Outcome {
            index,
            external_id: r.external_id.clone(),
            status: RowStatus::Rejected,
            reason: None,
            assignment_id: None,
            mismatch: false,
        })
        .collect();
    let reject = |o: &mut Outcome, why: Rejection| o.reason = Some(why);

    // The day each row stands for, and shape checks.
    let mut days: Vec<Option<NaiveDate>> = Vec::with_capacity(rows.len());
    let mut seen = HashSet::new();
    for (r, o) in rows.iter().zip(outcomes.iter_mut()) {
        let day = observed_day(r.period.as_deref(), r.date);
        let valid = r.validate().is_ok() && r.value.is_finite() && day.is_some();
        if !valid {
            reject(o, Rejection::Invalid);
            days.push(None);
        } else if !seen.insert(r.external_id.as_str()) {
            reject(o, Rejection::DuplicateInBatch);
            days.push(None);
        } else {
            days.push(day);
        }
    }

    // Only rows that passed the shape checks reach the database.
    let valid: Vec<&ObservationIn> = rows
        .iter()
        .zip(&days)
        .filter(|(_, d)| d.is_some())
        .map(|(r, _)| r)
        .collect();

    // Units by code, valid on the row's day.
    let codes: HashSet<&str> = valid.iter().map(|r| r.unit_code.as_str()).collect();
    let codes: Vec<&str> = codes.into_iter().collect();
    let units = repo::feeds::units_by_code(conn, &codes).await?;
    let unit_on = |code: &str, day: NaiveDate| {
        units
            .iter()
            .find(|(_, c, from, to)| c == code && within(day, *from, *to))
            .map(|u| u.0)
    };

    // What the client's licences cover.
    let licences = repo::feeds::licences_of(conn, caller.account_id).await?;
    let mut covered: Vec<(&LicenceRow, HashSet<Uuid>)> = Vec::new();
    for l in &licences {
        let units = if l.include_subtree {
            scope::descendants_or_self(conn, &[l.unit_id])
                .await?
                .into_iter()
                .collect()
        } else {
            HashSet::from([l.unit_id])
        };
        covered.push((l, units));
    }
    let licensed = |indicator: &str, unit: Uuid, day: NaiveDate| {
        covered.iter().any(|(l, units)| {
            l.indicator_code == indicator
                && units.contains(&unit)
                && within(day, l.valid_from, l.valid_to)
        })
    };

    // Candidate assignments: issued targets with the indicators sent.
    let indicators: HashSet<&str> = valid.iter().map(|r| r.indicator_code.as_str()).collect();
    let indicators: Vec<&str> = indicators.into_iter().collect();
    let candidates: Vec<AssignmentRow> = repo::feeds::targets_with(conn, &indicators).await?;

    // Known external ids of this client.
    let ids: Vec<&str> = valid.iter().map(|r| r.external_id.as_str()).collect();
    let known: HashMap<String, ObservationRow> =
        repo::feeds::observations_by_external_id(conn, caller.account_id, &ids)
            .await?
            .into_iter()
            .map(|o| (o.external_id.clone(), o))
            .collect();

    // Self-reported values of the candidates, to compare with.
    let candidate_ids: Vec<Uuid> = candidates.iter().map(|a| a.id).collect();
    let reported = repo::feeds::reported_values(conn, &candidate_ids).await?;

    let mut accepted: Vec<Accepted> = Vec::new();
    for ((r, o), day) in rows.iter().zip(outcomes.iter_mut()).zip(days) {
        let Some(day) = day else { continue };
        let Some(unit) = unit_on(&r.unit_code, day) else {
            reject(o, Rejection::UnknownUnit);
            continue;
        };
        if !licensed(&r.indicator_code, unit, day) {
            reject(o, Rejection::OutsideLicence);
            continue;
        }
        let Some(a) = candidates
            .iter()
            .filter(|a| {
                a.assignee_unit_id == unit
                    && a.indicator_code.as_deref() == Some(r.indicator_code.as_str())
                    && a.start_date <= day
                    && day <= a.end_date
            })
            .max_by_key(|a| a.start_date)
        else {
            reject(o, Rejection::NoAssignment);
            continue;
        };
        o.assignment_id = Some(a.id);
        o.mismatch = reported.iter().any(|(id, from, to, v)| {
            *id == a.id
                && *from <= day
                && day <= *to
                && v.is_some_and(|v| mismatch(r.value, v, tolerance))
        });
        let existing = known.get(&r.external_id);
        let row = ObservationRow {
            id: existing.map_or_else(Uuid::now_v7, |e| e.id),
            client_id: caller.account_id,
            external_id: r.external_id.clone(),
            assignment_id: a.id,
            indicator_code: r.indicator_code.clone(),
            unit_id: unit,
            observed_on: day,
            value: r.value,
            source_ref: r.source_ref.clone(),
            provenance: Provenance::Feed,
            mismatch: o.mismatch,
            received_at: existing.map_or(now, |e| e.received_at),
            updated_at: now,
        };
        let unchanged = existing.is_some_and(|e| {
            e.assignment_id == row.assignment_id
                && e.observed_on == row.observed_on
                && e.value == row.value
                && e.source_ref == row.source_ref
        });
        o.status = RowStatus::of_accepted(existing.is_some(), unchanged);
        if !unchanged {
            accepted.push(Accepted {
                row,
                new: existing.is_none(),
            });
        }
    }

    let mut flagged: Vec<Uuid> = outcomes
        .iter()
        .filter(|o| o.mismatch && o.status != RowStatus::Ignored)
        .filter_map(|o| o.assignment_id)
        .collect();
    flagged.sort();
    flagged.dedup();
    Ok(Classified {
        summary: Summary {
            dry_run,
            rows: outcomes,
            flagged_assignments: flagged,
        },
        accepted,
    })
}

/// Flags the fed values of `assignment` observed between `from` and `to` that differ from the
/// head's own value beyond `tolerance`, and the assignment for its supervisor: the other
/// direction of the check made when a batch arrives. Runs inside the caller's transaction.
pub async fn flag_disagreeing(
    conn: &mut AsyncPgConnection,
    assignment: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    own: f64,
    tolerance: f64,
) -> Result<bool, ApiError> {
    let fed = repo::feeds::fed_values(conn, assignment, from, to).await?;
    let disagreeing: Vec<Uuid> = fed
        .into_iter()
        .filter(|(_, v)| mismatch(*v, own, tolerance))
        .map(|(id, _)| id)
        .collect();
    if disagreeing.is_empty() {
        return Ok(false);
    }
    repo::feeds::flag_observations(conn, &disagreeing).await?;
    repo::feeds::flag_assignments(conn, &[assignment], Utc::now()).await?;
    Ok(true)
}

/// The values feeds recorded against an assignment the caller may read, oldest day first (the
/// latest 1,000).
pub async fn observations(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<Vec<ObservationRow>, ApiError> {
    let a = assignment_policy::visible(conn, caller, assignment).await?;
    let mut rows = repo::feeds::latest_observations(conn, a.id).await?;
    rows.reverse();
    Ok(rows)
}

/// The licences the caller may read (at most 1,000), optionally of one client.
pub async fn licences(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    account: Option<Uuid>,
) -> Result<Vec<LicenceRow>, ApiError> {
    let scope = readable(conn, caller).await?;
    Ok(repo::feeds::licences(conn, scope, account).await?)
}

/// A licence the caller may read.
pub async fn licence(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<LicenceRow, ApiError> {
    visible(conn, caller, id).await
}

fn before_start() -> Violation {
    Violation::new(
        "valid_to",
        "before_start",
        "ends before it starts",
        "kết thúc trước khi bắt đầu",
    )
}

/// An administrator lets a machine client send values of an indicator for a unit (or its
/// subtree) during a period.
pub async fn grant(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewLicence,
) -> Result<LicenceRow, ApiError> {
    require_grant(conn, caller, new.unit_id).await?;
    if !repo::feeds::is_client(conn, new.account_id).await? {
        return Err(ApiError::unknown("account_id", "machine client"));
    }
    let valid_from = new.valid_from.unwrap_or_else(|| Utc::now().date_naive());
    if new.valid_to.is_some_and(|t| t < valid_from) {
        return Err(
            ApiError::unprocessable("ends before it starts", "kết thúc trước khi bắt đầu").field(
                "valid_to",
                "before_start",
                Msg::new("ends before it starts", "kết thúc trước khi bắt đầu"),
            ),
        );
    }
    in_tx(conn, caller, async |tx| {
        let row = LicenceRow {
            id: Uuid::now_v7(),
            account_id: new.account_id,
            indicator_code: new.indicator_code,
            unit_id: new.unit_id,
            include_subtree: new.include_subtree,
            valid_from,
            valid_to: new.valid_to,
            created_at: tx.now,
            version: 1,
            end_reason: None,
        };
        repo::feeds::insert_licence(tx.conn, &row).await?;
        tx.created("feed_licence.create", row.id, Some(row.unit_id), &row);
        Ok(row)
    })
    .await
}

/// An administrator brings a licence's last day forward (never later than it was) with a
/// reason.
pub async fn end(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    end: LicenceEnd,
) -> Result<LicenceRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let row = lock_visible(tx.conn, caller, id).await?;
        require_manage(tx.conn, caller, &row).await?;
        if_match.check(row.version)?;
        let last = end.valid_to.unwrap_or_else(|| tx.now.date_naive());
        if last < row.valid_from {
            return Err(ApiError::violations(vec![before_start()]));
        }
        if row.valid_to.is_some_and(|t| t < last) {
            return Err(ApiError::conflict(
                "the licence already ends earlier",
                "giấy phép đã kết thúc sớm hơn",
            ));
        }
        let after = repo::feeds::end_licence(tx.conn, &row, last, &end.reason).await?;
        tx.changed("feed_licence.end", id, Some(after.unit_id), &row, &after);
        Ok(after)
    })
    .await
}
