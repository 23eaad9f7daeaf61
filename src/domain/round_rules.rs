//! Per-group rules of an assignment round and the check that a round is ready to issue.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::Violation;
use crate::vocab_enum;

vocab_enum!(
    /// Area of work an assignment belongs to.
    ContentArea, "content_area" {
        PartyBuilding => ("party_building", "Xây dựng Đảng", "Party building"),
        GovernmentBuilding => ("government_building", "Xây dựng chính quyền", "Government building"),
        SocioEconomic => ("socio_economic", "Phát triển kinh tế - xã hội", "Socio-economic development"),
        NationalDefence => ("national_defence", "Quốc phòng", "National defence"),
        Security => ("security", "An ninh", "Security"),
        FrontAndMassWork => ("front_and_mass_work", "Công tác Mặt trận, đoàn thể", "Front and mass organisation work"),
        Other => ("other", "Khác", "Other"),
    }
);

vocab_enum!(
    /// Kind of assignment.
    AssignmentKind, "assignment_kind" {
        Task => ("task", "Nhiệm vụ (có sản phẩm cụ thể)", "Task (with a described product)"),
        Target => ("target", "Chỉ tiêu (có số liệu)", "Target (with a number)"),
    }
);

vocab_enum!(
    /// Qualities that mark an assignment out.
    AssignmentFlag, "assignment_flag" {
        Hard => ("hard", "Khó", "Hard"),
        New => ("new", "Mới", "New"),
        Unprecedented => ("unprecedented", "Chưa có tiền lệ", "Unprecedented"),
        LongStanding => ("long_standing", "Tồn đọng, kéo dài", "Long-standing"),
        CarriedOver => ("carried_over", "Chuyển tiếp", "Carried over"),
    }
);

/// The rule a round sets for the heads of the units of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    /// Group id.
    pub group_id: Uuid,
    /// Group code, used to order and name breaches.
    pub group_code: String,
    /// Fewest assignments (tasks and targets together) per unit.
    pub min_tasks: i32,
    /// Most assignments per unit, if limited.
    pub max_tasks: Option<i32>,
    /// Areas each unit must have at least one assignment in.
    pub required_content_areas: Vec<ContentArea>,
    /// Whether each unit must have a growth target.
    pub growth_target_required: bool,
}

impl GroupRule {
    /// Violations of the rule's own consistency.
    pub fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        if self.min_tasks < 0 {
            out.push(Violation::new(
                "min_tasks",
                "negative",
                "the minimum number of tasks cannot be negative",
                "số nhiệm vụ tối thiểu không được âm",
            ));
        }
        if let Some(max) = self.max_tasks {
            if max < self.min_tasks.max(0) {
                out.push(Violation::new(
                    "max_tasks",
                    "max_below_min",
                    "the maximum number of tasks cannot be below the minimum",
                    "số nhiệm vụ tối đa không được nhỏ hơn số tối thiểu",
                ));
            } else if (max as usize) < distinct_areas(&self.required_content_areas) {
                out.push(Violation::new(
                    "max_tasks",
                    "max_below_required_areas",
                    "the maximum number of tasks is below the number of required content areas",
                    "số nhiệm vụ tối đa nhỏ hơn số lĩnh vực bắt buộc",
                ));
            }
        }
        out
    }
}

fn distinct_areas(areas: &[ContentArea]) -> usize {
    areas
        .iter()
        .map(|a| a.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// An assignment as planned in a round, before it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedAssignment {
    /// Unit whose head receives it.
    pub assignee_unit_id: Uuid,
    /// Its area of work.
    pub content_area: ContentArea,
    /// Task or target.
    pub kind: AssignmentKind,
    /// Whether it is a growth target (chỉ tiêu tăng trưởng).
    pub growth_target: bool,
}

crate::code_enum!(
    /// Which rule of a group a unit's planned assignments break.
    BreachCode {
        TooFewTasks => "too_few_tasks",
        TooManyTasks => "too_many_tasks",
        MissingContentArea => "missing_content_area",
        MissingGrowthTarget => "missing_growth_target",
        UnitInSeveralGroups => "unit_in_several_groups",
    }
);

/// A unit whose planned assignments break its group's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// Code of the group whose rule is broken.
    pub group_code: String,
    /// The unit concerned.
    pub unit_id: Uuid,
    /// Stable machine code of the broken rule.
    pub code: BreachCode,
    /// English message.
    pub message_en: String,
    /// Vietnamese message.
    pub message_vi: String,
}

