//! Evaluation of assignments: the head self-assesses a period (a year, or the whole term) with
//! the facts of each item and the evidence cited; the Organisation Board appraises and
//! proposes; the Standing Committee of the assigning unit decides. Each step carries the grade
//! the versioned rule set suggests, with its derivation, and the quota of excellent grades in
//! the group of similar units. A decided grade is immutable except through a recorded override
//! by a superior committee, which keeps the earlier decision. Decided grades are attributed to
//! the cadres who held the head's post, by days held.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{load_visible, lock};
use super::supervision::Opinion;
use crate::auth::{scope, Caller};
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, AttributionRow, EvaluationRow, OpinionRow};
use crate::db::schema::{
    evaluation_attributions, evaluations, evidence, opinions, org_group_members, org_groups, posts,
    rounds, rule_sets,
};
use crate::domain::evaluation::{attribute, period_dates, Tenure};
use crate::domain::grading::{self, quota_check, Facts, Grade, Item, QuotaCheck, RuleSet};
use crate::domain::roles::Permission;
use crate::domain::workflow::{EvaluationAction, EvaluationState};
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{created, ok_tagged, IfMatch, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_rule_sets)
        .service(create_rule_set)
        .service(list)
        .service(self_assess)
        .service(get)
        .service(reassess)
        .service(appraise)
        .service(return_step)
        .service(decide)
        .service(override_decision)
        .service(cadre_record);
}

/// A stored rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredRuleSet {
    /// Code.
    pub code: String,
    /// Version.
    pub version: i32,
    /// The rules.
    pub definition: RuleSet,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// List grading rule sets
///
/// Every version of every rule set, by code and version. The rule set applied to an
/// evaluation is the latest version valid on the last day of the evaluated period.
#[utoipa::path(tag = "evaluations",
    responses((status = 200, description = "The rule sets", body = Vec<StoredRuleSet>), ReadErrors))]
#[get("/rule-sets")]
pub async fn list_rule_sets(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    Ok(HttpResponse::Ok().json(load_rule_sets(&mut conn).await?))
}

async fn load_rule_sets(conn: &mut AsyncPgConnection) -> Result<Vec<StoredRuleSet>, ApiError> {
    let rows: Vec<(String, i32, serde_json::Value, DateTime<Utc>)> = rule_sets::table
        .order((rule_sets::code, rule_sets::version))
        .select((
            rule_sets::code,
            rule_sets::version,
            rule_sets::definition,
            rule_sets::created_at,
        ))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(code, version, definition, created_at)| {
            Ok(StoredRuleSet {
                code,
                version,
                definition: serde_json::from_value(definition)
                    .map_err(|e| ApiError::internal(format!("stored rule set: {e}")))?,
                created_at,
            })
        })
        .collect()
}

/// Store a new rule-set version
///
/// A new version of a rule set (or a new rule set) as data; stored versions never change.
/// The version must follow the latest one of its code. Needs `rule_set_manage` over the
/// whole tree.
#[utoipa::path(tag = "evaluations", request_body = RuleSet,
    responses((status = 201, description = "Stored", body = StoredRuleSet, headers(("Location" = String))), WriteErrors))]
#[post("/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RuleSet>,
) -> ApiResult<HttpResponse> {
    let set = body.into_inner();
    let mut conn = state.pool.get().await?;
    caller
        .require_global(&mut conn, Permission::RuleSetManage)
        .await?;
    let mut violations = set.validate();
    if set.code.is_empty()
        || set.code.len() > 64
        || !set
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        violations.push(Violation::new(
            "code",
            "format",
            "1 to 64 letters, digits, '-' or '_'",
            "1 đến 64 chữ cái, chữ số, '-' hoặc '_'",
        ));
    }
    if !violations.is_empty() {
        return Err(ApiError::violations(violations));
    }
    let stored = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let latest: Option<i32> = rule_sets::table
                    .filter(rule_sets::code.eq(&set.code))
                    .select(diesel::dsl::max(rule_sets::version))
                    .first(conn)
                    .await?;
                if set.version != latest.unwrap_or(0) + 1 {
                    return Err(ApiError::conflict(
                        format!(
                            "the next version of {} is {}",
                            set.code,
                            latest.unwrap_or(0) + 1
                        ),
                        format!(
                            "phiên bản tiếp theo của {} là {}",
                            set.code,
                            latest.unwrap_or(0) + 1
                        ),
                    ));
                }
                let now = Utc::now();
                diesel::insert_into(rule_sets::table)
                    .values((
                        rule_sets::code.eq(&set.code),
                        rule_sets::version.eq(set.version),
                        rule_sets::valid_from.eq(set.valid_from),
                        rule_sets::valid_to.eq(set.valid_to),
                        rule_sets::definition.eq(serde_json::to_value(&set).unwrap_or_default()),
                        rule_sets::created_by.eq(caller.account_id),
                        rule_sets::created_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                let stored = StoredRuleSet {
                    code: set.code.clone(),
                    version: set.version,
                    definition: set,
                    created_at: now,
                };
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "rule_set.create",
                        resource_type: "rule_set",
                        resource_id: None,
                        unit_id: None,
                        before: None::<&()>,
                        after: Some(&stored),
                    },
                )
                .await?;
                Ok(stored)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, "/api/v1/rule-sets"))
        .json(stored))
}

