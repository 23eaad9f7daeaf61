//! Cells of the files the service produces for spreadsheets (CSV): text a spreadsheet would
//! take for a formula is neutralised (CSV/formula injection, OWASP).
//!
//! The rule applies to text cells only: a number the export writes as a number (a score, a
//! count, a negative deviation such as `-2.5`) stays a number a spreadsheet can sum, and a
//! number cannot carry a formula. Excel workbooks need no such care: their text cells are typed
//! as strings, never read as formulas.
//!
//! Also the pure rules of a workbook's layout: sheet names Excel accepts, column widths fitted
//! to their content.

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

/// Characters Excel forbids in a sheet name.
const SHEET_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];
/// The longest sheet name Excel accepts, in characters.
pub const SHEET_NAME_MAX: usize = 31;

/// A sheet name for `label` that Excel accepts and that is not in `taken` (compared without
/// case, as Excel does): forbidden characters become `-`, leading and trailing apostrophes and
/// spaces are dropped, at most [`SHEET_NAME_MAX`] characters (cut at a word's end where it
/// can); a name already taken gets ` (2)`,
/// ` (3)`… within the same limit.
pub fn sheet_name(label: &str, taken: &[String]) -> String {
    let clean: String = label
        .chars()
        .map(|c| if SHEET_FORBIDDEN.contains(&c) { '-' } else { c })
        .collect();
    let clean = clean.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let clean = if clean.is_empty() {
        "Trang tính"
    } else {
        clean
    };
    let is_taken = |name: &str| {
        taken
            .iter()
            .any(|t| t.to_lowercase() == name.to_lowercase())
    };
    let mut candidate = truncate(clean, SHEET_NAME_MAX);
    let mut n = 2;
    while is_taken(&candidate) {
        let suffix = format!(" ({n})");
        let base = truncate(clean, SHEET_NAME_MAX - suffix.chars().count());
        candidate = format!("{base}{suffix}");
        n += 1;
    }
    candidate
}

/// The first `max` characters of `text`, cut back to the end of a word when that keeps at
/// least half of them.
fn truncate(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max || chars[max].is_whitespace() {
        return chars
            .iter()
            .take(max)
            .collect::<String>()
            .trim_end()
            .to_owned();
    }
    let cut = chars[..max]
        .iter()
        .rposition(|c| c.is_whitespace())
        .filter(|&at| at >= max / 2)
        .unwrap_or(max);
    chars[..cut]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// The narrowest column width, in Excel's character units.
pub const COLUMN_MIN: f64 = 6.0;
/// The widest column width: longer text wraps.
pub const COLUMN_MAX: f64 = 50.0;

/// The width of a column holding `cells` (their text as shown): the longest one's characters
/// plus a margin, within [`COLUMN_MIN`] and [`COLUMN_MAX`].
pub fn column_width<'a>(cells: impl IntoIterator<Item = &'a str>) -> f64 {
    let longest = cells
        .into_iter()
        .flat_map(str::lines)
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    (longest as f64 * 1.1 + 2.0).clamp(COLUMN_MIN, COLUMN_MAX)
}

#[cfg(test)]
mod tests {
    use super::{column_width, sheet_name, text_cell, COLUMN_MAX, COLUMN_MIN};

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = Vec::new();
        let long = "Ban Thường vụ các huyện ủy, thị ủy, thành ủy trực thuộc";
        for label in [
            long,
            long,
            long,
            "Sở/Ngành [2022]: *?",
            "'Tổng hợp'",
            "",
            "tổng hợp",
        ] {
            let name = sheet_name(label, &taken);
            assert!(name.chars().count() <= 31, "{name}");
            assert!(
                !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                "{name}"
            );
            assert!(!name.starts_with('\'') && !name.ends_with('\''), "{name}");
            taken.push(name);
        }
        assert_eq!(taken[0], "Ban Thường vụ các huyện ủy, thị");
        assert_eq!(taken[1], "Ban Thường vụ các huyện ủy, (2)");
        assert_eq!(taken[2], "Ban Thường vụ các huyện ủy, (3)");
        assert_eq!(taken[3], "Sở-Ngành -2022-- --");
        assert_eq!(taken[4], "Tổng hợp");
        assert_eq!(taken[5], "Trang tính");
        assert_eq!(taken[6], "tổng hợp (2)");
        assert_eq!(
            sheet_name(
                "Nhóm Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội",
                &[]
            ),
            "Nhóm Mặt trận Tổ quốc và các"
        );
        assert_eq!(sheet_name(&"x".repeat(40), &[]), "x".repeat(31));
    }

    #[test]
    fn columns_fit_their_longest_cell_within_bounds() {
        assert_eq!(column_width(["Mã"]), COLUMN_MIN);
        assert_eq!(column_width([]), COLUMN_MIN);
        assert_eq!(
            column_width(["VP-SO-NV", "Sở Nội vụ tỉnh"]),
            14.0 * 1.1 + 2.0
        );
        assert_eq!(column_width(["x".repeat(200).as_str()]), COLUMN_MAX);
        assert_eq!(column_width(["hai\nhai dòng"]), 8.0 * 1.1 + 2.0);
    }

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
