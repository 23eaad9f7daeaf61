//! Assignments: tasks and quantified targets given by a round's unit to the head of a unit
//! below it, with their milestones, versioned terms, cascade to subordinate units, roll-up,
//! carry-over into a later round, and the `start` and `withdraw` actions.

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::rounds;
use super::units::unknown;
use crate::auth::{scope, Caller};
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, TermsRow};
use crate::db::schema::{
    assignment_terms, assignments, org_group_members, progress_reports, rounds as rounds_t,
};
use crate::domain::roles::Permission;
use crate::domain::round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
use crate::domain::target::{self, Rollup, Target, TargetShape};
use crate::domain::text::fold;
use crate::domain::workflow::{AssignmentAction, AssignmentState, RoundState};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(start)
        .service(withdraw)
        .service(terms)
        .service(rollup)
        .service(carry_over);
}

/// A quantified target: what number, in what unit, met in which way.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Unit of measure, e.g. "đảng viên", "%", "tỷ đồng" (not needed for a milestone).
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::handlers::plain_text")
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
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: String,
    /// Due date, within the assignment's period.
    pub due_date: NaiveDate,
    /// The value to reach by then, for targets.
    pub value: Option<f64>,
}

/// An assignment as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// The unit whose Standing Committee assigns.
    pub assigning_unit_id: Uuid,
    /// The unit whose head receives it (addressed to the post, not the person).
    pub assignee_unit_id: Uuid,
    /// Code, unique in the round.
    pub code: Option<String>,
    /// Title, in Vietnamese.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Content area.
    pub content_area: ContentArea,
    /// `task` (with a described product) or `target` (with a number).
    pub kind: AssignmentKind,
    /// The product expected of a task.
    pub product_description: Option<String>,
    /// Hard, new, unprecedented, long-standing, carried over.
    pub flags: Vec<AssignmentFlag>,
    /// Whether this is the unit's growth target.
    pub growth_target: bool,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day (the deadline).
    pub end_date: NaiveDate,
    /// The target, for kind `target`.
    pub target: Option<TargetSpec>,
    /// How the actuals of child assignments roll up into this one.
    pub rollup: Rollup,
    /// Weight in scoring.
    pub weight: f64,
    /// Roadmap milestones.
    pub milestones: Vec<Milestone>,
    /// The assignment this one cascades from.
    pub parent_id: Option<Uuid>,
    /// The assignment this one carries over from an earlier round.
    pub carried_from_id: Option<Uuid>,
    /// State.
    pub state: AssignmentState,
    /// Version of the frozen terms (0 while draft).
    pub terms_version: i32,
    /// `none` (never signed), `valid` (signed on the current terms) or `invalidated` (the terms
    /// changed since signing: a new signature is needed).
    pub commitment_status: String,
    /// The commitment covering the current terms.
    pub commitment_id: Option<Uuid>,
    /// Why it was withdrawn.
    pub withdrawn_reason: Option<String>,
    /// Whether an obstacle on it was certified as an objective cause (it waives penalties in
    /// grading).
    pub objective_cause: bool,
    /// Code of the indicator a department feed reports for this target.
    pub indicator_code: Option<String>,
    /// Set when a fed value and the head's self-reported value differ beyond the tolerance.
    pub feed_mismatch_at: Option<DateTime<Utc>>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Self {
        let commitment_status = match (r.commitment_id, r.commitment_invalidated_at) {
            (Some(_), _) => "valid",
            (None, Some(_)) => "invalidated",
            (None, None) => "none",
        };
        Self {
            id: r.id,
            round_id: r.round_id,
            assigning_unit_id: r.assigning_unit_id,
            assignee_unit_id: r.assignee_unit_id,
            code: r.code,
            title: r.title,
            description: r.description,
            content_area: r.content_area,
            kind: r.kind,
            product_description: r.product_description,
            flags: r
                .flags
                .iter()
                .filter_map(|f| AssignmentFlag::parse(f))
                .collect(),
            growth_target: r.growth_target,
            start_date: r.start_date,
            end_date: r.end_date,
            target: r.target.and_then(|t| serde_json::from_value(t).ok()),
            rollup: r.rollup,
            weight: r.weight,
            milestones: serde_json::from_value(r.milestones).unwrap_or_default(),
            parent_id: r.parent_id,
            carried_from_id: r.carried_from_id,
            state: r.state,
            terms_version: r.terms_version,
            commitment_status: commitment_status.to_owned(),
            commitment_id: r.commitment_id,
            withdrawn_reason: r.withdrawn_reason,
            objective_cause: r.objective_cause,
            indicator_code: r.indicator_code,
            feed_mismatch_at: r.feed_mismatch_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Loads one assignment row (404 when unknown).
pub(crate) async fn load_row(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<AssignmentRow, ApiError> {
    Ok(assignments::table
        .find(id)
        .select(AssignmentRow::as_select())
        .first(conn)
        .await?)
}

/// Whether the caller may read `a`: it reads the assigning unit, or the assignee once issued.
pub(crate) async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<bool, ApiError> {
    Ok(caller
        .can(conn, Permission::AssignmentRead, a.assigning_unit_id)
        .await?
        || (a.state != AssignmentState::Draft
            && caller
                .can(conn, Permission::AssignmentRead, a.assignee_unit_id)
                .await?))
}

/// Loads an assignment the caller may read (404 otherwise).
pub(crate) async fn load_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AssignmentRow, ApiError> {
    let a = load_row(conn, id).await?;
    if can_read(conn, caller, &a).await? {
        Ok(a)
    } else {
        Err(ApiError::not_found())
    }
}

/// Locks assignment `id` for a change and checks it is readable and `If-Match`.
pub(crate) async fn lock(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssignmentRow, ApiError> {
    let a: AssignmentRow = assignments::table
        .find(id)
        .select(AssignmentRow::as_select())
        .for_update()
        .first(conn)
        .await?;
    if !can_read(conn, caller, &a).await? {
        return Err(ApiError::not_found());
    }
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

/// List assignments
///
/// Assignments the caller can read (given by units it reads, or issued to units it reads),
/// ordered by id, with cursor pagination and filters by round, year, assignee (with or without
/// subtree), group, content area, kind, state, flag, parent and free text.
#[utoipa::path(tag = "assignments", params(AssignmentFilter, PageParams),
    responses((status = 200, description = "A page of assignments", body = Page<Assignment>), ReadErrors))]
#[get("/assignments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AssignmentFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::AssignmentRead)
        .await?;
    let mut q = assignments::table
        .filter(
            assignments::assigning_unit_id
                .eq_any(visible.clone())
                .or(assignments::state
                    .ne("draft")
                    .and(assignments::assignee_unit_id.eq_any(visible))),
        )
        .select(AssignmentRow::as_select())
        .order(assignments::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(assignments::id.gt(after));
    }
    if let Some(round) = filter.round_id {
        q = q.filter(assignments::round_id.eq(round));
    }
    if let Some(year) = filter.year {
        let of_year = rounds_t::table
            .filter(rounds_t::year.eq(year))
            .select(rounds_t::id);
        q = q.filter(assignments::round_id.eq_any(of_year));
    }
    if let Some(unit) = filter.assignee_unit_id {
        if filter.include_subtree {
            let units = scope::descendants_or_self(&mut conn, &[unit]).await?;
            q = q.filter(assignments::assignee_unit_id.eq_any(units));
        } else {
            q = q.filter(assignments::assignee_unit_id.eq(unit));
        }
    }
    if let Some(group) = filter.group_id {
        let members = org_group_members::table
            .filter(org_group_members::group_id.eq(group))
            .select(org_group_members::unit_id);
        q = q.filter(assignments::assignee_unit_id.eq_any(members));
    }
    if let Some(area) = filter.content_area {
        q = q.filter(assignments::content_area.eq(area.as_str()));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(assignments::kind.eq(kind.as_str()));
    }
    if let Some(s) = filter.state {
        q = q.filter(assignments::state.eq(s.as_str()));
    }
    if let Some(flag) = filter.flag {
        q = q.filter(assignments::flags.contains(vec![flag.as_str().to_owned()]));
    }
    if let Some(parent) = filter.parent_id {
        q = q.filter(assignments::parent_id.eq(parent));
    }
    if let Some(text) = filter.q.as_deref().map(fold).filter(|t| !t.is_empty()) {
        let pattern = super::contains_pattern(&text);
        q = q.filter(assignments::search_text.like(pattern));
    }
    let rows: Vec<AssignmentRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Assignment::from)))
}

