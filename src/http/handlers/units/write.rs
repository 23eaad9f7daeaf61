//! Changing units: create, update, delete, move and close.

use actix_web::{delete, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::views::OrgUnit;
use crate::app::units::{self as app, CloseUnit, MoveUnit, NewUnit, UnitPatch};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{DeleteErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Create a unit
///
/// Adds a unit under `parent_id` (needs `admin` on the parent) or as a new top unit (needs
/// `admin` over a whole tree). The parent must be valid on `valid_from` and its level may not rank
/// below the new unit's (a department sits at its province's level).
#[utoipa::path(tag = "organisation", request_body = NewUnit,
    responses((status = 201, description = "Created", body = OrgUnit, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/org-units")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewUnit>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = OrgUnit::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/org-units/{}", unit.id),
        unit.version,
        &unit,
    ))
}

/// Update a unit
///
/// Renames a unit or changes its code or kind. Needs `If-Match` and `admin` on the unit.
#[utoipa::path(tag = "organisation", request_body = UnitPatch,
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = OrgUnit, headers(("ETag" = String))), UpdateErrors))]
#[patch("/org-units/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<UnitPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = OrgUnit::from(app::update(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(unit.version, &unit))
}

/// Delete a unit
///
/// Removes a unit entered by mistake. A unit that anything refers to (children, posts,
/// accounts, groups, restructuring) cannot be deleted (409): close it instead, so history is
/// kept. Needs `If-Match` and `admin` on the unit.
#[utoipa::path(tag = "organisation",
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/org-units/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    app::delete(&mut conn, &caller, *id, &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move a unit
///
/// Re-attaches a unit to another parent from `effective_date`; the old link ends the day
/// before, so the tree as of earlier dates is unchanged. Needs `If-Match`, `admin` on the unit
/// and on the new parent.
#[utoipa::path(tag = "organisation", request_body = MoveUnit,
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Moved", body = OrgUnit, headers(("ETag" = String))), UpdateErrors))]
#[post("/org-units/{id}/move")]
pub async fn move_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<MoveUnit>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = OrgUnit::from(app::move_unit(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(unit.version, &unit))
}

/// Close a unit
///
/// Ends a unit's validity on `valid_to`. Refused (409) while it has children after that day;
/// posts still open then end with it. Needs `If-Match` and `admin` on the unit.
#[utoipa::path(tag = "organisation", request_body = CloseUnit,
    params(("id" = Uuid, Path, description = "Unit id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Closed", body = OrgUnit, headers(("ETag" = String))), UpdateErrors))]
#[post("/org-units/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<CloseUnit>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = OrgUnit::from(app::close(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(unit.version, &unit))
}
