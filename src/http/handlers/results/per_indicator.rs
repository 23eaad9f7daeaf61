//! The per-indicator results report.

use actix_web::{get, web, HttpResponse};

use super::views::IndicatorsReport;
use crate::app::results::{self as app, IndicatorFilter};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Report results per indicator
///
/// For each quantified indicator (targets grouped by year and indicator code; targets without
/// a code by their exact title) across the units it was assigned to and the caller can read:
/// how many were assigned, had a value, met, exceeded it or reached 80%, and — where the
/// targets share one summable shape (`at_least`, `at_most`, `exactly`) and one unit of
/// measure — Σ target, Σ actual and their difference. A target's actual value is the latest
/// value a licensed department feed had sent, else the latest accepted report's. With
/// `as_of`, the figures exactly as they stood then.
#[utoipa::path(tag = "reports", params(IndicatorFilter),
    responses((status = 200, description = "The report", body = IndicatorsReport), ReadErrors))]
#[get("/reports/indicators")]
pub async fn indicators(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<IndicatorFilter>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let report = app::indicators(&mut conn, &caller, &filter).await?;
    Ok(HttpResponse::Ok().json(IndicatorsReport::from(report)))
}