/// Every breach of the rules in `rules` (each with its member units) by the planned
/// `assignments`, ordered by group code, then unit id, then code. Assignments of both kinds
/// count towards the number of tasks; assignments to units outside every group are ignored.
/// A unit that is a member of several groups is reported under each of them.
pub fn readiness(
    rules: &[(GroupRule, Vec<Uuid>)],
    assignments: &[PlannedAssignment],
) -> Vec<Breach> {
    let mut by_unit: BTreeMap<Uuid, Vec<&PlannedAssignment>> = BTreeMap::new();
    for a in assignments {
        by_unit.entry(a.assignee_unit_id).or_default().push(a);
    }
    let mut groups_of: BTreeMap<Uuid, BTreeSet<&str>> = BTreeMap::new();
    for (rule, members) in rules {
        for unit in members {
            groups_of
                .entry(*unit)
                .or_default()
                .insert(rule.group_code.as_str());
        }
    }

    let mut out = Vec::new();
    for (rule, members) in rules {
        let members: BTreeSet<Uuid> = members.iter().copied().collect();
        for unit in members {
            let planned = by_unit.get(&unit).map(Vec::as_slice).unwrap_or_default();
            let breach = |code, en: String, vi: String| Breach {
                group_code: rule.group_code.clone(),
                unit_id: unit,
                code,
                message_en: en,
                message_vi: vi,
            };
            let count = planned.len();
            if count < usize::try_from(rule.min_tasks).unwrap_or(0) {
                out.push(breach(
                    BreachCode::TooFewTasks,
                    format!(
                        "{count} tasks planned, at least {} required",
                        rule.min_tasks
                    ),
                    format!(
                        "mới giao {count} nhiệm vụ, cần ít nhất {} nhiệm vụ",
                        rule.min_tasks
                    ),
                ));
            }
            if let Some(max) = rule.max_tasks {
                if count > usize::try_from(max).unwrap_or(0) {
                    out.push(breach(
                        BreachCode::TooManyTasks,
                        format!("{count} tasks planned, at most {max} allowed"),
                        format!("đã giao {count} nhiệm vụ, tối đa {max} nhiệm vụ"),
                    ));
                }
            }
            let mut seen = BTreeSet::new();
            for area in &rule.required_content_areas {
                if !seen.insert(area.as_str()) || planned.iter().any(|a| a.content_area == *area) {
                    continue;
                }
                let term = ContentArea::terms()
                    .into_iter()
                    .find(|t| t.code == area.as_str());
                let (en, vi) = term.map_or(("", ""), |t| (t.label_en, t.label_vi));
                out.push(breach(
                    BreachCode::MissingContentArea,
                    format!("no task in the required area {en} ({area})"),
                    format!("chưa có nhiệm vụ thuộc lĩnh vực bắt buộc {vi}"),
                ));
            }
            if rule.growth_target_required && !planned.iter().any(|a| a.growth_target) {
                out.push(breach(
                    BreachCode::MissingGrowthTarget,
                    "no growth target planned".to_string(),
                    "chưa giao chỉ tiêu tăng trưởng".to_string(),
                ));
            }
            let groups = &groups_of[&unit];
            if groups.len() > 1 {
                let list = groups.iter().copied().collect::<Vec<_>>().join(", ");
                out.push(breach(
                    BreachCode::UnitInSeveralGroups,
                    format!("the unit belongs to several groups with rules: {list}"),
                    format!("đơn vị thuộc nhiều nhóm có quy định: {list}"),
                ));
            }
        }
    }
    out.sort_by(|a, b| {
        (a.group_code.as_str(), a.unit_id, a.code.as_str()).cmp(&(
            b.group_code.as_str(),
            b.unit_id,
            b.code.as_str(),
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContentArea::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn rule(
        code: &str,
        min: i32,
        max: Option<i32>,
        areas: &[ContentArea],
        growth: bool,
    ) -> GroupRule {
        GroupRule {
            group_id: Uuid::from_u128(code.bytes().map(u128::from).sum()),
            group_code: code.to_string(),
            min_tasks: min,
            max_tasks: max,
            required_content_areas: areas.to_vec(),
            growth_target_required: growth,
        }
    }

    fn task(unit: u128, area: ContentArea) -> PlannedAssignment {
        PlannedAssignment {
            assignee_unit_id: id(unit),
            content_area: area,
            kind: AssignmentKind::Task,
            growth_target: false,
        }
    }

    fn growth(unit: u128) -> PlannedAssignment {
        PlannedAssignment {
            assignee_unit_id: id(unit),
            content_area: SocioEconomic,
            kind: AssignmentKind::Target,
            growth_target: true,
        }
    }

    fn codes(breaches: &[Breach]) -> Vec<(&str, Uuid, &str)> {
        breaches
            .iter()
            .map(|b| (b.group_code.as_str(), b.unit_id, b.code.as_str()))
            .collect()
    }

    /// The 2022 practice: Party boards 3 tasks; Front and mass organisations 3 tasks, one in
    /// each of Party building, government building and socio-economic development;
    /// departments 5 tasks; localities at least 4 including a growth target.
    fn rules_2022() -> Vec<(GroupRule, Vec<Uuid>)> {
        vec![
            (rule("ban_dang", 3, Some(3), &[], false), vec![id(1), id(2)]),
            (
                rule(
                    "mat_tran_doan_the",
                    3,
                    Some(3),
                    &[PartyBuilding, GovernmentBuilding, SocioEconomic],
                    false,
                ),
                vec![id(11)],
            ),
            (rule("so_nganh", 5, Some(5), &[], false), vec![id(21)]),
            (rule("dia_phuong", 4, None, &[], true), vec![id(31), id(32)]),
        ]
    }

    fn compliant_2022() -> Vec<PlannedAssignment> {
        let mut out = Vec::new();
        for unit in [1, 2] {
            out.extend([task(unit, PartyBuilding); 3]);
        }
        out.extend([
            task(11, PartyBuilding),
            task(11, GovernmentBuilding),
            task(11, SocioEconomic),
        ]);
        out.extend([task(21, SocioEconomic); 5]);
        out.extend([
            task(31, SocioEconomic),
            task(31, Security),
            task(31, Other),
            growth(31),
        ]);
        out.extend([task(32, SocioEconomic); 6]);
        out.push(growth(32));
        out
    }

    #[test]
    fn the_2022_rules_are_consistent_and_met() {
        for (rule, _) in rules_2022() {
            assert!(rule.validate().is_empty(), "{}", rule.group_code);
        }
        assert!(readiness(&rules_2022(), &compliant_2022()).is_empty());
    }

    #[test]
    fn the_2022_rules_report_every_breach_in_order() {
        let mut planned: Vec<_> = compliant_2022()
            .into_iter()
            // unit 2 loses a task, unit 11 its government-building task, unit 31 its growth target
            .enumerate()
            .filter(|(i, a)| {
                let dropped = (*i == 3 && a.assignee_unit_id == id(2))
                    || (a.assignee_unit_id == id(11) && a.content_area == GovernmentBuilding)
                    || (a.assignee_unit_id == id(31) && a.growth_target);
                !dropped
            })
            .map(|(_, a)| a)
            .collect();
        planned.push(task(21, Security));
        planned.push(task(99, Other)); // outside every group: ignored
        let breaches = readiness(&rules_2022(), &planned);
        assert_eq!(
            codes(&breaches),
            vec![
                ("ban_dang", id(2), "too_few_tasks"),
                ("dia_phuong", id(31), "missing_growth_target"),
                ("dia_phuong", id(31), "too_few_tasks"),
                ("mat_tran_doan_the", id(11), "missing_content_area"),
                ("mat_tran_doan_the", id(11), "too_few_tasks"),
                ("so_nganh", id(21), "too_many_tasks"),
            ]
        );
        let front = &breaches[3];
        assert!(front.message_en.contains("government_building"));
        assert!(front.message_vi.contains("Xây dựng chính quyền"));
        assert_eq!(
            breaches[0].message_en,
            "2 tasks planned, at least 3 required"
        );
    }

    #[test]
    fn a_unit_without_any_assignment_breaches_every_rule() {
        let rules = vec![(
            rule(
                "mttq",
                3,
                Some(3),
                &[PartyBuilding, GovernmentBuilding],
                true,
            ),
            vec![id(5)],
        )];
        assert_eq!(
            codes(&readiness(&rules, &[])),
            vec![
                ("mttq", id(5), "missing_content_area"),
                ("mttq", id(5), "missing_content_area"),
                ("mttq", id(5), "missing_growth_target"),
                ("mttq", id(5), "too_few_tasks"),
            ]
        );
    }

    #[test]
    fn a_unit_in_two_groups_is_a_breach_in_each() {
        let rules = vec![
            (rule("b", 1, None, &[], false), vec![id(7), id(8)]),
            (rule("a", 1, None, &[], false), vec![id(7), id(7)]),
        ];
        let planned = [task(7, Other), task(8, Other)];
        let breaches = readiness(&rules, &planned);
        assert_eq!(
            codes(&breaches),
            vec![
                ("a", id(7), "unit_in_several_groups"),
                ("b", id(7), "unit_in_several_groups"),
            ]
        );
        assert!(breaches[0].message_en.ends_with("a, b"));
    }

    #[test]
    fn rule_validation_table() {
        let cases = [
            (rule("x", 0, None, &[], false), vec![]),
            (rule("x", 3, Some(3), &[], false), vec![]),
            (
                rule("x", -1, None, &[], false),
                vec![("min_tasks", "negative")],
            ),
            (
                rule("x", -1, Some(-1), &[], false),
                vec![("min_tasks", "negative"), ("max_tasks", "max_below_min")],
            ),
            (
                rule("x", 4, Some(3), &[], false),
                vec![("max_tasks", "max_below_min")],
            ),
            (
                rule("x", 1, Some(2), &[PartyBuilding, Security, Other], false),
                vec![("max_tasks", "max_below_required_areas")],
            ),
            (rule("x", 1, Some(2), &[Security, Security], false), vec![]),
        ];
        for (rule, expected) in cases {
            let got: Vec<_> = rule
                .validate()
                .into_iter()
                .map(|v| (v.field, v.code))
                .collect();
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(f, c)| (f.to_string(), c))
                .collect();
            assert_eq!(got, expected, "{rule:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for a in ContentArea::ALL {
            assert_eq!(ContentArea::parse(a.as_str()), Some(*a));
        }
        for f in AssignmentFlag::ALL {
            assert_eq!(AssignmentFlag::parse(f.as_str()), Some(*f));
        }
        for k in AssignmentKind::ALL {
            assert_eq!(AssignmentKind::parse(k.as_str()), Some(*k));
        }
    }
}
