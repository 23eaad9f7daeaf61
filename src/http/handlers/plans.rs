//! Implementation plans (kế hoạch thực hiện): for each assignment the head submits solutions,
//! objectives and a roadmap; the assigning side approves or returns it.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{load_visible, lock};
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, PlanRow};
use crate::db::schema::plans;
use crate::domain::roles::Permission;
use crate::domain::workflow::{PlanAction, PlanState};
use crate::domain::Violation;
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assignments/{id}/plan", web::get().to(get))
        .route("/assignments/{id}/plan", web::put().to(put))
        .route("/assignments/{id}/plan/submit", web::post().to(submit))
        .route("/assignments/{id}/plan/approve", web::post().to(approve))
        .route("/assignments/{id}/plan/return", web::post().to(return_plan));
}

/// A specific, quantified objective of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// What is to be achieved.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub description: String,
    /// The number aimed at, if quantified.
    pub value: Option<f64>,
    /// Its unit of measure.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub unit_of_measure: Option<String>,
}

/// A dated step of a plan's roadmap.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapStep {
    /// What is done in this step.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub step: String,
    /// When it starts.
    pub start_date: Option<NaiveDate>,
    /// When it is due.
    pub due_date: NaiveDate,
}

/// A plan's content, as the head's unit writes it.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanContent {
    /// Concrete solutions.
    #[validate(
        length(min = 1, max = 20000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub solutions: String,
    /// General objective.
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub general_objective: String,
    /// Specific, quantified objectives.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    pub specific_objectives: Vec<Objective>,
    /// Roadmap steps with dates, within the assignment's period.
    #[validate(length(min = 1, max = 100), nested)]
    pub roadmap: Vec<RoadmapStep>,
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
            state: PlanState::parse(&r.state).unwrap_or(PlanState::Draft),
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

async fn find(conn: &mut AsyncPgConnection, assignment: Uuid) -> Result<Option<PlanRow>, ApiError> {
    Ok(plans::table
        .filter(plans::assignment_id.eq(assignment))
        .select(PlanRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Get an assignment's plan
///
/// The implementation plan of an assignment (404 until one is written), with its ETag.
#[utoipa::path(get, path = "/api/v1/assignments/{id}/plan", tag = "plans",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The plan", body = Plan, headers(("ETag" = String))), ReadErrors))]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let row: PlanRow = plans::table
        .filter(plans::assignment_id.eq(a.id))
        .select(PlanRow::as_select())
        .first(&mut conn)
        .await?;
    let plan = Plan::from(row);
    Ok(ok_tagged(plan.version, &plan))
}

fn roadmap_violations(a: &AssignmentRow, content: &PlanContent) -> Vec<Violation> {
    content
        .roadmap
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.due_date < a.start_date
                || s.due_date > a.end_date
                || s.start_date.is_some_and(|d| d > s.due_date)
        })
        .map(|(i, _)| {
            Violation::new(
                format!("roadmap[{i}].due_date"),
                "outside_period",
                "the step must fall within the assignment's period and start before it is due",
                "bước thực hiện phải nằm trong thời gian của nhiệm vụ và bắt đầu trước hạn",
            )
        })
        .collect()
}

async fn audit_plan(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    unit: Uuid,
    before: Option<&Plan>,
    after: &Plan,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Some(caller),
        Change {
            action,
            resource_type: "plan",
            resource_id: Some(after.id),
            unit_id: Some(unit),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Write an assignment's plan
///
/// Creates the plan (201) or replaces the content of a draft or returned one (200, needs
/// `If-Match`); replacing an approved plan opens a new revision in `draft`. A submitted plan
/// cannot change (409). The assignment must be issued and not withdrawn. Needs
/// `assignment_prepare` (head or staff) on the assignee unit.
#[utoipa::path(put, path = "/api/v1/assignments/{id}/plan", tag = "plans", request_body = PlanContent,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = Option<String>, Header, description = "ETag last read, when the plan exists")),
    responses(
        (status = 200, description = "Replaced", body = Plan, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Plan, headers(("ETag" = String), ("Location" = String))),
        UpdateErrors))]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PlanContent>,
) -> ApiResult<HttpResponse> {
    let (id, content) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let (plan, is_new) = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                caller.require_on(conn, Permission::AssignmentPrepare, a.assignee_unit_id)
                    .await?;
                if matches!(a.state.as_str(), "draft" | "withdrawn") {
                    return Err(ApiError::conflict(
                        format!("a plan is written for an issued assignment; this one is {}", a.state),
                        format!("chỉ lập kế hoạch cho nhiệm vụ đã ban hành; nhiệm vụ đang {}", a.state),
                    ));
                }
                let violations = roadmap_violations(&a, &content);
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                let now = Utc::now();
                let objectives = serde_json::to_value(&content.specific_objectives).unwrap_or_default();
                let roadmap = serde_json::to_value(&content.roadmap).unwrap_or_default();
                match find(conn, id).await? {
                    None => {
                        let row = PlanRow {
                            id: Uuid::now_v7(),
                            assignment_id: id,
                            state: PlanState::Draft.as_str().to_owned(),
                            solutions: content.solutions,
                            general_objective: content.general_objective,
                            specific_objectives: objectives,
                            roadmap,
                            revision: 1,
                            submitted_at: None,
                            submitted_by: None,
                            reviewed_at: None,
                            reviewed_by: None,
                            review_comment: None,
                            version: 1,
                            created_at: now,
                            updated_at: now,
                        };
                        diesel::insert_into(plans::table).values(&row).execute(conn).await?;
                        let plan = Plan::from(row);
                        audit_plan(conn, &caller, "plan.create", a.assignee_unit_id, None, &plan).await?;
                        Ok((plan, true))
                    }
                    Some(row) => {
                        if_match.check(row.version)?;
                        let before = Plan::from(row.clone());
                        let revision = match before.state {
                            PlanState::Draft | PlanState::Returned => row.revision,
                            PlanState::Approved => {
                                before.state.next(PlanAction::Revise)?;
                                row.revision + 1
                            }
                            PlanState::Submitted => {
                                return Err(ApiError::conflict(
                                    "a submitted plan cannot change until it is approved or returned",
                                    "kế hoạch đã trình không thể sửa cho đến khi được duyệt hoặc trả lại",
                                ))
                            }
                        };
                        let state = match before.state {
                            PlanState::Returned => PlanState::Returned,
                            _ => PlanState::Draft,
                        };
                        let row: PlanRow = diesel::update(plans::table.find(row.id))
                            .set((
                                plans::state.eq(state.as_str()),
                                plans::solutions.eq(content.solutions),
                                plans::general_objective.eq(content.general_objective),
                                plans::specific_objectives.eq(objectives),
                                plans::roadmap.eq(roadmap),
                                plans::revision.eq(revision),
                                plans::version.eq(row.version + 1),
                                plans::updated_at.eq(now),
                            ))
                            .returning(PlanRow::as_returning())
                            .get_result(conn)
                            .await?;
                        let plan = Plan::from(row);
                        audit_plan(conn, &caller, "plan.update", a.assignee_unit_id, Some(&before), &plan).await?;
                        Ok((plan, false))
                    }
                }
            }
            .scope_boxed()
        })
        .await?;
    Ok(if is_new {
        created(
            format!("/api/v1/assignments/{id}/plan"),
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
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub comment: Option<String>,
}

/// Applies `action` to the plan of assignment `id`: the head submits, the assigning side reviews.
async fn act(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: PlanAction,
    comment: Option<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let plan = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                let (permission, unit) = match action {
                    PlanAction::Submit => (Permission::CommitmentSign, a.assignee_unit_id),
                    _ => (Permission::PlanReview, a.assigning_unit_id),
                };
                caller.require_on(conn, permission, unit).await?;
                let row = find(conn, id).await?.ok_or_else(ApiError::not_found)?;
                if_match.check(row.version)?;
                let before = Plan::from(row.clone());
                let next = before.state.next(action)?;
                let now = Utc::now();
                let changes = (
                    plans::state.eq(next.as_str()),
                    plans::version.eq(row.version + 1),
                    plans::updated_at.eq(now),
                );
                let q = diesel::update(plans::table.find(row.id));
                let row: PlanRow = match action {
                    PlanAction::Submit => {
                        q.set((
                            changes,
                            plans::submitted_at.eq(now),
                            plans::submitted_by.eq(caller.account_id),
                        ))
                        .returning(PlanRow::as_returning())
                        .get_result(conn)
                        .await?
                    }
                    _ => {
                        q.set((
                            changes,
                            plans::reviewed_at.eq(now),
                            plans::reviewed_by.eq(caller.account_id),
                            plans::review_comment.eq(comment),
                        ))
                        .returning(PlanRow::as_returning())
                        .get_result(conn)
                        .await?
                    }
                };
                let plan = Plan::from(row);
                audit_plan(
                    conn,
                    &caller,
                    &format!("plan.{}", action.as_str()),
                    a.assignee_unit_id,
                    Some(&before),
                    &plan,
                )
                .await?;
                Ok(plan)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(plan.version, &plan))
}

/// Submit a plan
///
/// The head submits the plan for approval (`draft` or `returned` → `submitted`; 409 otherwise).
/// Needs `If-Match` on the plan and `commitment_sign` (the head) on the assignee unit.
#[utoipa::path(post, path = "/api/v1/assignments/{id}/plan/submit", tag = "plans",
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag of the plan")),
    responses((status = 200, description = "Submitted", body = Plan, headers(("ETag" = String))), UpdateErrors))]
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
#[utoipa::path(post, path = "/api/v1/assignments/{id}/plan/approve", tag = "plans", request_body = Review,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag of the plan")),
    responses((status = 200, description = "Approved", body = Plan, headers(("ETag" = String))), UpdateErrors))]
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
#[utoipa::path(post, path = "/api/v1/assignments/{id}/plan/return", tag = "plans", request_body = Review,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag of the plan")),
    responses((status = 200, description = "Returned", body = Plan, headers(("ETag" = String))), UpdateErrors))]
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
