//! Validity periods: closed date intervals `[from, to]`, `to = None` meaning open-ended.

use chrono::NaiveDate;

/// A closed period of validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// First valid day.
    pub from: NaiveDate,
    /// Last valid day, if the period has ended or is planned to end.
    pub to: Option<NaiveDate>,
}

impl Validity {
    /// A period, or `None` when it ends before it starts.
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Option<Self> {
        match to {
            Some(to) if to < from => None,
            _ => Some(Self { from, to }),
        }
    }

    /// Whether `day` falls inside the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Validity) -> bool {
        self.to.is_none_or(|to| other.from <= to) && other.to.is_none_or(|to| self.from <= to)
    }

    /// Whether `self` lies wholly inside `outer`.
    pub fn within(&self, outer: &Validity) -> bool {
        outer.from <= self.from
            && match (outer.to, self.to) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(o), Some(s)) => s <= o,
            }
    }

    /// The period closed on the day before `day` (the day a successor takes over).
    pub fn closed_before(&self, day: NaiveDate) -> Option<Self> {
        Self::new(self.from, day.pred_opt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rejects_reversed_periods_and_accepts_single_days() {
        assert!(Validity::new(d("2025-07-01"), Some(d("2025-06-30"))).is_none());
        let one = Validity::new(d("2025-07-01"), Some(d("2025-07-01"))).unwrap();
        assert!(one.contains(d("2025-07-01")));
        assert!(!one.contains(d("2025-07-02")));
    }

    #[test]
    fn open_ended_contains_the_future() {
        let v = Validity::new(d("2021-01-01"), None).unwrap();
        assert!(v.contains(d("2100-01-01")));
        assert!(!v.contains(d("2020-12-31")));
    }

    #[test]
    fn overlap_is_inclusive_at_the_edges() {
        let a = Validity::new(d("2021-01-01"), Some(d("2025-06-30"))).unwrap();
        let b = Validity::new(d("2025-06-30"), None).unwrap();
        let c = Validity::new(d("2025-07-01"), None).unwrap();
        assert!(a.overlaps(&b));
        assert!(!a.overlaps(&c));
        assert!(b.overlaps(&c));
    }

    #[test]
    fn within_respects_open_ends() {
        let outer = Validity::new(d("2021-01-01"), None).unwrap();
        let inner = Validity::new(d("2022-01-01"), Some(d("2022-12-31"))).unwrap();
        assert!(inner.within(&outer));
        assert!(!outer.within(&inner));
    }

    #[test]
    fn closing_before_the_successor_day() {
        let v = Validity::new(d("2021-01-01"), None).unwrap();
        assert_eq!(
            v.closed_before(d("2025-07-01")).unwrap().to,
            Some(d("2025-06-30"))
        );
        assert!(v.closed_before(d("2021-01-01")).is_none());
    }
}
