//! Spot checks: drawing a round's assignments for field verification.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::views::SpotCheck;
use crate::app::rounds::{self as app, NewSpotCheck};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// Draw assignments for a spot check
///
/// Draws a share of the round's issued, committed or in-progress assignments for field
/// verification and records the draw with its seed and candidates, so anyone can redo it
/// (each candidate is ranked by SHA-256 of the seed and its id). Needs `round_manage` on the
/// assigning unit.
#[utoipa::path(tag = "assignments", request_body = NewSpotCheck,
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 201, description = "Drawn", body = SpotCheck, headers(("Location" = String))), WriteErrors))]
#[post("/rounds/{id}/spot-checks")]
pub async fn draw_spot_check(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewSpotCheck>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let view = SpotCheck::from(app::draw_spot_check(&mut conn, &caller, id, body.0).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/rounds/{id}/spot-checks"),
        ))
        .json(&view))
}

/// List a round's spot checks
///
/// Every draw made in the round, oldest first. Readable by readers of the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The draws", body = Vec<SpotCheck>), ReadErrors))]
#[get("/rounds/{id}/spot-checks")]
pub async fn list_spot_checks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::spot_checks(&mut conn, &caller, *id).await?;
    let out: Vec<SpotCheck> = rows.into_iter().map(SpotCheck::from).collect();
    Ok(HttpResponse::Ok().json(out))
}
