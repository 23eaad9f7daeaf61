//! The bytes of an exported file: CSV (UTF-8 with a byte-order mark) or an Excel workbook with
//! one sheet per table.

use super::exports::{Cell, Table};
use crate::domain::spreadsheet::text_cell;
use crate::error::ApiError;

/// CSV (UTF-8 with a byte-order mark) of `tables`: every text (table names and headers too)
/// through [`text_cell`], numbers as numbers.
pub(super) fn csv_bytes(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
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
                w.write_record([text_cell(&t.name).as_bytes()])
                    .map_err(fail)?;
            }
            w.write_record(t.headers.iter().map(|h| text_cell(h).into_owned()))
                .map_err(fail)?;
            for row in &t.rows {
                w.write_record(row.iter().map(|c| match c {
                    Cell::Text(s) => text_cell(s).into_owned(),
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

/// An Excel workbook of `tables`, one sheet each. Text is written as string cells, which Excel
/// never evaluates, so it needs no neutralising; numbers as numbers.
pub(super) fn xlsx_bytes(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
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
