//! Writing draft rounds: create, update, delete.

use actix_web::{delete, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::views::Round;
use crate::app::rounds::{self as app, NewRound, RoundPatch};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{DeleteErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Create a round
///
/// Opens a round in `draft` for an assigning unit, with its per-group rules. Needs
/// `round_manage` on the assigning unit (its Organisation Board or Standing Committee).
#[utoipa::path(tag = "assignments", request_body = NewRound,
    responses((status = 201, description = "Created", body = Round, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/rounds")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewRound>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = Round::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/rounds/{}", round.id),
        round.version,
        &round,
    ))
}

/// Update a round
///
/// Changes a draft round's title, decision metadata or per-group rules (409 once issued).
/// Needs `If-Match` and `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = RoundPatch,
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Round, headers(("ETag" = String))), UpdateErrors))]
#[patch("/rounds/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<RoundPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = Round::from(app::update(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(round.version, &round))
}

/// Delete a round
///
/// Removes a draft round that has no assignments (409 otherwise). Needs `If-Match` and
/// `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/rounds/{id}")]
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
