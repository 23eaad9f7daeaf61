//! Evaluation of people by their products: a cadre's year or term (or a collective's, such as
//! a district's Standing Committee) graded over every assignment they answered for in the
//! period, each by the share of the period they held the position, under the versioned rule
//! set. The same workflow as an assignment's: the person (or the collective's head)
//! self-assesses, the evaluating unit's Organisation Board appraises and proposes, its Standing
//! Committee decides, a superior committee may override; the quota of excellent grades counts
//! the people of the quota group.

use chrono::{Datelike, NaiveDate};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::evaluations::{derived_facts, json, rule_set_for, Decision, Override};
use super::{in_tx, transition, IfMatch, Tx, Workflow};
use crate::auth::policy::person_evaluations as policy;
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, PersonEvaluationRow};
use crate::db::repo;
use crate::domain::evaluation::{attribute, Tenure};
use crate::domain::grading::{
    self, departure_violation, quota_violation, Facts, Grade, QuotaCheck, RuleSet,
};
use crate::domain::person::{person_facts, Basis, Contribution, ContributionSource, PersonPeriod};
use crate::domain::quota::{group_quota, Standing};
use crate::domain::record::ContestedBy;
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::workflow::{EvaluationAction, EvaluationState};
use crate::domain::Violation;
use crate::error::ApiError;

impl Workflow for PersonEvaluationRow {
    type State = EvaluationState;
    type Action = EvaluationAction;
    const RESOURCE: &'static str = "person_evaluation";
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn state(&self) -> EvaluationState {
        self.state
    }
    fn next(state: EvaluationState, action: EvaluationAction) -> Result<EvaluationState, ApiError> {
        Ok(state.next(action)?)
    }
    fn action_code(action: EvaluationAction) -> &'static str {
        match action {
            EvaluationAction::Override => "overridden",
            other => other.as_str(),
        }
    }
}

/// Whose evaluation: a cadre, or a collective (a unit's Standing Committee); exactly one.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    /// The cadre evaluated.
    pub cadre_id: Option<Uuid>,
    /// The unit whose collective (Standing Committee) is evaluated.
    pub collective_unit_id: Option<Uuid>,
    /// The unit that evaluates: its rounds' assignments count, its Organisation Board
    /// appraises and its Standing Committee decides.
    pub evaluating_unit_id: Uuid,
}

/// A person's or collective's self-assessment: a new evaluation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PersonSelfAssessment {
    /// The cadre evaluated.
    pub cadre_id: Option<Uuid>,
    /// The unit whose collective (Standing Committee) is evaluated.
    pub collective_unit_id: Option<Uuid>,
    /// The unit that evaluates: its rounds' assignments count, its Organisation Board
    /// appraises and its Standing Committee decides.
    pub evaluating_unit_id: Uuid,
    /// A year (`2022`) or a term of years (`2020-2025`).
    #[validate(length(min = 4, max = 9))]
    #[schema(min_length = 4, max_length = 9)]
    pub period: String,
    /// Rule set to apply (default: the latest valid at the end of the period).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub rule_set_code: Option<String>,
    /// Proposed grade.
    pub grade: Grade,
    /// What was achieved.
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub narrative: String,
}

/// A returned self-assessment stated again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PersonReassessment {
    /// Proposed grade.
    pub grade: Grade,
    /// What was achieved.
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub narrative: String,
}

/// The Organisation Board's appraisal of a person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PersonAppraisal {
    /// Proposed grade.
    pub grade: Grade,
    /// Remarks.
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub remarks: String,
    /// Fact codes about the person found by the Board, e.g. `discipline_reprimand_or_above`.
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub facts: Vec<String>,
}

/// What the record shows for a person's period before anyone assesses it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonPreview {
    /// The period.
    pub period: String,
    /// Its last day.
    pub period_end: NaiveDate,
    /// The rule set that applies.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// The quota group the person is counted in, if any.
    pub group_id: Option<Uuid>,
    /// The contributions and the facts.
    pub basis: Basis,
    /// The grade they suggest, with its derivation.
    pub suggestion: grading::Suggestion,
}

