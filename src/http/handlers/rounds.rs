//! Rounds (đợt giao): an assigning unit's yearly set of assignments, its per-group rules, the
//! readiness check, issue (with decision records per assignee) and close.

use std::collections::BTreeMap;

use actix_web::{delete, get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::units::unknown;
use crate::app::assignments::terms_of;
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{
    AssignmentRow, DecisionRow, GroupRuleRow, RoundRow, SpotCheckRow, TermsRow,
};
use crate::db::schema::{
    assignment_decisions, assignment_terms, assignments, org_group_members, org_groups,
    round_group_rules, rounds, spot_checks,
};
use crate::domain::periods::Cadence;
use crate::domain::roles::Permission;
use crate::domain::round_rules::{self, Breach, ContentArea, GroupRule, PlannedAssignment};
use crate::domain::workflow::{AssignmentAction, AssignmentState, RoundAction, RoundState};
use crate::domain::Violation;
use crate::domain::{canonical, spot_check};
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{DeleteErrors, ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(readiness)
        .service(issue)
        .service(close)
        .service(decisions)
        .service(list_spot_checks)
        .service(draw_spot_check);
}

/// How many assignments each member of a group gets in a round, and what they must cover.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRuleSpec {
    /// The group (owned by the round's assigning unit).
    pub group_id: Uuid,
    /// Fewest assignments per member unit (tasks and targets together).
    #[validate(range(min = 0, max = 100))]
    pub min_tasks: i32,
    /// Most assignments per member unit; equal to `min_tasks` for an exact number.
    #[validate(range(min = 0, max = 100))]
    pub max_tasks: Option<i32>,
    /// Content areas each member must have at least one assignment in.
    #[serde(default)]
    #[validate(length(max = 10))]
    pub required_content_areas: Vec<ContentArea>,
    /// Whether each member must have a growth target.
    #[serde(default)]
    pub growth_target_required: bool,
}

impl From<GroupRuleRow> for GroupRuleSpec {
    fn from(r: GroupRuleRow) -> Self {
        Self {
            group_id: r.group_id,
            min_tasks: r.min_tasks,
            max_tasks: r.max_tasks,
            required_content_areas: r
                .required_content_areas
                .iter()
                .filter_map(|a| ContentArea::parse(a))
                .collect(),
            growth_target_required: r.growth_target_required,
        }
    }
}

