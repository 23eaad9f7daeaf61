//! Evaluation of assignments: the head self-assesses a period, the Organisation Board
//! appraises and proposes, the Standing Committee of the assigning unit decides, a superior
//! committee may override. Each step carries the rule set's suggested grade and, for proposals
//! and decisions, the group's quota of excellent grades. Decided grades are attributed to the
//! cadres who held the head's post, by days held.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::lock_under_way;
use super::assignments::TargetSpec;
use super::{in_tx, transition, Change, IfMatch, Tx, Workflow};
use crate::auth::policy::assignments::visible as assignment;
use crate::auth::policy::evaluations as policy;
use crate::auth::Caller;
use crate::db::models::{
    AssignmentRow, AttributionRow, ConsequenceRow, EvaluationRow, OpinionRow, PaperSourceRow,
    RuleSetRow,
};
use crate::db::repo;
use crate::domain::evaluation::{attribute, period_dates};
use crate::domain::grading::{
    self, departure_violation, quota_violation, Facts, Grade, QuotaCheck, RuleSet,
};
use crate::domain::quota::{group_quota, Standing};
use crate::domain::record::{contest_violations, derive, Contest, ContestedBy, FactField, Record};
use crate::domain::roles::Permission;
use crate::domain::target::Target;
use crate::domain::text::plain_text;
use crate::domain::workflow::{EvaluationAction, EvaluationState};
use crate::domain::Violation;
use crate::error::ApiError;

impl Workflow for EvaluationRow {
    type State = EvaluationState;
    type Action = EvaluationAction;
    const RESOURCE: &'static str = "evaluation";
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
    /// The audit trail names the cancelled decision's step `evaluation.overridden` (the new
    /// decision is `evaluation.override`); every other step by its action.
    fn action_code(action: EvaluationAction) -> &'static str {
        match action {
            EvaluationAction::Override => "overridden",
            other => other.as_str(),
        }
    }
}

/// A stored version of a rule set, its definition read.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRules {
    /// Code.
    pub code: String,
    /// Version.
    pub version: i32,
    /// The rules.
    pub definition: RuleSet,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<RuleSetRow> for StoredRules {
    type Error = ApiError;
    fn try_from(r: RuleSetRow) -> Result<Self, ApiError> {
        Ok(Self {
            code: r.code,
            version: r.version,
            definition: serde_json::from_value(r.definition)
                .map_err(|e| ApiError::internal(format!("stored rule set: {e}")))?,
            created_at: r.created_at,
        })
    }
}

/// An evaluation with the opinions on its assignment recorded up to its appraisal (all so
/// far, before it).
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The evaluation.
    pub row: EvaluationRow,
    /// The opinions attached to it.
    pub opinions: Vec<OpinionRow>,
    /// The paper it was entered from, when it was entered from the paper record.
    pub paper: Option<PaperSourceRow>,
}

/// A proposal's or decision's outcome: the evaluation and the group's quota of excellent
/// grades (absent when the unit is in no group for the round's year).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The evaluation after the step.
    pub evaluation: Evaluated,
    /// The quota with this step's grade counted.
    pub quota: Option<QuotaCheck>,
}

/// A derived fact contested by the head or the Board: the value claimed instead, why, and the
/// evidence. It is recorded beside the derived value and graded in its place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ContestInput {
    /// Key of the item: the assignment's code (or its title when it has none).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub key: String,
    /// The fact contested.
    pub fact: FactField,
    /// The value claimed: a completion ratio (0–100, 1.0 = met) for `completion`, a whole
    /// number for `quality_defects`, true or false for the others.
    pub value: serde_json::Value,
    /// Why the derived value is wrong.
    #[validate(length(min = 1, max = 5000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
    /// Evidence of the claim (standing evidence of this assignment).
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1, max_items = 50)]
    pub evidence_ids: Vec<Uuid>,
}

/// A self-assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SelfAssessment {
    /// `term`, a year within the assignment's span, or a quarter (`2022-Q3`) when the round
    /// asks for quarterly evaluation (ignored when assessing again).
    #[validate(length(min = 1, max = 10))]
    #[schema(min_length = 1, max_length = 10)]
    pub period: String,
    /// Rule set to apply (default: the latest valid at the end of the period).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub rule_set_code: Option<String>,
    /// Proposed grade.
    pub grade: Grade,
    /// Proposed score.
    #[validate(range(min = 0.0, max = 100.0))]
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub score: Option<f64>,
    /// What was achieved.
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub narrative: String,
    /// Evidence cited (at least one standing piece of this assignment).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_items = 1, max_items = 200)]
    pub evidence_ids: Vec<Uuid>,
    /// Facts derived from the record that the head contests.
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub contests: Vec<ContestInput>,
}

