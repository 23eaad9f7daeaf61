//! The publication of a round's results: publish (version 1), correct (a new version with its
//! reason), withdraw.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::PublicationVersion;
use crate::app::publications::{self as app, ReasonBody};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

/// Publish a round's results
///
/// The Standing Committee of the assigning unit makes the round's results public: a snapshot
/// of its figures, per group of units, and of its assignments' titles, units, statuses and
/// grades — never remarks, evidence or cadre records — is frozen as version 1, which portals
/// and anonymous readers then read under `/public/rounds/{id}`. Later changes of the record do
/// not change it; a correction publishes a new version. Publishing again is refused (409).
/// Needs `round_issue` on the assigning unit and `If-Match` (the round's ETag); the answer's
/// ETag is the publication's version, which corrections and withdrawal take in `If-Match`.
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "The round's ETag last read")),
    responses((status = 200, description = "Published: version 1", body = PublicationVersion, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::publish(&mut conn, &caller, *id, &if_match).await?;
    Ok(ok_tagged(row.version, &PublicationVersion::from(row)))
}

/// Publish a correction of a round's results
///
/// Freezes the round's figures as the record stands now as a new version, with the reason
/// (required: 422 without one); it becomes the current results, and every earlier version
/// stays readable, unchanged, under `/public/rounds/{id}/versions/{version}`. After a
/// withdrawal, a correction publishes the results again. Needs `round_issue` on the assigning
/// unit and `If-Match` with the current version (the ETag of the published results).
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "The current version's ETag")),
    request_body = ReasonBody,
    responses((status = 201, description = "The new version", body = PublicationVersion,
        headers(("ETag" = String), ("Location" = String))), UpdateErrors))]
#[post("/rounds/{id}/publication/corrections")]
pub async fn correct_publication(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReasonBody>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::correct(&mut conn, &caller, *id, &if_match, &body.0).await?;
    let location = format!(
        "/api/v1/public/rounds/{}/versions/{}",
        row.round_id, row.version
    );
    Ok(created(
        location,
        row.version,
        &PublicationVersion::from(row),
    ))
}

/// Withdraw a round's published results
///
/// Takes the round's results down, with the reason (required: 422 without one), recorded on
/// the current version: the results and every version then answer 410 with the withdrawal,
/// while the list of published rounds and of versions show when and why. Refused (409) when
/// already withdrawn or never published. Needs `round_issue` on the assigning unit and
/// `If-Match` with the current version.
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "The current version's ETag")),
    request_body = ReasonBody,
    responses((status = 200, description = "The version the withdrawal is recorded on", body = PublicationVersion,
        headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/publication/withdraw")]
pub async fn withdraw_publication(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReasonBody>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::withdraw(&mut conn, &caller, *id, &if_match, &body.0).await?;
    Ok(ok_tagged(row.version, &PublicationVersion::from(row)))
}
