//! Amendments (đề nghị điều chỉnh): the head asks to change a target or a deadline, or to
//! withdraw an assignment, with a justification; the assigning Standing Committee approves
//! (making a new version of the terms and invalidating the commitment) or rejects.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{load_visible, lock, Assignment, TargetSpec};
use super::commitments::invalidate_for;
use crate::app::assignments::terms_of;
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{AmendmentRow, AssignmentRow, TermsRow};
use crate::db::schema::{amendments, assignment_terms, assignments};
use crate::domain::canonical;
use crate::domain::roles::Permission;
use crate::domain::round_rules::AssignmentKind;
use crate::domain::workflow::{
    AmendmentAction, AmendmentKind, AmendmentState, AssignmentAction, AssignmentState,
};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(approve)
        .service(reject);
}

/// What an amendment proposes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// The new target, for `target_change`.
    pub target: Option<TargetSpec>,
    /// The new deadline, for `deadline_change`.
    pub end_date: Option<NaiveDate>,
}

/// A request to amend an assignment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAmendment {
    /// `target_change`, `deadline_change` or `withdrawal`.
    pub kind: AmendmentKind,
    /// Why (e.g. an objective cause).
    #[validate(
        length(min = 10, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub justification: String,
    /// Whether the cause is objective (outside the unit's control).
    #[serde(default)]
    pub objective_cause: bool,
    /// The new target, for `target_change`.
    #[validate(nested)]
    pub target: Option<TargetSpec>,
    /// The new deadline, for `deadline_change`.
    pub end_date: Option<NaiveDate>,
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
            kind: AmendmentKind::parse(&r.kind).unwrap_or(AmendmentKind::Withdrawal),
            justification: r.justification,
            objective_cause: r.objective_cause,
            proposed: serde_json::from_value(r.proposed).unwrap_or(Proposal {
                target: None,
                end_date: None,
            }),
            state: AmendmentState::parse(&r.state).unwrap_or(AmendmentState::Pending),
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

/// What makes a proposal unfit for `a`.
fn proposal_violations(a: &AssignmentRow, new: &NewAmendment) -> Vec<Violation> {
    let mut out = Vec::new();
    let not_allowed = |field: &str| {
        Violation::new(
            field,
            "not_allowed",
            "not part of this kind of amendment",
            "không thuộc loại điều chỉnh này",
        )
    };
    match new.kind {
        AmendmentKind::TargetChange => {
            match &new.target {
                None => out.push(Violation::new(
                    "target",
                    "required",
                    "propose the new target",
                    "cần nêu chỉ tiêu mới",
                )),
                Some(t) => out.extend(t.target().validate()),
            }
            if a.kind != AssignmentKind::Target {
                out.push(Violation::new(
                    "kind",
                    "not_a_target",
                    "only a target's number can change",
                    "chỉ điều chỉnh được chỉ tiêu có số liệu",
                ));
            }
            if new.end_date.is_some() {
                out.push(not_allowed("end_date"));
            }
        }
        AmendmentKind::DeadlineChange => {
            match new.end_date {
                None => out.push(Violation::new(
                    "end_date",
                    "required",
                    "propose the new deadline",
                    "cần nêu thời hạn mới",
                )),
                Some(d) if d < a.start_date || d == a.end_date => out.push(Violation::new(
                    "end_date",
                    "invalid",
                    "the new deadline must differ and not precede the start",
                    "thời hạn mới phải khác thời hạn cũ và không trước ngày bắt đầu",
                )),
                Some(_) => {}
            }
            if new.target.is_some() {
                out.push(not_allowed("target"));
            }
        }
        AmendmentKind::Withdrawal => {
            if new.target.is_some() {
                out.push(not_allowed("target"));
            }
            if new.end_date.is_some() {
                out.push(not_allowed("end_date"));
            }
        }
    }
    out
}

/// List an assignment's amendments
///
/// Every amendment request of an assignment, oldest first.
#[utoipa::path(tag = "amendments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The amendments", body = Vec<Amendment>), ReadErrors))]
#[get("/assignments/{id}/amendments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<AmendmentRow> = amendments::table
        .filter(amendments::assignment_id.eq(a.id))
        .order(amendments::id)
        .select(AmendmentRow::as_select())
        .load(&mut conn)
        .await?;
    let items: Vec<Amendment> = rows.into_iter().map(Amendment::from).collect();
    Ok(HttpResponse::Ok().json(items))
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
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                caller
                    .require_on(conn, Permission::CommitmentSign, a.assignee_unit_id)
                    .await?;
                if !a.is_under_way() {
                    return Err(ApiError::conflict(
                        format!("a {} assignment cannot be amended", a.state),
                        format!("không thể điều chỉnh nhiệm vụ ở trạng thái {}", a.state),
                    ));
                }
                let violations = proposal_violations(&a, &new);
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                let now = Utc::now();
                let row = AmendmentRow {
                    id: Uuid::now_v7(),
                    assignment_id: id,
                    kind: new.kind.as_str().to_owned(),
                    justification: new.justification,
                    objective_cause: new.objective_cause,
                    proposed: serde_json::to_value(Proposal {
                        target: new.target,
                        end_date: new.end_date,
                    })
                    .unwrap_or_default(),
                    state: AmendmentState::Pending.as_str().to_owned(),
                    requested_by: caller.account_id,
                    requested_at: now,
                    decided_by: None,
                    decided_at: None,
                    decision_comment: None,
                    resulting_terms_version: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                diesel::insert_into(amendments::table)
                    .values(&row)
                    .execute(conn)
                    .await
                    .map_err(|e| match e {
                        diesel::result::Error::DatabaseError(
                            diesel::result::DatabaseErrorKind::UniqueViolation,
                            _,
                        ) => ApiError::conflict(
                            "another amendment of this assignment is pending",
                            "nhiệm vụ đang có một đề nghị điều chỉnh chờ quyết định",
                        ),
                        other => other.into(),
                    })?;
                let view = Amendment::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "amendment.request",
                        resource_type: "amendment",
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
    let row: AmendmentRow = amendments::table
        .find(*id)
        .select(AmendmentRow::as_select())
        .first(&mut conn)
        .await?;
    load_visible(&mut conn, &caller, row.assignment_id).await?;
    let view = Amendment::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// A decision on an amendment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentDecision {
    /// Comments (required to reject).
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub comment: Option<String>,
}

async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: AmendmentAction,
    comment: Option<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let row: AmendmentRow = amendments::table
                    .find(id)
                    .select(AmendmentRow::as_select())
                    .for_update()
                    .first(conn)
                    .await?;
                let a = lock(conn, &caller, row.assignment_id, None).await?;
                caller
                    .require_on(conn, Permission::AmendmentDecide, a.assigning_unit_id)
                    .await?;
                if_match.check(row.version)?;
                let before = Amendment::from(row.clone());
                let next = before.state.next(action)?;
                let now = Utc::now();
                let mut resulting = None;
                if action == AmendmentAction::Approve {
                    resulting = Some(apply(conn, &caller, &a, &before).await?);
                }
                let row: AmendmentRow = diesel::update(amendments::table.find(id))
                    .set((
                        amendments::state.eq(next.as_str()),
                        amendments::decided_by.eq(caller.account_id),
                        amendments::decided_at.eq(now),
                        amendments::decision_comment.eq(comment),
                        amendments::resulting_terms_version.eq(resulting),
                        amendments::version.eq(row.version + 1),
                        amendments::updated_at.eq(now),
                    ))
                    .returning(AmendmentRow::as_returning())
                    .get_result(conn)
                    .await?;
                let after = Amendment::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: &format!("amendment.{}", action.as_str()),
                        resource_type: "amendment",
                        resource_id: Some(id),
                        unit_id: Some(a.assigning_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// Applies an approved amendment to `a`: a new version of the terms (or the withdrawal), and
/// the commitment invalidated. Returns the new terms version.
async fn apply(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
    amendment: &Amendment,
) -> Result<i32, ApiError> {
    let state = a.state;
    if !matches!(
        state,
        AssignmentState::Issued | AssignmentState::Committed | AssignmentState::InProgress
    ) {
        return Err(ApiError::conflict(
            format!("the assignment is {} and can no longer be amended", a.state),
            format!("nhiệm vụ đang {} nên không thể điều chỉnh", a.state),
        ));
    }
    let before = Assignment::from(a.clone());
    let mut changed = a.clone();
    match amendment.kind {
        AmendmentKind::TargetChange => {
            changed.target = amendment
                .proposed
                .target
                .as_ref()
                .map(|t| serde_json::to_value(t).unwrap_or_default());
        }
        AmendmentKind::DeadlineChange => {
            if let Some(d) = amendment.proposed.end_date {
                changed.end_date = d;
            }
        }
        AmendmentKind::Withdrawal => {
            changed.state = state.next(AssignmentAction::Withdraw)?;
            changed.withdrawn_reason = Some(amendment.justification.clone());
        }
    }
    let reason = format!("terms changed by amendment {}", amendment.id);
    invalidate_for(conn, a, &reason).await?;
    // Re-read: invalidation may have moved the state and bumped the version.
    let current: AssignmentRow = assignments::table
        .find(a.id)
        .select(AssignmentRow::as_select())
        .first(conn)
        .await?;
    let version = a.terms_version + 1;
    let terms = terms_of(&changed);
    diesel::insert_into(assignment_terms::table)
        .values(&TermsRow {
            assignment_id: a.id,
            terms_version: version,
            terms_hash: canonical::terms_hash(&terms),
            terms,
            amendment_id: Some(amendment.id),
            created_by: Some(caller.account_id),
            created_at: Utc::now(),
        })
        .execute(conn)
        .await?;
    let new_state = if amendment.kind == AmendmentKind::Withdrawal {
        changed.state.clone()
    } else {
        current.state.clone()
    };
    let row: AssignmentRow = diesel::update(assignments::table.find(a.id))
        .set((
            assignments::target.eq(changed.target),
            assignments::end_date.eq(changed.end_date),
            assignments::state.eq(new_state),
            assignments::withdrawn_reason.eq(changed.withdrawn_reason),
            assignments::terms_version.eq(version),
            assignments::version.eq(current.version + 1),
            assignments::updated_at.eq(Utc::now()),
        ))
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await?;
    let after = Assignment::from(row);
    audit::record(
        conn,
        Some(caller),
        Change {
            action: "assignment.amend",
            resource_type: "assignment",
            resource_id: Some(a.id),
            unit_id: Some(a.assigning_unit_id),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(version)
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
