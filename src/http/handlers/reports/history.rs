//! Entering a past round's reports from the paper record, with the days they happened.

use actix_web::{post, web, HttpResponse};

use crate::app::batch::BatchOutcome;
use crate::app::history::{self as app, PastReports};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// Enter past progress reports
///
/// The Organisation Board enters reports of a past round from the paper record: each is
/// recorded as submitted on `submitted_on` and, if given, accepted on `accepted_on`, citing
/// `source_document`. The stated days drive timeliness and "as of" figures; the moment of
/// entry is kept as `recorded_at` in the report's history. One outcome per item: good items
/// are recorded, bad ones are rejected with their errors (unknown assignment, no right,
/// period not in the schedule or already reported, days out of order, content rules). Needs
/// `history_record` on each item's assigning unit. Each item's `id` is the report recorded.
#[utoipa::path(tag = "progress", request_body = PastReports,
    responses((status = 200, description = "One outcome per item", body = BatchOutcome), WriteErrors))]
#[post("/history/progress-reports")]
pub async fn record_past_reports(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<PastReports>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome = app::record_reports(&mut conn, &caller, body.0).await?;
    Ok(HttpResponse::Ok().json(outcome))
}
