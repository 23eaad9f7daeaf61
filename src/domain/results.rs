//! Results as the province publishes them: each assignment's status on a day (completed on
//! time, completed late, in progress within its deadline, overdue) and the tallies of a set of
//! assignments ("20 of 23 tasks completed, about 87%"; "28 of 60 completed and 22 of 60 at 80%
//! or more"); and the tally of one quantified indicator across units (how many met it, Σ
//! actual against Σ target).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::grading::Grade;
use super::progress::Timeliness;
use super::target::{completion_ratio, is_exceeded, is_met, Target, TargetShape, EIGHTY_PERCENT};

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
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

/// The results of one quantified indicator across the units it was assigned to, as known at
/// a cut-off: how many met it out of how many assigned, and Σ actual against Σ target.
///
/// The sums are given only where they mean something: every target counted has the same
/// shape, one of `at_least`, `at_most` or `exactly`, the same unit of measure and a finite
/// value; otherwise they are absent. Units without a value yet count in Σ target but not in
/// Σ actual (`with_value` says how many did).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct IndicatorTally {
    /// The unit of measure, when every target counted has the same one.
    pub unit_of_measure: Option<String>,
    /// The shape, when every target counted has the same one.
    pub shape: Option<TargetShape>,
    /// Targets assigned (one per assignment, usually one per unit).
    pub assigned: u32,
    /// Of those, with an actual value by the cut-off.
    pub with_value: u32,
    /// Met.
    pub met: u32,
    /// Exceeded (also counted in `met`): above an `at_least` value or a range's upper bound,
    /// below an `at_most` value.
    pub exceeded: u32,
    /// Not met but at 80% or more of the target.
    pub at_least_80: u32,
    /// Met ÷ assigned, as a percentage rounded to one decimal (absent when nothing is
    /// assigned).
    pub met_rate: Option<f64>,
    /// Σ target values (absent unless the sum is meaningful).
    pub target_sum: Option<f64>,
    /// Σ actual values of the targets with a value (absent unless the sum is meaningful and
    /// some target has a value).
    pub actual_sum: Option<f64>,
    /// Σ actual − Σ target: above zero the targets were exceeded in all by that much (for
    /// `at_most` targets, lower is better, so below zero is better).
    pub difference: Option<f64>,
    /// Targets of different shapes were counted.
    #[serde(skip)]
    mixed_shape: bool,
    /// Targets in different units of measure were counted.
    #[serde(skip)]
    mixed_unit: bool,
    /// A target that cannot be summed (range, milestone, no finite value) was counted.
    #[serde(skip)]
    unsummable: bool,
    /// Σ target values so far, unrounded.
    #[serde(skip)]
    raw_target: f64,
    /// Σ actual values so far, unrounded.
    #[serde(skip)]
    raw_actual: f64,
}

/// `x` rounded to six decimals (so that 0.1 + 0.2 reads 0.3), if finite.
fn tidy(x: f64) -> Option<f64> {
    let r = (x * 1e6).round() / 1e6;
    if r.is_finite() {
        Some(r)
    } else {
        x.is_finite().then_some(x)
    }
}

