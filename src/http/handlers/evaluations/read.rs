//! Reading evaluations: an assignment's list, one evaluation.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::views::Evaluation;
use crate::app::evaluations as app;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ok_tagged;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// List an assignment's evaluations
///
/// Every evaluation of the assignment, overridden ones included, oldest first.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The evaluations", body = Vec<Evaluation>), ReadErrors))]
#[get("/assignments/{id}/evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<Evaluation> = app::list(&mut conn, &caller, *id)
        .await?
        .into_iter()
        .map(Evaluation::from)
        .collect();
    Ok(HttpResponse::Ok().json(out))
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
