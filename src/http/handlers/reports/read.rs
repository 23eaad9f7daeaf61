//! Reading progress reports: the reporting schedule, the reports of an assignment, one report
//! and its history, now or as of a moment.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::{ProgressReport, ReportRevision, Schedule};
use crate::app::reports::{self as app, Read};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

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
    let schedule = Schedule::from(app::schedule(&mut conn, &caller, *id).await?);
    Ok(HttpResponse::Ok().json(schedule))
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
    params(("id" = Uuid, Path, description = "Assignment id"), AsOf, PageParams),
    responses((status = 200, description = "The reports", body = Page<ProgressReport>), ReadErrors))]
#[get("/assignments/{id}/progress-reports")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    at: web::Query<AsOf>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<ProgressReport> = app::list(&mut conn, &caller, *id, at.as_of)
        .await?
        .into_iter()
        .map(ProgressReport::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| (v.period_end, v.id), |v| v)?))
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
    Ok(match app::get(&mut conn, &caller, *id, at.as_of).await? {
        Read::Current(r) => {
            let view = ProgressReport::from(r);
            ok_tagged(view.version.unwrap_or(1), &view)
        }
        Read::AsOf(s) => HttpResponse::Ok().json(ProgressReport::from(s)),
    })
}

/// List a report's history
///
/// Every recorded state of the report, oldest first: edits, submissions, reviews and
/// corrections. Nothing is ever overwritten.
#[utoipa::path(tag = "progress",
    params(("id" = Uuid, Path, description = "Report id"), PageParams),
    responses((status = 200, description = "The history", body = Page<ReportRevision>), ReadErrors))]
#[get("/progress-reports/{id}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<ReportRevision> = app::revisions(&mut conn, &caller, *id)
        .await?
        .into_iter()
        .map(ReportRevision::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(
        out,
        &page,
        |v| (v.occurred_at, v.revision),
        |v| v,
    )?))
}