/// A round of assignments given by one unit for a year (or a term).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Round {
    /// Id.
    pub id: Uuid,
    /// The unit whose Standing Committee assigns.
    pub assigning_unit_id: Uuid,
    /// Year, e.g. 2022.
    pub year: i32,
    /// Congress term, for multi-year rounds, e.g. "2020-2025".
    pub term_label: Option<String>,
    /// Title, in Vietnamese.
    pub title: String,
    /// Number and symbol of the decision, e.g. "15-QĐ/TU".
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// Title of the post of the signer, e.g. "Bí thư Tỉnh ủy".
    pub signer_title: Option<String>,
    /// Name of the signer.
    pub signer_name: Option<String>,
    /// `draft`, `issued` or `closed`.
    pub state: RoundState,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// The written reason for issuing despite broken rules, if any.
    pub override_reason: Option<String>,
    /// The rules broken when it was issued with an override.
    #[schema(value_type = Option<Object>)]
    pub override_breaches: Option<serde_json::Value>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Per-group rules.
    pub group_rules: Vec<GroupRuleSpec>,
    /// How often heads report progress.
    pub reporting_cadence: Cadence,
    /// Days after each period's cut-off (the 14th) that a report is due.
    pub report_due_days: i32,
    /// Whether assignments are also evaluated per quarter (besides yearly and whole-term).
    pub quarterly_evaluation: bool,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl Round {
    fn new(r: RoundRow, rules: Vec<GroupRuleRow>) -> Self {
        Self {
            id: r.id,
            assigning_unit_id: r.assigning_unit_id,
            year: r.year,
            term_label: r.term_label,
            title: r.title,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            signer_title: r.signer_title,
            signer_name: r.signer_name,
            state: r.state,
            issued_at: r.issued_at,
            override_reason: r.override_reason,
            override_breaches: r.override_breaches,
            closed_at: r.closed_at,
            group_rules: rules.into_iter().map(GroupRuleSpec::from).collect(),
            reporting_cadence: r.reporting_cadence,
            quarterly_evaluation: r.quarterly_evaluation,
            report_due_days: r.report_due_days,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Loads one round with its rules (404 when unknown).
pub(crate) async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Round, ApiError> {
    let row: RoundRow = rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .await?;
    let rules: Vec<GroupRuleRow> = round_group_rules::table
        .filter(round_group_rules::round_id.eq(id))
        .order(round_group_rules::group_id)
        .select(GroupRuleRow::as_select())
        .load(conn)
        .await?;
    Ok(Round::new(row, rules))
}

/// Whether the caller may read `round`: it reads the assigning unit, or some unit the round
/// has issued assignments to.
pub(crate) async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: &Round,
) -> Result<bool, ApiError> {
    if caller
        .can(conn, Permission::AssignmentRead, round.assigning_unit_id)
        .await?
    {
        return Ok(true);
    }
    let visible = caller.units_with(conn, Permission::AssignmentRead).await?;
    let n: i64 = assignments::table
        .filter(assignments::round_id.eq(round.id))
        .filter(assignments::state.ne("draft"))
        .filter(assignments::assignee_unit_id.eq_any(&visible))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

/// Loads a round the caller may read (404 otherwise).
pub(crate) async fn load_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Round, ApiError> {
    let round = load(conn, id).await?;
    if can_read(conn, caller, &round).await? {
        Ok(round)
    } else {
        Err(ApiError::not_found())
    }
}

/// Filters of the round list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundFilter {
    /// Only rounds of this assigning unit.
    pub assigning_unit_id: Option<Uuid>,
    /// Only rounds of this year.
    pub year: Option<i32>,
    /// Only rounds in this state.
    pub state: Option<RoundState>,
}

/// List rounds
///
/// Rounds the caller can read (those of units it reads, and those that gave assignments to
/// units it reads), ordered by id, with cursor pagination.
#[utoipa::path(tag = "assignments", params(RoundFilter, PageParams),
    responses((status = 200, description = "A page of rounds", body = Page<Round>), ReadErrors))]
#[get("/rounds")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<RoundFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::AssignmentRead)
        .await?;
    let assigned_to_visible = assignments::table
        .filter(assignments::state.ne("draft"))
        .filter(assignments::assignee_unit_id.eq_any(visible.clone()))
        .select(assignments::round_id);
    let mut q = rounds::table
        .filter(
            rounds::assigning_unit_id
                .eq_any(visible.clone())
                .or(rounds::id.eq_any(assigned_to_visible)),
        )
        .select(RoundRow::as_select())
        .order(rounds::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(rounds::id.gt(after));
    }
    if let Some(unit) = filter.assigning_unit_id {
        q = q.filter(rounds::assigning_unit_id.eq(unit));
    }
    if let Some(year) = filter.year {
        q = q.filter(rounds::year.eq(year));
    }
    if let Some(s) = filter.state {
        q = q.filter(rounds::state.eq(s.as_str()));
    }
    let rows: Vec<RoundRow> = q.load(&mut conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let rules: Vec<GroupRuleRow> = round_group_rules::table
        .filter(round_group_rules::round_id.eq_any(&ids))
        .order(round_group_rules::group_id)
        .select(GroupRuleRow::as_select())
        .load(&mut conn)
        .await?;
    let mut by_round: BTreeMap<Uuid, Vec<GroupRuleRow>> = BTreeMap::new();
    for r in rules {
        by_round.entry(r.round_id).or_default().push(r);
    }
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.id,
        |r| {
            let rules = by_round.get(&r.id).cloned().unwrap_or_default();
            Round::new(r, rules)
        },
    )))
}

/// Get a round
///
/// One round with its per-group rules and its ETag.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The round", body = Round, headers(("ETag" = String))), ReadErrors))]
#[get("/rounds/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = load_visible(&mut conn, &caller, *id).await?;
    Ok(ok_tagged(round.version, &round))
}

