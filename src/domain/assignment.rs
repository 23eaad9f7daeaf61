//! Assignments: the rules their terms must keep (period, kind, target, milestones, flags), the
//! cascade rules between a parent and its children, carry-over into a later year, the
//! commitment status shown to clients, and the roll-up of children into their parent.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

use super::round_rules::{AssignmentFlag, AssignmentKind};
use super::target::{self, Rollup, Target, TargetShape};
use super::workflow::AssignmentState;
use super::Violation;

/// What the shape rules look at in an assignment's terms.
#[derive(Debug, Clone)]
pub struct Shape<'a> {
    /// Task or target.
    pub kind: AssignmentKind,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// Whether a product is described.
    pub has_product_description: bool,
    /// The target, with whether it names its unit of measure.
    pub target: Option<(Target, bool)>,
    /// Whether an indicator code is given.
    pub has_indicator_code: bool,
    /// Whether it is the unit's growth target.
    pub growth_target: bool,
    /// Due date and value of each milestone.
    pub milestones: Vec<(NaiveDate, Option<f64>)>,
    /// Flags.
    pub flags: &'a [AssignmentFlag],
}

/// The rules an assignment's own fields must keep, whatever the database holds.
pub fn shape_violations(a: &Shape<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    if a.end_date < a.start_date {
        out.push(Violation::new(
            "end_date",
            "before_start",
            "ends before it starts",
            "ngày kết thúc trước ngày bắt đầu",
        ));
    } else if a.end_date.year() - a.start_date.year() >= 10 {
        out.push(Violation::new(
            "end_date",
            "too_long",
            "an assignment lasts at most ten years",
            "nhiệm vụ kéo dài tối đa mười năm",
        ));
    }
    match (a.kind, &a.target) {
        (AssignmentKind::Task, Some(_)) => out.push(Violation::new(
            "target",
            "not_allowed",
            "a task has a described product, not a target",
            "nhiệm vụ có sản phẩm mô tả, không có chỉ tiêu",
        )),
        (AssignmentKind::Task, None) if !a.has_product_description => out.push(Violation::new(
            "product_description",
            "required",
            "a task needs a described product",
            "nhiệm vụ cần mô tả sản phẩm",
        )),
        (AssignmentKind::Target, None) => out.push(Violation::new(
            "target",
            "required",
            "a target needs its number",
            "chỉ tiêu cần có số liệu",
        )),
        (AssignmentKind::Target, Some((t, has_unit))) => {
            out.extend(t.validate());
            if t.shape != TargetShape::Milestone && !has_unit {
                out.push(Violation::new(
                    "target.unit_of_measure",
                    "required",
                    "a quantified target needs its unit of measure",
                    "chỉ tiêu định lượng cần có đơn vị tính",
                ));
            }
        }
        _ => {}
    }
    if a.has_indicator_code && a.kind != AssignmentKind::Target {
        out.push(Violation::new(
            "indicator_code",
            "not_allowed",
            "only a target has an indicator code",
            "chỉ chỉ tiêu mới có mã chỉ số",
        ));
    }
    if a.growth_target && a.kind != AssignmentKind::Target {
        out.push(Violation::new(
            "growth_target",
            "not_allowed",
            "only a target can be a growth target",
            "chỉ chỉ tiêu mới có thể là chỉ tiêu tăng trưởng",
        ));
    }
    for (i, (due, value)) in a.milestones.iter().enumerate() {
        if *due < a.start_date || *due > a.end_date {
            out.push(Violation::new(
                format!("milestones[{i}].due_date"),
                "outside_period",
                "due outside the assignment's period",
                "hạn nằm ngoài thời gian thực hiện nhiệm vụ",
            ));
        }
        if value.is_some_and(|v| !v.is_finite()) {
            out.push(Violation::new(
                format!("milestones[{i}].value"),
                "not_finite",
                "must be a finite number",
                "phải là số hữu hạn",
            ));
        }
    }
    for (i, f) in a.flags.iter().enumerate() {
        if a.flags[..i].contains(f) {
            out.push(Violation::new(
                format!("flags[{i}]"),
                "duplicate",
                "listed more than once",
                "bị lặp lại",
            ));
        }
    }
    out
}

