//! The CSV of an export: one table that loads as one (a single header row, every row the same
//! columns), UTF-8 with a byte-order mark, text neutralised against formulas.

use super::tables::{Cell, Table};
use crate::domain::spreadsheet::text_cell;
use crate::error::ApiError;

/// The header of the column naming each row's table, when tables are put together.
pub(super) const GROUP_COLUMN: &str = "Nhóm";

/// A CSV field of `cell`: text through [`text_cell`], numbers as numbers (percentages as the
/// JSON reports give them), days as `YYYY-MM-DD`.
fn field(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => text_cell(s).into_owned(),
        Cell::Count(n) => n.to_string(),
        Cell::Integer(n) => n.to_string(),
        Cell::Number(n) | Cell::Percent(n) => n.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Empty => String::new(),
    }
}

/// CSV (UTF-8 with a byte-order mark) of the rows of `tables` (which share their headers) as
/// one table: with `named`, a first column [`GROUP_COLUMN`] holds each row's table name. Total
/// rows are left out: every line is a line to load.
pub(super) fn csv_bytes(tables: &[Table], named: bool) -> Result<Vec<u8>, ApiError> {
    let fail = |e: csv::Error| ApiError::internal(format!("csv: {e}"));
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w = csv::WriterBuilder::new().from_writer(&mut out);
    let headers = tables
        .first()
        .map(|t| t.headers.clone())
        .unwrap_or_default();
    let first = named.then_some(GROUP_COLUMN);
    w.write_record(
        first
            .into_iter()
            .chain(headers)
            .map(|h| text_cell(h).into_owned()),
    )
    .map_err(fail)?;
    for t in tables {
        for row in &t.rows {
            let name = named.then(|| text_cell(&t.name).into_owned());
            w.write_record(name.into_iter().chain(row.iter().map(field)))
                .map_err(fail)?;
        }
    }
    w.flush()
        .map_err(|e| ApiError::internal(format!("csv: {e}")))?;
    drop(w);
    Ok(out)
}
