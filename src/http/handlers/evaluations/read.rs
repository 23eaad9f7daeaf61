//! Reading evaluations: an assignment's list, one evaluation, and what the record shows for a
//! period before it is assessed.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::Evaluation;
use crate::app::evaluations as app;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// List an assignment's evaluations
///
/// Every evaluation of the assignment, overridden ones included, oldest first.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Assignment id"), PageParams),
    responses((status = 200, description = "The evaluations", body = Page<Evaluation>), ReadErrors))]
#[get("/assignments/{id}/evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<Evaluation> = app::list(&mut conn, &caller, *id)
        .await?
        .into_iter()
        .map(Evaluation::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}

/// Get an evaluation
///
/// One evaluation with its ETag.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Evaluation id")),
    responses((status = 200, description = "The evaluation", body = Evaluation, headers(("ETag" = String))), ReadErrors))]
#[get("/evaluations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evaluation::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}

/// Which period to read, under which rule set.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewParams {
    /// `term`, a year within the assignment's span, or a quarter (`2022-Q3`) when the round
    /// asks for quarterly evaluation.
    pub period: String,
    /// Rule set to apply (default: the latest valid at the end of the period).
    pub rule_set_code: Option<String>,
}

/// Read the facts on record for a period
///
/// The facts of the assignment derived from the record up to the end of the period (accepted
/// reports, licensed feed values, evidence and its marks, spot-check findings, the deadline in
/// force), each with its sources, and the grade they suggest: what a self-assessment of the
/// period will start from. Readable by readers of the assignment.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Assignment id"), PreviewParams),
    responses((status = 200, description = "The derived facts and the suggestion", body = app::Preview), ReadErrors))]
#[get("/assignments/{id}/derived-facts")]
pub async fn derived_facts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<PreviewParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let params = params.into_inner();
    let preview = app::preview(
        &mut conn,
        &caller,
        *id,
        params.period,
        params.rule_set_code.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(preview))
}