/// An appraisal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Appraisal {
    /// Proposed grade.
    pub grade: Grade,
    /// Proposed score.
    #[validate(range(min = 0.0, max = 100.0))]
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub score: Option<f64>,
    /// Remarks.
    #[validate(length(min = 1, max = 20000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub remarks: String,
    /// Facts derived from the record that the Board contests (the head's contests stand
    /// unless the Board contests the same fact).
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub contests: Vec<ContestInput>,
    /// Fact codes about the head found by the Board, e.g. `discipline_reprimand_or_above`.
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub facts: Vec<String>,
}

/// Comments sent back with a step.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReturnComment {
    /// What must be done again.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub comment: String,
}

/// A decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Final grade.
    pub grade: Grade,
    /// Note of the decision.
    #[validate(length(max = 10000), custom(function = "plain_text"))]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: Option<String>,
    /// Why the grade departs from the suggested one (required when it does).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub departure_reason: Option<String>,
    /// Why the quota of excellent grades may be exceeded (required when it is).
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub quota_exception_reason: Option<String>,
}

/// An override by the superior committee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The new grade.
    pub grade: Grade,
    /// Why the decision is cancelled.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// Every version of every rule set, by code and version.
pub async fn rule_sets(conn: &mut AsyncPgConnection) -> Result<Vec<StoredRules>, ApiError> {
    repo::evaluations::rule_sets(conn)
        .await?
        .into_iter()
        .map(StoredRules::try_from)
        .collect()
}

/// Stores a new version of a rule set (or a new rule set); it must follow the latest version
/// of its code.
pub async fn create_rule_set(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    set: RuleSet,
) -> Result<StoredRules, ApiError> {
    policy::may_manage_rule_sets(conn, caller).await?;
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
    in_tx(conn, caller, async |tx| {
        let next = repo::evaluations::latest_rule_set_version(tx.conn, &set.code)
            .await?
            .unwrap_or(0)
            + 1;
        if set.version != next {
            return Err(ApiError::conflict(
                format!("the next version of {} is {next}", set.code),
                format!("phiên bản tiếp theo của {} là {next}", set.code),
            ));
        }
        let row = RuleSetRow {
            code: set.code.clone(),
            version: set.version,
            valid_from: set.valid_from,
            valid_to: set.valid_to,
            definition: serde_json::to_value(&set).map_err(ApiError::internal)?,
            created_by: Some(tx.caller.account_id),
            created_at: tx.now,
        };
        repo::evaluations::insert_rule_set(tx.conn, &row).await?;
        let stored = StoredRules {
            code: row.code,
            version: row.version,
            definition: set,
            created_at: row.created_at,
        };
        tx.record(Change {
            action: "rule_set.create",
            resource_type: "rule_set",
            resource_id: None,
            unit_id: None,
            before: None::<&()>,
            after: Some(&stored),
        });
        Ok(stored)
    })
    .await
}

/// Attaches to each evaluation the opinions on its assignment recorded up to its appraisal,
/// loaded for all of them in one query.
async fn with_opinions(
    conn: &mut AsyncPgConnection,
    rows: Vec<EvaluationRow>,
) -> Result<Vec<Evaluated>, ApiError> {
    let mut assignments: Vec<Uuid> = rows.iter().map(|r| r.assignment_id).collect();
    assignments.sort();
    assignments.dedup();
    let opinions = repo::evaluations::opinions_of(conn, &assignments).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let papers = repo::evaluations::paper_sources(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let opinions = opinions
                .iter()
                .filter(|o| {
                    o.assignment_id == row.assignment_id
                        && row.appraised_at.is_none_or(|t| o.created_at <= t)
                })
                .cloned()
                .collect();
            let paper = papers.iter().find(|p| p.evaluation_id == row.id).cloned();
            Evaluated {
                row,
                opinions,
                paper,
            }
        })
        .collect())
}

