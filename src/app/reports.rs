//! Progress reports (báo cáo tiến độ): per assignment and reporting period, the head's unit
//! writes what was done; the head submits it and the Organisation Board accepts or returns it.
//! Every revision is kept in the report's history, so any report can be read "as of" a moment.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::lock_under_way;
use super::batch::{self, BatchOutcome, Refusal, Step, Written};
use super::locking::require_report_unlocked;
use super::{etag, in_tx, transition, Change, IfMatch, Tx, Workflow};
use crate::auth::policy::{assignments, reports, require_somewhere};
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, ReportHistoryRow, ReportRow};
use crate::db::repo;
use crate::domain::periods::{Cadence, Period};
use crate::domain::progress::{
    report_timeliness, schedule_timeliness, stale_days, Confidence, ReportAction, ReportState,
    Timeliness,
};
use crate::domain::roles::Permission;
use crate::domain::round_rules::AssignmentKind;
use crate::domain::text::plain_text;
use crate::domain::Violation;
use crate::error::ApiError;

/// What a head reports for one period.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportContent {
    /// What was done in the period.
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub narrative: String,
    /// The target's actual value (targets only).
    pub actual_value: Option<f64>,
    /// The day the value was measured (needed with a value).
    pub measured_on: Option<NaiveDate>,
    /// Where the value comes from (e.g. "Cục Thống kê, báo cáo tháng 3").
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub value_source: Option<String>,
    /// The head's own estimate of completion, in percent (0–200).
    #[validate(range(min = 0.0, max = 200.0))]
    #[schema(minimum = 0.0, maximum = 200.0)]
    pub self_assessed_completion: Option<f64>,
    /// On track, at risk or off track.
    pub confidence: Confidence,
    /// Why the confidence is worse than in the previous period (required then).
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub confidence_narrative: Option<String>,
    /// Obstacles (khó khăn, vướng mắc).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub obstacles: Option<String>,
    /// Proposals (kiến nghị).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub proposals: Option<String>,
}

impl ReportContent {
    /// The content stored as JSON (what an unreadable stored content reads as: empty).
    pub fn from_json(value: serde_json::Value) -> Self {
        serde_json::from_value(value).unwrap_or_else(|_| Self::empty())
    }

    fn empty() -> Self {
        Self {
            narrative: String::new(),
            actual_value: None,
            measured_on: None,
            value_source: None,
            self_assessed_completion: None,
            confidence: Confidence::OnTrack,
            confidence_narrative: None,
            obstacles: None,
            proposals: None,
        }
    }
}

/// A reviewer's comments.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportReview {
    /// Comments (required to return a report).
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub comment: Option<String>,
}

super::state_machine_workflow!(ReportRow, ReportState, ReportAction, "progress_report");

/// A report as it stood at a moment, from its history.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The report (its fixed facts: assignment, period, due date).
    pub report: ReportRow,
    /// The last state recorded by then.
    pub last: ReportHistoryRow,
    /// When it was first submitted, if it was by then.
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// The moment read at.
    pub at: DateTime<Utc>,
}

/// A report read now or as of a moment.
#[derive(Debug, Clone)]
pub enum Read {
    /// As it stands.
    Current(ReportRow),
    /// As it stood.
    AsOf(Snapshot),
}

/// The report as it stood at `at`, from its history (`None` if it did not exist yet).
async fn snapshot(
    conn: &mut AsyncPgConnection,
    report: ReportRow,
    at: DateTime<Utc>,
) -> Result<Option<Snapshot>, ApiError> {
    let rows = repo::reports::history(conn, report.id, Some(at)).await?;
    let first_submitted_at = rows
        .iter()
        .find(|h| h.state == ReportState::Submitted)
        .map(|h| h.occurred_at);
    Ok(rows.into_iter().last().map(|last| Snapshot {
        report,
        last,
        first_submitted_at,
        at,
    }))
}

