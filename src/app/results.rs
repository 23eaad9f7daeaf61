//! Results reports: what was known of each covered assignment at a moment (its latest accepted
//! report, when it was first shown done, its decided grade), tallied by round, year, group,
//! unit, content area or kind; per-indicator results of targets (how many units met each, Σ
//! actual against Σ target); the figures a publication freezes (`app::publications`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::OptionalExtension;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::assignments::TargetSpec;
use crate::auth::policy::results as policy;
use crate::auth::{scope, Caller};
use crate::db::repo;
use crate::domain::grading::Grade;
use crate::domain::progress::ReportState;
use crate::domain::results::{
    item_points, rank, status, IndicatorTally, Known, RankedUnit, ScoredItem, Tally,
};
use crate::domain::round_rules::{AssignmentKind, ContentArea};
use crate::domain::target::{completion_ratio, is_met};
use crate::domain::Violation;
use crate::error::ApiError;

/// How the rows of a report are formed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One row per round.
    Round,
    /// One row per year.
    Year,
    /// One row per group of similar units (an assignment counts in each of its unit's groups).
    Group,
    /// One row per assignee unit.
    #[default]
    Unit,
    /// One row per content area.
    ContentArea,
    /// One row per kind (task or target).
    Kind,
}

/// Which assignments a report covers, and when.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultFilter {
    /// Only this round.
    pub round_id: Option<Uuid>,
    /// Only rounds of this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Only assignments to this unit and the units below it.
    pub unit_id: Option<Uuid>,
    /// Only assignments to members of this group.
    pub group_id: Option<Uuid>,
    /// Only this content area.
    pub content_area: Option<ContentArea>,
    /// Only this kind.
    pub kind: Option<AssignmentKind>,
    /// The figures exactly as they stood at a cut-off, ignoring later reports, corrections
    /// and decisions: a date (the end of that day, UTC) or an RFC 3339 moment; default: now.
    #[param(max_length = 40)]
    pub as_of: Option<String>,
    /// Rows by (default `unit`).
    pub group_by: Option<GroupBy>,
}

impl ResultFilter {
    /// The filter's own rules, beyond its types.
    fn check(&self) -> Result<(), ApiError> {
        match self.year {
            Some(y) if !(2000..=2100).contains(&y) => {
                Err(ApiError::violations(vec![Violation::new(
                    "year",
                    "range",
                    "a year from 2000 to 2100",
                    "năm từ 2000 đến 2100",
                )]))
            }
            _ => Ok(()),
        }
    }
}

/// One covered assignment with what was known of it (never copied: reports and exports
/// borrow it).
#[derive(Debug)]
pub struct Line {
    /// The assignment.
    pub id: Uuid,
    /// Its round.
    pub round_id: Uuid,
    /// The round's title.
    pub round_title: String,
    /// The round's year.
    pub year: i32,
    /// The assignee unit.
    pub unit_id: Uuid,
    /// Its name.
    pub unit_name: String,
    /// Its master-data code.
    pub unit_code: String,
    /// The assignment's own code in its round (`NV-00-1`), when it has one.
    pub code: Option<String>,
    /// The assignment's title.
    pub title: String,
    /// Content area.
    pub content_area: ContentArea,
    /// Kind.
    pub kind: AssignmentKind,
    /// The groups of the unit in the round's year: id, name, code.
    pub groups: Vec<(Uuid, String, String)>,
    /// What was known of it.
    pub known: Known,
    /// Code of the indicator it measures (targets).
    pub indicator_code: Option<String>,
    /// Its quantified target (targets).
    pub target: Option<TargetSpec>,
    /// The actual value of its target at the moment: the latest value a licensed feed had sent
    /// by then, else the value of the latest accepted report as it stood then.
    pub actual: Option<f64>,
}

/// One row of a report: what it is about (id or code), its name, its figures.
#[derive(Debug, Clone)]
pub struct Row {
    /// Id or code.
    pub key: String,
    /// Name.
    pub label: String,
    /// Figures.
    pub tally: Tally,
}

/// The covered assignments at a moment.
#[derive(Debug)]
pub struct Covered {
    /// The moment the figures are taken at.
    pub at: DateTime<Utc>,
    /// The assignments, by id.
    pub lines: Vec<Line>,
}

/// A tallied report.
#[derive(Debug, Clone)]
pub struct Report {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// How the rows are formed.
    pub group_by: GroupBy,
    /// The figures of every covered assignment.
    pub total: Tally,
    /// The figures per row, ordered by label.
    pub rows: Vec<Row>,
}

