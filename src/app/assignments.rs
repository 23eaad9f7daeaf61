//! Assignments: tasks and quantified targets given by a round's unit to the head of a unit
//! below it, with their milestones, versioned terms, cascade to subordinate units, roll-up,
//! carry-over into a later round, and the `start` and `withdraw` actions.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::batch::{self, BatchOutcome, Refusal, Step, Written};
use super::crud::{change, remove, Audited};
use super::{in_tx, transition, IfMatch, Tx};
use crate::auth::policy::assignments::{can_read, lock_visible, readable, visible};
use crate::auth::{scope, Caller};
use crate::db::models::{AssignmentRow, RoundRow, TermsRow};
use crate::db::repo;
use crate::domain::assignment::{self as rules, Parent, RolledUp, Shape};
use crate::domain::roles::Permission;
use crate::domain::round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
use crate::domain::target::{Rollup, Target, TargetShape};
use crate::domain::text::code_format;
use crate::domain::text::fold;
use crate::domain::text::plain_text;
use crate::domain::workflow::{AssignmentAction, AssignmentState, RoundState};
use crate::domain::Violation;
use crate::error::ApiError;

/// The terms of an assignment: what the head commits to. Their canonical JSON is hashed and
/// signed; any change makes a new version.
pub fn terms_of(a: &AssignmentRow) -> Value {
    json!({
        "assignment_id": a.id,
        "round_id": a.round_id,
        "assigning_unit_id": a.assigning_unit_id,
        "assignee_unit_id": a.assignee_unit_id,
        "code": a.code,
        "title": a.title,
        "description": a.description,
        "content_area": a.content_area.as_str(),
        "kind": a.kind.as_str(),
        "product_description": a.product_description,
        "flags": a.flags,
        "growth_target": a.growth_target,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "target": a.target,
        "rollup": a.rollup.as_str(),
        "weight": a.weight,
        "milestones": a.milestones,
        "parent_id": a.parent_id,
        "indicator_code": a.indicator_code,
    })
}

/// A quantified target: what number, in what unit, met in which way.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Unit of measure, e.g. "đảng viên", "%", "tỷ đồng" (not needed for a milestone).
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub unit_of_measure: Option<String>,
    /// `at_least`, `at_most` (lower is better), `range`, `exactly` or `milestone` (yes/no).
    pub shape: TargetShape,
    /// The number, for `at_least`, `at_most` and `exactly`.
    pub value: Option<f64>,
    /// Lower bound, for `range`.
    pub min: Option<f64>,
    /// Upper bound, for `range`.
    pub max: Option<f64>,
    /// Value at the start, if known (used to measure progress on lower-is-better targets).
    pub baseline: Option<f64>,
}

impl TargetSpec {
    /// The domain target.
    pub fn target(&self) -> Target {
        Target {
            shape: self.shape,
            value: self.value,
            min: self.min,
            max: self.max,
            baseline: self.baseline,
        }
    }
}

/// A dated step of an assignment's yearly roadmap.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Id (given by the server when absent).
    pub id: Option<Uuid>,
    /// What is to be done by the due date.
    #[validate(length(min = 1, max = 1000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: String,
    /// Due date, within the assignment's period.
    pub due_date: NaiveDate,
    /// The value to reach by then, for targets.
    pub value: Option<f64>,
}

/// The stored target of `a`, if any.
pub fn target_of(a: &AssignmentRow) -> Result<Option<TargetSpec>, ApiError> {
    a.target
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(ApiError::internal)
}

/// The stored milestones of `a`.
fn milestones_of(a: &AssignmentRow) -> Result<Vec<Milestone>, ApiError> {
    serde_json::from_value(a.milestones.clone()).map_err(ApiError::internal)
}

