//! Issuing a round: what the decision needs, and the decision record each assignee gets (the
//! list of its assignments' first terms, hashed).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};
use uuid::Uuid;

use super::canonical;

/// The decision fields a round needs before it is issued and does not have, by name.
pub fn missing_decision_fields(
    decision_number: Option<&str>,
    decision_date: Option<NaiveDate>,
) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if decision_number.is_none() {
        missing.push("decision_number");
    }
    if decision_date.is_none() {
        missing.push("decision_date");
    }
    missing
}

/// One assignment issued with its first terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTerms {
    /// The unit whose head receives it.
    pub assignee_unit_id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// The version of its terms (1 when issued).
    pub terms_version: i32,
    /// SHA-256 of its terms.
    pub terms_hash: String,
}

/// The decision handed to one assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionContent {
    /// The assignee unit.
    pub assignee_unit_id: Uuid,
    /// Its assignments, in the order given.
    pub assignment_ids: Vec<Uuid>,
    /// SHA-256 of the canonical list of the assignments' terms.
    pub terms_hash: String,
}

/// One decision per assignee unit (by unit id), listing its assignments in the order given.
pub fn decisions(issued: &[IssuedTerms]) -> Vec<DecisionContent> {
    let mut per_assignee: BTreeMap<Uuid, Vec<&IssuedTerms>> = BTreeMap::new();
    for t in issued {
        per_assignee.entry(t.assignee_unit_id).or_default().push(t);
    }
    per_assignee
        .into_iter()
        .map(|(unit, items)| {
            let listed: Vec<Value> = items
                .iter()
                .map(|t| {
                    json!({
                        "assignment_id": t.assignment_id,
                        "terms_version": t.terms_version,
                        "terms_hash": t.terms_hash,
                    })
                })
                .collect();
            DecisionContent {
                assignee_unit_id: unit,
                assignment_ids: items.iter().map(|t| t.assignment_id).collect(),
                terms_hash: canonical::terms_hash(&Value::Array(listed)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(unit: u128, assignment: u128, hash: &str) -> IssuedTerms {
        IssuedTerms {
            assignee_unit_id: Uuid::from_u128(unit),
            assignment_id: Uuid::from_u128(assignment),
            terms_version: 1,
            terms_hash: hash.to_owned(),
        }
    }

    #[test]
    fn the_decision_needs_its_number_and_date() {
        let date = NaiveDate::from_ymd_opt(2022, 1, 15);
        let cases: [(Option<&str>, Option<NaiveDate>, &[&str]); 4] = [
            (Some("15-QĐ/TU"), date, &[]),
            (None, date, &["decision_number"]),
            (Some("15-QĐ/TU"), None, &["decision_date"]),
            (None, None, &["decision_number", "decision_date"]),
        ];
        for (number, date, missing) in cases {
            assert_eq!(missing_decision_fields(number, date), missing);
        }
    }

    #[test]
    fn one_decision_per_assignee_in_unit_order() {
        let out = decisions(&[issued(2, 10, "a"), issued(1, 11, "b"), issued(2, 12, "c")]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].assignee_unit_id, Uuid::from_u128(1));
        assert_eq!(out[0].assignment_ids, vec![Uuid::from_u128(11)]);
        assert_eq!(out[1].assignee_unit_id, Uuid::from_u128(2));
        assert_eq!(
            out[1].assignment_ids,
            vec![Uuid::from_u128(10), Uuid::from_u128(12)]
        );
        let listed = json!([
            {"assignment_id": Uuid::from_u128(10), "terms_version": 1, "terms_hash": "a"},
            {"assignment_id": Uuid::from_u128(12), "terms_version": 1, "terms_hash": "c"},
        ]);
        assert_eq!(out[1].terms_hash, canonical::terms_hash(&listed));
    }

    #[test]
    fn no_assignments_no_decisions() {
        assert!(decisions(&[]).is_empty());
    }
}
