//! Evaluation of people and collectives by their products: a cadre's year or term, or a unit's
//! Standing Committee's, graded over every assignment of the evaluating unit's rounds they
//! answered for (each by the share of the period they held the position), with the same steps
//! as an assignment's evaluation and the quota of excellent grades counted per person.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::evaluations::{Decision, Override, ReturnComment};
use crate::app::person_evaluations::{
    self as app, PersonAppraisal, PersonOutcome, PersonPreview, PersonReassessment,
    PersonSelfAssessment, Subject,
};
use crate::auth::Caller;
use crate::db::models::PersonEvaluationRow;
use crate::db::repo::person_evaluations::ListFilter;
use crate::domain::grading::{self, Grade, QuotaCheck};
use crate::domain::person::Basis;
use crate::domain::workflow::EvaluationState;
use crate::error::ApiResult;
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(preview)
        .service(self_assess)
        .service(get_one)
        .service(reassess)
        .service(appraise)
        .service(return_step)
        .service(decide)
        .service(override_decision);
}

/// The evaluation of a cadre or a collective for a year or a term.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonEvaluation {
    /// Id.
    pub id: Uuid,
    /// The cadre evaluated (absent for a collective).
    pub cadre_id: Option<Uuid>,
    /// The unit whose collective is evaluated (absent for a cadre).
    pub collective_unit_id: Option<Uuid>,
    /// The unit that evaluates.
    pub evaluating_unit_id: Uuid,
    /// The quota group the subject is counted in, if any.
    pub group_id: Option<Uuid>,
    /// A year (`2022`) or a term of years (`2020-2025`).
    pub period: String,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Workflow state.
    pub state: EvaluationState,
    /// Code of the rule set applied.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// What the grade rests on: every assignment answered for, its share and grade, and the
    /// facts graded, as of the latest step.
    pub basis: Basis,
    /// The grade the rule set suggests for those facts, with its derivation.
    #[schema(value_type = grading::Suggestion)]
    pub suggestion: serde_json::Value,
    /// The subject's proposed grade.
    pub self_grade: Option<Grade>,
    /// The subject's account of the results.
    pub self_narrative: Option<String>,
    /// Who self-assessed.
    pub self_assessed_by: Option<Uuid>,
    /// When.
    pub self_assessed_at: Option<DateTime<Utc>>,
    /// The Organisation Board's proposed grade.
    pub appraised_grade: Option<Grade>,
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
    /// Why the decided grade departs from the suggested one.
    pub departure_reason: Option<String>,
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
    /// Version, also the ETag.
    pub version: i32,
}

impl From<PersonEvaluationRow> for PersonEvaluation {
    fn from(r: PersonEvaluationRow) -> Self {
        Self {
            id: r.id,
            cadre_id: r.cadre_id,
            collective_unit_id: r.collective_unit_id,
            evaluating_unit_id: r.evaluating_unit_id,
            group_id: r.group_id,
            period: r.period_code,
            period_end: r.period_end,
            state: r.state,
            rule_set_code: r.rule_set_code,
            rule_set_version: r.rule_set_version,
            basis: serde_json::from_value(r.basis).unwrap_or_default(),
            suggestion: r.suggestion,
            self_grade: r.self_grade,
            self_narrative: r.self_narrative,
            self_assessed_by: r.self_assessed_by,
            self_assessed_at: r.self_assessed_at,
            appraised_grade: r.appraised_grade,
            appraisal_remarks: r.appraisal_remarks,
            appraised_by: r.appraised_by,
            appraised_at: r.appraised_at,
            decided_grade: r.decided_grade,
            decision_note: r.decision_note,
            departure_reason: r.departure_reason,
            quota_exception_reason: r.quota_exception_reason,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            return_comment: r.return_comment,
            supersedes_id: r.supersedes_id,
            override_reason: r.override_reason,
            version: r.version,
        }
    }
}

/// A step's outcome: the evaluation and the group's quota of excellent grades.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonEvaluationOutcome {
    /// The evaluation after the step.
    pub evaluation: PersonEvaluation,
    /// The quota of the subject's group, counted per person with this step's grade; absent
    /// when the subject is in no group of the evaluating unit for the period's last year.
    pub quota: Option<QuotaCheck>,
}

