//! The province's practice in the demo, as the seed articles tell it: the 2021 pilot (9 districts'
//! standing committees with their secretary and chair, 13 Party and Front bodies, 6 department
//! directors), the 2022 round of 43 people under decision 15-QĐ/TU with its half-yearly reports,
//! products and decided grades (the published "20/23 tasks" of the Party and Front bodies and
//! "28/60 completed, 22/60 at 80% or more" of the 12 directors), and the 2023 round of 48 people
//! at 3 tasks each, carrying over what 2022 left unfinished. The tables are in `practice.json`.
//!
//! Everything goes through the use cases, as the people who did it: the Organisation Board
//! drafts rounds, names the positions that answer for a district's tasks and enters the paper
//! record (reports and decided evaluations with their real days); the Standing Committee issues;
//! each head files the products of their unit. Grades are the ones the record suggests.

use std::collections::HashMap;

use anyhow::{anyhow, bail, Context, Result};
use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, TransactionManager};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::accountables::{PositionSpec, Positions};
use crate::app::assignments::{CarryOver, NewAssignment, NewAssignments, TargetSpec};
use crate::app::batch::BatchOutcome;
use crate::app::evidence::{DocumentRef, NewEvidence};
use crate::app::history::{PastEvaluation, PastEvaluations, PastReport, PastReports};
use crate::app::reports::ReportContent;
use crate::app::rounds::{GroupRuleSpec, IssueRound, NewRound};
use crate::app::{self, IfMatch};
use crate::auth::Caller;
use crate::db::schema::{accounts, org_groups, org_units};
use crate::domain::evaluation::AccountableRole;
use crate::domain::evidence::EvidenceKind;
use crate::domain::grading::{Grade, RuleSet};
use crate::domain::periods::{Cadence, Period};
use crate::domain::progress::Confidence;
use crate::domain::round_rules::{AssignmentFlag, AssignmentKind, ContentArea};
use crate::domain::target::{is_met, Rollup};
use crate::domain::vocab::PostKind;
use crate::error::ApiError;

const DATA: &str = include_str!("practice.json");

/// The Organisation Board account that drafts and enters the record.
const BOARD: &str = "bantochuc.1";
/// The Standing Committee account that issues.
const COMMITTEE: &str = "thuongvu.1";

/// The practice tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Practice {
    signer_title: String,
    signer_name: String,
    /// Unit code → the number suffix of its reports, e.g. `-BC/HU` or `/BC-STNMT`.
    report_symbols: HashMap<String, String>,
    /// Rule sets the rounds need beyond the shipped ones (the 2021 pilot's).
    rule_sets: Vec<RuleSet>,
    rounds: Vec<PracticeRound>,
}

/// One yearly round as it happened.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PracticeRound {
    year: i32,
    term_label: String,
    title: String,
    decision_number: String,
    decision_date: NaiveDate,
    reporting_cadence: Cadence,
    report_due_days: i32,
    rules: Vec<Rule>,
    /// The reporting periods entered, in order; `progress` of each assignment follows them.
    reports: Vec<ReportDays>,
    evaluation: Option<EvaluationDays>,
    /// Codes of earlier rounds' unfinished assignments carried into this one.
    carried_over: Vec<String>,
    assignments: Vec<Item>,
}

/// A per-group rule of a round.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    group: String,
    min_tasks: i32,
    max_tasks: Option<i32>,
}

/// The days of one reporting period: the first heads submitted (the others follow within two
/// days, before the due date) and the day the Board accepted them all.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportDays {
    period: String,
    submitted_on: NaiveDate,
    accepted_on: NaiveDate,
}

/// The days of the year's evaluation and the paper that announced its results.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluationDays {
    period: String,
    rule_set_code: Option<String>,
    self_assessed_on: NaiveDate,
    appraised_on: NaiveDate,
    decided_on: NaiveDate,
    source_document: String,
}

/// An assignment and what its head reported of it in each period: a percentage for a task, the
/// actual value for a target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    unit: String,
    code: String,
    title: String,
    area: ContentArea,
    #[serde(default)]
    flags: Vec<AssignmentFlag>,
    product: Option<String>,
    target: Option<TargetSpec>,
    indicator: Option<String>,
    #[serde(default)]
    growth: bool,
    progress: Vec<f64>,
}

