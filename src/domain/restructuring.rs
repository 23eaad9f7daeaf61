//! Merge and split of organisation units: which units close, which children move where.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use super::validity::Validity;
use super::Violation;

/// A unit as it stands on the effective date of a restructuring.
#[derive(Debug, Clone)]
pub struct UnitAtDate {
    /// Unit id.
    pub id: Uuid,
    /// Its validity period.
    pub validity: Validity,
    /// Children whose parent link is valid on the effective date.
    pub children: Vec<Uuid>,
}

/// What a restructuring does, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Units closed the day before the effective date.
    pub close: Vec<Uuid>,
    /// Children re-attached to a successor (child id, index of the successor).
    pub moves: Vec<(Uuid, usize)>,
}

fn check_open(unit: &UnitAtDate, field: String, effective: NaiveDate, out: &mut Vec<Violation>) {
    if !unit.validity.contains(effective) {
        out.push(Violation::new(
            field,
            "not_valid_on_effective_date",
            "the unit is not valid on the effective date",
            "đơn vị không còn hiệu lực vào ngày có hiệu lực",
        ));
    } else if unit.validity.from >= effective {
        out.push(Violation::new(
            field,
            "starts_on_or_after_effective_date",
            "the unit must exist before the effective date to be closed by it",
            "đơn vị phải tồn tại trước ngày có hiệu lực",
        ));
    }
}

