//! Writing a progress report for a period of the assignment's schedule.

use actix_web::{put, web, HttpResponse};
use uuid::Uuid;

use super::views::ProgressReport;
use crate::app::reports::{self as app, ReportContent};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

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
    let (id, code) = path.into_inner();
    let tolerance = state.config.feed_tolerance;
    let mut conn = state.pool.get().await?;
    let (row, is_new) =
        app::write(&mut conn, &caller, id, &code, &if_match, body.0, tolerance).await?;
    let view = ProgressReport::from(row);
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
