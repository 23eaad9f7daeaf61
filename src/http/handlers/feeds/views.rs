//! Wire types of department data feeds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::feeds::{Outcome, Summary};
use crate::db::models::{LicenceRow, ObservationRow};
use crate::domain::feed::{Provenance, Rejection, RowStatus};

/// The outcome of one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowOutcome {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The row's external id.
    pub external_id: String,
    /// What became of it.
    pub status: RowStatus,
    /// Why it was rejected.
    pub reason: Option<Rejection>,
    /// The assignment the value was recorded against.
    pub assignment_id: Option<Uuid>,
    /// Whether it differs from the head's self-reported value beyond the tolerance.
    pub mismatch: bool,
}

impl From<Outcome> for RowOutcome {
    fn from(o: Outcome) -> Self {
        Self {
            index: o.index,
            external_id: o.external_id,
            status: o.status,
            reason: o.reason,
            assignment_id: o.assignment_id,
            mismatch: o.mismatch,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// New values.
    pub imported: usize,
    /// Values whose external id was known, changed.
    pub updated: usize,
    /// Values whose external id was known, unchanged.
    pub ignored: usize,
    /// Rows refused (see `rows`).
    pub rejected: usize,
    /// Assignments flagged for a mismatch with the self-reported value.
    pub flagged_assignments: Vec<Uuid>,
    /// The outcome of every row.
    pub rows: Vec<RowOutcome>,
}

impl From<Summary> for ImportSummary {
    fn from(s: Summary) -> Self {
        Self {
            dry_run: s.dry_run,
            imported: s.count(RowStatus::Imported),
            updated: s.count(RowStatus::Updated),
            ignored: s.count(RowStatus::Ignored),
            rejected: s.count(RowStatus::Rejected),
            flagged_assignments: s.flagged_assignments,
            rows: s.rows.into_iter().map(RowOutcome::from).collect(),
        }
    }
}

/// A value recorded against an assignment, with its provenance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Observation {
    /// Id.
    pub id: Uuid,
    /// The client that sent it.
    pub client_id: Uuid,
    /// The sender's id of the value.
    pub external_id: String,
    /// Indicator.
    pub indicator_code: String,
    /// Day it stands for.
    pub observed_on: NaiveDate,
    /// Value.
    pub value: f64,
    /// Source reference.
    pub source_ref: Option<String>,
    /// Where it comes from (`feed` for values sent by department feeds).
    pub provenance: Provenance,
    /// Whether it differed from the self-reported value beyond the tolerance.
    pub mismatch: bool,
    /// First received.
    pub received_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ObservationRow> for Observation {
    fn from(r: ObservationRow) -> Self {
        Self {
            id: r.id,
            client_id: r.client_id,
            external_id: r.external_id,
            indicator_code: r.indicator_code,
            observed_on: r.observed_on,
            value: r.value,
            source_ref: r.source_ref,
            provenance: r.provenance,
            mismatch: r.mismatch,
            received_at: r.received_at,
            updated_at: r.updated_at,
        }
    }
}

/// A feed's licence for an indicator in a unit (or subtree).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Licence {
    /// Id.
    pub id: Uuid,
    /// The machine client.
    pub account_id: Uuid,
    /// The indicator.
    pub indicator_code: String,
    /// The unit.
    pub unit_id: Uuid,
    /// Whether it covers the unit's subtree.
    pub include_subtree: bool,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day.
    pub valid_to: Option<NaiveDate>,
    /// Why it was ended early, if it was.
    pub end_reason: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<LicenceRow> for Licence {
    fn from(r: LicenceRow) -> Self {
        Self {
            id: r.id,
            account_id: r.account_id,
            indicator_code: r.indicator_code,
            unit_id: r.unit_id,
            include_subtree: r.include_subtree,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            end_reason: r.end_reason,
            version: r.version,
        }
    }
}
