//! The Organisation Board's reports: tallies of assignments by round, year, group, unit (with
//! its subtree), content area and kind — assigned, due, completed on time or late, at 80% or
//! more, in progress, overdue, grades and the completion rate — as they stand now or exactly as
//! they stood at a cut-off, exported to CSV and Excel; and the Standing Committee's publication
//! of a round's results to portals.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::assignments::TargetSpec;
use crate::auth::{scope, Caller};
use crate::db::audit::{self, Change};
use crate::db::schema::{
    assignments, evaluations, org_group_members, org_groups, org_units, progress_report_history,
    progress_reports, rounds,
};
use crate::domain::grading::Grade;
use crate::domain::progress::Timeliness;
use crate::domain::results::{status, Known, Tally};
use crate::domain::roles::Permission;
use crate::domain::round_rules::{AssignmentKind, ContentArea};
use crate::domain::target::completion_ratio;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ok_tagged, IfMatch};
use crate::http::openapi::{ReadErrors, UpdateErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(results)
        .service(export)
        .service(publish)
        .service(public_rounds)
        .service(public_results);
}

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

/// One row of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultRow {
    /// Id or code of what the row is about.
    pub key: String,
    /// Its name.
    pub label: String,
    /// Its figures.
    pub tally: Tally,
}

/// A results report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultsReport {
    /// The moment the figures are taken at.
    pub as_of: DateTime<Utc>,
    /// How the rows are formed.
    pub group_by: GroupBy,
    /// The figures of every covered assignment.
    pub total: Tally,
    /// The figures per row, ordered by label.
    pub rows: Vec<ResultRow>,
}

/// One covered assignment with what was known of it.
#[derive(Debug, Clone)]
struct Line {
    id: Uuid,
    round_id: Uuid,
    round_title: String,
    year: i32,
    unit_id: Uuid,
    unit_name: String,
    title: String,
    content_area: String,
    kind: String,
    /// The groups of the unit in the round's year: id, name, code.
    groups: Vec<(Uuid, String, String)>,
    known: Known,
}

type AssignmentCols = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    String,
    NaiveDate,
    Option<serde_json::Value>,
    i32,
    String,
);