/// The evaluation of one assignment for one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evaluation {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// `term` (the whole span), a year (`2022`) or a quarter (`2022-Q3`).
    pub period: String,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Workflow state.
    pub state: EvaluationState,
    /// Code of the rule set applied.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// The facts of the latest step.
    pub facts: Facts,
    /// The grade the rule set suggests for those facts, with its derivation.
    #[schema(value_type = grading::Suggestion)]
    pub suggestion: serde_json::Value,
    /// The head's proposed grade.
    pub self_grade: Option<Grade>,
    /// The head's score.
    pub self_score: Option<f64>,
    /// The head's account of the results.
    pub self_narrative: Option<String>,
    /// The evidence the head cites.
    pub evidence_ids: Vec<Uuid>,
    /// Who self-assessed.
    pub self_assessed_by: Option<Uuid>,
    /// When.
    pub self_assessed_at: Option<DateTime<Utc>>,
    /// The Organisation Board's proposed grade.
    pub appraised_grade: Option<Grade>,
    /// Its score.
    pub appraised_score: Option<f64>,
    /// Its remarks.
    pub appraisal_remarks: Option<String>,
    /// Who appraised.
    pub appraised_by: Option<Uuid>,
    /// When.
    pub appraised_at: Option<DateTime<Utc>>,
    /// The decided grade.
    pub decided_grade: Option<Grade>,
    /// The decision's note.
    pub decision_note: Option<String>,
    /// Why the quota of excellent grades was exceeded, when it was.
    pub quota_exception_reason: Option<String>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Comments of the last return.
    pub return_comment: Option<String>,
    /// The overridden decision this one replaces.
    pub supersedes_id: Option<Uuid>,
    /// Why the superior committee overrode it.
    pub override_reason: Option<String>,
    /// Supervisors' and the assigning side's opinions on the assignment, attached to the
    /// appraisal: those recorded up to it (all so far, before it).
    pub opinions: Vec<Opinion>,
    /// Version, also the ETag.
    pub version: i32,
}

fn grade(code: Option<&str>) -> Option<Grade> {
    code.and_then(Grade::parse)
}

impl From<EvaluationRow> for Evaluation {
    fn from(r: EvaluationRow) -> Self {
        Self {
            self_grade: grade(r.self_grade.as_deref()),
            appraised_grade: grade(r.appraised_grade.as_deref()),
            decided_grade: grade(r.decided_grade.as_deref()),
            id: r.id,
            assignment_id: r.assignment_id,
            period: r.period_code,
            period_end: r.period_end,
            state: EvaluationState::parse(&r.state).unwrap_or(EvaluationState::SelfAssessed),
            rule_set_code: r.rule_set_code,
            rule_set_version: r.rule_set_version,
            facts: serde_json::from_value(r.facts).unwrap_or_default(),
            suggestion: r.suggestion,
            self_score: r.self_score,
            self_narrative: r.self_narrative,
            evidence_ids: r.evidence_ids,
            self_assessed_by: r.self_assessed_by,
            self_assessed_at: r.self_assessed_at,
            appraised_score: r.appraised_score,
            appraisal_remarks: r.appraisal_remarks,
            appraised_by: r.appraised_by,
            appraised_at: r.appraised_at,
            decision_note: r.decision_note,
            quota_exception_reason: r.quota_exception_reason,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            return_comment: r.return_comment,
            supersedes_id: r.supersedes_id,
            override_reason: r.override_reason,
            opinions: Vec::new(),
            version: r.version,
        }
    }
}

impl Evaluation {
    /// Attaches the opinions recorded on the assignment up to the appraisal.
    async fn with_opinions(mut self, conn: &mut AsyncPgConnection) -> Result<Self, ApiError> {
        let mut q = opinions::table
            .filter(opinions::assignment_id.eq(self.assignment_id))
            .order(opinions::id)
            .select(OpinionRow::as_select())
            .into_boxed();
        if let Some(t) = self.appraised_at {
            q = q.filter(opinions::created_at.le(t));
        }
        let rows: Vec<OpinionRow> = q.load(conn).await?;
        self.opinions = rows.into_iter().map(Opinion::from).collect();
        Ok(self)
    }
}

/// An evaluation step's outcome: the evaluation and the group's quota of excellent grades.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationOutcome {
    /// The evaluation after the step.
    pub evaluation: Evaluation,
    /// The quota of the assignee's group of similar units, with this step's grade counted;
    /// absent when the unit is in no group for the round's year.
    pub quota: Option<QuotaCheck>,
}

