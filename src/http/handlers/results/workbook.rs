//! The Excel workbook of an export, fit to print: a title block on every sheet, typed cells with
//! number and date formats, columns fitted to their content, frozen headers and an autofilter,
//! landscape A4 one page wide with the header repeated and page numbers; a chart sheet of
//! completion bars (native stacked bar charts).

use chrono::Datelike;
use rust_xlsxwriter::{
    Chart, ChartType, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use super::exports::{Export, Heading};
use super::tables::{Bars, Cell, Table};
use crate::domain::results::BAR_PARTS;
use crate::domain::spreadsheet::{column_width, sheet_name};
use crate::error::ApiError;

/// A4 in Excel's paper codes.
const A4: u8 = 9;
/// The footer: "Trang 2/5".
const FOOTER: &str = "&CTrang &P/&N";
/// The name of the chart sheet.
const CHART_SHEET: &str = "Biểu đồ";

/// The formats of a workbook.
struct Formats {
    issuer: Format,
    title: Format,
    line: Format,
    header: Format,
    text: Format,
    count: Format,
    integer: Format,
    number: Format,
    percent: Format,
    date: Format,
    total: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Self {
            issuer: Format::new().set_bold(),
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            line: Format::new().set_italic().set_align(FormatAlign::Center),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#D9E1F2"),
            text: cell.clone().set_text_wrap(),
            count: cell.clone().set_num_format("#,##0"),
            integer: cell.clone().set_num_format("0"),
            number: cell.clone().set_num_format("#,##0.00"),
            percent: cell.clone().set_num_format("0.0%"),
            date: cell.clone().set_num_format("dd/mm/yyyy"),
            total: Format::new().set_bold(),
        }
    }
}

fn fail(e: XlsxError) -> ApiError {
    ApiError::internal(format!("xlsx: {e}"))
}

/// The workbook of `export`: one sheet per table, then the chart sheet (if it has bars).
pub(super) fn xlsx_bytes(export: &Export) -> Result<Vec<u8>, ApiError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    let mut taken: Vec<String> = Vec::new();
    for t in &export.tables {
        let name = sheet_name(&t.name, &taken);
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(fail)?;
        taken.push(name);
        table_sheet(sheet, &export.heading, t, &formats).map_err(fail)?;
    }
    if !export.bars.is_empty() {
        let name = sheet_name(CHART_SHEET, &taken);
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(fail)?;
        chart_sheet(sheet, &name, &export.heading, &export.bars, &formats).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// Writes the title block over columns `0..=last` and returns the first row after it.
fn heading(sheet: &mut Worksheet, h: &Heading, last: u16, f: &Formats) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(0, 0, &h.issuer, &f.issuer)?;
    merged(sheet, 1, last, &h.title, &f.title)?;
    let mut row = 2;
    for line in &h.lines {
        merged(sheet, row, last, line, &f.line)?;
        row += 1;
    }
    Ok(row + 1)
}

/// `text` across columns `0..=last` of `row`.
fn merged(
    sheet: &mut Worksheet,
    row: u32,
    last: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if last == 0 {
        sheet.write_string_with_format(row, 0, text, format)?;
    } else {
        sheet.merge_range(row, 0, row, last, text, format)?;
    }
    Ok(())
}

/// Landscape A4, one page wide, rows `repeat` on every page, page numbers in the footer.
fn print_setup(sheet: &mut Worksheet, repeat: u32) -> Result<(), XlsxError> {
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0)
        .set_footer(FOOTER)
        .set_print_center_horizontally(true);
    sheet.set_repeat_rows(repeat, repeat)?;
    Ok(())
}

/// One table on its sheet: title block, header, rows, total; widths, panes, filter, printing.
fn table_sheet(
    sheet: &mut Worksheet,
    h: &Heading,
    t: &Table,
    f: &Formats,
) -> Result<(), XlsxError> {
    let last = t.headers.len().saturating_sub(1) as u16;
    let head = heading(sheet, h, last, f)?;
    for (c, title) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(head, c as u16, *title, &f.header)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        write_row(sheet, head + 1 + r as u32, row, f, None)?;
    }
    let end = head + t.rows.len() as u32;
    if let Some(total) = &t.total {
        write_row(sheet, end + 1, total, f, Some(&f.total))?;
    }
    fit_columns(sheet, t, head)?;
    sheet.set_freeze_panes(head + 1, 0)?;
    sheet.autofilter(head, 0, end.max(head + 1), last)?;
    print_setup(sheet, head)
}

