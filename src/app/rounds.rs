//! Rounds (đợt giao): an assigning unit's yearly set of assignments, its per-group rules, the
//! readiness check, issue (with decision records per assignee), close, and spot checks.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::crud::{change, remove, Audited};
use super::{in_tx, transition, IfMatch, Tx};
use crate::app::assignments::terms_of;
use crate::auth::policy::rounds::{lock_visible, readable, readable_decisions, visible};
use crate::auth::Caller;
use crate::db::models::{DecisionRow, GroupRuleRow, RoundRow, SpotCheckRow, TermsRow};
use crate::db::repo;
use crate::domain::periods::Cadence;
use crate::domain::roles::Permission;
use crate::domain::round_issue::{self, IssuedTerms};
use crate::domain::round_rules::{self, ContentArea, GroupRule, PlannedAssignment};
use crate::domain::text::plain_text;
use crate::domain::workflow::{AssignmentAction, RoundAction, RoundState};
use crate::domain::{canonical, spot_check, Violation};
use crate::error::{ApiError, Msg};

pub use crate::db::repo::rounds::ListFilter;

/// How many assignments each member of a group gets in a round, and what they must cover.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRuleSpec {
    /// The group (owned by the round's assigning unit).
    pub group_id: Uuid,
    /// Fewest assignments per member unit (tasks and targets together).
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub min_tasks: i32,
    /// Most assignments per member unit; equal to `min_tasks` for an exact number.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub max_tasks: Option<i32>,
    /// Content areas each member must have at least one assignment in.
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
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
            required_content_areas: r.required_content_areas,
            growth_target_required: r.growth_target_required,
        }
    }
}

impl GroupRuleSpec {
    /// The row of this rule in `round`.
    fn row(&self, round: Uuid) -> GroupRuleRow {
        GroupRuleRow {
            round_id: round,
            group_id: self.group_id,
            min_tasks: self.min_tasks,
            max_tasks: self.max_tasks,
            required_content_areas: self.required_content_areas.clone(),
            growth_target_required: self.growth_target_required,
        }
    }
}

/// The domain's rule of a stored rule (its group code filled in by the caller).
fn domain_rule(r: &GroupRuleRow) -> GroupRule {
    GroupRule {
        group_id: r.group_id,
        group_code: String::new(),
        min_tasks: r.min_tasks,
        max_tasks: r.max_tasks,
        required_content_areas: r.required_content_areas.clone(),
        growth_target_required: r.growth_target_required,
    }
}

/// New round, in `draft`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    /// The assigning unit; the caller needs `round_manage` on it.
    pub assigning_unit_id: Uuid,
    /// Year, 2000–2100.
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Congress term, e.g. "2020-2025".
    #[validate(length(min = 1, max = 50), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub term_label: Option<String>,
    /// Title.
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: String,
    /// Number and symbol of the decision, e.g. "15-QĐ/TU" (needed to issue).
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub decision_number: Option<String>,
    /// Date of the decision (needed to issue).
    pub decision_date: Option<NaiveDate>,
    /// Title of the signer's post.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub signer_title: Option<String>,
    /// Name of the signer.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub signer_name: Option<String>,
    /// Per-group rules (at most one per group).
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub group_rules: Vec<GroupRuleSpec>,
    /// How often heads report progress (default `quarterly`).
    #[serde(default = "quarterly")]
    pub reporting_cadence: Cadence,
    /// Days after each period's cut-off that a report is due, 0–90 (default 5).
    #[serde(default = "five")]
    #[validate(range(min = 0, max = 90))]
    #[schema(minimum = 0, maximum = 90)]
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

/// Changes to a draft round; absent fields stay as they are, `group_rules` replaces all rules.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundPatch {
    /// Congress term.
    #[validate(length(min = 1, max = 50), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub term_label: Option<String>,
    /// Title.
    #[validate(length(min = 1, max = 500), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: Option<String>,
    /// Number and symbol of the decision.
    #[validate(length(min = 1, max = 100), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub decision_number: Option<String>,
    /// Date of the decision.
    pub decision_date: Option<NaiveDate>,
    /// Title of the signer's post.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub signer_title: Option<String>,
    /// Name of the signer.
    #[validate(length(min = 1, max = 300), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub signer_name: Option<String>,
    /// Replaces every per-group rule.
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub group_rules: Option<Vec<GroupRuleSpec>>,
    /// How often heads report progress.
    pub reporting_cadence: Option<Cadence>,
    /// Days after each period's cut-off that a report is due, 0–90.
    #[validate(range(min = 0, max = 90))]
    #[schema(minimum = 0, maximum = 90)]
    pub report_due_days: Option<i32>,
    /// Whether assignments are also evaluated per quarter.
    pub quarterly_evaluation: Option<bool>,
}

