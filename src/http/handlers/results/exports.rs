//! Exports of a report: the tallies, the assignment list, the results of people or of
//! indicators, as one CSV table or as an Excel workbook fit to print (tables in `tables`, the
//! CSV in `files`, the workbook in `workbook`).

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::files::csv_bytes;
use super::tables::{self, Bars, Table};
use super::workbook::xlsx_bytes;
use crate::app::people::{self, PeopleFilter};
use crate::app::results::{self as app, IndicatorFilter, Line, ResultFilter};
use crate::auth::Caller;
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
    /// `results` (the tallies), `assignments` (one line per assignment), `people` (one line
    /// per person) or `indicators` (one line per indicator).
    #[param(inline)]
    pub content: ExportContent,
}

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8 with a byte-order mark (opens in Excel): one table, one
    /// header row, every row the same columns; text that a spreadsheet would read as a formula
    /// starts with `'`.
    Csv,
    /// Excel workbook fit to print: on every sheet a title block (issuing body, title, round,
    /// scope, as-of moment, who generated it and when), then the table with Vietnamese labels,
    /// unit and assignment codes, dates and percentages as such; landscape A4, one page wide.
    Xlsx,
}

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportContent {
    /// The tallies, as `GET /reports/results` gives them: a summary grouped as asked, then per
    /// group of units a row per unit. The workbook has one sheet per table, with totals, and a
    /// chart sheet (completion per group and per unit as stacked bars); the CSV has every row
    /// in one table, its group in the first column `Nhóm`, without totals.
    Results,
    /// One line per assignment with its code, unit code, deadline, status, completion and
    /// grade, per group of units (a sheet per group, or the column `Nhóm` in CSV); the workbook
    /// has the chart sheet too.
    Assignments,
    /// One line per person, as `GET /reports/people` gives them for the filter's year (else
    /// the round's, else the as-of year) and round.
    People,
    /// One line per year and indicator, as `GET /reports/indicators` gives them (`kind` and
    /// `group_by` do not apply).
    Indicators,
}

/// The title block of a workbook's sheets.
pub(super) struct Heading {
    /// The issuing body: the caller's home unit.
    pub(super) issuer: String,
    /// The report's title.
    pub(super) title: String,
    /// Round, scope, as-of moment, who generated it and when.
    pub(super) lines: Vec<String>,
}

/// An export, format-free.
pub(super) struct Export {
    /// Its title block.
    pub(super) heading: Heading,
    /// Its tables.
    pub(super) tables: Vec<Table>,
    /// Its charts' bars (none for people and indicators).
    pub(super) bars: Vec<Bars>,
}

impl ExportContent {
    fn title(self) -> &'static str {
        match self {
            Self::Results => "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ, CHỈ TIÊU ĐƯỢC GIAO",
            Self::Assignments => "DANH SÁCH NHIỆM VỤ, CHỈ TIÊU ĐƯỢC GIAO VÀ KẾT QUẢ THỰC HIỆN",
            Self::People => "KẾT QUẢ XẾP LOẠI CÁN BỘ THEO NHIỆM VỤ ĐƯỢC GIAO",
            Self::Indicators => "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỊNH LƯỢNG",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Self::Results => "ket-qua",
            Self::Assignments => "nhiem-vu",
            Self::People => "ca-nhan",
            Self::Indicators => "chi-tieu",
        }
    }
}

/// A moment as an official reads it: Vietnam time (UTC+7), labelled.
fn vn_time(at: DateTime<Utc>) -> String {
    let local = at + TimeDelta::hours(7);
    format!("{} (giờ Việt Nam)", local.format("%H:%M ngày %d/%m/%Y"))
}