/// Assignment `id`, locked for a change, if the caller may read it (404 otherwise), checked
/// against `If-Match` when given: for the use cases of other resources that change an
/// assignment's children or the assignment itself.
pub async fn lock_checked(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssignmentRow, ApiError> {
    let a = lock_visible(conn, caller, id).await?;
    if let Some(m) = if_match {
        m.check(a.version)?;
    }
    Ok(a)
}

/// Filters of the assignment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentFilter {
    /// Only assignments of this round.
    pub round_id: Option<Uuid>,
    /// Only assignments of rounds of this year.
    pub year: Option<i32>,
    /// Only assignments to this unit (and its subtree with `include_subtree=true`).
    pub assignee_unit_id: Option<Uuid>,
    /// With `assignee_unit_id`: include units below it.
    #[serde(default)]
    pub include_subtree: bool,
    /// Only assignments to members of this group.
    pub group_id: Option<Uuid>,
    /// Only this content area.
    pub content_area: Option<ContentArea>,
    /// Only this kind.
    pub kind: Option<AssignmentKind>,
    /// Only this state.
    pub state: Option<AssignmentState>,
    /// Only assignments carrying this flag.
    pub flag: Option<AssignmentFlag>,
    /// Only children of this assignment (cascade).
    pub parent_id: Option<Uuid>,
    /// Free text in code, title, description and product, ignoring case and Vietnamese
    /// diacritics ("giai phong mat bang" finds "giải phóng mặt bằng").
    pub q: Option<String>,
}

/// Up to `limit` assignments the caller may read after `after`, ordered by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: AssignmentFilter,
    limit: i64,
    after: Option<Uuid>,
) -> Result<Vec<AssignmentRow>, ApiError> {
    let scope_filter = readable(conn, caller).await?;
    let assignee_units = match filter.assignee_unit_id {
        Some(unit) if filter.include_subtree => {
            Some(scope::descendants_or_self(conn, &[unit]).await?)
        }
        Some(unit) => Some(vec![unit]),
        None => None,
    };
    let f = repo::assignments::Filter {
        after,
        round_id: filter.round_id,
        year: filter.year,
        assignee_units,
        group_id: filter.group_id,
        content_area: filter.content_area,
        kind: filter.kind,
        state: filter.state,
        flag: filter.flag,
        parent_id: filter.parent_id,
        text: filter.q.as_deref().map(fold).filter(|t| !t.is_empty()),
    };
    Ok(repo::assignments::list(conn, scope_filter, f, limit).await?)
}

/// One assignment the caller may read (404 otherwise).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AssignmentRow, ApiError> {
    visible(conn, caller, id).await
}