/// A proposal's or decision's outcome: the evaluation and the group's quota of excellent
/// grades, counted per person (absent when the person is in no group).
#[derive(Debug, Clone)]
pub struct PersonOutcome {
    /// The evaluation after the step.
    pub evaluation: PersonEvaluationRow,
    /// The quota with this step's grade counted.
    pub quota: Option<QuotaCheck>,
}

fn violation(field: &str, code: &'static str, en: &str, vi: &str) -> ApiError {
    ApiError::violations(vec![Violation::new(field, code, en, vi)])
}

/// The period named by `code` (422 otherwise).
fn period_of(code: &str) -> Result<PersonPeriod, ApiError> {
    PersonPeriod::parse(code).ok_or_else(|| {
        violation(
            "period",
            "not_a_period",
            "a year (`2022`) or a term of whole years (`2020-2025`, at most 10 years)",
            "một năm (`2022`) hoặc một nhiệm kỳ (`2020-2025`, tối đa 10 năm)",
        )
    })
}

/// Whose evaluation it is, checked: exactly one of a known cadre or a known unit.
async fn check_subject(conn: &mut AsyncPgConnection, s: &Subject) -> Result<(), ApiError> {
    match (s.cadre_id, s.collective_unit_id) {
        (Some(cadre), None) => {
            if repo::cadres::managing_unit(conn, cadre).await?.is_none() {
                return Err(ApiError::unknown("cadre_id", "cadre"));
            }
        }
        (None, Some(unit)) => {
            if !repo::units::exists(conn, unit).await? {
                return Err(ApiError::unknown("collective_unit_id", "unit"));
            }
        }
        _ => {
            return Err(violation(
                "cadre_id",
                "one_subject",
                "name exactly one of `cadre_id` and `collective_unit_id`",
                "cần nêu đúng một trong `cadre_id` và `collective_unit_id`",
            ))
        }
    }
    if !repo::units::exists(conn, s.evaluating_unit_id).await? {
        return Err(ApiError::unknown("evaluating_unit_id", "unit"));
    }
    Ok(())
}

/// Requires the caller to speak for the subject: the cadre themself, or the collective's head
/// (`commitment_sign` on its unit). 403 otherwise.
async fn may_self_assess(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cadre: Option<Uuid>,
    collective: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(cadre) = cadre {
        if repo::accounts::cadre_of(conn, caller.account_id).await? == Some(cadre) {
            return Ok(());
        }
        return Err(ApiError::forbidden());
    }
    match collective {
        Some(unit) => {
            caller
                .require_on(conn, Permission::CommitmentSign, unit)
                .await
        }
        None => Err(ApiError::forbidden()),
    }
}

/// The units the subject answers through in the period: the cadre's posts, or the collective.
async fn subject_units(
    conn: &mut AsyncPgConnection,
    cadre: Option<Uuid>,
    collective: Option<Uuid>,
    p: &PersonPeriod,
) -> Result<Vec<Uuid>, ApiError> {
    Ok(match (cadre, collective) {
        (Some(c), _) => repo::person_evaluations::units_held(conn, c, p.start, p.end).await?,
        (None, Some(u)) => vec![u],
        (None, None) => Vec::new(),
    })
}