impl Item {
    /// Whether `value` (reported in a period) shows the product delivered or the target met.
    fn done(&self, value: f64) -> bool {
        match &self.target {
            Some(t) => is_met(&t.target(), value),
            None => value >= 100.0,
        }
    }

    /// The first period whose report shows it done.
    fn done_in(&self) -> Option<usize> {
        self.progress.iter().position(|v| self.done(*v))
    }
}

/// Counts of what was entered, for the log.
#[derive(Debug, Default, Clone, Copy)]
pub struct Entered {
    /// Rounds.
    pub rounds: usize,
    /// Assignments (carried-over ones included).
    pub assignments: usize,
    /// Past progress reports.
    pub reports: usize,
    /// Pieces of evidence.
    pub evidence: usize,
    /// Decided evaluations.
    pub evaluations: usize,
}

/// What the practice refers to in the demo tree, and who acts.
struct World {
    units: HashMap<String, (Uuid, String)>,
    groups: HashMap<(i32, String), Uuid>,
    board: Caller,
    committee: Caller,
    /// Unit code → the caller heading it.
    heads: HashMap<String, Caller>,
    /// Assignment code → id, over the rounds entered so far.
    assignments: HashMap<String, Uuid>,
}

impl World {
    fn unit(&self, code: &str) -> Result<(Uuid, &str)> {
        self.units
            .get(code)
            .map(|(id, name)| (*id, name.as_str()))
            .with_context(|| format!("no unit {code} in the demo tree"))
    }

    fn head(&self, unit: &str) -> Result<&Caller> {
        self.heads
            .get(unit)
            .with_context(|| format!("no head account for {unit}"))
    }
}

/// A use case's refusal as an error naming what was being done.
fn refused(what: impl Into<String>) -> impl FnOnce(ApiError) -> anyhow::Error {
    let what = what.into();
    move |e| anyhow!("demo practice, {what}: {e:?}")
}

/// The ids a batch wrote, or the rejected items' errors.
fn recorded(what: &str, outcome: BatchOutcome) -> Result<Vec<Uuid>> {
    if outcome.rejected > 0 {
        let errors: Vec<String> = outcome
            .items
            .iter()
            .flat_map(|i| i.errors.iter().map(|e| format!("{} {}", e.field, e.code)))
            .take(20)
            .collect();
        bail!(
            "demo practice, {what}: {} items rejected: {}",
            outcome.rejected,
            errors.join("; ")
        );
    }
    outcome
        .items
        .iter()
        .map(|i| i.id.with_context(|| format!("{what}: an item without id")))
        .collect()
}

/// The caller of the account `username`, as its bearer token would make it.
async fn caller(conn: &mut AsyncPgConnection, username: &str) -> Result<Caller> {
    let id: Uuid = accounts::table
        .filter(accounts::username.eq(username))
        .select(accounts::id)
        .first(conn)
        .await
        .with_context(|| format!("no demo account {username}"))?;
    Caller::load(conn, &id.to_string())
        .await
        .map_err(refused(format!("loading {username}")))
}

/// Enters the practice in one transaction, after the tree. Returns what it entered.
pub(super) async fn load(conn: &mut AsyncPgConnection, tree: &super::DemoData) -> Result<Entered> {
    let data: Practice = serde_json::from_str(DATA).context("parsing the demo practice")?;
    // The use cases' futures are not `Send`, which `AsyncConnection::transaction` asks for; the
    // transaction is opened and closed by hand, as `app::in_tx` does (each use case nests in it).
    AnsiTransactionManager::begin_transaction(conn).await?;
    match enter(conn, tree, &data).await {
        Ok(entered) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            Ok(entered)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(conn).await?;
            Err(e)
        }
    }
}