/// Every frozen version of the terms of an assignment the caller may read, oldest first.
pub async fn terms(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(AssignmentRow, Vec<TermsRow>), ApiError> {
    let a = visible(conn, caller, id).await?;
    let rows = repo::assignments::terms(conn, a.id).await?;
    Ok((a, rows))
}

/// One child in a roll-up.
pub struct ChildFigures {
    /// The child.
    pub row: AssignmentRow,
    /// Its target number.
    pub target_value: Option<f64>,
    /// Its latest actual value from an accepted progress report.
    pub actual_value: Option<f64>,
}

/// A parent's target and its children's, rolled up.
pub struct RollupFigures {
    /// The parent.
    pub parent: AssignmentRow,
    /// Its own target number.
    pub target_value: Option<f64>,
    /// The children rolled up by the parent's method.
    pub rolled: RolledUp,
    /// The children, issued or later (withdrawn ones excluded).
    pub children: Vec<ChildFigures>,
}

/// The children of an assignment the caller may read, rolled up by its method.
pub async fn rollup(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<RollupFigures, ApiError> {
    let parent = visible(conn, caller, id).await?;
    let rows = repo::assignments::active_children(conn, parent.id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let actuals = repo::assignments::latest_accepted_actuals(conn, &ids).await?;
    let mut children = Vec::with_capacity(rows.len());
    for row in rows {
        let target_value = target_of(&row)?.and_then(|t| rules::target_number(&t.target()));
        let actual_value = actuals.iter().find(|(a, _)| *a == row.id).map(|(_, v)| *v);
        children.push(ChildFigures {
            row,
            target_value,
            actual_value,
        });
    }
    let own = target_of(&parent)?.map(|t| t.target());
    let figures: Vec<(Option<f64>, Option<f64>)> = children
        .iter()
        .map(|c| (c.target_value, c.actual_value))
        .collect();
    Ok(RollupFigures {
        target_value: own.as_ref().and_then(rules::target_number),
        rolled: rules::roll_up(parent.rollup, own.as_ref(), &figures),
        parent,
        children,
    })
}

/// The terms of a new assignment (and, as a whole, of a draft being edited).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    /// The round (in `draft`); the caller needs `round_manage` on its assigning unit.
    pub round_id: Uuid,
    /// The unit whose head receives it: strictly below the assigning unit.
    pub assignee_unit_id: Uuid,
    /// Code, unique in the round.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: Option<String>,
    /// Title.
    #[validate(length(min = 1, max = 1000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: String,
    /// Description.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: Option<String>,
    /// Content area.
    pub content_area: ContentArea,
    /// `task` (needs `product_description`) or `target` (needs `target`).
    pub kind: AssignmentKind,
    /// The product expected of a task.
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub product_description: Option<String>,
    /// Flags.
    #[serde(default)]
    #[validate(length(max = 5))]
    #[schema(max_items = 5)]
    pub flags: Vec<AssignmentFlag>,
    /// Whether this is the unit's growth target (kind `target` only).
    #[serde(default)]
    pub growth_target: bool,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day: one year or several (up to 10).
    pub end_date: NaiveDate,
    /// The target, for kind `target`.
    #[validate(nested)]
    pub target: Option<TargetSpec>,
    /// How children's actuals roll up (default `none`).
    #[serde(default = "no_rollup")]
    pub rollup: Rollup,
    /// Weight in scoring, above 0 and at most 100 (default 1).
    #[serde(default = "one")]
    #[validate(range(exclusive_min = 0.0, max = 100.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 100.0)]
    pub weight: f64,
    /// Roadmap milestones, within the period.
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub milestones: Vec<Milestone>,
    /// The assignment this one cascades from: one given to the round's assigning unit.
    pub parent_id: Option<Uuid>,
    /// Code of the indicator department feeds report for this target (targets only).
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub indicator_code: Option<String>,
}

fn no_rollup() -> Rollup {
    Rollup::None
}

fn one() -> f64 {
    1.0
}

impl NewAssignment {
    /// What the domain's shape rules look at.
    fn shape(&self) -> Shape<'_> {
        Shape {
            kind: self.kind,
            start_date: self.start_date,
            end_date: self.end_date,
            has_product_description: self.product_description.is_some(),
            target: self
                .target
                .as_ref()
                .map(|t| (t.target(), t.unit_of_measure.is_some())),
            has_indicator_code: self.indicator_code.is_some(),
            growth_target: self.growth_target,
            milestones: self
                .milestones
                .iter()
                .map(|m| (m.due_date, m.value))
                .collect(),
            flags: &self.flags,
        }
    }
}

/// Round `id` (`None` when unknown or, given a caller, when the caller may not read it).
async fn round_of(
    conn: &mut AsyncPgConnection,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<Option<RoundRow>, ApiError> {
    use diesel::OptionalExtension;
    let Some(round) = repo::rounds::get(conn, id).await.optional()? else {
        return Ok(None);
    };
    if let Some(caller) = caller {
        if !crate::auth::policy::rounds::can_read(conn, caller, &round).await? {
            return Ok(None);
        }
    }
    Ok(Some(round))
}

/// Refuses a change to the assignments of `round` unless the caller holds `round_manage` on
/// its assigning unit (403) and the round is a draft (409).
async fn require_draft(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: &RoundRow,
) -> Result<(), ApiError> {
    caller
        .require_on(conn, Permission::RoundManage, round.assigning_unit_id)
        .await?;
    if round.state != RoundState::Draft {
        return Err(ApiError::conflict(
            "assignments are added to and edited in draft rounds only",
            "chỉ thêm, sửa nhiệm vụ trong đợt giao dự thảo",
        ));
    }
    Ok(())
}

/// The rules `a` breaks against `round`, the tree and its parent (`self_id`: the assignment
/// being edited, which cannot be its own parent).
async fn violations(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &NewAssignment,
    round: &RoundRow,
    self_id: Option<Uuid>,
) -> Result<Vec<Violation>, ApiError> {
    let mut violations = rules::shape_violations(&a.shape());
    let above = scope::ancestors_or_self(conn, a.assignee_unit_id).await?;
    violations.extend(rules::assignee_violation(
        a.assignee_unit_id,
        round.assigning_unit_id,
        &above,
    ));
    if let Some(parent_id) = a.parent_id {
        let parent = match repo::assignments::get(conn, parent_id).await {
            Ok(p) if Some(p.id) != self_id && can_read(conn, caller, &p).await? => Some(p),
            _ => None,
        };
        match parent {
            None => violations.push(rules::unknown_parent()),
            Some(p) => violations.extend(rules::parent_violations(
                &Parent {
                    assignee_unit_id: p.assignee_unit_id,
                    state: p.state,
                    start_date: p.start_date,
                    end_date: p.end_date,
                },
                round.assigning_unit_id,
                a.start_date,
                a.end_date,
            )),
        }
    }
    Ok(violations)
}

/// Checks `a` against the round, the tree and its parent; returns the round.
async fn check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &NewAssignment,
    self_id: Option<Uuid>,
) -> Result<RoundRow, ApiError> {
    let round = round_of(conn, Some(caller), a.round_id)
        .await?
        .ok_or_else(|| ApiError::unknown("round_id", "round"))?;
    require_draft(conn, caller, &round).await?;
    let violations = violations(conn, caller, a, &round, self_id).await?;
    if violations.is_empty() {
        Ok(round)
    } else {
        Err(ApiError::violations(violations))
    }
}

/// Builds the row of `a`, keeping the bookkeeping of `existing` when it is an edit.
fn row_of(
    a: NewAssignment,
    round: &RoundRow,
    existing: Option<&AssignmentRow>,
    now: DateTime<Utc>,
) -> Result<AssignmentRow, ApiError> {
    let milestones: Vec<Milestone> = a
        .milestones
        .into_iter()
        .map(|m| Milestone {
            id: Some(m.id.unwrap_or_else(Uuid::now_v7)),
            ..m
        })
        .collect();
    let search_text = fold(
        &[
            a.code.as_deref(),
            Some(&a.title),
            a.description.as_deref(),
            a.product_description.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" "),
    );
    Ok(AssignmentRow {
        id: existing.map_or_else(Uuid::now_v7, |e| e.id),
        round_id: round.id,
        assigning_unit_id: round.assigning_unit_id,
        assignee_unit_id: a.assignee_unit_id,
        code: a.code,
        title: a.title,
        description: a.description,
        content_area: a.content_area,
        kind: a.kind,
        product_description: a.product_description,
        flags: a.flags,
        growth_target: a.growth_target,
        start_date: a.start_date,
        end_date: a.end_date,
        target: a
            .target
            .map(serde_json::to_value)
            .transpose()
            .map_err(ApiError::internal)?,
        rollup: a.rollup,
        weight: a.weight,
        milestones: serde_json::to_value(milestones).map_err(ApiError::internal)?,
        parent_id: a.parent_id,
        carried_from_id: existing.and_then(|e| e.carried_from_id),
        state: existing.map_or(AssignmentState::Draft, |e| e.state),
        terms_version: existing.map_or(0, |e| e.terms_version),
        commitment_id: existing.and_then(|e| e.commitment_id),
        commitment_invalidated_at: existing.and_then(|e| e.commitment_invalidated_at),
        withdrawn_reason: existing.and_then(|e| e.withdrawn_reason.clone()),
        search_text,
        version: existing.map_or(1, |e| e.version + 1),
        created_at: existing.map_or(now, |e| e.created_at),
        updated_at: now,
        objective_cause: existing.is_some_and(|e| e.objective_cause),
        indicator_code: a.indicator_code,
        feed_mismatch_at: existing.and_then(|e| e.feed_mismatch_at),
    })
}

/// A unique index refused the write: the code is taken in the round, or the assignment is
/// already carried over into it.
fn code_taken(e: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("assignments_carry_once_idx") =>
        {
            ApiError::conflict(
                "the assignment is already carried over into this round",
                "nhiệm vụ đã được chuyển tiếp vào đợt giao này",
            )
        }
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::conflict(
            "the round already has an assignment with this code",
            "đợt giao đã có nhiệm vụ với mã này",
        ),
        other => other.into(),
    }
}

