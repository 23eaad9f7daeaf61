//! State machines of rounds, assignments, plans and amendments, as pure transition functions.

use crate::vocab_enum;

vocab_enum!(
    /// State of an assignment round.
    RoundState, "round_state" {
        Draft => ("draft", "Dự thảo", "Draft"),
        Issued => ("issued", "Đã ban hành", "Issued"),
        Closed => ("closed", "Đã kết thúc", "Closed"),
    }
);

vocab_enum!(
    /// State of one assignment to the head of a unit.
    AssignmentState, "assignment_state" {
        Draft => ("draft", "Dự thảo", "Draft"),
        Issued => ("issued", "Đã giao", "Issued"),
        Committed => ("committed", "Đã ký cam kết", "Committed"),
        InProgress => ("in_progress", "Đang thực hiện", "In progress"),
        Withdrawn => ("withdrawn", "Đã thu hồi", "Withdrawn"),
    }
);

vocab_enum!(
    /// State of a unit's implementation plan.
    PlanState, "plan_state" {
        Draft => ("draft", "Dự thảo", "Draft"),
        Submitted => ("submitted", "Đã trình", "Submitted"),
        Approved => ("approved", "Đã phê duyệt", "Approved"),
        Returned => ("returned", "Trả lại để hoàn thiện", "Returned for revision"),
    }
);

vocab_enum!(
    /// State of a request to amend an assignment.
    AmendmentState, "amendment_state" {
        Pending => ("pending", "Chờ xem xét", "Pending"),
        Approved => ("approved", "Đã chấp thuận", "Approved"),
        Rejected => ("rejected", "Không chấp thuận", "Rejected"),
    }
);

vocab_enum!(
    /// What an amendment changes.
    AmendmentKind, "amendment_kind" {
        TargetChange => ("target_change", "Điều chỉnh chỉ tiêu", "Change of target"),
        DeadlineChange => ("deadline_change", "Điều chỉnh thời hạn", "Change of deadline"),
        Withdrawal => ("withdrawal", "Thu hồi nhiệm vụ", "Withdrawal"),
    }
);

vocab_enum!(
    /// State of the evaluation of one assignment for one period.
    EvaluationState, "evaluation_state" {
        SelfAssessed => ("self_assessed", "Đã tự đánh giá", "Self-assessed"),
        ReturnedToHead => ("returned_to_head", "Trả lại người đứng đầu", "Returned to the head"),
        Appraised => ("appraised", "Đã thẩm định, đề xuất", "Appraised"),
        ReturnedToBoard => ("returned_to_board", "Trả lại Ban Tổ chức", "Returned to the Organisation Board"),
        Decided => ("decided", "Đã quyết định xếp loại", "Decided"),
        Overridden => ("overridden", "Đã bị cấp trên hủy, xếp loại lại", "Overridden by the superior committee"),
    }
);

/// Declares an action enum with stable codes.
macro_rules! action_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every action, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code of the action.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }
    };
}

action_enum!(
    /// What can be done to a round.
    RoundAction {
        /// Issue the round to the units (draft → issued).
        Issue => "issue",
        /// Close the round (issued → closed).
        Close => "close",
    }
);

action_enum!(
    /// What can be done to an assignment.
    AssignmentAction {
        /// Issue it to the head of the unit (draft → issued).
        Issue => "issue",
        /// The head signs the commitment (issued → committed).
        Commit => "commit",
        /// Work starts (committed → in progress).
        Start => "start",
        /// The terms changed after signing: sign again (committed → issued; in progress stays).
        InvalidateCommitment => "invalidate_commitment",
        /// Withdraw it (any state but withdrawn → withdrawn).
        Withdraw => "withdraw",
    }
);

action_enum!(
    /// What can be done to a plan.
    PlanAction {
        /// Submit it for approval (draft or returned → submitted).
        Submit => "submit",
        /// Approve it (submitted → approved).
        Approve => "approve",
        /// Return it for revision (submitted → returned).
        Return => "return",
        /// Open a new version after amendments (approved → draft).
        Revise => "revise",
    }
);

action_enum!(
    /// What can be done to an amendment.
    AmendmentAction {
        /// Approve it (pending → approved).
        Approve => "approve",
        /// Reject it (pending → rejected).
        Reject => "reject",
    }
);