impl From<PersonOutcome> for PersonEvaluationOutcome {
    fn from(o: PersonOutcome) -> Self {
        Self {
            evaluation: o.evaluation.into(),
            quota: o.quota,
        }
    }
}

/// Filters of the list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonEvaluationFilter {
    /// Only those of this evaluating unit.
    pub evaluating_unit_id: Option<Uuid>,
    /// Only those of this period (`2022`, `2020-2025`).
    pub period: Option<String>,
    /// Only this cadre's.
    pub cadre_id: Option<Uuid>,
    /// Only those counted in this quota group.
    pub group_id: Option<Uuid>,
}

/// List evaluations of people
///
/// The evaluations of people and collectives the caller may read, by id, with cursor
/// pagination: all of an evaluating unit's for its Organisation Board and Standing Committee;
/// a cadre's own; those of cadres managed where the caller holds `cadre_record_read`; a
/// collective's for its head.
#[utoipa::path(tag = "person evaluations", params(PersonEvaluationFilter, PageParams),
    responses((status = 200, description = "A page of evaluations", body = Page<PersonEvaluation>), ReadErrors))]
#[get("/person-evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<PersonEvaluationFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let f = filter.into_inner();
    let f = ListFilter {
        evaluating_unit_id: f.evaluating_unit_id,
        period: f.period,
        cadre_id: f.cadre_id,
        group_id: f.group_id,
    };
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &f, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |r| r.id,
        PersonEvaluation::from,
    )))
}

/// Whose evaluation to preview, and the period.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The cadre (or give `collective_unit_id`).
    pub cadre_id: Option<Uuid>,
    /// The unit whose collective is evaluated (or give `cadre_id`).
    pub collective_unit_id: Option<Uuid>,
    /// The unit that evaluates.
    pub evaluating_unit_id: Uuid,
    /// A year (`2022`) or a term of years (`2020-2025`).
    pub period: String,
    /// Rule set to apply (default: the latest valid at the end of the period).
    pub rule_set_code: Option<String>,
}

/// Preview a person's evaluation from the record
///
/// Every assignment of the evaluating unit's rounds the cadre (or collective) answered for in
/// the period, with the share of the period held, the roles, the decided grade and the facts
/// (those of the assignment's decided evaluation of the same period, else derived from the
/// record), and the grade they suggest. For the subject, and for the evaluating unit's
/// Organisation Board and Standing Committee.
#[utoipa::path(tag = "person evaluations", params(PreviewQuery),
    responses((status = 200, description = "The basis and the suggestion", body = PersonPreview), ReadErrors))]
#[get("/person-evaluations/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PreviewQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let subject = Subject {
        cadre_id: q.cadre_id,
        collective_unit_id: q.collective_unit_id,
        evaluating_unit_id: q.evaluating_unit_id,
    };
    let mut conn = state.pool.get().await?;
    let view = app::preview(
        &mut conn,
        &caller,
        &subject,
        &q.period,
        q.rule_set_code.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Self-assess a year or a term
///
/// The cadre (their own account), or the head of the collective's unit (`commitment_sign`
/// there), opens the evaluation of a period with a proposed grade and an account of the
/// results. The basis is read from the record: every assignment of the evaluating unit's
/// rounds answered for in the period (422 `no_assignments` when there is none). One standing
/// evaluation per subject, evaluating unit and period (409).
#[utoipa::path(tag = "person evaluations", request_body = PersonSelfAssessment,
    responses((status = 201, description = "Self-assessed", body = PersonEvaluation, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/person-evaluations")]
pub async fn self_assess(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<PersonSelfAssessment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = PersonEvaluation::from(app::self_assess(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/person-evaluations/{}", view.id),
        view.version,
        &view,
    ))
}

/// Get an evaluation of a person
///
/// With its ETag, for those who may read it (see the list).
#[utoipa::path(tag = "person evaluations",
    params(("id" = Uuid, Path, description = "Evaluation id")),
    responses((status = 200, description = "The evaluation", body = PersonEvaluation, headers(("ETag" = String))), ReadErrors))]
#[get("/person-evaluations/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = PersonEvaluation::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(view.version, &view))
}