/// New round, in `draft`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    /// The assigning unit; the caller needs `round_manage` on it.
    pub assigning_unit_id: Uuid,
    /// Year, 2000–2100.
    #[validate(range(min = 2000, max = 2100))]
    pub year: i32,
    /// Congress term, e.g. "2020-2025".
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub term_label: Option<String>,
    /// Title.
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: String,
    /// Number and symbol of the decision, e.g. "15-QĐ/TU" (needed to issue).
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub decision_number: Option<String>,
    /// Date of the decision (needed to issue).
    pub decision_date: Option<NaiveDate>,
    /// Title of the signer's post.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub signer_title: Option<String>,
    /// Name of the signer.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub signer_name: Option<String>,
    /// Per-group rules (at most one per group).
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    pub group_rules: Vec<GroupRuleSpec>,
    /// How often heads report progress (default `quarterly`).
    #[serde(default = "quarterly")]
    pub reporting_cadence: Cadence,
    /// Days after each period's cut-off that a report is due, 0–90 (default 5).
    #[serde(default = "five")]
    #[validate(range(min = 0, max = 90))]
    pub report_due_days: i32,
    /// Whether assignments are also evaluated per quarter (default `false`).
    #[serde(default)]
    pub quarterly_evaluation: bool,
}

fn quarterly() -> Cadence {
    Cadence::Quarterly
}

fn five() -> i32 {
    5
}

/// Checks group rules against the assigning unit: groups it owns, once each, consistent.
async fn check_rules(
    conn: &mut AsyncPgConnection,
    assigning_unit: Uuid,
    rules: &[GroupRuleSpec],
) -> Result<(), ApiError> {
    let mut violations = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let field = format!("group_rules[{i}]");
        if rules[..i].iter().any(|r| r.group_id == rule.group_id) {
            violations.push(Violation::new(
                format!("{field}.group_id"),
                "duplicate",
                "one rule per group",
                "mỗi nhóm chỉ có một quy định",
            ));
            continue;
        }
        let owner: Option<Uuid> = org_groups::table
            .find(rule.group_id)
            .select(org_groups::owner_unit_id)
            .first(conn)
            .await
            .optional()?;
        if owner != Some(assigning_unit) {
            violations.push(Violation::new(
                format!("{field}.group_id"),
                "unknown_reference",
                "no such group of the assigning unit",
                "không có nhóm này của đơn vị giao",
            ));
        }
        for v in domain_rule(rule).validate() {
            violations.push(Violation {
                field: format!("{field}.{}", v.field),
                ..v
            });
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(ApiError::violations(violations))
    }
}

fn domain_rule(spec: &GroupRuleSpec) -> GroupRule {
    GroupRule {
        group_id: spec.group_id,
        group_code: String::new(),
        min_tasks: spec.min_tasks,
        max_tasks: spec.max_tasks,
        required_content_areas: spec.required_content_areas.clone(),
        growth_target_required: spec.growth_target_required,
    }
}

