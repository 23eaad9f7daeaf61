//! Progress reporting rules: report states, confidence, and timeliness as the government's task
//! tracking reports it (completed on time, completed late, in progress within deadline, overdue).

use chrono::NaiveDate;

use crate::domain::workflow::TransitionError;
use crate::vocab_enum;

vocab_enum!(
    /// State of a progress report.
    ReportState, "report_state" {
        Draft => ("draft", "Dự thảo", "Draft"),
        Submitted => ("submitted", "Đã gửi", "Submitted"),
        Accepted => ("accepted", "Đã tiếp nhận", "Accepted"),
        Returned => ("returned", "Trả lại", "Returned"),
    }
);

vocab_enum!(
    /// How confident the head is of meeting the assignment.
    Confidence, "confidence" {
        OnTrack => ("on_track", "Đúng tiến độ", "On track"),
        AtRisk => ("at_risk", "Có nguy cơ chậm", "At risk"),
        OffTrack => ("off_track", "Chậm tiến độ", "Off track"),
    }
);

vocab_enum!(
    /// Timeliness of a report or an assignment.
    Timeliness, "timeliness" {
        CompletedOnTime => ("completed_on_time", "Hoàn thành đúng hạn", "Completed on time"),
        CompletedLate => ("completed_late", "Hoàn thành quá hạn", "Completed late"),
        InProgressWithinDeadline => ("in_progress_within_deadline", "Đang thực hiện trong hạn", "In progress within deadline"),
        Overdue => ("overdue", "Quá hạn", "Overdue"),
    }
);

vocab_enum!(
    /// State of an obstacle raised on an assignment.
    ObstacleState, "obstacle_state" {
        Open => ("open", "Chờ hỗ trợ", "Open"),
        Answered => ("answered", "Đã trả lời", "Answered"),
        Resolved => ("resolved", "Đã tháo gỡ", "Resolved"),
    }
);

/// What can be done to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    /// Change its content (a draft or returned report; an accepted one opens a new revision).
    Edit,
    /// Send it to the Organisation Board.
    Submit,
    /// The Board accepts it.
    Accept,
    /// The Board returns it with comments.
    Return,
}

impl ReportAction {
    fn as_str(self) -> &'static str {
        match self {
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Accept => "accept",
            ReportAction::Return => "return",
        }
    }
}

impl ReportState {
    /// The state after `action`, or why it is refused. Editing an accepted report is a
    /// correction: it reopens it as a draft of the next revision.
    pub fn next(self, action: ReportAction) -> Result<ReportState, TransitionError> {
        use ReportAction as A;
        use ReportState as S;
        match (self, action) {
            (S::Draft | S::Accepted, A::Edit) => Ok(S::Draft),
            (S::Returned, A::Edit) => Ok(S::Returned),
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Accept) => Ok(S::Accepted),
            (S::Submitted, A::Return) => Ok(S::Returned),
            _ => Err(TransitionError {
                from: self.as_str(),
                action: action.as_str(),
            }),
        }
    }
}

impl Confidence {
    fn rank(self) -> u8 {
        match self {
            Confidence::OnTrack => 0,
            Confidence::AtRisk => 1,
            Confidence::OffTrack => 2,
        }
    }

    /// Whether moving from `previous` to `self` is a worsening (which needs a narrative).
    pub fn worse_than(self, previous: Confidence) -> bool {
        self.rank() > previous.rank()
    }
}

/// Timeliness of a report due on `due`: by the day it was first submitted, or, if it never
/// was, by whether the due date has passed on `today`. A missing report is the same as one
/// never submitted.
pub fn report_timeliness(
    first_submitted: Option<NaiveDate>,
    due: NaiveDate,
    today: NaiveDate,
) -> Timeliness {
    match first_submitted {
        Some(day) if day <= due => Timeliness::CompletedOnTime,
        Some(_) => Timeliness::CompletedLate,
        None if today <= due => Timeliness::InProgressWithinDeadline,
        None => Timeliness::Overdue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    #[test]
    fn timeliness_table() {
        let due = d(3, 19);
        let cases = [
            (Some(d(3, 10)), d(4, 1), Timeliness::CompletedOnTime),
            (Some(due), d(4, 1), Timeliness::CompletedOnTime),
            (Some(d(3, 20)), d(4, 1), Timeliness::CompletedLate),
            (None, d(3, 1), Timeliness::InProgressWithinDeadline),
            (None, due, Timeliness::InProgressWithinDeadline),
            (None, d(3, 20), Timeliness::Overdue),
        ];
        for (submitted, today, expected) in cases {
            assert_eq!(
                report_timeliness(submitted, due, today),
                expected,
                "{submitted:?} {today}"
            );
        }
    }

    #[test]
    fn report_transitions() {
        use ReportAction as A;
        use ReportState as S;
        let allowed = [
            (S::Draft, A::Edit, S::Draft),
            (S::Draft, A::Submit, S::Submitted),
            (S::Returned, A::Edit, S::Returned),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Accept, S::Accepted),
            (S::Submitted, A::Return, S::Returned),
            (S::Accepted, A::Edit, S::Draft),
        ];
        for from in ReportState::ALL {
            for action in [A::Edit, A::Submit, A::Accept, A::Return] {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| f == from && *a == action)
                    .map(|(_, _, to)| *to);
                assert_eq!(from.next(action).ok(), expected, "{from} {action:?}");
            }
        }
    }

    #[test]
    fn confidence_worsens_only_downwards() {
        assert!(Confidence::AtRisk.worse_than(Confidence::OnTrack));
        assert!(Confidence::OffTrack.worse_than(Confidence::AtRisk));
        assert!(!Confidence::OnTrack.worse_than(Confidence::OffTrack));
        assert!(!Confidence::AtRisk.worse_than(Confidence::AtRisk));
    }
}
