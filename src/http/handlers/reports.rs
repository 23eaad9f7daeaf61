//! Progress reports (báo cáo tiến độ): per assignment and reporting period, the head's account
//! of what was done, the target's actual value, confidence, obstacles and proposals; the
//! Organisation Board accepts or returns them. Every revision is kept, so any report can be
//! read "as of" a moment.

use actix_web::{get, post, put};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{load_visible, lock};
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, ReportHistoryRow, ReportRow};
use crate::db::schema::{progress_report_history as history, progress_reports, rounds};
use crate::domain::periods::{Cadence, Period};
use crate::domain::progress::{
    report_timeliness, Confidence, ReportAction, ReportState, Timeliness,
};
use crate::domain::roles::Permission;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(schedule)
        .service(list)
        .service(put)
        .service(get)
        .service(revisions)
        .service(submit)
        .service(accept)
        .service(return_report);
}

/// What a head reports for one period.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportContent {
    /// What was done in the period.
    #[validate(
        length(min = 1, max = 20000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub narrative: String,
    /// The target's actual value (targets only).
    pub actual_value: Option<f64>,
    /// The day the value was measured (needed with a value).
    pub measured_on: Option<NaiveDate>,
    /// Where the value comes from (e.g. "Cục Thống kê, báo cáo tháng 3").
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub value_source: Option<String>,
    /// The head's own estimate of completion, in percent (0–200).
    #[validate(range(min = 0.0, max = 200.0))]
    pub self_assessed_completion: Option<f64>,
    /// On track, at risk or off track.
    pub confidence: Confidence,
    /// Why the confidence is worse than in the previous period (required then).
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub confidence_narrative: Option<String>,
    /// Obstacles (khó khăn, vướng mắc).
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub obstacles: Option<String>,
    /// Proposals (kiến nghị).
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub proposals: Option<String>,
}

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
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

impl From<ReportRow> for ProgressReport {
    fn from(r: ReportRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            timeliness: report_timeliness(
                r.first_submitted_at.map(|t| t.date_naive()),
                r.due_date,
                today(),
            ),
            period_code: r.period_code,
            period_start: r.period_start,
            period_end: r.period_end,
            due_date: r.due_date,
            state: ReportState::parse(&r.state).unwrap_or(ReportState::Draft),
            revision: r.revision,
            content: serde_json::from_value(r.content).unwrap_or_else(|_| empty_content()),
            first_submitted_at: r.first_submitted_at,
            review_comment: r.review_comment,
            version: Some(r.version),
            recorded_at: r.updated_at,
        }
    }
}

