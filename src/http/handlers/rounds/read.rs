//! Reading rounds: the list, one round, its readiness and its decisions.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::{Readiness, Round, RoundDecision};
use crate::app::rounds::{self as app, ListFilter};
use crate::auth::Caller;
use crate::domain::workflow::RoundState;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Filters of the round list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundFilter {
    /// Only rounds of this assigning unit.
    pub assigning_unit_id: Option<Uuid>,
    /// Only rounds of this year.
    pub year: Option<i32>,
    /// Only rounds in this state.
    pub state: Option<RoundState>,
}

/// List rounds
///
/// Rounds the caller can read (those of units it reads, and those that gave assignments to
/// units it reads), ordered by id, with cursor pagination.
#[utoipa::path(tag = "assignments", params(RoundFilter, PageParams),
    responses((status = 200, description = "A page of rounds", body = Page<Round>), ReadErrors))]
#[get("/rounds")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<RoundFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let filter = ListFilter {
        assigning_unit_id: filter.assigning_unit_id,
        year: filter.year,
        state: filter.state,
    };
    let rows = app::list(&mut conn, &caller, &filter, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.round.id, Round::from)))
}

/// Get a round
///
/// One round with its per-group rules and its ETag.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The round", body = Round, headers(("ETag" = String))), ReadErrors))]
#[get("/rounds/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = Round::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(round.version, &round))
}

/// Check a round's readiness
///
/// Lists every unit whose planned assignments break its group's rule (too few or too many
/// tasks, a required content area missing, no growth target where one is required, a unit in
/// two groups). A round with breaches can be issued only with a written override.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The breaches, if any", body = Readiness), ReadErrors))]
#[get("/rounds/{id}/readiness")]
pub async fn readiness(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let readiness = Readiness::from(app::readiness(&mut conn, &caller, *id).await?);
    Ok(HttpResponse::Ok().json(readiness))
}

/// List a round's decisions
///
/// The decision records of an issued round, one per assignee unit the caller can read (all
/// of them for readers of the assigning unit), ordered by id.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id"), PageParams),
    responses((status = 200, description = "A page of decisions", body = Page<RoundDecision>), ReadErrors))]
#[get("/rounds/{id}/decisions")]
pub async fn decisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let rows = app::decisions(&mut conn, &caller, *id, after, limit).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, RoundDecision::from)))
}