/// Get an assignment
///
/// One assignment with its current terms, state, commitment status and ETag.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The assignment", body = Assignment, headers(("ETag" = String))), ReadErrors))]
#[get("/assignments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    Ok(ok_tagged(a.version, &Assignment::from(a)))
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
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: Option<String>,
    /// Title.
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: String,
    /// Description.
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub description: Option<String>,
    /// Content area.
    pub content_area: ContentArea,
    /// `task` (needs `product_description`) or `target` (needs `target`).
    pub kind: AssignmentKind,
    /// The product expected of a task.
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub product_description: Option<String>,
    /// Flags.
    #[serde(default)]
    #[validate(length(max = 5))]
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
    pub weight: f64,
    /// Roadmap milestones, within the period.
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    pub milestones: Vec<Milestone>,
    /// The assignment this one cascades from: one given to the round's assigning unit.
    pub parent_id: Option<Uuid>,
    /// Code of the indicator department feeds report for this target (targets only).
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub indicator_code: Option<String>,
}

fn no_rollup() -> Rollup {
    Rollup::None
}

fn one() -> f64 {
    1.0
}

/// The rules an assignment's own fields must keep, whatever the database holds.
pub fn shape_violations(a: &NewAssignment) -> Vec<Violation> {
    let mut out = Vec::new();
    if a.end_date < a.start_date {
        out.push(Violation::new(
            "end_date",
            "before_start",
            "ends before it starts",
            "ngày kết thúc trước ngày bắt đầu",
        ));
    } else if a.end_date.year() - a.start_date.year() >= 10 {
        out.push(Violation::new(
            "end_date",
            "too_long",
            "an assignment lasts at most ten years",
            "nhiệm vụ kéo dài tối đa mười năm",
        ));
    }
    match (a.kind, &a.target) {
        (AssignmentKind::Task, Some(_)) => out.push(Violation::new(
            "target",
            "not_allowed",
            "a task has a described product, not a target",
            "nhiệm vụ có sản phẩm mô tả, không có chỉ tiêu",
        )),
        (AssignmentKind::Task, None) if a.product_description.is_none() => {
            out.push(Violation::new(
                "product_description",
                "required",
                "a task needs a described product",
                "nhiệm vụ cần mô tả sản phẩm",
            ))
        }
        (AssignmentKind::Target, None) => out.push(Violation::new(
            "target",
            "required",
            "a target needs its number",
            "chỉ tiêu cần có số liệu",
        )),
        (AssignmentKind::Target, Some(t)) => {
            out.extend(t.target().validate());
            if t.shape != TargetShape::Milestone && t.unit_of_measure.is_none() {
                out.push(Violation::new(
                    "target.unit_of_measure",
                    "required",
                    "a quantified target needs its unit of measure",
                    "chỉ tiêu định lượng cần có đơn vị tính",
                ));
            }
        }
        _ => {}
    }
    if a.indicator_code.is_some() && a.kind != AssignmentKind::Target {
        out.push(Violation::new(
            "indicator_code",
            "not_allowed",
            "only a target has an indicator code",
            "chỉ chỉ tiêu mới có mã chỉ số",
        ));
    }
    if a.growth_target && a.kind != AssignmentKind::Target {
        out.push(Violation::new(
            "growth_target",
            "not_allowed",
            "only a target can be a growth target",
            "chỉ chỉ tiêu mới có thể là chỉ tiêu tăng trưởng",
        ));
    }
    for (i, m) in a.milestones.iter().enumerate() {
        if m.due_date < a.start_date || m.due_date > a.end_date {
            out.push(Violation::new(
                format!("milestones[{i}].due_date"),
                "outside_period",
                "due outside the assignment's period",
                "hạn nằm ngoài thời gian thực hiện nhiệm vụ",
            ));
        }
        if m.value.is_some_and(|v| !v.is_finite()) {
            out.push(Violation::new(
                format!("milestones[{i}].value"),
                "not_finite",
                "must be a finite number",
                "phải là số hữu hạn",
            ));
        }
    }
    for (i, f) in a.flags.iter().enumerate() {
        if a.flags[..i].contains(f) {
            out.push(Violation::new(
                format!("flags[{i}]"),
                "duplicate",
                "listed more than once",
                "bị lặp lại",
            ));
        }
    }
    out
}

