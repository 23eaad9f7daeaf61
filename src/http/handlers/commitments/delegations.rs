//! Signing delegations: listing, reading and recording them.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::Delegation;
use crate::app::commitments::{self as app, NewDelegation};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// Filters of the delegation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DelegationFilter {
    /// Only delegations for this unit.
    pub unit_id: Option<Uuid>,
}

/// List signing delegations
///
/// Delegations for units whose personnel the caller reads, ordered by id.
#[utoipa::path(tag = "commitments", params(DelegationFilter, PageParams),
    responses((status = 200, description = "A page of delegations", body = Page<Delegation>), ReadErrors))]
#[get("/signing-delegations")]
pub async fn list_delegations(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<DelegationFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::list_delegations(&mut conn, &caller, filter.unit_id, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Delegation::from)))
}

/// Get a signing delegation
///
/// One delegation. Needs `personnel_read` on its unit.
#[utoipa::path(tag = "commitments",
    params(("id" = Uuid, Path, description = "Delegation id")),
    responses((status = 200, description = "The delegation", body = Delegation), ReadErrors))]
#[get("/signing-delegations/{id}")]
pub async fn get_delegation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::get_delegation(&mut conn, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(Delegation::from(row)))
}

/// Record a signing delegation
///
/// Lets a cadre (e.g. a deputy acting for an absent head) sign commitments for a unit during a
/// period. Needs `personnel_manage` on the unit.
#[utoipa::path(tag = "commitments", request_body = NewDelegation,
    responses((status = 201, description = "Recorded", body = Delegation, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/signing-delegations")]
pub async fn create_delegation(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewDelegation>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Delegation::from(app::create_delegation(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/signing-delegations/{}", view.id),
        1,
        &view,
    ))
}
