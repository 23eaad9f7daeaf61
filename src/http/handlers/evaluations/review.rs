//! The assigning side's steps: appraise, return, decide, and a superior committee's override.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::{Evaluation, EvaluationOutcome};
use crate::app::evaluations::{self as app, Appraisal, Decision, Override, ReturnComment};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

/// Appraise and propose a grade
///
/// The Organisation Board checks the facts (restating them where it finds otherwise), adds
/// facts about the head (such as discipline), and proposes a grade; the answer carries the
/// rule set's suggestion and the group's quota with this proposal counted. Needs
/// `evaluation_appraise` on the assigning unit and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = Appraisal,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Appraised", body = EvaluationOutcome, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/appraise")]
pub async fn appraise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Appraisal>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome =
        EvaluationOutcome::from(app::appraise(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(outcome.evaluation.version, &outcome))
}

/// Return the last step
///
/// The Organisation Board returns a self-assessment to the head (`evaluation_appraise` on the
/// assigning unit), or the Standing Committee returns an appraisal to the Board
/// (`evaluation_decide`), with comments. Needs `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = ReturnComment,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Returned", body = Evaluation, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/return")]
pub async fn return_step(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReturnComment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evaluation::from(
        app::return_step(&mut conn, &caller, *id, &if_match, body.0.comment).await?,
    );
    Ok(ok_tagged(view.version, &view))
}

/// Decide the grade
///
/// The Standing Committee of the assigning unit decides the final grade. When the group's
/// excellent grades would exceed the quota, a `quota_exception_reason` is required (422
/// otherwise) and recorded. The grade is attributed to the cadres who held the head's post,
/// by days. Needs `evaluation_decide` on the assigning unit and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = Decision,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Decided", body = EvaluationOutcome, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/decide")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Decision>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome =
        EvaluationOutcome::from(app::decide(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(outcome.evaluation.version, &outcome))
}

/// Override a decided grade
///
/// A committee above the assigning unit cancels the decision and grades again. The earlier
/// evaluation stays, marked `overridden`; the new grade is a new decided evaluation that
/// points to it, attributed afresh. Needs `evaluation_decide` on a unit above the assigning
/// unit (over its subtree) and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = Override,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 201, description = "The new decision", body = Evaluation, headers(("ETag" = String), ("Location" = String))), UpdateErrors))]
#[post("/evaluations/{id}/override")]
pub async fn override_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Override>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view =
        Evaluation::from(app::override_decision(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(created(
        format!("/api/v1/evaluations/{}", view.id),
        view.version,
        &view,
    ))
}
