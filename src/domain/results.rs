//! Results as the province publishes them: each assignment's status on a day (completed on
//! time, completed late, in progress within its deadline, overdue) and the tallies of a set of
//! assignments ("20 of 23 tasks completed, about 87%"; "28 of 60 completed and 22 of 60 at 80%
//! or more").

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::grading::Grade;
use super::progress::Timeliness;
use super::target::EIGHTY_PERCENT;

/// What is known of one assignment on the day of a report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Known {
    /// Deadline.
    pub end_date: NaiveDate,
    /// Completion ratio of the latest accepted report (1.0 = done), if any.
    pub completion: Option<f64>,
    /// The first accepted report that showed it done: the day it was first submitted and
    /// that report's due date.
    pub done_by: Option<(NaiveDate, NaiveDate)>,
    /// The decided grade, if any.
    pub grade: Option<Grade>,
}

/// The assignment's status on `day`: done by a report submitted by its due date (and covering
/// a period that started by the deadline) is on time, done later is late; not done — or graded
/// `not_complete`, whatever the reports say — is in progress until the deadline and overdue
/// after it.
pub fn status(k: &Known, day: NaiveDate) -> Timeliness {
    let done_by = k.done_by.filter(|_| k.grade != Some(Grade::NotComplete));
    match done_by {
        Some((submitted, due)) if submitted <= due.max(k.end_date) => Timeliness::CompletedOnTime,
        Some(_) => Timeliness::CompletedLate,
        None if day <= k.end_date => Timeliness::InProgressWithinDeadline,
        None => Timeliness::Overdue,
    }
}

/// Counts of grades.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct GradeCounts {
    /// Hoàn thành xuất sắc.
    pub excellent: u32,
    /// Hoàn thành tốt.
    pub good: u32,
    /// Hoàn thành.
    pub complete: u32,
    /// Không hoàn thành.
    pub not_complete: u32,
    /// Not graded yet.
    pub ungraded: u32,
}

/// The tally of a set of assignments on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Tally {
    /// Assignments.
    pub assigned: u32,
    /// Whose deadline has passed, or that are done already.
    pub due: u32,
    /// Done, in all.
    pub completed: u32,
    /// Done on time.
    pub completed_on_time: u32,
    /// Done late.
    pub completed_late: u32,
    /// Not done but at 80% or more of their target.
    pub at_least_80: u32,
    /// Not done, deadline not passed.
    pub in_progress: u32,
    /// Not done, deadline passed.
    pub overdue: u32,
    /// Completed ÷ due, as a percentage rounded to one decimal (absent when nothing is due).
    pub completion_rate: Option<f64>,
    /// Decided grades.
    pub grades: GradeCounts,
}

impl Tally {
    /// Counts one assignment as known on `day`.
    pub fn add(&mut self, k: &Known, day: NaiveDate) {
        self.assigned += 1;
        match status(k, day) {
            Timeliness::CompletedOnTime => self.completed_on_time += 1,
            Timeliness::CompletedLate => self.completed_late += 1,
            Timeliness::InProgressWithinDeadline => self.in_progress += 1,
            Timeliness::Overdue => self.overdue += 1,
        }
        let done = matches!(
            status(k, day),
            Timeliness::CompletedOnTime | Timeliness::CompletedLate
        );
        if !done && k.completion.is_some_and(|c| c >= EIGHTY_PERCENT) {
            self.at_least_80 += 1;
        }
        self.completed = self.completed_on_time + self.completed_late;
        self.due = self.completed + self.overdue;
        self.completion_rate = (self.due > 0)
            .then(|| (self.completed as f64 * 1000.0 / self.due as f64).round() / 10.0);
        let g = &mut self.grades;
        match k.grade {
            Some(Grade::Excellent) => g.excellent += 1,
            Some(Grade::Good) => g.good += 1,
            Some(Grade::Complete) => g.complete += 1,
            Some(Grade::NotComplete) => g.not_complete += 1,
            None => g.ungraded += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn known(done_by: Option<(NaiveDate, NaiveDate)>, completion: Option<f64>) -> Known {
        Known {
            end_date: d(12, 31),
            completion,
            done_by,
            grade: None,
        }
    }

    #[test]
    fn status_table() {
        let cases = [
            (
                Some((d(12, 20), d(12, 19))),
                d(6, 1),
                Timeliness::CompletedOnTime,
            ),
            (
                Some((d(9, 20), d(9, 19))),
                d(6, 1),
                Timeliness::CompletedOnTime,
            ),
            (
                Some((d(12, 31), d(12, 19))),
                d(6, 1),
                Timeliness::CompletedOnTime,
            ),
            (None, d(12, 31), Timeliness::InProgressWithinDeadline),
            (
                None,
                NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
                Timeliness::Overdue,
            ),
        ];
        for (done_by, day, expected) in cases {
            assert_eq!(
                status(&known(done_by, None), day),
                expected,
                "{done_by:?} {day}"
            );
        }
        let late = Known {
            done_by: Some((
                NaiveDate::from_ymd_opt(2023, 1, 25).unwrap(),
                NaiveDate::from_ymd_opt(2023, 1, 19).unwrap(),
            )),
            ..known(None, None)
        };
        assert_eq!(status(&late, d(6, 1)), Timeliness::CompletedLate);
    }

    #[test]
    fn twenty_of_twenty_three_is_about_87_percent() {
        let after = NaiveDate::from_ymd_opt(2023, 1, 31).unwrap();
        let mut t = Tally::default();
        for i in 0..23 {
            let k = if i < 20 {
                known(Some((d(12, 10), d(12, 19))), Some(1.0))
            } else if i < 22 {
                known(None, Some(0.85))
            } else {
                known(None, Some(0.5))
            };
            t.add(&k, after);
        }
        assert_eq!((t.assigned, t.due, t.completed), (23, 23, 20));
        assert_eq!((t.overdue, t.at_least_80, t.in_progress), (3, 2, 0));
        assert_eq!(t.completion_rate, Some(87.0));
        assert_eq!(t.grades.ungraded, 23);
    }

    #[test]
    fn a_task_graded_not_complete_is_not_completed_whatever_its_reports_say() {
        let k = Known {
            grade: Some(Grade::NotComplete),
            ..known(Some((d(12, 10), d(12, 19))), Some(1.0))
        };
        let after = NaiveDate::from_ymd_opt(2023, 1, 31).unwrap();
        assert_eq!(status(&k, after), Timeliness::Overdue);
        let mut t = Tally::default();
        t.add(&k, after);
        assert_eq!((t.completed, t.overdue, t.grades.not_complete), (0, 1, 1));
    }

    #[test]
    fn nothing_due_has_no_rate_and_grades_are_counted() {
        let mut t = Tally::default();
        t.add(
            &Known {
                grade: Some(Grade::Good),
                ..known(None, Some(0.9))
            },
            d(6, 1),
        );
        assert_eq!(t.completion_rate, None);
        assert_eq!((t.in_progress, t.at_least_80, t.grades.good), (1, 1, 1));
    }
}
