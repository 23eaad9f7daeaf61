//! Supervisors' opinions on assignments.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::views::Opinion;
use crate::app::supervision::{self as app, NewOpinion};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// List opinions on an assignment
///
/// Every opinion recorded on the assignment, oldest first.
#[utoipa::path(tag = "supervision",
    params(("id" = Uuid, Path, description = "Assignment id"), PageParams),
    responses((status = 200, description = "The opinions", body = Page<Opinion>), ReadErrors))]
#[get("/assignments/{id}/opinions")]
pub async fn list_opinions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<Opinion> = app::opinions(&mut conn, &caller, *id)
        .await?
        .into_iter()
        .map(Opinion::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}

/// Record an opinion
///
/// A supervisor watching the unit (or the assigning side) records an opinion on an issued
/// assignment; opinions are never changed. Needs `obstacle_respond` on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = NewOpinion,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Recorded", body = Opinion, headers(("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/opinions")]
pub async fn add_opinion(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewOpinion>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let view = Opinion::from(app::add_opinion(&mut conn, &caller, id, body.0).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/assignments/{id}/opinions"),
        ))
        .json(&view))
}