/// Checks `a` against the round, the tree and its parent; returns the round.
async fn check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &NewAssignment,
    self_id: Option<Uuid>,
) -> Result<rounds::Round, ApiError> {
    let round = rounds::load(conn, a.round_id)
        .await
        .map_err(|_| unknown("round_id", "round"))?;
    if !rounds::can_read(conn, caller, &round).await? {
        return Err(unknown("round_id", "round"));
    }
    caller
        .require_on(conn, Permission::RoundManage, round.assigning_unit_id)
        .await?;
    if round.state != RoundState::Draft {
        return Err(ApiError::conflict(
            "assignments are added to and edited in draft rounds only",
            "chỉ thêm, sửa nhiệm vụ trong đợt giao dự thảo",
        ));
    }
    let mut violations = shape_violations(a);
    let above = scope::ancestors_or_self(conn, a.assignee_unit_id).await?;
    if a.assignee_unit_id == round.assigning_unit_id || !above.contains(&round.assigning_unit_id) {
        violations.push(Violation::new(
            "assignee_unit_id",
            "outside_subtree",
            "the assignee must be a unit below the assigning unit",
            "đơn vị nhận phải là đơn vị cấp dưới của đơn vị giao",
        ));
    }
    if let Some(parent_id) = a.parent_id {
        let parent = match load_row(conn, parent_id).await {
            Ok(p) if Some(p.id) != self_id && can_read(conn, caller, &p).await? => Some(p),
            _ => None,
        };
        match parent {
            None => violations.push(Violation::new(
                "parent_id",
                "unknown_reference",
                "no such assignment",
                "không tồn tại",
            )),
            Some(p) => {
                if p.assignee_unit_id != round.assigning_unit_id {
                    violations.push(Violation::new(
                        "parent_id",
                        "not_assigned_to_round_unit",
                        "a child is created only by the unit the parent was given to",
                        "chỉ đơn vị nhận nhiệm vụ cha mới được giao tiếp nhiệm vụ con",
                    ));
                }
                if matches!(p.state.as_str(), "draft" | "withdrawn") {
                    violations.push(Violation::new(
                        "parent_id",
                        "parent_not_active",
                        "the parent is not issued or has been withdrawn",
                        "nhiệm vụ cha chưa ban hành hoặc đã thu hồi",
                    ));
                }
                if a.start_date < p.start_date || a.end_date > p.end_date {
                    violations.push(Violation::new(
                        "end_date",
                        "outlives_parent",
                        "a child cannot start before or end after its parent",
                        "nhiệm vụ con không được bắt đầu trước hoặc kết thúc sau nhiệm vụ cha",
                    ));
                }
            }
        }
    }
    if violations.is_empty() {
        Ok(round)
    } else {
        Err(ApiError::violations(violations))
    }
}