/// The moment figures are taken at: an RFC 3339 moment, the end of a day, or now.
pub fn moment(as_of: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    let Some(text) = as_of else {
        return Ok(Utc::now());
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    text.parse::<NaiveDate>()
        .ok()
        .and_then(|d| {
            d.and_time(NaiveTime::from_hms_opt(23, 59, 59)?)
                .and_utc()
                .into()
        })
        .ok_or_else(|| {
            ApiError::unprocessable(
                "as_of must be a date (YYYY-MM-DD) or an RFC 3339 moment",
                "as_of phải là ngày (YYYY-MM-DD) hoặc thời điểm theo RFC 3339",
            )
        })
}

/// A progress report as it stood at the moment.
struct Report0 {
    assignment: Uuid,
    period_end: NaiveDate,
    due: NaiveDate,
    accepted: bool,
    content: serde_json::Value,
    actual: Option<f64>,
    first_submitted: Option<NaiveDate>,
}

/// The assignments `coverage` selects, with what was known of each at `at`.
async fn collect(
    conn: &mut AsyncPgConnection,
    coverage: repo::results::Coverage,
    at: DateTime<Utc>,
) -> Result<Vec<Line>, ApiError> {
    let rows = repo::results::covered(conn, coverage).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();

    // Reports as they stood at `at`: the last recorded state of each, and when it was first
    // submitted.
    let mut reports: HashMap<Uuid, Report0> = HashMap::new();
    for (id, assignment, period_end, due, state, content, actual, at) in
        repo::results::report_history(conn, &ids, at).await?
    {
        let r = reports.entry(id).or_insert(Report0 {
            assignment,
            period_end,
            due,
            accepted: false,
            content: serde_json::Value::Null,
            actual: None,
            first_submitted: None,
        });
        if state == ReportState::Submitted && r.first_submitted.is_none() {
            r.first_submitted = Some(at.date_naive());
        }
        r.accepted = state == ReportState::Accepted;
        r.content = content;
        r.actual = actual;
    }
    let mut by_assignment: HashMap<Uuid, Vec<&Report0>> = HashMap::new();
    for r in reports.values().filter(|r| r.accepted) {
        by_assignment.entry(r.assignment).or_default().push(r);
    }

    // Values licensed department feeds had sent by `at`: for a target they are the official
    // actual, over the head's own report.
    let mut fed: HashMap<Uuid, Vec<(NaiveDate, f64)>> = HashMap::new();
    for (id, day, value) in repo::results::fed_values(conn, &ids, at).await? {
        fed.entry(id).or_default().push((day, value));
    }

    // Grades decided by `at`; the latest decision wins (an override made by then included).
    let grades: HashMap<Uuid, Grade> = repo::results::decided_grades(conn, &ids, at)
        .await?
        .into_iter()
        .filter_map(|(a, g)| Some((a, g?)))
        .collect();

    let unit_ids: Vec<Uuid> = rows.iter().map(|r| r.2).collect();
    let names: HashMap<Uuid, (String, String)> = repo::results::unit_names(conn, &unit_ids)
        .await?
        .into_iter()
        .map(|(id, name, code)| (id, (name, code)))
        .collect();
    let memberships = repo::results::memberships(conn, &unit_ids).await?;

    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                round_id,
                unit,
                title,
                area,
                kind,
                end_date,
                spec,
                year,
                round_title,
                code,
                own,
            )| {
                let spec = spec.and_then(|t| serde_json::from_value::<TargetSpec>(t).ok());
                let target = spec.as_ref().map(TargetSpec::target);
                let ratio = |r: &Report0| match &target {
                    Some(t) => r.actual.and_then(|v| completion_ratio(t, v)),
                    None => r.content["self_assessed_completion"]
                        .as_f64()
                        .map(|p| p / 100.0),
                };
                let mut accepted = by_assignment.remove(&id).unwrap_or_default();
                accepted.sort_by_key(|r| r.period_end);
                let fed = target
                    .as_ref()
                    .zip(fed.remove(&id))
                    .filter(|(_, values)| !values.is_empty());
                let (completion, done_by, actual) = match fed {
                    Some((t, values)) => (
                        values.last().and_then(|(_, v)| completion_ratio(t, *v)),
                        values
                            .iter()
                            .find(|(_, v)| is_met(t, *v))
                            .map(|(day, _)| (*day, end_date)),
                        values.last().map(|(_, v)| *v),
                    ),
                    None => (
                        accepted.last().and_then(|r| ratio(r)),
                        accepted
                            .iter()
                            .find(|r| ratio(r).is_some_and(|c| c >= 1.0))
                            .and_then(|r| Some((r.first_submitted?, r.due))),
                        accepted.last().and_then(|r| r.actual),
                    ),
                };
                Line {
                    id,
                    round_id,
                    round_title,
                    year,
                    unit_id: unit,
                    unit_name: names.get(&unit).map(|n| n.0.clone()).unwrap_or_default(),
                    unit_code: names.get(&unit).map(|n| n.1.clone()).unwrap_or_default(),
                    code: own,
                    title,
                    content_area: area,
                    kind,
                    groups: memberships
                        .iter()
                        .filter(|(u, _, _, _, y)| *u == unit && *y == year)
                        .map(|(_, g, label, code, _)| (*g, label.clone(), code.clone()))
                        .collect(),
                    known: Known {
                        end_date,
                        completion,
                        done_by,
                        grade: grades.get(&id).copied(),
                    },
                    indicator_code: code,
                    target: spec,
                    actual,
                }
            },
        )
        .collect())
}

