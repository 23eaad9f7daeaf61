//! What a decided evaluation was used for: the kinds of consequence a grade leads to
//! (commendation, emulation classification, review and discipline, planning, appointment,
//! rotation) and the rules of the decision document that records one.

use chrono::NaiveDate;

use super::Violation;
use crate::vocab_enum;

vocab_enum!(
    /// What an evaluation result was used for.
    ConsequenceKind, "consequence_kind" {
        Commendation => ("commendation", "Khen thưởng", "Commendation and reward"),
        EmulationClassification => ("emulation_classification", "Xếp loại thi đua", "Emulation classification"),
        ReviewDiscipline => ("review_discipline", "Kiểm điểm, làm rõ trách nhiệm", "Review and discipline"),
        Planning => ("planning", "Quy hoạch", "Planning of cadres"),
        Appointment => ("appointment", "Bổ nhiệm", "Appointment"),
        Rotation => ("rotation", "Luân chuyển", "Rotation"),
    }
);

/// The decision document dated `decision_date` checked against `today`: a decision cannot be
/// dated ahead (the consequence records a decision already issued).
pub fn decision_violation(decision_date: NaiveDate, today: NaiveDate) -> Option<Violation> {
    (decision_date > today).then(|| {
        Violation::new(
            "decision_date",
            "in_future",
            "the decision cannot be dated after today",
            "ngày ban hành quyết định không được sau ngày hôm nay",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_decision_may_be_dated_today_or_before_but_not_ahead() {
        let today = d(2026, 11, 30);
        for (date, refused) in [
            (d(2020, 1, 1), false),
            (d(2026, 11, 29), false),
            (today, false),
            (d(2026, 12, 1), true),
        ] {
            let v = decision_violation(date, today);
            assert_eq!(v.is_some(), refused, "{date}");
            if let Some(v) = v {
                assert_eq!((v.field.as_str(), v.code), ("decision_date", "in_future"));
            }
        }
    }

    #[test]
    fn the_kinds_are_the_six_uses_of_a_result_and_round_trip() {
        let codes: Vec<&str> = ConsequenceKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            codes,
            [
                "commendation",
                "emulation_classification",
                "review_discipline",
                "planning",
                "appointment",
                "rotation"
            ]
        );
        for k in ConsequenceKind::ALL {
            assert_eq!(ConsequenceKind::parse(k.as_str()), Some(*k));
        }
    }
}
