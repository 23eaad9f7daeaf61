//! What the results endpoints answer: reports, published rounds and their results.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::results::{GroupBy, IndicatorReport, IndicatorRow, Published, Report, Row};
use crate::db::models::PublicationRow;
use crate::domain::grading::Grade;
use crate::domain::progress::Timeliness;
use crate::domain::results::{status, IndicatorTally, Tally};
use crate::error::ApiError;

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

/// A published round.
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
    /// When its results were published.
    pub published_at: DateTime<Utc>,
    /// Version, also the ETag.
    pub version: i32,
}

/// A round is shown as published only once it is.
impl TryFrom<PublicationRow> for PublishedRound {
    type Error = ApiError;
    fn try_from(r: PublicationRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: r.id,
            title: r.title,
            year: r.year,
            decision_number: r.decision_number,
            assigning_unit_id: r.assigning_unit_id,
            published_at: r.published_at.ok_or_else(ApiError::not_found)?,
            version: r.version,
        })
    }
}

/// A published assignment: what portals may show.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAssignment {
    /// Title.
    pub title: String,
    /// The unit it was assigned to.
    pub unit_name: String,
    /// Content area.
    pub content_area: crate::domain::round_rules::ContentArea,
    /// Deadline.
    pub end_date: NaiveDate,
    /// Status.
    pub status: Timeliness,
    /// Decided grade.
    pub grade: Option<Grade>,
}

/// A published round's results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicResults {
    /// The round.
    pub round: PublishedRound,
    /// Its figures.
    pub total: Tally,
    /// Its figures per group of units.
    pub groups: Vec<ResultRow>,
    /// Its assignments.
    pub assignments: Vec<PublicAssignment>,
}

impl TryFrom<Published> for PublicResults {
    type Error = ApiError;
    fn try_from(p: Published) -> Result<Self, ApiError> {
        let day = p.day;
        Ok(Self {
            round: PublishedRound::try_from(p.round)?,
            total: p.total,
            groups: p.groups.into_iter().map(ResultRow::from).collect(),
            assignments: p
                .lines
                .into_iter()
                .map(|l| PublicAssignment {
                    status: status(&l.known, day),
                    title: l.title,
                    unit_name: l.unit_name,
                    content_area: l.content_area,
                    end_date: l.known.end_date,
                    grade: l.known.grade,
                })
                .collect(),
        })
    }
}