/// The assignments `filter` covers among `visible` units (`None`: every unit), with what was
/// known of each at `at`.
async fn collect(
    conn: &mut AsyncPgConnection,
    visible: Option<Vec<Uuid>>,
    filter: &ResultFilter,
    at: DateTime<Utc>,
) -> Result<Vec<Line>, ApiError> {
    let mut q = assignments::table
        .inner_join(rounds::table.on(rounds::id.eq(assignments::round_id)))
        .filter(assignments::state.ne_all(vec!["draft", "withdrawn"]))
        .select((
            assignments::id,
            assignments::round_id,
            assignments::assignee_unit_id,
            assignments::title,
            assignments::content_area,
            assignments::kind,
            assignments::end_date,
            assignments::target,
            rounds::year,
            rounds::title,
        ))
        .order(assignments::id)
        .into_boxed();
    if let Some(units) = visible {
        q = q.filter(
            assignments::assignee_unit_id
                .eq_any(units.clone())
                .or(assignments::assigning_unit_id.eq_any(units)),
        );
    }
    if let Some(r) = filter.round_id {
        q = q.filter(assignments::round_id.eq(r));
    }
    if let Some(y) = filter.year {
        q = q.filter(rounds::year.eq(y));
    }
    if let Some(u) = filter.unit_id {
        let below = scope::descendants_or_self(conn, &[u]).await?;
        q = q.filter(assignments::assignee_unit_id.eq_any(below));
    }
    if let Some(g) = filter.group_id {
        let members: Vec<Uuid> = org_group_members::table
            .filter(org_group_members::group_id.eq(g))
            .select(org_group_members::unit_id)
            .load(conn)
            .await?;
        q = q.filter(assignments::assignee_unit_id.eq_any(members));
    }
    if let Some(c) = filter.content_area {
        q = q.filter(assignments::content_area.eq(c.as_str()));
    }
    if let Some(k) = filter.kind {
        q = q.filter(assignments::kind.eq(k.as_str()));
    }
    let rows: Vec<AssignmentCols> = q.load(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();

    // Reports as they stood at `at`: the last recorded state of each, and when it was first
    // submitted.
    type Hist = (
        Uuid,
        Uuid,
        NaiveDate,
        NaiveDate,
        String,
        serde_json::Value,
        Option<f64>,
        DateTime<Utc>,
    );
    let history: Vec<Hist> = progress_report_history::table
        .inner_join(
            progress_reports::table.on(progress_reports::id.eq(progress_report_history::report_id)),
        )
        .filter(progress_reports::assignment_id.eq_any(&ids))
        .filter(progress_report_history::recorded_at.le(at))
        .order(progress_report_history::id)
        .select((
            progress_reports::id,
            progress_reports::assignment_id,
            progress_reports::period_end,
            progress_reports::due_date,
            progress_report_history::state,
            progress_report_history::content,
            progress_report_history::actual_value,
            progress_report_history::recorded_at,
        ))
        .load(conn)
        .await?;
    struct Report {
        assignment: Uuid,
        period_end: NaiveDate,
        due: NaiveDate,
        accepted: bool,
        content: serde_json::Value,
        actual: Option<f64>,
        first_submitted: Option<NaiveDate>,
    }
    let mut reports: HashMap<Uuid, Report> = HashMap::new();
    for (id, assignment, period_end, due, state, content, actual, at) in history {
        let r = reports.entry(id).or_insert(Report {
            assignment,
            period_end,
            due,
            accepted: false,
            content: serde_json::Value::Null,
            actual: None,
            first_submitted: None,
        });
        if state == "submitted" && r.first_submitted.is_none() {
            r.first_submitted = Some(at.date_naive());
        }
        r.accepted = state == "accepted";
        r.content = content;
        r.actual = actual;
    }
    let mut by_assignment: HashMap<Uuid, Vec<&Report>> = HashMap::new();
    for r in reports.values().filter(|r| r.accepted) {
        by_assignment.entry(r.assignment).or_default().push(r);
    }

    // Grades decided by `at`; the latest decision wins (an override made by then included).
    let decided: Vec<(Uuid, Option<String>, Option<DateTime<Utc>>)> = evaluations::table
        .filter(evaluations::assignment_id.eq_any(&ids))
        .filter(evaluations::decided_at.le(at))
        .order(evaluations::decided_at)
        .select((
            evaluations::assignment_id,
            evaluations::decided_grade,
            evaluations::decided_at,
        ))
        .load(conn)
        .await?;
    let grades: HashMap<Uuid, Grade> = decided
        .into_iter()
        .filter_map(|(a, g, _)| Some((a, Grade::parse(g.as_deref()?)?)))
        .collect();

    let unit_ids: Vec<Uuid> = rows.iter().map(|r| r.2).collect();
    let names: HashMap<Uuid, String> = org_units::table
        .filter(org_units::id.eq_any(&unit_ids))
        .select((org_units::id, org_units::name))
        .load::<(Uuid, String)>(conn)
        .await?
        .into_iter()
        .collect();
    let memberships: Vec<(Uuid, Uuid, String, String, i32)> = org_group_members::table
        .inner_join(org_groups::table)
        .filter(org_group_members::unit_id.eq_any(&unit_ids))
        .select((
            org_group_members::unit_id,
            org_groups::id,
            org_groups::label_vi,
            org_groups::code,
            org_groups::year,
        ))
        .load(conn)
        .await?;

    Ok(rows
        .into_iter()
        .map(
            |(id, round_id, unit, title, area, kind, end_date, target, year, round_title)| {
                let target = target
                    .and_then(|t| serde_json::from_value::<TargetSpec>(t).ok())
                    .map(|t| t.target());
                let ratio = |r: &Report| match &target {
                    Some(t) => r.actual.and_then(|v| completion_ratio(t, v)),
                    None => r.content["self_assessed_completion"]
                        .as_f64()
                        .map(|p| p / 100.0),
                };
                let mut accepted = by_assignment.remove(&id).unwrap_or_default();
                accepted.sort_by_key(|r| r.period_end);
                let done_by = accepted
                    .iter()
                    .find(|r| ratio(r).is_some_and(|c| c >= 1.0))
                    .and_then(|r| Some((r.first_submitted?, r.due)));
                Line {
                    id,
                    round_id,
                    round_title,
                    year,
                    unit_id: unit,
                    unit_name: names.get(&unit).cloned().unwrap_or_default(),
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
                        completion: accepted.last().and_then(|r| ratio(r)),
                        done_by,
                        grade: grades.get(&id).copied(),
                    },
                }
            },
        )
        .collect())
}

