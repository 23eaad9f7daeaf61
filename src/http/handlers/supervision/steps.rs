//! The steps of an obstacle: answered, resolved, certified as an objective cause.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::Obstacle;
use crate::app::supervision::{self as app, ObstacleNote};
use crate::auth::Caller;
use crate::domain::progress::ObstacleAction;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

/// Applies `action` to obstacle `id`.
async fn step(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: ObstacleAction,
    note: String,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::act(&mut conn, &caller, id, &if_match, action, note).await?;
    let view = Obstacle::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// Answer an obstacle
///
/// A supervisor watching the unit (or the assigning side) answers with the support given
/// (`open` or `answered` → `answered`; 409 once resolved). Needs `If-Match` and
/// `obstacle_respond` on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = ObstacleNote,
    params(("id" = Uuid, Path, description = "Obstacle id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Answered", body = Obstacle, headers(("ETag" = String))), UpdateErrors))]
#[post("/obstacles/{id}/respond")]
pub async fn respond(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ObstacleNote>,
) -> ApiResult<HttpResponse> {
    step(
        state,
        caller,
        *id,
        if_match,
        ObstacleAction::Respond,
        body.0.note,
    )
    .await
}

/// Mark an obstacle resolved
///
/// The head's unit confirms the obstacle is removed (409 if already resolved). Needs
/// `If-Match` and `assignment_prepare` on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = ObstacleNote,
    params(("id" = Uuid, Path, description = "Obstacle id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Resolved", body = Obstacle, headers(("ETag" = String))), UpdateErrors))]
#[post("/obstacles/{id}/resolve")]
pub async fn resolve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ObstacleNote>,
) -> ApiResult<HttpResponse> {
    step(
        state,
        caller,
        *id,
        if_match,
        ObstacleAction::Resolve,
        body.0.note,
    )
    .await
}

/// Certify an objective cause
///
/// The assigning side certifies that the obstacle is an objective cause, outside the unit's
/// control; the assignment records it (it waives penalties in grading). Once only (409).
/// Needs `If-Match` and `objective_cause_certify` on the assigning unit.
#[utoipa::path(tag = "supervision", request_body = ObstacleNote,
    params(("id" = Uuid, Path, description = "Obstacle id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Certified", body = Obstacle, headers(("ETag" = String))), UpdateErrors))]
#[post("/obstacles/{id}/certify-objective-cause")]
pub async fn certify(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ObstacleNote>,
) -> ApiResult<HttpResponse> {
    step(
        state,
        caller,
        *id,
        if_match,
        ObstacleAction::CertifyObjectiveCause,
        body.0.note,
    )
    .await
}
