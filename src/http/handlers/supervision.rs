//! Supervision: heads raise obstacles (khó khăn, vướng mắc) with a request for support;
//! supervisors (and the assigning side) answer them, the head confirms they are resolved, and
//! the assigning side may certify one as an objective cause, which is recorded on the
//! assignment. Supervisors also record opinions on assignments.
//!
//! A supervisor's watch is its `supervisor` role binding: the units (or subtree) it covers,
//! for the binding's validity period.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{load_visible, lock};
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, ObstacleRow, OpinionRow};
use crate::db::schema::{assignments, obstacles, opinions, progress_reports};
use crate::domain::progress::ObstacleState;
use crate::domain::roles::Permission;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(raise)
        .service(get)
        .service(respond)
        .service(resolve)
        .service(certify)
        .service(list_opinions)
        .service(add_opinion);
}

/// An obstacle and the support given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Obstacle {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// The progress report it was raised with, if any.
    pub report_id: Option<Uuid>,
    /// What stands in the way.
    pub description: String,
    /// The support asked for.
    pub support_requested: Option<String>,
    /// `open`, `answered` or `resolved`.
    pub state: ObstacleState,
    /// Who raised it.
    pub raised_by: Uuid,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// The answer.
    pub response: Option<String>,
    /// Who answered.
    pub responded_by: Option<Uuid>,
    /// When.
    pub responded_at: Option<DateTime<Utc>>,
    /// How it was resolved.
    pub resolution_note: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Whether it was certified as an objective cause.
    pub objective_cause: bool,
    /// The certification's note.
    pub certification_note: Option<String>,
    /// Who certified it.
    pub certified_by: Option<Uuid>,
    /// When.
    pub certified_at: Option<DateTime<Utc>>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<ObstacleRow> for Obstacle {
    fn from(r: ObstacleRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            report_id: r.report_id,
            description: r.description,
            support_requested: r.support_requested,
            state: ObstacleState::parse(&r.state).unwrap_or(ObstacleState::Open),
            raised_by: r.raised_by,
            raised_at: r.raised_at,
            response: r.response,
            responded_by: r.responded_by,
            responded_at: r.responded_at,
            resolution_note: r.resolution_note,
            resolved_at: r.resolved_at,
            objective_cause: r.objective_cause,
            certification_note: r.certification_note,
            certified_by: r.certified_by,
            certified_at: r.certified_at,
            version: r.version,
        }
    }
}

/// List an assignment's obstacles
///
/// Every obstacle raised on the assignment, oldest first.
#[utoipa::path(tag = "supervision",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The obstacles", body = Vec<Obstacle>), ReadErrors))]
#[get("/assignments/{id}/obstacles")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<ObstacleRow> = obstacles::table
        .filter(obstacles::assignment_id.eq(a.id))
        .order(obstacles::id)
        .select(ObstacleRow::as_select())
        .load(&mut conn)
        .await?;
    let out: Vec<Obstacle> = rows.into_iter().map(Obstacle::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A new obstacle.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObstacle {
    /// What stands in the way.
    #[validate(
        length(min = 5, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub description: String,
    /// The support asked for.
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub support_requested: Option<String>,
    /// The progress report of the assignment it comes with, if any.
    pub report_id: Option<Uuid>,
}

async fn audit_obstacle(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    unit: Uuid,
    before: Option<&Obstacle>,
    after: &Obstacle,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Some(caller),
        Change {
            action,
            resource_type: "obstacle",
            resource_id: Some(after.id),
            unit_id: Some(unit),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Raise an obstacle
///
/// The head's unit reports an obstacle on an issued assignment and asks for support. Needs
/// `assignment_prepare` (head or staff) on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = NewObstacle,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Raised", body = Obstacle, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/obstacles")]
pub async fn raise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewObstacle>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                caller
                    .require_on(conn, Permission::AssignmentPrepare, a.assignee_unit_id)
                    .await?;
                if !a.is_under_way() {
                    return Err(ApiError::conflict(
                        format!(
                            "obstacles are raised on issued assignments; this one is {}",
                            a.state
                        ),
                        format!(
                            "chỉ nêu vướng mắc với nhiệm vụ đã ban hành; nhiệm vụ đang {}",
                            a.state
                        ),
                    ));
                }
                if let Some(report) = new.report_id {
                    let of: Option<Uuid> = progress_reports::table
                        .find(report)
                        .select(progress_reports::assignment_id)
                        .first(conn)
                        .await
                        .optional()?;
                    if of != Some(id) {
                        return Err(ApiError::violations(vec![Violation::new(
                            "report_id",
                            "unknown_reference",
                            "no such report of this assignment",
                            "không có báo cáo này của nhiệm vụ",
                        )]));
                    }
                }
                let row = ObstacleRow {
                    id: Uuid::now_v7(),
                    assignment_id: id,
                    report_id: new.report_id,
                    description: new.description,
                    support_requested: new.support_requested,
                    state: ObstacleState::Open.as_str().to_owned(),
                    raised_by: caller.account_id,
                    raised_at: Utc::now(),
                    response: None,
                    responded_by: None,
                    responded_at: None,
                    resolution_note: None,
                    resolved_by: None,
                    resolved_at: None,
                    objective_cause: false,
                    certification_note: None,
                    certified_by: None,
                    certified_at: None,
                    version: 1,
                };
                diesel::insert_into(obstacles::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let view = Obstacle::from(row);
                audit_obstacle(
                    conn,
                    &caller,
                    "obstacle.raise",
                    a.assignee_unit_id,
                    None,
                    &view,
                )
                .await?;
                Ok(view)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/obstacles/{}", view.id),
        view.version,
        &view,
    ))
}

/// Get an obstacle
///
/// One obstacle with its answer, resolution and certification, and its ETag.
#[utoipa::path(tag = "supervision",
    params(("id" = Uuid, Path, description = "Obstacle id")),
    responses((status = 200, description = "The obstacle", body = Obstacle, headers(("ETag" = String))), ReadErrors))]
