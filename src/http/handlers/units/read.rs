//! Reading units: the list, one unit, a subtree as of a date, a unit's history.

use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::{OrgUnit, Subtree, SubtreeEntry, UnitHistory};
use crate::app::units as app;
use crate::auth::Caller;
use crate::db::repo::units::ListFilter;
use crate::domain::vocab::UnitType;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, AsOfParams, Page, PageParams};
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Filters of the unit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    /// Date at which to read the tree (default today).
    pub as_of: Option<NaiveDate>,
    /// Also list units not valid on `as_of`.
    pub include_closed: Option<bool>,
    /// Only children of this unit (as of the date).
    pub parent_id: Option<Uuid>,
    /// Only this master-data code.
    pub code: Option<String>,
    /// Only this level code.
    pub level: Option<String>,
    /// Only this kind of unit.
    pub unit_type: Option<UnitType>,
    /// Name contains this text (case-insensitive).
    pub q: Option<String>,
}

/// List units
///
/// Units visible to the caller, valid on `as_of` (default today) unless `include_closed`,
/// ordered by id (creation order), with cursor pagination.
#[utoipa::path(tag = "organisation", params(UnitFilter, PageParams),
    responses((status = 200, description = "A page of units", body = Page<OrgUnit>), ReadErrors))]
#[get("/org-units")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UnitFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let filter = filter.into_inner();
    let f = ListFilter {
        day: filter.as_of.unwrap_or_else(|| Utc::now().date_naive()),
        include_closed: filter.include_closed.unwrap_or(false),
        parent_id: filter.parent_id,
        code: filter.code,
        level: filter.level,
        unit_type: filter.unit_type,
        name_like: filter
            .q
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(crate::domain::text::contains_pattern),
        after,
        limit: limit + 1,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &f).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |u| u.row.id, OrgUnit::from)))
}

/// Get a unit
///
/// One unit with its parent on `as_of` (default today).
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Unit id"), AsOfParams),
    responses((status = 200, description = "The unit", body = OrgUnit, headers(("ETag" = String))), ReadErrors))]
#[get("/org-units/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    as_of: web::Query<AsOfParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = OrgUnit::from(app::get(&mut conn, &caller, *id, as_of.date()).await?);
    Ok(ok_tagged(unit.version, &unit))
}

/// Subtree as of a date
///
/// The unit and every unit below it as the tree stood on `as_of` (default today): only units
/// and parent links valid on that day. Reading a date before a restructuring returns the tree
/// as it was.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Root unit id"), AsOfParams),
    responses((status = 200, description = "The subtree", body = Subtree), ReadErrors))]
#[get("/org-units/{id}/subtree")]
pub async fn subtree(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    as_of: web::Query<AsOfParams>,
) -> ApiResult<HttpResponse> {
    let day = as_of.date();
    let mut conn = state.pool.get().await?;
    let items = app::subtree(&mut conn, &caller, *id, day)
        .await?
        .into_iter()
        .map(|(depth, unit)| SubtreeEntry {
            depth,
            unit: unit.into(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Subtree { as_of: day, items }))
}

/// Unit history
///
/// The unit's parent links over time and its predecessors and successors through merges and splits.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses((status = 200, description = "The history", body = UnitHistory), ReadErrors))]
#[get("/org-units/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let history = app::history(&mut conn, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(UnitHistory::from(history)))
}
