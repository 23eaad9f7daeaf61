//! The head's steps: self-assess a period, assess again after a return.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::Evaluation;
use crate::app::evaluations::{self as app, SelfAssessment};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Self-assess a period
///
/// The head states the facts of each item, proposes a grade and cites evidence; the rule set
/// valid at the end of the period suggests a grade with its derivation. One evaluation per
/// assignment and period (409 when it exists). Needs `commitment_sign` on the assignee unit.
#[utoipa::path(tag = "evaluations", request_body = SelfAssessment,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Self-assessed", body = Evaluation, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/evaluations")]
pub async fn self_assess(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<SelfAssessment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evaluation::from(app::self_assess(&mut conn, &caller, *id, body.0).await?);
    Ok(created(
        format!("/api/v1/evaluations/{}", view.id),
        view.version,
        &view,
    ))
}

/// Assess again
///
/// After the Organisation Board returned the self-assessment, the head states it again (the
/// `period` field is ignored). Needs `commitment_sign` on the assignee unit and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = SelfAssessment,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Self-assessed", body = Evaluation, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/self-assess")]
pub async fn reassess(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<SelfAssessment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evaluation::from(app::reassess(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(view.version, &view))
}