/// Issue of a round.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRound {
    /// Written reason to issue despite broken rules (recorded with the list of breaches).
    #[validate(length(min = 10, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub override_reason: Option<String>,
}

/// A spot-check draw to make.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpotCheck {
    /// Share of the round's active assignments to draw, above 0 and at most 1.
    #[validate(range(exclusive_min = 0.0, max = 1.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    pub share: f64,
    /// Seed of the draw (default: a random one, recorded).
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub seed: Option<String>,
}

/// A round with its per-group rules (by group id): what is read, and what the audit trail
/// keeps of a change to the round.
#[derive(Debug, Clone, Serialize)]
pub struct RoundWithRules {
    /// The round.
    #[serde(flatten)]
    pub round: RoundRow,
    /// Its per-group rules.
    pub group_rules: Vec<GroupRuleRow>,
}

super::state_machine_workflow!(RoundRow, RoundState, RoundAction, "round");

/// Round `id` with its rules, whoever asks (404 when unknown). Callers check access.
pub async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<RoundWithRules, ApiError> {
    let round = repo::rounds::get(conn, id).await?;
    with_rules(conn, round).await
}

async fn with_rules(
    conn: &mut AsyncPgConnection,
    round: RoundRow,
) -> Result<RoundWithRules, ApiError> {
    let group_rules = repo::rounds::rules(conn, round.id).await?;
    Ok(RoundWithRules { round, group_rules })
}

/// Round `id` with its rules, if the caller may read it (404 otherwise).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<RoundWithRules, ApiError> {
    let round = visible(conn, caller, id).await?;
    with_rules(conn, round).await
}

/// The rounds the caller may read matching `filter`, by id, after `after`: up to `limit + 1`
/// of them (the extra one tells that a next page exists).
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &ListFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<RoundWithRules>, ApiError> {
    let scope = readable(conn, caller).await?;
    let rows = repo::rounds::list(conn, scope, filter, after, limit + 1).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_round: BTreeMap<Uuid, Vec<GroupRuleRow>> = BTreeMap::new();
    for r in repo::rounds::rules_of(conn, &ids).await? {
        by_round.entry(r.round_id).or_default().push(r);
    }
    Ok(rows
        .into_iter()
        .map(|round| RoundWithRules {
            group_rules: by_round.remove(&round.id).unwrap_or_default(),
            round,
        })
        .collect())
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
        let owner = repo::rounds::group_owner(conn, rule.group_id).await?;
        if owner != Some(assigning_unit) {
            violations.push(Violation::new(
                format!("{field}.group_id"),
                "unknown_reference",
                "no such group of the assigning unit",
                "không có nhóm này của đơn vị giao",
            ));
        }
        for v in domain_rule(&rule.row(Uuid::nil())).validate() {
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

/// A second round of the same unit with the same decision number becomes 409.
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

/// Opens a round in `draft` with its per-group rules (`round_manage` on the assigning unit).
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewRound,
) -> Result<RoundWithRules, ApiError> {
    in_tx(conn, caller, async |tx| {
        caller
            .require(
                tx.conn,
                Permission::RoundManage,
                Permission::OrgRead,
                new.assigning_unit_id,
            )
            .await
            .map_err(|e| match e.status().as_u16() {
                404 => ApiError::unknown("assigning_unit_id", "unit"),
                _ => e,
            })?;
        check_rules(tx.conn, new.assigning_unit_id, &new.group_rules).await?;
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
            created_at: tx.now,
            updated_at: tx.now,
            reporting_cadence: new.reporting_cadence,
            quarterly_evaluation: new.quarterly_evaluation,
            report_due_days: new.report_due_days,
        };
        repo::rounds::insert(tx.conn, &row)
            .await
            .map_err(decision_taken)?;
        let rules: Vec<GroupRuleRow> = new.group_rules.iter().map(|r| r.row(row.id)).collect();
        repo::rounds::replace_rules(tx.conn, row.id, &rules).await?;
        let after = load(tx.conn, row.id).await?;
        tx.created(
            "round.create",
            after.round.id,
            Some(after.round.assigning_unit_id),
            &after,
        );
        Ok(after)
    })
    .await
}

