//! Spot checks: drawing a round's assignments for field verification, and what the check
//! found for each.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::views::{Finding, SpotCheck};
use crate::app::findings::{self, NewFinding};
use crate::app::rounds::{self as app, NewSpotCheck};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams, ValidJson};
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
    params(("id" = Uuid, Path, description = "Round id"), PageParams),
    responses((status = 200, description = "The draws", body = Page<SpotCheck>), ReadErrors))]
#[get("/rounds/{id}/spot-checks")]
pub async fn list_spot_checks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::spot_checks(&mut conn, &caller, *id).await?;
    let out: Vec<SpotCheck> = rows.into_iter().map(SpotCheck::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}

/// Record a spot-check finding
///
/// Records what the field check found for one drawn assignment: `confirmed`, or a
/// `discrepancy` with a note and evidence, which counts as a quality defect in the facts of the
/// assignment's evaluations. One finding per assignment and check (409 for a second; 422 for an
/// assignment the check did not draw). Needs `evidence_verify` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = NewFinding,
    params(("id" = Uuid, Path, description = "Spot check id")),
    responses((status = 201, description = "Recorded", body = Finding, headers(("Location" = String))), WriteErrors))]
#[post("/spot-checks/{id}/findings")]
pub async fn record_finding(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewFinding>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let view = Finding::from(findings::record(&mut conn, &caller, id, body.0).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/spot-checks/{id}/findings"),
        ))
        .json(&view))
}

/// List a spot check's findings
///
/// Every finding recorded for the check, oldest first. Needs `assignment_read` on the
/// assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Spot check id"), PageParams),
    responses((status = 200, description = "The findings", body = Page<Finding>), ReadErrors))]
#[get("/spot-checks/{id}/findings")]
pub async fn list_findings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = findings::list(&mut conn, &caller, *id).await?;
    let out: Vec<Finding> = rows.into_iter().map(Finding::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}