/// List an assignment's evaluations
///
/// Every evaluation of the assignment, overridden ones included, oldest first.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 200, description = "The evaluations", body = Vec<Evaluation>), ReadErrors))]
#[get("/assignments/{id}/evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let rows: Vec<EvaluationRow> = evaluations::table
        .filter(evaluations::assignment_id.eq(a.id))
        .order(evaluations::id)
        .select(EvaluationRow::as_select())
        .load(&mut conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Evaluation::from(r).with_opinions(&mut conn).await?);
    }
    Ok(HttpResponse::Ok().json(out))
}

async fn load(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    for_update: bool,
) -> Result<(EvaluationRow, AssignmentRow), ApiError> {
    let q = evaluations::table
        .find(id)
        .select(EvaluationRow::as_select());
    let e: EvaluationRow = if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    };
    let a = if for_update {
        lock(conn, caller, e.assignment_id, None).await?
    } else {
        load_visible(conn, caller, e.assignment_id).await?
    };
    Ok((e, a))
}

/// Get an evaluation
///
/// One evaluation with its ETag.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Evaluation id")),
    responses((status = 200, description = "The evaluation", body = Evaluation, headers(("ETag" = String))), ReadErrors))]
#[get("/evaluations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (e, _) = load(&mut conn, &caller, *id, false).await?;
    let view = Evaluation::from(e).with_opinions(&mut conn).await?;
    Ok(ok_tagged(view.version, &view))
}

/// One item's facts as the head or the Board states them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ItemFacts {
    /// Key of the item within the assignment, e.g. `target` or a milestone's title.
    #[validate(length(min = 1, max = 200))]
    pub key: String,
    /// Relative weight (default 1).
    #[serde(default = "one")]
    #[validate(range(exclusive_min = 0.0, max = 1000.0))]
    pub weight: f64,
    /// Completion ratio (1.0 = met; above 1.0 exceeded).
    #[validate(range(min = 0.0, max = 100.0))]
    pub completion: Option<f64>,
    /// Delivered.
    pub done: bool,
    /// Delivered within its deadline.
    pub on_time: bool,
    /// Delivered beyond its requirement.
    #[serde(default)]
    pub exceeded: bool,
    /// Major quality defects found.
    #[serde(default)]
    #[validate(range(max = 100))]
    pub quality_defects: u32,
}

fn one() -> f64 {
    1.0
}

impl From<Item> for ItemFacts {
    fn from(i: Item) -> Self {
        Self {
            key: i.key,
            weight: i.weight,
            completion: i.completion,
            done: i.done,
            on_time: i.on_time,
            exceeded: i.exceeded,
            quality_defects: i.quality_defects,
        }
    }
}

/// The facts of a step, with the assignment's certified objective cause applied to every item.
fn facts_of(a: &AssignmentRow, items: &[ItemFacts], facts: Vec<String>) -> Result<Facts, ApiError> {
    let facts = Facts {
        items: items
            .iter()
            .map(|i| Item {
                key: i.key.clone(),
                weight: i.weight,
                completion: i.completion,
                done: i.done,
                on_time: i.on_time,
                exceeded: i.exceeded,
                quality_defects: i.quality_defects,
                objective_cause: a.objective_cause,
            })
            .collect(),
        facts,
    };
    let violations = facts.validate();
    if violations.is_empty() {
        Ok(facts)
    } else {
        Err(ApiError::violations(violations))
    }
}

/// The rule set for a period ending on `end`: the given code's, else the latest valid one.
async fn rule_set_for(
    conn: &mut AsyncPgConnection,
    code: Option<&str>,
    end: NaiveDate,
) -> Result<RuleSet, ApiError> {
    let all: Vec<RuleSet> = load_rule_sets(conn)
        .await?
        .into_iter()
        .map(|s| s.definition)
        .collect();
    grading::select(&all, code, end).cloned().ok_or_else(|| {
        ApiError::violations(vec![Violation::new(
            "rule_set_code",
            "no_rule_set",
            "no rule set of that code is valid at the end of the period",
            "không có bộ tiêu chí nào có hiệu lực vào cuối kỳ đánh giá",
        )])
    })
}

/// A self-assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SelfAssessment {
    /// `term`, a year within the assignment's span, or a quarter (`2022-Q3`) when the round
    /// asks for quarterly evaluation (ignored when assessing again).
    #[validate(length(min = 1, max = 10))]
    pub period: String,
    /// Rule set to apply (default: the latest valid at the end of the period).
    #[validate(length(min = 1, max = 64))]
    pub rule_set_code: Option<String>,
    /// Proposed grade.
    pub grade: Grade,
    /// Proposed score.
    #[validate(range(min = 0.0, max = 100.0))]
    pub score: Option<f64>,
    /// What was achieved.
    #[validate(length(min = 1, max = 20000), custom(function = "super::plain_text"))]
    pub narrative: String,
    /// Evidence cited (of this assignment, not retracted).
    #[validate(length(max = 200))]
    pub evidence_ids: Vec<Uuid>,
    /// The facts of each item.
    #[validate(length(min = 1, max = 200), nested)]
    pub items: Vec<ItemFacts>,
}