/// Builds the row of `a`, keeping the bookkeeping of `existing` when it is an edit.
fn row_of(
    a: NewAssignment,
    round: &rounds::Round,
    existing: Option<&AssignmentRow>,
) -> AssignmentRow {
    let now = Utc::now();
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
    AssignmentRow {
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
        flags: a.flags.iter().map(|f| f.as_str().to_owned()).collect(),
        growth_target: a.growth_target,
        start_date: a.start_date,
        end_date: a.end_date,
        target: a
            .target
            .map(|t| serde_json::to_value(t).unwrap_or_default()),
        rollup: a.rollup,
        weight: a.weight,
        milestones: serde_json::to_value(milestones).unwrap_or_default(),
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
    }
}

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

async fn insert(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: AssignmentRow,
    action: &str,
) -> Result<Assignment, ApiError> {
    let row: AssignmentRow = diesel::insert_into(assignments::table)
        .values(&row)
        .returning(AssignmentRow::as_returning())
        .get_result(conn)
        .await
        .map_err(code_taken)?;
    let view = Assignment::from(row);
    audit::record(
        conn,
        Some(caller),
        Change {
            action,
            resource_type: "assignment",
            resource_id: Some(view.id),
            unit_id: Some(view.assigning_unit_id),
            before: None::<&()>,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

/// Create an assignment
///
/// Adds a draft task or target to a draft round, addressed to the head of a unit below the
/// assigning unit. A child assignment (`parent_id`) cascades a parent given to the round's
/// assigning unit to a unit in its subtree, within the parent's period. Needs `round_manage`
/// on the round's assigning unit.
#[utoipa::path(tag = "assignments", request_body = NewAssignment,
    responses((status = 201, description = "Created", body = Assignment, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewAssignment>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let round = check(conn, &caller, &new, None).await?;
                insert(
                    conn,
                    &caller,
                    row_of(new, &round, None),
                    "assignment.create",
                )
                .await
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/assignments/{}", view.id),
        view.version,
        &view,
    ))
}

/// Changes to a draft assignment; absent fields stay as they are. `null` clears an optional
/// field only where noted.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    /// Code.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub code: Option<String>,
    /// Title.
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: Option<String>,
    /// Description.
    #[validate(
        length(min = 1, max = 10000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub description: Option<String>,
    /// Content area.
    pub content_area: Option<ContentArea>,
    /// Product of a task.
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub product_description: Option<String>,
    /// Flags (replaces all).
    #[validate(length(max = 5))]
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
    pub weight: Option<f64>,
    /// Milestones (replaces all).
    #[validate(length(max = 100), nested)]
    pub milestones: Option<Vec<Milestone>>,
    /// Indicator code for department feeds.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::code_format")
    )]
    pub indicator_code: Option<String>,
}

