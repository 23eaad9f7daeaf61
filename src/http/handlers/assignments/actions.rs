//! Actions on an issued assignment: start, withdraw and carry over.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::Assignment;
use crate::app::assignments::{self as app, CarryOver, Withdrawal};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Start work on an assignment
///
/// The head records that implementation has started (`committed` → `in_progress`; 409 from any
/// other state). Needs `If-Match` and `commitment_sign` (the head) on the assignee unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Started", body = Assignment, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/start")]
pub async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Assignment::from(app::start(&mut conn, &caller, *id, &if_match).await?);
    Ok(ok_tagged(view.version, &view))
}

/// Withdraw an assignment
///
/// The assigning Standing Committee withdraws an assignment with a reason (from any state but
/// `withdrawn`, 409 then). Needs `If-Match` and `round_issue` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = Withdrawal,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Withdrawn", body = Assignment, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Withdrawal>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::withdraw(&mut conn, &caller, *id, &if_match, body.0).await?;
    let view = Assignment::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// Carry an assignment over
///
/// Copies an unfinished (issued, committed or in progress) assignment into a later draft round
/// of the same assigning unit, flagged `carried_over` and linked to the original, whose
/// history stays as it was. Once per target round (409 on a repeat). Needs `round_manage` on
/// the assigning unit.
#[utoipa::path(tag = "assignments", request_body = CarryOver,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "The new draft assignment", body = Assignment, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/carry-over")]
pub async fn carry_over(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CarryOver>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Assignment::from(app::carry_over(&mut conn, &caller, *id, body.0).await?);
    Ok(created(
        format!("/api/v1/assignments/{}", view.id),
        view.version,
        &view,
    ))
}
