//! Implementation plans (kế hoạch thực hiện): the head's unit writes and submits the plan of an
//! assignment; the assigning side approves or returns it.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::lock_under_way;
use super::{in_tx, transition, Change, IfMatch, Workflow};
use crate::auth::policy::assignments::{lock_visible, visible};
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, PlanRow};
use crate::db::repo;
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::workflow::{PlanAction, PlanState};
use crate::domain::Violation;
use crate::error::ApiError;

/// A specific, quantified objective of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// What is to be achieved.
    #[validate(length(min = 1, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: String,
    /// The number aimed at, if quantified.
    pub value: Option<f64>,
    /// Its unit of measure.
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub unit_of_measure: Option<String>,
}

/// A dated step of a plan's roadmap.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapStep {
    /// What is done in this step.
    #[validate(length(min = 1, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
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
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub solutions: String,
    /// General objective.
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub general_objective: String,
    /// Specific, quantified objectives.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub specific_objectives: Vec<Objective>,
    /// Roadmap steps with dates, within the assignment's period.
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub roadmap: Vec<RoadmapStep>,
}

super::state_machine_workflow!(PlanRow, PlanState, PlanAction, "plan");

/// The plan of an assignment the caller may read (404 until one is written).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<PlanRow, ApiError> {
    let a = visible(conn, caller, assignment).await?;
    repo::plans::of_assignment(conn, a.id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Steps of the roadmap that fall outside the assignment's period or start after they are due.
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

/// Writes the plan of an assignment: creates it (`true`) or replaces the content of a draft or
/// returned one; replacing an approved plan opens a new revision in `draft`.
pub async fn write(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    if_match: &IfMatch,
    content: PlanContent,
) -> Result<(PlanRow, bool), ApiError> {
    in_tx(conn, caller, async |tx| {
        let rule = (
            "a plan is written for an issued assignment",
            "chỉ lập kế hoạch cho nhiệm vụ đã ban hành",
        );
        let a = lock_under_way(
            tx.conn,
            caller,
            assignment,
            Permission::AssignmentPrepare,
            rule,
        )
        .await?;
        let violations = roadmap_violations(&a, &content);
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let objectives =
            serde_json::to_value(&content.specific_objectives).map_err(ApiError::internal)?;
        let roadmap = serde_json::to_value(&content.roadmap).map_err(ApiError::internal)?;
        let (action, before, after) = match repo::plans::lock_of_assignment(tx.conn, a.id).await? {
            None => {
                let row = PlanRow {
                    id: Uuid::now_v7(),
                    assignment_id: a.id,
                    state: PlanState::Draft,
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
                    created_at: tx.now,
                    updated_at: tx.now,
                };
                repo::plans::insert(tx.conn, &row).await?;
                ("plan.create", None, row)
            }
            Some(row) => {
                if_match.check(row.version)?;
                let (state, revision) = match row.state {
                    PlanState::Draft => (PlanState::Draft, row.revision),
                    PlanState::Returned => (PlanState::Returned, row.revision),
                    PlanState::Approved => (row.state.next(PlanAction::Revise)?, row.revision + 1),
                    PlanState::Submitted => {
                        return Err(ApiError::conflict(
                            "a submitted plan cannot change until it is approved or returned",
                            "kế hoạch đã trình không thể sửa cho đến khi được duyệt hoặc trả lại",
                        ))
                    }
                };
                let content = repo::plans::Content {
                    state,
                    solutions: content.solutions,
                    general_objective: content.general_objective,
                    specific_objectives: objectives,
                    roadmap,
                    revision,
                };
                let after = repo::plans::update_content(tx.conn, &row, content, tx.now).await?;
                ("plan.update", Some(row), after)
            }
        };
        tx.record(Change {
            action,
            resource_type: PlanRow::RESOURCE,
            resource_id: Some(after.id),
            unit_id: Some(a.assignee_unit_id),
            before: before.as_ref(),
            after: Some(&after),
        });
        Ok((after, before.is_none()))
    })
    .await
}

/// Applies `action` to the plan of an assignment: the head submits (`commitment_sign` on the
/// assignee unit), the assigning side approves or returns (`plan_review` on the assigning unit).
pub async fn act(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    if_match: &IfMatch,
    action: PlanAction,
    comment: Option<String>,
) -> Result<PlanRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = lock_visible(tx.conn, caller, assignment).await?;
        let (permission, unit) = match action {
            PlanAction::Submit => (Permission::CommitmentSign, a.assignee_unit_id),
            _ => (Permission::PlanReview, a.assigning_unit_id),
        };
        caller.require_on(tx.conn, permission, unit).await?;
        let plan = repo::plans::lock_of_assignment(tx.conn, a.id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        transition(
            tx,
            plan,
            if_match,
            action,
            a.assignee_unit_id,
            async |tx, plan, next| {
                let by = tx.caller.account_id;
                Ok(match action {
                    PlanAction::Submit => {
                        repo::plans::set_submitted(tx.conn, plan, next, by, tx.now).await?
                    }
                    _ => {
                        repo::plans::set_reviewed(tx.conn, plan, next, by, comment, tx.now).await?
                    }
                })
            },
        )
        .await
    })
    .await
}
