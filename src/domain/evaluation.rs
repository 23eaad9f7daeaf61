//! Evaluation periods, the people who answer for an assignment, and the attribution of a
//! grade to the cadres who held those positions while the graded period ran.

use chrono::NaiveDate;

use super::vocab::PostKind;
use super::Violation;
use crate::vocab_enum;

/// The code of the period that covers an assignment's whole span ("cả nhiệm kỳ").
pub const WHOLE_TERM: &str = "term";

/// The dates a period code covers within an assignment running `start..=end`: `term` is the
/// whole span, a year (`2022`) is that year and, when the round asks for `quarterly`
/// evaluation, a quarter (`2022-Q3`) is that calendar quarter, each clipped to the span.
/// `None` for any other code or a period outside the span.
pub fn period_dates(
    code: &str,
    start: NaiveDate,
    end: NaiveDate,
    quarterly: bool,
) -> Option<(NaiveDate, NaiveDate)> {
    if code == WHOLE_TERM {
        return Some((start, end));
    }
    let (year, months) = match code.split_once("-Q") {
        None => (code, (1, 12)),
        Some((year, q)) if quarterly && matches!(q, "1" | "2" | "3" | "4") => {
            let q: u32 = q.parse().ok()?;
            (year, (3 * q - 2, 3 * q))
        }
        Some(_) => return None,
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let first = NaiveDate::from_ymd_opt(year, months.0, 1)?;
    let last = if months.1 == 12 {
        NaiveDate::from_ymd_opt(year, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(year, months.1 + 1, 1)?.pred_opt()?
    };
    let (from, to) = (first.max(start), last.min(end));
    (from <= to).then_some((from, to))
}

vocab_enum!(
    /// What a person answers for an assignment as: its unit's head, or for a district the
    /// Party secretary, the chair of the People's Committee, or a deputy.
    AccountableRole, "accountable_role" {
        Head => ("head", "Người đứng đầu", "Head"),
        Secretary => ("secretary", "Bí thư cấp ủy", "Party secretary"),
        Chair => ("chair", "Chủ tịch Ủy ban nhân dân", "Chair of the People's Committee"),
        Deputy => ("deputy", "Cấp phó", "Deputy"),
    }
);

/// A position that answers for an assignment: a kind of post in a unit, and the role it
/// answers as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position<U> {
    /// The unit.
    pub unit: U,
    /// The kind of post in it.
    pub kind: PostKind,
    /// What its holder answers as.
    pub role: AccountableRole,
}

/// The positions that answer for an assignment to `assignee`: those named, or else the head of
/// the assignee unit.
pub fn accountable<U: Copy>(assignee: U, named: &[Position<U>]) -> Vec<Position<U>> {
    if named.is_empty() {
        vec![Position {
            unit: assignee,
            kind: PostKind::Head,
            role: AccountableRole::Head,
        }]
    } else {
        named.to_vec()
    }
}

/// What is wrong with the named positions: staff posts answer for nothing, and a position is
/// named once.
pub fn position_violations<U: PartialEq>(named: &[Position<U>]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, p) in named.iter().enumerate() {
        if p.kind == PostKind::Staff {
            out.push(Violation::new(
                format!("positions[{i}].post_kind"),
                "not_accountable",
                "staff posts do not answer for assignments",
                "cán bộ, công chức không phải người chịu trách nhiệm nhiệm vụ",
            ));
        }
        if named[..i]
            .iter()
            .any(|o| o.unit == p.unit && o.kind == p.kind)
        {
            out.push(Violation::new(
                format!("positions[{i}]"),
                "duplicate",
                "this position is named twice",
                "vị trí này đã được nêu",
            ));
        }
    }
    out
}

/// A head's tenure of a post: its id, first day and last day (open when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenure<T> {
    /// What identifies the tenure (a post).
    pub id: T,
    /// First day.
    pub from: NaiveDate,
    /// Last day, if it ended.
    pub to: Option<NaiveDate>,
}