/// Update an assignment
///
/// Edits a draft assignment of a draft round (409 once issued: issued terms change only
/// through an approved amendment). Needs `If-Match` and `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = AssignmentPatch,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Assignment, headers(("ETag" = String))), UpdateErrors))]
#[patch("/assignments/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<AssignmentPatch>,
) -> ApiResult<HttpResponse> {
    let (id, p) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock(conn, &caller, id, Some(&if_match)).await?;
                caller
                    .require_on(conn, Permission::RoundManage, before.assigning_unit_id)
                    .await?;
                if before.state != AssignmentState::Draft {
                    return Err(ApiError::conflict(
                        "issued terms change only through an approved amendment",
                        "nhiệm vụ đã ban hành chỉ thay đổi qua đề nghị điều chỉnh được chấp thuận",
                    ));
                }
                let old = Assignment::from(before.clone());
                let merged = NewAssignment {
                    round_id: old.round_id,
                    assignee_unit_id: old.assignee_unit_id,
                    code: p.code.or(old.code.clone()),
                    title: p.title.unwrap_or(old.title.clone()),
                    description: p.description.or(old.description.clone()),
                    content_area: p.content_area.unwrap_or(old.content_area),
                    kind: old.kind,
                    product_description: p.product_description.or(old.product_description.clone()),
                    flags: p.flags.unwrap_or(old.flags.clone()),
                    growth_target: p.growth_target.unwrap_or(old.growth_target),
                    start_date: p.start_date.unwrap_or(old.start_date),
                    end_date: p.end_date.unwrap_or(old.end_date),
                    target: p.target.or(old.target.clone()),
                    rollup: p.rollup.unwrap_or(old.rollup),
                    weight: p.weight.unwrap_or(old.weight),
                    milestones: p.milestones.unwrap_or(old.milestones.clone()),
                    parent_id: old.parent_id,
                    indicator_code: p.indicator_code.or(old.indicator_code.clone()),
                };
                let round = check(conn, &caller, &merged, Some(id)).await?;
                let row = row_of(merged, &round, Some(&before));
                let row: AssignmentRow = diesel::update(assignments::table.find(id))
                    .set(&row)
                    .returning(AssignmentRow::as_returning())
                    .get_result(conn)
                    .await
                    .map_err(code_taken)?;
                let after = Assignment::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "assignment.update",
                        resource_type: "assignment",
                        resource_id: Some(id),
                        unit_id: Some(after.assigning_unit_id),
                        before: Some(&old),
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

/// Delete an assignment
///
/// Removes a draft assignment that has no children (409 otherwise; issued assignments are
/// withdrawn, never deleted). Needs `If-Match` and `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/assignments/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            let before = lock(conn, &caller, id, Some(&if_match)).await?;
            caller
                .require_on(conn, Permission::RoundManage, before.assigning_unit_id)
                .await?;
            if before.state != AssignmentState::Draft {
                return Err(ApiError::conflict(
                    "only a draft assignment can be deleted; withdraw an issued one",
                    "chỉ xóa được nhiệm vụ dự thảo; nhiệm vụ đã ban hành thì thu hồi",
                ));
            }
            diesel::delete(assignments::table.find(id))
                .execute(conn)
                .await
                .map_err(super::still_referenced)?;
            audit::record(
                conn,
                Some(&caller),
                Change {
                    action: "assignment.delete",
                    resource_type: "assignment",
                    resource_id: Some(id),
                    unit_id: Some(before.assigning_unit_id),
                    before: Some(&Assignment::from(before)),
                    after: None::<&()>,
                },
            )
            .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves `before` to `state` with extra column changes, audited as `action`.
async fn transition(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    before: AssignmentRow,
    next: AssignmentState,
    withdrawn_reason: Option<String>,
    action: &str,
) -> Result<Assignment, ApiError> {
    let row: AssignmentRow = diesel::update(assignments::table.find(before.id))
        .set((
            assignments::state.eq(next.as_str()),
            assignments::withdrawn_reason.eq(withdrawn_reason.or(before.withdrawn_reason.clone())),
            assignments::version.eq(before.version + 1),
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
            action,
            resource_type: "assignment",
            resource_id: Some(after.id),
            unit_id: Some(after.assigning_unit_id),
            before: Some(&Assignment::from(before)),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

/// Start work on an assignment
///
/// The head records that implementation has started (`committed` → `in_progress`; 409 from any
/// other state). Needs `If-Match` and `commitment_sign` (the head) on the assignee unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Started", body = Assignment, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/start")]
pub async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock(conn, &caller, id, Some(&if_match)).await?;
                caller
                    .require_on(conn, Permission::CommitmentSign, before.assignee_unit_id)
                    .await?;
                let next = before.state.next(AssignmentAction::Start)?;
                transition(conn, &caller, before, next, None, "assignment.start").await
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// Withdrawal of an assignment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// Why it is withdrawn.
    #[validate(
        length(min = 5, max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub reason: String,
}

/// Withdraw an assignment
///
/// The assigning Standing Committee withdraws an assignment with a reason (from any state but
/// `withdrawn`, 409 then). Needs `If-Match` and `round_issue` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = Withdrawal,
    params(("id" = Uuid, Path, description = "Assignment id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Withdrawn", body = Assignment, headers(("ETag" = String))), UpdateErrors))]
#[post("/assignments/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Withdrawal>,
) -> ApiResult<HttpResponse> {
    let (id, reason) = (*id, body.0.reason);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock(conn, &caller, id, Some(&if_match)).await?;
                caller
                    .require_on(conn, Permission::RoundIssue, before.assigning_unit_id)
                    .await?;
                let next = before.state.next(AssignmentAction::Withdraw)?;
                transition(
                    conn,
                    &caller,
                    before,
                    next,
                    Some(reason),
                    "assignment.withdraw",
                )
                .await
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// One frozen version of an assignment's terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsVersion {
    /// Version number, from 1 at issue.
    pub terms_version: i32,
    /// The terms as frozen.
    #[schema(value_type = Object)]
    pub terms: Value,
    /// SHA-256 (hex) of their canonical JSON (RFC 8785).
    pub terms_hash: String,
    /// The approved amendment that made this version, if any.
    pub amendment_id: Option<Uuid>,
    /// When it was frozen.
    pub created_at: DateTime<Utc>,
}

impl From<TermsRow> for TermsVersion {
    fn from(r: TermsRow) -> Self {
        Self {
            terms_version: r.terms_version,
            terms: r.terms,
            terms_hash: r.terms_hash,
            amendment_id: r.amendment_id,
            created_at: r.created_at,
        }
    }
}

/// Every version of the terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsHistory {
    /// The assignment.
    pub assignment_id: Uuid,
    /// Versions, oldest first.
    pub items: Vec<TermsVersion>,
}