fn empty_content() -> ReportContent {
    ReportContent {
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

/// The report as it stood at `at`, from its history (`None` if it did not exist yet).
async fn as_of(
    conn: &mut AsyncPgConnection,
    r: ReportRow,
    at: DateTime<Utc>,
) -> Result<Option<ProgressReport>, ApiError> {
    let rows: Vec<ReportHistoryRow> = history::table
        .filter(history::report_id.eq(r.id))
        .filter(history::recorded_at.le(at))
        .order(history::id)
        .select(ReportHistoryRow::as_select())
        .load(conn)
        .await?;
    let Some(last) = rows.last() else {
        return Ok(None);
    };
    let first_submitted_at = rows
        .iter()
        .find(|h| h.state == "submitted")
        .map(|h| h.recorded_at);
    Ok(Some(ProgressReport {
        id: r.id,
        assignment_id: r.assignment_id,
        timeliness: report_timeliness(
            first_submitted_at.map(|t| t.date_naive()),
            r.due_date,
            at.date_naive(),
        ),
        period_code: r.period_code,
        period_start: r.period_start,
        period_end: r.period_end,
        due_date: r.due_date,
        state: ReportState::parse(&last.state).unwrap_or(ReportState::Draft),
        revision: last.revision,
        content: serde_json::from_value(last.content.clone()).unwrap_or_else(|_| empty_content()),
        first_submitted_at,
        review_comment: last.review_comment.clone(),
        version: None,
        recorded_at: last.recorded_at,
    }))
}

/// Appends the report's current state to its history.
async fn remember(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    r: &ReportRow,
) -> Result<(), ApiError> {
    diesel::insert_into(history::table)
        .values((
            history::report_id.eq(r.id),
            history::revision.eq(r.revision),
            history::state.eq(&r.state),
            history::content.eq(&r.content),
            history::actual_value.eq(r.actual_value),
            history::review_comment.eq(&r.review_comment),
            history::recorded_at.eq(r.updated_at),
            history::recorded_by.eq(caller.account_id),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The round's cadence and due days for assignment `a`.
async fn cadence_of(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
) -> Result<(Cadence, u32), ApiError> {
    let (cadence, due): (String, i32) = rounds::table
        .find(a.round_id)
        .select((rounds::reporting_cadence, rounds::report_due_days))
        .first(conn)
        .await?;
    Ok((
        Cadence::parse(&cadence).unwrap_or(Cadence::Quarterly),
        u32::try_from(due).unwrap_or(0),
    ))
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

/// Get an assignment's reporting schedule
///
/// Every reporting period of the assignment under the round's cadence (windows cut off on the
/// 14th as the national reporting regime sets), its due date, the report written for it if
/// any and its timeliness; a missing report past its due date is `overdue`.
#[utoipa::path(tag = "progress",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The schedule", body = Schedule), ReadErrors))]
#[get("/assignments/{id}/reporting-schedule")]
pub async fn schedule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let (cadence, due_days) = cadence_of(&mut conn, &a).await?;
    let reports: Vec<ReportRow> = progress_reports::table
        .filter(progress_reports::assignment_id.eq(a.id))
        .select(ReportRow::as_select())
        .load(&mut conn)
        .await?;
    let today = today();
    let periods: Vec<ScheduledPeriod> = Period::schedule(cadence, a.start_date, a.end_date)
        .into_iter()
        .map(|p| {
            let code = p.code();
            let report = reports.iter().find(|r| r.period_code == code);
            let due_date = p.due(due_days).unwrap_or(p.end);
            ScheduledPeriod {
                timeliness: report_timeliness(
                    report.and_then(|r| r.first_submitted_at.map(|t| t.date_naive())),
                    due_date,
                    today,
                ),
                period_code: code,
                start: p.start,
                end: p.end,
                due_date,
                report_id: report.map(|r| r.id),
                state: report.and_then(|r| ReportState::parse(&r.state)),
            }
        })
        .collect();
    let overdue = periods.iter().any(|p| {
        p.due_date < today
            && matches!(
                p.timeliness,
                Timeliness::Overdue | Timeliness::CompletedLate
            )
    });
    let last_submitted_at = reports.iter().filter_map(|r| r.submitted_at).max();
    let since = last_submitted_at
        .map(|t| t.date_naive())
        .unwrap_or(a.start_date);
    Ok(HttpResponse::Ok().json(Schedule {
        assignment_id: a.id,
        cadence,
        timeliness: if overdue {
            Timeliness::Overdue
        } else {
            Timeliness::InProgressWithinDeadline
        },
        last_submitted_at,
        stale_days: (today - since).num_days().max(0),
        periods,
    }))
}

/// A moment to read at.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Read what was known at this moment (RFC 3339); default: now.
    pub as_of: Option<DateTime<Utc>>,
}

/// List an assignment's progress reports
///
/// Every report of the assignment, by period; with `as_of`, as they stood at that moment
/// (reports written later are left out, corrected ones show their earlier content).
#[utoipa::path(tag = "progress",
    params(("id" = Uuid, Path, description = "Assignment id"), AsOf),
    responses((status = 200, description = "The reports", body = Vec<ProgressReport>), ReadErrors))]
#[get("/assignments/{id}/progress-reports")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    at: web::Query<AsOf>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<ReportRow> = progress_reports::table
        .filter(progress_reports::assignment_id.eq(a.id))
        .order(progress_reports::period_end)
        .select(ReportRow::as_select())
        .load(&mut conn)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        match at.as_of {
            None => out.push(ProgressReport::from(r)),
            Some(t) => out.extend(as_of(&mut conn, r, t).await?),
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Loads a report and checks the caller may read its assignment.
async fn load_report(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    for_update: bool,
) -> Result<(ReportRow, AssignmentRow), ApiError> {
    let q = progress_reports::table
        .find(id)
        .select(ReportRow::as_select());
    let r: ReportRow = if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    };
    let a = load_visible(conn, caller, r.assignment_id).await?;
    Ok((r, a))
}

/// Get a progress report
///
/// One report with its ETag; with `as_of`, as it stood at that moment (no ETag).
#[utoipa::path(tag = "progress",
    params(("id" = Uuid, Path, description = "Report id"), AsOf),
    responses((status = 200, description = "The report", body = ProgressReport, headers(("ETag" = String))), ReadErrors))]