/// One evaluation with its opinions.
pub(super) async fn with_opinions_one(
    conn: &mut AsyncPgConnection,
    row: EvaluationRow,
) -> Result<Evaluated, ApiError> {
    with_opinions(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("an evaluation lost"))
}

/// Every evaluation of an assignment the caller may read, overridden ones included, oldest
/// first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment_id: Uuid,
) -> Result<Vec<Evaluated>, ApiError> {
    let a = assignment(conn, caller, assignment_id).await?;
    let readable = policy::readable(conn, caller).await?;
    let rows = repo::evaluations::of_assignment(conn, a.id, readable).await?;
    with_opinions(conn, rows).await
}

/// One evaluation the caller may read.
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Evaluated, ApiError> {
    let (e, _) = policy::visible(conn, caller, id).await?;
    with_opinions_one(conn, e).await
}

/// The facts of `a` for the period ending `period_end`, derived from the record, with the
/// contests already made (in the `prior` facts) and the new ones of `by`: the facts to grade and the
/// derivation to store (with no fact codes about the head).
pub(super) async fn derived_facts(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    period_end: NaiveDate,
    rules: &RuleSet,
    prior: &serde_json::Value,
    new: Vec<ContestInput>,
    by: ContestedBy,
) -> Result<Facts, ApiError> {
    let record = Record {
        key: a.code.clone().unwrap_or_else(|| a.title.clone()),
        weight: 1.0,
        target: target_of(a),
        deadline: a.end_date,
        period_end,
        reports: repo::record::accepted_reports(conn, a.id, period_end).await?,
        fed: repo::record::fed_values(conn, a.id, period_end).await?,
        evidence: repo::record::evidence(conn, a.id).await?,
        findings: repo::record::findings(conn, a.id).await?,
        objective_cause: a.objective_cause,
        verified_evidence_required: rules.verified_evidence_required,
    };
    let mut item = derive(&record);
    let kept: Vec<Contest> = serde_json::from_value::<Facts>(prior.clone())
        .unwrap_or_default()
        .derivation
        .into_iter()
        .flat_map(|d| d.contests)
        .filter(|c| c.key == item.derived.key)
        .collect();
    for c in kept {
        item.contest(c);
    }
    let mut violations = Vec::new();
    for (i, c) in new.iter().enumerate() {
        let field = format!("contests[{i}]");
        if c.key != item.derived.key {
            violations.push(Violation::new(
                format!("{field}.key"),
                "unknown_item",
                format!("the assignment's item is `{}`", item.derived.key),
                format!("khóa của nhiệm vụ là `{}`", item.derived.key),
            ));
        }
        check_evidence(conn, a, &c.evidence_ids, &format!("{field}.evidence_ids")).await?;
    }
    let contests: Vec<Contest> = new
        .into_iter()
        .map(|c| Contest {
            key: c.key,
            fact: c.fact,
            value: c.value,
            reason: c.reason,
            evidence_ids: c.evidence_ids,
            by,
        })
        .collect();
    for (i, c) in contests.iter().enumerate() {
        violations.extend(contest_violations(&format!("contests[{i}]"), c));
    }
    if !violations.is_empty() {
        return Err(ApiError::violations(violations));
    }
    for c in contests {
        item.contest(c);
    }
    Ok(Facts {
        items: vec![item.graded.clone()],
        facts: Vec::new(),
        derivation: vec![item],
    })
}

/// The assignment's quantified target, if it has one.
fn target_of(a: &AssignmentRow) -> Option<Target> {
    a.target
        .clone()
        .and_then(|t| serde_json::from_value::<TargetSpec>(t).ok())
        .map(|t| t.target())
}

/// The rule set for a period ending on `end`: the given code's, else the latest valid one.
pub(super) async fn rule_set_for(
    conn: &mut AsyncPgConnection,
    code: Option<&str>,
    end: NaiveDate,
) -> Result<RuleSet, ApiError> {
    rule_set_valid(conn, code, end)
        .await?
        .map_err(|v| ApiError::violations(vec![v]))
}

