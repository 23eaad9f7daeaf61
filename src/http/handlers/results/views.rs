//! What the results endpoints answer: reports, published rounds and their results.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::publications::{Frozen, Snapshot};
use crate::app::results::{GroupBy, IndicatorReport, IndicatorRow, Report, Row};
use crate::db::models::PublicationVersionRow;
use crate::db::repo::publications::ListedRound;
use crate::domain::results::{IndicatorTally, Tally};

/// One row of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultRow {
    /// Id or code of what the row is about.
    pub key: String,
    /// Its name.
    pub label: String,
    /// Its figures.
    pub tally: Tally,
}

impl From<Row> for ResultRow {
    fn from(r: Row) -> Self {
        Self {
            key: r.key,
            label: r.label,
            tally: r.tally,
        }
    }
}

/// A results report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsReport {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// How the rows are formed.
    pub group_by: GroupBy,
    /// The figures of every covered assignment.
    pub total: Tally,
    /// The figures per row, ordered by label.
    pub rows: Vec<ResultRow>,
}

impl From<Report> for ResultsReport {
    fn from(r: Report) -> Self {
        Self {
            as_of: r.as_of,
            group_by: r.group_by,
            total: r.total,
            rows: r.rows.into_iter().map(ResultRow::from).collect(),
        }
    }
}

/// One indicator of one year across the units it was assigned to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorResult {
    /// The year of the rounds that assigned it.
    pub year: i32,
    /// Its code; absent for targets without one, which are grouped by their exact title.
    pub indicator_code: Option<String>,
    /// The title of the first target counted in the row.
    pub title: String,
    /// Its figures.
    pub tally: IndicatorTally,
}

impl From<IndicatorRow> for IndicatorResult {
    fn from(r: IndicatorRow) -> Self {
        Self {
            year: r.year,
            indicator_code: r.indicator_code,
            title: r.title,
            tally: r.tally,
        }
    }
}

/// A per-indicator results report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorsReport {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// The figures of every covered target together (sums only if they share shape and unit).
    pub total: IndicatorTally,
    /// One row per year and indicator: by year, then coded indicators by code, then targets
    /// without a code by title.
    pub rows: Vec<IndicatorResult>,
}

impl From<IndicatorReport> for IndicatorsReport {
    fn from(r: IndicatorReport) -> Self {
        Self {
            as_of: r.as_of,
            total: r.total,
            rows: r.rows.into_iter().map(IndicatorResult::from).collect(),
        }
    }
}

/// The withdrawal of a round's publication.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicationWithdrawal {
    /// When.
    pub withdrawn_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// A version of a round's published results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicationVersion {
    /// The round.
    pub round_id: Uuid,
    /// Version: 1 when first published, one more per correction; also the ETag.
    pub version: i32,
    /// When this version was published (its figures are taken at this moment).
    pub published_at: DateTime<Utc>,
    /// Why this version corrects the previous one (absent on version 1).
    pub reason: Option<String>,
    /// The withdrawal of the publication, recorded on the version that was current then.
    pub withdrawal: Option<PublicationWithdrawal>,
}

impl From<PublicationVersionRow> for PublicationVersion {
    fn from(r: PublicationVersionRow) -> Self {
        Self {
            round_id: r.round_id,
            version: r.version,
            published_at: r.published_at,
            reason: r.reason,
            withdrawal: r.withdrawn_at.map(|at| PublicationWithdrawal {
                withdrawn_at: at,
                reason: r.withdrawal_reason.unwrap_or_default(),
            }),
        }
    }
}

/// A published round, with its current version (withdrawn ones included, with their
/// withdrawal).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedRound {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Year.
    pub year: i32,
    /// Number and symbol of the decision.
    pub decision_number: Option<String>,
    /// The assigning unit.
    pub assigning_unit_id: Uuid,
    /// Its latest version; its `withdrawal` says whether the results are withdrawn.
    pub current: PublicationVersion,
}

impl From<ListedRound> for PublishedRound {
    fn from((v, (title, year, decision_number, assigning_unit_id)): ListedRound) -> Self {
        Self {
            id: v.round_id,
            title,
            year,
            decision_number,
            assigning_unit_id,
            current: PublicationVersion::from(v),
        }
    }
}

/// Which version the figures are, and why it was published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionInfo {
    /// Version: 1 when first published, one more per correction.
    pub version: i32,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Why it corrects the previous version (absent on version 1).
    pub reason: Option<String>,
}

/// One version of a round's published results: its frozen figures, per group of units, and
/// its assignments' titles, units, statuses and grades.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicResults {
    /// The version.
    pub publication: VersionInfo,
    /// The figures, exactly as published.
    #[serde(flatten)]
    pub snapshot: Snapshot,
}

impl From<Frozen> for PublicResults {
    fn from(f: Frozen) -> Self {
        Self {
            publication: VersionInfo {
                version: f.version.version,
                published_at: f.version.published_at,
                reason: f.version.reason,
            },
            snapshot: f.snapshot,
        }
    }
}