/// The reports of an assignment the caller may read, by period; with `as_of`, as they stood
/// then (reports written later are left out).
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    as_of: Option<DateTime<Utc>>,
) -> Result<Vec<Read>, ApiError> {
    let a = assignments::visible(conn, caller, assignment).await?;
    let rows = repo::reports::of_assignment(conn, a.id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        match as_of {
            None => out.push(Read::Current(r)),
            Some(t) => out.extend(snapshot(conn, r, t).await?.map(Read::AsOf)),
        }
    }
    Ok(out)
}

/// One report the caller may read; with `as_of`, as it stood then (404 if it did not exist).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    as_of: Option<DateTime<Utc>>,
) -> Result<Read, ApiError> {
    let (r, _) = reports::visible(conn, caller, id).await?;
    match as_of {
        None => Ok(Read::Current(r)),
        Some(t) => snapshot(conn, r, t).await?.map(Read::AsOf).ok_or_else(|| {
            ApiError::not_found().detail(
                "the report did not exist yet at that moment",
                "báo cáo chưa tồn tại tại thời điểm đó",
            )
        }),
    }
}

/// Every recorded state of a report the caller may read, oldest first.
pub async fn revisions(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<ReportHistoryRow>, ApiError> {
    let (r, _) = reports::visible(conn, caller, id).await?;
    Ok(repo::reports::history(conn, r.id, None).await?)
}

/// The round's cadence and due days for assignment `a`.
pub(crate) async fn cadence_of(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
) -> Result<(Cadence, u32), ApiError> {
    let (cadence, due) = repo::reports::cadence_of_round(conn, a.round_id).await?;
    Ok((cadence, u32::try_from(due).unwrap_or(0)))
}

/// One period of an assignment's reporting schedule.
#[derive(Debug, Clone)]
pub struct PeriodStatus {
    /// The period.
    pub period: Period,
    /// Day the report is due.
    pub due_date: NaiveDate,
    /// The report, if one was written.
    pub report_id: Option<Uuid>,
    /// Its state.
    pub state: Option<ReportState>,
    /// On time, late, within deadline, or overdue (a missing report past its due date).
    pub timeliness: Timeliness,
}

/// An assignment's reporting schedule and how up to date it is.
#[derive(Debug, Clone)]
pub struct ReportingSchedule {
    /// The assignment.
    pub assignment_id: Uuid,
    /// The round's cadence.
    pub cadence: Cadence,
    /// The schedule's timeliness ([`schedule_timeliness`]).
    pub timeliness: Timeliness,
    /// When the last report was submitted.
    pub last_submitted_at: Option<DateTime<Utc>>,
    /// Days since then (or since the assignment started, if never).
    pub stale_days: i64,
    /// Every period.
    pub periods: Vec<PeriodStatus>,
}

/// The reporting schedule of an assignment the caller may read, as of today.
pub async fn schedule(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<ReportingSchedule, ApiError> {
    let a = assignments::visible(conn, caller, assignment).await?;
    let (cadence, due_days) = cadence_of(conn, &a).await?;
    let reports = repo::reports::of_assignment(conn, a.id).await?;
    let today = Utc::now().date_naive();
    let periods: Vec<PeriodStatus> = Period::schedule(cadence, a.start_date, a.end_date)
        .into_iter()
        .map(|p| {
            let code = p.code();
            let report = reports.iter().find(|r| r.period_code == code);
            let due_date = p.due(due_days).unwrap_or(p.end);
            PeriodStatus {
                timeliness: report_timeliness(
                    report.and_then(|r| r.first_submitted_at.map(|t| t.date_naive())),
                    due_date,
                    today,
                ),
                period: p,
                due_date,
                report_id: report.map(|r| r.id),
                state: report.map(|r| r.state),
            }
        })
        .collect();
    let last_submitted_at = reports.iter().filter_map(|r| r.submitted_at).max();
    Ok(ReportingSchedule {
        assignment_id: a.id,
        cadence,
        timeliness: schedule_timeliness(periods.iter().map(|p| (p.due_date, p.timeliness)), today),
        last_submitted_at,
        stale_days: stale_days(
            last_submitted_at.map(|t| t.date_naive()),
            a.start_date,
            today,
        ),
        periods,
    })
}

/// What makes `content` unfit for a report on `a` in `period`, given the previous period's
/// confidence.
pub(crate) fn content_violations(
    a: &AssignmentRow,
    period: &Period,
    content: &ReportContent,
    previous: Option<Confidence>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(v) = content.actual_value {
        if a.kind != AssignmentKind::Target {
            out.push(Violation::new(
                "actual_value",
                "not_a_target",
                "only a target has an actual value",
                "chỉ chỉ tiêu mới có giá trị thực hiện",
            ));
        }
        if !v.is_finite() {
            out.push(Violation::new(
                "actual_value",
                "not_finite",
                "must be a finite number",
                "phải là số hữu hạn",
            ));
        }
        match content.measured_on {
            None => out.push(Violation::new(
                "measured_on",
                "required",
                "say when the value was measured",
                "cần nêu ngày đo giá trị",
            )),
            Some(d) if d > period.end || d < a.start_date => out.push(Violation::new(
                "measured_on",
                "outside_period",
                "measured after the period's cut-off or before the assignment started",
                "ngày đo sau kỳ báo cáo hoặc trước khi bắt đầu nhiệm vụ",
            )),
            Some(_) => {}
        }
    }
    if previous.is_some_and(|p| content.confidence.worse_than(p))
        && content.confidence_narrative.is_none()
    {
        out.push(Violation::new(
            "confidence_narrative",
            "required",
            "explain why confidence is worse than in the previous period",
            "cần giải trình vì sao mức độ tin cậy giảm so với kỳ trước",
        ));
    }
    out
}

/// Writes the report of an assignment for period `code` of its schedule: creates it (`true`)
/// or replaces the content of a draft or returned one; changing an accepted report is a
/// correction that opens the next revision as a draft. A value reported for a target flags the
/// fed values that disagree with it beyond `tolerance`.
pub async fn write(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    code: &str,
    if_match: &IfMatch,
    content: ReportContent,
    tolerance: f64,
) -> Result<(ReportRow, bool), ApiError> {
    in_tx(conn, caller, async |tx| {
        write_step(tx, assignment, code, if_match, content, tolerance)
            .await?
            .map_err(Refusal::into_error)
    })
    .await
}

/// The step of writing a report, shared by [`write`] and [`submit_batch`]: the assignment must
/// be one the caller prepares reports for and under way, the period one of its schedule and
/// not locked under a decided evaluation, the content within the rules, and a report already
/// there must be named by its version.
async fn write_step(
    tx: &mut Tx<'_>,
    assignment: Uuid,
    code: &str,
    if_match: &IfMatch,
    content: ReportContent,
    tolerance: f64,
) -> Step<(ReportRow, bool)> {
    let caller = tx.caller;
    let rule = (
        "progress is reported on issued assignments",
        "chỉ báo cáo tiến độ nhiệm vụ đã ban hành",
    );
    let a = match lock_under_way(
        tx.conn,
        caller,
        assignment,
        Permission::AssignmentPrepare,
        rule,
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return Refusal::of(e, "assignment_id").map(Err),
    };
    let (cadence, due_days) = cadence_of(tx.conn, &a).await?;
    let Some(period) = Period::parse(code)
        .filter(|p| Period::schedule(cadence, a.start_date, a.end_date).contains(p))
    else {
        return Ok(Err(Refusal::rules(vec![Violation::new(
            "period",
            "not_in_schedule",
            "not a reporting period of this assignment (see reporting-schedule)",
            "không phải kỳ báo cáo của nhiệm vụ này",
        )])));
    };
    if let Err(e) = require_report_unlocked(tx.conn, a.id, period.end).await {
        let locked = Violation::new(
            "period",
            "locked",
            "a decided evaluation rests on this period; the Board must reopen it first",
            "kỳ này là căn cứ của kết quả đã quyết định; Ban Tổ chức cần mở lại trước",
        );
        return Refusal::with(e, locked).map(Err);
    }
    let previous = repo::reports::previous_content(tx.conn, a.id, period.end)
        .await?
        .and_then(|c| c["confidence"].as_str().and_then(Confidence::parse));
    let violations = content_violations(&a, &period, &content, previous);
    if !violations.is_empty() {
        return Ok(Err(Refusal::rules(violations)));
    }
    let json = serde_json::to_value(&content).map_err(ApiError::internal)?;
    let (row, before) = match repo::reports::lock_of_period(tx.conn, a.id, &period.code()).await? {
        None => {
            let row = ReportRow {
                id: Uuid::now_v7(),
                assignment_id: a.id,
                period_code: period.code(),
                period_start: period.start,
                period_end: period.end,
                due_date: period.due(due_days).unwrap_or(period.end),
                state: ReportState::Draft,
                revision: 1,
                content: json,
                actual_value: content.actual_value,
                first_submitted_at: None,
                submitted_at: None,
                reviewed_at: None,
                reviewed_by: None,
                review_comment: None,
                version: 1,
                created_at: tx.now,
                updated_at: tx.now,
                source_document: None,
            };
            (repo::reports::insert(tx.conn, &row).await?, None)
        }
        Some(r) => {
            if let Err(e) = if_match.check(r.version) {
                return Refusal::of(e, "version").map(Err);
            }
            let state = match r.state.next(ReportAction::Edit) {
                Ok(state) => state,
                Err(t) => {
                    let v =
                        Violation::new("period", "invalid_state", t.to_string(), t.message_vi());
                    return Refusal::with(t.into(), v).map(Err);
                }
            };
            let revision = r.revision + i32::from(r.state == ReportState::Accepted);
            let change = repo::reports::Content {
                state,
                revision,
                content: json,
                actual_value: content.actual_value,
            };
            let after = repo::reports::update_content(tx.conn, &r, change, tx.now).await?;
            (after, Some(r))
        }
    };
    repo::reports::remember(tx.conn, &row, caller.account_id).await?;
    if let Some(own) = row.actual_value {
        crate::app::feeds::flag_disagreeing(
            tx.conn,
            a.id,
            row.period_start,
            row.period_end,
            own,
            tolerance,
        )
        .await?;
    }
    tx.record(Change {
        action: if before.is_none() {
            "progress_report.create"
        } else {
            "progress_report.update"
        },
        resource_type: ReportRow::RESOURCE,
        resource_id: Some(row.id),
        unit_id: Some(a.assignee_unit_id),
        before: before.as_ref(),
        after: Some(&row),
    });
    let is_new = before.is_none();
    Ok(Ok((row, is_new)))
}

/// Applies `action` to report `id`: the head submits (`commitment_sign` on the assignee unit),
/// the Organisation Board accepts or returns (`report_review` on the assigning unit).
pub async fn act(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: ReportAction,
    comment: Option<String>,
) -> Result<ReportRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        review(tx, id, if_match, action, comment)
            .await?
            .map_err(Refusal::into_error)
    })
    .await
}