/// Column widths fitted to the longest cell (headers wrap, so only their longest word counts);
/// the header row as tall as its most wrapped header.
fn fit_columns(sheet: &mut Worksheet, t: &Table, head: u32) -> Result<(), XlsxError> {
    let mut lines = 1.0_f64;
    for (c, title) in t.headers.iter().enumerate() {
        let cells: Vec<String> = t
            .rows
            .iter()
            .chain(&t.total)
            .filter_map(|r| r.get(c).map(Cell::shown))
            .collect();
        let words = title.split(' ');
        let width = column_width(cells.iter().map(String::as_str).chain(words));
        sheet.set_column_width(c as u16, width)?;
        lines = lines.max((title.chars().count() as f64 / (width - 1.0)).ceil());
    }
    sheet.set_row_height(head, 15.0 * lines)?;
    Ok(())
}

/// One row of cells from column 0, each in its format (bold over it in a total row).
fn write_row(
    sheet: &mut Worksheet,
    r: u32,
    row: &[Cell],
    f: &Formats,
    bold: Option<&Format>,
) -> Result<(), XlsxError> {
    for (c, cell) in row.iter().enumerate() {
        let c = c as u16;
        let format = |base: &Format| match bold {
            Some(b) => base.clone().merge(b),
            None => base.clone(),
        };
        match cell {
            Cell::Text(s) => sheet.write_string_with_format(r, c, s, &format(&f.text)),
            Cell::Count(n) => sheet.write_number_with_format(r, c, *n, &format(&f.count)),
            Cell::Integer(n) => {
                sheet.write_number_with_format(r, c, *n as f64, &format(&f.integer))
            }
            Cell::Number(n) => sheet.write_number_with_format(r, c, *n, &format(&f.number)),
            Cell::Percent(p) => {
                sheet.write_number_with_format(r, c, p / 100.0, &format(&f.percent))
            }
            Cell::Date(d) => {
                let day = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                sheet.write_datetime_with_format(r, c, &day, &format(&f.date))
            }
            Cell::Empty => sheet.write_blank(r, c, &format(&f.text)),
        }?;
    }
    Ok(())
}

/// The chart sheet: per chart, its data (a category column and one column per bar part) and a
/// stacked bar chart over it beside the data.
fn chart_sheet(
    sheet: &mut Worksheet,
    name: &str,
    h: &Heading,
    bars: &[Bars],
    f: &Formats,
) -> Result<(), XlsxError> {
    let last = BAR_PARTS.len() as u16;
    let mut row = heading(sheet, h, last, f)?;
    print_setup(sheet, row)?;
    let mut names: Vec<&str> = vec![];
    for b in bars {
        sheet.write_string_with_format(row, 0, &b.title, &f.header)?;
        for (i, part) in BAR_PARTS.iter().enumerate() {
            sheet.write_string_with_format(row, 1 + i as u16, *part, &f.header)?;
        }
        for (i, (category, counts)) in b.rows.iter().enumerate() {
            let r = row + 1 + i as u32;
            sheet.write_string_with_format(r, 0, category, &f.text)?;
            for (j, n) in counts.iter().enumerate() {
                sheet.write_number_with_format(r, 1 + j as u16, *n, &f.count)?;
            }
            names.push(category);
        }
        let end = row + b.rows.len() as u32;
        sheet.insert_chart(row, last + 2, &bar_chart(name, b, row, end))?;
        let chart_rows = (b.rows.len() as u32 * 22 + 140).div_ceil(20);
        row = (end + 2).max(row + chart_rows + 1);
    }
    let width = column_width(
        names
            .into_iter()
            .chain(bars.iter().map(|b| b.title.as_str())),
    );
    sheet.set_column_width(0, width)?;
    for c in 1..=last {
        sheet.set_column_width(c, 14)?;
    }
    Ok(())
}

/// A stacked bar chart of `b`, whose header is on `row` and last category on `end` of `sheet`.
fn bar_chart(sheet: &str, b: &Bars, row: u32, end: u32) -> Chart {
    let mut chart = Chart::new(ChartType::BarStacked);
    chart.title().set_name(&b.title);
    for part in 1..=BAR_PARTS.len() as u16 {
        chart
            .add_series()
            .set_name((sheet, row, part))
            .set_categories((sheet, row + 1, 0, end, 0))
            .set_values((sheet, row + 1, part, end, part))
            .set_gap(60);
    }
    // In a bar chart the categories are on the Y axis: the first group on top.
    chart.y_axis().set_reverse();
    chart
        .set_width(720)
        .set_height(b.rows.len() as u32 * 22 + 140);
    chart
}