#[get("/progress-reports/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    at: web::Query<AsOf>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (r, _) = load_report(&mut conn, &caller, *id, false).await?;
    match at.as_of {
        None => {
            let view = ProgressReport::from(r);
            Ok(ok_tagged(view.version.unwrap_or(1), &view))
        }
        Some(t) => match as_of(&mut conn, r, t).await? {
            Some(view) => Ok(HttpResponse::Ok().json(view)),
            None => Err(ApiError::not_found().detail(
                "the report did not exist yet at that moment",
                "báo cáo chưa tồn tại tại thời điểm đó",
            )),
        },
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
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// By whom.
    pub recorded_by: Option<Uuid>,
}

/// List a report's history
///
/// Every recorded state of the report, oldest first: edits, submissions, reviews and
/// corrections. Nothing is ever overwritten.
#[utoipa::path(tag = "progress",
    params(("id" = Uuid, Path, description = "Report id")),
    responses((status = 200, description = "The history", body = Vec<ReportRevision>), ReadErrors))]
#[get("/progress-reports/{id}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (r, _) = load_report(&mut conn, &caller, *id, false).await?;
    let rows: Vec<ReportHistoryRow> = history::table
        .filter(history::report_id.eq(r.id))
        .order(history::id)
        .select(ReportHistoryRow::as_select())
        .load(&mut conn)
        .await?;
    let out: Vec<ReportRevision> = rows
        .into_iter()
        .map(|h| ReportRevision {
            revision: h.revision,
            state: ReportState::parse(&h.state).unwrap_or(ReportState::Draft),
            content: serde_json::from_value(h.content).unwrap_or_else(|_| empty_content()),
            review_comment: h.review_comment,
            recorded_at: h.recorded_at,
            recorded_by: h.recorded_by,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// What makes `content` unfit for a report on `a` in `period`, given the previous period's
/// confidence.
fn content_violations(
    a: &AssignmentRow,
    period: &Period,
    content: &ReportContent,
    previous: Option<Confidence>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(v) = content.actual_value {
        if a.kind != crate::domain::round_rules::AssignmentKind::Target {
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

/// Write a progress report
///
/// Creates the report of an assignment for a period of its schedule (201), or replaces the
/// content of a draft or returned one (200, needs `If-Match`). Changing an accepted report is
/// a correction: it opens the next revision as a draft, and the accepted revision stays in the
/// history. A submitted report cannot change (409). Needs `assignment_prepare` (head or staff)
/// on the assignee unit.
#[utoipa::path(tag = "progress", request_body = ReportContent,
    params(
        ("id" = Uuid, Path, description = "Assignment id"),
        ("period" = String, Path, description = "Period code, e.g. 2022-Q1"),
        ("If-Match" = Option<String>, Header, description = "ETag last read, when the report exists")),
    responses(
        (status = 200, description = "Replaced", body = ProgressReport, headers(("ETag" = String))),
        (status = 201, description = "Created", body = ProgressReport, headers(("ETag" = String), ("Location" = String))),
        UpdateErrors))]
#[put("/assignments/{id}/progress-reports/{period}")]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    if_match: IfMatch,
    body: ValidJson<ReportContent>,
) -> ApiResult<HttpResponse> {
    let ((id, code), content) = (path.into_inner(), body.0);
    let tolerance = state.config.feed_tolerance;
    let mut conn = state.pool.get().await?;
    let (view, is_new) = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                caller
                    .require_on(conn, Permission::AssignmentPrepare, a.assignee_unit_id)
                    .await?;
                if !a.is_under_way() {
                    return Err(ApiError::conflict(
                        format!(
                            "progress is reported on issued assignments; this one is {}",
                            a.state
                        ),
                        format!(
                            "chỉ báo cáo tiến độ nhiệm vụ đã ban hành; nhiệm vụ đang {}",
                            a.state
                        ),
                    ));
                }
                let (cadence, due_days) = cadence_of(conn, &a).await?;
                let period = Period::parse(&code)
                    .filter(|p| Period::schedule(cadence, a.start_date, a.end_date).contains(p))
                    .ok_or_else(|| {
                        ApiError::violations(vec![Violation::new(
                            "period",
                            "not_in_schedule",
                            "not a reporting period of this assignment (see reporting-schedule)",
                            "không phải kỳ báo cáo của nhiệm vụ này",
                        )])
                    })?;
                let previous: Option<String> = progress_reports::table
                    .filter(progress_reports::assignment_id.eq(id))
                    .filter(progress_reports::period_end.lt(period.end))
                    .order(progress_reports::period_end.desc())
                    .select(progress_reports::content)
                    .first::<serde_json::Value>(conn)
                    .await
                    .optional()?
                    .and_then(|c| c["confidence"].as_str().map(str::to_owned));
                let violations = content_violations(
                    &a,
                    &period,
                    &content,
                    previous.as_deref().and_then(Confidence::parse),
                );
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                let now = Utc::now();
                let json = serde_json::to_value(&content).unwrap_or_default();
                let existing: Option<ReportRow> = progress_reports::table
                    .filter(progress_reports::assignment_id.eq(id))
                    .filter(progress_reports::period_code.eq(period.code()))
                    .select(ReportRow::as_select())
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                let (row, before, is_new) = match existing {
                    None => {
                        let row = ReportRow {
                            id: Uuid::now_v7(),
                            assignment_id: id,
                            period_code: period.code(),
                            period_start: period.start,
                            period_end: period.end,
                            due_date: period.due(due_days).unwrap_or(period.end),
                            state: ReportState::Draft.as_str().to_owned(),
                            revision: 1,
                            content: json,
                            actual_value: content.actual_value,
                            first_submitted_at: None,
                            submitted_at: None,
                            reviewed_at: None,
                            reviewed_by: None,
                            review_comment: None,
                            version: 1,
                            created_at: now,
                            updated_at: now,
                        };
                        let row: ReportRow = diesel::insert_into(progress_reports::table)
                            .values(&row)
                            .returning(ReportRow::as_returning())
                            .get_result(conn)
                            .await?;
                        (row, None, true)
                    }
                    Some(r) => {
                        if_match.check(r.version)?;
                        let current = ReportState::parse(&r.state).unwrap_or(ReportState::Draft);
                        let next = current.next(ReportAction::Edit)?;
                        let revision = r.revision + i32::from(current == ReportState::Accepted);
                        let before = ProgressReport::from(r.clone());
                        let row: ReportRow = diesel::update(progress_reports::table.find(r.id))
                            .set((
                                progress_reports::state.eq(next.as_str()),
                                progress_reports::revision.eq(revision),
                                progress_reports::content.eq(json),
                                progress_reports::actual_value.eq(content.actual_value),
                                progress_reports::version.eq(r.version + 1),
                                progress_reports::updated_at.eq(now),
                            ))
                            .returning(ReportRow::as_returning())
                            .get_result(conn)
                            .await?;
                        (row, Some(before), false)
                    }
                };
                remember(conn, &caller, &row).await?;
                if let Some(own) = row.actual_value {
                    super::feeds::flag_disagreeing(
                        conn,
                        id,
                        row.period_start,
                        row.period_end,
                        own,
                        tolerance,
                    )
                    .await?;
                }
                let view = ProgressReport::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: if is_new {
                            "progress_report.create"
                        } else {
                            "progress_report.update"
                        },
                        resource_type: "progress_report",
                        resource_id: Some(view.id),
                        unit_id: Some(a.assignee_unit_id),
                        before: before.as_ref(),
                        after: Some(&view),
                    },
                )
                .await?;
                Ok((view, is_new))
            }
            .scope_boxed()
        })
        .await?;
    let version = view.version.unwrap_or(1);
    Ok(if is_new {
        created(
            format!("/api/v1/progress-reports/{}", view.id),
            version,
            &view,
        )
    } else {
        ok_tagged(version, &view)
    })
}