async fn store_rules(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    rules: &[GroupRuleSpec],
) -> Result<(), ApiError> {
    diesel::delete(round_group_rules::table.filter(round_group_rules::round_id.eq(round)))
        .execute(conn)
        .await?;
    let rows: Vec<GroupRuleRow> = rules
        .iter()
        .map(|r| GroupRuleRow {
            round_id: round,
            group_id: r.group_id,
            min_tasks: r.min_tasks,
            max_tasks: r.max_tasks,
            required_content_areas: r
                .required_content_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            growth_target_required: r.growth_target_required,
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(round_group_rules::table)
            .values(&rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Create a round
///
/// Opens a round in `draft` for an assigning unit, with its per-group rules. Needs
/// `round_manage` on the assigning unit (its Organisation Board or Standing Committee).
#[utoipa::path(tag = "assignments", request_body = NewRound,
    responses((status = 201, description = "Created", body = Round, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/rounds")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewRound>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let mut conn = state.pool.get().await?;
    caller
        .require(
            &mut conn,
            Permission::RoundManage,
            Permission::OrgRead,
            new.assigning_unit_id,
        )
        .await
        .map_err(|e| match e.status().as_u16() {
            404 => unknown("assigning_unit_id", "unit"),
            _ => e,
        })?;
    check_rules(&mut conn, new.assigning_unit_id, &new.group_rules).await?;
    let round = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let now = Utc::now();
                let row = RoundRow {
                    id: Uuid::now_v7(),
                    assigning_unit_id: new.assigning_unit_id,
                    year: new.year,
                    term_label: new.term_label,
                    title: new.title,
                    decision_number: new.decision_number,
                    decision_date: new.decision_date,
                    signer_title: new.signer_title,
                    signer_name: new.signer_name,
                    state: RoundState::Draft,
                    issued_at: None,
                    issued_by: None,
                    override_reason: None,
                    override_breaches: None,
                    closed_at: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    reporting_cadence: new.reporting_cadence,
                    quarterly_evaluation: new.quarterly_evaluation,
                    report_due_days: new.report_due_days,
                };
                diesel::insert_into(rounds::table)
                    .values(&row)
                    .execute(conn)
                    .await
                    .map_err(decision_taken)?;
                store_rules(conn, row.id, &new.group_rules).await?;
                let round = load(conn, row.id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "round.create",
                        resource_type: "round",
                        resource_id: Some(round.id),
                        unit_id: Some(round.assigning_unit_id),
                        before: None::<&()>,
                        after: Some(&round),
                    },
                )
                .await?;
                Ok(round)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/rounds/{}", round.id),
        round.version,
        &round,
    ))
}

fn decision_taken(e: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::conflict(
            "the assigning unit already has a round with this decision number",
            "đơn vị đã có đợt giao với số quyết định này",
        ),
        other => other.into(),
    }
}

/// Changes to a draft round; absent fields stay as they are, `group_rules` replaces all rules.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundPatch {
    /// Congress term.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub term_label: Option<String>,
    /// Title.
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub title: Option<String>,
    /// Number and symbol of the decision.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// Title of the signer's post.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub signer_title: Option<String>,
    /// Name of the signer.
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub signer_name: Option<String>,
    /// Replaces every per-group rule.
    #[validate(length(max = 50), nested)]
    pub group_rules: Option<Vec<GroupRuleSpec>>,
    /// How often heads report progress.
    pub reporting_cadence: Option<Cadence>,
    /// Days after each period's cut-off that a report is due, 0–90.
    #[validate(range(min = 0, max = 90))]
    pub report_due_days: Option<i32>,
    /// Whether assignments are also evaluated per quarter.
    pub quarterly_evaluation: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = rounds)]
struct RoundChanges {
    term_label: Option<String>,
    title: Option<String>,
    decision_number: Option<String>,
    decision_date: Option<NaiveDate>,
    signer_title: Option<String>,
    signer_name: Option<String>,
    reporting_cadence: Option<String>,
    report_due_days: Option<i32>,
    quarterly_evaluation: Option<bool>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// Locks round `id` for a change needing `permission` on its assigning unit and `If-Match`.
pub(crate) async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
    if_match: &IfMatch,
) -> Result<Round, ApiError> {
    rounds::table
        .find(id)
        .select(rounds::id)
        .for_update()
        .first::<Uuid>(conn)
        .await?;
    let round = load_visible(conn, caller, id).await?;
    caller
        .require_on(conn, permission, round.assigning_unit_id)
        .await?;
    if_match.check(round.version)?;
    Ok(round)
}

fn require_draft(round: &Round) -> Result<(), ApiError> {
    if round.state == RoundState::Draft {
        Ok(())
    } else {
        Err(ApiError::conflict(
            format!(
                "the round is {}; only a draft round can change",
                round.state
            ),
            format!(
                "đợt giao đang ở trạng thái {}; chỉ sửa được đợt giao dự thảo",
                round.state
            ),
        ))
    }
}