/// Stores a new assignment, audited as `action`.
async fn insert(
    tx: &mut Tx<'_>,
    row: AssignmentRow,
    action: &str,
) -> Result<AssignmentRow, ApiError> {
    let row = repo::assignments::insert(tx.conn, &row)
        .await
        .map_err(code_taken)?;
    tx.created(action, row.id, Some(row.assigning_unit_id), &row);
    Ok(row)
}

/// The step of adding `new` to `round`, a draft whose assignments the caller may manage
/// ([`require_draft`]): checks it against the round, the tree and its parent (422), stores it
/// (409 when its code is taken in the round) and records `assignment.create`. Shared by
/// [`create`] and [`create_batch`], so one assignment and a round's worth follow one rule.
async fn add(tx: &mut Tx<'_>, round: &RoundRow, new: NewAssignment) -> Step<AssignmentRow> {
    let violations = violations(tx.conn, tx.caller, &new, round, None).await?;
    if !violations.is_empty() {
        return Ok(Err(Refusal::rules(violations)));
    }
    let row = row_of(new, round, None, tx.now)?;
    match repo::assignments::insert(tx.conn, &row).await {
        Ok(row) => {
            tx.created(
                "assignment.create",
                row.id,
                Some(row.assigning_unit_id),
                &row,
            );
            Ok(Ok(row))
        }
        Err(e) => Refusal::with(
            code_taken(e),
            Violation::new(
                "code",
                "code_taken",
                "the round already has an assignment with this code",
                "đợt giao đã có nhiệm vụ với mã này",
            ),
        )
        .map(Err),
    }
}