async fn evidence_violations(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    ids: &[Uuid],
) -> Result<Vec<Violation>, ApiError> {
    let found: i64 = evidence::table
        .filter(evidence::id.eq_any(ids))
        .filter(evidence::assignment_id.eq(a.id))
        .filter(evidence::retracted_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    Ok(if found as usize == unique.len() {
        Vec::new()
    } else {
        vec![Violation::new(
            "evidence_ids",
            "unknown_evidence",
            "every cited piece must be standing evidence of this assignment",
            "minh chứng viện dẫn phải là minh chứng còn hiệu lực của nhiệm vụ này",
        )]
    })
}

async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &'static str,
    unit: Uuid,
    before: Option<&Evaluation>,
    after: &Evaluation,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        Some(caller),
        Change {
            action,
            resource_type: "evaluation",
            resource_id: Some(after.id),
            unit_id: Some(unit),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Self-assess a period
///
/// The head states the facts of each item, proposes a grade and cites evidence; the rule set
/// valid at the end of the period suggests a grade with its derivation. One evaluation per
/// assignment and period (409 when it exists). Needs `commitment_sign` on the assignee unit.
#[utoipa::path(tag = "evaluations", request_body = SelfAssessment,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Self-assessed", body = Evaluation, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/evaluations")]
pub async fn self_assess(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<SelfAssessment>,
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
                        format!(
                            "only issued assignments are evaluated; this one is {}",
                            a.state
                        ),
                        format!(
                            "chỉ đánh giá nhiệm vụ đã ban hành; nhiệm vụ đang {}",
                            a.state
                        ),
                    ));
                }
                let quarterly: bool = rounds::table
                    .find(a.round_id)
                    .select(rounds::quarterly_evaluation)
                    .first(conn)
                    .await?;
                let Some((_, end)) = period_dates(&new.period, a.start_date, a.end_date, quarterly)
                else {
                    return Err(ApiError::violations(vec![Violation::new(
                        "period",
                        "not_a_period",
                        "`term`, a year within the assignment's span, or a quarter (`2022-Q3`) when the round asks for quarterly evaluation",
                        "`term`, một năm trong thời hạn của nhiệm vụ, hoặc một quý (`2022-Q3`) nếu đợt giao có đánh giá theo quý",
                    )]));
                };
                let violations = evidence_violations(conn, &a, &new.evidence_ids).await?;
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                let facts = facts_of(&a, &new.items, Vec::new())?;
                let rules = rule_set_for(conn, new.rule_set_code.as_deref(), end).await?;
                let exists: i64 = evaluations::table
                    .filter(evaluations::assignment_id.eq(a.id))
                    .filter(evaluations::period_code.eq(&new.period))
                    .filter(evaluations::state.ne(EvaluationState::Overridden.as_str()))
                    .count()
                    .get_result(conn)
                    .await?;
                if exists > 0 {
                    return Err(ApiError::conflict(
                        "this period is already being evaluated; see the assignment's evaluations",
                        "kỳ này đã có đánh giá; xem danh sách đánh giá của nhiệm vụ",
                    ));
                }
                let suggestion = grading::suggest(&rules, &facts);
                let now = Utc::now();
                let row = EvaluationRow {
                    id: Uuid::now_v7(),
                    assignment_id: a.id,
                    period_code: new.period,
                    period_end: end,
                    state: EvaluationState::SelfAssessed.as_str().to_owned(),
                    rule_set_code: rules.code.clone(),
                    rule_set_version: rules.version,
                    facts: serde_json::to_value(&facts).unwrap_or_default(),
                    suggestion: serde_json::to_value(&suggestion).unwrap_or_default(),
                    self_grade: Some(new.grade.as_str().to_owned()),
                    self_score: new.score,
                    self_narrative: Some(new.narrative),
                    evidence_ids: new.evidence_ids,
                    self_assessed_by: Some(caller.account_id),
                    self_assessed_at: Some(now),
                    appraised_grade: None,
                    appraised_score: None,
                    appraisal_remarks: None,
                    appraised_by: None,
                    appraised_at: None,
                    decided_grade: None,
                    decision_note: None,
                    quota_exception_reason: None,
                    decided_by: None,
                    decided_at: None,
                    return_comment: None,
                    supersedes_id: None,
                    override_reason: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                diesel::insert_into(evaluations::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let view = Evaluation::from(row);
                record(
                    conn,
                    &caller,
                    "evaluation.self_assess",
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
        format!("/api/v1/evaluations/{}", view.id),
        view.version,
        &view,
    ))
}