impl IndicatorTally {
    /// Counts one target, in `unit_of_measure`, with its actual value as known at the
    /// cut-off (`None`, or a non-finite number: no value yet).
    pub fn add(&mut self, target: &Target, unit_of_measure: Option<&str>, actual: Option<f64>) {
        let actual = actual.filter(|v| v.is_finite());
        if self.assigned == 0 {
            self.shape = Some(target.shape);
            self.unit_of_measure = unit_of_measure.map(str::to_owned);
        }
        self.mixed_shape |= self.shape != Some(target.shape);
        self.mixed_unit |= self.unit_of_measure.as_deref() != unit_of_measure;
        if self.mixed_shape {
            self.shape = None;
        }
        if self.mixed_unit {
            self.unit_of_measure = None;
        }
        self.assigned += 1;
        if let Some(v) = actual {
            self.with_value += 1;
            self.raw_actual += v;
            if is_met(target, v) {
                self.met += 1;
            } else if completion_ratio(target, v).is_some_and(|r| r >= EIGHTY_PERCENT) {
                self.at_least_80 += 1;
            }
            if is_exceeded(target, v) {
                self.exceeded += 1;
            }
        }
        let summable_shape = matches!(
            target.shape,
            TargetShape::AtLeast | TargetShape::AtMost | TargetShape::Exactly
        );
        match target.value.filter(|v| v.is_finite() && summable_shape) {
            Some(v) => self.raw_target += v,
            None => self.unsummable = true,
        }
        self.met_rate = (self.assigned > 0)
            .then(|| (self.met as f64 * 1000.0 / self.assigned as f64).round() / 10.0);
        let summable = !(self.mixed_shape || self.mixed_unit || self.unsummable);
        self.target_sum = summable.then(|| tidy(self.raw_target)).flatten();
        self.actual_sum = (summable && self.with_value > 0)
            .then(|| tidy(self.raw_actual))
            .flatten();
        self.difference = self
            .actual_sum
            .zip(self.target_sum)
            .and_then(|_| tidy(self.raw_actual - self.raw_target));
    }
}

/// Grades weighted by the share of the period each person held their position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct WeightedGrades {
    /// Hoàn thành xuất sắc.
    pub excellent: f64,
    /// Hoàn thành tốt.
    pub good: f64,
    /// Hoàn thành.
    pub complete: f64,
    /// Không hoàn thành.
    pub not_complete: f64,
}

/// One person's results: the decided grades of the assignments they answered for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct PersonTally {
    /// Assignments with a decided grade attributed to the person.
    pub graded: u32,
    /// Their grades, one per assignment.
    pub grades: GradeCounts,
    /// The same, each weighted by the share of the period the person held the position (a
    /// head who served half the year carries half of the grade).
    pub weighted: WeightedGrades,
    /// Weighted share of grades `good` or better, as a percentage rounded to one decimal.
    pub good_or_better_rate: Option<f64>,
}

impl PersonTally {
    /// Counts one decided grade carried with `share` of its period.
    pub fn add(&mut self, grade: Grade, share: f64) {
        self.graded += 1;
        let (count, weight) = match grade {
            Grade::Excellent => (&mut self.grades.excellent, &mut self.weighted.excellent),
            Grade::Good => (&mut self.grades.good, &mut self.weighted.good),
            Grade::Complete => (&mut self.grades.complete, &mut self.weighted.complete),
            Grade::NotComplete => (
                &mut self.grades.not_complete,
                &mut self.weighted.not_complete,
            ),
        };
        *count += 1;
        *weight += share;
        let w = &self.weighted;
        let total = w.excellent + w.good + w.complete + w.not_complete;
        self.good_or_better_rate =
            (total > 0.0).then(|| ((w.excellent + w.good) * 1000.0 / total).round() / 10.0);
    }
}

/// Share of an item's points lost when its product came late (NĐ 335/2025: a quarter of the
/// progress points).
pub const LATE_LOSS: f64 = 0.25;

/// One assignment as it counts in its unit's score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScoredItem {
    /// The assignment.
    pub assignment_id: uuid::Uuid,
    /// Its title.
    pub title: String,
    /// Completion ratio known at the cut-off (1.0 = done), if any.
    pub completion: Option<f64>,
    /// Its status at the cut-off.
    pub status: Timeliness,
    /// Points out of 100: completion (capped at 100%), less a quarter when done late.
    pub points: f64,
}

/// The points of one assignment: its completion capped at 100% (none known counts as 0), a
/// quarter less when the product came late; a product done counts in full.
pub fn item_points(completion: Option<f64>, status: Timeliness) -> f64 {
    let done = matches!(
        status,
        Timeliness::CompletedOnTime | Timeliness::CompletedLate
    );
    let ratio = if done {
        1.0
    } else {
        completion
            .filter(|c| c.is_finite())
            .unwrap_or(0.0)
            .clamp(0.0, 1.0)
    };
    let late = if status == Timeliness::CompletedLate {
        1.0 - LATE_LOSS
    } else {
        1.0
    };
    (ratio * late * 1000.0).round() / 10.0
}

