//! Entering a past round's reports from the paper record, with the days they happened.

use actix_web::{post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::history::{self as app, ItemOutcome, ItemStatus, PastReports};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// What a batch did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchOutcome {
    /// Items recorded.
    pub recorded: usize,
    /// Items rejected (nothing of them was written).
    pub rejected: usize,
    /// One outcome per item, in batch order.
    pub items: Vec<ItemOutcome>,
}

/// Enter past progress reports
///
/// The Organisation Board enters reports of a past round from the paper record: each is
/// recorded as submitted on `submitted_on` and, if given, accepted on `accepted_on`, citing
/// `source_document`. The stated days drive timeliness and "as of" figures; the moment of
/// entry is kept as `recorded_at` in the report's history. One outcome per item: good items
/// are recorded, bad ones are rejected with their errors (unknown assignment, no right,
/// period not in the schedule or already reported, days out of order, content rules). Needs
/// `history_record` on each item's assigning unit.
#[utoipa::path(tag = "progress", request_body = PastReports,
    responses((status = 200, description = "One outcome per item", body = BatchOutcome), WriteErrors))]
#[post("/history/progress-reports")]
pub async fn record_past_reports(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<PastReports>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let items = app::record_reports(&mut conn, &caller, body.0).await?;
    let recorded = items
        .iter()
        .filter(|i| i.status == ItemStatus::Recorded)
        .count();
    Ok(HttpResponse::Ok().json(BatchOutcome {
        recorded,
        rejected: items.len() - recorded,
        items,
    }))
}