/// The share of `from..=to` that `cadre` held a position answering for `a`, and the roles.
async fn share_of(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    cadre: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(f64, Vec<crate::domain::evaluation::AccountableRole>), ApiError> {
    let mut share = 0.0;
    let mut roles = Vec::new();
    for position in super::accountables::effective(conn, a).await? {
        let held: Vec<Tenure<Uuid>> =
            repo::accountables::tenures(conn, position.unit, position.kind, from, to)
                .await?
                .into_iter()
                .filter(|t| t.1 == cadre)
                .map(|(post, _, from, to)| Tenure { id: post, from, to })
                .collect();
        let part: f64 = attribute(from, to, &held).iter().map(|t| t.3).sum();
        if part > 0.0 {
            share += part;
            if !roles.contains(&position.role) {
                roles.push(position.role);
            }
        }
    }
    Ok((share.min(1.0), roles))
}

/// Every assignment of the evaluating unit's rounds the subject answered for in the period,
/// with its facts: those of its decided evaluation of the same period, else the record's.
async fn contributions(
    conn: &mut AsyncPgConnection,
    s: &Subject,
    p: &PersonPeriod,
    rules: &RuleSet,
    units: &[Uuid],
) -> Result<Vec<Contribution>, ApiError> {
    let years = (p.start.year(), p.end.year());
    let candidates =
        repo::person_evaluations::answered_in(conn, s.evaluating_unit_id, years, units).await?;
    let ids: Vec<Uuid> = candidates.iter().map(|a| a.id).collect();
    let decided = repo::person_evaluations::decided_of(conn, &ids, &p.assignment_period()).await?;
    let mut out = Vec::new();
    for a in candidates {
        let (from, to) = (a.start_date.max(p.start), a.end_date.min(p.end));
        if from > to {
            continue;
        }
        let (share, roles) = match (s.cadre_id, s.collective_unit_id) {
            (Some(cadre), _) => share_of(conn, &a, cadre, from, to).await?,
            (None, Some(unit)) if a.assignee_unit_id == unit => (1.0, Vec::new()),
            _ => (0.0, Vec::new()),
        };
        if share <= 0.0 {
            continue;
        }
        let evaluation = decided.iter().find(|e| e.assignment_id == a.id);
        let (facts, source) = match evaluation {
            Some(e) => (
                serde_json::from_value::<Facts>(e.facts.clone()).map_err(ApiError::internal)?,
                ContributionSource::DecidedEvaluation,
            ),
            None => {
                let none = serde_json::Value::Null;
                let facts =
                    derived_facts(conn, &a, to, rules, &none, Vec::new(), ContestedBy::Head)
                        .await?;
                (facts, ContributionSource::Record)
            }
        };
        out.push(Contribution {
            assignment_id: a.id,
            key: a.code.clone().unwrap_or_else(|| a.title.clone()),
            title: a.title.clone(),
            unit_id: a.assignee_unit_id,
            roles,
            share,
            grade: evaluation.and_then(|e| e.decided_grade),
            evaluation_id: evaluation.map(|e| e.id),
            source,
            facts: Facts {
                facts: Vec::new(),
                ..facts
            },
        });
    }
    Ok(out)
}

/// The basis and suggestion of the subject's period under `rules`, with fact codes `codes`.
async fn assess(
    conn: &mut AsyncPgConnection,
    s: &Subject,
    p: &PersonPeriod,
    rules: &RuleSet,
    codes: Vec<String>,
) -> Result<(Basis, grading::Suggestion, Option<Uuid>), ApiError> {
    let units = subject_units(conn, s.cadre_id, s.collective_unit_id, p).await?;
    let contributions = contributions(conn, s, p, rules, &units).await?;
    let facts = person_facts(&contributions, codes);
    let suggestion = grading::suggest(rules, &facts);
    // The quota group: one holding the person's own unit, else one holding a unit they
    // answered for (a district's chair counts among the districts).
    let answered: Vec<Uuid> = contributions.iter().map(|c| c.unit_id).collect();
    let mut group = None;
    for among in [&units, &answered] {
        if group.is_none() {
            group =
                repo::person_evaluations::group_of(conn, s.evaluating_unit_id, p.end.year(), among)
                    .await?;
        }
    }
    Ok((
        Basis {
            contributions,
            facts,
        },
        suggestion,
        group,
    ))
}

/// What the record shows for the subject's period (for the subject, and for those who run
/// the evaluating unit's evaluations).
pub async fn preview(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    s: &Subject,
    period: &str,
    rule_set_code: Option<&str>,
) -> Result<PersonPreview, ApiError> {
    let runs = caller
        .can(conn, Permission::EvaluationAppraise, s.evaluating_unit_id)
        .await?
        || caller
            .can(conn, Permission::EvaluationDecide, s.evaluating_unit_id)
            .await?;
    if !runs {
        may_self_assess(conn, caller, s.cadre_id, s.collective_unit_id).await?;
    }
    check_subject(conn, s).await?;
    let p = period_of(period)?;
    let rules = rule_set_for(conn, rule_set_code, p.end).await?;
    let (basis, suggestion, group_id) = assess(conn, s, &p, &rules, Vec::new()).await?;
    Ok(PersonPreview {
        period: period.to_owned(),
        period_end: p.end,
        rule_set_code: rules.code,
        rule_set_version: rules.version,
        group_id,
        basis,
        suggestion,
    })
}

/// The subject of a stored evaluation.
fn subject_of(e: &PersonEvaluationRow) -> Subject {
    Subject {
        cadre_id: e.cadre_id,
        collective_unit_id: e.collective_unit_id,
        evaluating_unit_id: e.evaluating_unit_id,
    }
}

/// The person (or the collective's head) self-assesses a period: a new evaluation.
pub async fn self_assess(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: PersonSelfAssessment,
) -> Result<PersonEvaluationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let s = Subject {
            cadre_id: new.cadre_id,
            collective_unit_id: new.collective_unit_id,
            evaluating_unit_id: new.evaluating_unit_id,
        };
        may_self_assess(tx.conn, caller, s.cadre_id, s.collective_unit_id).await?;
        check_subject(tx.conn, &s).await?;
        let p = period_of(&new.period)?;
        let rules = rule_set_for(tx.conn, new.rule_set_code.as_deref(), p.end).await?;
        let (basis, suggestion, group_id) = assess(tx.conn, &s, &p, &rules, Vec::new()).await?;
        if basis.contributions.is_empty() {
            return Err(violation(
                "period",
                "no_assignments",
                "no assignment of the evaluating unit's rounds was answered for in this period",
                "trong kỳ này không có nhiệm vụ nào do đơn vị đánh giá giao mà người này chịu trách nhiệm",
            ));
        }
        let exists = repo::person_evaluations::standing_exists(
            tx.conn,
            s.evaluating_unit_id,
            s.cadre_id,
            s.collective_unit_id,
            &new.period,
        )
        .await?;
        if exists {
            return Err(ApiError::conflict(
                "this period is already being evaluated; see the person's evaluations",
                "kỳ này đã có đánh giá; xem danh sách đánh giá",
            ));
        }
        let row = PersonEvaluationRow {
            id: Uuid::now_v7(),
            cadre_id: s.cadre_id,
            collective_unit_id: s.collective_unit_id,
            evaluating_unit_id: s.evaluating_unit_id,
            group_id,
            period_code: new.period,
            period_end: p.end,
            state: EvaluationState::SelfAssessed,
            rule_set_code: rules.code.clone(),
            rule_set_version: rules.version,
            basis: json(&basis)?,
            suggestion: json(&suggestion)?,
            self_grade: Some(new.grade),
            self_narrative: Some(new.narrative),
            self_assessed_by: Some(caller.account_id),
            self_assessed_at: Some(tx.now),
            appraised_grade: None,
            appraisal_remarks: None,
            appraised_by: None,
            appraised_at: None,
            decided_grade: None,
            decision_note: None,
            departure_reason: None,
            quota_exception_reason: None,
            decided_by: None,
            decided_at: None,
            return_comment: None,
            supersedes_id: None,
            override_reason: None,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        repo::person_evaluations::insert(tx.conn, &row).await?;
        tx.created(
            "person_evaluation.self_assess",
            row.id,
            Some(row.evaluating_unit_id),
            &row,
        );
        Ok(row)
    })
    .await
}

