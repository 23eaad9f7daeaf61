//! Reading evidence: an assignment's list, one piece, and its verification marks.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::{Evidence, EvidenceMark};
use crate::app::evidence as app;
use crate::auth::Caller;
use crate::db::repo::evidence::ListFilter;
use crate::domain::evidence::EvidenceKind;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Filters of the evidence list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceFilter {
    /// Only this kind.
    pub kind: Option<EvidenceKind>,
    /// Only evidence attached to this progress report.
    pub report_id: Option<Uuid>,
    /// `false`: only standing evidence; `true`: only retracted; absent: both.
    pub retracted: Option<bool>,
}

/// List an assignment's evidence
///
/// The assignment's evidence, oldest first, retracted pieces included unless filtered out.
/// Readable by whoever can read the assignment.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Assignment id"), EvidenceFilter, PageParams),
    responses((status = 200, description = "A page of evidence", body = Page<Evidence>), ReadErrors))]
#[get("/assignments/{id}/evidence")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    filter: web::Query<EvidenceFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let filter = ListFilter {
        kind: filter.kind,
        report_id: filter.report_id,
        retracted: filter.retracted,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, *id, filter, limit + 1, after).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Evidence::from)))
}

/// Get a piece of evidence
///
/// Its record with its ETag; readable by whoever can read the assignment.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The evidence", body = Evidence, headers(("ETag" = String))), ReadErrors))]
#[get("/evidence/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evidence::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}

/// List a piece of evidence's verification marks
///
/// Every mark given, oldest first; the evidence shows the latest.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id"), PageParams),
    responses((status = 200, description = "The marks", body = Page<EvidenceMark>), ReadErrors))]
#[get("/evidence/{id}/marks")]
pub async fn list_marks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::marks(&mut conn, &caller, *id).await?;
    let out: Vec<EvidenceMark> = rows.into_iter().map(EvidenceMark::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}