/// Round `id` locked for a change needing `permission` on its assigning unit.
async fn lock_for(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    permission: Permission,
) -> Result<RoundRow, ApiError> {
    let round = lock_visible(conn, caller, id).await?;
    caller
        .require_on(conn, permission, round.assigning_unit_id)
        .await?;
    Ok(round)
}

fn require_draft(round: &RoundRow) -> Result<(), ApiError> {
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

impl Audited for RoundWithRules {
    fn audit_unit(&self) -> Option<Uuid> {
        Some(self.round.assigning_unit_id)
    }
}

/// Round `id` with its rules, locked for a change of a draft (`round_manage` on the assigning
/// unit, `If-Match`).
async fn lock_draft(
    tx: &mut Tx<'_>,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<RoundWithRules, ApiError> {
    let current = lock_for(tx.conn, tx.caller, id, Permission::RoundManage).await?;
    if_match.check(current.version)?;
    let round = with_rules(tx.conn, current).await?;
    require_draft(&round.round)?;
    Ok(round)
}

/// Changes a draft round (`round_manage` on the assigning unit, `If-Match`).
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: RoundPatch,
) -> Result<RoundWithRules, ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_draft(tx, id, if_match).await;
    change(
        conn,
        caller,
        "round.update",
        id,
        lock,
        async |tx, before| {
            if let Some(rules) = &patch.group_rules {
                check_rules(tx.conn, before.round.assigning_unit_id, rules).await?;
                let rows: Vec<GroupRuleRow> = rules.iter().map(|r| r.row(id)).collect();
                repo::rounds::replace_rules(tx.conn, id, &rows).await?;
            }
            let changes = repo::rounds::Changes {
                term_label: patch.term_label,
                title: patch.title,
                decision_number: patch.decision_number,
                decision_date: patch.decision_date,
                signer_title: patch.signer_title,
                signer_name: patch.signer_name,
                reporting_cadence: patch.reporting_cadence,
                report_due_days: patch.report_due_days,
                quarterly_evaluation: patch.quarterly_evaluation,
            };
            let round = repo::rounds::update(tx.conn, &before.round, &changes, tx.now)
                .await
                .map_err(decision_taken)?;
            with_rules(tx.conn, round).await
        },
    )
    .await
}

/// Removes a draft round without assignments (`round_manage` on the assigning unit, `If-Match`).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let lock = async |tx: &mut Tx<'_>| lock_draft(tx, id, if_match).await;
    remove(conn, caller, "round.delete", id, lock, async |tx, _| {
        repo::rounds::delete_rules(tx.conn, id).await?;
        repo::rounds::delete(tx.conn, id)
            .await
            .map_err(ApiError::still_referenced)
    })
    .await
}

/// A rule of the round broken by one unit's planned assignments.
#[derive(Debug, Clone)]
pub struct UnitBreach {
    /// The group whose rule is broken.
    pub group_id: Uuid,
    /// Its code.
    pub group_code: String,
    /// The unit concerned.
    pub unit_id: Uuid,
    /// Stable machine code of the rule.
    pub code: crate::domain::round_rules::BreachCode,
    /// English message.
    pub message_en: String,
    /// Vietnamese message.
    pub message_vi: String,
}

impl UnitBreach {
    /// The message in the current request's language.
    pub fn message(&self) -> &str {
        if crate::error::vietnamese() {
            &self.message_vi
        } else {
            &self.message_en
        }
    }
}

/// The readiness of a round to be issued.
#[derive(Debug, Clone)]
pub struct Readiness {
    /// The round.
    pub round_id: Uuid,
    /// Number of assignments that would be issued (those not withdrawn).
    pub assignment_count: i64,
    /// Every broken rule.
    pub breaches: Vec<UnitBreach>,
}

impl Readiness {
    /// Whether the round can be issued without an override.
    pub fn ready(&self) -> bool {
        self.breaches.is_empty()
    }
}