/// Who may take a step: the permission on the evaluating unit, or the subject's own voice.
#[derive(Debug, Clone, Copy)]
enum Needs {
    Subject,
    OnEvaluatingUnit(Permission),
}

/// Takes evaluation `id` one step along its workflow in one transaction.
async fn step(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: EvaluationAction,
    needs: impl FnOnce(&PersonEvaluationRow) -> Needs,
    apply: impl AsyncFnOnce(
        &mut Tx<'_>,
        &PersonEvaluationRow,
        EvaluationState,
    ) -> Result<PersonEvaluationRow, ApiError>,
) -> Result<PersonEvaluationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let e = policy::visible(tx.conn, caller, id, true).await?;
        match needs(&e) {
            Needs::Subject => {
                may_self_assess(tx.conn, caller, e.cadre_id, e.collective_unit_id).await?
            }
            Needs::OnEvaluatingUnit(p) => {
                caller.require_on(tx.conn, p, e.evaluating_unit_id).await?
            }
        }
        let unit = e.evaluating_unit_id;
        transition(tx, e, if_match, action, unit, async |tx, e, next| {
            let mut row = apply(tx, e, next).await?;
            row.state = next;
            row.version = e.version + 1;
            row.updated_at = tx.now;
            Ok(repo::person_evaluations::update(tx.conn, &row).await?)
        })
        .await
    })
    .await
}