/// The label of the row of lines in no group.
pub const NO_GROUP: &str = "Không thuộc nhóm";

/// Tallies `lines` by `group_by` on `day`: the total and the rows, ordered by label.
pub fn tally<'a>(
    lines: impl IntoIterator<Item = &'a Line>,
    group_by: GroupBy,
    day: NaiveDate,
) -> (Tally, Vec<Row>) {
    let mut total = Tally::default();
    let mut rows: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for l in lines {
        total.add(&l.known, day);
        let keys: Vec<(String, String)> = match group_by {
            GroupBy::Round => vec![(l.round_title.clone(), l.round_id.to_string())],
            GroupBy::Year => vec![(l.year.to_string(), l.year.to_string())],
            GroupBy::Unit => vec![(l.unit_name.clone(), l.unit_id.to_string())],
            GroupBy::ContentArea => {
                vec![(
                    l.content_area.as_str().to_owned(),
                    l.content_area.as_str().to_owned(),
                )]
            }
            GroupBy::Kind => vec![(l.kind.as_str().to_owned(), l.kind.as_str().to_owned())],
            GroupBy::Group if l.groups.is_empty() => {
                vec![(NO_GROUP.to_owned(), "none".to_owned())]
            }
            GroupBy::Group => l
                .groups
                .iter()
                .map(|(id, label, _)| (label.clone(), id.to_string()))
                .collect(),
        };
        for k in keys {
            rows.entry(k).or_default().add(&l.known, day);
        }
    }
    let rows = rows
        .into_iter()
        .map(|((label, key), tally)| Row { key, label, tally })
        .collect();
    (total, rows)
}

/// Splits lines into one set per group of units, named by the group's label and ordered by its
/// code (lines in several groups appear in each), then those in no group. Borrows the lines.
pub fn by_group(lines: &[Line]) -> Vec<(String, Vec<&Line>)> {
    let mut groups: BTreeMap<&str, (&str, Vec<&Line>)> = BTreeMap::new();
    let mut none = Vec::new();
    for l in lines {
        if l.groups.is_empty() {
            none.push(l);
        }
        for (_, label, code) in &l.groups {
            groups.entry(code).or_insert((label, Vec::new())).1.push(l);
        }
    }
    let mut out: Vec<(String, Vec<&Line>)> = groups
        .into_values()
        .map(|(label, lines)| (label.to_owned(), lines))
        .collect();
    if !none.is_empty() {
        out.push((NO_GROUP.to_owned(), none));
    }
    out
}

/// The title of `round`, if there is one.
pub async fn round_title(
    conn: &mut AsyncPgConnection,
    round: Uuid,
) -> Result<Option<String>, ApiError> {
    Ok(repo::rounds::get(conn, round)
        .await
        .optional()?
        .map(|r| r.title))
}

/// Who issues the caller's reports: the caller's display name and home unit's name.
pub async fn issuer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<(String, String), ApiError> {
    Ok(repo::results::issuer(conn, caller.account_id).await?)
}

/// The assignments the caller may count that `filter` covers, as known at its cut-off.
pub async fn covered(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &ResultFilter,
) -> Result<Covered, ApiError> {
    filter.check()?;
    let among = policy::counted(conn, caller).await?;
    let at = moment(filter.as_of.as_deref())?;
    let units = match filter.unit_id {
        Some(u) => Some(scope::descendants_or_self(conn, &[u]).await?),
        None => None,
    };
    let members = match filter.group_id {
        Some(g) => Some(repo::groups::members(conn, g).await?),
        None => None,
    };
    let coverage = repo::results::Coverage {
        among: Some(among),
        round: filter.round_id,
        year: filter.year,
        units,
        members,
        content_area: filter.content_area,
        kind: filter.kind,
    };
    let lines = collect(conn, coverage, at).await?;
    Ok(Covered { at, lines })
}

