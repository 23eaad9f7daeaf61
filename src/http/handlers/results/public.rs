//! Published results, open to every authenticated caller (portals included).

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::views::{PublicResults, PublishedRound};
use crate::app::results as app;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// List published rounds
///
/// Rounds whose results the Standing Committee has published, newest first. Open to every
/// authenticated caller, portals included.
#[utoipa::path(tag = "reports",
    responses((status = 200, description = "The published rounds", body = Vec<PublishedRound>), ReadErrors))]
#[get("/public/rounds")]
pub async fn public_rounds(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<PublishedRound> = app::published_rounds(&mut conn)
        .await?
        .into_iter()
        .filter_map(|r| PublishedRound::try_from(r).ok())
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Get a published round's results
///
/// The figures of a published round, per group of units, and its assignments' titles, units,
/// statuses and grades. Unpublished rounds are 404. Open to every authenticated caller.
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The results", body = PublicResults), ReadErrors))]
#[get("/public/rounds/{id}/results")]
pub async fn public_results(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let results = PublicResults::try_from(app::published_results(&mut conn, *id).await?)?;
    Ok(HttpResponse::Ok().json(results))
}