/// A unit's place in the ranking, with the items its score is the mean of.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RankedUnit {
    /// Place, 1 first; units with equal scores share a place (1, 2, 2, 4).
    pub rank: u32,
    /// The unit.
    pub unit_id: uuid::Uuid,
    /// Its name.
    pub unit_name: String,
    /// The mean of its items' points, rounded to one decimal.
    pub score: f64,
    /// The items, in the order given.
    pub items: Vec<ScoredItem>,
}

/// Ranks units by the mean points of their items (Imihigo-style performance contracts): best
/// first, equal scores sharing a place, then by name. Units without items are left out.
pub fn rank(units: Vec<(uuid::Uuid, String, Vec<ScoredItem>)>) -> Vec<RankedUnit> {
    let mut scored: Vec<RankedUnit> = units
        .into_iter()
        .filter(|(_, _, items)| !items.is_empty())
        .map(|(unit_id, unit_name, items)| {
            let mean = items.iter().map(|i| i.points).sum::<f64>() / items.len() as f64;
            RankedUnit {
                rank: 0,
                unit_id,
                unit_name,
                score: (mean * 10.0).round() / 10.0,
                items,
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.unit_name.cmp(&b.unit_name))
    });
    let mut previous: Option<(f64, u32)> = None;
    for (i, u) in scored.iter_mut().enumerate() {
        let place = u32::try_from(i + 1).unwrap_or(u32::MAX);
        u.rank = match previous {
            Some((score, rank)) if score == u.score => rank,
            _ => place,
        };
        previous = Some((u.score, u.rank));
    }
    scored
}

/// The five parts of a completion bar: every assignment falls in exactly one, so a stacked bar
/// is as long as the assignments counted. Completed on time and late are [`Tally`]'s own
/// figures, and so is "at least 80%"; in progress and overdue leave out those at 80% or more
/// (the tally counts them in both).
pub const BAR_PARTS: [&str; 5] = [
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Chưa hoàn thành, đạt từ 80% trở lên",
    "Đang thực hiện trong hạn (dưới 80%)",
    "Quá hạn (dưới 80%)",
];

