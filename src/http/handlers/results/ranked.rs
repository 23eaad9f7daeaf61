//! The ranking of units by score.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::results::{self as app, ResultFilter};
use crate::auth::Caller;
use crate::domain::results::RankedUnit;
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// The units ranked by score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRanking {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// The units, best first, each with the assignments its score is the mean of.
    pub units: Vec<RankedUnit>,
}

/// Rank units by score
///
/// The assignee units of the assignments the filters cover (as for the results report), ranked
/// by the mean points of their assignments as known at the cut-off, in the manner of
/// performance contracts (Imihigo): each assignment earns its completion out of 100 (capped at
/// 100%; none known counts 0; done counts in full), a quarter less when its product came late.
/// Equal scores share a place. Each unit carries the derivation: every assignment with its
/// completion, status and points. With `as_of`, the figures exactly as they stood then;
/// `group_by` is ignored.
#[utoipa::path(tag = "reports", params(ResultFilter),
    responses((status = 200, description = "The ranking", body = UnitRanking), ReadErrors))]
#[get("/reports/ranking")]
pub async fn ranking(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<ResultFilter>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let r = app::ranking(&mut conn, &caller, &filter).await?;
    Ok(HttpResponse::Ok().json(UnitRanking {
        as_of: r.as_of,
        units: r.units,
    }))
}