action_enum!(
    /// What can be done to an evaluation.
    EvaluationAction {
        /// The head assesses again after a return (returned to head → self-assessed).
        SelfAssess => "self_assess",
        /// The Organisation Board appraises and proposes (self-assessed or returned to the
        /// Board → appraised).
        Appraise => "appraise",
        /// Send the last step back with comments (self-assessed → returned to head; appraised →
        /// returned to the Board).
        Return => "return",
        /// The Standing Committee decides the grade (appraised → decided).
        Decide => "decide",
        /// The superior committee cancels the decision and grades again (decided → overridden;
        /// the new grade is a new, decided evaluation).
        Override => "override",
    }
);

/// An action that the current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("action {action} is not allowed in state {from}")]
pub struct TransitionError {
    /// Code of the current state.
    pub from: &'static str,
    /// Code of the refused action.
    pub action: &'static str,
}

impl TransitionError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        format!(
            "không thể thực hiện thao tác {} khi đang ở trạng thái {}",
            self.action, self.from
        )
    }
}

fn refuse<S: Copy>(from: &'static str, action: &'static str) -> Result<S, TransitionError> {
    Err(TransitionError { from, action })
}

impl RoundState {
    /// The state after `action`, or why it is refused.
    pub fn next(self, action: RoundAction) -> Result<RoundState, TransitionError> {
        use RoundAction as A;
        use RoundState as S;
        match (self, action) {
            (S::Draft, A::Issue) => Ok(S::Issued),
            (S::Issued, A::Close) => Ok(S::Closed),
            _ => refuse(self.as_str(), action.as_str()),
        }
    }
}

impl AssignmentState {
    /// Issued and not withdrawn: the head works on it, reports, files evidence, raises
    /// obstacles and is evaluated.
    pub fn is_under_way(self) -> bool {
        matches!(
            self,
            AssignmentState::Issued | AssignmentState::Committed | AssignmentState::InProgress
        )
    }

    /// The state after `action`, or why it is refused.
    pub fn next(self, action: AssignmentAction) -> Result<AssignmentState, TransitionError> {
        use AssignmentAction as A;
        use AssignmentState as S;
        match (self, action) {
            (S::Draft, A::Issue) => Ok(S::Issued),
            (S::Issued, A::Commit) => Ok(S::Committed),
            (S::Committed, A::Start) => Ok(S::InProgress),
            (S::Committed, A::InvalidateCommitment) => Ok(S::Issued),
            (S::InProgress, A::InvalidateCommitment) => Ok(S::InProgress),
            (S::Withdrawn, A::Withdraw) => refuse(self.as_str(), action.as_str()),
            (_, A::Withdraw) => Ok(S::Withdrawn),
            _ => refuse(self.as_str(), action.as_str()),
        }
    }
}

impl PlanState {
    /// The state after `action`, or why it is refused.
    pub fn next(self, action: PlanAction) -> Result<PlanState, TransitionError> {
        use PlanAction as A;
        use PlanState as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
            (S::Submitted, A::Approve) => Ok(S::Approved),
            (S::Submitted, A::Return) => Ok(S::Returned),
            (S::Approved, A::Revise) => Ok(S::Draft),
            _ => refuse(self.as_str(), action.as_str()),
        }
    }
}

impl AmendmentState {
    /// The state after `action`, or why it is refused.
    pub fn next(self, action: AmendmentAction) -> Result<AmendmentState, TransitionError> {
        match (self, action) {
            (AmendmentState::Pending, AmendmentAction::Approve) => Ok(AmendmentState::Approved),
            (AmendmentState::Pending, AmendmentAction::Reject) => Ok(AmendmentState::Rejected),
            _ => refuse(self.as_str(), action.as_str()),
        }
    }
}