/// Which of the [`BAR_PARTS`] an assignment known as `k` falls in on `day` (an index into it).
pub fn bar_part(k: &Known, day: NaiveDate) -> usize {
    let high = k.completion.is_some_and(|c| c >= EIGHTY_PERCENT);
    match status(k, day) {
        Timeliness::CompletedOnTime => 0,
        Timeliness::CompletedLate => 1,
        _ if high => 2,
        Timeliness::InProgressWithinDeadline => 3,
        Timeliness::Overdue => 4,
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
    fn every_assignment_falls_in_one_bar_part_and_the_parts_match_the_tally() {
        let day = d(12, 31);
        let after = d(6, 1) + chrono::Days::new(365);
        let cases = [
            (known(Some((d(6, 1), d(12, 31))), Some(1.0)), day, 0),
            (known(Some((after, d(6, 1))), Some(1.0)), after, 1),
            (known(None, Some(0.9)), day, 2),
            (known(None, Some(0.9)), after, 2),
            (known(None, Some(0.5)), day, 3),
            (known(None, None), after, 4),
        ];
        let mut parts = [0u32; 5];
        let mut tally = Tally::default();
        for (k, on, part) in &cases {
            assert_eq!(bar_part(k, *on), *part, "{k:?}");
            parts[bar_part(k, day)] += 1;
            tally.add(k, day);
        }
        assert_eq!(parts.iter().sum::<u32>(), tally.assigned);
        assert_eq!(
            (parts[0], parts[1], parts[2]),
            (
                tally.completed_on_time,
                tally.completed_late,
                tally.at_least_80
            )
        );
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
    fn a_person_carries_each_grade_by_the_share_of_the_period_held() {
        let mut t = PersonTally::default();
        t.add(Grade::Excellent, 1.0);
        t.add(Grade::Good, 0.5);
        t.add(Grade::NotComplete, 0.5);
        assert_eq!(t.graded, 3);
        assert_eq!(
            (t.grades.excellent, t.grades.good, t.grades.not_complete),
            (1, 1, 1)
        );
        assert_eq!(t.weighted.good, 0.5);
        assert_eq!(t.good_or_better_rate, Some(75.0));
        assert_eq!(PersonTally::default().good_or_better_rate, None);
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

    fn target(shape: TargetShape, value: Option<f64>) -> Target {
        Target {
            shape,
            value,
            min: None,
            max: None,
            baseline: None,
        }
    }

    #[test]
    fn new_party_members_admitted_against_their_targets() {
        use TargetShape::AtLeast;
        // (target, actual): met and exceeded, met exactly, at 80%, below, no value yet.
        let cases = [
            (120.0, Some(150.0)),
            (80.0, Some(80.0)),
            (100.0, Some(85.0)),
            (50.0, Some(20.0)),
            (40.0, None),
        ];
        let mut t = IndicatorTally::default();
        for (value, actual) in cases {
            t.add(&target(AtLeast, Some(value)), Some("đảng viên"), actual);
        }
        assert_eq!((t.assigned, t.with_value, t.met, t.exceeded), (5, 4, 2, 1));
        assert_eq!(t.at_least_80, 1);
        assert_eq!(t.met_rate, Some(40.0));
        assert_eq!(t.unit_of_measure.as_deref(), Some("đảng viên"));
        assert_eq!(t.shape, Some(AtLeast));
        assert_eq!(t.target_sum, Some(390.0));
        assert_eq!(t.actual_sum, Some(335.0));
        assert_eq!(t.difference, Some(-55.0));
    }

    #[test]
    fn sums_only_where_they_mean_something() {
        use TargetShape::*;
        let range = Target {
            min: Some(8.0),
            max: Some(9.5),
            ..target(Range, None)
        };
        // (targets with unit and actual, Σ target, Σ actual, difference, unit, shape)
        type Case = (
            Vec<(Target, Option<&'static str>, Option<f64>)>,
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<&'static str>,
            Option<TargetShape>,
        );
        let cases: Vec<Case> = vec![
            // at_most in one unit: below the ceiling is better, the difference is negative.
            (
                vec![
                    (target(AtMost, Some(2.0)), Some("vụ"), Some(1.0)),
                    (target(AtMost, Some(3.0)), Some("vụ"), Some(4.0)),
                ],
                Some(5.0),
                Some(5.0),
                Some(0.0),
                Some("vụ"),
                Some(AtMost),
            ),
            // exactly, and no value yet: Σ target only.
            (
                vec![
                    (target(Exactly, Some(0.1)), Some("tỷ đồng"), None),
                    (target(Exactly, Some(0.2)), Some("tỷ đồng"), None),
                ],
                Some(0.3),
                None,
                None,
                Some("tỷ đồng"),
                Some(Exactly),
            ),
            // different units of measure
            (
                vec![
                    (target(AtLeast, Some(2.0)), Some("%"), Some(2.0)),
                    (target(AtLeast, Some(3.0)), Some("đảng viên"), Some(3.0)),
                ],
                None,
                None,
                None,
                None,
                Some(AtLeast),
            ),
            // different shapes
            (
                vec![
                    (target(AtLeast, Some(2.0)), Some("%"), Some(2.0)),
                    (target(AtMost, Some(3.0)), Some("%"), Some(3.0)),
                    (target(AtLeast, Some(3.0)), Some("%"), Some(3.0)),
                ],
                None,
                None,
                None,
                Some("%"),
                None,
            ),
            // a range and a milestone cannot be summed
            (
                vec![(range, Some("%"), Some(9.0))],
                None,
                None,
                None,
                Some("%"),
                Some(Range),
            ),
            (
                vec![(target(Milestone, None), None, Some(1.0))],
                None,
                None,
                None,
                None,
                Some(Milestone),
            ),
            // a unit of measure once missing, then given, is mixed
            (
                vec![
                    (target(AtLeast, Some(1.0)), None, Some(1.0)),
                    (target(AtLeast, Some(1.0)), Some("%"), Some(1.0)),
                    (target(AtLeast, Some(1.0)), None, Some(1.0)),
                ],
                None,
                None,
                None,
                None,
                Some(AtLeast),
            ),
            // an overflowing sum is absent, a non-finite actual is no value
            (
                vec![
                    (target(AtLeast, Some(f64::MAX)), Some("x"), None),
                    (target(AtLeast, Some(f64::MAX)), Some("x"), Some(f64::NAN)),
                ],
                None,
                None,
                None,
                Some("x"),
                Some(AtLeast),
            ),
        ];
        for (lines, target_sum, actual_sum, difference, unit, shape) in cases {
            let mut t = IndicatorTally::default();
            for (target, uom, actual) in &lines {
                t.add(target, *uom, *actual);
            }
            let got = (
                t.target_sum,
                t.actual_sum,
                t.difference,
                t.unit_of_measure.as_deref(),
                t.shape,
            );
            assert_eq!(
                got,
                (target_sum, actual_sum, difference, unit, shape),
                "{lines:?}"
            );
        }
    }

    #[test]
    fn ranges_and_milestones_count_met_and_exceeded() {
        use TargetShape::*;
        let range = Target {
            min: Some(8.0),
            max: Some(9.5),
            ..target(Range, None)
        };
        let mut t = IndicatorTally::default();
        for actual in [Some(9.6), Some(8.0), Some(7.0), Some(6.0), None] {
            t.add(&range, Some("%"), actual);
        }
        assert_eq!(
            (t.met, t.exceeded, t.at_least_80, t.with_value),
            (2, 1, 1, 4)
        );
        let mut m = IndicatorTally::default();
        for actual in [Some(1.0), Some(0.0)] {
            m.add(&target(Milestone, None), None, actual);
        }
        assert_eq!(
            (m.met, m.exceeded, m.at_least_80, m.met_rate),
            (1, 0, 0, Some(50.0))
        );
        assert_eq!(IndicatorTally::default().met_rate, None);
    }

    fn scored(points: &[(Option<f64>, Timeliness)]) -> Vec<ScoredItem> {
        points
            .iter()
            .map(|&(completion, status)| ScoredItem {
                assignment_id: uuid::Uuid::nil(),
                title: "x".into(),
                completion,
                status,
                points: item_points(completion, status),
            })
            .collect()
    }

    #[test]
    fn an_items_points_are_its_completion_less_a_quarter_when_late() {
        use Timeliness::*;
        assert_eq!(item_points(Some(1.3), CompletedOnTime), 100.0);
        assert_eq!(item_points(None, CompletedLate), 75.0);
        assert_eq!(item_points(Some(0.85), InProgressWithinDeadline), 85.0);
        assert_eq!(item_points(Some(1.2), Overdue), 100.0);
        assert_eq!(item_points(None, Overdue), 0.0);
        assert_eq!(item_points(Some(f64::NAN), Overdue), 0.0);
    }

    #[test]
    fn units_rank_by_mean_points_sharing_places_on_ties() {
        use Timeliness::*;
        let u = |n: u128| uuid::Uuid::from_u128(n);
        let ranked = rank(vec![
            (
                u(1),
                "Yên Lạc".into(),
                scored(&[(None, CompletedOnTime), (Some(0.5), Overdue)]),
            ),
            (
                u(2),
                "Bình Xuyên".into(),
                scored(&[(None, CompletedOnTime)]),
            ),
            (
                u(3),
                "Tam Đảo".into(),
                scored(&[(None, CompletedLate), (None, CompletedLate)]),
            ),
            (u(4), "Sông Lô".into(), scored(&[(None, CompletedLate)])),
            (u(5), "Lập Thạch".into(), Vec::new()),
        ]);
        let places: Vec<(u32, &str, f64)> = ranked
            .iter()
            .map(|r| (r.rank, r.unit_name.as_str(), r.score))
            .collect();
        assert_eq!(
            places,
            [
                (1, "Bình Xuyên", 100.0),
                (2, "Sông Lô", 75.0),
                (2, "Tam Đảo", 75.0),
                (2, "Yên Lạc", 75.0),
            ]
        );
    }
}
