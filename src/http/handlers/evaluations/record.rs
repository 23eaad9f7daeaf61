//! A cadre's evaluation record.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::views::{CadreRecord, RecordEntry};
use crate::app::evaluations as app;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::handlers::consequences::Consequence;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Get a cadre's evaluation record
///
/// Every decided grade attributed to the cadre across years and units (with overridden
/// decisions kept and marked), each with the share of the period the cadre held the head's
/// post, the derivation of its suggested grade and what the result was used for (commendation,
/// emulation classification, review and discipline, planning, appointment, rotation, with the
/// decision document). Readable only by the cadre and by holders
/// of `cadre_record_read` (Standing Committee, Organisation Board) over the cadre's managing
/// unit.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Cadre id")),
    responses((status = 200, description = "The record", body = CadreRecord), ReadErrors))]
#[get("/cadres/{id}/record")]
pub async fn cadre_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let entries = app::cadre_record(&mut conn, &caller, id)
        .await?
        .into_iter()
        .map(|item| RecordEntry {
            consequences: item
                .consequences
                .into_iter()
                .map(Consequence::from)
                .collect(),
            ..RecordEntry::from(item.entry)
        })
        .collect();
    Ok(HttpResponse::Ok().json(CadreRecord {
        cadre_id: id,
        entries,
    }))
}