/// Update a round
///
/// Changes a draft round's title, decision metadata or per-group rules (409 once issued).
/// Needs `If-Match` and `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments", request_body = RoundPatch,
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Round, headers(("ETag" = String))), UpdateErrors))]
#[patch("/rounds/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<RoundPatch>,
) -> ApiResult<HttpResponse> {
    let (id, patch) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let round = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before =
                    lock_for_change(conn, &caller, id, Permission::RoundManage, &if_match).await?;
                require_draft(&before)?;
                if let Some(rules) = &patch.group_rules {
                    check_rules(conn, before.assigning_unit_id, rules).await?;
                    store_rules(conn, id, rules).await?;
                }
                diesel::update(rounds::table.find(id))
                    .set(&RoundChanges {
                        term_label: patch.term_label,
                        title: patch.title,
                        decision_number: patch.decision_number,
                        decision_date: patch.decision_date,
                        signer_title: patch.signer_title,
                        signer_name: patch.signer_name,
                        reporting_cadence: patch.reporting_cadence.map(|c| c.as_str().to_owned()),
                        quarterly_evaluation: patch.quarterly_evaluation,
                        report_due_days: patch.report_due_days,
                        version: before.version + 1,
                        updated_at: Utc::now(),
                    })
                    .execute(conn)
                    .await
                    .map_err(decision_taken)?;
                let after = load(conn, id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "round.update",
                        resource_type: "round",
                        resource_id: Some(id),
                        unit_id: Some(after.assigning_unit_id),
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
    Ok(ok_tagged(round.version, &round))
}

/// Delete a round
///
/// Removes a draft round that has no assignments (409 otherwise). Needs `If-Match` and
/// `round_manage` on the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/rounds/{id}")]
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
            let before =
                lock_for_change(conn, &caller, id, Permission::RoundManage, &if_match).await?;
            require_draft(&before)?;
            diesel::delete(round_group_rules::table.filter(round_group_rules::round_id.eq(id)))
                .execute(conn)
                .await?;
            diesel::delete(rounds::table.find(id))
                .execute(conn)
                .await
                .map_err(super::still_referenced)?;
            audit::record(
                conn,
                Some(&caller),
                Change {
                    action: "round.delete",
                    resource_type: "round",
                    resource_id: Some(id),
                    unit_id: Some(before.assigning_unit_id),
                    before: Some(&before),
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

/// A rule of the round broken by one unit's planned assignments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleBreach {
    /// The group whose rule is broken.
    pub group_id: Uuid,
    /// Its code.
    pub group_code: String,
    /// The unit concerned.
    pub unit_id: Uuid,
    /// `too_few_tasks`, `too_many_tasks`, `missing_content_area`, `missing_growth_target` or
    /// `unit_in_several_groups`.
    pub code: String,
    /// Explanation, in the caller's language.
    pub message: String,
}

/// The readiness of a round to be issued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    /// The round.
    pub round_id: Uuid,
    /// Whether it can be issued without an override.
    pub ready: bool,
    /// Number of assignments that would be issued.
    pub assignment_count: i64,
    /// Every broken rule.
    pub breaches: Vec<RuleBreach>,
}

/// Every breach of the round's rules by its non-withdrawn assignments.
async fn breaches(conn: &mut AsyncPgConnection, round: &Round) -> Result<Readiness, ApiError> {
    let rows: Vec<AssignmentRow> = assignments::table
        .filter(assignments::round_id.eq(round.id))
        .filter(assignments::state.ne("withdrawn"))
        .select(AssignmentRow::as_select())
        .load(conn)
        .await?;
    let planned: Vec<PlannedAssignment> = rows
        .iter()
        .map(|a| PlannedAssignment {
            assignee_unit_id: a.assignee_unit_id,
            content_area: a.content_area,
            kind: a.kind,
            growth_target: a.growth_target,
        })
        .collect();
    let mut rules = Vec::new();
    let mut group_ids = BTreeMap::new();
    for spec in &round.group_rules {
        let code: String = org_groups::table
            .find(spec.group_id)
            .select(org_groups::code)
            .first(conn)
            .await?;
        let members: Vec<Uuid> = org_group_members::table
            .filter(org_group_members::group_id.eq(spec.group_id))
            .select(org_group_members::unit_id)
            .load(conn)
            .await?;
        group_ids.insert(code.clone(), spec.group_id);
        let mut rule = domain_rule(spec);
        rule.group_code = code;
        rules.push((rule, members));
    }
    let vietnamese = crate::error::vietnamese();
    let breaches = round_rules::readiness(&rules, &planned)
        .into_iter()
        .map(|b: Breach| RuleBreach {
            group_id: group_ids[&b.group_code],
            group_code: b.group_code,
            unit_id: b.unit_id,
            code: b.code.to_owned(),
            message: if vietnamese {
                b.message_vi
            } else {
                b.message_en
            },
        })
        .collect::<Vec<_>>();
    Ok(Readiness {
        round_id: round.id,
        ready: breaches.is_empty(),
        assignment_count: rows.len() as i64,
        breaches,
    })
}

/// Check a round's readiness
///
/// Lists every unit whose planned assignments break its group's rule (too few or too many
/// tasks, a required content area missing, no growth target where one is required, a unit in
/// two groups). A round with breaches can be issued only with a written override.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The breaches, if any", body = Readiness), ReadErrors))]
#[get("/rounds/{id}/readiness")]
pub async fn readiness(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = load_visible(&mut conn, &caller, *id).await?;
    caller
        .require(
            &mut conn,
            Permission::RoundManage,
            Permission::AssignmentRead,
            round.assigning_unit_id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(breaches(&mut conn, &round).await?))
}

/// Issue of a round.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRound {
    /// Written reason to issue despite broken rules (recorded with the list of breaches).
    #[validate(
        length(min = 10, max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub override_reason: Option<String>,
}

/// Issue a round
///
/// Issues the round's decision: every draft assignment becomes `issued` with its terms frozen
/// as version 1, and each assignee gets its decision record. Refused with 422 and the list of
/// breaches when rules are broken, unless `override_reason` is given (it is recorded). Needs
/// the decision number and date, `If-Match`, and `round_issue` (Standing Committee) on the
/// assigning unit.
#[utoipa::path(tag = "assignments", request_body = IssueRound,
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Issued", body = Round, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/issue")]
pub async fn issue(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<IssueRound>,
) -> ApiResult<HttpResponse> {
    let (id, req) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let round = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before =
                    lock_for_change(conn, &caller, id, Permission::RoundIssue, &if_match).await?;
                let next = before.state.next(RoundAction::Issue)?;
                let mut missing = Vec::new();
                if before.decision_number.is_none() {
                    missing.push("decision_number");
                }
                if before.decision_date.is_none() {
                    missing.push("decision_date");
                }
                if !missing.is_empty() {
                    return Err(missing.into_iter().fold(
                        ApiError::unprocessable(
                            "the decision number and date are needed to issue",
                            "cần có số và ngày quyết định để ban hành",
                        ),
                        |e, f| e.field(f, "required", Msg::new("required", "bắt buộc")),
                    ));
                }
                let check = breaches(conn, &before).await?;
                if check.assignment_count == 0 {
                    return Err(ApiError::unprocessable(
                        "the round has no assignments",
                        "đợt giao chưa có nhiệm vụ nào",
                    ));
                }
                if !check.ready && req.override_reason.is_none() {
                    return Err(check.breaches.iter().fold(
                        ApiError::unprocessable(
                            "the round breaks its rules; fix them or give an override_reason",
                            "đợt giao chưa đáp ứng quy định; hãy sửa hoặc nêu lý do ban hành",
                        ),
                        |e, b| {
                            e.field(
                                format!("units.{}", b.unit_id),
                                b.code.clone(),
                                Msg::new(b.message.clone(), b.message.clone()),
                            )
                        },
                    ));
                }
                let now = Utc::now();
                let drafts: Vec<AssignmentRow> = assignments::table
                    .filter(assignments::round_id.eq(id))
                    .filter(assignments::state.eq("draft"))
                    .order(assignments::id)
                    .select(AssignmentRow::as_select())
                    .for_update()
                    .load(conn)
                    .await?;
                let mut per_assignee: BTreeMap<Uuid, Vec<(Uuid, String)>> = BTreeMap::new();
                for a in &drafts {
                    AssignmentState::Draft.next(AssignmentAction::Issue)?;
                    let terms = terms_of(a);
                    let hash = canonical::terms_hash(&terms);
                    diesel::insert_into(assignment_terms::table)
                        .values(&TermsRow {
                            assignment_id: a.id,
                            terms_version: 1,
                            terms,
                            terms_hash: hash.clone(),
                            amendment_id: None,
                            created_by: Some(caller.account_id),
                            created_at: now,
                        })
                        .execute(conn)
                        .await?;
                    diesel::update(assignments::table.find(a.id))
                        .set((
                            assignments::state.eq(AssignmentState::Issued.as_str()),
                            assignments::terms_version.eq(1),
                            assignments::version.eq(a.version + 1),
                            assignments::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?;
                    per_assignee
                        .entry(a.assignee_unit_id)
                        .or_default()
                        .push((a.id, hash));
                }
                for (unit, items) in per_assignee {
                    let listed: Vec<serde_json::Value> = items
                        .iter()
                        .map(|(id, hash)| {
                            serde_json::json!({"assignment_id": id, "terms_version": 1, "terms_hash": hash})
                        })
                        .collect();
                    diesel::insert_into(assignment_decisions::table)
                        .values(&DecisionRow {
                            id: Uuid::now_v7(),
                            round_id: id,
                            assignee_unit_id: unit,
                            decision_number: before.decision_number.clone(),
                            decision_date: before.decision_date,
                            assignment_ids: items.iter().map(|(id, _)| *id).collect(),
                            terms_hash: canonical::terms_hash(&serde_json::Value::Array(listed)),
                            created_at: now,
                        })
                        .execute(conn)
                        .await?;
                }
                let breaches_json = (!check.ready)
                    .then(|| serde_json::to_value(&check.breaches).unwrap_or_default());
                diesel::update(rounds::table.find(id))
                    .set((
                        rounds::state.eq(next.as_str()),
                        rounds::issued_at.eq(now),
                        rounds::issued_by.eq(caller.account_id),
                        rounds::override_reason.eq(req.override_reason.filter(|_| !check.ready)),
                        rounds::override_breaches.eq(breaches_json),
                        rounds::version.eq(before.version + 1),
                        rounds::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                let after = load(conn, id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "round.issue",
                        resource_type: "round",
                        resource_id: Some(id),
                        unit_id: Some(after.assigning_unit_id),
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
    Ok(ok_tagged(round.version, &round))
}

/// Close a round
///
/// Closes an issued round: no new commitments are signed in it. Needs `If-Match` and
/// `round_issue` on the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Closed", body = Round, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let mut conn = state.pool.get().await?;
    let round = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before =
                    lock_for_change(conn, &caller, id, Permission::RoundIssue, &if_match).await?;
                let next = before.state.next(RoundAction::Close)?;
                let now = Utc::now();
                diesel::update(rounds::table.find(id))
                    .set((
                        rounds::state.eq(next.as_str()),
                        rounds::closed_at.eq(now),
                        rounds::version.eq(before.version + 1),
                        rounds::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                let after = load(conn, id).await?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "round.close",
                        resource_type: "round",
                        resource_id: Some(id),
                        unit_id: Some(after.assigning_unit_id),
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
    Ok(ok_tagged(round.version, &round))
}

/// The decision handed to one assignee when the round was issued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decision {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// The assignee unit.
    pub assignee_unit_id: Uuid,
    /// Number and symbol of the decision.
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// The assignments it gives.
    pub assignment_ids: Vec<Uuid>,
    /// SHA-256 of the canonical list of the assignments' frozen terms.
    pub terms_hash: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<DecisionRow> for Decision {
    fn from(r: DecisionRow) -> Self {
        Self {
            id: r.id,
            round_id: r.round_id,
            assignee_unit_id: r.assignee_unit_id,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            assignment_ids: r.assignment_ids,
            terms_hash: r.terms_hash,
            created_at: r.created_at,
        }
    }
}

/// List a round's decisions
///
/// The decision records of an issued round, one per assignee unit the caller can read (all
/// of them for readers of the assigning unit), ordered by id.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id"), PageParams),
    responses((status = 200, description = "A page of decisions", body = Page<Decision>), ReadErrors))]
#[get("/rounds/{id}/decisions")]
pub async fn decisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let round = load_visible(&mut conn, &caller, *id).await?;
    let mut q = assignment_decisions::table
        .filter(assignment_decisions::round_id.eq(round.id))
        .select(DecisionRow::as_select())
        .order(assignment_decisions::id)
        .limit(limit + 1)
        .into_boxed();
    if !caller
        .can(
            &mut conn,
            Permission::AssignmentRead,
            round.assigning_unit_id,
        )
        .await?
    {
        let visible = caller
            .units_with(&mut conn, Permission::AssignmentRead)
            .await?;
        q = q.filter(assignment_decisions::assignee_unit_id.eq_any(visible));
    }
    if let Some(after) = after {
        q = q.filter(assignment_decisions::id.gt(after));
    }
    let rows: Vec<DecisionRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Decision::from)))
}