/// The rule set for a period ending on `end`, or why there is none.
pub(super) async fn rule_set_valid(
    conn: &mut AsyncPgConnection,
    code: Option<&str>,
    end: NaiveDate,
) -> Result<Result<RuleSet, Violation>, ApiError> {
    let all: Vec<RuleSet> = rule_sets(conn)
        .await?
        .into_iter()
        .map(|s| s.definition)
        .collect();
    Ok(grading::select(&all, code, end).cloned().ok_or_else(|| {
        Violation::new(
            "rule_set_code",
            "no_rule_set",
            "no rule set of that code is valid at the end of the period",
            "không có bộ tiêu chí nào có hiệu lực vào cuối kỳ đánh giá",
        )
    }))
}

/// Refuses citations that are not standing evidence of the assignment.
async fn check_evidence(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    ids: &[Uuid],
    field: &str,
) -> Result<(), ApiError> {
    let found = repo::evaluations::standing_evidence(conn, a.id, ids).await?;
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if usize::try_from(found).is_ok_and(|n| n == unique.len()) {
        Ok(())
    } else {
        Err(ApiError::violations(vec![Violation::new(
            field,
            "unknown_evidence",
            "every cited piece must be standing evidence of this assignment",
            "minh chứng viện dẫn phải là minh chứng còn hiệu lực của nhiệm vụ này",
        )]))
    }
}

pub(super) fn json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

/// Stores `row` as the next version of `current`.
async fn store(
    tx: &mut Tx<'_>,
    current: &EvaluationRow,
    mut row: EvaluationRow,
) -> Result<EvaluationRow, ApiError> {
    row.version = current.version + 1;
    row.updated_at = tx.now;
    Ok(repo::evaluations::update(tx.conn, &row).await?)
}

/// What the record shows for a period of an assignment before anyone assesses it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    /// The period.
    pub period: String,
    /// Its last day: the record is read up to it.
    pub period_end: NaiveDate,
    /// The rule set that applies.
    pub rule_set_code: String,
    /// Its version.
    pub rule_set_version: i32,
    /// The facts derived from the record, with their sources.
    pub facts: Facts,
    /// The grade they suggest, with its derivation.
    pub suggestion: grading::Suggestion,
}

/// The facts the record shows for `period` of an assignment the caller may read, and the grade
/// they suggest under the rule set that applies (or `rule_set_code`'s).
pub async fn preview(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment_id: Uuid,
    period: String,
    rule_set_code: Option<&str>,
) -> Result<Preview, ApiError> {
    let a = assignment(conn, caller, assignment_id).await?;
    let (_, quarterly) = repo::evaluations::round_of(conn, a.round_id).await?;
    let end = period_end(&a, &period, quarterly)?;
    let rules = rule_set_for(conn, rule_set_code, end).await?;
    let none = serde_json::Value::Null;
    let facts = derived_facts(conn, &a, end, &rules, &none, Vec::new(), ContestedBy::Head).await?;
    Ok(Preview {
        period,
        period_end: end,
        rule_set_code: rules.code.clone(),
        rule_set_version: rules.version,
        suggestion: grading::suggest(&rules, &facts),
        facts,
    })
}

/// The last day of `period` of `a` (422 when it is not one of its periods).
pub(super) fn period_end(
    a: &AssignmentRow,
    period: &str,
    quarterly: bool,
) -> Result<NaiveDate, ApiError> {
    period_of(a, period, quarterly).map_err(|v| ApiError::violations(vec![v]))
}

/// The last day of `period` of `a`, or why it is not one of its periods.
pub(super) fn period_of(
    a: &AssignmentRow,
    period: &str,
    quarterly: bool,
) -> Result<NaiveDate, Violation> {
    period_dates(period, a.start_date, a.end_date, quarterly)
        .map(|(_, end)| end)
        .ok_or_else(|| {
            Violation::new(
                "period",
                "not_a_period",
                "`term`, a year within the assignment's span, or a quarter (`2022-Q3`) when the round asks for quarterly evaluation",
                "`term`, một năm trong thời hạn của nhiệm vụ, hoặc một quý (`2022-Q3`) nếu đợt giao có đánh giá theo quý",
            )
        })
}