/// The subject states a returned self-assessment again (the basis is read afresh).
pub async fn reassess(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: PersonReassessment,
) -> Result<PersonEvaluationRow, ApiError> {
    let action = EvaluationAction::SelfAssess;
    step(
        conn,
        caller,
        id,
        if_match,
        action,
        |_| Needs::Subject,
        async |tx, e, _| {
            let (basis, suggestion) = reread(tx, e, Vec::new()).await?;
            Ok(PersonEvaluationRow {
                basis: json(&basis)?,
                suggestion: json(&suggestion)?,
                self_grade: Some(new.grade),
                self_narrative: Some(new.narrative),
                self_assessed_by: Some(tx.caller.account_id),
                self_assessed_at: Some(tx.now),
                ..e.clone()
            })
        },
    )
    .await
}

/// The basis of `e` read afresh from the record, with fact codes `codes`.
async fn reread(
    tx: &mut Tx<'_>,
    e: &PersonEvaluationRow,
    codes: Vec<String>,
) -> Result<(Basis, grading::Suggestion), ApiError> {
    let p = period_of(&e.period_code)?;
    let rules = rule_set_for(tx.conn, Some(&e.rule_set_code), e.period_end).await?;
    let (basis, suggestion, _) = assess(tx.conn, &subject_of(e), &p, &rules, codes).await?;
    Ok((basis, suggestion))
}

/// The quota of the evaluation's group with `grade` counted for it (`decided_only`: the
/// others' decided grades only), per person.
async fn quota_for(
    conn: &mut AsyncPgConnection,
    e: &PersonEvaluationRow,
    grade: Grade,
    decided_only: bool,
) -> Result<Option<QuotaCheck>, ApiError> {
    let Some(group) = e.group_id else {
        return Ok(None);
    };
    let rules = rule_set_for(conn, Some(&e.rule_set_code), e.period_end).await?;
    let others: Vec<Standing> =
        repo::person_evaluations::standings(conn, group, &e.period_code, e.id)
            .await?
            .into_iter()
            .map(|(appraised, decided)| Standing { appraised, decided })
            .collect();
    Ok(Some(group_quota(
        &rules.quota,
        &others,
        grade,
        decided_only,
    )))
}

/// The Organisation Board appraises and proposes a grade (the basis is read afresh).
pub async fn appraise(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: PersonAppraisal,
) -> Result<PersonOutcome, ApiError> {
    let mut quota = None;
    let needs = |_: &PersonEvaluationRow| Needs::OnEvaluatingUnit(Permission::EvaluationAppraise);
    let row = step(
        conn,
        caller,
        id,
        if_match,
        EvaluationAction::Appraise,
        needs,
        async |tx, e, _| {
            let (basis, suggestion) = reread(tx, e, new.facts).await?;
            quota = quota_for(tx.conn, e, new.grade, false).await?;
            Ok(PersonEvaluationRow {
                basis: json(&basis)?,
                suggestion: json(&suggestion)?,
                appraised_grade: Some(new.grade),
                appraisal_remarks: Some(new.remarks),
                appraised_by: Some(tx.caller.account_id),
                appraised_at: Some(tx.now),
                ..e.clone()
            })
        },
    )
    .await?;
    Ok(PersonOutcome {
        evaluation: row,
        quota,
    })
}

