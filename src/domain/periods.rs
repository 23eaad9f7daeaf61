//! Reporting periods under the national reporting regime (Decree 09/2019/NĐ-CP): data are cut
//! off on the 14th, so a monthly period runs from the 15th of the previous month to the 14th, a
//! quarter from the 15th of the month before it to the 14th of its last month, a half-year from
//! 15 December to 14 June (and 15 June to 14 December), and a year from 15 December to
//! 14 December.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::vocab_enum;

vocab_enum!(
    /// How often progress is reported in a round.
    Cadence, "reporting_cadence" {
        Monthly => ("monthly", "Hằng tháng", "Monthly"),
        Quarterly => ("quarterly", "Hằng quý", "Quarterly"),
        HalfYearly => ("half_yearly", "6 tháng", "Half-yearly"),
        Yearly => ("yearly", "Hằng năm", "Yearly"),
    }
);

impl Cadence {
    /// Number of periods in a year.
    pub fn per_year(self) -> u32 {
        match self {
            Cadence::Monthly => 12,
            Cadence::Quarterly => 4,
            Cadence::HalfYearly => 2,
            Cadence::Yearly => 1,
        }
    }

    /// Months in one period.
    fn months(self) -> u32 {
        12 / self.per_year()
    }
}

/// One reporting period: the `index`-th (from 1) of `year` at a cadence, with its data window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The cadence.
    pub cadence: Cadence,
    /// The reporting year (the period ends in it).
    pub year: i32,
    /// 1-based position in the year: month 1–12, quarter 1–4, half 1–2, or 1.
    pub index: u32,
    /// First day of the data window.
    pub start: NaiveDate,
    /// Last day of the data window (the cut-off).
    pub end: NaiveDate,
}

impl Period {
    /// The period, or `None` when `index` is out of range for the cadence or the year is not
    /// representable.
    pub fn new(cadence: Cadence, year: i32, index: u32) -> Option<Self> {
        if index == 0 || index > cadence.per_year() {
            return None;
        }
        let last_month = index * cadence.months();
        let end = NaiveDate::from_ymd_opt(year, last_month, 14)?;
        let first_month = last_month - cadence.months() + 1;
        // The window opens on the 15th of the month before its first month.
        let start = if first_month == 1 {
            NaiveDate::from_ymd_opt(year - 1, 12, 15)?
        } else {
            NaiveDate::from_ymd_opt(year, first_month - 1, 15)?
        };
        Some(Self {
            cadence,
            year,
            index,
            start,
            end,
        })
    }

    /// The period of `cadence` whose window contains `day`.
    pub fn containing(cadence: Cadence, day: NaiveDate) -> Option<Self> {
        // After the 14th a day belongs to the window that ends next month.
        let (mut year, mut month) = (day.year(), day.month());
        if day.day() >= 15 {
            if month == 12 {
                year += 1;
                month = 1;
            } else {
                month += 1;
            }
        }
        let index = (month - 1) / cadence.months() + 1;
        Self::new(cadence, year, index)
    }

    /// Every period of `year`, in order.
    pub fn of_year(cadence: Cadence, year: i32) -> Vec<Self> {
        (1..=cadence.per_year())
            .filter_map(|i| Self::new(cadence, year, i))
            .collect()
    }

    /// The periods an assignment reports on: those whose cut-off falls within its time, or, for
    /// an assignment shorter than a period, the one its last day falls in.
    pub fn schedule(cadence: Cadence, start: NaiveDate, end: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = Self::containing(cadence, start);
        while let Some(period) = p {
            if period.end > end || out.len() >= 600 {
                break;
            }
            if period.end >= start {
                out.push(period);
            }
            p = period.next();
        }
        if out.is_empty() {
            out.extend(Self::containing(cadence, end));
        }
        out
    }

    /// The next period.
    pub fn next(&self) -> Option<Self> {
        if self.index == self.cadence.per_year() {
            Self::new(self.cadence, self.year + 1, 1)
        } else {
            Self::new(self.cadence, self.year, self.index + 1)
        }
    }

    /// The day a report for the period is due: `due_days` after the cut-off.
    pub fn due(&self, due_days: u32) -> Option<NaiveDate> {
        self.end.checked_add_days(Days::new(u64::from(due_days)))
    }

    /// Whether `day` falls in the data window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// A stable code: `2022-M03`, `2022-Q1`, `2022-H2`, `2022-Y`.
    pub fn code(&self) -> String {
        match self.cadence {
            Cadence::Monthly => format!("{}-M{:02}", self.year, self.index),
            Cadence::Quarterly => format!("{}-Q{}", self.year, self.index),
            Cadence::HalfYearly => format!("{}-H{}", self.year, self.index),
            Cadence::Yearly => format!("{}-Y", self.year),
        }
    }