/// The head self-assesses a period of an assignment: a new evaluation.
pub async fn self_assess(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    assignment_id: Uuid,
    new: SelfAssessment,
) -> Result<EvaluationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let rule = (
            "only issued assignments are evaluated",
            "chỉ đánh giá nhiệm vụ đã ban hành",
        );
        let a = lock_under_way(
            tx.conn,
            caller,
            assignment_id,
            Permission::CommitmentSign,
            rule,
        )
        .await?;
        let (_, quarterly) = repo::evaluations::round_of(tx.conn, a.round_id).await?;
        let end = period_end(&a, &new.period, quarterly)?;
        check_evidence(tx.conn, &a, &new.evidence_ids, "evidence_ids").await?;
        let rules = rule_set_for(tx.conn, new.rule_set_code.as_deref(), end).await?;
        let none = serde_json::Value::Null;
        let facts = derived_facts(
            tx.conn,
            &a,
            end,
            &rules,
            &none,
            new.contests,
            ContestedBy::Head,
        )
        .await?;
        if repo::evaluations::standing_in_period(tx.conn, a.id, &new.period).await? > 0 {
            return Err(ApiError::conflict(
                "this period is already being evaluated; see the assignment's evaluations",
                "kỳ này đã có đánh giá; xem danh sách đánh giá của nhiệm vụ",
            ));
        }
        let suggestion = grading::suggest(&rules, &facts);
        let row = EvaluationRow {
            id: Uuid::now_v7(),
            assignment_id: a.id,
            period_code: new.period,
            period_end: end,
            state: EvaluationState::SelfAssessed,
            rule_set_code: rules.code.clone(),
            rule_set_version: rules.version,
            facts: json(&facts)?,
            suggestion: json(&suggestion)?,
            departure_reason: None,
            self_grade: Some(new.grade),
            self_score: new.score,
            self_narrative: Some(new.narrative),
            evidence_ids: new.evidence_ids,
            self_assessed_by: Some(caller.account_id),
            self_assessed_at: Some(tx.now),
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
            created_at: tx.now,
            updated_at: tx.now,
        };
        repo::evaluations::insert(tx.conn, &row).await?;
        tx.created(
            "evaluation.self_assess",
            row.id,
            Some(a.assignee_unit_id),
            &row,
        );
        Ok(row)
    })
    .await
}

/// Takes evaluation `id` one step along its workflow in one transaction: the caller needs the
/// permission `needs` names on the unit it names; `apply` stores the evaluation (of the
/// assignment given) in its next state.
async fn step(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: EvaluationAction,
    needs: impl FnOnce(&EvaluationRow, &AssignmentRow) -> (Permission, Uuid),
    apply: impl AsyncFnOnce(
        &mut Tx<'_>,
        &AssignmentRow,
        &EvaluationRow,
        EvaluationState,
    ) -> Result<EvaluationRow, ApiError>,
) -> Result<EvaluationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (e, a) = policy::lock_visible(tx.conn, caller, id).await?;
        let (permission, unit) = needs(&e, &a);
        caller.require_on(tx.conn, permission, unit).await?;
        let unit = a.assignee_unit_id;
        transition(tx, e, if_match, action, unit, async |tx, e, next| {
            apply(tx, &a, e, next).await
        })
        .await
    })
    .await
}

/// The head states a returned self-assessment again (its period stays).
pub async fn reassess(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: SelfAssessment,
) -> Result<Evaluated, ApiError> {
    let needs =
        |_: &EvaluationRow, a: &AssignmentRow| (Permission::CommitmentSign, a.assignee_unit_id);
    let action = EvaluationAction::SelfAssess;
    let row = step(
        conn,
        caller,
        id,
        if_match,
        action,
        needs,
        async |tx, a, e, next| {
            check_evidence(tx.conn, a, &new.evidence_ids, "evidence_ids").await?;
            let rules = rule_set_for(tx.conn, Some(&e.rule_set_code), e.period_end).await?;
            let none = serde_json::Value::Null;
            let facts = derived_facts(
                tx.conn,
                a,
                e.period_end,
                &rules,
                &none,
                new.contests,
                ContestedBy::Head,
            )
            .await?;
            let mut row = e.clone();
            row.state = next;
            row.facts = json(&facts)?;
            row.suggestion = json(&grading::suggest(&rules, &facts))?;
            row.self_grade = Some(new.grade);
            row.self_score = new.score;
            row.self_narrative = Some(new.narrative);
            row.evidence_ids = new.evidence_ids;
            row.self_assessed_by = Some(tx.caller.account_id);
            row.self_assessed_at = Some(tx.now);
            store(tx, e, row).await
        },
    )
    .await?;
    with_opinions_one(conn, row).await
}