/// A reviewer's comments.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportReview {
    /// Comments (required to return a report).
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub comment: Option<String>,
}

/// Applies `action` to report `id`: the head submits, the Organisation Board reviews.
async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: ReportAction,
    comment: Option<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (r, a) = load_report(conn, &caller, id, true).await?;
                let (permission, unit) = match action {
                    ReportAction::Submit => (Permission::CommitmentSign, a.assignee_unit_id),
                    _ => (Permission::ReportReview, a.assigning_unit_id),
                };
                caller.require_on(conn, permission, unit).await?;
                if_match.check(r.version)?;
                let before = ProgressReport::from(r.clone());
                let next = before.state.next(action)?;
                let now = Utc::now();
                let row: ReportRow = match action {
                    ReportAction::Submit => {
                        diesel::update(progress_reports::table.find(id))
                            .set((
                                progress_reports::state.eq(next.as_str()),
                                progress_reports::first_submitted_at
                                    .eq(r.first_submitted_at.unwrap_or(now)),
                                progress_reports::submitted_at.eq(now),
                                progress_reports::version.eq(r.version + 1),
                                progress_reports::updated_at.eq(now),
                            ))
                            .returning(ReportRow::as_returning())
                            .get_result(conn)
                            .await?
                    }
                    _ => {
                        diesel::update(progress_reports::table.find(id))
                            .set((
                                progress_reports::state.eq(next.as_str()),
                                progress_reports::reviewed_at.eq(now),
                                progress_reports::reviewed_by.eq(caller.account_id),
                                progress_reports::review_comment.eq(comment),
                                progress_reports::version.eq(r.version + 1),
                                progress_reports::updated_at.eq(now),
                            ))
                            .returning(ReportRow::as_returning())
                            .get_result(conn)
                            .await?
                    }
                };
                remember(conn, &caller, &row).await?;
                let after = ProgressReport::from(row);
                let verb = match action {
                    ReportAction::Submit => "progress_report.submit",
                    ReportAction::Accept => "progress_report.accept",
                    _ => "progress_report.return",
                };
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: verb,
                        resource_type: "progress_report",
                        resource_id: Some(id),
                        unit_id: Some(a.assignee_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version.unwrap_or(1), &view))
}

