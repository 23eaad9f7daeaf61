//! What happens to evidence once filed: retraction, verification marks and integrity checks.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::store_error;
use super::views::{Evidence, IntegrityCheck};
use crate::app::evidence::{self as app, NewMark, Retraction};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{UpdateErrors, WriteErrors};
use crate::http::AppState;

/// Retract a piece of evidence
///
/// The assignee unit withdraws evidence with a reason. The record, its file and its marks
/// stay; it no longer counts as evidence. Needs `assignment_prepare` on the assignee unit
/// and `If-Match`.
#[utoipa::path(tag = "evidence", request_body = Retraction,
    params(("id" = Uuid, Path, description = "Evidence id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Retracted", body = Evidence, headers(("ETag" = String))), UpdateErrors))]
#[post("/evidence/{id}/retract")]
pub async fn retract(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Retraction>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::retract(&mut conn, &caller, *id, &if_match, body.0.reason).await?;
    let view = Evidence::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// Mark a piece of evidence verified or disputed
///
/// The Organisation Board or a supervisor watching the unit records its verdict with a
/// comment; every mark is kept and the latest shows on the evidence. Needs `evidence_verify`
/// on the assignee unit and `If-Match`.
#[utoipa::path(tag = "evidence", request_body = NewMark,
    params(("id" = Uuid, Path, description = "Evidence id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Marked", body = Evidence, headers(("ETag" = String))), UpdateErrors))]
#[post("/evidence/{id}/marks")]
pub async fn mark(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<NewMark>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Evidence::from(app::mark(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(view.version, &view))
}

/// Re-verify a file's integrity
///
/// Reads the stored file again, hashes it and compares with the SHA-256 recorded at upload;
/// the outcome is recorded and shown on the evidence (`intact` or `failed`). Allowed to the
/// assignee unit (`assignment_prepare`) and to verifiers (`evidence_verify`); 409 for links
/// and document references.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "Checked", body = IntegrityCheck), WriteErrors))]
#[post("/evidence/{id}/verify-integrity")]
pub async fn verify_integrity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    // No connection is held while the file is read again.
    let expected = {
        let mut conn = state.pool.get().await?;
        app::file_to_check(&mut conn, &caller, id).await?
    };
    let found = state
        .evidence
        .rehash(&expected)
        .await
        .map_err(store_error)?;
    let mut conn = state.pool.get().await?;
    let check = app::record_integrity(&mut conn, &caller, id, expected, found).await?;
    Ok(HttpResponse::Ok().json(IntegrityCheck::from(check)))
}