#[get("/obstacles/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row: ObstacleRow = obstacles::table
        .find(*id)
        .select(ObstacleRow::as_select())
        .first(&mut conn)
        .await?;
    load_visible(&mut conn, &caller, row.assignment_id).await?;
    let view = Obstacle::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// A text for an action on an obstacle.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObstacleNote {
    /// The answer, resolution note or certification note.
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub note: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Respond,
    Resolve,
    Certify,
}

/// Applies `step` to obstacle `id`.
async fn step(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    step: Step,
    note: String,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let row: ObstacleRow = obstacles::table
                    .find(id)
                    .select(ObstacleRow::as_select())
                    .for_update()
                    .first(conn)
                    .await?;
                let a: AssignmentRow = lock(conn, &caller, row.assignment_id, None).await?;
                let (permission, unit) = match step {
                    Step::Respond => (Permission::ObstacleRespond, a.assignee_unit_id),
                    Step::Resolve => (Permission::AssignmentPrepare, a.assignee_unit_id),
                    Step::Certify => (Permission::ObjectiveCauseCertify, a.assigning_unit_id),
                };
                caller.require_on(conn, permission, unit).await?;
                if_match.check(row.version)?;
                let before = Obstacle::from(row.clone());
                let now = Utc::now();
                let conflict =
                    |en: &str, vi: &str| Err(ApiError::conflict(en.to_owned(), vi.to_owned()));
                let q = diesel::update(obstacles::table.find(id));
                let bump = (obstacles::version.eq(row.version + 1),);
                let row: ObstacleRow = match step {
                    Step::Respond => {
                        if before.state == ObstacleState::Resolved {
                            return conflict(
                                "the obstacle is already resolved",
                                "vướng mắc đã được tháo gỡ",
                            );
                        }
                        q.set((
                            bump,
                            obstacles::state.eq(ObstacleState::Answered.as_str()),
                            obstacles::response.eq(note),
                            obstacles::responded_by.eq(caller.account_id),
                            obstacles::responded_at.eq(now),
                        ))
                        .returning(ObstacleRow::as_returning())
                        .get_result(conn)
                        .await?
                    }
                    Step::Resolve => {
                        if before.state == ObstacleState::Resolved {
                            return conflict(
                                "the obstacle is already resolved",
                                "vướng mắc đã được tháo gỡ",
                            );
                        }
                        q.set((
                            bump,
                            obstacles::state.eq(ObstacleState::Resolved.as_str()),
                            obstacles::resolution_note.eq(note),
                            obstacles::resolved_by.eq(caller.account_id),
                            obstacles::resolved_at.eq(now),
                        ))
                        .returning(ObstacleRow::as_returning())
                        .get_result(conn)
                        .await?
                    }
                    Step::Certify => {
                        if before.objective_cause {
                            return conflict(
                                "the obstacle is already certified as an objective cause",
                                "vướng mắc đã được xác nhận là nguyên nhân khách quan",
                            );
                        }
                        diesel::update(assignments::table.find(a.id))
                            .set((
                                assignments::objective_cause.eq(true),
                                assignments::version.eq(a.version + 1),
                                assignments::updated_at.eq(now),
                            ))
                            .execute(conn)
                            .await?;
                        q.set((
                            bump,
                            obstacles::objective_cause.eq(true),
                            obstacles::certification_note.eq(note),
                            obstacles::certified_by.eq(caller.account_id),
                            obstacles::certified_at.eq(now),
                        ))
                        .returning(ObstacleRow::as_returning())
                        .get_result(conn)
                        .await?
                    }
                };
                let after = Obstacle::from(row);
                let action = match step {
                    Step::Respond => "obstacle.respond",
                    Step::Resolve => "obstacle.resolve",
                    Step::Certify => "obstacle.certify_objective_cause",
                };
                audit_obstacle(
                    conn,
                    &caller,
                    action,
                    a.assignee_unit_id,
                    Some(&before),
                    &after,
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// Answer an obstacle
///
/// A supervisor watching the unit (or the assigning side) answers with the support given
/// (`open` or `answered` → `answered`; 409 once resolved). Needs `If-Match` and
/// `obstacle_respond` on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = ObstacleNote,
    params(("id" = Uuid, Path, description = "Obstacle id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Answered", body = Obstacle, headers(("ETag" = String))), UpdateErrors))]
