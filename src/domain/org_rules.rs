//! Rules of units, groups, cadres and posts that need no database: periods that must fit,
//! dates that may not lie ahead, members a group may take.

use chrono::NaiveDate;
use uuid::Uuid;

use super::validity::Validity;
use super::Violation;

/// A date of birth after `today`, as a violation.
pub fn birth_violation(date_of_birth: Option<NaiveDate>, today: NaiveDate) -> Option<Violation> {
    date_of_birth.filter(|d| *d > today).map(|_| {
        Violation::new(
            "date_of_birth",
            "in_future",
            "the date of birth is in the future",
            "ngày sinh không được ở tương lai",
        )
    })
}

/// A post ending (`valid_to`) before it starts, as a violation.
pub fn post_ends_before_start(from: NaiveDate, to: Option<NaiveDate>) -> Option<Violation> {
    to.filter(|t| *t < from).map(|_| {
        Violation::new(
            "valid_to",
            "before_valid_from",
            "a post cannot end before it starts",
            "ngày kết thúc không được trước ngày bắt đầu",
        )
    })
}

/// Why a post from `from` to `to` does not fit in the validity of its `unit`: the unit must be
/// valid on the first day, and a unit that ends takes its posts with it.
pub fn post_outside_unit(
    unit: &Validity,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Option<Violation> {
    if !unit.contains(from) {
        return Some(Violation::new(
            "valid_from",
            "unit_not_valid",
            "the unit is not valid on this day",
            "đơn vị không có hiệu lực vào ngày này",
        ));
    }
    let unit_end = unit.to?;
    to.is_none_or(|t| t > unit_end).then(|| {
        Violation::new(
            "valid_to",
            "after_unit_end",
            format!("the unit ends on {unit_end}; the post must end by then"),
            format!(
                "đơn vị kết thúc hoạt động ngày {unit_end}; chức vụ phải kết thúc trước hoặc vào ngày đó"
            ),
        )
    })
}

/// A unit closing (`valid_to`) before it starts, as a violation.
pub fn unit_closes_before_start(from: NaiveDate, to: NaiveDate) -> Option<Violation> {
    (to < from).then(|| {
        Violation::new(
            "valid_to",
            "before_valid_from",
            "a unit cannot close before it starts",
            "ngày kết thúc không được trước ngày bắt đầu",
        )
    })
}

/// A move on a day the unit is not valid, as a violation.
pub fn move_outside_validity(unit: &Validity, day: NaiveDate) -> Option<Violation> {
    (!unit.contains(day)).then(|| {
        Violation::new(
            "effective_date",
            "unit_not_valid",
            "the unit is not valid on the effective date",
            "đơn vị không có hiệu lực vào ngày này",
        )
    })
}

/// Why `unit` cannot join a group owned by `owner` (reported on `field`); `readable` says
/// whether the caller can see the unit at all.
pub fn member_violation(owner: Uuid, unit: Uuid, readable: bool, field: &str) -> Option<Violation> {
    if unit == owner {
        Some(Violation::new(
            field,
            "owner_as_member",
            "the owner unit cannot be a member of its own group",
            "đơn vị sở hữu nhóm không thể là thành viên của nhóm",
        ))
    } else if !readable {
        Some(Violation::new(
            field,
            "unknown_reference",
            "no such unit",
            "không tồn tại",
        ))
    } else {
        None
    }
}

/// A member listed a second time (reported on `field`).
pub fn duplicate_member(field: &str) -> Violation {
    Violation::new(field, "duplicate", "listed more than once", "bị lặp lại")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn birth_dates_ahead_are_refused() {
        let today = d(2025, 7, 1);
        assert!(birth_violation(None, today).is_none());
        assert!(birth_violation(Some(today), today).is_none());
        assert_eq!(
            birth_violation(Some(d(2025, 7, 2)), today).map(|v| v.code),
            Some("in_future")
        );
    }

    #[test]
    fn posts_fit_their_unit() {
        let open = Validity {
            from: d(2020, 1, 1),
            to: None,
        };
        let closing = Validity {
            from: d(2020, 1, 1),
            to: Some(d(2025, 6, 30)),
        };
        let code = |v: Option<Violation>| v.map(|v| v.code);
        assert_eq!(code(post_outside_unit(&open, d(2021, 1, 1), None)), None);
        assert_eq!(
            code(post_outside_unit(&open, d(2019, 1, 1), None)),
            Some("unit_not_valid")
        );
        assert_eq!(
            code(post_outside_unit(&closing, d(2021, 1, 1), None)),
            Some("after_unit_end")
        );
        assert_eq!(
            code(post_outside_unit(
                &closing,
                d(2021, 1, 1),
                Some(d(2025, 7, 1))
            )),
            Some("after_unit_end")
        );
        assert_eq!(
            code(post_outside_unit(
                &closing,
                d(2021, 1, 1),
                Some(d(2025, 6, 30))
            )),
            None
        );
        assert_eq!(
            code(post_ends_before_start(d(2021, 1, 2), Some(d(2021, 1, 1)))),
            Some("before_valid_from")
        );
        assert_eq!(code(post_ends_before_start(d(2021, 1, 2), None)), None);
    }

    #[test]
    fn unit_dates() {
        let v = Validity {
            from: d(2020, 1, 1),
            to: None,
        };
        assert!(unit_closes_before_start(v.from, d(2019, 12, 31)).is_some());
        assert!(unit_closes_before_start(v.from, v.from).is_none());
        assert!(move_outside_validity(&v, d(2019, 12, 31)).is_some());
        assert!(move_outside_validity(&v, d(2024, 1, 1)).is_none());
    }

    #[test]
    fn group_members() {
        let (owner, other) = (Uuid::now_v7(), Uuid::now_v7());
        let code = |v: Option<Violation>| v.map(|v| v.code);
        assert_eq!(
            code(member_violation(owner, owner, true, "m")),
            Some("owner_as_member")
        );
        assert_eq!(
            code(member_violation(owner, other, false, "m")),
            Some("unknown_reference")
        );
        assert_eq!(code(member_violation(owner, other, true, "m")), None);
        assert_eq!(duplicate_member("m").code, "duplicate");
    }
}