/// Self-assess again after a return
///
/// The subject states a returned self-assessment again; the basis is read afresh from the
/// record. Needs `If-Match`.
#[utoipa::path(tag = "person evaluations", request_body = PersonReassessment,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Self-assessed again", body = PersonEvaluation, headers(("ETag" = String))), UpdateErrors))]
#[post("/person-evaluations/{id}/self-assess")]
pub async fn reassess(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PersonReassessment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view =
        PersonEvaluation::from(app::reassess(&mut conn, &caller, *id, &if_match, body.0).await?);
    Ok(ok_tagged(view.version, &view))
}

/// Appraise a person and propose a grade
///
/// The evaluating unit's Organisation Board reads the basis afresh, adds facts about the
/// person (such as discipline) and proposes a grade; the answer carries the suggestion and the
/// group's quota counted per person with this proposal. Needs `evaluation_appraise` on the
/// evaluating unit and `If-Match`.
#[utoipa::path(tag = "person evaluations", request_body = PersonAppraisal,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Appraised", body = PersonEvaluationOutcome, headers(("ETag" = String))), UpdateErrors))]
#[post("/person-evaluations/{id}/appraise")]
pub async fn appraise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<PersonAppraisal>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome = PersonEvaluationOutcome::from(
        app::appraise(&mut conn, &caller, *id, &if_match, body.0).await?,
    );
    Ok(ok_tagged(outcome.evaluation.version, &outcome))
}

/// Return the last step of a person's evaluation
///
/// The Organisation Board returns a self-assessment (`evaluation_appraise` on the evaluating
/// unit), or the Standing Committee an appraisal (`evaluation_decide`), with comments. Needs
/// `If-Match`.
#[utoipa::path(tag = "person evaluations", request_body = ReturnComment,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Returned", body = PersonEvaluation, headers(("ETag" = String))), UpdateErrors))]
#[post("/person-evaluations/{id}/return")]
pub async fn return_step(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<ReturnComment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::return_step(&mut conn, &caller, *id, &if_match, body.0.comment).await?;
    let view = PersonEvaluation::from(row);
    Ok(ok_tagged(view.version, &view))
}

/// Decide a person's grade
///
/// The evaluating unit's Standing Committee decides. A grade other than the suggested one
/// needs `departure_reason`; beyond the quota of excellent grades in the group (counted per
/// person) a `quota_exception_reason` is required and recorded. Needs `evaluation_decide` on
/// the evaluating unit and `If-Match`.
#[utoipa::path(tag = "person evaluations", request_body = Decision,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Decided", body = PersonEvaluationOutcome, headers(("ETag" = String))), UpdateErrors))]
#[post("/person-evaluations/{id}/decide")]
pub async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Decision>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let outcome = PersonEvaluationOutcome::from(
        app::decide(&mut conn, &caller, *id, &if_match, body.0).await?,
    );
    Ok(ok_tagged(outcome.evaluation.version, &outcome))
}

/// Override a person's decided grade
///
/// A committee above the evaluating unit cancels the decision and grades again: the earlier
/// evaluation stays, marked `overridden`, and the new decided one points to it. Needs
/// `evaluation_decide` over the subtree of a unit above the evaluating unit, and `If-Match`.
#[utoipa::path(tag = "person evaluations", request_body = Override,
    params(("id" = Uuid, Path, description = "Evaluation id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 201, description = "The new decision", body = PersonEvaluation, headers(("ETag" = String), ("Location" = String))), UpdateErrors))]
#[post("/person-evaluations/{id}/override")]
pub async fn override_decision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Override>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = app::override_decision(&mut conn, &caller, *id, &if_match, body.0).await?;
    let view = PersonEvaluation::from(row);
    Ok(created(
        format!("/api/v1/person-evaluations/{}", view.id),
        view.version,
        &view,
    ))
}
