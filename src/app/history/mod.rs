//! History entered as it happened: the Organisation Board records, from the paper record, a
//! past round's progress reports with the days they were submitted and accepted, and its
//! decided evaluations with the days of their steps. The stated
//! days drive timeliness and "as of" figures; the moment of entry is kept beside them, and each
//! entry cites its paper document. A batch answers one outcome per item (see [`super::batch`]):
//! good items are recorded, bad ones say why, and nothing half-done is left.

mod evaluations;

pub use self::evaluations::*;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::batch::{self, BatchOutcome, Refusal, Written};
use super::reports::{cadence_of, content_violations, ReportContent};
use super::{in_tx, Tx};
use crate::auth::policy::assignments::visible;
use crate::auth::policy::require_somewhere;
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, ReportRow};
use crate::db::repo;
use crate::domain::periods::Period;
use crate::domain::progress::ReportState;
use crate::domain::record::report_locked;
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::Violation;
use crate::error::ApiError;

/// A progress report as it happened on paper.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PastReport {
    /// The assignment reported on.
    pub assignment_id: Uuid,
    /// The reporting period, e.g. `2022-Q3` (see the assignment's reporting schedule).
    pub period: String,
    /// What the report said.
    #[validate(nested)]
    pub content: ReportContent,
    /// The day the head submitted it.
    pub submitted_on: NaiveDate,
    /// The day the Board accepted it (absent: it was submitted and never accepted).
    pub accepted_on: Option<NaiveDate>,
    /// The paper document it is entered from, e.g. "Báo cáo số 15-BC/STNMT ngày 10/10/2022".
    pub source_document: String,
}

/// A batch of past reports.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PastReports {
    /// The reports, 1 to 1000.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub reports: Vec<PastReport>,
}

/// Noon UTC of `day`: a moment that reads as that day in Vietnam and in UTC.
pub(super) fn moment(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
        .and_utc()
}

/// The rules of a past report's own fields: the document, and days in order, within the
/// assignment's life and not in the future.
pub fn date_violations(r: &PastReport, a_start: NaiveDate, today: NaiveDate) -> Vec<Violation> {
    let mut out = Vec::new();
    if r.source_document.trim().is_empty() || r.source_document.chars().count() > 500 {
        out.push(Violation::new(
            "source_document",
            "length",
            "cite the paper document (1 to 500 characters)",
            "cần dẫn văn bản giấy (1 đến 500 ký tự)",
        ));
    } else if let Err(e) = plain_text(&r.source_document) {
        out.push(Violation::new(
            "source_document",
            "plain_text",
            e.to_string(),
            "chỉ nhận văn bản thuần",
        ));
    }
    if r.submitted_on < a_start || r.submitted_on > today {
        out.push(Violation::new(
            "submitted_on",
            "out_of_range",
            "the day must fall between the assignment's start and today",
            "ngày phải nằm trong khoảng từ khi bắt đầu nhiệm vụ đến hôm nay",
        ));
    }
    if let Some(accepted) = r.accepted_on {
        if accepted < r.submitted_on || accepted > today {
            out.push(Violation::new(
                "accepted_on",
                "out_of_range",
                "a report is accepted after it is submitted, and not after today",
                "ngày chấp nhận phải sau ngày nộp và không sau hôm nay",
            ));
        }
    }
    out
}

/// The checks of one item that need the database; the assignment and period when it passes.
async fn check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    item: &PastReport,
    today: NaiveDate,
) -> Result<Result<(AssignmentRow, Period, u32), Vec<Violation>>, ApiError> {
    let a = match visible(conn, caller, item.assignment_id).await {
        Ok(a) => a,
        Err(e) if e.status().as_u16() == 404 => {
            return Ok(Err(vec![Violation::new(
                "assignment_id",
                "unknown_assignment",
                "no assignment with this id that you may read",
                "không có nhiệm vụ này hoặc bạn không có quyền xem",
            )]))
        }
        Err(e) => return Err(e),
    };
    if !caller
        .can(conn, Permission::HistoryRecord, a.assigning_unit_id)
        .await?
    {
        return Ok(Err(vec![Violation::new(
            "assignment_id",
            "forbidden",
            "you may not enter history for this assigning unit",
            "bạn không có quyền nhập hồ sơ lịch sử của đơn vị giao nhiệm vụ này",
        )]));
    }
    let mut out = date_violations(item, a.start_date, today);
    if !a.is_under_way() {
        out.push(Violation::new(
            "assignment_id",
            "not_under_way",
            "progress is reported on issued assignments",
            "chỉ báo cáo tiến độ nhiệm vụ đã ban hành",
        ));
    }
    let (cadence, due_days) = cadence_of(conn, &a).await?;
    let Some(period) = Period::parse(&item.period)
        .filter(|p| Period::schedule(cadence, a.start_date, a.end_date).contains(p))
    else {
        out.push(Violation::new(
            "period",
            "not_in_schedule",
            "not a reporting period of this assignment (see reporting-schedule)",
            "không phải kỳ báo cáo của nhiệm vụ này",
        ));
        return Ok(Err(out));
    };
    let decided = repo::record::decided(conn, a.id).await?;
    if report_locked(period.end, &decided) {
        out.push(Violation::new(
            "period",
            "locked",
            "a decided evaluation rests on this period; the Board must reopen it first",
            "kỳ này là căn cứ của kết quả đã quyết định; Ban Tổ chức cần mở lại trước",
        ));
    }
    if repo::reports::lock_of_period(conn, a.id, &period.code())
        .await?
        .is_some()
    {
        out.push(Violation::new(
            "period",
            "already_reported",
            "this period already has a report",
            "kỳ này đã có báo cáo",
        ));
    }
    out.extend(
        content_violations(&a, &period, &item.content, None)
            .into_iter()
            .map(|v| Violation {
                field: format!("content.{}", v.field),
                ..v
            }),
    );
    if let Err(e) = item.validate() {
        out.extend(super::validation::violations(&e));
    }
    Ok(if out.is_empty() {
        Ok((a, period, due_days))
    } else {
        Err(out)
    })
}