/// Adds a draft assignment to a draft round.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewAssignment,
) -> Result<AssignmentRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let round = round_of(tx.conn, Some(caller), new.round_id)
            .await?
            .ok_or_else(|| ApiError::unknown("round_id", "round"))?;
        require_draft(tx.conn, caller, &round).await?;
        add(tx, &round, new).await?.map_err(Refusal::into_error)
    })
    .await
}

/// A round's assignments, sent together.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignments {
    /// The assignments, 1 to 1000, each as the body of `POST /assignments`; each `round_id`
    /// must name the round of the path.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub assignments: Vec<NewAssignment>,
}

/// Adds many draft assignments to draft round `round_id` in one transaction, each through the
/// step of [`create`]: good items are created, bad ones rejected with their errors. The round
/// must be one the caller may read (404), with `round_manage` on its assigning unit (403),
/// still a draft (409).
pub async fn create_batch(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round_id: Uuid,
    batch: NewAssignments,
) -> Result<BatchOutcome, ApiError> {
    in_tx(conn, caller, async |tx| {
        let round = round_of(tx.conn, Some(caller), round_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        require_draft(tx.conn, caller, &round).await?;
        batch::run(tx, "assignments", batch.assignments, async |tx, new| {
            if let Err(e) = new.validate() {
                return Ok(Err(Refusal::invalid(&e)));
            }
            if new.round_id != round.id {
                return Ok(Err(Refusal::rules(vec![Violation::new(
                    "round_id",
                    "round_mismatch",
                    "must name the round of the request's path",
                    "phải là đợt giao nêu trong đường dẫn của yêu cầu",
                )])));
            }
            Ok(add(tx, &round, new).await?.map(|row| Written {
                id: row.id,
                version: row.version,
            }))
        })
        .await
    })
    .await
}

/// Changes to a draft assignment; absent fields stay as they are. `null` clears an optional
/// field only where noted.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    /// Code.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub code: Option<String>,
    /// Title.
    #[validate(length(min = 1, max = 1000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: Option<String>,
    /// Description.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub description: Option<String>,
    /// Content area.
    pub content_area: Option<ContentArea>,
    /// Product of a task.
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub product_description: Option<String>,
    /// Flags (replaces all).
    #[validate(length(max = 5))]
    #[schema(max_items = 5)]
    pub flags: Option<Vec<AssignmentFlag>>,
    /// Growth target.
    pub growth_target: Option<bool>,
    /// First day.
    pub start_date: Option<NaiveDate>,
    /// Last day.
    pub end_date: Option<NaiveDate>,
    /// The target (replaces it).
    #[validate(nested)]
    pub target: Option<TargetSpec>,
    /// Roll-up method.
    pub rollup: Option<Rollup>,
    /// Weight.
    #[validate(range(exclusive_min = 0.0, max = 100.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 100.0)]
    pub weight: Option<f64>,
    /// Milestones (replaces all).
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub milestones: Option<Vec<Milestone>>,
    /// Indicator code for department feeds.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub indicator_code: Option<String>,
}

/// 409 unless `a` is under way; `rule` (in English and Vietnamese) says what needs that, e.g.
/// "progress is reported on issued assignments".
pub(crate) fn require_under_way(a: &AssignmentRow, rule: (&str, &str)) -> Result<(), ApiError> {
    if a.is_under_way() {
        return Ok(());
    }
    let (en, vi) = rule;
    Err(ApiError::conflict(
        format!("{en}; this one is {}", a.state),
        format!("{vi}; nhiệm vụ đang {}", a.state),
    ))
}

