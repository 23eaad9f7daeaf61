//! Amendments (đề nghị điều chỉnh): the head asks to change a target or a deadline, or to
//! withdraw an assignment, with a justification; the assigning Standing Committee approves
//! (making a new version of the terms and invalidating the commitment) or rejects.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::amendments::Proposal;
use crate::app::amendments::{self as app, AmendmentDecision, NewAmendment};
use crate::auth::Caller;
use crate::db::models::AmendmentRow;
use crate::domain::workflow::{AmendmentAction, AmendmentKind, AmendmentState};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(approve)
        .service(reject);
}

/// An amendment request and its decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Amendment {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// Kind.
    pub kind: AmendmentKind,
    /// Why.
    pub justification: String,
    /// Whether the cause is objective.
    pub objective_cause: bool,
    /// What is proposed.
    pub proposed: Proposal,
    /// `pending`, `approved` or `rejected`.
    pub state: AmendmentState,
    /// Account that asked.
    pub requested_by: Uuid,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Account that decided.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's comments.
    pub decision_comment: Option<String>,
    /// The terms version an approval made.
    pub resulting_terms_version: Option<i32>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<AmendmentRow> for Amendment {
    fn from(r: AmendmentRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            kind: r.kind,
            justification: r.justification,
            objective_cause: r.objective_cause,
            proposed: serde_json::from_value(r.proposed).unwrap_or(Proposal {
                target: None,
                end_date: None,
            }),
            state: r.state,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_comment: r.decision_comment,
            resulting_terms_version: r.resulting_terms_version,
            version: r.version,
        }
    }
}

/// List an assignment's amendments
///
/// Every amendment request of an assignment, oldest first.
#[utoipa::path(tag = "amendments",
    params(("id" = Uuid, Path, description = "Assignment id"), PageParams),
    responses((status = 200, description = "The amendments", body = Page<Amendment>), ReadErrors))]
#[get("/assignments/{id}/amendments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, *id).await?;
    let items: Vec<Amendment> = rows.into_iter().map(Amendment::from).collect();
    Ok(HttpResponse::Ok().json(Page::of_list(items, &page, |v| v.id, |v| v)?))
}

/// Request an amendment
///
/// The head asks to change a target or the deadline of an issued assignment, or to withdraw it,
/// with a justification. One request may be pending at a time (409). Needs `commitment_sign`
/// (the head) on the assignee unit.
#[utoipa::path(tag = "amendments", request_body = NewAmendment,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Requested", body = Amendment, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/amendments")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewAmendment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Amendment::from(app::request(&mut conn, &caller, *id, body.0).await?);
    Ok(created(
        format!("/api/v1/amendments/{}", view.id),
        view.version,
        &view,
    ))
}

/// Get an amendment
///
/// One amendment request with its decision and ETag.
#[utoipa::path(tag = "amendments",
    params(("id" = Uuid, Path, description = "Amendment id")),
    responses((status = 200, description = "The amendment", body = Amendment, headers(("ETag" = String))), ReadErrors))]
#[get("/amendments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Amendment::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}

/// Applies `action` to amendment `id`.
async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: AmendmentAction,
    comment: Option<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::decide(&mut conn, &caller, id, &if_match, action, comment).await?;
    let view = Amendment::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// Approve an amendment
///
/// The assigning Standing Committee approves a pending request: the assignment gets a new
/// version of its terms (or is withdrawn), every earlier version stays listable, and the
/// commitment covering it is invalidated so the head must sign again. Needs `If-Match` on the
/// amendment and `amendment_decide` on the assigning unit; 409 unless pending.
#[utoipa::path(tag = "amendments", request_body = AmendmentDecision,
    params(("id" = Uuid, Path, description = "Amendment id"), ("If-Match" = String, Header, description = "ETag of the amendment")),
    responses((status = 200, description = "Approved", body = Amendment, headers(("ETag" = String))), UpdateErrors))]
#[post("/amendments/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<AmendmentDecision>,
) -> ApiResult<HttpResponse> {
    decide(
        state,
        caller,
        *id,
        if_match,
        AmendmentAction::Approve,
        body.0.comment,
    )
    .await
}

/// Reject an amendment
///
/// The assigning Standing Committee rejects a pending request with comments; the terms stay as
/// they are. Needs `If-Match` on the amendment and `amendment_decide` on the assigning unit.
#[utoipa::path(tag = "amendments", request_body = AmendmentDecision,
    params(("id" = Uuid, Path, description = "Amendment id"), ("If-Match" = String, Header, description = "ETag of the amendment")),
    responses((status = 200, description = "Rejected", body = Amendment, headers(("ETag" = String))), UpdateErrors))]
#[post("/amendments/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<AmendmentDecision>,
) -> ApiResult<HttpResponse> {
    let Some(comment) = body.0.comment else {
        return Err(ApiError::violations(vec![Violation::new(
            "comment",
            "required",
            "say why the request is rejected",
            "cần nêu lý do không chấp thuận",
        )]));
    };
    decide(
        state,
        caller,
        *id,
        if_match,
        AmendmentAction::Reject,
        Some(comment),
    )
    .await
}
