//! The results report.

use actix_web::{get, web, HttpResponse};

use super::views::ResultsReport;
use crate::app::results::{self as app, ResultFilter};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

/// Report results
///
/// Tallies of the assignments the caller can read, filtered and grouped: assigned, due,
/// completed (on time, late), at 80% or more, in progress, overdue, grades and the completion
/// rate (completed ÷ due). With `as_of`, the figures exactly as they stood at the end of that
/// day, even if reports were corrected or grades overridden since.
#[utoipa::path(tag = "reports", params(ResultFilter),
    responses((status = 200, description = "The report", body = ResultsReport), ReadErrors))]
#[get("/reports/results")]
pub async fn results(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<ResultFilter>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let report = app::report(&mut conn, &caller, &filter).await?;
    Ok(HttpResponse::Ok().json(ResultsReport::from(report)))
}
