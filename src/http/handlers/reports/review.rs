//! The review of a progress report: the head submits it, the Organisation Board accepts or
//! returns it.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::ProgressReport;
use crate::app::reports::{self as app, ReportReview};
use crate::auth::Caller;
use crate::domain::progress::ReportAction;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

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
    let row = app::act(&mut conn, &caller, id, &if_match, action, comment).await?;
    let view = ProgressReport::from(row);
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
