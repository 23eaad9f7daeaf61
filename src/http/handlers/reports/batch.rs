//! Progress reports in bulk: a head's reports of a period submitted in one call, and many
//! submitted reports accepted in one call, one outcome per item.

use actix_web::{post, web, HttpResponse};

use crate::app::batch::BatchOutcome;
use crate::app::reports::{self as app, ReportAcceptances, ReportSubmissions};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// Accept progress reports in one call
///
/// The Organisation Board accepts up to 1000 submitted reports in one transaction, each by the
/// same rules as `POST /progress-reports/{id}/accept`; since one `If-Match` header cannot carry
/// many versions, each item names its report and the `version` last read. One outcome per
/// item, in order: good items are accepted (`id` and new `version` of the report), bad ones are
/// rejected with their errors (`reports[i].report_id`: `not_found`, `forbidden`, `locked`,
/// `invalid_state`; `reports[i].version`: `stale_version`; comment rules) and nothing of them
/// is written; when every item is rejected nothing is written at all. An empty or oversized
/// list is refused whole (422). Needs `report_review` (403 without it anywhere); each item
/// needs it on its report's assigning unit.
#[utoipa::path(tag = "progress", request_body = ReportAcceptances,
    responses((status = 200, description = "One outcome per item", body = BatchOutcome), WriteErrors))]
#[post("/progress-reports/accept-batch")]
pub async fn accept_batch(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<ReportAcceptances>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome = app::accept_batch(&mut conn, &caller, body.0).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Submit a head's reports in one call
///
/// The head writes and submits the reports of up to 1000 assignments for one period in one
/// transaction, each by the same rules as `PUT /assignments/{id}/progress-reports/{period}`
/// followed by `POST /progress-reports/{id}/submit`. A period's report already there (a
/// draft, or returned) is named by the `version` last read. One outcome per item, in order:
/// good items are submitted (`id` and `version` of the report), bad ones are rejected with
/// their errors (`reports[i].assignment_id`: `not_found`, `forbidden`, `invalid_state`;
/// `reports[i].period`: `not_in_schedule`, `locked`, `invalid_state`; `reports[i].version`:
/// `required`, `stale_version`; content rules under `reports[i].content`) and nothing of them
/// is written. Needs `assignment_prepare` and `commitment_sign` on each item's assignee unit.
#[utoipa::path(tag = "progress", request_body = ReportSubmissions,
    responses((status = 200, description = "One outcome per item", body = BatchOutcome), WriteErrors))]
#[post("/progress-reports/submit-batch")]
pub async fn submit_batch(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<ReportSubmissions>,
) -> ApiResult<HttpResponse> {
    let tolerance = state.config.feed_tolerance;
    let mut conn = state.pool.get().await?;
    let outcome = app::submit_batch(&mut conn, &caller, body.0, tolerance).await?;
    Ok(HttpResponse::Ok().json(outcome))
}