/// The report `filter` asks for, over the assignments the caller may count.
pub async fn report(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &ResultFilter,
) -> Result<Report, ApiError> {
    let c = covered(conn, caller, filter).await?;
    let group_by = filter.group_by.unwrap_or_default();
    let (total, rows) = tally(&c.lines, group_by, c.at.date_naive());
    Ok(Report {
        as_of: c.at,
        group_by,
        total,
        rows,
    })
}

/// The units ranked by score at a moment.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// The units, best first.
    pub units: Vec<RankedUnit>,
}

/// The assignee units of the assignments `filter` covers, ranked by the mean points of their
/// assignments as known at the cut-off (see [`item_points`]), each with its derivation.
pub async fn ranking(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &ResultFilter,
) -> Result<Ranking, ApiError> {
    let c = covered(conn, caller, filter).await?;
    let day = c.at.date_naive();
    let mut units: BTreeMap<Uuid, (String, Vec<ScoredItem>)> = BTreeMap::new();
    for line in &c.lines {
        let status = status(&line.known, day);
        let entry = units
            .entry(line.unit_id)
            .or_insert_with(|| (line.unit_name.clone(), Vec::new()));
        entry.1.push(ScoredItem {
            assignment_id: line.id,
            title: line.title.clone(),
            completion: line.known.completion,
            status,
            points: item_points(line.known.completion, status),
        });
    }
    Ok(Ranking {
        as_of: c.at,
        units: rank(
            units
                .into_iter()
                .map(|(id, (name, items))| (id, name, items))
                .collect(),
        ),
    })
}

/// Which targets the indicator report covers, and when: the coverage filters of the results
/// report (only targets are counted, so there is no `kind`; rows are always per indicator, so
/// there is no `group_by`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorFilter {
    /// Only this round.
    pub round_id: Option<Uuid>,
    /// Only rounds of this year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Only targets assigned to this unit and the units below it.
    pub unit_id: Option<Uuid>,
    /// Only targets assigned to members of this group.
    pub group_id: Option<Uuid>,
    /// Only this content area.
    pub content_area: Option<ContentArea>,
    /// The figures exactly as they stood at a cut-off, ignoring later reports, corrections
    /// and feed values: a date (the end of that day, UTC) or an RFC 3339 moment; default: now.
    #[param(max_length = 40)]
    pub as_of: Option<String>,
}

impl From<&IndicatorFilter> for ResultFilter {
    fn from(f: &IndicatorFilter) -> Self {
        Self {
            round_id: f.round_id,
            year: f.year,
            unit_id: f.unit_id,
            group_id: f.group_id,
            content_area: f.content_area,
            kind: Some(AssignmentKind::Target),
            as_of: f.as_of.clone(),
            group_by: None,
        }
    }
}

impl From<&ResultFilter> for IndicatorFilter {
    /// The coverage of `f` (its `kind` and `group_by` do not apply to indicators).
    fn from(f: &ResultFilter) -> Self {
        Self {
            round_id: f.round_id,
            year: f.year,
            unit_id: f.unit_id,
            group_id: f.group_id,
            content_area: f.content_area,
            as_of: f.as_of.clone(),
        }
    }
}

/// One indicator of one year across the units it was assigned to.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    /// The year of the rounds that assigned it.
    pub year: i32,
    /// Its code; absent for targets without one, which are grouped by their exact title.
    pub indicator_code: Option<String>,
    /// The title of the first target counted in the row.
    pub title: String,
    /// Its figures.
    pub tally: IndicatorTally,
}

/// The indicator report.
#[derive(Debug, Clone)]
pub struct IndicatorReport {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// The figures of every covered target together (sums only if they share shape and unit).
    pub total: IndicatorTally,
    /// One row per year and indicator: by year, then coded indicators by code, then targets
    /// without a code by title.
    pub rows: Vec<IndicatorRow>,
}

/// Tallies the targets among `lines` per year and indicator code (targets without a code per
/// year and exact title): the total and the rows. Lines without a readable target are skipped.
pub fn tally_indicators<'a>(
    lines: impl IntoIterator<Item = &'a Line>,
) -> (IndicatorTally, Vec<IndicatorRow>) {
    let mut total = IndicatorTally::default();
    let mut rows: BTreeMap<(i32, bool, String), IndicatorRow> = BTreeMap::new();
    for l in lines {
        let Some(spec) = &l.target else { continue };
        let (target, unit) = (spec.target(), spec.unit_of_measure.as_deref());
        total.add(&target, unit, l.actual);
        let key = match &l.indicator_code {
            Some(code) => (l.year, false, code.clone()),
            None => (l.year, true, l.title.clone()),
        };
        rows.entry(key)
            .or_insert_with(|| IndicatorRow {
                year: l.year,
                indicator_code: l.indicator_code.clone(),
                title: l.title.clone(),
                tally: IndicatorTally::default(),
            })
            .tally
            .add(&target, unit, l.actual);
    }
    (total, rows.into_values().collect())
}

