//! Rules of department data feeds: the day a fed row stands for, what became of it, and whether
//! a fed value disagrees with the head's own.

use chrono::NaiveDate;

use crate::domain::periods::Period;
use crate::vocab_enum;

vocab_enum!(
    /// Where a recorded value comes from.
    Provenance, "observation_provenance" {
        Feed => ("feed", "Hệ thống kết nối", "Department feed"),
        SelfReport => ("self_report", "Tự báo cáo", "Self-reported"),
        Verifier => ("verifier", "Kiểm tra, xác minh", "Verifier"),
    }
);

/// What became of one row of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// A new value.
    Imported,
    /// A known external id with another value.
    Updated,
    /// A known external id with the same value.
    Ignored,
    /// Refused (see [`Rejection`]).
    Rejected,
}

impl RowStatus {
    /// The wire code.
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Imported => "imported",
            RowStatus::Updated => "updated",
            RowStatus::Ignored => "ignored",
            RowStatus::Rejected => "rejected",
        }
    }

    /// The status of an accepted row: new when its external id is unknown, else ignored when
    /// nothing changed and updated otherwise.
    pub fn of_accepted(known: bool, unchanged: bool) -> Self {
        match (known, unchanged) {
            (false, _) => RowStatus::Imported,
            (true, false) => RowStatus::Updated,
            (true, true) => RowStatus::Ignored,
        }
    }
}

/// Why a row was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    /// Its shape is wrong (field rules, a non-finite value, no single day).
    Invalid,
    /// No unit has its code on its day.
    UnknownUnit,
    /// The client's licences do not cover its indicator, unit and day.
    OutsideLicence,
    /// No issued target assignment of the unit with its indicator covers its day.
    NoAssignment,
    /// Its external id came earlier in the same batch.
    DuplicateInBatch,
}

impl Rejection {
    /// The wire code.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::Invalid => "invalid",
            Rejection::UnknownUnit => "unknown_unit",
            Rejection::OutsideLicence => "outside_licence",
            Rejection::NoAssignment => "no_assignment",
            Rejection::DuplicateInBatch => "duplicate_in_batch",
        }
    }
}

/// The day a row stands for: the cut-off of its period (e.g. `2022-Q1`) or its date; `None`
/// when it gives both, neither, or an unknown period.
pub fn observed_day(period: Option<&str>, date: Option<NaiveDate>) -> Option<NaiveDate> {
    match (period, date) {
        (Some(p), None) => Period::parse(p).map(|p| p.end),
        (None, Some(d)) => Some(d),
        _ => None,
    }
}

/// Whether `day` falls within `from ..= to` (open-ended when `to` is `None`).
pub fn within(day: NaiveDate, from: NaiveDate, to: Option<NaiveDate>) -> bool {
    from <= day && to.is_none_or(|t| day <= t)
}

/// Whether a fed value and a self-reported one differ by more than `tolerance`, relative to the
/// self-reported value (or absolutely, when that is zero).
pub fn mismatch(fed: f64, self_reported: f64, tolerance: f64) -> bool {
    let diff = (fed - self_reported).abs();
    if self_reported == 0.0 {
        diff > tolerance
    } else {
        diff / self_reported.abs() > tolerance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_codes_serialize_as_their_wire_codes() {
        use RowStatus as S;
        for s in [S::Imported, S::Updated, S::Ignored, S::Rejected] {
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        use Rejection as R;
        for r in [
            R::Invalid,
            R::UnknownUnit,
            R::OutsideLicence,
            R::NoAssignment,
            R::DuplicateInBatch,
        ] {
            assert_eq!(serde_json::to_value(r).ok(), Some(r.as_str().into()));
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_row_stands_for_its_date_or_the_end_of_its_period() {
        assert_eq!(observed_day(None, Some(d(2022, 2, 3))), Some(d(2022, 2, 3)));
        // The cut-off of the first quarter is 14 March.
        assert_eq!(observed_day(Some("2022-Q1"), None), Some(d(2022, 3, 14)));
        assert_eq!(observed_day(Some("2022-Q1"), Some(d(2022, 2, 3))), None);
        assert_eq!(observed_day(None, None), None);
        assert_eq!(observed_day(Some("soon"), None), None);
    }

    #[test]
    fn validity_is_inclusive_and_may_be_open() {
        let (from, to) = (d(2022, 1, 1), d(2022, 12, 31));
        assert!(within(from, from, Some(to)));
        assert!(within(to, from, Some(to)));
        assert!(!within(d(2023, 1, 1), from, Some(to)));
        assert!(!within(d(2021, 12, 31), from, None));
        assert!(within(d(2099, 1, 1), from, None));
    }

    #[test]
    fn status_of_an_accepted_row() {
        assert_eq!(RowStatus::of_accepted(false, false), RowStatus::Imported);
        assert_eq!(RowStatus::of_accepted(false, true), RowStatus::Imported);
        assert_eq!(RowStatus::of_accepted(true, false), RowStatus::Updated);
        assert_eq!(RowStatus::of_accepted(true, true), RowStatus::Ignored);
        assert_eq!(Rejection::DuplicateInBatch.as_str(), "duplicate_in_batch");
        assert_eq!(
            Provenance::parse("self_report"),
            Some(Provenance::SelfReport)
        );
    }

    #[test]
    fn mismatch_table() {
        let cases = [
            (100.0, 100.0, 0.05, false),
            (105.0, 100.0, 0.05, false),
            (105.1, 100.0, 0.05, true),
            (94.9, 100.0, 0.05, true),
            (0.0, 0.0, 0.05, false),
            (0.04, 0.0, 0.05, false),
            (0.06, 0.0, 0.05, true),
            (-10.0, -10.4, 0.05, false),
            (-10.0, -11.0, 0.05, true),
        ];
        for (fed, own, tol, expected) in cases {
            assert_eq!(mismatch(fed, own, tol), expected, "{fed} vs {own}");
        }
    }
}