/// List an assignment's terms versions
///
/// Every frozen version of the terms, from the issued text (version 1) through each approved
/// amendment, oldest first.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The versions", body = TermsHistory), ReadErrors))]
#[get("/assignments/{id}/terms")]
pub async fn terms(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<TermsRow> = assignment_terms::table
        .filter(assignment_terms::assignment_id.eq(a.id))
        .order(assignment_terms::terms_version)
        .select(TermsRow::as_select())
        .load(&mut conn)
        .await?;
    Ok(HttpResponse::Ok().json(TermsHistory {
        assignment_id: a.id,
        items: rows.into_iter().map(TermsVersion::from).collect(),
    }))
}

/// One child in a roll-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupChild {
    /// The child assignment.
    pub assignment_id: Uuid,
    /// Its assignee.
    pub assignee_unit_id: Uuid,
    /// Its state.
    pub state: AssignmentState,
    /// Its target number (value, or the range's lower bound).
    pub target_value: Option<f64>,
    /// Its latest actual value from an accepted progress report.
    pub actual_value: Option<f64>,
}

/// How a parent's target is split among its children, and their actuals rolled up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupView {
    /// The parent assignment.
    pub assignment_id: Uuid,
    /// Its roll-up method.
    pub method: Rollup,
    /// Its own target number.
    pub target_value: Option<f64>,
    /// The children's target numbers rolled up by the method.
    pub children_target_value: Option<f64>,
    /// Whether the rolled-up children's targets reach the parent's (for `sum`, `min`, `max`,
    /// `average` compared as the target's shape requires).
    pub children_cover_target: Option<bool>,
    /// The children's actual values rolled up (when every child has one).
    pub actual_value: Option<f64>,
    /// The children, issued or later (withdrawn ones excluded).
    pub children: Vec<RollupChild>,
}