/// A draw of assignments for field verification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpotCheck {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// Share drawn (0–1).
    pub share: f64,
    /// The seed: with the candidates it reproduces the draw.
    pub seed: String,
    /// The assignments the draw was made from (issued, committed or in progress).
    pub candidate_ids: Vec<Uuid>,
    /// The assignments drawn, in draw order.
    pub drawn_ids: Vec<Uuid>,
    /// Who drew.
    pub drawn_by: Uuid,
    /// When.
    pub drawn_at: DateTime<Utc>,
}

impl From<SpotCheckRow> for SpotCheck {
    fn from(r: SpotCheckRow) -> Self {
        Self {
            id: r.id,
            round_id: r.round_id,
            share: r.share,
            seed: r.seed,
            candidate_ids: r.candidate_ids,
            drawn_ids: r.drawn_ids,
            drawn_by: r.drawn_by,
            drawn_at: r.drawn_at,
        }
    }
}

/// A spot-check draw to make.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpotCheck {
    /// Share of the round's active assignments to draw, above 0 and at most 1.
    #[validate(range(exclusive_min = 0.0, max = 1.0))]
    pub share: f64,
    /// Seed of the draw (default: a random one, recorded).
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub seed: Option<String>,
}

/// Draw assignments for a spot check
///
/// Draws a share of the round's issued, committed or in-progress assignments for field
/// verification and records the draw with its seed and candidates, so anyone can redo it
/// (each candidate is ranked by SHA-256 of the seed and its id). Needs `round_manage` on the
/// assigning unit.
#[utoipa::path(tag = "assignments", request_body = NewSpotCheck,
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 201, description = "Drawn", body = SpotCheck, headers(("Location" = String))), WriteErrors))]
#[post("/rounds/{id}/spot-checks")]
pub async fn draw_spot_check(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewSpotCheck>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let round = load_visible(conn, &caller, id).await?;
                caller
                    .require_on(conn, Permission::RoundManage, round.assigning_unit_id)
                    .await?;
                let candidates: Vec<Uuid> = assignments::table
                    .filter(assignments::round_id.eq(id))
                    .filter(assignments::state.eq_any(["issued", "committed", "in_progress"]))
                    .order(assignments::id)
                    .select(assignments::id)
                    .load(conn)
                    .await?;
                if candidates.is_empty() {
                    return Err(ApiError::conflict(
                        "the round has no active assignments to draw from",
                        "đợt giao chưa có nhiệm vụ đang thực hiện để chọn kiểm tra",
                    ));
                }
                let seed = new.seed.unwrap_or_else(|| Uuid::new_v4().to_string());
                let row = SpotCheckRow {
                    id: Uuid::now_v7(),
                    round_id: id,
                    share: new.share,
                    drawn_ids: spot_check::draw(&candidates, new.share, &seed),
                    seed,
                    candidate_ids: candidates,
                    drawn_by: caller.account_id,
                    drawn_at: Utc::now(),
                };
                diesel::insert_into(spot_checks::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let view = SpotCheck::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "spot_check.draw",
                        resource_type: "spot_check",
                        resource_id: Some(view.id),
                        unit_id: Some(round.assigning_unit_id),
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
            format!("/api/v1/rounds/{id}/spot-checks"),
        ))
        .json(&view))
}

/// List a round's spot checks
///
/// Every draw made in the round, oldest first. Readable by readers of the assigning unit.
#[utoipa::path(tag = "assignments",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The draws", body = Vec<SpotCheck>), ReadErrors))]
#[get("/rounds/{id}/spot-checks")]
pub async fn list_spot_checks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = load_visible(&mut conn, &caller, *id).await?;
    caller
        .require_on(
            &mut conn,
            Permission::AssignmentRead,
            round.assigning_unit_id,
        )
        .await?;
    let rows: Vec<SpotCheckRow> = spot_checks::table
        .filter(spot_checks::round_id.eq(round.id))
        .order(spot_checks::id)
        .select(SpotCheckRow::as_select())
        .load(&mut conn)
        .await?;
    let out: Vec<SpotCheck> = rows.into_iter().map(SpotCheck::from).collect();
    Ok(HttpResponse::Ok().json(out))
}
