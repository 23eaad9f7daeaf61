//! The bytes of an exported file: CSV (UTF-8 with a byte-order mark) or an Excel workbook with
//! one sheet per table.

use super::exports::{Cell, Table};
use crate::error::ApiError;

/// A text cell as a spreadsheet should read it: one that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return (a formula to Excel and LibreOffice) gets a leading `'`.
pub(super) fn neutralised(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

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
                w.write_record([t.name.as_str()]).map_err(fail)?;
            }
            w.write_record(&t.headers).map_err(fail)?;
            for row in &t.rows {
                w.write_record(row.iter().map(|c| match c {
                    Cell::Text(s) => neutralised(s),
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

#[cfg(test)]
mod tests {
    use super::neutralised;

    #[test]
    fn formulas_are_neutralised_and_text_is_kept() {
        for formula in ["=1+1", "+84", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        assert_eq!(neutralised("Sở Tài nguyên = 1"), "Sở Tài nguyên = 1");
        assert_eq!(neutralised(""), "");
    }
}
