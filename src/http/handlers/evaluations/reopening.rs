//! Reopening the record under a decided evaluation for a correction, and locking it again.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::locking::{self as app, Reopen};
use crate::auth::Caller;
use crate::db::models::ReopeningRow;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// A reopening of the record under a decided evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reopening {
    /// Id.
    pub id: Uuid,
    /// The evaluation.
    pub evaluation_id: Uuid,
    /// What must be corrected, and why.
    pub reason: String,
    /// Who reopened.
    pub reopened_by: Uuid,
    /// When.
    pub reopened_at: DateTime<Utc>,
    /// Who locked the record again.
    pub closed_by: Option<Uuid>,
    /// When (absent while it is open).
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<ReopeningRow> for Reopening {
    fn from(r: ReopeningRow) -> Self {
        Self {
            id: r.id,
            evaluation_id: r.evaluation_id,
            reason: r.reason,
            reopened_by: r.reopened_by,
            reopened_at: r.reopened_at,
            closed_by: r.closed_by,
            closed_at: r.closed_at,
        }
    }
}

/// Reopen the record under a decision
///
/// Once an evaluation is decided, the reports of its period and the evidence it saw are
/// locked (409 on a change). The Organisation Board reopens them for a correction, with a
/// reason; the reopening is audited and listed with the evaluation. 409 unless the evaluation
/// is decided, or when the record is already reopened. Needs `evaluation_appraise` on the
/// assigning unit.
#[utoipa::path(tag = "evaluations", request_body = Reopen,
    params(("id" = Uuid, Path, description = "Evaluation id")),
    responses((status = 201, description = "Reopened", body = Reopening), WriteErrors))]
#[post("/evaluations/{id}/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<Reopen>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = Reopening::from(app::reopen(&mut conn, &caller, *id, body.0).await?);
    Ok(HttpResponse::Created().json(&row))
}

/// Lock the record again
///
/// Ends the open reopening of the evaluation's record (409 when none is open). Needs
/// `evaluation_appraise` on the assigning unit.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Evaluation id")),
    responses((status = 200, description = "Locked again", body = Reopening), WriteErrors))]
#[post("/evaluations/{id}/relock")]
pub async fn relock(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = Reopening::from(app::relock(&mut conn, &caller, *id).await?);
    Ok(HttpResponse::Ok().json(&row))
}

/// List an evaluation's reopenings
///
/// Every reopening of the record under the evaluation, oldest first. Readable by readers of the
/// evaluation.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Evaluation id"), PageParams),
    responses((status = 200, description = "The reopenings", body = Page<Reopening>), ReadErrors))]
#[get("/evaluations/{id}/reopenings")]
pub async fn reopenings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let out: Vec<Reopening> = app::reopenings(&mut conn, &caller, *id)
        .await?
        .into_iter()
        .map(Reopening::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}