/// The quota in the assignee's group for the round's year, counting `grade` for `e` and the
/// standing grades of the group's other assignments of the same round and period
/// (`decided_only`: only their decided grades).
pub(super) async fn quota_for(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    e: &EvaluationRow,
    grade: Grade,
    rules: &RuleSet,
    decided_only: bool,
) -> Result<Option<QuotaCheck>, ApiError> {
    let (year, _) = repo::evaluations::round_of(conn, a.round_id).await?;
    let groups = repo::groups::of_unit_in_year(conn, a.assignee_unit_id, year).await?;
    if groups.is_empty() {
        return Ok(None);
    }
    let members: Vec<Uuid> = repo::groups::members_of(conn, &groups)
        .await?
        .into_iter()
        .map(|(_, unit)| unit)
        .collect();
    let others: Vec<Standing> =
        repo::evaluations::standings(conn, a.round_id, &members, &e.period_code, e.id)
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

/// The Organisation Board appraises an evaluation and proposes a grade.
pub async fn appraise(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: Appraisal,
) -> Result<Outcome, ApiError> {
    let mut quota = None;
    let needs = |_: &EvaluationRow, a: &AssignmentRow| {
        (Permission::EvaluationAppraise, a.assigning_unit_id)
    };
    let action = EvaluationAction::Appraise;
    let row = step(
        conn,
        caller,
        id,
        if_match,
        action,
        needs,
        async |tx, a, e, next| {
            let rules = rule_set_for(tx.conn, Some(&e.rule_set_code), e.period_end).await?;
            let mut facts = derived_facts(
                tx.conn,
                a,
                e.period_end,
                &rules,
                &e.facts,
                new.contests,
                ContestedBy::Board,
            )
            .await?;
            facts.facts = new.facts;
            quota = quota_for(tx.conn, a, e, new.grade, &rules, false).await?;
            let mut row = e.clone();
            row.state = next;
            row.facts = json(&facts)?;
            row.suggestion = json(&grading::suggest(&rules, &facts))?;
            row.appraised_grade = Some(new.grade);
            row.appraised_score = new.score;
            row.appraisal_remarks = Some(new.remarks);
            row.appraised_by = Some(tx.caller.account_id);
            row.appraised_at = Some(tx.now);
            store(tx, e, row).await
        },
    )
    .await?;
    Ok(Outcome {
        evaluation: with_opinions_one(conn, row).await?,
        quota,
    })
}

/// The Board returns a self-assessment to the head, or the Standing Committee an appraisal to
/// the Board, with comments.
pub async fn return_step(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    comment: String,
) -> Result<Evaluated, ApiError> {
    let needs = |e: &EvaluationRow, a: &AssignmentRow| match e.state {
        EvaluationState::Appraised => (Permission::EvaluationDecide, a.assigning_unit_id),
        _ => (Permission::EvaluationAppraise, a.assigning_unit_id),
    };
    let action = EvaluationAction::Return;
    let row = step(
        conn,
        caller,
        id,
        if_match,
        action,
        needs,
        async |tx, _, e, next| {
            let mut row = e.clone();
            row.state = next;
            row.return_comment = Some(comment);
            store(tx, e, row).await
        },
    )
    .await?;
    with_opinions_one(conn, row).await
}

/// Writes who held a position answering for `a` (its head, or the positions named for it)
/// while the period of `e` ran.
pub(super) async fn attribute_grade(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    e: &EvaluationRow,
) -> Result<(), ApiError> {
    let (from, to) = period_dates(&e.period_code, a.start_date, a.end_date, true)
        .unwrap_or((a.start_date, a.end_date));
    let tenures = super::accountables::tenures(conn, a, from, to).await?;
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
    Ok(repo::evaluations::insert_attributions(conn, &rows).await?)
}

/// The Standing Committee decides the grade; beyond the group's quota only with a recorded
/// reason. The grade is attributed to the heads of the period.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: Decision,
) -> Result<Outcome, ApiError> {
    let mut quota = None;
    let needs =
        |_: &EvaluationRow, a: &AssignmentRow| (Permission::EvaluationDecide, a.assigning_unit_id);
    let action = EvaluationAction::Decide;
    let row = step(
        conn,
        caller,
        id,
        if_match,
        action,
        needs,
        async |tx, a, e, next| {
            let rules = rule_set_for(tx.conn, Some(&e.rule_set_code), e.period_end).await?;
            quota = quota_for(tx.conn, a, e, new.grade, &rules, true).await?;
            let exceeded = quota.as_ref().filter(|q| q.exceeded);
            let reason = new.quota_exception_reason.as_deref();
            if let Some(v) = quota_violation(exceeded, reason) {
                return Err(ApiError::violations(vec![v]));
            }
            let suggested = serde_json::from_value::<Grade>(e.suggestion["grade"].clone()).ok();
            if let Some(v) =
                departure_violation(suggested, new.grade, new.departure_reason.as_deref())
            {
                return Err(ApiError::violations(vec![v]));
            }
            let mut row = e.clone();
            row.state = next;
            row.departure_reason = new
                .departure_reason
                .filter(|_| suggested != Some(new.grade));
            row.decided_grade = Some(new.grade);
            row.decision_note = new.note;
            row.quota_exception_reason = new.quota_exception_reason.filter(|_| exceeded.is_some());
            row.decided_by = Some(tx.caller.account_id);
            row.decided_at = Some(tx.now);
            attribute_grade(tx.conn, a, &row).await?;
            store(tx, e, row).await
        },
    )
    .await?;
    Ok(Outcome {
        evaluation: with_opinions_one(conn, row).await?,
        quota,
    })
}

