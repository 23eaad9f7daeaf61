//! Evaluation of people by their products: a cadre's (or a collective's) year or term, graded
//! over every assignment they answered for, each carried by the share of the period they held
//! the position. The items of all those assignments are graded together under the rule set, so
//! the bands and gates (every task on time, a share exceeded) apply to the person's products.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::evaluation::AccountableRole;
use super::grading::{Facts, Grade};

/// A person's evaluation period: a year, or a term of whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonPeriod {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

impl PersonPeriod {
    /// `2022` (a year) or `2020-2025` (a term of years, at most 10), else `None`.
    pub fn parse(code: &str) -> Option<Self> {
        let year = |s: &str| {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i32>().ok())
                .flatten()
                .filter(|y| (1990..=2100).contains(y))
        };
        let (first, last) = match code.split_once('-') {
            None => (year(code)?, year(code)?),
            Some((a, b)) => (year(a)?, year(b)?),
        };
        if last <= first && code.contains('-') || last - first > 10 {
            return None;
        }
        Some(Self {
            start: NaiveDate::from_ymd_opt(first, 1, 1)?,
            end: NaiveDate::from_ymd_opt(last, 12, 31)?,
        })
    }

    /// The years it spans.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.start.year()..=self.end.year()
    }

    /// The assignment period whose evaluation counts for this one: the year, or `term`.
    pub fn assignment_period(&self) -> String {
        if self.start.year() == self.end.year() {
            self.start.year().to_string()
        } else {
            "term".into()
        }
    }
}

/// Where an assignment's facts come from in a person's evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionSource {
    /// The assignment's decided evaluation of the same period (its facts as graded, contests
    /// included).
    DecidedEvaluation,
    /// The record itself, read up to the end of the period (no decided evaluation yet).
    Record,
}

/// One assignment a person answered for, as it counts in their evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    /// The assignment.
    pub assignment_id: Uuid,
    /// Its code, or its title when it has none; prefixes its items' keys.
    pub key: String,
    /// Its title.
    pub title: String,
    /// The unit it was assigned to.
    pub unit_id: Uuid,
    /// What the person answered for it as (for a collective, empty).
    pub roles: Vec<AccountableRole>,
    /// Share of the period the person held a position answering for it (0–1).
    pub share: f64,
    /// The assignment's decided grade for the period, if any.
    pub grade: Option<Grade>,
    /// The evaluation it was read from, if any.
    pub evaluation_id: Option<Uuid>,
    /// Where its facts come from.
    pub source: ContributionSource,
    /// Its facts (items weighted within the assignment, with their derivation).
    pub facts: Facts,
}

/// What a person's evaluation rests on: the contributions and the facts graded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Basis {
    /// Every assignment the person answered for in the period, by key.
    pub contributions: Vec<Contribution>,
    /// The person's facts: every item of every contribution, its key prefixed with the
    /// assignment's, its weight scaled so each assignment counts by its share; the fact codes
    /// about the person stated by the Board.
    pub facts: Facts,
}

/// The person's facts from `contributions` (in the order given) and the fact codes `codes`:
/// each assignment weighs its share, split over its items by their weights.
pub fn person_facts(contributions: &[Contribution], codes: Vec<String>) -> Facts {
    let mut facts = Facts {
        items: Vec::new(),
        facts: codes,
        derivation: Vec::new(),
    };
    for c in contributions {
        let total: f64 = c
            .facts
            .items
            .iter()
            .map(|i| i.weight)
            .filter(|w| w.is_finite() && *w > 0.0)
            .sum();
        if total <= 0.0 || c.share <= 0.0 {
            continue;
        }
        let key = |k: &str| format!("{}/{k}", c.key);
        for item in &c.facts.items {
            let mut item = item.clone();
            item.weight = c.share * item.weight.max(0.0) / total;
            item.key = key(&item.key);
            facts.items.push(item);
        }
        for d in &c.facts.derivation {
            let mut d = d.clone();
            d.derived.key = key(&d.derived.key);
            d.graded.key = key(&d.graded.key);
            for contest in &mut d.contests {
                contest.key = key(&contest.key);
            }
            facts.derivation.push(d);
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grading::{party_2025, suggest, Item};

    fn item(key: &str, weight: f64, completion: f64, on_time: bool, exceeded: bool) -> Item {
        Item {
            key: key.into(),
            weight,
            completion: Some(completion),
            done: completion >= 1.0,
            on_time,
            exceeded,
            quality_defects: 0,
            objective_cause: false,
        }
    }

    fn contribution(key: &str, share: f64, items: Vec<Item>) -> Contribution {
        Contribution {
            assignment_id: Uuid::nil(),
            key: key.into(),
            title: key.into(),
            unit_id: Uuid::nil(),
            roles: vec![AccountableRole::Secretary],
            share,
            grade: None,
            evaluation_id: None,
            source: ContributionSource::Record,
            facts: Facts {
                items,
                facts: Vec::new(),
                derivation: Vec::new(),
            },
        }
    }

    #[test]
    fn periods_are_a_year_or_a_term_of_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let year = PersonPeriod::parse("2022").unwrap();
        assert_eq!((year.start, year.end), (d(2022, 1, 1), d(2022, 12, 31)));
        assert_eq!(year.assignment_period(), "2022");
        let term = PersonPeriod::parse("2020-2025").unwrap();
        assert_eq!((term.start, term.end), (d(2020, 1, 1), d(2025, 12, 31)));
        assert_eq!(term.assignment_period(), "term");
        assert_eq!(term.years(), 2020..=2025);
        for bad in [
            "",
            "22",
            "2022-Q1",
            "2025-2020",
            "2022-2022",
            "2000-2020",
            "abcd",
            "1900",
        ] {
            assert_eq!(PersonPeriod::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_assignment_weighs_its_share_split_over_its_items() {
        let facts = person_facts(
            &[
                contribution(
                    "NV-1",
                    1.0,
                    vec![
                        item("a", 3.0, 1.0, true, false),
                        item("b", 1.0, 1.0, true, false),
                    ],
                ),
                contribution("NV-2", 0.5, vec![item("x", 7.0, 1.0, true, true)]),
                contribution("NV-3", 0.0, vec![item("y", 1.0, 0.0, false, false)]),
            ],
            vec!["discipline".into()],
        );
        let keyed: Vec<(&str, f64)> = facts
            .items
            .iter()
            .map(|i| (i.key.as_str(), i.weight))
            .collect();
        assert_eq!(keyed, [("NV-1/a", 0.75), ("NV-1/b", 0.25), ("NV-2/x", 0.5)]);
        assert_eq!(facts.facts, ["discipline"]);
    }

    #[test]
    fn the_gates_apply_to_all_of_a_persons_products() {
        let rules = party_2025();
        let products = |late: usize| {
            let five: Vec<Contribution> = (0..5)
                .map(|i| {
                    let key = format!("NV-{i}");
                    contribution(&key, 1.0, vec![item("a", 1.0, 1.0, i >= late, i < 2)])
                })
                .collect();
            person_facts(&five, Vec::new())
        };
        assert_eq!(suggest(&rules, &products(0)).grade, Grade::Excellent);
        // One late product of five keeps the person from excellent and good; two make them
        // fall short (more than 20% late).
        assert_eq!(suggest(&rules, &products(1)).grade, Grade::Complete);
        assert_eq!(suggest(&rules, &products(2)).grade, Grade::NotComplete);
    }
}