async fn enter(
    conn: &mut AsyncPgConnection,
    tree: &super::DemoData,
    data: &Practice,
) -> Result<Entered> {
    let units: Vec<(Uuid, String, String)> = org_units::table
        .filter(org_units::valid_to.is_null())
        .select((org_units::id, org_units::code, org_units::name))
        .load(conn)
        .await?;
    let groups: Vec<(Uuid, i32, String)> = org_groups::table
        .select((org_groups::id, org_groups::year, org_groups::code))
        .load(conn)
        .await?;
    let mut heads = HashMap::new();
    for a in &tree.accounts {
        for b in &a.bindings {
            if b.role == crate::domain::roles::Role::UnitHead {
                heads.insert(b.unit.clone(), caller(conn, &a.username).await?);
            }
        }
    }
    let mut w = World {
        units: units
            .into_iter()
            .map(|(id, code, name)| (code, (id, name)))
            .collect(),
        groups: groups
            .into_iter()
            .map(|(id, year, code)| ((year, code), id))
            .collect(),
        board: caller(conn, BOARD).await?,
        committee: caller(conn, COMMITTEE).await?,
        heads,
        assignments: HashMap::new(),
    };
    let known = app::evaluations::rule_sets(conn)
        .await
        .map_err(refused("reading rule sets"))?;
    for set in &data.rule_sets {
        if !known.iter().any(|k| k.code == set.code) {
            app::evaluations::create_rule_set(conn, &w.board, set.clone())
                .await
                .map_err(refused(format!("rule set {}", set.code)))?;
        }
    }
    let mut entered = Entered::default();
    for round in &data.rounds {
        enter_round(conn, &mut w, data, round, &mut entered).await?;
    }
    Ok(entered)
}

