//! What the progress-report endpoints answer: reports (now or as of a moment), their history
//! and the reporting schedule.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::reports::{PeriodStatus, Read, ReportContent, ReportingSchedule, Snapshot};
use crate::db::models::{ReportHistoryRow, ReportRow};
use crate::domain::periods::Cadence;
use crate::domain::progress::{report_timeliness, ReportState, Timeliness};

/// A progress report, as it stands (or stood, for an `as_of` read).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressReport {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// The period, e.g. `2022-Q1`.
    pub period_code: String,
    /// First day of the period's data window.
    pub period_start: NaiveDate,
    /// Cut-off of the period.
    pub period_end: NaiveDate,
    /// Day the report is due.
    pub due_date: NaiveDate,
    /// State.
    pub state: ReportState,
    /// Revision, from 1; a correction after acceptance opens the next.
    pub revision: i32,
    /// The content.
    pub content: ReportContent,
    /// When it was first submitted.
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// The Board's comments on the last review.
    pub review_comment: Option<String>,
    /// On time, late, within deadline or overdue.
    pub timeliness: Timeliness,
    /// Version, also the ETag (absent from `as_of` reads).
    pub version: Option<i32>,
    /// The moment this state was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The paper document the report was entered from, for history entered as it happened.
    pub source_document: Option<String>,
}

impl From<ReportRow> for ProgressReport {
    fn from(r: ReportRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            timeliness: report_timeliness(
                r.first_submitted_at.map(|t| t.date_naive()),
                r.due_date,
                Utc::now().date_naive(),
            ),
            period_code: r.period_code,
            period_start: r.period_start,
            period_end: r.period_end,
            due_date: r.due_date,
            state: r.state,
            revision: r.revision,
            content: ReportContent::from_json(r.content),
            first_submitted_at: r.first_submitted_at,
            review_comment: r.review_comment,
            version: Some(r.version),
            recorded_at: r.updated_at,
            source_document: r.source_document,
        }
    }
}

impl From<Snapshot> for ProgressReport {
    fn from(s: Snapshot) -> Self {
        let (r, last) = (s.report, s.last);
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            timeliness: report_timeliness(
                s.first_submitted_at.map(|t| t.date_naive()),
                r.due_date,
                s.at.date_naive(),
            ),
            period_code: r.period_code,
            period_start: r.period_start,
            period_end: r.period_end,
            due_date: r.due_date,
            state: last.state,
            revision: last.revision,
            content: ReportContent::from_json(last.content),
            first_submitted_at: s.first_submitted_at,
            review_comment: last.review_comment,
            version: None,
            recorded_at: last.recorded_at,
            source_document: last.source_document,
        }
    }
}

impl From<Read> for ProgressReport {
    fn from(read: Read) -> Self {
        match read {
            Read::Current(r) => r.into(),
            Read::AsOf(s) => s.into(),
        }
    }
}

/// One recorded state of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportRevision {
    /// Revision.
    pub revision: i32,
    /// State.
    pub state: ReportState,
    /// Content.
    pub content: ReportContent,
    /// The Board's comments.
    pub review_comment: Option<String>,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
    /// By whom.
    pub recorded_by: Option<Uuid>,
    /// When it happened: the moment of entry, or the day stated for history entered from the
    /// paper record.
    pub occurred_at: DateTime<Utc>,
    /// The paper document it was entered from, if any.
    pub source_document: Option<String>,
}

impl From<ReportHistoryRow> for ReportRevision {
    fn from(h: ReportHistoryRow) -> Self {
        Self {
            revision: h.revision,
            state: h.state,
            content: ReportContent::from_json(h.content),
            review_comment: h.review_comment,
            recorded_at: h.recorded_at,
            recorded_by: h.recorded_by,
            occurred_at: h.occurred_at,
            source_document: h.source_document,
        }
    }
}

/// One period of an assignment's reporting schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduledPeriod {
    /// The period, e.g. `2022-Q1`.
    pub period_code: String,
    /// First day of the data window.
    pub start: NaiveDate,
    /// Cut-off.
    pub end: NaiveDate,
    /// Day the report is due.
    pub due_date: NaiveDate,
    /// The report, if one was written.
    pub report_id: Option<Uuid>,
    /// Its state.
    pub state: Option<ReportState>,
    /// On time, late, within deadline, or overdue (a missing report past its due date).
    pub timeliness: Timeliness,
}

impl From<PeriodStatus> for ScheduledPeriod {
    fn from(p: PeriodStatus) -> Self {
        Self {
            period_code: p.period.code(),
            start: p.period.start,
            end: p.period.end,
            due_date: p.due_date,
            report_id: p.report_id,
            state: p.state,
            timeliness: p.timeliness,
        }
    }
}

/// An assignment's reporting schedule and how up to date it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Schedule {
    /// The assignment.
    pub assignment_id: Uuid,
    /// The round's cadence.
    pub cadence: Cadence,
    /// `overdue` when any report due by today is missing or late in coming, else
    /// `in_progress_within_deadline`.
    pub timeliness: Timeliness,
    /// When the last report was submitted.
    pub last_submitted_at: Option<DateTime<Utc>>,
    /// Days since then (or since the assignment started, if never).
    pub stale_days: i64,
    /// Every period.
    pub periods: Vec<ScheduledPeriod>,
}

impl From<ReportingSchedule> for Schedule {
    fn from(s: ReportingSchedule) -> Self {
        Self {
            assignment_id: s.assignment_id,
            cadence: s.cadence,
            timeliness: s.timeliness,
            last_submitted_at: s.last_submitted_at,
            stale_days: s.stale_days,
            periods: s.periods.into_iter().map(ScheduledPeriod::from).collect(),
        }
    }
}
