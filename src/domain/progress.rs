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
    /// The action's code, e.g. `submit`.
    pub fn as_str(self) -> &'static str {
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

/// What can be done to an obstacle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObstacleAction {
    /// A supervisor (or the assigning side) answers with the support given.
    Respond,
    /// The head's unit confirms the obstacle is removed.
    Resolve,
    /// The assigning side certifies it as an objective cause (once).
    CertifyObjectiveCause,
}

impl ObstacleAction {
    /// The action's code, e.g. `respond`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObstacleAction::Respond => "respond",
            ObstacleAction::Resolve => "resolve",
            ObstacleAction::CertifyObjectiveCause => "certify_objective_cause",
        }
    }
}

/// Where an obstacle stands: its state, and whether it was certified as an objective cause
/// (a certification does not change the state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObstacleStatus {
    /// `open`, `answered` or `resolved`.
    pub state: ObstacleState,
    /// Certified as an objective cause.
    pub objective_cause: bool,
}

/// Why an action on an obstacle is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObstacleRefusal {
    /// It is resolved: nothing more to answer or resolve.
    AlreadyResolved,
    /// It is certified already (once only).
    AlreadyCertified,
}

impl ObstacleStatus {
    /// Where the obstacle stands after `action`, or why it is refused. An answer may be
    /// given again until the obstacle is resolved; certification is independent of the state.
    pub fn next(self, action: ObstacleAction) -> Result<ObstacleStatus, ObstacleRefusal> {
        use ObstacleAction as A;
        match action {
            A::Respond | A::Resolve if self.state == ObstacleState::Resolved => {
                Err(ObstacleRefusal::AlreadyResolved)
            }
            A::Respond => Ok(ObstacleStatus {
                state: ObstacleState::Answered,
                ..self
            }),
            A::Resolve => Ok(ObstacleStatus {
                state: ObstacleState::Resolved,
                ..self
            }),
            A::CertifyObjectiveCause if self.objective_cause => {
                Err(ObstacleRefusal::AlreadyCertified)
            }
            A::CertifyObjectiveCause => Ok(ObstacleStatus {
                objective_cause: true,
                ..self
            }),
        }
    }
}

/// Timeliness of a whole reporting schedule on `today`, from each period's due date and
/// timeliness: `overdue` when any report due before today is missing or came in late,
/// otherwise `in_progress_within_deadline`.
pub fn schedule_timeliness(
    periods: impl IntoIterator<Item = (NaiveDate, Timeliness)>,
    today: NaiveDate,
) -> Timeliness {
    let overdue = periods.into_iter().any(|(due, t)| {
        due < today && matches!(t, Timeliness::Overdue | Timeliness::CompletedLate)
    });
    if overdue {
        Timeliness::Overdue
    } else {
        Timeliness::InProgressWithinDeadline
    }
}

/// Days a schedule has gone without a report on `today`: since the last submission, or since
/// the assignment started if there was none (never negative).
pub fn stale_days(last_submitted: Option<NaiveDate>, start: NaiveDate, today: NaiveDate) -> i64 {
    (today - last_submitted.unwrap_or(start)).num_days().max(0)
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
    fn schedule_is_overdue_only_for_past_missing_or_late_reports() {
        use Timeliness as T;
        let today = d(6, 1);
        let cases: [(&[(NaiveDate, T)], T); 7] = [
            (&[], T::InProgressWithinDeadline),
            (
                &[(d(3, 19), T::CompletedOnTime)],
                T::InProgressWithinDeadline,
            ),
            (&[(d(3, 19), T::Overdue)], T::Overdue),
            (&[(d(3, 19), T::CompletedLate)], T::Overdue),
            // due today or later: not yet overdue, whatever its timeliness says
            (&[(today, T::Overdue)], T::InProgressWithinDeadline),
            (
                &[(d(9, 19), T::InProgressWithinDeadline)],
                T::InProgressWithinDeadline,
            ),
            (
                &[(d(3, 19), T::CompletedOnTime), (d(5, 19), T::Overdue)],
                T::Overdue,
            ),
        ];
        for (periods, expected) in cases {
            assert_eq!(
                schedule_timeliness(periods.iter().copied(), today),
                expected,
                "{periods:?}"
            );
        }
    }

    #[test]
    fn stale_days_count_from_last_submission_or_start() {
        assert_eq!(stale_days(None, d(1, 1), d(1, 11)), 10);
        assert_eq!(stale_days(Some(d(3, 1)), d(1, 1), d(3, 4)), 3);
        assert_eq!(stale_days(None, d(7, 1), d(6, 1)), 0);
    }

    #[test]
    fn obstacle_actions() {
        use ObstacleAction as A;
        use ObstacleState as S;
        let at = |state, objective_cause| ObstacleStatus {
            state,
            objective_cause,
        };
        assert_eq!(
            at(S::Open, false).next(A::Respond),
            Ok(at(S::Answered, false))
        );
        assert_eq!(
            at(S::Answered, false).next(A::Respond),
            Ok(at(S::Answered, false))
        );
        assert_eq!(
            at(S::Open, true).next(A::Resolve),
            Ok(at(S::Resolved, true))
        );
        assert_eq!(
            at(S::Answered, false).next(A::Resolve),
            Ok(at(S::Resolved, false))
        );
        for a in [A::Respond, A::Resolve] {
            assert_eq!(
                at(S::Resolved, false).next(a),
                Err(ObstacleRefusal::AlreadyResolved)
            );
        }
        assert_eq!(
            at(S::Resolved, false).next(A::CertifyObjectiveCause),
            Ok(at(S::Resolved, true))
        );
        assert_eq!(
            at(S::Open, true).next(A::CertifyObjectiveCause),
            Err(ObstacleRefusal::AlreadyCertified)
        );
    }

    #[test]
    fn confidence_worsens_only_downwards() {
        assert!(Confidence::AtRisk.worse_than(Confidence::OnTrack));
        assert!(Confidence::OffTrack.worse_than(Confidence::AtRisk));
        assert!(!Confidence::OnTrack.worse_than(Confidence::OffTrack));
        assert!(!Confidence::AtRisk.worse_than(Confidence::AtRisk));
    }
}