/// Plans a merge of `predecessors` into one new successor (index 0) from `effective`.
pub fn plan_merge(
    predecessors: &[UnitAtDate],
    effective: NaiveDate,
) -> Result<Plan, Vec<Violation>> {
    let mut errors = Vec::new();
    let distinct: HashSet<_> = predecessors.iter().map(|u| u.id).collect();
    if predecessors.len() < 2 || distinct.len() != predecessors.len() {
        errors.push(Violation::new(
            "predecessor_ids",
            "at_least_two_distinct",
            "a merge needs at least two distinct predecessor units",
            "hợp nhất cần ít nhất hai đơn vị khác nhau",
        ));
    }
    for (i, unit) in predecessors.iter().enumerate() {
        check_open(
            unit,
            format!("predecessor_ids[{i}]"),
            effective,
            &mut errors,
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let moves = predecessors
        .iter()
        .flat_map(|u| u.children.iter())
        .filter(|c| !distinct.contains(c))
        .map(|c| (*c, 0))
        .collect();
    Ok(Plan {
        close: predecessors.iter().map(|u| u.id).collect(),
        moves,
    })
}

/// Plans a split of `predecessor` into the successors named by `successor_codes`; every open
/// child must be given a successor in `child_assignment` (child id → successor code).
pub fn plan_split(
    predecessor: &UnitAtDate,
    successor_codes: &[String],
    child_assignment: &HashMap<Uuid, String>,
    effective: NaiveDate,
) -> Result<Plan, Vec<Violation>> {
    let mut errors = Vec::new();
    check_open(predecessor, "predecessor_id".into(), effective, &mut errors);
    let distinct: HashSet<_> = successor_codes.iter().collect();
    if successor_codes.len() < 2 || distinct.len() != successor_codes.len() {
        errors.push(Violation::new(
            "successors",
            "at_least_two_distinct",
            "a split needs at least two successors with distinct codes",
            "chia tách cần ít nhất hai đơn vị kế thừa có mã khác nhau",
        ));
    }
    let mut moves = Vec::new();
    for child in &predecessor.children {
        match child_assignment.get(child) {
            None => errors.push(Violation::new(
                format!("child_assignments.{child}"),
                "child_not_assigned",
                "every current child of the split unit must be assigned to a successor",
                "mọi đơn vị trực thuộc phải được giao cho một đơn vị kế thừa",
            )),
            Some(code) => match successor_codes.iter().position(|c| c == code) {
                Some(i) => moves.push((*child, i)),
                None => errors.push(Violation::new(
                    format!("child_assignments.{child}"),
                    "unknown_successor",
                    format!("no successor has the code {code}"),
                    format!("không có đơn vị kế thừa mang mã {code}"),
                )),
            },
        }
    }
    let children: HashSet<_> = predecessor.children.iter().collect();
    for extra in child_assignment.keys().filter(|k| !children.contains(k)) {
        errors.push(Violation::new(
            format!("child_assignments.{extra}"),
            "not_a_child",
            "this unit is not a current child of the split unit",
            "đơn vị này không trực thuộc đơn vị bị chia tách",
        ));
    }
    if errors.is_empty() {
        moves.sort();
        Ok(Plan {
            close: vec![predecessor.id],
            moves,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn unit(children: Vec<Uuid>) -> UnitAtDate {
        UnitAtDate {
            id: Uuid::now_v7(),
            validity: Validity::new(d("2021-01-01"), None).unwrap(),
            children,
        }
    }

    #[test]
    fn merge_closes_all_and_moves_every_child_to_the_successor() {
        let (c1, c2) = (Uuid::now_v7(), Uuid::now_v7());
        let a = unit(vec![c1]);
        let b = unit(vec![c2]);
        let plan = plan_merge(&[a.clone(), b.clone()], d("2025-07-01")).unwrap();
        assert_eq!(plan.close, vec![a.id, b.id]);
        assert_eq!(plan.moves, vec![(c1, 0), (c2, 0)]);
    }

    #[test]
    fn merge_refuses_one_unit_duplicates_and_closed_units() {
        let a = unit(vec![]);
        assert!(plan_merge(std::slice::from_ref(&a), d("2025-07-01")).is_err());
        assert!(plan_merge(&[a.clone(), a.clone()], d("2025-07-01")).is_err());
        let mut closed = unit(vec![]);
        closed.validity = Validity::new(d("2021-01-01"), Some(d("2024-12-31"))).unwrap();
        let errs = plan_merge(&[a, closed], d("2025-07-01")).unwrap_err();
        assert_eq!(errs[0].field, "predecessor_ids[1]");
        assert_eq!(errs[0].code, "not_valid_on_effective_date");
    }

    #[test]
    fn merge_on_the_first_day_of_a_unit_is_refused() {
        let a = unit(vec![]);
        let b = unit(vec![]);
        let errs = plan_merge(&[a, b], d("2021-01-01")).unwrap_err();
        assert!(errs
            .iter()
            .all(|e| e.code == "starts_on_or_after_effective_date"));
    }

    #[test]
    fn split_requires_every_child_assigned_to_a_known_successor() {
        let (c1, c2) = (Uuid::now_v7(), Uuid::now_v7());
        let p = unit(vec![c1, c2]);
        let codes = vec!["A".to_string(), "B".to_string()];
        let mut map = HashMap::from([(c1, "A".to_string())]);
        let errs = plan_split(&p, &codes, &map, d("2025-07-01")).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, "child_not_assigned");
        map.insert(c2, "C".into());
        assert_eq!(
            plan_split(&p, &codes, &map, d("2025-07-01")).unwrap_err()[0].code,
            "unknown_successor"
        );
        map.insert(c2, "B".into());
        let plan = plan_split(&p, &codes, &map, d("2025-07-01")).unwrap();
        assert_eq!(plan.close, vec![p.id]);
        let mut expected = vec![(c1, 0), (c2, 1)];
        expected.sort();
        assert_eq!(plan.moves, expected);
    }

    #[test]
    fn split_refuses_foreign_children_and_a_single_successor() {
        let p = unit(vec![]);
        let stranger = Uuid::now_v7();
        let map = HashMap::from([(stranger, "A".to_string())]);
        let errs = plan_split(&p, &["A".into()], &map, d("2025-07-01")).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert!(codes.contains(&"at_least_two_distinct"));
        assert!(codes.contains(&"not_a_child"));
    }
}