/// The scope of `filter` in words, from what `lines` say of its round, group and unit.
fn scope(filter: &ResultFilter, lines: &[Line], round: Option<String>) -> Vec<String> {
    let rounds: Vec<&str> = {
        let mut r: Vec<&str> = lines.iter().map(|l| l.round_title.as_str()).collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let round = round.unwrap_or_else(|| match rounds.as_slice() {
        [] => "tất cả các đợt trong phạm vi".to_owned(),
        [one] => (*one).to_owned(),
        many => many.join("; "),
    });
    let mut parts = Vec::new();
    if let Some(y) = filter.year {
        parts.push(format!("năm {y}"));
    }
    if let Some(g) = filter.group_id {
        let label = lines.iter().flat_map(|l| &l.groups).find(|x| x.0 == g);
        parts.push(format!(
            "nhóm {}",
            label.map_or("đã chọn", |x| x.1.as_str())
        ));
    }
    if let Some(u) = filter.unit_id {
        let name = lines.iter().find(|l| l.unit_id == u);
        let name = name.map_or("đơn vị đã chọn", |l| l.unit_name.as_str());
        parts.push(format!("{name} và các đơn vị trực thuộc"));
    }
    if let Some(a) = filter.content_area {
        parts.push(format!("lĩnh vực {}", a.label_vi()));
    }
    if let Some(k) = filter.kind {
        parts.push(format!("loại {}", k.label_vi()));
    }
    let scope = if parts.is_empty() {
        "toàn bộ nhiệm vụ, chỉ tiêu được phép xem".to_owned()
    } else {
        parts.join("; ")
    };
    vec![format!("Đợt giao: {round}"), format!("Phạm vi: {scope}")]
}

/// The tables and bars of `content` over what `filter` covers for the caller.
async fn build(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    content: ExportContent,
    filter: &ResultFilter,
) -> ApiResult<(DateTime<Utc>, Vec<String>, Vec<Table>, Vec<Bars>)> {
    if content == ExportContent::People {
        let at = app::moment(filter.as_of.as_deref())?;
        let round = match filter.round_id {
            Some(r) => app::round_title(conn, r).await?,
            None => None,
        };
        let year = filter.year.unwrap_or(at.year());
        let people_filter = PeopleFilter {
            year,
            round_id: filter.round_id,
            as_of: filter.as_of.clone(),
        };
        let out = people::results(conn, caller, &people_filter).await?;
        let mut lines = scope(filter, &[], round);
        lines[1] = format!("Phạm vi: năm {year}");
        return Ok((at, lines, tables::people(&out), Vec::new()));
    }
    if content == ExportContent::Indicators {
        let report = app::indicators(conn, caller, &IndicatorFilter::from(filter)).await?;
        let round = match filter.round_id {
            Some(r) => app::round_title(conn, r).await?,
            None => None,
        };
        let lines = scope(filter, &[], round);
        return Ok((report.as_of, lines, tables::indicators(&report), Vec::new()));
    }
    let covered = app::covered(conn, caller, filter).await?;
    let day = covered.at.date_naive();
    let lines = &covered.lines;
    let tables = match content {
        ExportContent::Results => tables::results(lines, filter.group_by.unwrap_or_default(), day),
        _ => tables::assignments(lines, day),
    };
    let words = scope(filter, lines, None);
    Ok((covered.at, words, tables, tables::bars(lines, day)))
}

/// Export a report
///
/// `content=results`: the tallies (a summary grouped as asked, then per group of units a row
/// per unit); `assignments`: one line per assignment; `people`: the results of people (as
/// `GET /reports/people`, for the filter's year and round); `indicators`: per-indicator results
/// (as `GET /reports/indicators`). As CSV: one table (one header row, every row the same
/// columns, the group in a first column `Nhóm` for results and assignments, no total rows),
/// UTF-8 with a byte-order mark, formula-like text neutralised. As an Excel workbook fit to
/// print: a title block on every sheet (issuing body, title, round, scope, as-of moment, who
/// generated it and when), Vietnamese labels, unit and assignment codes, dates and percentages
/// as such, fitted columns, frozen header, autofilter, landscape A4 one page wide with the
/// header repeated and page numbers; for results and assignments a chart sheet `Biểu đồ` with
/// completion per group and per unit as stacked bars. The figures are those of the JSON
/// reports for the same filters.
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
    let content = params.content;
    let (at, mut lines, tables, bars) = build(&mut conn, &caller, content, &filter).await?;
    let (bytes, media, ext) = match params.format {
        ExportFormat::Csv => {
            let named = matches!(content, ExportContent::Results | ExportContent::Assignments);
            (csv_bytes(&tables, named)?, "text/csv; charset=utf-8", "csv")
        }
        ExportFormat::Xlsx => {
            let (who, issuer) = app::issuer(&mut conn, &caller).await?;
            lines.push(format!("Số liệu tính đến {}", vn_time(at)));
            lines.push(format!(
                "Người lập: {who} ({}), lúc {}",
                caller.username,
                vn_time(Utc::now())
            ));
            let heading = Heading {
                issuer: issuer.to_uppercase(),
                title: content.title().to_owned(),
                lines,
            };
            let export = Export {
                heading,
                tables,
                bars,
            };
            (
                xlsx_bytes(&export)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        }
    };
    let name = format!("bao-cao-{}-{}.{ext}", content.slug(), at.date_naive());
    Ok(HttpResponse::Ok()
        .content_type(media)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