#[post("/obstacles/{id}/respond")]
pub async fn respond(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ObstacleNote>,
) -> ApiResult<HttpResponse> {
    step(state, caller, *id, if_match, Step::Respond, body.0.note).await
}

/// Mark an obstacle resolved
///
/// The head's unit confirms the obstacle is removed (409 if already resolved). Needs
/// `If-Match` and `assignment_prepare` on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = ObstacleNote,
    params(("id" = Uuid, Path, description = "Obstacle id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Resolved", body = Obstacle, headers(("ETag" = String))), UpdateErrors))]
#[post("/obstacles/{id}/resolve")]
pub async fn resolve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ObstacleNote>,
) -> ApiResult<HttpResponse> {
    step(state, caller, *id, if_match, Step::Resolve, body.0.note).await
}

/// Certify an objective cause
///
/// The assigning side certifies that the obstacle is an objective cause, outside the unit's
/// control; the assignment records it (it waives penalties in grading). Once only (409).
/// Needs `If-Match` and `objective_cause_certify` on the assigning unit.
#[utoipa::path(tag = "supervision", request_body = ObstacleNote,
    params(("id" = Uuid, Path, description = "Obstacle id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Certified", body = Obstacle, headers(("ETag" = String))), UpdateErrors))]
#[post("/obstacles/{id}/certify-objective-cause")]
pub async fn certify(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ObstacleNote>,
) -> ApiResult<HttpResponse> {
    step(state, caller, *id, if_match, Step::Certify, body.0.note).await
}

/// An opinion recorded on an assignment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opinion {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// Its author's account.
    pub author_id: Uuid,
    /// The opinion.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<OpinionRow> for Opinion {
    fn from(r: OpinionRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            author_id: r.author_id,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

/// A new opinion.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOpinion {
    /// The opinion.
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub body: String,
}

/// List opinions on an assignment
///
/// Every opinion recorded on the assignment, oldest first.
#[utoipa::path(tag = "supervision",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The opinions", body = Vec<Opinion>), ReadErrors))]
#[get("/assignments/{id}/opinions")]
pub async fn list_opinions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<OpinionRow> = opinions::table
        .filter(opinions::assignment_id.eq(a.id))
        .order(opinions::id)
        .select(OpinionRow::as_select())
        .load(&mut conn)
        .await?;
    let out: Vec<Opinion> = rows.into_iter().map(Opinion::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Record an opinion
///
/// A supervisor watching the unit (or the assigning side) records an opinion on an issued
/// assignment; opinions are never changed. Needs `obstacle_respond` on the assignee unit.
#[utoipa::path(tag = "supervision", request_body = NewOpinion,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Recorded", body = Opinion, headers(("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/opinions")]
pub async fn add_opinion(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewOpinion>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                caller
                    .require_on(conn, Permission::ObstacleRespond, a.assignee_unit_id)
                    .await?;
                if a.state == crate::domain::workflow::AssignmentState::Draft {
                    return Err(ApiError::conflict(
                        "opinions are recorded on issued assignments",
                        "chỉ ghi ý kiến với nhiệm vụ đã ban hành",
                    ));
                }
                let row = OpinionRow {
                    id: Uuid::now_v7(),
                    assignment_id: id,
                    author_id: caller.account_id,
                    body: new.body,
                    created_at: Utc::now(),
                };
                diesel::insert_into(opinions::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let view = Opinion::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "opinion.create",
                        resource_type: "opinion",
                        resource_id: Some(view.id),
                        unit_id: Some(a.assignee_unit_id),
                        before: None::<&()>,
                        after: Some(&view),
                    },
                )
                .await?;
                Ok(view)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/assignments/{id}/opinions"),
        ))
        .json(&view))
}