/// Assignment `id` locked for its assignee's work: one the caller may read, with `permission`
/// on its assignee unit, under way (409 naming `rule`, see [`require_under_way`]).
pub(crate) async fn lock_under_way(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
    rule: (&str, &str),
) -> Result<AssignmentRow, ApiError> {
    let a = lock_visible(conn, caller, id).await?;
    caller
        .require_on(conn, permission, a.assignee_unit_id)
        .await?;
    require_under_way(&a, rule)?;
    Ok(a)
}

/// Locks an assignment the caller may read, checks `If-Match`, then that the caller holds the
/// permission `needs` names on the unit it names (in that order, as clients have always seen it).
async fn lock_for(
    tx: &mut Tx<'_>,
    id: Uuid,
    if_match: &IfMatch,
    needs: impl FnOnce(&AssignmentRow) -> (Permission, Uuid),
) -> Result<AssignmentRow, ApiError> {
    let a = lock_visible(tx.conn, tx.caller, id).await?;
    if_match.check(a.version)?;
    let (permission, unit) = needs(&a);
    tx.caller.require_on(tx.conn, permission, unit).await?;
    Ok(a)
}

/// What editing a draft needs: `round_manage` on the assigning unit.
fn round_manage(a: &AssignmentRow) -> (Permission, Uuid) {
    (Permission::RoundManage, a.assigning_unit_id)
}

impl Audited for AssignmentRow {
    fn audit_unit(&self) -> Option<Uuid> {
        Some(self.assigning_unit_id)
    }
}

/// Edits a draft assignment of a draft round.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    p: AssignmentPatch,
) -> Result<AssignmentRow, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for(tx, id, if_match, round_manage).await;
    change(
        conn,
        caller,
        "assignment.update",
        id,
        lock,
        async |tx, before| {
            if before.state != AssignmentState::Draft {
                return Err(ApiError::conflict(
                    "issued terms change only through an approved amendment",
                    "nhiệm vụ đã ban hành chỉ thay đổi qua đề nghị điều chỉnh được chấp thuận",
                ));
            }
            let merged = NewAssignment {
                round_id: before.round_id,
                assignee_unit_id: before.assignee_unit_id,
                code: p.code.or_else(|| before.code.clone()),
                title: p.title.unwrap_or_else(|| before.title.clone()),
                description: p.description.or_else(|| before.description.clone()),
                content_area: p.content_area.unwrap_or(before.content_area),
                kind: before.kind,
                product_description: p
                    .product_description
                    .or_else(|| before.product_description.clone()),
                flags: p.flags.unwrap_or_else(|| before.flags.clone()),
                growth_target: p.growth_target.unwrap_or(before.growth_target),
                start_date: p.start_date.unwrap_or(before.start_date),
                end_date: p.end_date.unwrap_or(before.end_date),
                target: match p.target {
                    Some(t) => Some(t),
                    None => target_of(before)?,
                },
                rollup: p.rollup.unwrap_or(before.rollup),
                weight: p.weight.unwrap_or(before.weight),
                milestones: p.milestones.map_or_else(|| milestones_of(before), Ok)?,
                parent_id: before.parent_id,
                indicator_code: p.indicator_code.or_else(|| before.indicator_code.clone()),
            };
            let round = check(tx.conn, caller, &merged, Some(id)).await?;
            let row = row_of(merged, &round, Some(before), tx.now)?;
            repo::assignments::replace(tx.conn, &row)
                .await
                .map_err(code_taken)
        },
    )
    .await
}

/// Removes a draft assignment that nothing refers to.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_for(tx, id, if_match, round_manage).await;
    remove(
        conn,
        caller,
        "assignment.delete",
        id,
        lock,
        async |tx, before| {
            if before.state != AssignmentState::Draft {
                return Err(ApiError::conflict(
                    "only a draft assignment can be deleted; withdraw an issued one",
                    "chỉ xóa được nhiệm vụ dự thảo; nhiệm vụ đã ban hành thì thu hồi",
                ));
            }
            repo::assignments::delete(tx.conn, id)
                .await
                .map_err(ApiError::still_referenced)
        },
    )
    .await
}