/// The step of applying `action` to report `id`, shared by [`act`] and [`accept_batch`] so one
/// report and a pile of them follow one rule: the report must be one the caller may read
/// (404), the caller must hold the action's permission on its unit (403), its period must not
/// rest under a decided evaluation (409), `If-Match` must name its version (428, 412) and the
/// action must be allowed from its state (409).
async fn review(
    tx: &mut Tx<'_>,
    id: Uuid,
    if_match: &IfMatch,
    action: ReportAction,
    comment: Option<String>,
) -> Step<ReportRow> {
    let caller = tx.caller;
    let (r, a) = match reports::lock_visible(tx.conn, caller, id).await {
        Ok(found) => found,
        Err(e) => return Refusal::of(e, "report_id").map(Err),
    };
    let (permission, unit) = match action {
        ReportAction::Submit => (Permission::CommitmentSign, a.assignee_unit_id),
        _ => (Permission::ReportReview, a.assigning_unit_id),
    };
    if let Err(e) = caller.require_on(tx.conn, permission, unit).await {
        return Refusal::of(e, "report_id").map(Err);
    }
    if let Err(e) = require_report_unlocked(tx.conn, a.id, r.period_end).await {
        let locked = Violation::new(
            "report_id",
            "locked",
            "a decided evaluation rests on this period; the Board must reopen it first",
            "kỳ này là căn cứ của kết quả đã quyết định; Ban Tổ chức cần mở lại trước",
        );
        return Refusal::with(e, locked).map(Err);
    }
    if let Err(e) = if_match.check(r.version) {
        return Refusal::of(e, "version").map(Err);
    }
    if let Err(t) = r.state.next(action) {
        let state = Violation::new("report_id", "invalid_state", t.to_string(), t.message_vi());
        return Refusal::with(t.into(), state).map(Err);
    }
    let row = transition(
        tx,
        r,
        if_match,
        action,
        a.assignee_unit_id,
        async |tx, r, next| {
            let row = match action {
                ReportAction::Submit => {
                    repo::reports::set_submitted(tx.conn, r, next, tx.now).await?
                }
                _ => {
                    let by = tx.caller.account_id;
                    repo::reports::set_reviewed(tx.conn, r, next, by, comment, tx.now).await?
                }
            };
            repo::reports::remember(tx.conn, &row, tx.caller.account_id).await?;
            Ok(row)
        },
    )
    .await?;
    Ok(Ok(row))
}

