//! The publication of a round's results.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::views::PublishedRound;
use crate::app::results as app;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ok_tagged, IfMatch};
use crate::http::openapi::UpdateErrors;
use crate::http::AppState;

/// Publish a round's results
///
/// The Standing Committee of the assigning unit makes the round's results public: portals
/// (`public_reader`) then see its figures and its assignments' titles, units, statuses and
/// grades — never remarks, evidence or cadre records. Publishing again refreshes nothing and is
/// refused (409). Needs `round_issue` on the assigning unit and `If-Match` (the round's ETag).
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Published", body = PublishedRound, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::publish(&mut conn, &caller, *id, &if_match).await?;
    let view = PublishedRound::try_from(row).map_err(|_| ApiError::internal("publication lost"))?;
    Ok(ok_tagged(view.version, &view))
}