super::state_machine_workflow!(
    AssignmentRow,
    AssignmentState,
    AssignmentAction,
    "assignment"
);

/// Applies `action` (start or withdraw) to an assignment: the head starts work
/// (`commitment_sign` on the assignee unit); the assigning side withdraws it with a reason
/// (`round_issue` on the assigning unit).
async fn act(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: AssignmentAction,
    withdrawn_reason: Option<String>,
) -> Result<AssignmentRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let a = lock_for(tx, id, if_match, |a| match action {
            AssignmentAction::Withdraw => (Permission::RoundIssue, a.assigning_unit_id),
            _ => (Permission::CommitmentSign, a.assignee_unit_id),
        })
        .await?;
        let unit = a.assigning_unit_id;
        transition(tx, a, if_match, action, unit, async |tx, a, next| {
            Ok(repo::assignments::set_state(tx.conn, a, next, withdrawn_reason, tx.now).await?)
        })
        .await
    })
    .await
}

/// The head records that implementation has started (`committed` → `in_progress`).
pub async fn start(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<AssignmentRow, ApiError> {
    act(conn, caller, id, if_match, AssignmentAction::Start, None).await
}

/// Withdrawal of an assignment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// Why it is withdrawn.
    #[validate(length(min = 5, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 5,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// The assigning Standing Committee withdraws an assignment with a reason.
pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    w: Withdrawal,
) -> Result<AssignmentRow, ApiError> {
    let reason = Some(w.reason);
    act(
        conn,
        caller,
        id,
        if_match,
        AssignmentAction::Withdraw,
        reason,
    )
    .await
}

/// Carry-over of an unfinished assignment into a later round.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryOver {
    /// The later round (a draft of the same assigning unit).
    pub round_id: Uuid,
    /// New first day (default: 1 January of the round's year).
    pub start_date: Option<NaiveDate>,
    /// New last day (default: the later of the old deadline and 31 December of that year).
    pub end_date: Option<NaiveDate>,
}

/// Copies an unfinished assignment into a later draft round of the same assigning unit, flagged
/// `carried_over` and linked to the original.
pub async fn carry_over(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    req: CarryOver,
) -> Result<AssignmentRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let source = lock_visible(tx.conn, caller, id).await?;
        caller
            .require_on(tx.conn, Permission::RoundManage, source.assigning_unit_id)
            .await?;
        if !source.is_under_way() {
            return Err(ApiError::conflict(
                format!("a {} assignment cannot be carried over", source.state),
                format!(
                    "không thể chuyển tiếp nhiệm vụ ở trạng thái {}",
                    source.state
                ),
            ));
        }
        let from_year = round_of(tx.conn, None, source.round_id)
            .await?
            .ok_or_else(ApiError::not_found)?
            .year;
        let target = round_of(tx.conn, None, req.round_id)
            .await?
            .ok_or_else(|| ApiError::unknown("round_id", "round"))?;
        if target.assigning_unit_id != source.assigning_unit_id {
            return Err(ApiError::unknown(
                "round_id",
                "round of the same assigning unit",
            ));
        }
        if target.year <= from_year {
            return Err(ApiError::unprocessable(
                "carry over into a later year's round",
                "chỉ chuyển tiếp sang đợt giao của năm sau",
            ));
        }
        let (start_date, end_date) = rules::carried_period(
            target.year,
            (source.start_date, source.end_date),
            req.start_date,
            req.end_date,
        );
        let new = NewAssignment {
            round_id: target.id,
            assignee_unit_id: source.assignee_unit_id,
            code: source.code.clone(),
            title: source.title.clone(),
            description: source.description.clone(),
            content_area: source.content_area,
            kind: source.kind,
            product_description: source.product_description.clone(),
            flags: rules::carried_flags(&source.flags),
            growth_target: source.growth_target,
            start_date,
            end_date,
            target: target_of(&source)?,
            rollup: source.rollup,
            weight: source.weight,
            milestones: milestones_of(&source)?
                .into_iter()
                .filter(|m| m.due_date >= start_date && m.due_date <= end_date)
                .collect(),
            parent_id: None,
            indicator_code: source.indicator_code.clone(),
        };
        let round = check(tx.conn, caller, &new, None).await?;
        let mut row = row_of(new, &round, None, tx.now)?;
        row.carried_from_id = Some(source.id);
        insert(tx, row, "assignment.carry_over").await
    })
    .await
}