/// The Board returns a self-assessment, or the Standing Committee an appraisal, with comments.
pub async fn return_step(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    comment: String,
) -> Result<PersonEvaluationRow, ApiError> {
    let needs = |e: &PersonEvaluationRow| match e.state {
        EvaluationState::Appraised => Needs::OnEvaluatingUnit(Permission::EvaluationDecide),
        _ => Needs::OnEvaluatingUnit(Permission::EvaluationAppraise),
    };
    step(
        conn,
        caller,
        id,
        if_match,
        EvaluationAction::Return,
        needs,
        async |_, e, _| {
            Ok(PersonEvaluationRow {
                return_comment: Some(comment),
                ..e.clone()
            })
        },
    )
    .await
}

/// The Standing Committee decides: a departure from the suggested grade needs a reason, and
/// beyond the group's quota of excellent people an exception reason.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: Decision,
) -> Result<PersonOutcome, ApiError> {
    let mut quota = None;
    let needs = |_: &PersonEvaluationRow| Needs::OnEvaluatingUnit(Permission::EvaluationDecide);
    let row = step(
        conn,
        caller,
        id,
        if_match,
        EvaluationAction::Decide,
        needs,
        async |tx, e, _| {
            quota = quota_for(tx.conn, e, new.grade, true).await?;
            let exceeded = quota.as_ref().filter(|q| q.exceeded);
            if let Some(v) = quota_violation(exceeded, new.quota_exception_reason.as_deref()) {
                return Err(ApiError::violations(vec![v]));
            }
            let suggested = serde_json::from_value::<Grade>(e.suggestion["grade"].clone()).ok();
            if let Some(v) =
                departure_violation(suggested, new.grade, new.departure_reason.as_deref())
            {
                return Err(ApiError::violations(vec![v]));
            }
            Ok(PersonEvaluationRow {
                decided_grade: Some(new.grade),
                decision_note: new.note,
                departure_reason: new
                    .departure_reason
                    .filter(|_| suggested != Some(new.grade)),
                quota_exception_reason: new.quota_exception_reason.filter(|_| exceeded.is_some()),
                decided_by: Some(tx.caller.account_id),
                decided_at: Some(tx.now),
                ..e.clone()
            })
        },
    )
    .await?;
    Ok(PersonOutcome {
        evaluation: row,
        quota,
    })
}

/// A committee above the evaluating unit cancels a decision (kept, marked `overridden`) and
/// grades again: a new decided evaluation that points to it.
pub async fn override_decision(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: Override,
) -> Result<PersonEvaluationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let e = policy::visible(tx.conn, caller, id, true).await?;
        policy::may_override(tx.conn, caller, &e).await?;
        let unit = e.evaluating_unit_id;
        let old = transition(
            tx,
            e,
            if_match,
            EvaluationAction::Override,
            unit,
            async |tx, e, next| {
                let row = PersonEvaluationRow {
                    state: next,
                    version: e.version + 1,
                    updated_at: tx.now,
                    ..e.clone()
                };
                Ok(repo::person_evaluations::update(tx.conn, &row).await?)
            },
        )
        .await?;
        let row = PersonEvaluationRow {
            id: Uuid::now_v7(),
            state: EvaluationState::Decided,
            decided_grade: Some(new.grade),
            decision_note: None,
            departure_reason: None,
            quota_exception_reason: None,
            decided_by: Some(tx.caller.account_id),
            decided_at: Some(tx.now),
            return_comment: None,
            supersedes_id: Some(old.id),
            override_reason: Some(new.reason),
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
            ..old
        };
        repo::person_evaluations::insert(tx.conn, &row).await?;
        tx.created("person_evaluation.override", row.id, Some(unit), &row);
        Ok(row)
    })
    .await
}

/// One evaluation the caller may read.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<PersonEvaluationRow, ApiError> {
    policy::visible(conn, caller, id, false).await
}

/// A page of the evaluations the caller may read, by id.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &repo::person_evaluations::ListFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<PersonEvaluationRow>, ApiError> {
    let readable = policy::readable(conn, caller).await?;
    Ok(repo::person_evaluations::list(conn, filter, readable, after, limit).await?)
}