/// Saves `row` (its version bumped), records the step, and answers the view with its opinions.
async fn save(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    action: &'static str,
    unit: Uuid,
    before: EvaluationRow,
    mut row: EvaluationRow,
) -> Result<Evaluation, ApiError> {
    row.version = before.version + 1;
    row.updated_at = Utc::now();
    diesel::update(evaluations::table.find(row.id))
        .set((
            evaluations::state.eq(&row.state),
            evaluations::facts.eq(&row.facts),
            evaluations::suggestion.eq(&row.suggestion),
            evaluations::self_grade.eq(&row.self_grade),
            evaluations::self_score.eq(row.self_score),
            evaluations::self_narrative.eq(&row.self_narrative),
            evaluations::evidence_ids.eq(&row.evidence_ids),
            evaluations::self_assessed_by.eq(row.self_assessed_by),
            evaluations::self_assessed_at.eq(row.self_assessed_at),
            evaluations::appraised_grade.eq(&row.appraised_grade),
            evaluations::appraised_score.eq(row.appraised_score),
            evaluations::appraisal_remarks.eq(&row.appraisal_remarks),
            evaluations::appraised_by.eq(row.appraised_by),
            evaluations::appraised_at.eq(row.appraised_at),
            evaluations::decided_grade.eq(&row.decided_grade),
            evaluations::decision_note.eq(&row.decision_note),
            evaluations::quota_exception_reason.eq(&row.quota_exception_reason),
            evaluations::decided_by.eq(row.decided_by),
            evaluations::decided_at.eq(row.decided_at),
            evaluations::return_comment.eq(&row.return_comment),
            evaluations::version.eq(row.version),
            evaluations::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
        .await?;
    let (before, after) = (Evaluation::from(before), Evaluation::from(row));
    record(conn, caller, action, unit, Some(&before), &after).await?;
    after.with_opinions(conn).await
}

fn state_of(e: &EvaluationRow) -> EvaluationState {
    EvaluationState::parse(&e.state).unwrap_or(EvaluationState::SelfAssessed)
}

/// Assess again
///
/// After the Organisation Board returned the self-assessment, the head states it again (the
/// `period` field is ignored). Needs `commitment_sign` on the assignee unit and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = SelfAssessment,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Self-assessed", body = Evaluation, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/self-assess")]
pub async fn reassess(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<SelfAssessment>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                caller
                    .require_on(conn, Permission::CommitmentSign, a.assignee_unit_id)
                    .await?;
                if_match.check(e.version)?;
                let next = state_of(&e).next(EvaluationAction::SelfAssess)?;
                let violations = evidence_violations(conn, &a, &new.evidence_ids).await?;
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                let facts = facts_of(&a, &new.items, Vec::new())?;
                let rules = rule_set_for(conn, Some(&e.rule_set_code), e.period_end).await?;
                let mut row = e.clone();
                row.state = next.as_str().to_owned();
                row.facts = serde_json::to_value(&facts).unwrap_or_default();
                row.suggestion =
                    serde_json::to_value(grading::suggest(&rules, &facts)).unwrap_or_default();
                row.self_grade = Some(new.grade.as_str().to_owned());
                row.self_score = new.score;
                row.self_narrative = Some(new.narrative);
                row.evidence_ids = new.evidence_ids;
                row.self_assessed_by = Some(caller.account_id);
                row.self_assessed_at = Some(Utc::now());
                save(
                    conn,
                    &caller,
                    "evaluation.self_assess",
                    a.assignee_unit_id,
                    e,
                    row,
                )
                .await
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// The quota in the assignee's group for the round's year, counting `grade` for `e` and the
/// standing (proposed or decided) grades of the group's other assignments of the same round and
/// period. `decided_only` counts only decided grades of the others.
async fn quota_for(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    e: &EvaluationRow,
    grade: Grade,
    rules: &RuleSet,
    decided_only: bool,
) -> Result<Option<QuotaCheck>, ApiError> {
    let year: i32 = rounds::table
        .find(a.round_id)
        .select(rounds::year)
        .first(conn)
        .await?;
    let groups: Vec<Uuid> = org_group_members::table
        .inner_join(org_groups::table)
        .filter(org_group_members::unit_id.eq(a.assignee_unit_id))
        .filter(org_groups::year.eq(year))
        .select(org_groups::id)
        .load(conn)
        .await?;
    if groups.is_empty() {
        return Ok(None);
    }
    let members: Vec<Uuid> = org_group_members::table
        .filter(org_group_members::group_id.eq_any(&groups))
        .select(org_group_members::unit_id)
        .load(conn)
        .await?;
    let others: Vec<(Option<String>, Option<String>)> = evaluations::table
        .inner_join(crate::db::schema::assignments::table)
        .filter(crate::db::schema::assignments::round_id.eq(a.round_id))
        .filter(crate::db::schema::assignments::assignee_unit_id.eq_any(&members))
        .filter(evaluations::period_code.eq(&e.period_code))
        .filter(evaluations::state.ne(EvaluationState::Overridden.as_str()))
        .filter(evaluations::id.ne(e.id))
        .select((evaluations::appraised_grade, evaluations::decided_grade))
        .load(conn)
        .await?;
    let mut counts = (0u32, 0u32);
    let mut count = |g: Option<Grade>| match g {
        Some(Grade::Excellent) => counts.0 += 1,
        Some(Grade::Good) => counts.1 += 1,
        _ => {}
    };
    for (appraised, decided) in &others {
        let standing = if decided_only {
            decided.as_deref()
        } else {
            decided.as_deref().or(appraised.as_deref())
        };
        count(standing.and_then(Grade::parse));
    }
    count(Some(grade));
    Ok(Some(quota_check(&rules.quota, counts.0, counts.1)))
}

/// An appraisal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Appraisal {
    /// Proposed grade.
    pub grade: Grade,
    /// Proposed score.
    #[validate(range(min = 0.0, max = 100.0))]
    pub score: Option<f64>,
    /// Remarks.
    #[validate(length(min = 1, max = 20000), custom(function = "super::plain_text"))]
    pub remarks: String,
    /// The facts as the Board finds them (default: the head's).
    #[validate(length(min = 1, max = 200), nested)]
    pub items: Option<Vec<ItemFacts>>,
    /// Fact codes about the head found by the Board, e.g. `discipline_reprimand_or_above`.
    #[validate(length(max = 20))]
    #[serde(default)]
    pub facts: Vec<String>,
}

/// Appraise and propose a grade
///
/// The Organisation Board checks the facts (restating them where it finds otherwise), adds
/// facts about the head (such as discipline), and proposes a grade; the answer carries the
/// rule set's suggestion and the group's quota with this proposal counted. Needs
/// `evaluation_appraise` on the assigning unit and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = Appraisal,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Appraised", body = EvaluationOutcome, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/appraise")]
pub async fn appraise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Appraisal>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                caller
                    .require_on(conn, Permission::EvaluationAppraise, a.assigning_unit_id)
                    .await?;
                if_match.check(e.version)?;
                let next = state_of(&e).next(EvaluationAction::Appraise)?;
                let rules = rule_set_for(conn, Some(&e.rule_set_code), e.period_end).await?;
                let items = match &new.items {
                    Some(items) => items.clone(),
                    None => serde_json::from_value::<Facts>(e.facts.clone())
                        .unwrap_or_default()
                        .items
                        .into_iter()
                        .map(ItemFacts::from)
                        .collect(),
                };
                let facts = facts_of(&a, &items, new.facts.clone())?;
                let quota = quota_for(conn, &a, &e, new.grade, &rules, false).await?;
                let mut row = e.clone();
                row.state = next.as_str().to_owned();
                row.facts = serde_json::to_value(&facts).unwrap_or_default();
                row.suggestion =
                    serde_json::to_value(grading::suggest(&rules, &facts)).unwrap_or_default();
                row.appraised_grade = Some(new.grade.as_str().to_owned());
                row.appraised_score = new.score;
                row.appraisal_remarks = Some(new.remarks);
                row.appraised_by = Some(caller.account_id);
                row.appraised_at = Some(Utc::now());
                let evaluation = save(
                    conn,
                    &caller,
                    "evaluation.appraise",
                    a.assignee_unit_id,
                    e,
                    row,
                )
                .await?;
                Ok(EvaluationOutcome { evaluation, quota })
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(outcome.evaluation.version, &outcome))
}

