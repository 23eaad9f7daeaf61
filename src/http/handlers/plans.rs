//! Implementation plans (kế hoạch thực hiện): for each assignment the head submits solutions,
//! objectives and a roadmap; the assigning side approves or returns it.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use crate::app::plans::{self as app, Objective, PlanContent, RoadmapStep};
use crate::auth::Caller;
use crate::db::models::PlanRow;
use crate::domain::text::plain_text;
use crate::domain::workflow::{PlanAction, PlanState};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get)
        .service(put)
        .service(submit)
        .service(approve)
        .service(return_plan);
}

/// An implementation plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// `draft`, `submitted`, `approved` or `returned`.
    pub state: PlanState,
    /// Concrete solutions.
    pub solutions: String,
    /// General objective.
    pub general_objective: String,
    /// Specific objectives.
    pub specific_objectives: Vec<Objective>,
    /// Roadmap.
    pub roadmap: Vec<RoadmapStep>,
    /// Revision, from 1; a new one opens when an approved plan is revised.
    pub revision: i32,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was last approved or returned.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The reviewer's comments.
    pub review_comment: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            state: r.state,
            solutions: r.solutions,
            general_objective: r.general_objective,
            specific_objectives: serde_json::from_value(r.specific_objectives).unwrap_or_default(),
            roadmap: serde_json::from_value(r.roadmap).unwrap_or_default(),
            revision: r.revision,
            submitted_at: r.submitted_at,
            reviewed_at: r.reviewed_at,
            review_comment: r.review_comment,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Get an assignment's plan
///
/// The implementation plan of an assignment (404 until one is written), with its ETag.
#[utoipa::path(tag = "plans",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The plan", body = Plan, headers(("ETag" = String))), ReadErrors))]
#[get("/assignments/{id}/plan")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let plan = Plan::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(plan.version, &plan))
}

/// Write an assignment's plan
///
/// Creates the plan (201) or replaces the content of a draft or returned one (200, needs
/// `If-Match`); replacing an approved plan opens a new revision in `draft`. A submitted plan
/// cannot change (409). The assignment must be issued and not withdrawn. Needs
/// `assignment_prepare` (head or staff) on the assignee unit.
#[utoipa::path(tag = "plans", request_body = PlanContent,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = Option<String>, Header, description = "ETag last read, when the plan exists")),
    responses(
        (status = 200, description = "Replaced", body = Plan, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Plan, headers(("ETag" = String), ("Location" = String))),
        UpdateErrors))]
#[put("/assignments/{id}/plan")]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PlanContent>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (row, is_new) = app::write(&mut conn, &caller, *id, &if_match, body.0).await?;
    let plan = Plan::from(row);
    Ok(if is_new {
        created(
            format!("/api/v1/assignments/{}/plan", *id),
            plan.version,
            &plan,
        )
    } else {
        ok_tagged(plan.version, &plan)
    })
}

/// A reviewer's comments.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Comments (required to return a plan).
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub comment: Option<String>,
}

/// Applies `action` to the plan of assignment `id`.
async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: PlanAction,
    comment: Option<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let plan = Plan::from(app::act(&mut conn, &caller, id, &if_match, action, comment).await?);
    Ok(ok_tagged(plan.version, &plan))
}

/// Submit a plan
///
/// The head submits the plan for approval (`draft` or `returned` → `submitted`; 409 otherwise).
/// Needs `If-Match` on the plan and `commitment_sign` (the head) on the assignee unit.
#[utoipa::path(tag = "plans",
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag of the plan")),
    responses((status = 200, description = "Submitted", body = Plan, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/plan/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    act(state, caller, *id, if_match, PlanAction::Submit, None).await
}

/// Approve a plan
///
/// The assigning side approves a submitted plan (409 from any other state). Needs `If-Match`
/// on the plan and `plan_review` on the assigning unit.
#[utoipa::path(tag = "plans", request_body = Review,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag of the plan")),
    responses((status = 200, description = "Approved", body = Plan, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/plan/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Review>,
) -> ApiResult<HttpResponse> {
    act(
        state,
        caller,
        *id,
        if_match,
        PlanAction::Approve,
        body.0.comment,
    )
    .await
}

/// Return a plan
///
/// The assigning side returns a submitted plan with comments for revision (409 from any other
/// state; 422 without a comment). Needs `If-Match` on the plan and `plan_review` on the
/// assigning unit.
#[utoipa::path(tag = "plans", request_body = Review,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag of the plan")),
    responses((status = 200, description = "Returned", body = Plan, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/plan/return")]
pub async fn return_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Review>,
) -> ApiResult<HttpResponse> {
    let Some(comment) = body.0.comment else {
        return Err(ApiError::violations(vec![Violation::new(
            "comment",
            "required",
            "say why the plan is returned",
            "cần nêu lý do trả lại kế hoạch",
        )]));
    };
    act(
        state,
        caller,
        *id,
        if_match,
        PlanAction::Return,
        Some(comment),
    )
    .await
}
