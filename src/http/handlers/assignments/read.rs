//! Reading assignments: the list, one assignment, its terms versions and its roll-up.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::views::{Assignment, RollupView, TermsHistory, TermsVersion};
use crate::app::assignments::{self as app, AssignmentFilter};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// List assignments
///
/// Assignments the caller can read (given by units it reads, or issued to units it reads),
/// ordered by id, with cursor pagination and filters by round, year, assignee (with or without
/// subtree), group, content area, kind, state, flag, parent and free text.
#[utoipa::path(tag = "assignments", params(AssignmentFilter, PageParams),
    responses((status = 200, description = "A page of assignments", body = Page<Assignment>), ReadErrors))]
#[get("/assignments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AssignmentFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, filter.into_inner(), limit + 1, after).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Assignment::from)))
}

/// Get an assignment
///
/// One assignment with its current terms, state, commitment status and ETag.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The assignment", body = Assignment, headers(("ETag" = String))), ReadErrors))]
#[get("/assignments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = app::get(&mut conn, &caller, *id).await?;
    Ok(ok_tagged(a.version, &Assignment::from(a)))
}

/// List an assignment's terms versions
///
/// Every frozen version of the terms, from the issued text (version 1) through each approved
/// amendment, oldest first.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The versions", body = TermsHistory), ReadErrors))]
#[get("/assignments/{id}/terms")]
pub async fn terms(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (a, rows) = app::terms(&mut conn, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(TermsHistory {
        assignment_id: a.id,
        items: rows.into_iter().map(TermsVersion::from).collect(),
    }))
}

/// Roll up an assignment's children
///
/// For a parent split among subordinate units (cascade): the children's targets and latest
/// accepted actual values rolled up by the parent's method (sum, average, min or max), and whether the split
/// covers the parent's target.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The roll-up", body = RollupView), ReadErrors))]
#[get("/assignments/{id}/rollup")]
pub async fn rollup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let figures = app::rollup(&mut conn, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(RollupView::from(figures)))
}
