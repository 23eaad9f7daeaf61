//! The values feeds recorded against an assignment.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::views::Observation;
use crate::app::feeds as app;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// List an assignment's fed values
///
/// The values department feeds recorded against the assignment, newest day last (at most the
/// latest 1,000).
#[utoipa::path(tag = "feeds",
    params(("id" = Uuid, Path, description = "Assignment id"), PageParams),
    responses((status = 200, description = "The values", body = Page<Observation>), ReadErrors))]
#[get("/assignments/{id}/observations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::observations(&mut conn, &caller, *id).await?;
    let out: Vec<Observation> = rows.into_iter().map(Observation::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| (v.observed_on, v.id), |v| v)?))
}