/// Every breach of the round's rules by its non-withdrawn assignments.
async fn check_readiness(conn: &mut AsyncPgConnection, round: Uuid) -> Result<Readiness, ApiError> {
    let rows = repo::rounds::planned_assignments(conn, round).await?;
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
    for stored in repo::rounds::rules(conn, round).await? {
        let (code, members) = repo::rounds::group_with_members(conn, stored.group_id).await?;
        group_ids.insert(code.clone(), stored.group_id);
        let mut rule = domain_rule(&stored);
        rule.group_code = code;
        rules.push((rule, members));
    }
    let breaches = round_rules::readiness(&rules, &planned)
        .into_iter()
        .map(|b| {
            let group_id = group_ids
                .get(&b.group_code)
                .copied()
                .ok_or_else(|| ApiError::internal("a breach of an unknown group"))?;
            Ok(UnitBreach {
                group_id,
                group_code: b.group_code,
                unit_id: b.unit_id,
                code: b.code,
                message_en: b.message_en,
                message_vi: b.message_vi,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Readiness {
        round_id: round,
        assignment_count: rows.len() as i64,
        breaches,
    })
}

/// The readiness of a round the caller may read (`round_manage` on the assigning unit).
pub async fn readiness(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Readiness, ApiError> {
    let round = visible(conn, caller, id).await?;
    caller
        .require(
            conn,
            Permission::RoundManage,
            Permission::AssignmentRead,
            round.assigning_unit_id,
        )
        .await?;
    check_readiness(conn, round.id).await
}

/// Takes round `id` one step along its workflow (`round_issue` on the assigning unit,
/// `If-Match`); `apply` stores the round in its next state.
async fn step(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: RoundAction,
    apply: impl AsyncFnOnce(&mut Tx<'_>, &RoundRow, RoundState) -> Result<RoundRow, ApiError>,
) -> Result<RoundWithRules, ApiError> {
    in_tx(conn, caller, async |tx| {
        let current = lock_for(tx.conn, caller, id, Permission::RoundIssue).await?;
        let unit = current.assigning_unit_id;
        let after = transition(tx, current, if_match, action, unit, apply).await?;
        with_rules(tx.conn, after).await
    })
    .await
}

/// Issues a round (`round_issue` on the assigning unit, `If-Match`): every draft assignment
/// becomes issued with its terms frozen as version 1, and each assignee gets its decision.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    req: IssueRound,
) -> Result<RoundWithRules, ApiError> {
    step(
        conn,
        caller,
        id,
        if_match,
        RoundAction::Issue,
        async |tx, before, next| {
            let missing = round_issue::missing_decision_fields(
                before.decision_number.as_deref(),
                before.decision_date,
            );
            if !missing.is_empty() {
                return Err(missing.into_iter().fold(
                    ApiError::unprocessable(
                        "the decision number and date are needed to issue",
                        "cần có số và ngày quyết định để ban hành",
                    ),
                    |e, f| e.field(f, "required", Msg::new("required", "bắt buộc")),
                ));
            }
            let check = check_readiness(tx.conn, before.id).await?;
            if check.assignment_count == 0 {
                return Err(ApiError::unprocessable(
                    "the round has no assignments",
                    "đợt giao chưa có nhiệm vụ nào",
                ));
            }
            if !check.ready() && req.override_reason.is_none() {
                return Err(check.breaches.iter().fold(
                    ApiError::unprocessable(
                        "the round breaks its rules; fix them or give an override_reason",
                        "đợt giao chưa đáp ứng quy định; hãy sửa hoặc nêu lý do ban hành",
                    ),
                    |e, b| {
                        let message = b.message().to_owned();
                        e.field(
                            format!("units.{}", b.unit_id),
                            b.code.as_str(),
                            Msg::new(message.clone(), message),
                        )
                    },
                ));
            }
            let mut issued = Vec::new();
            for a in repo::rounds::lock_draft_assignments(tx.conn, before.id).await? {
                let state = a.state.next(AssignmentAction::Issue)?;
                let terms = terms_of(&a);
                let hash = canonical::terms_hash(&terms);
                repo::assignments::insert_terms(
                    tx.conn,
                    &TermsRow {
                        assignment_id: a.id,
                        terms_version: 1,
                        terms,
                        terms_hash: hash.clone(),
                        amendment_id: None,
                        created_by: Some(tx.caller.account_id),
                        created_at: tx.now,
                    },
                )
                .await?;
                let after =
                    repo::rounds::set_assignment_issued(tx.conn, &a, state, 1, tx.now).await?;
                tx.changed(
                    "assignment.issue",
                    a.id,
                    Some(a.assignee_unit_id),
                    &a,
                    &after,
                );
                issued.push(IssuedTerms {
                    assignee_unit_id: a.assignee_unit_id,
                    assignment_id: a.id,
                    terms_version: 1,
                    terms_hash: hash,
                });
            }
            for d in round_issue::decisions(&issued) {
                repo::rounds::insert_decision(
                    tx.conn,
                    &DecisionRow {
                        id: Uuid::now_v7(),
                        round_id: before.id,
                        assignee_unit_id: d.assignee_unit_id,
                        decision_number: before.decision_number.clone(),
                        decision_date: before.decision_date,
                        assignment_ids: d.assignment_ids,
                        terms_hash: d.terms_hash,
                        created_at: tx.now,
                    },
                )
                .await?;
            }
            let (reason, breaches) = if check.ready() {
                (None, None)
            } else {
                let listed: Vec<serde_json::Value> = check
                    .breaches
                    .iter()
                    .map(|b| {
                        json!({
                            "group_id": b.group_id,
                            "group_code": b.group_code,
                            "unit_id": b.unit_id,
                            "code": b.code,
                            "message": b.message(),
                        })
                    })
                    .collect();
                (req.override_reason, Some(serde_json::Value::Array(listed)))
            };
            let by = tx.caller.account_id;
            Ok(
                repo::rounds::set_issued(tx.conn, before, next, by, reason, breaches, tx.now)
                    .await?,
            )
        },
    )
    .await
}

/// Closes an issued round (`round_issue` on the assigning unit, `If-Match`).
pub async fn close(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<RoundWithRules, ApiError> {
    step(
        conn,
        caller,
        id,
        if_match,
        RoundAction::Close,
        async |tx, before, next| Ok(repo::rounds::set_closed(tx.conn, before, next, tx.now).await?),
    )
    .await
}

/// The decisions of a round the caller may read, by id, after `after`: up to `limit + 1` of
/// them; all of them for the assigning unit's readers, those of units it reads otherwise.
pub async fn decisions(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DecisionRow>, ApiError> {
    let round = visible(conn, caller, id).await?;
    let scope = readable_decisions(conn, caller, &round).await?;
    Ok(repo::rounds::decisions(conn, scope, after, limit + 1).await?)
}

/// Draws a share of the round's active assignments for field verification (`round_manage` on
/// the assigning unit) and records the draw.
pub async fn draw_spot_check(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    new: NewSpotCheck,
) -> Result<SpotCheckRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let round = visible(tx.conn, caller, id).await?;
        caller
            .require_on(tx.conn, Permission::RoundManage, round.assigning_unit_id)
            .await?;
        let candidates = repo::rounds::active_assignment_ids(tx.conn, round.id).await?;
        if candidates.is_empty() {
            return Err(ApiError::conflict(
                "the round has no active assignments to draw from",
                "đợt giao chưa có nhiệm vụ đang thực hiện để chọn kiểm tra",
            ));
        }
        let seed = new.seed.unwrap_or_else(|| Uuid::new_v4().to_string());
        let row = SpotCheckRow {
            id: Uuid::now_v7(),
            round_id: round.id,
            share: new.share,
            drawn_ids: spot_check::draw(&candidates, new.share, &seed),
            seed,
            candidate_ids: candidates,
            drawn_by: tx.caller.account_id,
            drawn_at: tx.now,
        };
        repo::rounds::insert_spot_check(tx.conn, &row).await?;
        tx.created(
            "spot_check.draw",
            row.id,
            Some(round.assigning_unit_id),
            &row,
        );
        Ok(row)
    })
    .await
}

/// Every spot-check draw of a round, oldest first (readers of the assigning unit).
pub async fn spot_checks(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<SpotCheckRow>, ApiError> {
    let round = visible(conn, caller, id).await?;
    caller
        .require_on(conn, Permission::AssignmentRead, round.assigning_unit_id)
        .await?;
    Ok(repo::rounds::spot_checks(conn, round.id).await?)
}
