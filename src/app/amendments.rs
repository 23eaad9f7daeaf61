//! Amendments (đề nghị điều chỉnh): the head asks to change a target or a deadline, or to
//! withdraw an assignment, with a justification; the assigning Standing Committee approves
//! (making a new version of the terms and invalidating the commitment) or rejects.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{terms_of, TargetSpec};
use super::commitments::invalidate_for;
use super::{in_tx, transition, IfMatch, Tx};
use crate::auth::policy::amendments as policy;
use crate::auth::policy::assignments::{lock_visible, visible};
use crate::auth::Caller;
use crate::db::models::{AmendmentRow, AssignmentRow, TermsRow};
use crate::db::repo;
use crate::domain::canonical;
use crate::domain::roles::Permission;
use crate::domain::round_rules::AssignmentKind;
use crate::domain::text::plain_text;
use crate::domain::workflow::{
    AmendmentAction, AmendmentKind, AmendmentState, AssignmentAction, AssignmentState,
};
use crate::domain::Violation;
use crate::error::ApiError;

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
    #[validate(length(min = 10, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 10,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
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

/// A decision on an amendment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentDecision {
    /// Comments (required to reject).
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub comment: Option<String>,
}

super::state_machine_workflow!(AmendmentRow, AmendmentState, AmendmentAction, "amendment");

/// What amendment `row` proposes.
pub fn proposal_of(row: &AmendmentRow) -> Result<Proposal, ApiError> {
    serde_json::from_value(row.proposed.clone()).map_err(ApiError::internal)
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

/// Every amendment of an assignment the caller may read, oldest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
) -> Result<Vec<AmendmentRow>, ApiError> {
    let a = visible(conn, caller, assignment).await?;
    Ok(repo::amendments::of_assignment(conn, a.id).await?)
}

/// One amendment the caller may read (404 otherwise).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AmendmentRow, ApiError> {
    policy::visible(conn, caller, id).await
}

/// The head asks to amend an issued assignment (`commitment_sign` on the assignee unit); one
/// request may be pending at a time.
pub async fn request(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment: Uuid,
    new: NewAmendment,
) -> Result<AmendmentRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = lock_visible(tx.conn, caller, assignment).await?;
        caller
            .require_on(tx.conn, Permission::CommitmentSign, a.assignee_unit_id)
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
        let proposed = serde_json::to_value(Proposal {
            target: new.target,
            end_date: new.end_date,
        })
        .map_err(ApiError::internal)?;
        let row = AmendmentRow {
            id: Uuid::now_v7(),
            assignment_id: a.id,
            kind: new.kind,
            justification: new.justification,
            objective_cause: new.objective_cause,
            proposed,
            state: AmendmentState::Pending,
            requested_by: caller.account_id,
            requested_at: tx.now,
            decided_by: None,
            decided_at: None,
            decision_comment: None,
            resulting_terms_version: None,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        repo::amendments::insert(tx.conn, &row)
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
        tx.created("amendment.request", row.id, Some(a.assignee_unit_id), &row);
        Ok(row)
    })
    .await
}

/// The assigning Standing Committee approves or rejects a pending amendment
/// (`amendment_decide` on the assigning unit); an approval amends the assignment.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: AmendmentAction,
    comment: Option<String>,
) -> Result<AmendmentRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (row, a) = policy::lock_visible(tx.conn, caller, id).await?;
        caller
            .require_on(tx.conn, Permission::AmendmentDecide, a.assigning_unit_id)
            .await?;
        transition(
            tx,
            row,
            if_match,
            action,
            a.assigning_unit_id,
            async |tx, amendment, next| {
                let resulting = match action {
                    AmendmentAction::Approve => Some(apply(tx, &a, amendment).await?),
                    _ => None,
                };
                let by = tx.caller.account_id;
                Ok(repo::amendments::set_decided(
                    tx.conn, amendment, next, by, comment, resulting, tx.now,
                )
                .await?)
            },
        )
        .await
    })
    .await
}

/// Applies an approved amendment to `a`: a new version of the terms (or the withdrawal), and
/// the commitment invalidated. Returns the new terms version.
async fn apply(
    tx: &mut Tx<'_>,
    a: &AssignmentRow,
    amendment: &AmendmentRow,
) -> Result<i32, ApiError> {
    if !matches!(
        a.state,
        AssignmentState::Issued | AssignmentState::Committed | AssignmentState::InProgress
    ) {
        return Err(ApiError::conflict(
            format!("the assignment is {} and can no longer be amended", a.state),
            format!("nhiệm vụ đang {} nên không thể điều chỉnh", a.state),
        ));
    }
    let proposal = proposal_of(amendment)?;
    let mut changed = a.clone();
    match amendment.kind {
        AmendmentKind::TargetChange => {
            changed.target = proposal
                .target
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(ApiError::internal)?;
        }
        AmendmentKind::DeadlineChange => {
            if let Some(d) = proposal.end_date {
                changed.end_date = d;
            }
        }
        AmendmentKind::Withdrawal => {
            changed.state = a.state.next(AssignmentAction::Withdraw)?;
            changed.withdrawn_reason = Some(amendment.justification.clone());
        }
    }
    let reason = format!("terms changed by amendment {}", amendment.id);
    invalidate_for(tx, a, &reason).await?;
    // Re-read: invalidation may have moved the state and bumped the version.
    let current = repo::assignments::get(tx.conn, a.id).await?;
    let version = a.terms_version + 1;
    let terms = terms_of(&changed);
    repo::assignments::insert_terms(
        tx.conn,
        &TermsRow {
            assignment_id: a.id,
            terms_version: version,
            terms_hash: canonical::terms_hash(&terms),
            terms,
            amendment_id: Some(amendment.id),
            created_by: Some(tx.caller.account_id),
            created_at: tx.now,
        },
    )
    .await?;
    let state = if amendment.kind == AmendmentKind::Withdrawal {
        changed.state
    } else {
        current.state
    };
    let after = repo::amendments::amend_assignment(
        tx.conn,
        a.id,
        repo::amendments::Amended {
            target: changed.target,
            end_date: changed.end_date,
            state,
            withdrawn_reason: changed.withdrawn_reason,
            terms_version: version,
            version: current.version + 1,
        },
        tx.now,
    )
    .await?;
    tx.changed(
        "assignment.amend",
        a.id,
        Some(a.assignee_unit_id),
        a,
        &after,
    );
    Ok(version)
}