/// The moment figures are taken at: an RFC 3339 moment, the end of a day, or now.
fn moment(as_of: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
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

/// Tallies `lines` by `group_by`.
fn tally(lines: &[Line], group_by: GroupBy, day: NaiveDate) -> (Tally, Vec<ResultRow>) {
    let mut total = Tally::default();
    let mut rows: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for l in lines {
        total.add(&l.known, day);
        let keys: Vec<(String, String)> = match group_by {
            GroupBy::Round => vec![(l.round_title.clone(), l.round_id.to_string())],
            GroupBy::Year => vec![(l.year.to_string(), l.year.to_string())],
            GroupBy::Unit => vec![(l.unit_name.clone(), l.unit_id.to_string())],
            GroupBy::ContentArea => vec![(l.content_area.clone(), l.content_area.clone())],
            GroupBy::Kind => vec![(l.kind.clone(), l.kind.clone())],
            GroupBy::Group if l.groups.is_empty() => {
                vec![("Không thuộc nhóm".to_owned(), "none".to_owned())]
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
        .map(|((label, key), tally)| ResultRow { key, label, tally })
        .collect();
    (total, rows)
}

impl ResultFilter {
    /// The filter's own rules, beyond its types.
    fn check(&self) -> Result<(), ApiError> {
        match self.year {
            Some(y) if !(2000..=2100).contains(&y) => {
                Err(ApiError::violations(vec![crate::domain::Violation::new(
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

/// The units whose assignments the caller may count.
async fn visible(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Vec<Uuid>, ApiError> {
    if !caller.has(Permission::AssignmentRead) {
        return Err(ApiError::forbidden());
    }
    caller.units_with(conn, Permission::AssignmentRead).await
}

/// Report results
///
/// Tallies of the assignments the caller can read, filtered and grouped: assigned, due,
/// completed (on time, late), at 80% or more, in progress, overdue, grades and the completion
/// rate (completed ÷ due). With `as_of`, the figures exactly as they stood at the end of that
/// day, even if reports were corrected or grades overridden since.
#[utoipa::path(tag = "reports", params(ResultFilter),
    responses((status = 200, description = "The report", body = ResultsReport), ReadErrors))]
#[get("/reports/results")]
pub async fn results(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<ResultFilter>,
) -> ApiResult<HttpResponse> {
    filter.check()?;
    let mut conn = state.pool.get().await?;
    let units = visible(&mut conn, &caller).await?;
    let at = moment(filter.as_of.as_deref())?;
    let lines = collect(&mut conn, Some(units), &filter, at).await?;
    let group_by = filter.group_by.unwrap_or_default();
    let (total, rows) = tally(&lines, group_by, at.date_naive());
    Ok(HttpResponse::Ok().json(ResultsReport {
        as_of: at,
        group_by,
        total,
        rows,
    }))
}

/// What an export holds, and in which format.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx`.
    #[param(inline)]
    pub format: ExportFormat,
    /// `results` (the tallies) or `assignments` (one line per assignment).
    #[param(inline)]
    pub content: ExportContent,
}

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8 with a byte-order mark (opens in Excel).
    Csv,
    /// Excel workbook: a summary sheet, then one sheet per group of units.
    Xlsx,
}

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportContent {
    /// The tallies, as `GET /reports/results` gives them.
    Results,
    /// One line per assignment with its status, completion and grade.
    Assignments,
}

const TALLY_HEADERS: [&str; 16] = [
    "Mã",
    "Tên",
    "Số nhiệm vụ được giao",
    "Đến hạn",
    "Hoàn thành",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đạt từ 80% trở lên",
    "Đang thực hiện trong hạn",
    "Quá hạn",
    "Tỷ lệ hoàn thành (%)",
    "Hoàn thành xuất sắc",
    "Hoàn thành tốt",
    "Hoàn thành",
    "Không hoàn thành",
    "Chưa xếp loại",
];

fn tally_cells(key: &str, label: &str, t: &Tally) -> Vec<Cell> {
    let n = |v: u32| Cell::Number(f64::from(v));
    vec![
        Cell::Text(key.to_owned()),
        Cell::Text(label.to_owned()),
        n(t.assigned),
        n(t.due),
        n(t.completed),
        n(t.completed_on_time),
        n(t.completed_late),
        n(t.at_least_80),
        n(t.in_progress),
        n(t.overdue),
        t.completion_rate.map_or(Cell::Empty, Cell::Number),
        n(t.grades.excellent),
        n(t.grades.good),
        n(t.grades.complete),
        n(t.grades.not_complete),
        n(t.grades.ungraded),
    ]
}

const LINE_HEADERS: [&str; 11] = [
    "Mã nhiệm vụ",
    "Đợt giao",
    "Năm",
    "Đơn vị được giao",
    "Nội dung nhiệm vụ, chỉ tiêu",
    "Lĩnh vực",
    "Loại",
    "Hạn hoàn thành",
    "Tình trạng",
    "Mức độ hoàn thành (%)",
    "Xếp loại",
];

fn line_cells(l: &Line, day: NaiveDate) -> Vec<Cell> {
    vec![
        Cell::Text(l.id.to_string()),
        Cell::Text(l.round_title.clone()),
        Cell::Number(f64::from(l.year)),
        Cell::Text(l.unit_name.clone()),
        Cell::Text(l.title.clone()),
        Cell::Text(l.content_area.clone()),
        Cell::Text(l.kind.clone()),
        Cell::Text(l.known.end_date.to_string()),
        Cell::Text(status(&l.known, day).label_vi().to_owned()),
        l.known
            .completion
            .map_or(Cell::Empty, |c| Cell::Number((c * 1000.0).round() / 10.0)),
        Cell::Text(
            l.known
                .grade
                .map_or("Chưa xếp loại", Grade::label_vi)
                .to_owned(),
        ),
    ]
}

/// A cell of an exported table.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// A titled table of an export; a workbook gets one sheet per table.
struct Table {
    name: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

fn csv_bytes(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        let fail = |e: csv::Error| ApiError::internal(format!("csv: {e}"));
        for (i, t) in tables.iter().enumerate() {
            if tables.len() > 1 {
                if i > 0 {
                    w.write_record([""]).map_err(fail)?;
                }
                w.write_record([t.name.as_str()]).map_err(fail)?;
            }
            w.write_record(&t.headers).map_err(fail)?;
            for row in &t.rows {
                w.write_record(row.iter().map(|c| match c {
                    Cell::Text(s) => s.clone(),
                    Cell::Number(n) => n.to_string(),
                    Cell::Empty => String::new(),
                }))
                .map_err(fail)?;
            }
        }
        w.flush()
            .map_err(|e| ApiError::internal(format!("csv: {e}")))?;
    }
    Ok(out)
}

/// An Excel sheet name: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(27)
        .collect();
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{clean} {n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

fn xlsx_bytes(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let mut taken = Vec::new();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet
            .set_name(sheet_name(&t.name, &mut taken))
            .map_err(fail)?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet
                .write_with_format(0, c as u16, *h, &bold)
                .map_err(fail)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => sheet.write(r, c, s.as_str()).map(|_| ()),
                    Cell::Number(n) => sheet.write(r, c, *n).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(fail)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// Splits lines into one table per group of units, named by the group's code (lines in
/// several groups appear in each), ordered by code, then those in no group.
fn by_group(lines: &[Line]) -> Vec<(String, Vec<&Line>)> {
    let mut groups: BTreeMap<String, Vec<&Line>> = BTreeMap::new();
    let mut none = Vec::new();
    for l in lines {
        if l.groups.is_empty() {
            none.push(l);
        }
        for (_, _, code) in &l.groups {
            groups.entry(code.clone()).or_default().push(l);
        }
    }
    let mut out: Vec<(String, Vec<&Line>)> = groups.into_iter().collect();
    if !none.is_empty() {
        out.push(("Không thuộc nhóm".to_owned(), none));
    }
    out
}

/// Export a report
///
/// The tallies (`content=results`: a summary table grouped as asked, then one table per group
/// of units with a row per unit) or the assignment list (`content=assignments`: one table per
/// group of units), as CSV or as an Excel workbook with one sheet per table, headers in
/// Vietnamese. The figures are those `GET /reports/results` gives for the same filters.
#[utoipa::path(tag = "reports", params(ExportParams, ResultFilter),
    responses((status = 200, description = "The file", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        headers(("Content-Disposition" = String))), ReadErrors))]
#[get("/reports/export")]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ExportParams>,
    filter: web::Query<ResultFilter>,
) -> ApiResult<HttpResponse> {
    filter.check()?;
    let mut conn = state.pool.get().await?;
    let units = visible(&mut conn, &caller).await?;
    let at = moment(filter.as_of.as_deref())?;
    let day = at.date_naive();
    let lines = collect(&mut conn, Some(units), &filter, at).await?;
    let tables: Vec<Table> = match params.content {
        ExportContent::Results => {
            let (total, rows) = tally(&lines, filter.group_by.unwrap_or_default(), day);
            let mut summary: Vec<Vec<Cell>> = rows
                .iter()
                .map(|r| tally_cells(&r.key, &r.label, &r.tally))
                .collect();
            summary.push(tally_cells("", "Tổng cộng", &total));
            let mut tables = vec![Table {
                name: "Tổng hợp".to_owned(),
                headers: TALLY_HEADERS.to_vec(),
                rows: summary,
            }];
            for (name, group) in by_group(&lines) {
                let owned: Vec<Line> = group.into_iter().cloned().collect();
                let (total, rows) = tally(&owned, GroupBy::Unit, day);
                let mut cells: Vec<Vec<Cell>> = rows
                    .iter()
                    .map(|r| tally_cells(&r.key, &r.label, &r.tally))
                    .collect();
                cells.push(tally_cells("", "Tổng cộng", &total));
                tables.push(Table {
                    name,
                    headers: TALLY_HEADERS.to_vec(),
                    rows: cells,
                });
            }
            tables
        }
        ExportContent::Assignments => by_group(&lines)
            .into_iter()
            .map(|(name, group)| Table {
                name,
                headers: LINE_HEADERS.to_vec(),
                rows: group.iter().map(|l| line_cells(l, day)).collect(),
            })
            .collect(),
    };
    let (bytes, media, ext) = match params.format {
        ExportFormat::Csv => (csv_bytes(&tables)?, "text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => (
            xlsx_bytes(&tables)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let name = format!(
        "bao-cao-{}-{day}.{ext}",
        match params.content {
            ExportContent::Results => "ket-qua",
            ExportContent::Assignments => "nhiem-vu",
        }
    );
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

/// A published round.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedRound {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Year.
    pub year: i32,
    /// Number and symbol of the decision.
    pub decision_number: Option<String>,
    /// The assigning unit.
    pub assigning_unit_id: Uuid,
    /// When its results were published.
    pub published_at: DateTime<Utc>,
    /// Version, also the ETag.
    pub version: i32,
}

type RoundCols = (
    Uuid,
    String,
    i32,
    Option<String>,
    Uuid,
    Option<DateTime<Utc>>,
    i32,
    String,
);

fn published(r: RoundCols) -> Option<PublishedRound> {
    Some(PublishedRound {
        id: r.0,
        title: r.1,
        year: r.2,
        decision_number: r.3,
        assigning_unit_id: r.4,
        published_at: r.5?,
        version: r.6,
    })
}

fn round_cols() -> (
    rounds::id,
    rounds::title,
    rounds::year,
    rounds::decision_number,
    rounds::assigning_unit_id,
    rounds::published_at,
    rounds::version,
    rounds::state,
) {
    (
        rounds::id,
        rounds::title,
        rounds::year,
        rounds::decision_number,
        rounds::assigning_unit_id,
        rounds::published_at,
        rounds::version,
        rounds::state,
    )
}

/// Publish a round's results
///
/// The Standing Committee of the assigning unit makes the round's results public: portals
/// (`public_reader`) then see its figures and its assignments' titles, units, statuses and
/// grades — never remarks, evidence or cadre records. Publishing again refreshes nothing and is
/// refused (409). Needs `round_issue` on the assigning unit and `If-Match` (the round's ETag).
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Published", body = PublishedRound, headers(("ETag" = String))), UpdateErrors))]
#[post("/rounds/{id}/publish")]
pub async fn publish(
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
                let r: RoundCols = rounds::table
                    .find(id)
                    .select(round_cols())
                    .for_update()
                    .first(conn)
                    .await?;
                caller
                    .require(
                        conn,
                        Permission::RoundIssue,
                        Permission::AssignmentRead,
                        r.4,
                    )
                    .await?;
                if_match.check(r.6)?;
                if r.7 == "draft" {
                    return Err(ApiError::conflict(
                        "a draft round has no results to publish",
                        "đợt giao dự thảo chưa có kết quả để công bố",
                    ));
                }
                if r.5.is_some() {
                    return Err(ApiError::conflict(
                        "the round's results are already published",
                        "kết quả đợt giao đã được công bố",
                    ));
                }
                let now = Utc::now();
                let row: RoundCols = diesel::update(rounds::table.find(id))
                    .set((
                        rounds::published_at.eq(now),
                        rounds::published_by.eq(caller.account_id),
                        rounds::version.eq(r.6 + 1),
                        rounds::updated_at.eq(now),
                    ))
                    .returning(round_cols())
                    .get_result(conn)
                    .await?;
                let view = published(row).ok_or_else(|| ApiError::internal("publication lost"))?;
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "round.publish",
                        resource_type: "round",
                        resource_id: Some(id),
                        unit_id: Some(view.assigning_unit_id),
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
    Ok(ok_tagged(view.version, &view))
}

/// List published rounds
///
/// Rounds whose results the Standing Committee has published, newest first. Open to every
/// authenticated caller, portals included.
#[utoipa::path(tag = "reports",
    responses((status = 200, description = "The published rounds", body = Vec<PublishedRound>), ReadErrors))]
#[get("/public/rounds")]
pub async fn public_rounds(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rows: Vec<RoundCols> = rounds::table
        .filter(rounds::published_at.is_not_null())
        .order(rounds::published_at.desc())
        .limit(500)
        .select(round_cols())
        .load(&mut conn)
        .await?;
    let out: Vec<PublishedRound> = rows.into_iter().filter_map(published).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A published assignment: what portals may show.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAssignment {
    /// Title.
    pub title: String,
    /// The unit it was assigned to.
    pub unit_name: String,
    /// Content area.
    pub content_area: String,
    /// Deadline.
    pub end_date: NaiveDate,
    /// Status.
    pub status: Timeliness,
    /// Decided grade.
    pub grade: Option<Grade>,
}

/// A published round's results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicResults {
    /// The round.
    pub round: PublishedRound,
    /// Its figures.
    pub total: Tally,
    /// Its figures per group of units.
    pub groups: Vec<ResultRow>,
    /// Its assignments.
    pub assignments: Vec<PublicAssignment>,
}

/// Get a published round's results
///
/// The figures of a published round, per group of units, and its assignments' titles, units,
/// statuses and grades. Unpublished rounds are 404. Open to every authenticated caller.
#[utoipa::path(tag = "reports",
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 200, description = "The results", body = PublicResults), ReadErrors))]
#[get("/public/rounds/{id}/results")]
pub async fn public_results(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = rounds::table
        .find(*id)
        .select(round_cols())
        .first::<RoundCols>(&mut conn)
        .await
        .optional()?
        .and_then(published)
        .ok_or_else(ApiError::not_found)?;
    let filter = ResultFilter {
        round_id: Some(round.id),
        ..ResultFilter::default()
    };
    let at = Utc::now();
    let lines = collect(&mut conn, None, &filter, at).await?;
    let day = at.date_naive();
    let (total, groups) = tally(&lines, GroupBy::Group, day);
    let assignments = lines
        .iter()
        .map(|l| PublicAssignment {
            title: l.title.clone(),
            unit_name: l.unit_name.clone(),
            content_area: l.content_area.clone(),
            end_date: l.known.end_date,
            status: status(&l.known, day),
            grade: l.known.grade,
        })
        .collect();
    Ok(HttpResponse::Ok().json(PublicResults {
        round,
        total,
        groups,
        assignments,
    }))
}
