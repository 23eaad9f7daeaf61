//! The tables of an export, format-free: typed cells (text, counts, percentages, dates) under
//! Vietnamese headers, labels instead of codes, unit and assignment codes instead of ids; the
//! completion bars of its chart.

use chrono::NaiveDate;

use crate::app::people::PersonResult;
use crate::app::results::{by_group, tally, GroupBy, IndicatorReport, Line, Row};
use crate::domain::grading::Grade;
use crate::domain::results::{bar_part, status, IndicatorTally, Tally, BAR_PARTS};
use crate::domain::round_rules::{AssignmentKind, ContentArea};

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    /// Text (neutralised in CSV).
    Text(String),
    /// A count, shown with thousands separators.
    Count(u32),
    /// A whole number shown as it is (a year).
    Integer(i64),
    /// A measured value, shown with two decimals.
    Number(f64),
    /// A percentage as the JSON reports give it (87.0 for 87%); a workbook stores 0.87 in a
    /// percentage format.
    Percent(f64),
    /// A day, stored as a date in a workbook, `YYYY-MM-DD` in CSV.
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as a person reads it (and as CSV writes it, before neutralising text).
    pub(super) fn shown(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Integer(n) => n.to_string(),
            Cell::Number(n) => format!("{n:.2}"),
            Cell::Percent(p) => format!("{p:.1}%"),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A titled table: a workbook gets one sheet per table (named by `name`); a CSV gets one table
/// of all the rows, `name` in a first column when there are several tables.
pub(super) struct Table {
    /// Its name: a group's label, "Tổng hợp"…
    pub(super) name: String,
    /// Column headers, in Vietnamese.
    pub(super) headers: Vec<&'static str>,
    /// The rows.
    pub(super) rows: Vec<Vec<Cell>>,
    /// The total row (in workbooks only: a CSV holds lines to load and sum, not their sums).
    pub(super) total: Option<Vec<Cell>>,
}

/// Completion bars of a chart: one bar per category, the count in each of [`BAR_PARTS`].
pub(super) struct Bars {
    /// The chart's title.
    pub(super) title: String,
    /// Category name and counts per part.
    pub(super) rows: Vec<(String, [u32; 5])>,
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

fn tally_cells(code: &str, label: &str, t: &Tally) -> Vec<Cell> {
    let mut cells = vec![Cell::Text(code.to_owned()), Cell::Text(label.to_owned())];
    cells.extend(
        [
            t.assigned,
            t.due,
            t.completed,
            t.completed_on_time,
            t.completed_late,
            t.at_least_80,
            t.in_progress,
            t.overdue,
        ]
        .map(Cell::Count),
    );
    cells.push(t.completion_rate.map_or(Cell::Empty, Cell::Percent));
    let g = &t.grades;
    cells.extend([g.excellent, g.good, g.complete, g.not_complete, g.ungraded].map(Cell::Count));
    cells
}

/// The code and the name a row of a report grouped by `group_by` shows: unit and group codes
/// (never ids), vocabulary labels instead of codes.
pub(super) fn row_names(group_by: GroupBy, row: &Row, lines: &[Line]) -> (String, String) {
    let label = row.label.clone();
    match group_by {
        GroupBy::Unit => {
            let code = lines.iter().find(|l| l.unit_id.to_string() == row.key);
            (code.map(|l| l.unit_code.clone()).unwrap_or_default(), label)
        }
        GroupBy::Group => {
            let code = lines
                .iter()
                .flat_map(|l| &l.groups)
                .find(|(id, _, _)| id.to_string() == row.key);
            (code.map(|g| g.2.clone()).unwrap_or_default(), label)
        }
        GroupBy::ContentArea | GroupBy::Kind => {
            (String::new(), vocab_label(group_by, &row.key, label))
        }
        GroupBy::Year => (row.key.clone(), label),
        GroupBy::Round => (String::new(), label),
    }
}

/// The Vietnamese label of the code `key` of a row grouped by content area or kind; `label`
/// for other rows and unknown codes.
fn vocab_label(group_by: GroupBy, key: &str, label: String) -> String {
    let found = match group_by {
        GroupBy::ContentArea => ContentArea::parse(key).map(ContentArea::label_vi),
        GroupBy::Kind => AssignmentKind::parse(key).map(AssignmentKind::label_vi),
        _ => None,
    };
    found.map_or(label, str::to_owned)
}

/// A tally table: one row per row of the report, the total apart.
fn tally_table(name: String, total: &Tally, rows: Vec<Vec<Cell>>) -> Table {
    Table {
        name,
        headers: TALLY_HEADERS.to_vec(),
        rows,
        total: Some(tally_cells("", "Tổng cộng", total)),
    }
}

/// The tallies: a summary grouped by `group_by`, then one table per group of units with a row
/// per unit.
pub(super) fn results(lines: &[Line], group_by: GroupBy, day: NaiveDate) -> Vec<Table> {
    let (total, rows) = tally(lines, group_by, day);
    let cells = rows
        .iter()
        .map(|r| {
            let (code, name) = row_names(group_by, r, lines);
            tally_cells(&code, &name, &r.tally)
        })
        .collect();
    let mut tables = vec![tally_table("Tổng hợp".to_owned(), &total, cells)];
    for (name, group) in by_group(lines) {
        let (total, rows) = tally(group.iter().copied(), GroupBy::Unit, day);
        let cells = rows
            .iter()
            .map(|r| {
                let (code, name) = row_names(GroupBy::Unit, r, lines);
                tally_cells(&code, &name, &r.tally)
            })
            .collect();
        tables.push(tally_table(name, &total, cells));
    }
    tables
}

const LINE_HEADERS: [&str; 12] = [
    "Mã nhiệm vụ",
    "Đợt giao",
    "Năm",
    "Mã đơn vị",
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
        Cell::Text(l.code.clone().unwrap_or_default()),
        Cell::Text(l.round_title.clone()),
        Cell::Integer(i64::from(l.year)),
        Cell::Text(l.unit_code.clone()),
        Cell::Text(l.unit_name.clone()),
        Cell::Text(l.title.clone()),
        Cell::Text(l.content_area.label_vi().to_owned()),
        Cell::Text(l.kind.label_vi().to_owned()),
        Cell::Date(l.known.end_date),
        Cell::Text(status(&l.known, day).label_vi().to_owned()),
        l.known
            .completion
            .map_or(Cell::Empty, |c| Cell::Percent((c * 1000.0).round() / 10.0)),
        Cell::Text(
            l.known
                .grade
                .map_or("Chưa xếp loại", Grade::label_vi)
                .to_owned(),
        ),
    ]
}

/// The assignment list: one table per group of units.
pub(super) fn assignments(lines: &[Line], day: NaiveDate) -> Vec<Table> {
    by_group(lines)
        .into_iter()
        .map(|(name, group)| Table {
            name,
            headers: LINE_HEADERS.to_vec(),
            rows: group.iter().map(|l| line_cells(l, day)).collect(),
            total: None,
        })
        .collect()
}

const PEOPLE_HEADERS: [&str; 7] = [
    "Họ và tên",
    "Số nhiệm vụ được xếp loại",
    "Hoàn thành xuất sắc",
    "Hoàn thành tốt",
    "Hoàn thành",
    "Không hoàn thành",
    "Tỷ lệ từ hoàn thành tốt trở lên (theo thời gian đảm nhiệm) (%)",
];

/// The results of people: one row per person, by name.
pub(super) fn people(people: &[PersonResult]) -> Vec<Table> {
    let rows = people
        .iter()
        .map(|p| {
            let (t, g) = (&p.tally, &p.tally.grades);
            let mut cells = vec![Cell::Text(p.full_name.clone())];
            cells.extend(
                [t.graded, g.excellent, g.good, g.complete, g.not_complete].map(Cell::Count),
            );
            cells.push(t.good_or_better_rate.map_or(Cell::Empty, Cell::Percent));
            cells
        })
        .collect();
    vec![Table {
        name: "Kết quả cá nhân".to_owned(),
        headers: PEOPLE_HEADERS.to_vec(),
        rows,
        total: None,
    }]
}

const INDICATOR_HEADERS: [&str; 14] = [
    "Năm",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Dạng chỉ tiêu",
    "Số đơn vị được giao",
    "Có số liệu",
    "Đạt",
    "Vượt",
    "Chưa đạt, từ 80% trở lên",
    "Tỷ lệ đạt (%)",
    "Tổng chỉ tiêu",
    "Tổng thực hiện",
    "Chênh lệch",
];

fn indicator_cells(year: Option<i32>, code: &str, title: &str, t: &IndicatorTally) -> Vec<Cell> {
    let number = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let mut cells = vec![
        year.map_or(Cell::Empty, |y| Cell::Integer(i64::from(y))),
        Cell::Text(code.to_owned()),
        Cell::Text(title.to_owned()),
        Cell::Text(t.unit_of_measure.clone().unwrap_or_default()),
        Cell::Text(t.shape.map_or("", |s| s.label_vi()).to_owned()),
    ];
    cells.extend([t.assigned, t.with_value, t.met, t.exceeded, t.at_least_80].map(Cell::Count));
    cells.push(t.met_rate.map_or(Cell::Empty, Cell::Percent));
    cells.extend([
        number(t.target_sum),
        number(t.actual_sum),
        number(t.difference),
    ]);
    cells
}

/// The per-indicator results: one row per year and indicator, the total apart.
pub(super) fn indicators(report: &IndicatorReport) -> Vec<Table> {
    let rows = report
        .rows
        .iter()
        .map(|r| {
            let code = r.indicator_code.as_deref().unwrap_or_default();
            indicator_cells(Some(r.year), code, &r.title, &r.tally)
        })
        .collect();
    vec![Table {
        name: "Chỉ tiêu".to_owned(),
        headers: INDICATOR_HEADERS.to_vec(),
        rows,
        total: Some(indicator_cells(None, "", "Tổng cộng", &report.total)),
    }]
}

/// Counts per bar part of `lines` on `day`.
fn parts<'a>(lines: impl IntoIterator<Item = &'a Line>, day: NaiveDate) -> [u32; 5] {
    let mut out = [0; BAR_PARTS.len()];
    for l in lines {
        out[bar_part(&l.known, day)] += 1;
    }
    out
}

