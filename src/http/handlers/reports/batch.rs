//! Many submitted progress reports accepted in one call, one outcome per item.

use actix_web::{post, web, HttpResponse};

use crate::app::batch::BatchOutcome;
use crate::app::reports::{self as app, ReportAcceptances};
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