fn target_number(t: &Option<Value>) -> Option<f64> {
    let t: TargetSpec = serde_json::from_value(t.clone()?).ok()?;
    t.value.or(t.min)
}

/// Roll up an assignment's children
///
/// For a parent split among subordinate units (cascade): the children's targets and latest
/// accepted actual values rolled up by the parent's method (sum, average, min or max), and whether the split
/// covers the parent's target.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The roll-up", body = RollupView), ReadErrors))]
#[get("/assignments/{id}/rollup")]
pub async fn rollup(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let parent = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<AssignmentRow> = assignments::table
        .filter(assignments::parent_id.eq(parent.id))
        .filter(assignments::state.ne_all(vec!["draft", "withdrawn"]))
        .order(assignments::id)
        .select(AssignmentRow::as_select())
        .load(&mut conn)
        .await?;
    let method = parent.rollup;
    let mut children = Vec::new();
    for c in &rows {
        // The latest accepted actual value of each child.
        let actual_value: Option<f64> = progress_reports::table
            .filter(progress_reports::assignment_id.eq(c.id))
            .filter(progress_reports::state.eq("accepted"))
            .filter(progress_reports::actual_value.is_not_null())
            .order(progress_reports::period_end.desc())
            .select(progress_reports::actual_value)
            .first::<Option<f64>>(&mut conn)
            .await
            .optional()?
            .flatten();
        children.push(RollupChild {
            assignment_id: c.id,
            assignee_unit_id: c.assignee_unit_id,
            state: c.state,
            target_value: target_number(&c.target),
            actual_value,
        });
    }
    let targets: Option<Vec<f64>> = children.iter().map(|c| c.target_value).collect();
    let children_target_value = targets.and_then(|t| target::roll_up(method, &t));
    let actuals: Option<Vec<f64>> = children.iter().map(|c| c.actual_value).collect();
    let own: Option<TargetSpec> = parent
        .target
        .clone()
        .and_then(|t| serde_json::from_value(t).ok());
    let children_cover_target = match (&own, children_target_value) {
        (Some(t), Some(v)) => Some(target::is_met(&t.target(), v)),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(RollupView {
        assignment_id: parent.id,
        method,
        target_value: target_number(&parent.target),
        children_target_value,
        children_cover_target,
        actual_value: actuals.and_then(|a| target::roll_up(method, &a)),
        children,
    }))
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

/// Carry an assignment over
///
/// Copies an unfinished (issued, committed or in progress) assignment into a later draft round
/// of the same assigning unit, flagged `carried_over` and linked to the original, whose
/// history stays as it was. Once per target round (409 on a repeat). Needs `round_manage` on
/// the assigning unit.
#[utoipa::path(tag = "assignments", request_body = CarryOver,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "The new draft assignment", body = Assignment, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/carry-over")]
pub async fn carry_over(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CarryOver>,
) -> ApiResult<HttpResponse> {
    let (id, req) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let source = lock(conn, &caller, id, None).await?;
                caller
                    .require_on(conn, Permission::RoundManage, source.assigning_unit_id)
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
                let from_year: i32 = rounds_t::table
                    .find(source.round_id)
                    .select(rounds_t::year)
                    .first(conn)
                    .await?;
                let target = rounds::load(conn, req.round_id)
                    .await
                    .map_err(|_| unknown("round_id", "round"))?;
                if target.assigning_unit_id != source.assigning_unit_id {
                    return Err(unknown("round_id", "round of the same assigning unit"));
                }
                if target.year <= from_year {
                    return Err(ApiError::unprocessable(
                        "carry over into a later year's round",
                        "chỉ chuyển tiếp sang đợt giao của năm sau",
                    ));
                }
                let old = Assignment::from(source.clone());
                let year_start =
                    NaiveDate::from_ymd_opt(target.year, 1, 1).unwrap_or(old.start_date);
                let year_end = NaiveDate::from_ymd_opt(target.year, 12, 31).unwrap_or(old.end_date);
                let start_date = req.start_date.unwrap_or(year_start);
                let end_date = req.end_date.unwrap_or(old.end_date.max(year_end));
                let mut flags = old.flags.clone();
                if !flags.contains(&AssignmentFlag::CarriedOver) {
                    flags.push(AssignmentFlag::CarriedOver);
                }
                let new = NewAssignment {
                    round_id: target.id,
                    assignee_unit_id: old.assignee_unit_id,
                    code: old.code.clone(),
                    title: old.title.clone(),
                    description: old.description.clone(),
                    content_area: old.content_area,
                    kind: old.kind,
                    product_description: old.product_description.clone(),
                    flags,
                    growth_target: old.growth_target,
                    start_date,
                    end_date,
                    target: old.target.clone(),
                    rollup: old.rollup,
                    weight: old.weight,
                    milestones: old
                        .milestones
                        .iter()
                        .filter(|m| m.due_date >= start_date && m.due_date <= end_date)
                        .cloned()
                        .collect(),
                    parent_id: None,
                    indicator_code: old.indicator_code.clone(),
                };
                let round = check(conn, &caller, &new, None).await?;
                let mut row = row_of(new, &round, None);
                row.carried_from_id = Some(source.id);
                insert(conn, &caller, row, "assignment.carry_over").await
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/assignments/{}", view.id),
        view.version,
        &view,
    ))
}
