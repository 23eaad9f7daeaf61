//! Editing draft assignments: create, update and delete.

use actix_web::{delete, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::views::Assignment;
use crate::app::assignments::{self as app, AssignmentPatch, NewAssignment};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{DeleteErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Create an assignment
///
/// Adds a draft task or target to a draft round, addressed to the head of a unit below the
/// assigning unit. A child assignment (`parent_id`) cascades a parent given to the round's
/// assigning unit to a unit in its subtree, within the parent's period. Needs `round_manage`
/// on the round's assigning unit.
#[utoipa::path(tag = "assignments", request_body = NewAssignment,
    responses((status = 201, description = "Created", body = Assignment, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewAssignment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Assignment::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/assignments/{}", view.id),
        view.version,
        &view,
    ))
}

/// Update an assignment
///
/// Edits a draft assignment of a draft round (409 once issued: issued terms change only
/// through an approved amendment). Needs `If-Match` and `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = AssignmentPatch,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Assignment, headers(("ETag" = String))), UpdateErrors))]
#[patch("/assignments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<AssignmentPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::update(&mut conn, &caller, *id, &if_match, body.0).await?;
    let view = Assignment::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// Delete an assignment
///
/// Removes a draft assignment that has no children (409 otherwise; issued assignments are
/// withdrawn, never deleted). Needs `If-Match` and `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/assignments/{id}")]
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
