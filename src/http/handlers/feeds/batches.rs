//! Importing a batch of values sent by a department system.

use actix_web::{http::header, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use super::views::ImportSummary;
use crate::app::feeds::{self as app, ObservationBatch};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::json_error;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate and classify every row without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Reads a JSON body of at most `limit` bytes from the payload.
async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(json_error(&actix_web::error::JsonPayloadError::ContentType));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(e.to_string(), "không đọc được nội dung yêu cầu"))?;
        if body.len() + chunk.len() > limit {
            return Err(json_error(&actix_web::error::JsonPayloadError::Overflow {
                limit,
            }));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Import observations
///
/// Records a batch of indicator values from a department system. Each row names an indicator,
/// a unit (master-data code) and a period or day; it is recorded against the unit's issued
/// target assignment with that indicator covering the day. Rows outside the client's licences,
/// for unknown units or with no such assignment are rejected one by one, never the whole
/// batch. Idempotent by external id: a known id with the same value is `ignored`, with another
/// `updated`. With `dry_run=true` nothing is written. A value differing from the head's
/// self-reported one beyond the tolerance flags the assignment for its supervisor. Needs the
/// `data_feed` role; the body may be up to 16 MiB (10,000 rows fit easily).
#[utoipa::path(tag = "feeds", params(ImportParams),
    request_body = ObservationBatch,
    responses((status = 200, description = "The import summary", body = ImportSummary), WriteErrors))]
#[post("/feeds/observations")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    app::authorise_import(&caller)?;
    let body = read_body(&req, payload, state.config.feed_max_body_bytes).await?;
    let batch: ObservationBatch = serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            ApiError::unprocessable(e.to_string(), format!("dữ liệu không đúng cấu trúc: {e}"))
        } else {
            ApiError::bad_request(e.to_string(), format!("JSON không hợp lệ: {e}"))
        }
    })?;
    let mut conn = state.pool.get().await?;
    let summary = app::import(
        &mut conn,
        &caller,
        batch.observations,
        params.dry_run,
        state.config.feed_tolerance,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ImportSummary::from(summary)))
}