/// Records past reports as they happened (`history_record` on each assigning unit): each good
/// item becomes a report submitted (and accepted) on the stated days, entered now.
pub async fn record_reports(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    batch: PastReports,
) -> Result<BatchOutcome, ApiError> {
    require_somewhere(caller, Permission::HistoryRecord)?;
    in_tx(conn, caller, async |tx| {
        let today = tx.now.date_naive();
        // An earlier item of the batch recorded in this transaction counts as a report already
        // there.
        batch::run(tx, "reports", batch.reports, async |tx, item| {
            Ok(match check(tx.conn, caller, &item, today).await? {
                Ok((a, period, due_days)) => Ok(record(tx, item, &a, &period, due_days).await?),
                Err(violations) => Err(Refusal::rules(violations)),
            })
        })
        .await
    })
    .await
}

/// Writes one checked past report of assignment `a` for `period`, with its history on the
/// stated days.
async fn record(
    tx: &mut Tx<'_>,
    item: PastReport,
    a: &AssignmentRow,
    period: &Period,
    due_days: u32,
) -> Result<Written, ApiError> {
    let submitted = moment(item.submitted_on);
    let accepted = item.accepted_on.map(moment);
    let row = ReportRow {
        id: Uuid::now_v7(),
        assignment_id: a.id,
        period_code: period.code(),
        period_start: period.start,
        period_end: period.end,
        due_date: period.due(due_days).unwrap_or(period.end),
        state: if accepted.is_some() {
            ReportState::Accepted
        } else {
            ReportState::Submitted
        },
        revision: 1,
        content: serde_json::to_value(&item.content).map_err(ApiError::internal)?,
        actual_value: item.content.actual_value,
        first_submitted_at: Some(submitted),
        submitted_at: Some(submitted),
        reviewed_at: accepted,
        reviewed_by: accepted.map(|_| tx.caller.account_id),
        review_comment: None,
        version: 1,
        created_at: tx.now,
        updated_at: tx.now,
        source_document: Some(item.source_document.clone()),
    };
    let row = repo::reports::insert(tx.conn, &row).await?;
    let by = tx.caller.account_id;
    let document = item.source_document.as_str();
    repo::reports::remember_past(
        tx.conn,
        &row,
        ReportState::Submitted,
        by,
        submitted,
        document,
    )
    .await?;
    if let Some(at) = accepted {
        repo::reports::remember_past(tx.conn, &row, ReportState::Accepted, by, at, document)
            .await?;
    }
    tx.created(
        "progress_report.record_history",
        row.id,
        Some(a.assignee_unit_id),
        &row,
    );
    Ok(Written {
        id: row.id,
        version: row.version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn past(submitted: NaiveDate, accepted: Option<NaiveDate>, document: &str) -> PastReport {
        PastReport {
            assignment_id: Uuid::nil(),
            period: "2022-Q3".into(),
            content: serde_json::from_value(serde_json::json!({
                "narrative": "Đã hoàn thành", "confidence": "on_track"
            }))
            .unwrap(),
            submitted_on: submitted,
            accepted_on: accepted,
            source_document: document.into(),
        }
    }

    #[test]
    fn days_must_be_in_order_within_the_assignment_and_not_ahead() {
        let (start, today) = (d(2022, 1, 1), d(2026, 11, 30));
        let ok = past(
            d(2022, 10, 10),
            Some(d(2022, 10, 20)),
            "Báo cáo số 15-BC/STNMT",
        );
        assert!(date_violations(&ok, start, today).is_empty());
        let cases = [
            (past(d(2021, 12, 31), None, "x"), "submitted_on"),
            (past(d(2026, 12, 1), None, "x"), "submitted_on"),
            (
                past(d(2022, 10, 10), Some(d(2022, 10, 9)), "x"),
                "accepted_on",
            ),
            (past(d(2022, 10, 10), None, "  "), "source_document"),
        ];
        for (item, field) in cases {
            let fields: Vec<String> = date_violations(&item, start, today)
                .into_iter()
                .map(|v| v.field)
                .collect();
            assert_eq!(fields, [field], "{item:?}");
        }
    }

    #[test]
    fn a_stated_day_reads_as_that_day() {
        assert_eq!(moment(d(2022, 10, 10)).date_naive(), d(2022, 10, 10));
    }
}