/// The acceptance of one report in a batch.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportAcceptance {
    /// The report, `submitted`.
    pub report_id: Uuid,
    /// The version last read (the report's `version`, what its `ETag` names): the item is
    /// rejected as `stale_version` when the report changed since.
    pub version: i32,
    /// Comments.
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub comment: Option<String>,
}

/// Reports accepted together.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportAcceptances {
    /// The reports, 1 to 1000.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub reports: Vec<ReportAcceptance>,
}

/// The Organisation Board accepts many submitted reports in one transaction (`report_review`
/// somewhere, 403 otherwise), each through the step of [`act`] with its own version: good items
/// are accepted, bad ones rejected with their errors.
pub async fn accept_batch(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    batch: ReportAcceptances,
) -> Result<BatchOutcome, ApiError> {
    require_somewhere(caller, Permission::ReportReview)?;
    in_tx(conn, caller, async |tx| {
        batch::run(tx, "reports", batch.reports, async |tx, item| {
            if let Err(e) = item.validate() {
                return Ok(Err(Refusal::invalid(&e)));
            }
            let if_match = IfMatch(Some(etag(item.version)));
            let done = review(
                tx,
                item.report_id,
                &if_match,
                ReportAction::Accept,
                item.comment,
            )
            .await?;
            Ok(done.map(|row| Written {
                id: row.id,
                version: row.version,
            }))
        })
        .await
    })
    .await
}