/// Submit a progress report
///
/// The head sends the report to the Organisation Board (`draft` or `returned` → `submitted`;
/// 409 otherwise). The first submission fixes its timeliness. Needs `If-Match` and
/// `commitment_sign` (the head) on the assignee unit.
#[utoipa::path(tag = "progress",
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Submitted", body = ProgressReport, headers(("ETag" = String))), UpdateErrors))]
#[post("/progress-reports/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    act(state, caller, *id, if_match, ReportAction::Submit, None).await
}

/// Accept a progress report
///
/// The Organisation Board accepts a submitted report (409 from any other state). Needs
/// `If-Match` and `report_review` on the assigning unit.
#[utoipa::path(tag = "progress", request_body = ReportReview,
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Accepted", body = ProgressReport, headers(("ETag" = String))), UpdateErrors))]
#[post("/progress-reports/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReportReview>,
) -> ApiResult<HttpResponse> {
    act(
        state,
        caller,
        *id,
        if_match,
        ReportAction::Accept,
        body.0.comment,
    )
    .await
}

/// Return a progress report
///
/// The Organisation Board returns a submitted report with comments (422 without; 409 from any
/// other state). Needs `If-Match` and `report_review` on the assigning unit.
#[utoipa::path(tag = "progress", request_body = ReportReview,
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Returned", body = ProgressReport, headers(("ETag" = String))), UpdateErrors))]
#[post("/progress-reports/{id}/return")]
pub async fn return_report(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReportReview>,
) -> ApiResult<HttpResponse> {
    let Some(comment) = body.0.comment else {
        return Err(ApiError::violations(vec![Violation::new(
            "comment",
            "required",
            "say why the report is returned",
            "cần nêu lý do trả lại báo cáo",
        )]));
    };
    act(
        state,
        caller,
        *id,
        if_match,
        ReportAction::Return,
        Some(comment),
    )
    .await
}
