//! Consequences of evaluation results: what a decided grade was used for (commendation,
//! emulation classification, review and discipline, planning, appointment, rotation), for
//! which cadre, under which decision document.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::consequences::{self as app, NewConsequence};
use crate::auth::Caller;
use crate::db::models::ConsequenceRow;
use crate::domain::consequence::ConsequenceKind;
use crate::error::ApiResult;
use crate::http::extract::{Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(record).service(list);
}

/// What a decided evaluation was used for, for one cadre.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Consequence {
    /// Id.
    pub id: Uuid,
    /// The decided evaluation it rests on.
    pub evaluation_id: Uuid,
    /// The cadre it concerns (one the grade is attributed to).
    pub cadre_id: Uuid,
    /// What the result was used for.
    pub kind: ConsequenceKind,
    /// Number of the decision document.
    pub decision_number: String,
    /// Day the decision was issued.
    pub decision_date: NaiveDate,
    /// Who issued it.
    pub issuer: String,
    /// What was decided.
    pub note: Option<String>,
    /// Who recorded it.
    pub recorded_by: Uuid,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl From<ConsequenceRow> for Consequence {
    fn from(r: ConsequenceRow) -> Self {
        Self {
            id: r.id,
            evaluation_id: r.evaluation_id,
            cadre_id: r.cadre_id,
            kind: r.kind,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            issuer: r.issuer,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        }
    }
}

/// Record a consequence of an evaluation
///
/// Records what a decided grade was used for — `commendation` (khen thưởng),
/// `emulation_classification` (xếp loại thi đua), `review_discipline` (kiểm điểm, làm rõ
/// trách nhiệm), `planning` (quy hoạch), `appointment` (bổ nhiệm) or `rotation` (luân
/// chuyển) — for one of the cadres the grade is attributed to, citing the decision document
/// (number, date not after today, issuer). It appears in the cadre's record under the
/// evaluation. 409 unless the evaluation stands decided, or when the same decision is already
/// recorded; 422 for a cadre the grade is not attributed to. Needs `evaluation_decide`
/// (Standing Committee) or `evaluation_appraise` (Organisation Board) on the assigning unit.
#[utoipa::path(tag = "evaluations", request_body = NewConsequence,
    params(("id" = Uuid, Path, description = "Evaluation id")),
    responses((status = 201, description = "Recorded", body = Consequence, headers(("Location" = String))), WriteErrors))]
#[post("/evaluations/{id}/consequences")]
pub async fn record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewConsequence>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let view = Consequence::from(app::record(&mut conn, &caller, id, body.0).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/evaluations/{id}/consequences"),
        ))
        .json(&view))
}

/// List the consequences of an evaluation
///
/// What the evaluation's result was used for, oldest first. The evaluation is read by whoever
/// may read its assignment; each consequence is shown only to those who may read the record
/// of the cadre it concerns (the cadre, and holders of `cadre_record_read` over the cadre's
/// managing unit).
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Evaluation id"), PageParams),
    responses((status = 200, description = "The consequences", body = Page<Consequence>), ReadErrors))]
#[get("/evaluations/{id}/consequences")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, *id).await?;
    let out: Vec<Consequence> = rows.into_iter().map(Consequence::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(out, &page, |v| v.id, |v| v)?))
}
