//! Exports of a report: the tallies or the assignment list, as CSV or Excel, one table per
//! group of units.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::files::{csv_bytes, xlsx_bytes};
use crate::app::results::{self as app, by_group, tally, GroupBy, Line, ResultFilter};
use crate::auth::Caller;
use crate::domain::grading::Grade;
use crate::domain::results::{status, Tally};
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

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
        Cell::Text(l.content_area.as_str().to_owned()),
        Cell::Text(l.kind.as_str().to_owned()),
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
pub(super) enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// A titled table of an export; a workbook gets one sheet per table.
pub(super) struct Table {
    pub(super) name: String,
    pub(super) headers: Vec<&'static str>,
    pub(super) rows: Vec<Vec<Cell>>,
}

/// A summary table: one row per row of the report, then the total.
fn tally_table(name: String, total: &Tally, rows: &[app::Row]) -> Table {
    let mut cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| tally_cells(&r.key, &r.label, &r.tally))
        .collect();
    cells.push(tally_cells("", "Tổng cộng", total));
    Table {
        name,
        headers: TALLY_HEADERS.to_vec(),
        rows: cells,
    }
}

/// The tables of an export of `lines` on `day`.
fn tables(lines: &[Line], content: ExportContent, group_by: GroupBy, day: NaiveDate) -> Vec<Table> {
    match content {
        ExportContent::Results => {
            let (total, rows) = tally(lines, group_by, day);
            let mut tables = vec![tally_table("Tổng hợp".to_owned(), &total, &rows)];
            for (name, group) in by_group(lines) {
                let (total, rows) = tally(group, GroupBy::Unit, day);
                tables.push(tally_table(name, &total, &rows));
            }
            tables
        }
        ExportContent::Assignments => by_group(lines)
            .into_iter()
            .map(|(name, group)| Table {
                name,
                headers: LINE_HEADERS.to_vec(),
                rows: group.iter().map(|l| line_cells(l, day)).collect(),
            })
            .collect(),
    }
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
        headers(("Content-Disposition" = String),
            ("Cache-Control" = String, description = "`private, no-store`: exports are never kept by any cache"))),
        ReadErrors))]
#[get("/reports/export")]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ExportParams>,
    filter: web::Query<ResultFilter>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let covered = app::covered(&mut conn, &caller, &filter).await?;
    let day = covered.at.date_naive();
    let tables = tables(
        &covered.lines,
        params.content,
        filter.group_by.unwrap_or_default(),
        day,
    );
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