impl EvaluationState {
    /// The state after `action`, or why it is refused. A decided grade changes only through
    /// an override.
    pub fn next(self, action: EvaluationAction) -> Result<EvaluationState, TransitionError> {
        use EvaluationAction as A;
        use EvaluationState as S;
        match (self, action) {
            (S::ReturnedToHead, A::SelfAssess) => Ok(S::SelfAssessed),
            (S::SelfAssessed | S::ReturnedToBoard, A::Appraise) => Ok(S::Appraised),
            (S::SelfAssessed, A::Return) => Ok(S::ReturnedToHead),
            (S::Appraised, A::Return) => Ok(S::ReturnedToBoard),
            (S::Appraised, A::Decide) => Ok(S::Decided),
            (S::Decided, A::Override) => Ok(S::Overridden),
            _ => refuse(self.as_str(), action.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_way_is_issued_and_not_withdrawn() {
        use AssignmentState as S;
        let under_way: Vec<S> = S::ALL
            .iter()
            .copied()
            .filter(|s| s.is_under_way())
            .collect();
        assert_eq!(under_way, [S::Issued, S::Committed, S::InProgress]);
    }

    #[test]
    fn evaluation_transitions() {
        use EvaluationAction as A;
        use EvaluationState as S;
        check_all(
            S::ALL,
            A::ALL,
            &[
                (S::ReturnedToHead, A::SelfAssess, S::SelfAssessed),
                (S::SelfAssessed, A::Appraise, S::Appraised),
                (S::ReturnedToBoard, A::Appraise, S::Appraised),
                (S::SelfAssessed, A::Return, S::ReturnedToHead),
                (S::Appraised, A::Return, S::ReturnedToBoard),
                (S::Appraised, A::Decide, S::Decided),
                (S::Decided, A::Override, S::Overridden),
            ],
            |s, a| s.next(a),
            |s, a| (s.as_str(), a.as_str()),
        );
    }

    /// Checks every (state, action) pair: those in `allowed` lead to the given state, every
    /// other pair is refused with the state's and action's codes.
    fn check_all<S, A>(
        states: &[S],
        actions: &[A],
        allowed: &[(S, A, S)],
        next: impl Fn(S, A) -> Result<S, TransitionError>,
        codes: impl Fn(S, A) -> (&'static str, &'static str),
    ) where
        S: Copy + PartialEq + std::fmt::Debug,
        A: Copy + PartialEq + std::fmt::Debug,
    {
        for &s in states {
            for &a in actions {
                let got = next(s, a);
                match allowed.iter().find(|(fs, fa, _)| *fs == s && *fa == a) {
                    Some((_, _, to)) => assert_eq!(got, Ok(*to), "{s:?} {a:?}"),
                    None => {
                        let (from, action) = codes(s, a);
                        assert_eq!(got, Err(TransitionError { from, action }), "{s:?} {a:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn round_transitions() {
        use RoundAction as A;
        use RoundState as S;
        check_all(
            S::ALL,
            A::ALL,
            &[
                (S::Draft, A::Issue, S::Issued),
                (S::Issued, A::Close, S::Closed),
            ],
            S::next,
            |s, a| (s.as_str(), a.as_str()),
        );
    }

    #[test]
    fn assignment_transitions() {
        use AssignmentAction as A;
        use AssignmentState as S;
        check_all(
            S::ALL,
            A::ALL,
            &[
                (S::Draft, A::Issue, S::Issued),
                (S::Issued, A::Commit, S::Committed),
                (S::Committed, A::Start, S::InProgress),
                (S::Committed, A::InvalidateCommitment, S::Issued),
                (S::InProgress, A::InvalidateCommitment, S::InProgress),
                (S::Draft, A::Withdraw, S::Withdrawn),
                (S::Issued, A::Withdraw, S::Withdrawn),
                (S::Committed, A::Withdraw, S::Withdrawn),
                (S::InProgress, A::Withdraw, S::Withdrawn),
            ],
            S::next,
            |s, a| (s.as_str(), a.as_str()),
        );
    }

    #[test]
    fn plan_transitions() {
        use PlanAction as A;
        use PlanState as S;
        check_all(
            S::ALL,
            A::ALL,
            &[
                (S::Draft, A::Submit, S::Submitted),
                (S::Returned, A::Submit, S::Submitted),
                (S::Submitted, A::Approve, S::Approved),
                (S::Submitted, A::Return, S::Returned),
                (S::Approved, A::Revise, S::Draft),
            ],
            S::next,
            |s, a| (s.as_str(), a.as_str()),
        );
    }

    #[test]
    fn amendment_transitions() {
        use AmendmentAction as A;
        use AmendmentState as S;
        check_all(
            S::ALL,
            A::ALL,
            &[
                (S::Pending, A::Approve, S::Approved),
                (S::Pending, A::Reject, S::Rejected),
            ],
            S::next,
            |s, a| (s.as_str(), a.as_str()),
        );
    }

    #[test]
    fn error_messages() {
        let err = RoundState::Closed.next(RoundAction::Issue).unwrap_err();
        assert_eq!(
            err.to_string(),
            "action issue is not allowed in state closed"
        );
        assert_eq!(
            err.message_vi(),
            "không thể thực hiện thao tác issue khi đang ở trạng thái closed"
        );
    }

    #[test]
    fn codes_round_trip() {
        for k in AmendmentKind::ALL {
            assert_eq!(AmendmentKind::parse(k.as_str()), Some(*k));
        }
        for s in AssignmentState::ALL {
            assert_eq!(AssignmentState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            AssignmentAction::InvalidateCommitment.as_str(),
            "invalidate_commitment"
        );
    }
}
