//! Entering a past round's decided evaluations from the paper record, with their real days.

use actix_web::{post, web, HttpResponse};

use crate::app::batch::BatchOutcome;
use crate::app::history::{self as app, PastEvaluations};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// Enter past decided evaluations
///
/// The Organisation Board enters decided evaluations of a past round from the paper record:
/// each is recorded as decided on `decided_on` (and self-assessed and appraised on the days
/// given), citing `source_document`; the moment of entry shows as `entered_from.recorded_at`.
/// The facts are derived from the record up to the period's end (enter the past reports
/// first, see `POST /history/progress-reports`), so a grade that departs from the suggested
/// one needs `departure_reason`, and one beyond the group's quota of excellent grades
/// `quota_exception_reason`. The grade is attributed to the cadres who answered for the
/// assignment in the period. One outcome per item: good items are recorded, bad ones are
/// rejected with their errors. Needs `history_record` on each item's assigning unit. Each
/// item's `id` is the evaluation recorded.
#[utoipa::path(tag = "evaluations", request_body = PastEvaluations,
    responses((status = 200, description = "One outcome per item", body = BatchOutcome), WriteErrors))]
#[post("/history/evaluations")]
pub async fn record_past_evaluations(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<PastEvaluations>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome = app::record_evaluations(&mut conn, &caller, body.0).await?;
    Ok(HttpResponse::Ok().json(outcome))
}