/// Comments sent back with a step.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReturnComment {
    /// What must be done again.
    #[validate(length(min = 1, max = 10000), custom(function = "super::plain_text"))]
    pub comment: String,
}

/// Return the last step
///
/// The Organisation Board returns a self-assessment to the head (`evaluation_appraise` on the
/// assigning unit), or the Standing Committee returns an appraisal to the Board
/// (`evaluation_decide`), with comments. Needs `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = ReturnComment,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Returned", body = Evaluation, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/return")]
pub async fn return_step(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReturnComment>,
) -> ApiResult<HttpResponse> {
    let (id, comment) = (*id, body.0.comment);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                let current = state_of(&e);
                let permission = match current {
                    EvaluationState::Appraised => Permission::EvaluationDecide,
                    _ => Permission::EvaluationAppraise,
                };
                caller
                    .require_on(conn, permission, a.assigning_unit_id)
                    .await?;
                if_match.check(e.version)?;
                let next = current.next(EvaluationAction::Return)?;
                let mut row = e.clone();
                row.state = next.as_str().to_owned();
                row.return_comment = Some(comment);
                save(
                    conn,
                    &caller,
                    "evaluation.return",
                    a.assignee_unit_id,
                    e,
                    row,
                )
                .await
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// A decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Final grade.
    pub grade: Grade,
    /// Note of the decision.
    #[validate(length(max = 10000), custom(function = "super::plain_text"))]
    pub note: Option<String>,
    /// Why the quota of excellent grades may be exceeded (required when it is).
    #[validate(length(min = 1, max = 10000), custom(function = "super::plain_text"))]
    pub quota_exception_reason: Option<String>,
}