    /// Parses a code made by [`Period::code`].
    pub fn parse(code: &str) -> Option<Self> {
        let (year, rest) = code.split_once('-')?;
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let (cadence, index) = match rest.split_at_checked(1)? {
            ("M", n) if n.len() == 2 => (Cadence::Monthly, n.parse().ok()?),
            ("Q", n) if n.len() == 1 => (Cadence::Quarterly, n.parse().ok()?),
            ("H", n) if n.len() == 1 => (Cadence::HalfYearly, n.parse().ok()?),
            ("Y", "") => (Cadence::Yearly, 1),
            _ => return None,
        };
        Self::new(cadence, year, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn windows_follow_the_national_cut_offs() {
        let cases = [
            (Cadence::Monthly, 2022, 1, d(2021, 12, 15), d(2022, 1, 14)),
            (Cadence::Monthly, 2022, 3, d(2022, 2, 15), d(2022, 3, 14)),
            (Cadence::Monthly, 2022, 12, d(2022, 11, 15), d(2022, 12, 14)),
            (Cadence::Quarterly, 2022, 1, d(2021, 12, 15), d(2022, 3, 14)),
            (Cadence::Quarterly, 2022, 2, d(2022, 3, 15), d(2022, 6, 14)),
            (Cadence::Quarterly, 2022, 3, d(2022, 6, 15), d(2022, 9, 14)),
            (Cadence::Quarterly, 2022, 4, d(2022, 9, 15), d(2022, 12, 14)),
            (
                Cadence::HalfYearly,
                2022,
                1,
                d(2021, 12, 15),
                d(2022, 6, 14),
            ),
            (
                Cadence::HalfYearly,
                2022,
                2,
                d(2022, 6, 15),
                d(2022, 12, 14),
            ),
            (Cadence::Yearly, 2022, 1, d(2021, 12, 15), d(2022, 12, 14)),
        ];
        for (cadence, year, index, start, end) in cases {
            let p = Period::new(cadence, year, index).unwrap();
            assert_eq!((p.start, p.end), (start, end), "{}", p.code());
        }
    }

    #[test]
    fn out_of_range_indexes_are_refused() {
        assert!(Period::new(Cadence::Monthly, 2022, 0).is_none());
        assert!(Period::new(Cadence::Monthly, 2022, 13).is_none());
        assert!(Period::new(Cadence::Quarterly, 2022, 5).is_none());
        assert!(Period::new(Cadence::HalfYearly, 2022, 3).is_none());
        assert!(Period::new(Cadence::Yearly, 2022, 2).is_none());
    }

    #[test]
    fn a_year_is_tiled_without_gaps_or_overlaps() {
        for cadence in Cadence::ALL {
            for year in [2023, 2024] {
                let periods = Period::of_year(*cadence, year);
                assert_eq!(periods.len() as u32, cadence.per_year());
                assert_eq!(periods[0].start, d(year - 1, 12, 15));
                assert_eq!(periods.last().unwrap().end, d(year, 12, 14));
                for pair in periods.windows(2) {
                    assert_eq!(pair[0].end.succ_opt().unwrap(), pair[1].start);
                    assert_eq!(pair[0].next(), Some(pair[1]));
                }
                let last = periods.last().unwrap();
                assert_eq!(last.next().unwrap().start, last.end.succ_opt().unwrap());
            }
        }
    }

    #[test]
    fn every_day_falls_in_exactly_the_period_that_contains_it() {
        // Across a year boundary and a leap February.
        let mut day = d(2023, 12, 1);
        while day <= d(2024, 3, 31) {
            for cadence in Cadence::ALL {
                let p = Period::containing(*cadence, day).unwrap();
                assert!(p.contains(day), "{day} not in {}", p.code());
            }
            day = day.succ_opt().unwrap();
        }
        assert_eq!(
            Period::containing(Cadence::Quarterly, d(2023, 12, 14))
                .unwrap()
                .code(),
            "2023-Q4"
        );
        assert_eq!(
            Period::containing(Cadence::Quarterly, d(2023, 12, 15))
                .unwrap()
                .code(),
            "2024-Q1"
        );
        assert_eq!(
            Period::containing(Cadence::Monthly, d(2024, 2, 29))
                .unwrap()
                .code(),
            "2024-M03"
        );
        assert_eq!(
            Period::containing(Cadence::Yearly, d(2024, 12, 31))
                .unwrap()
                .code(),
            "2025-Y"
        );
        let leap = Period::new(Cadence::Monthly, 2024, 3).unwrap();
        assert!(leap.contains(d(2024, 2, 29)));
    }

    #[test]
    fn due_dates_and_codes() {
        let q1 = Period::new(Cadence::Quarterly, 2022, 1).unwrap();
        assert_eq!(q1.due(0), Some(d(2022, 3, 14)));
        assert_eq!(q1.due(6), Some(d(2022, 3, 20)));
        assert_eq!(
            Period::new(Cadence::Yearly, 2022, 1).unwrap().due(20),
            Some(d(2023, 1, 3))
        );
        for cadence in Cadence::ALL {
            for p in Period::of_year(*cadence, 2022) {
                assert_eq!(Period::parse(&p.code()), Some(p));
            }
        }
        for bad in [
            "2022", "2022-Q5", "2022-M1", "2022-M13", "22-Q1", "2022-X1", "2022-Y1", "",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_calendar_year_reports_on_its_four_quarters() {
        let codes: Vec<String> =
            Period::schedule(Cadence::Quarterly, d(2022, 1, 1), d(2022, 12, 31))
                .iter()
                .map(Period::code)
                .collect();
        assert_eq!(codes, ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]);
        let short = Period::schedule(Cadence::Quarterly, d(2022, 12, 20), d(2023, 1, 10));
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].code(), "2023-Q1");
        assert_eq!(
            Period::schedule(Cadence::Monthly, d(2022, 1, 1), d(2023, 12, 31)).len(),
            24
        );
    }
}