/// One report of a head's batch: what it says, for one assignment.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSubmission {
    /// The assignment reported on.
    pub assignment_id: Uuid,
    /// The version of the period's report last read, when one is already there (a draft or a
    /// returned report); absent for a new report.
    pub version: Option<i32>,
    /// What the report says.
    #[validate(nested)]
    pub content: ReportContent,
}

/// A head's reports for one period, submitted together.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSubmissions {
    /// The reporting period, e.g. `2022-Q3`.
    #[validate(length(min = 1, max = 10))]
    #[schema(min_length = 1, max_length = 10)]
    pub period: String,
    /// The reports, 1 to 1000.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub reports: Vec<ReportSubmission>,
}

/// A head writes and submits the reports of many assignments for one period in one
/// transaction, each through the steps of [`write`] and of submitting (`commitment_sign` on
/// its assignee unit): good items are submitted, bad ones rejected with their errors.
pub async fn submit_batch(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    batch: ReportSubmissions,
    tolerance: f64,
) -> Result<BatchOutcome, ApiError> {
    require_somewhere(caller, Permission::CommitmentSign)?;
    let period = batch.period;
    in_tx(conn, caller, async |tx| {
        batch::run(tx, "reports", batch.reports, async |tx, item| {
            if let Err(e) = item.validate() {
                return Ok(Err(Refusal::invalid(&e)));
            }
            let if_match = IfMatch(item.version.map(etag));
            let written = write_step(
                tx,
                item.assignment_id,
                &period,
                &if_match,
                item.content,
                tolerance,
            )
            .await?;
            let row = match written {
                Ok((row, _)) => row,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let if_match = IfMatch(Some(etag(row.version)));
            let done = review(tx, row.id, &if_match, ReportAction::Submit, None).await?;
            Ok(done.map(|row| Written {
                id: row.id,
                version: row.version,
            }))
        })
        .await
    })
    .await
}
