//! The quota of excellent grades in a group of similar units: which grades count when one
//! evaluation of the group proposes or decides a grade.

use super::grading::{quota_check, Grade, Quota, QuotaCheck};

/// Where another evaluation of the group stands: the Organisation Board's proposal and the
/// Standing Committee's decision, as far as they exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// The appraised (proposed) grade.
    pub appraised: Option<Grade>,
    /// The decided grade.
    pub decided: Option<Grade>,
}

/// The excellent and good grades of the group with `own` counted: each other evaluation
/// counts its decided grade, else (unless `decided_only`) its proposed one.
pub fn count(others: &[Standing], own: Grade, decided_only: bool) -> (u32, u32) {
    let standing = others.iter().map(|s| {
        if decided_only {
            s.decided
        } else {
            s.decided.or(s.appraised)
        }
    });
    standing
        .chain(std::iter::once(Some(own)))
        .fold((0, 0), |(excellent, good), g| match g {
            Some(Grade::Excellent) => (excellent + 1, good),
            Some(Grade::Good) => (excellent, good + 1),
            _ => (excellent, good),
        })
}

/// The group's quota check with `own` counted among the `others`.
pub fn group_quota(
    quota: &Quota,
    others: &[Standing],
    own: Grade,
    decided_only: bool,
) -> QuotaCheck {
    let (excellent, good) = count(others, own, decided_only);
    quota_check(quota, excellent, good)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Grade::*;

    fn s(appraised: Option<Grade>, decided: Option<Grade>) -> Standing {
        Standing { appraised, decided }
    }

    #[test]
    fn the_own_grade_always_counts() {
        assert_eq!(count(&[], Excellent, false), (1, 0));
        assert_eq!(count(&[], Good, true), (0, 1));
        assert_eq!(count(&[], Complete, false), (0, 0));
    }

    #[test]
    fn a_decision_wins_over_a_proposal() {
        let others = [
            s(Some(Excellent), Some(Good)),
            s(Some(Good), None),
            s(None, Some(Excellent)),
            s(Some(NotComplete), None),
            s(None, None),
        ];
        assert_eq!(count(&others, Excellent, false), (2, 2));
    }

    #[test]
    fn decided_only_ignores_proposals() {
        let others = [
            s(Some(Excellent), None),
            s(Some(Good), Some(Good)),
            s(None, Some(Excellent)),
        ];
        assert_eq!(count(&others, Good, true), (1, 2));
    }

    #[test]
    fn the_check_uses_the_counts() {
        let quota = Quota {
            excellent_max_share_of_good: 0.2,
        };
        let good = vec![s(None, Some(Good)); 5];
        let within = group_quota(&quota, &good, Excellent, true);
        assert_eq!(
            (within.excellent, within.good, within.exceeded),
            (1, 5, false)
        );
        let mut more = good.clone();
        more.push(s(Some(Excellent), None));
        let over = group_quota(&quota, &more, Excellent, false);
        assert_eq!((over.excellent, over.good, over.exceeded), (2, 5, true));
    }
}