/// The assignee must be a unit strictly below the assigning unit; `above` lists the assignee
/// and its ancestors.
pub fn assignee_violation(
    assignee: Uuid,
    assigning_unit: Uuid,
    above: &[Uuid],
) -> Option<Violation> {
    (assignee == assigning_unit || !above.contains(&assigning_unit)).then(|| {
        Violation::new(
            "assignee_unit_id",
            "outside_subtree",
            "the assignee must be a unit below the assigning unit",
            "đơn vị nhận phải là đơn vị cấp dưới của đơn vị giao",
        )
    })
}

/// The facts of a parent assignment the cascade rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Parent {
    /// The unit it was given to.
    pub assignee_unit_id: Uuid,
    /// Its state.
    pub state: AssignmentState,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Its last day.
    pub end_date: NaiveDate,
}

/// The rules a child assignment of a round of `assigning_unit`, running from `start` to `end`,
/// must keep towards its parent: the parent was given to the round's unit, is issued and not
/// withdrawn, and spans the child's period.
pub fn parent_violations(
    parent: &Parent,
    assigning_unit: Uuid,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if parent.assignee_unit_id != assigning_unit {
        out.push(Violation::new(
            "parent_id",
            "not_assigned_to_round_unit",
            "a child is created only by the unit the parent was given to",
            "chỉ đơn vị nhận nhiệm vụ cha mới được giao tiếp nhiệm vụ con",
        ));
    }
    if matches!(
        parent.state,
        AssignmentState::Draft | AssignmentState::Withdrawn
    ) {
        out.push(Violation::new(
            "parent_id",
            "parent_not_active",
            "the parent is not issued or has been withdrawn",
            "nhiệm vụ cha chưa ban hành hoặc đã thu hồi",
        ));
    }
    if start < parent.start_date || end > parent.end_date {
        out.push(Violation::new(
            "end_date",
            "outlives_parent",
            "a child cannot start before or end after its parent",
            "nhiệm vụ con không được bắt đầu trước hoặc kết thúc sau nhiệm vụ cha",
        ));
    }
    out
}

/// The unknown parent.
pub fn unknown_parent() -> Violation {
    Violation::new(
        "parent_id",
        "unknown_reference",
        "no such assignment",
        "không tồn tại",
    )
}

/// The period of an assignment carried over into a round of `year`: by default from 1 January
/// of that year to the later of the old deadline and 31 December of that year.
pub fn carried_period(
    year: i32,
    old: (NaiveDate, NaiveDate),
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> (NaiveDate, NaiveDate) {
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(old.0);
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(old.1);
    (
        start.unwrap_or(year_start),
        end.unwrap_or(old.1.max(year_end)),
    )
}

/// The flags of a carried-over assignment: the old ones plus `carried_over`.
pub fn carried_flags(old: &[AssignmentFlag]) -> Vec<AssignmentFlag> {
    let mut flags = old.to_vec();
    if !flags.contains(&AssignmentFlag::CarriedOver) {
        flags.push(AssignmentFlag::CarriedOver);
    }
    flags
}

crate::vocab_enum!(
    /// Where the commitment to an assignment's terms stands: `none` (never signed), `valid`
    /// (signed on the current terms) or `invalidated` (the terms changed since signing: a new
    /// signature is needed).
    CommitmentStatus, "commitment_status" {
        None => ("none", "Chưa ký cam kết", "Not signed"),
        Valid => ("valid", "Cam kết còn hiệu lực", "Signed on the current terms"),
        Invalidated => ("invalidated", "Cam kết mất hiệu lực do điều khoản thay đổi", "Invalidated: the terms changed"),
    }
);

/// Where an assignment's commitment stands, from its current commitment (if any) and when the
/// last one was invalidated.
pub fn commitment_status(
    commitment: Option<Uuid>,
    invalidated_at: Option<DateTime<Utc>>,
) -> CommitmentStatus {
    match (commitment, invalidated_at) {
        (Some(_), _) => CommitmentStatus::Valid,
        (None, Some(_)) => CommitmentStatus::Invalidated,
        (None, None) => CommitmentStatus::None,
    }
}

/// The number of a target used in roll-ups: its value, or the range's lower bound.
pub fn target_number(t: &Target) -> Option<f64> {
    t.value.or(t.min)
}

/// Children of a parent rolled up by the parent's method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RolledUp {
    /// The children's target numbers rolled up (when every child has one).
    pub children_target_value: Option<f64>,
    /// Whether that reaches the parent's own target.
    pub children_cover_target: Option<bool>,
    /// The children's actual values rolled up (when every child has one).
    pub actual_value: Option<f64>,
}

