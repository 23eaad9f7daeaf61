//! Supervision: the head's unit raises obstacles (khó khăn, vướng mắc) with a request for
//! support; supervisors (and the assigning side) answer them, the head's unit confirms they are
//! resolved, and the assigning side may certify one as an objective cause, which is recorded
//! on the assignment. Supervisors also record opinions on assignments.

use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::lock_under_way;
use super::{in_tx, transition, IfMatch, Workflow};
use crate::auth::policy::{assignments, supervision};
use crate::auth::Caller;
use crate::db::models::{ObstacleRow, OpinionRow};
use crate::db::repo;
use crate::domain::progress::{ObstacleAction, ObstacleRefusal, ObstacleState, ObstacleStatus};
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::workflow::AssignmentState;
use crate::domain::Violation;
use crate::error::ApiError;

/// A new obstacle.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObstacle {
    /// What stands in the way.
    #[validate(length(min = 5, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 5,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: String,
    /// The support asked for.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub support_requested: Option<String>,
    /// The progress report of the assignment it comes with, if any.
    pub report_id: Option<Uuid>,
}

/// A text for an action on an obstacle.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObstacleNote {
    /// The answer, resolution note or certification note.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: String,
}

/// A new opinion.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOpinion {
    /// The opinion.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub body: String,
}

impl Workflow for ObstacleRow {
    type State = ObstacleStatus;
    type Action = ObstacleAction;
    const RESOURCE: &'static str = "obstacle";
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn state(&self) -> ObstacleStatus {
        ObstacleStatus {
            state: self.state,
            objective_cause: self.objective_cause,
        }
    }
    fn next(state: ObstacleStatus, action: ObstacleAction) -> Result<ObstacleStatus, ApiError> {
        state.next(action).map_err(|refusal| match refusal {
            ObstacleRefusal::AlreadyResolved => ApiError::conflict(
                "the obstacle is already resolved",
                "vướng mắc đã được tháo gỡ",
            ),
            ObstacleRefusal::AlreadyCertified => ApiError::conflict(
                "the obstacle is already certified as an objective cause",
                "vướng mắc đã được xác nhận là nguyên nhân khách quan",
            ),
        })
    }
    fn action_code(action: ObstacleAction) -> &'static str {
        action.as_str()
    }
}

/// The obstacles of an assignment the caller may read, oldest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<Vec<ObstacleRow>, ApiError> {
    let a = assignments::visible(conn, caller, assignment).await?;
    Ok(repo::supervision::obstacles_of(conn, a.id).await?)
}

/// One obstacle the caller may read.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ObstacleRow, ApiError> {
    supervision::visible(conn, caller, id).await
}

/// Raises an obstacle on an issued assignment (`assignment_prepare` on the assignee unit).
pub async fn raise(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    new: NewObstacle,
) -> Result<ObstacleRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let rule = (
            "obstacles are raised on issued assignments",
            "chỉ nêu vướng mắc với nhiệm vụ đã ban hành",
        );
        let a = lock_under_way(
            tx.conn,
            caller,
            assignment,
            Permission::AssignmentPrepare,
            rule,
        )
        .await?;
        if let Some(report) = new.report_id {
            if repo::reports::assignment_of(tx.conn, report).await? != Some(a.id) {
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
            assignment_id: a.id,
            report_id: new.report_id,
            description: new.description,
            support_requested: new.support_requested,
            state: ObstacleState::Open,
            raised_by: caller.account_id,
            raised_at: tx.now,
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
        repo::supervision::insert_obstacle(tx.conn, &row).await?;
        tx.created("obstacle.raise", row.id, Some(a.assignee_unit_id), &row);
        Ok(row)
    })
    .await
}

/// Applies `action` to obstacle `id` with `note`: a supervisor or the assigning side answers
/// (`obstacle_respond` on the assignee unit), the head's unit resolves (`assignment_prepare`
/// on the assignee unit), the assigning side certifies an objective cause
/// (`objective_cause_certify` on the assigning unit), which the assignment records.
pub async fn act(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: ObstacleAction,
    note: String,
) -> Result<ObstacleRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (o, a) = supervision::lock_visible(tx.conn, caller, id).await?;
        let (permission, unit) = match action {
            ObstacleAction::Respond => (Permission::ObstacleRespond, a.assignee_unit_id),
            ObstacleAction::Resolve => (Permission::AssignmentPrepare, a.assignee_unit_id),
            ObstacleAction::CertifyObjectiveCause => {
                (Permission::ObjectiveCauseCertify, a.assigning_unit_id)
            }
        };
        caller.require_on(tx.conn, permission, unit).await?;
        transition(
            tx,
            o,
            if_match,
            action,
            a.assignee_unit_id,
            async |tx, o, next| {
                let (by, now) = (tx.caller.account_id, tx.now);
                Ok(match action {
                    ObstacleAction::Respond => {
                        repo::supervision::set_response(tx.conn, o, next.state, note, by, now)
                            .await?
                    }
                    ObstacleAction::Resolve => {
                        repo::supervision::set_resolved(tx.conn, o, next.state, note, by, now)
                            .await?
                    }
                    ObstacleAction::CertifyObjectiveCause => {
                        repo::supervision::mark_objective_cause(tx.conn, &a, now).await?;
                        repo::supervision::set_certified(tx.conn, o, note, by, now).await?
                    }
                })
            },
        )
        .await
    })
    .await
}

/// The opinions on an assignment the caller may read, oldest first.
pub async fn opinions(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<Vec<OpinionRow>, ApiError> {
    let a = assignments::visible(conn, caller, assignment).await?;
    Ok(repo::supervision::opinions_of(conn, a.id, None).await?)
}

/// Records an opinion on an issued assignment (`obstacle_respond` on the assignee unit).
pub async fn add_opinion(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    new: NewOpinion,
) -> Result<OpinionRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = assignments::lock_visible(tx.conn, caller, assignment).await?;
        caller
            .require_on(tx.conn, Permission::ObstacleRespond, a.assignee_unit_id)
            .await?;
        if a.state == AssignmentState::Draft {
            return Err(ApiError::conflict(
                "opinions are recorded on issued assignments",
                "chỉ ghi ý kiến với nhiệm vụ đã ban hành",
            ));
        }
        let row = OpinionRow {
            id: Uuid::now_v7(),
            assignment_id: a.id,
            author_id: caller.account_id,
            body: new.body,
            created_at: tx.now,
        };
        repo::supervision::insert_opinion(tx.conn, &row).await?;
        tx.created("opinion.create", row.id, Some(a.assignee_unit_id), &row);
        Ok(row)
    })
    .await
}