/// One round: drafted with its rules and assignments, the positions named, issued, then its
/// reports, products and grades as they happened.
async fn enter_round(
    conn: &mut AsyncPgConnection,
    w: &mut World,
    data: &Practice,
    r: &PracticeRound,
    entered: &mut Entered,
) -> Result<()> {
    let year = r.year;
    let (vp, _) = w.unit("VP")?;
    let group_rules = r
        .rules
        .iter()
        .map(|g| {
            Ok(GroupRuleSpec {
                group_id: *w
                    .groups
                    .get(&(year, g.group.clone()))
                    .with_context(|| format!("no group {} of {year}", g.group))?,
                min_tasks: g.min_tasks,
                max_tasks: g.max_tasks,
                required_content_areas: Vec::new(),
                growth_target_required: false,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let round = app::rounds::create(
        conn,
        &w.board,
        NewRound {
            assigning_unit_id: vp,
            year,
            term_label: Some(r.term_label.clone()),
            title: r.title.clone(),
            decision_number: Some(r.decision_number.clone()),
            decision_date: Some(r.decision_date),
            signer_title: Some(data.signer_title.clone()),
            signer_name: Some(data.signer_name.clone()),
            group_rules,
            reporting_cadence: r.reporting_cadence,
            report_due_days: r.report_due_days,
            quarterly_evaluation: false,
        },
    )
    .await
    .map_err(refused(format!("round {year}")))?;
    let round_id = round.round.id;

    for code in &r.carried_over {
        let from = *w
            .assignments
            .get(code)
            .with_context(|| format!("no assignment {code} to carry over"))?;
        let request = CarryOver {
            round_id,
            start_date: None,
            end_date: None,
        };
        app::assignments::carry_over(conn, &w.board, from, request)
            .await
            .map_err(refused(format!("carrying {code} over")))?;
    }

    let start = NaiveDate::from_ymd_opt(year, 1, 1).context("year")?;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).context("year")?;
    let news = r
        .assignments
        .iter()
        .map(|a| {
            Ok(NewAssignment {
                round_id,
                assignee_unit_id: w.unit(&a.unit)?.0,
                code: Some(a.code.clone()),
                title: a.title.clone(),
                description: None,
                content_area: a.area,
                kind: if a.target.is_some() {
                    AssignmentKind::Target
                } else {
                    AssignmentKind::Task
                },
                product_description: a.product.clone(),
                flags: a.flags.clone(),
                growth_target: a.growth,
                start_date: start,
                end_date: end,
                target: a.target.clone(),
                rollup: Rollup::None,
                weight: 1.0,
                milestones: Vec::new(),
                parent_id: None,
                indicator_code: a.indicator.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let outcome = app::assignments::create_batch(
        conn,
        &w.board,
        round_id,
        NewAssignments { assignments: news },
    )
    .await
    .map_err(refused(format!("assignments of {year}")))?;
    let ids = recorded(&format!("assignments of {year}"), outcome)?;
    for (a, id) in r.assignments.iter().zip(&ids) {
        w.assignments.insert(a.code.clone(), *id);
    }
    entered.rounds += 1;
    entered.assignments += ids.len() + r.carried_over.len();

    // A district's tasks are answered for by its Party secretary and the chair of its People's
    // Committee.
    for (a, id) in r.assignments.iter().zip(&ids) {
        let Ok((committee, _)) = w.unit(&format!("{}-UBND", a.unit)) else {
            continue;
        };
        let positions = Positions {
            positions: vec![
                PositionSpec {
                    unit_id: w.unit(&a.unit)?.0,
                    post_kind: PostKind::Head,
                    role: AccountableRole::Secretary,
                },
                PositionSpec {
                    unit_id: committee,
                    post_kind: PostKind::Head,
                    role: AccountableRole::Chair,
                },
            ],
        };
        app::accountables::set(conn, &w.board, *id, positions)
            .await
            .map_err(refused(format!("accountables of {}", a.code)))?;
    }

    let issue = IssueRound {
        override_reason: None,
    };
    app::rounds::issue(
        conn,
        &w.committee,
        round_id,
        &IfMatch(Some("*".into())),
        issue,
    )
    .await
    .map_err(refused(format!("issuing the round of {year}")))?;

    let reports = enter_reports(conn, w, data, r, &ids).await?;
    entered.reports += reports.values().count();
    entered.evidence += enter_evidence(conn, w, data, r, &ids, &reports).await?;
    if let Some(e) = &r.evaluation {
        entered.evaluations += enter_evaluations(conn, w, r, e, &ids).await?;
    }
    Ok(())
}

/// The position of each unit in the round, in order of first appearance (numbers its reports and
/// spreads their days).
fn unit_order(r: &PracticeRound) -> HashMap<&str, usize> {
    let mut order = HashMap::new();
    for a in &r.assignments {
        let next = order.len();
        order.entry(a.unit.as_str()).or_insert(next);
    }
    order
}

/// The paper report of `unit` for the `p`-th period: its number and symbol, and its day.
fn paper(
    data: &Practice,
    r: &PracticeRound,
    order: &HashMap<&str, usize>,
    unit: &str,
    p: usize,
) -> Result<(String, NaiveDate)> {
    let days = r.reports.get(p).context("a period without its days")?;
    let n = order.get(unit).copied().unwrap_or(0);
    let symbol = data
        .report_symbols
        .get(unit)
        .with_context(|| format!("no report symbol for {unit}"))?;
    let day = days
        .submitted_on
        .checked_add_days(Days::new((n % 3) as u64))
        .context("day")?;
    Ok((format!("{}{symbol}", 100 * (p + 1) + n + 1), day))
}

fn vietnamese_date(d: NaiveDate) -> String {
    format!("{}/{}/{}", d.day(), d.month(), d.year())
}

/// The Board enters each period's reports from paper, one batch per period. Returns the report
/// of each (assignment index, period).
async fn enter_reports(
    conn: &mut AsyncPgConnection,
    w: &World,
    data: &Practice,
    r: &PracticeRound,
    ids: &[Uuid],
) -> Result<HashMap<(usize, usize), Uuid>> {
    let order = unit_order(r);
    let mut out = HashMap::new();
    for (p, days) in r.reports.iter().enumerate() {
        let period = Period::parse(&days.period).context("period")?;
        let last = p + 1 == r.reports.len();
        let mut items = Vec::new();
        let mut keys = Vec::new();
        for (i, a) in r.assignments.iter().enumerate() {
            let Some(value) = a.progress.get(p).copied() else {
                continue;
            };
            let (_, unit_name) = w.unit(&a.unit)?;
            let (number, submitted) = paper(data, r, &order, &a.unit, p)?;
            let final_done = a.progress.last().is_some_and(|v| a.done(*v));
            let confidence = match (a.done(value), final_done, last) {
                (true, _, _) | (false, true, _) => Confidence::OnTrack,
                (false, false, false) => Confidence::AtRisk,
                (false, false, true) => Confidence::OffTrack,
            };
            let content = match &a.target {
                Some(t) => ReportContent {
                    narrative: format!(
                        "{}: đạt {} {} (chỉ tiêu giao {}).",
                        a.title,
                        number_vi(value),
                        t.unit_of_measure.as_deref().unwrap_or_default(),
                        target_vi(t)
                    ),
                    actual_value: Some(value),
                    measured_on: Some(period.end),
                    value_source: Some(format!("Số liệu tổng hợp của {unit_name}")),
                    self_assessed_completion: None,
                    confidence,
                    confidence_narrative: None,
                    obstacles: None,
                    proposals: None,
                },
                None => ReportContent {
                    narrative: if a.done(value) {
                        format!(
                            "Đã hoàn thành: {}.",
                            a.product.as_deref().unwrap_or(&a.title)
                        )
                    } else {
                        format!("Đạt khoảng {}% khối lượng công việc.", number_vi(value))
                    },
                    actual_value: None,
                    measured_on: None,
                    value_source: None,
                    self_assessed_completion: Some(value),
                    confidence,
                    confidence_narrative: None,
                    obstacles: (last && !a.done(value)).then(|| {
                        "Còn vướng mắc về cơ chế, nguồn lực và sự phối hợp giữa các ngành.".into()
                    }),
                    proposals: (last && !a.done(value)).then(|| {
                        "Đề nghị Ban Thường vụ Tỉnh ủy cho chuyển tiếp nhiệm vụ sang năm sau."
                            .into()
                    }),
                },
            };
            items.push(PastReport {
                assignment_id: ids[i],
                period: days.period.clone(),
                content,
                submitted_on: submitted,
                accepted_on: Some(days.accepted_on),
                source_document: format!(
                    "Báo cáo số {number} ngày {} của {unit_name}",
                    vietnamese_date(submitted)
                ),
            });
            keys.push((i, p));
        }
        if items.is_empty() {
            continue;
        }
        let outcome = app::history::record_reports(conn, &w.board, PastReports { reports: items })
            .await
            .map_err(refused(format!("reports of {}", days.period)))?;
        let written = recorded(&format!("reports of {}", days.period), outcome)?;
        out.extend(keys.into_iter().zip(written));
    }
    Ok(out)
}

/// Each head files the product of every delivered assignment: the document that reported it,
/// attached to the report that first showed it done. Returns how many were filed.
async fn enter_evidence(
    conn: &mut AsyncPgConnection,
    w: &World,
    data: &Practice,
    r: &PracticeRound,
    ids: &[Uuid],
    reports: &HashMap<(usize, usize), Uuid>,
) -> Result<usize> {
    let order = unit_order(r);
    let mut filed = 0;
    for (i, a) in r.assignments.iter().enumerate() {
        let Some(p) = a.done_in() else {
            continue;
        };
        let (_, unit_name) = w.unit(&a.unit)?;
        let (number, day) = paper(data, r, &order, &a.unit, p)?;
        let title = match (&a.target, &a.product) {
            (Some(t), _) => format!(
                "{} năm {}: {} {}",
                a.title,
                r.year,
                number_vi(a.progress[p]),
                t.unit_of_measure.as_deref().unwrap_or_default()
            ),
            (None, Some(product)) => product.clone(),
            (None, None) => a.title.clone(),
        };
        let evidence = NewEvidence {
            kind: EvidenceKind::Document,
            title,
            description: Some(format!("Sản phẩm của nhiệm vụ \"{}\"", a.title)),
            report_id: reports.get(&(i, p)).copied(),
            milestone_index: None,
            url: None,
            document: Some(DocumentRef {
                number,
                date: day,
                issuer: unit_name.to_owned(),
            }),
        };
        app::evidence::add(conn, w.head(&a.unit)?, ids[i], evidence)
            .await
            .map_err(refused(format!("evidence of {}", a.code)))?;
        filed += 1;
    }
    Ok(filed)
}

/// The Board enters the year's decided grades from paper: each the grade the record suggests
/// (the head's own proposal a step higher where the product fell short), the good ones before
/// the excellent so that the group's quota counts them. Returns how many were entered.
async fn enter_evaluations(
    conn: &mut AsyncPgConnection,
    w: &World,
    r: &PracticeRound,
    e: &EvaluationDays,
    ids: &[Uuid],
) -> Result<usize> {
    let mut items = Vec::new();
    for (a, id) in r.assignments.iter().zip(ids) {
        let preview = app::evaluations::preview(
            conn,
            &w.board,
            *id,
            e.period.clone(),
            e.rule_set_code.as_deref(),
        )
        .await
        .map_err(refused(format!("the record of {}", a.code)))?;
        let grade = preview.suggestion.grade;
        let proposed = match grade {
            Grade::NotComplete => Grade::Complete,
            Grade::Complete => Grade::Good,
            other => other,
        };
        items.push(PastEvaluation {
            assignment_id: *id,
            period: e.period.clone(),
            rule_set_code: e.rule_set_code.clone(),
            self_grade: Some(proposed),
            self_assessed_on: Some(e.self_assessed_on),
            appraised_grade: Some(grade),
            appraised_on: Some(e.appraised_on),
            grade,
            decided_on: e.decided_on,
            note: None,
            departure_reason: None,
            quota_exception_reason: None,
            source_document: e.source_document.clone(),
        });
    }
    items.sort_by_key(|i| i.grade.rank());
    let count = items.len();
    let outcome =
        app::history::record_evaluations(conn, &w.board, PastEvaluations { evaluations: items })
            .await
            .map_err(refused(format!("evaluations of {}", e.period)))?;
    recorded(&format!("evaluations of {}", e.period), outcome)?;
    Ok(count)
}

/// A number the Vietnamese way: `39.800`, `8,5`.
fn number_vi(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let digits = format!("{}", x.abs() as u64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push('.');
            }
            out.push(c);
        }
        if x < 0.0 {
            out.insert(0, '-');
        }
        out
    } else {
        format!("{x}").replace('.', ",")
    }
}

/// A target's requirement in words: `từ 180`, `từ 2 đến 3`.
fn target_vi(t: &TargetSpec) -> String {
    match (t.value, t.min, t.max) {
        (Some(v), _, _) => format!("từ {}", number_vi(v)),
        (None, Some(lo), Some(hi)) => format!("từ {} đến {}", number_vi(lo), number_vi(hi)),
        _ => "theo kế hoạch".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn practice() -> Practice {
        serde_json::from_str(DATA).unwrap()
    }

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(number_vi(39800.0), "39.800");
        assert_eq!(number_vi(180.0), "180");
        assert_eq!(number_vi(8.5), "8,5");
        assert_eq!(number_vi(1000.0), "1.000");
    }

    #[test]
    fn the_2022_round_holds_the_published_figures() {
        let p = practice();
        let r = p.rounds.iter().find(|r| r.year == 2022).unwrap();
        let party_front = [
            "VP-BTC",
            "VP-BTG",
            "VP-BDV",
            "VP-BNC",
            "VP-VPTU",
            "VP-MTTQ",
            "VP-TINHDOAN",
            "VP-HLHPN",
            "VP-HND",
            "VP-HCCB",
            "VP-LDLD",
        ];
        let of = |units: &dyn Fn(&str) -> bool| -> Vec<&Item> {
            r.assignments.iter().filter(|a| units(&a.unit)).collect()
        };
        let bodies = of(&|u| party_front.contains(&u));
        let done = |a: &&&Item| a.done(*a.progress.last().unwrap());
        assert_eq!(bodies.len(), 23);
        assert_eq!(bodies.iter().filter(done).count(), 20);
        let directors = of(&|u| u.starts_with("VP-SO-"));
        assert_eq!(directors.len(), 60);
        assert_eq!(directors.iter().filter(done).count(), 28);
        let ratio = |a: &&&Item| {
            let v = *a.progress.last().unwrap();
            match &a.target {
                Some(t) => crate::domain::target::completion_ratio(&t.target(), v).unwrap(),
                None => v / 100.0,
            }
        };
        let near = directors
            .iter()
            .filter(|a| !done(a))
            .filter(|a| ratio(a) >= 0.8)
            .count();
        assert_eq!(near, 22);
    }

    #[test]
    fn every_unit_reported_on_has_a_symbol() {
        let p = practice();
        for r in &p.rounds {
            for a in &r.assignments {
                assert!(p.report_symbols.contains_key(&a.unit), "{}", a.unit);
                assert!(a.progress.len() <= r.reports.len(), "{}", a.code);
            }
        }
    }
}
