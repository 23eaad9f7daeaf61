//! Listing and reading commitments.

use actix_web::get;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::Commitment;
use crate::app::commitments as app;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Filters of the commitment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentFilter {
    /// Only commitments of this round.
    pub round_id: Option<Uuid>,
    /// Only commitments of this unit.
    pub assignee_unit_id: Option<Uuid>,
}

/// List commitments
///
/// Commitments of units the caller reads, or given in rounds of units it reads, ordered by id
/// (newest last), valid and invalidated alike.
#[utoipa::path(tag = "commitments", params(CommitmentFilter, PageParams),
    responses((status = 200, description = "A page of commitments", body = Page<Commitment>), ReadErrors))]
#[get("/commitments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<CommitmentFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::list(
        &mut conn,
        &caller,
        filter.round_id,
        filter.assignee_unit_id,
        after,
        limit + 1,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Commitment::from)))
}

/// Get a commitment
///
/// One commitment with the exact document signed, its hash and signature check.
#[utoipa::path(tag = "commitments",
    params(("id" = Uuid, Path, description = "Commitment id")),
    responses((status = 200, description = "The commitment", body = Commitment), ReadErrors))]
#[get("/commitments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::get(&mut conn, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(Commitment::from(row)))
}