/// A committee above the assigning unit cancels a decision (kept, marked `overridden`) and
/// grades again: a new decided evaluation that points to it, attributed afresh.
pub async fn override_decision(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    new: Override,
) -> Result<EvaluationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (e, a) = policy::lock_visible(tx.conn, caller, id).await?;
        policy::may_override(tx.conn, caller, &a).await?;
        let old = transition(
            tx,
            e,
            if_match,
            EvaluationAction::Override,
            a.assignee_unit_id,
            async |tx, e, next| {
                let mut row = e.clone();
                row.state = next;
                store(tx, e, row).await
            },
        )
        .await?;
        let row = EvaluationRow {
            id: Uuid::now_v7(),
            state: EvaluationState::Decided,
            decided_grade: Some(new.grade),
            decision_note: None,
            quota_exception_reason: None,
            decided_by: Some(tx.caller.account_id),
            decided_at: Some(tx.now),
            return_comment: None,
            supersedes_id: Some(old.id),
            override_reason: Some(new.reason),
            departure_reason: None,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
            ..old
        };
        repo::evaluations::insert(tx.conn, &row).await?;
        attribute_grade(tx.conn, &a, &row).await?;
        tx.created(
            "evaluation.override",
            row.id,
            Some(a.assignee_unit_id),
            &row,
        );
        Ok(row)
    })
    .await
}

/// One entry of a cadre's record, with what its result was used for.
#[derive(Debug, Clone)]
pub struct RecordItem {
    /// The attribution, the evaluation and its assignment.
    pub entry: repo::evaluations::RecordRow,
    /// The consequences recorded for the cadre on that evaluation, oldest first.
    pub consequences: Vec<ConsequenceRow>,
}

/// The decided grades attributed to a cadre, each with the consequences recorded for the cadre
/// on it, for the cadre and for holders of `cadre_record_read` over the cadre's managing unit.
pub async fn cadre_record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cadre: Uuid,
) -> Result<Vec<RecordItem>, ApiError> {
    policy::may_read_record(conn, caller, cadre).await?;
    let entries = repo::evaluations::record_of(conn, cadre).await?;
    let consequences = repo::consequences::of_cadre(conn, cadre).await?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let evaluation = entry.1.id;
            RecordItem {
                entry,
                consequences: consequences
                    .iter()
                    .filter(|c| c.evaluation_id == evaluation)
                    .cloned()
                    .collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_verbs_stay_as_they_were() {
        let verbs: Vec<&str> = EvaluationAction::ALL
            .iter()
            .map(|a| <EvaluationRow as Workflow>::action_code(*a))
            .collect();
        assert_eq!(
            verbs,
            ["self_assess", "appraise", "return", "decide", "overridden"]
        );
    }

    #[test]
    fn the_machine_drives_the_steps() {
        use EvaluationAction as A;
        use EvaluationState as S;
        assert_eq!(
            <EvaluationRow as Workflow>::next(S::Appraised, A::Decide).ok(),
            Some(S::Decided)
        );
        assert!(<EvaluationRow as Workflow>::next(S::Decided, A::Appraise).is_err());
    }
}