/// Rolls up the children's `(target number, actual value)` by `method` and compares the rolled
/// up targets with the parent's own target `own`.
pub fn roll_up(
    method: Rollup,
    own: Option<&Target>,
    children: &[(Option<f64>, Option<f64>)],
) -> RolledUp {
    let targets: Option<Vec<f64>> = children.iter().map(|c| c.0).collect();
    let children_target_value = targets.and_then(|t| target::roll_up(method, &t));
    let actuals: Option<Vec<f64>> = children.iter().map(|c| c.1).collect();
    RolledUp {
        children_target_value,
        children_cover_target: match (own, children_target_value) {
            (Some(t), Some(v)) => Some(target::is_met(t, v)),
            _ => None,
        },
        actual_value: actuals.and_then(|a| target::roll_up(method, &a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn at_least(v: f64) -> Target {
        Target {
            shape: TargetShape::AtLeast,
            value: Some(v),
            min: None,
            max: None,
            baseline: None,
        }
    }

    fn task() -> Shape<'static> {
        Shape {
            kind: AssignmentKind::Task,
            start_date: d(2022, 1, 1),
            end_date: d(2022, 12, 31),
            has_product_description: true,
            target: None,
            has_indicator_code: false,
            growth_target: false,
            milestones: vec![],
            flags: &[],
        }
    }

    fn codes(v: &[Violation]) -> Vec<(&str, &str)> {
        v.iter().map(|v| (v.field.as_str(), v.code)).collect()
    }

    #[test]
    fn shape_rules() {
        assert!(shape_violations(&task()).is_empty());
        let flags = [AssignmentFlag::Hard, AssignmentFlag::Hard];
        let cases: Vec<(Shape<'_>, Vec<(&str, &str)>)> = vec![
            (
                Shape {
                    end_date: d(2021, 12, 31),
                    ..task()
                },
                vec![("end_date", "before_start")],
            ),
            (
                Shape {
                    end_date: d(2032, 1, 1),
                    ..task()
                },
                vec![("end_date", "too_long")],
            ),
            (
                Shape {
                    has_product_description: false,
                    ..task()
                },
                vec![("product_description", "required")],
            ),
            (
                Shape {
                    target: Some((at_least(1.0), true)),
                    growth_target: true,
                    has_indicator_code: true,
                    ..task()
                },
                vec![
                    ("target", "not_allowed"),
                    ("indicator_code", "not_allowed"),
                    ("growth_target", "not_allowed"),
                ],
            ),
            (
                Shape {
                    kind: AssignmentKind::Target,
                    ..task()
                },
                vec![("target", "required")],
            ),
            (
                Shape {
                    kind: AssignmentKind::Target,
                    target: Some((at_least(5.0), false)),
                    growth_target: true,
                    has_indicator_code: true,
                    ..task()
                },
                vec![("target.unit_of_measure", "required")],
            ),
            (
                Shape {
                    milestones: vec![(d(2023, 1, 1), None), (d(2022, 6, 1), Some(f64::NAN))],
                    flags: &flags,
                    ..task()
                },
                vec![
                    ("milestones[0].due_date", "outside_period"),
                    ("milestones[1].value", "not_finite"),
                    ("flags[1]", "duplicate"),
                ],
            ),
        ];
        for (shape, expected) in cases {
            assert_eq!(codes(&shape_violations(&shape)), expected, "{shape:?}");
        }
    }

    #[test]
    fn assignee_is_strictly_below() {
        let (top, mid, leaf) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert!(assignee_violation(leaf, top, &[leaf, mid, top]).is_none());
        assert!(assignee_violation(top, top, &[top]).is_some());
        assert!(assignee_violation(mid, leaf, &[mid, top]).is_some());
    }

    #[test]
    fn cascade_rules() {
        let unit = Uuid::now_v7();
        let parent = Parent {
            assignee_unit_id: unit,
            state: AssignmentState::Issued,
            start_date: d(2022, 1, 1),
            end_date: d(2022, 12, 31),
        };
        assert!(parent_violations(&parent, unit, d(2022, 2, 1), d(2022, 11, 30)).is_empty());
        let draft = Parent {
            state: AssignmentState::Draft,
            ..parent
        };
        assert_eq!(
            codes(&parent_violations(
                &draft,
                Uuid::now_v7(),
                d(2021, 12, 1),
                d(2022, 1, 1)
            )),
            vec![
                ("parent_id", "not_assigned_to_round_unit"),
                ("parent_id", "parent_not_active"),
                ("end_date", "outlives_parent"),
            ]
        );
        let withdrawn = Parent {
            state: AssignmentState::Withdrawn,
            ..parent
        };
        assert_eq!(
            codes(&parent_violations(
                &withdrawn,
                unit,
                d(2022, 1, 1),
                d(2023, 1, 1)
            )),
            vec![
                ("parent_id", "parent_not_active"),
                ("end_date", "outlives_parent")
            ]
        );
    }

    #[test]
    fn carry_over_defaults() {
        let old = (d(2022, 1, 1), d(2022, 12, 31));
        assert_eq!(
            carried_period(2023, old, None, None),
            (d(2023, 1, 1), d(2023, 12, 31))
        );
        let long = (d(2021, 1, 1), d(2025, 12, 31));
        assert_eq!(
            carried_period(2023, long, None, None),
            (d(2023, 1, 1), d(2025, 12, 31))
        );
        assert_eq!(
            carried_period(2023, old, Some(d(2023, 3, 1)), Some(d(2023, 6, 30))),
            (d(2023, 3, 1), d(2023, 6, 30))
        );
        assert_eq!(
            carried_flags(&[AssignmentFlag::Hard]),
            vec![AssignmentFlag::Hard, AssignmentFlag::CarriedOver]
        );
        assert_eq!(
            carried_flags(&[AssignmentFlag::CarriedOver]),
            vec![AssignmentFlag::CarriedOver]
        );
    }

    #[test]
    fn commitment_statuses() {
        let now = Utc::now();
        assert_eq!(commitment_status(None, None).as_str(), "none");
        assert_eq!(
            commitment_status(Some(Uuid::now_v7()), Some(now)).as_str(),
            "valid"
        );
        assert_eq!(commitment_status(None, Some(now)).as_str(), "invalidated");
        let json = serde_json::to_value(CommitmentStatus::None).unwrap_or_default();
        assert_eq!(json, "none");
    }

    #[test]
    fn roll_up_of_children() {
        let own = at_least(10.0);
        let r = roll_up(
            Rollup::Sum,
            Some(&own),
            &[(Some(4.0), Some(3.0)), (Some(6.0), Some(5.0))],
        );
        assert_eq!(
            r,
            RolledUp {
                children_target_value: Some(10.0),
                children_cover_target: Some(true),
                actual_value: Some(8.0),
            }
        );
        let r = roll_up(
            Rollup::Sum,
            Some(&own),
            &[(Some(4.0), None), (Some(5.0), Some(5.0))],
        );
        assert_eq!(r.children_cover_target, Some(false));
        assert_eq!(r.actual_value, None);
        let r = roll_up(Rollup::Sum, None, &[(None, Some(1.0))]);
        assert_eq!(
            r,
            RolledUp {
                children_target_value: None,
                children_cover_target: None,
                actual_value: Some(1.0),
            }
        );
        assert_eq!(target_number(&own), Some(10.0));
    }
}
