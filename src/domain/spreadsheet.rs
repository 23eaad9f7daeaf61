//! Cells of the files the service produces for spreadsheets (CSV): text a spreadsheet would
//! take for a formula is neutralised (CSV/formula injection, OWASP).
//!
//! The rule applies to text cells only: a number the export writes as a number (a score, a
//! count, a negative deviation such as `-2.5`) stays a number a spreadsheet can sum, and a
//! number cannot carry a formula. Excel workbooks need no such care: their text cells are typed
//! as strings, never read as formulas.

use std::borrow::Cow;

/// The first characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
/// (or, for tab and carriage return, help smuggle one past a naive check).
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text cell `text` as a spreadsheet should read it: when it starts with one of
/// [`FORMULA_TRIGGERS`] it gets a leading `'`, which spreadsheets take as "text" and do not
/// show; any other text is kept as it is.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn formulas_are_neutralised_and_other_text_is_kept() {
        for formula in [
            "=1+1",
            "=HYPERLINK(\"http://x\",\"y\")",
            "+84 912 345 678",
            "-2",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(text_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for text in [
            "Sở Tài nguyên = 1",
            "",
            " =1",
            "'=1",
            "Hoàn thành xuất sắc",
            "2,5",
        ] {
            assert_eq!(text_cell(text), text, "{text:?}");
        }
    }
}