/// The completion bars of `lines` on `day`: per group of units, then per unit.
pub(super) fn bars(lines: &[Line], day: NaiveDate) -> Vec<Bars> {
    let groups = by_group(lines)
        .into_iter()
        .map(|(name, group)| (name, parts(group, day)))
        .collect();
    let mut units: Vec<(String, [u32; 5])> = Vec::new();
    let mut seen: Vec<uuid::Uuid> = Vec::new();
    for l in lines {
        if !seen.contains(&l.unit_id) {
            seen.push(l.unit_id);
            let of_unit = lines.iter().filter(|o| o.unit_id == l.unit_id);
            units.push((l.unit_name.clone(), parts(of_unit, day)));
        }
    }
    units.sort_by(|a, b| a.0.cmp(&b.0));
    vec![
        Bars {
            title: "Kết quả thực hiện theo nhóm".to_owned(),
            rows: groups,
        },
        Bars {
            title: "Kết quả thực hiện theo đơn vị".to_owned(),
            rows: units,
        },
    ]
    .into_iter()
    .filter(|b| !b.rows.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_labels() {
        let at = |g, key: &str| vocab_label(g, key, key.to_owned());
        assert_eq!(at(GroupBy::ContentArea, "party_building"), "Xây dựng Đảng");
        assert_eq!(at(GroupBy::Kind, "task"), "Nhiệm vụ (có sản phẩm cụ thể)");
        assert_eq!(at(GroupBy::Kind, "unknown"), "unknown");
        assert_eq!(at(GroupBy::Unit, "task"), "task");
    }

    #[test]
    fn cells_show_as_people_read_them() {
        let day = NaiveDate::from_ymd_opt(2022, 12, 31).unwrap_or_default();
        assert_eq!(Cell::Date(day).shown(), "31/12/2022");
        assert_eq!(Cell::Percent(87.0).shown(), "87.0%");
        assert_eq!(Cell::Count(23).shown(), "23");
    }
}