/// Writes who held the head's post while the period of `e` ran.
async fn attribute_grade(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    e: &EvaluationRow,
) -> Result<(), ApiError> {
    let (from, to) = period_dates(&e.period_code, a.start_date, a.end_date, true)
        .unwrap_or((a.start_date, a.end_date));
    let heads: Vec<(Uuid, Uuid, NaiveDate, Option<NaiveDate>)> = posts::table
        .filter(posts::unit_id.eq(a.assignee_unit_id))
        .filter(posts::kind.eq("head"))
        .filter(posts::valid_from.le(to))
        .filter(posts::valid_to.is_null().or(posts::valid_to.ge(from)))
        .select((
            posts::id,
            posts::cadre_id,
            posts::valid_from,
            posts::valid_to,
        ))
        .load(conn)
        .await?;
    let tenures: Vec<Tenure<(Uuid, Uuid)>> = heads
        .iter()
        .map(|(post, cadre, f, t)| Tenure {
            id: (*post, *cadre),
            from: *f,
            to: *t,
        })
        .collect();
    let rows: Vec<AttributionRow> = attribute(from, to, &tenures)
        .into_iter()
        .map(
            |((post, cadre), held_from, held_to, share)| AttributionRow {
                evaluation_id: e.id,
                cadre_id: cadre,
                post_id: post,
                held_from,
                held_to,
                share,
            },
        )
        .collect();
    diesel::insert_into(evaluation_attributions::table)
        .values(&rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Decide the grade
///
/// The Standing Committee of the assigning unit decides the final grade. When the group's
/// excellent grades would exceed the quota, a `quota_exception_reason` is required (422
/// otherwise) and recorded. The grade is attributed to the cadres who held the head's post,
/// by days. Needs `evaluation_decide` on the assigning unit and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = Decision,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Decided", body = EvaluationOutcome, headers(("ETag" = String))), UpdateErrors))]
#[post("/evaluations/{id}/decide")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Decision>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                caller
                    .require_on(conn, Permission::EvaluationDecide, a.assigning_unit_id)
                    .await?;
                if_match.check(e.version)?;
                let next = state_of(&e).next(EvaluationAction::Decide)?;
                let rules = rule_set_for(conn, Some(&e.rule_set_code), e.period_end).await?;
                let quota = quota_for(conn, &a, &e, new.grade, &rules, true).await?;
                if let Some(q) = quota.as_ref().filter(|q| q.exceeded) {
                    if new.quota_exception_reason.is_none() {
                        return Err(ApiError::violations(vec![Violation::new(
                            "quota_exception_reason",
                            "quota_exceeded",
                            format!("{}; record the reason for the exception", q.message_en),
                            format!("{}; cần ghi rõ lý do vượt tỷ lệ", q.message_vi),
                        )]));
                    }
                }
                let mut row = e.clone();
                row.state = next.as_str().to_owned();
                row.decided_grade = Some(new.grade.as_str().to_owned());
                row.decision_note = new.note;
                row.quota_exception_reason = new
                    .quota_exception_reason
                    .filter(|_| quota.as_ref().is_some_and(|q| q.exceeded));
                row.decided_by = Some(caller.account_id);
                row.decided_at = Some(Utc::now());
                attribute_grade(conn, &a, &row).await?;
                let evaluation = save(
                    conn,
                    &caller,
                    "evaluation.decide",
                    a.assignee_unit_id,
                    e,
                    row,
                )
                .await?;
                Ok(EvaluationOutcome { evaluation, quota })
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(outcome.evaluation.version, &outcome))
}

/// An override by the superior committee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The new grade.
    pub grade: Grade,
    /// Why the decision is cancelled.
    #[validate(length(min = 1, max = 10000), custom(function = "super::plain_text"))]
    pub reason: String,
}

/// Override a decided grade
///
/// A committee above the assigning unit cancels the decision and grades again. The earlier
/// evaluation stays, marked `overridden`; the new grade is a new decided evaluation that
/// points to it, attributed afresh. Needs `evaluation_decide` on a unit above the assigning
/// unit (over its subtree) and `If-Match`.
#[utoipa::path(tag = "evaluations", request_body = Override,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 201, description = "The new decision", body = Evaluation, headers(("ETag" = String), ("Location" = String))), UpdateErrors))]
#[post("/evaluations/{id}/override")]
pub async fn override_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Override>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                let above: Vec<Uuid> = scope::ancestors_or_self(conn, a.assigning_unit_id)
                    .await?
                    .into_iter()
                    .filter(|u| *u != a.assigning_unit_id)
                    .collect();
                let superior = caller.bindings.iter().any(|b| {
                    b.include_subtree
                        && b.role.grants(Permission::EvaluationDecide)
                        && above.contains(&b.unit_id)
                });
                if !superior {
                    return Err(ApiError::forbidden());
                }
                if_match.check(e.version)?;
                let next = state_of(&e).next(EvaluationAction::Override)?;
                let now = Utc::now();
                let mut old = e.clone();
                old.state = next.as_str().to_owned();
                save(
                    conn,
                    &caller,
                    "evaluation.overridden",
                    a.assignee_unit_id,
                    e.clone(),
                    old,
                )
                .await?;
                let row = EvaluationRow {
                    id: Uuid::now_v7(),
                    state: EvaluationState::Decided.as_str().to_owned(),
                    decided_grade: Some(new.grade.as_str().to_owned()),
                    decision_note: None,
                    quota_exception_reason: None,
                    decided_by: Some(caller.account_id),
                    decided_at: Some(now),
                    return_comment: None,
                    supersedes_id: Some(e.id),
                    override_reason: Some(new.reason),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    ..e
                };
                diesel::insert_into(evaluations::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                attribute_grade(conn, &a, &row).await?;
                let view = Evaluation::from(row);
                record(
                    conn,
                    &caller,
                    "evaluation.override",
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
        format!("/api/v1/evaluations/{}", view.id),
        view.version,
        &view,
    ))
}