/// The part of a grade each tenure carries: the days it overlaps `from..=to`, as a share of
/// the period's days. Tenures outside the period get nothing; the shares add up to at most 1
/// (less when the post was vacant for part of the period).
pub fn attribute<T: Copy>(
    from: NaiveDate,
    to: NaiveDate,
    tenures: &[Tenure<T>],
) -> Vec<(T, NaiveDate, NaiveDate, f64)> {
    let days = (to - from).num_days() + 1;
    if days <= 0 {
        return Vec::new();
    }
    tenures
        .iter()
        .filter_map(|t| {
            let start = t.from.max(from);
            let end = t.to.map_or(to, |e| e.min(to));
            let held = (end - start).num_days() + 1;
            (held > 0).then(|| (t.id, start, end, held as f64 / days as f64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_answers_unless_positions_are_named_and_staff_never_do() {
        let head = Position {
            unit: 1,
            kind: PostKind::Head,
            role: AccountableRole::Head,
        };
        assert_eq!(accountable(1, &[]), vec![head]);
        let chair = Position {
            unit: 2,
            kind: PostKind::Head,
            role: AccountableRole::Chair,
        };
        let secretary = Position {
            role: AccountableRole::Secretary,
            ..head
        };
        assert_eq!(accountable(1, &[secretary, chair]), vec![secretary, chair]);
        assert!(position_violations(&[secretary, chair]).is_empty());
        let staff = Position {
            kind: PostKind::Staff,
            ..chair
        };
        let fields: Vec<String> = position_violations(&[secretary, staff, secretary])
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["positions[1].post_kind", "positions[2]"]);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_years_within_the_span_or_the_whole_term() {
        let (start, end) = (d(2021, 7, 1), d(2025, 6, 30));
        assert_eq!(period_dates("term", start, end, false), Some((start, end)));
        let cases = [
            ("2021", Some((d(2021, 7, 1), d(2021, 12, 31)))),
            ("2023", Some((d(2023, 1, 1), d(2023, 12, 31)))),
            ("2025", Some((d(2025, 1, 1), d(2025, 6, 30)))),
        ];
        for (code, want) in cases {
            assert_eq!(period_dates(code, start, end, false), want, "{code}");
        }
        for bad in ["2020", "2026", "22", "2022-Q1", "", "abcd", "+202"] {
            assert_eq!(period_dates(bad, start, end, false), None, "{bad}");
        }
    }

    #[test]
    fn quarters_only_when_the_round_asks() {
        let (start, end) = (d(2021, 7, 1), d(2025, 6, 30));
        let cases = [
            ("2022-Q1", Some((d(2022, 1, 1), d(2022, 3, 31)))),
            ("2024-Q1", Some((d(2024, 1, 1), d(2024, 3, 31)))),
            ("2022-Q4", Some((d(2022, 10, 1), d(2022, 12, 31)))),
            ("2021-Q3", Some((d(2021, 7, 1), d(2021, 9, 30)))),
            ("2021-Q2", None),
            ("2025-Q3", None),
            ("2022-Q5", None),
            ("2022-Q0", None),
            ("2022-Q", None),
        ];
        for (code, want) in cases {
            assert_eq!(period_dates(code, start, end, true), want, "{code}");
        }
        assert_eq!(period_dates("2022-Q1", start, end, false), None);
    }

    #[test]
    fn a_head_change_mid_year_splits_the_grade_by_days() {
        let tenures = [
            Tenure {
                id: 'a',
                from: d(2018, 3, 1),
                to: Some(d(2022, 6, 30)),
            },
            Tenure {
                id: 'b',
                from: d(2022, 7, 1),
                to: None,
            },
            Tenure {
                id: 'c',
                from: d(2015, 1, 1),
                to: Some(d(2017, 12, 31)),
            },
        ];
        let got = attribute(d(2022, 1, 1), d(2022, 12, 31), &tenures);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0, got[0].1, got[0].2),
            ('a', d(2022, 1, 1), d(2022, 6, 30))
        );
        assert!((got[0].3 - 181.0 / 365.0).abs() < 1e-12);
        assert_eq!(
            (got[1].0, got[1].1, got[1].2),
            ('b', d(2022, 7, 1), d(2022, 12, 31))
        );
        assert!((got[0].3 + got[1].3 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_vacancy_leaves_part_unattributed() {
        let tenures = [Tenure {
            id: 1,
            from: d(2022, 4, 1),
            to: None,
        }];
        let got = attribute(d(2022, 1, 1), d(2022, 12, 31), &tenures);
        assert!((got[0].3 - 275.0 / 365.0).abs() < 1e-12);
        assert!(attribute(d(2022, 1, 2), d(2022, 1, 1), &tenures).is_empty());
    }
}
