//! Raising and reading obstacles.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::views::Obstacle;
use crate::app::supervision::{self as app, NewObstacle};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// List an assignment's obstacles
///
/// Every obstacle raised on the assignment, oldest first.
#[utoipa::path(tag = "supervision",
    params(("id" = Uuid, Path, description = "Assignment id"), PageParams),
    responses((status = 200, description = "The obstacles", body = Page<Obstacle>), ReadErrors))]
#[get("/assignments/{id}/obstacles")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<Obstacle> = app::list(&mut conn, &caller, *id)
        .await?
        .into_iter()
        .map(Obstacle::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}

/// Raise an obstacle
///
/// The head's unit reports an obstacle on an issued assignment and asks for support. Needs
/// `assignment_prepare` (head or staff) on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = NewObstacle,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Raised", body = Obstacle, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/obstacles")]
pub async fn raise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewObstacle>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Obstacle::from(app::raise(&mut conn, &caller, *id, body.0).await?);
    Ok(created(
        format!("/api/v1/obstacles/{}", view.id),
        view.version,
        &view,
    ))
}

/// Get an obstacle
///
/// One obstacle with its answer, resolution and certification, and its ETag.
#[utoipa::path(tag = "supervision",
    params(("id" = Uuid, Path, description = "Obstacle id")),
    responses((status = 200, description = "The obstacle", body = Obstacle, headers(("ETag" = String))), ReadErrors))]
#[get("/obstacles/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Obstacle::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}