/// One decided grade in a cadre's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordEntry {
    /// The evaluation.
    pub evaluation_id: Uuid,
    /// `decided`, or `overridden` when a superior committee replaced it.
    pub state: EvaluationState,
    /// The grade.
    pub grade: Option<Grade>,
    /// The period.
    pub period: String,
    /// The assignment.
    pub assignment_id: Uuid,
    /// Its title.
    pub assignment_title: String,
    /// Year of its round.
    pub round_year: i32,
    /// The unit the cadre headed (kept even after the unit was merged or closed).
    pub unit_id: Uuid,
    /// The head's post.
    pub post_id: Uuid,
    /// First day of the period the cadre held the post.
    pub held_from: NaiveDate,
    /// Last day.
    pub held_to: NaiveDate,
    /// Share of the period held.
    pub share: f64,
    /// Rule set applied.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// The rule set's suggestion and derivation.
    #[schema(value_type = grading::Suggestion)]
    pub suggestion: serde_json::Value,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision it overrides, if any.
    pub supersedes_id: Option<Uuid>,
    /// Why it overrides it.
    pub override_reason: Option<String>,
}

/// A cadre's evaluation record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CadreRecord {
    /// The cadre.
    pub cadre_id: Uuid,
    /// Decided grades attributed to the cadre, by period and assignment.
    pub entries: Vec<RecordEntry>,
}

/// Get a cadre's evaluation record
///
/// Every decided grade attributed to the cadre across years and units (with overridden
/// decisions kept and marked), each with the share of the period the cadre held the head's
/// post and the derivation of its suggested grade. Readable only by the cadre and by holders
/// of `cadre_record_read` (Standing Committee, Organisation Board) over the cadre's managing
/// unit.
#[utoipa::path(tag = "evaluations",
    params(("id" = Uuid, Path, description = "Cadre id")),
    responses((status = 200, description = "The record", body = CadreRecord), ReadErrors))]
#[get("/cadres/{id}/record")]
pub async fn cadre_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    use crate::db::schema::{accounts, assignments, cadres};
    let id = *id;
    let mut conn = state.pool.get().await?;
    let managing: Uuid = cadres::table
        .find(id)
        .select(cadres::managing_unit_id)
        .first(&mut conn)
        .await?;
    let own: Option<Uuid> = accounts::table
        .find(caller.account_id)
        .select(accounts::cadre_id)
        .first(&mut conn)
        .await?;
    if own != Some(id) {
        caller
            .require(
                &mut conn,
                Permission::CadreRecordRead,
                Permission::PersonnelRead,
                managing,
            )
            .await?;
    }
    type Joined = (AttributionRow, EvaluationRow, (String, i32, Uuid));
    let rows: Vec<Joined> = evaluation_attributions::table
        .inner_join(
            evaluations::table.on(evaluations::id.eq(evaluation_attributions::evaluation_id)),
        )
        .inner_join(assignments::table.on(assignments::id.eq(evaluations::assignment_id)))
        .inner_join(rounds::table.on(rounds::id.eq(assignments::round_id)))
        .filter(evaluation_attributions::cadre_id.eq(id))
        .order((rounds::year, evaluations::period_end, evaluations::id))
        .select((
            AttributionRow::as_select(),
            EvaluationRow::as_select(),
            (
                assignments::title,
                rounds::year,
                assignments::assignee_unit_id,
            ),
        ))
        .load(&mut conn)
        .await?;
    let entries = rows
        .into_iter()
        .map(|(at, e, (title, year, unit))| RecordEntry {
            evaluation_id: e.id,
            state: EvaluationState::parse(&e.state).unwrap_or(EvaluationState::Decided),
            grade: grade(e.decided_grade.as_deref()),
            period: e.period_code,
            assignment_id: e.assignment_id,
            assignment_title: title,
            round_year: year,
            unit_id: unit,
            post_id: at.post_id,
            held_from: at.held_from,
            held_to: at.held_to,
            share: at.share,
            rule_set_code: e.rule_set_code,
            rule_set_version: e.rule_set_version,
            suggestion: e.suggestion,
            decided_at: e.decided_at,
            supersedes_id: e.supersedes_id,
            override_reason: e.override_reason,
        })
        .collect::<Vec<_>>();
    Ok(HttpResponse::Ok().json(CadreRecord {
        cadre_id: id,
        entries,
    }))
}
