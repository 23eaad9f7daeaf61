//! Rules for placing a unit under a parent.

use super::validity::Validity;
use super::Violation;

/// What the rules need to know of a unit.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// Rank of the unit's level (1 = top).
    pub level_rank: i32,
    /// Validity period.
    pub validity: Validity,
}

/// Violations of placing `child` under `parent` from `child.validity.from`: the parent must be
/// valid on that day, and the child's level may not rank above the parent's (a department is
/// at the province's own level; a commune is below it).
pub fn check_child(parent: &Placement, child: &Placement, field: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    if !parent.validity.contains(child.validity.from) {
        out.push(Violation::new(
            field,
            "parent_not_valid",
            "the parent unit is not valid on the start date",
            "đơn vị cấp trên không có hiệu lực vào ngày bắt đầu",
        ));
    }
    if child.level_rank < parent.level_rank {
        out.push(Violation::new(
            field,
            "level_above_parent",
            "the unit's level cannot rank above its parent's level",
            "cấp của đơn vị không được cao hơn cấp của đơn vị cấp trên",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(rank: i32, from: &str, to: Option<&str>) -> Placement {
        Placement {
            level_rank: rank,
            validity: Validity::new(from.parse().unwrap(), to.map(|t| t.parse().unwrap())).unwrap(),
        }
    }

    #[test]
    fn child_below_a_valid_parent_is_accepted() {
        assert!(check_child(
            &p(1, "2021-01-01", None),
            &p(2, "2022-01-01", None),
            "parent_id"
        )
        .is_empty());
    }

    #[test]
    fn same_level_is_accepted() {
        let province = p(1, "2021-01-01", None);
        assert!(check_child(&province, &province, "parent_id").is_empty());
    }

    #[test]
    fn higher_level_or_closed_parent_is_refused() {
        let closed_district = p(2, "2021-01-01", Some("2025-06-30"));
        let errs = check_child(&closed_district, &p(1, "2025-07-01", None), "parent_id");
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec!["parent_not_valid", "level_above_parent"]);
    }
}