/// Per-indicator results over the targets the caller may count that `filter` covers, as
/// they stood at its cut-off.
pub async fn indicators(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &IndicatorFilter,
) -> Result<IndicatorReport, ApiError> {
    let c = covered(conn, caller, &ResultFilter::from(filter)).await?;
    let (total, rows) = tally_indicators(&c.lines);
    Ok(IndicatorReport {
        as_of: c.at,
        total,
        rows,
    })
}

/// Every assignment of `round` with what was known of it at `at` (for its publication).
pub(super) async fn collect_round(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<Line>, ApiError> {
    let coverage = repo::results::Coverage {
        round: Some(round),
        ..Default::default()
    };
    collect(conn, coverage, at).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(unit: &str, groups: &[u128]) -> Line {
        let day = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
        Line {
            id: Uuid::now_v7(),
            round_id: Uuid::nil(),
            round_title: "r".into(),
            year: 2025,
            unit_id: Uuid::now_v7(),
            unit_name: unit.into(),
            unit_code: unit.to_uppercase(),
            code: None,
            title: "t".into(),
            content_area: ContentArea::ALL[0],
            kind: AssignmentKind::ALL[0],
            groups: groups
                .iter()
                .map(|g| (Uuid::from_u128(*g), format!("Nhóm {g}"), format!("g{g}")))
                .collect(),
            known: Known {
                end_date: day,
                completion: None,
                done_by: None,
                grade: None,
            },
            indicator_code: None,
            target: None,
            actual: None,
        }
    }

    #[test]
    fn groups_borrow_their_lines_and_tally_without_copies() {
        let lines = vec![line("a", &[2, 1]), line("b", &[]), line("c", &[1])];
        let groups = by_group(&lines);
        let names: Vec<&str> = groups.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Nhóm 1", "Nhóm 2", NO_GROUP]);
        assert!(std::ptr::eq(groups[0].1[0], &lines[0]));
        let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        let (total, rows) = tally(groups[0].1.iter().copied(), GroupBy::Unit, day);
        assert_eq!(total.assigned, 2);
        assert_eq!(rows.len(), 2);
        let (total, rows) = tally(&lines, GroupBy::Group, day);
        assert_eq!(total.assigned, 3);
        assert_eq!(rows.len(), 3);
    }

    fn target_line(
        year: i32,
        code: Option<&str>,
        title: &str,
        value: f64,
        actual: Option<f64>,
    ) -> Line {
        Line {
            year,
            title: title.into(),
            indicator_code: code.map(str::to_owned),
            target: Some(TargetSpec {
                unit_of_measure: Some("đảng viên".into()),
                shape: crate::domain::target::TargetShape::AtLeast,
                value: Some(value),
                min: None,
                max: None,
                baseline: None,
            }),
            actual,
            ..line("u", &[])
        }
    }

    #[test]
    fn indicators_are_rows_per_year_and_code_then_title() {
        let lines = vec![
            target_line(2025, Some("KET_NAP"), "Kết nạp đảng viên", 10.0, Some(12.0)),
            target_line(2025, None, "Tỷ lệ", 5.0, None),
            target_line(2025, Some("KET_NAP"), "Kết nạp (huyện)", 20.0, Some(15.0)),
            target_line(2024, Some("KET_NAP"), "Kết nạp đảng viên", 7.0, Some(7.0)),
            target_line(2025, None, "Tỷ lệ", 5.0, Some(5.0)),
            target_line(2025, None, "A", 1.0, Some(1.0)),
            line("task", &[]),
        ];
        let (total, rows) = tally_indicators(&lines);
        assert_eq!((total.assigned, total.met), (6, 4));
        let got: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {:?} {} {}/{} {:?}",
                    r.year,
                    r.indicator_code,
                    r.title,
                    r.tally.met,
                    r.tally.assigned,
                    r.tally.difference,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "2024 Some(\"KET_NAP\") Kết nạp đảng viên 1/1 Some(0.0)",
                "2025 Some(\"KET_NAP\") Kết nạp đảng viên 1/2 Some(-3.0)",
                "2025 None A 1/1 Some(0.0)",
                "2025 None Tỷ lệ 1/2 Some(-5.0)",
            ]
        );
    }
}
