//! The facts a grade rests on, derived from the record rather than typed: completion from
//! accepted reports or a licensed department feed, delivery only with standing evidence,
//! timeliness against the deadline in force, defects from disputed evidence and spot-check
//! findings. Each derived fact names its source; a head or the Board may contest one only with
//! a reason and evidence, and the contest stays beside the derived value.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::evidence::VerificationMark;
use super::grading::Item;
use super::target::{completion_ratio, is_exceeded, is_met, Target};
use super::Violation;
use crate::vocab_enum;

vocab_enum!(
    /// A fact of an item that is derived from the record and may be contested.
    FactField, "fact_field" {
        Completion => ("completion", "Tỷ lệ hoàn thành", "Completion"),
        Done => ("done", "Đã hoàn thành sản phẩm", "Delivered"),
        OnTime => ("on_time", "Đúng hạn", "On time"),
        Exceeded => ("exceeded", "Vượt yêu cầu", "Exceeded"),
        QualityDefects => ("quality_defects", "Lỗi chất lượng", "Quality defects"),
    }
);

vocab_enum!(
    /// Where a derived fact comes from.
    SourceKind, "fact_source" {
        Report => ("report", "Báo cáo tiến độ đã được chấp nhận", "Accepted progress report"),
        Feed => ("feed", "Số liệu từ hệ thống ngành được cấp phép", "Licensed department feed"),
        Evidence => ("evidence", "Minh chứng", "Evidence"),
        SpotCheck => ("spot_check", "Kiểm tra xác suất", "Spot check"),
        Deadline => ("deadline", "Thời hạn đang có hiệu lực", "Deadline in force"),
        Nothing => ("nothing", "Chưa có dữ liệu", "Nothing on record"),
    }
);

vocab_enum!(
    /// Who contests a derived fact.
    ContestedBy, "contested_by" {
        Head => ("head", "Người đứng đầu", "The head"),
        Board => ("board", "Ban Tổ chức", "The Organisation Board"),
    }
);

vocab_enum!(
    /// What a field check found for a drawn assignment.
    FindingOutcome, "finding_outcome" {
        Confirmed => ("confirmed", "Đúng như báo cáo", "Confirmed"),
        Discrepancy => ("discrepancy", "Có sai lệch so với báo cáo", "Discrepancy"),
    }
);

/// An accepted progress report of the assignment, as it stood.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedReport {
    /// The report.
    pub id: Uuid,
    /// Last day of the period it covers.
    pub period_end: NaiveDate,
    /// The day it was due.
    pub due_date: NaiveDate,
    /// The day it was first submitted (the day the product was delivered, if it shows done).
    pub first_submitted_on: Option<NaiveDate>,
    /// The target's actual value it states.
    pub actual_value: Option<f64>,
    /// The completion it states, in percent (tasks).
    pub completion_percent: Option<f64>,
}

/// A value a licensed department feed recorded for the assignment's indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FedValue {
    /// The observation.
    pub id: Uuid,
    /// The day the value was measured.
    pub observed_on: NaiveDate,
    /// The value.
    pub value: f64,
}

/// A piece of evidence of the assignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvidenceFact {
    /// The piece.
    pub id: Uuid,
    /// The verdict on it.
    pub verification: VerificationMark,
    /// Withdrawn by its submitter.
    pub retracted: bool,
}

/// A spot-check finding on the assignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// The finding.
    pub id: Uuid,
    /// The check found a discrepancy between what was reported and what was found.
    pub discrepancy: bool,
}

/// Everything on record about one assignment up to the end of an evaluation period.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Key of the item: the assignment's code, or its title.
    pub key: String,
    /// Weight of the assignment.
    pub weight: f64,
    /// The quantified target, for targets.
    pub target: Option<Target>,
    /// The deadline in force (amendments included).
    pub deadline: NaiveDate,
    /// Last day of the evaluated period.
    pub period_end: NaiveDate,
    /// Accepted reports covering periods that ended by `period_end`.
    pub reports: Vec<AcceptedReport>,
    /// Licensed feed values measured by `period_end`.
    pub fed: Vec<FedValue>,
    /// Evidence submitted.
    pub evidence: Vec<EvidenceFact>,
    /// Spot-check findings.
    pub findings: Vec<Finding>,
    /// Lateness and defects have a certified objective cause.
    pub objective_cause: bool,
    /// The rule set accepts only verified evidence as proof of delivery.
    pub verified_evidence_required: bool,
}

/// The source of one derived fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Source {
    /// The fact.
    pub fact: FactField,
    /// Where it comes from.
    pub kind: SourceKind,
    /// The report, observation, evidence or finding it rests on.
    pub ids: Vec<Uuid>,
    /// English explanation.
    pub note_en: String,
    /// Vietnamese explanation.
    pub note_vi: String,
}

/// A derived fact contested with a reason and evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contest {
    /// Key of the item.
    pub key: String,
    /// The fact.
    pub fact: FactField,
    /// The value claimed instead: a number for `completion` and `quality_defects`, true or
    /// false for the others.
    pub value: serde_json::Value,
    /// Why the derived value is wrong.
    pub reason: String,
    /// Evidence of the claim (of this assignment, not withdrawn).
    pub evidence_ids: Vec<Uuid>,
    /// Who contests it.
    pub by: ContestedBy,
}

/// One item as derived from the record, with the sources and any contests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DerivedItem {
    /// The facts as the record shows them.
    pub derived: Item,
    /// Where each fact comes from.
    pub sources: Vec<Source>,
    /// Contests, in the order they were made.
    #[serde(default)]
    pub contests: Vec<Contest>,
    /// The facts graded: the derived ones with the latest contest of each fact applied.
    pub graded: Item,
}

fn source(fact: FactField, kind: SourceKind, ids: Vec<Uuid>, en: String, vi: String) -> Source {
    Source {
        fact,
        kind,
        ids,
        note_en: en,
        note_vi: vi,
    }
}

/// The latest value at or before the period's end, and the first one to meet the target.
fn fed_value(r: &Record, t: &Target) -> Option<(FedValue, Option<FedValue>)> {
    let mut fed: Vec<FedValue> = r
        .fed
        .iter()
        .copied()
        .filter(|f| f.observed_on <= r.period_end)
        .collect();
    fed.sort_by_key(|f| f.observed_on);
    let first_met = fed.iter().copied().find(|f| is_met(t, f.value));
    fed.last().map(|last| (*last, first_met))
}

/// The facts of the assignment on record for the period, with their sources.
pub fn derive(r: &Record) -> DerivedItem {
    let mut reports: Vec<&AcceptedReport> = r
        .reports
        .iter()
        .filter(|p| p.period_end <= r.period_end)
        .collect();
    reports.sort_by_key(|p| p.period_end);
    let report_ratio = |p: &AcceptedReport| match &r.target {
        Some(t) => p.actual_value.and_then(|v| completion_ratio(t, v)),
        None => p.completion_percent.map(|c| c / 100.0),
    };
    let mut sources = Vec::new();

    // Completion, and when the product was delivered.
    let fed = r.target.as_ref().and_then(|t| fed_value(r, t));
    let (completion, actual, delivered_on, delivery_due) = match (&r.target, fed) {
        (Some(t), Some((last, first_met))) => {
            sources.push(source(
                FactField::Completion,
                SourceKind::Feed,
                vec![last.id],
                format!(
                    "{} measured on {} by a licensed feed",
                    last.value, last.observed_on
                ),
                format!(
                    "{} đo ngày {} từ hệ thống ngành được cấp phép",
                    last.value, last.observed_on
                ),
            ));
            (
                completion_ratio(t, last.value),
                Some(last.value),
                first_met.map(|f| f.observed_on),
                r.deadline,
            )
        }
        _ => match reports.last() {
            Some(last) => {
                sources.push(source(
                    FactField::Completion,
                    SourceKind::Report,
                    vec![last.id],
                    format!(
                        "the accepted report for the period ending {}",
                        last.period_end
                    ),
                    format!(
                        "báo cáo đã được chấp nhận của kỳ kết thúc ngày {}",
                        last.period_end
                    ),
                ));
                let done_report = reports
                    .iter()
                    .find(|p| report_ratio(p).is_some_and(|c| c >= 1.0));
                (
                    report_ratio(last),
                    last.actual_value,
                    done_report.and_then(|p| p.first_submitted_on),
                    done_report.map_or(r.deadline, |p| p.due_date.max(r.deadline)),
                )
            }
            None => {
                sources.push(source(
                    FactField::Completion,
                    SourceKind::Nothing,
                    Vec::new(),
                    "no accepted report or fed value by the end of the period".into(),
                    "chưa có báo cáo được chấp nhận hay số liệu từ hệ thống ngành đến cuối kỳ"
                        .into(),
                ));
                (None, None, None, r.deadline)
            }
        },
    };

    // Delivery needs standing proof.
    let proof: Vec<Uuid> = r
        .evidence
        .iter()
        .filter(|e| !e.retracted)
        .filter(|e| match e.verification {
            VerificationMark::Verified => true,
            VerificationMark::Unverified => !r.verified_evidence_required,
            VerificationMark::Disputed => false,
        })
        .map(|e| e.id)
        .collect();
    let met = completion.is_some_and(|c| c >= 1.0);
    let done = met && !proof.is_empty();
    sources.push(if !met {
        source(
            FactField::Done,
            SourceKind::Nothing,
            Vec::new(),
            "the record does not show the product complete".into(),
            "hồ sơ chưa cho thấy sản phẩm hoàn thành".into(),
        )
    } else if proof.is_empty() {
        let (en, vi) = if r.verified_evidence_required {
            (
                "no verified evidence",
                "chưa có minh chứng đã được xác minh",
            )
        } else {
            (
                "no standing, undisputed evidence",
                "chưa có minh chứng còn hiệu lực và không bị phản bác",
            )
        };
        source(
            FactField::Done,
            SourceKind::Evidence,
            Vec::new(),
            format!("complete on record but {en}"),
            format!("đủ số liệu nhưng {vi}"),
        )
    } else {
        source(
            FactField::Done,
            SourceKind::Evidence,
            proof,
            "complete on record, with evidence".into(),
            "hoàn thành theo hồ sơ, có minh chứng".into(),
        )
    });

    // Timeliness: the delivery day against the deadline in force; not delivered, whether the
    // deadline had passed at the end of the period.
    let on_time = match (done, delivered_on) {
        (true, Some(day)) => day <= delivery_due,
        _ => r.period_end <= r.deadline,
    };
    sources.push(source(
        FactField::OnTime,
        SourceKind::Deadline,
        Vec::new(),
        match (done, delivered_on) {
            (true, Some(day)) => format!("delivered on {day}, due by {delivery_due}"),
            _ => format!("not delivered; the deadline in force is {}", r.deadline),
        },
        match (done, delivered_on) {
            (true, Some(day)) => format!("hoàn thành ngày {day}, hạn {delivery_due}"),
            _ => format!(
                "chưa hoàn thành; thời hạn đang có hiệu lực là {}",
                r.deadline
            ),
        },
    ));

    let exceeded = done
        && match (&r.target, actual) {
            (Some(t), Some(v)) => is_exceeded(t, v),
            (Some(_), None) => false,
            (None, _) => completion.is_some_and(|c| c > 1.0),
        };

    let disputed: Vec<Uuid> = r
        .evidence
        .iter()
        .filter(|e| !e.retracted && e.verification == VerificationMark::Disputed)
        .map(|e| e.id)
        .collect();
    let discrepancies: Vec<Uuid> = r
        .findings
        .iter()
        .filter(|f| f.discrepancy)
        .map(|f| f.id)
        .collect();
    let quality_defects = (disputed.len() + discrepancies.len()) as u32;
    sources.push(source(
        FactField::QualityDefects,
        SourceKind::SpotCheck,
        disputed.iter().chain(&discrepancies).copied().collect(),
        format!(
            "{} disputed evidence, {} spot-check discrepancies",
            disputed.len(),
            discrepancies.len()
        ),
        format!(
            "{} minh chứng bị phản bác, {} sai lệch qua kiểm tra xác suất",
            disputed.len(),
            discrepancies.len()
        ),
    ));

    let derived = Item {
        key: r.key.clone(),
        weight: r.weight,
        completion,
        done,
        on_time,
        exceeded,
        quality_defects,
        objective_cause: r.objective_cause,
    };
    DerivedItem {
        graded: derived.clone(),
        derived,
        sources,
        contests: Vec::new(),
    }
}

/// Violations of a contest on its own: a reason, evidence, and a value of the fact's type.
pub fn contest_violations(field: &str, c: &Contest) -> Vec<Violation> {
    let mut out = Vec::new();
    if c.reason.trim().is_empty() {
        out.push(Violation::new(
            format!("{field}.reason"),
            "required",
            "say why the derived value is wrong",
            "cần nêu lý do giá trị theo hồ sơ chưa đúng",
        ));
    }
    if c.evidence_ids.is_empty() {
        out.push(Violation::new(
            format!("{field}.evidence_ids"),
            "required",
            "a contest needs evidence",
            "đề nghị điều chỉnh phải có minh chứng",
        ));
    }
    let fits = match c.fact {
        FactField::Completion => c
            .value
            .as_f64()
            .is_some_and(|v| v.is_finite() && (0.0..=100.0).contains(&v)),
        FactField::QualityDefects => c.value.as_u64().is_some_and(|v| v <= 100),
        FactField::Done | FactField::OnTime | FactField::Exceeded => c.value.is_boolean(),
    };
    if !fits {
        out.push(Violation::new(
            format!("{field}.value"),
            "wrong_type",
            "completion takes a ratio from 0 to 100, quality_defects a whole number up to 100, the others true or false",
            "completion nhận tỷ lệ từ 0 đến 100, quality_defects nhận số nguyên đến 100, các trường khác nhận true hoặc false",
        ));
    }
    out
}

impl DerivedItem {
    /// Adds a contest (checked with [`contest_violations`]) and grades with it.
    pub fn contest(&mut self, c: Contest) {
        let g = &mut self.graded;
        match c.fact {
            FactField::Completion => g.completion = c.value.as_f64().or(g.completion),
            FactField::Done => g.done = c.value.as_bool().unwrap_or(g.done),
            FactField::OnTime => g.on_time = c.value.as_bool().unwrap_or(g.on_time),
            FactField::Exceeded => g.exceeded = c.value.as_bool().unwrap_or(g.exceeded),
            FactField::QualityDefects => {
                g.quality_defects = c
                    .value
                    .as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(g.quality_defects)
            }
        }
        self.contests.push(c);
    }
}

/// A decided evaluation of an assignment, as far as locking goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decided {
    /// Last day of the evaluated period.
    pub period_end: NaiveDate,
    /// When it was decided.
    pub decided_at: DateTime<Utc>,
    /// The Board has reopened the record for a correction.
    pub reopened: bool,
}

/// Whether a report covering a period that ends on `period_end` is locked: a decided
/// evaluation of a period that includes it stands and is not reopened.
pub fn report_locked(period_end: NaiveDate, decided: &[Decided]) -> bool {
    decided
        .iter()
        .any(|d| !d.reopened && period_end <= d.period_end)
}

/// Whether evidence submitted at `submitted_at` is locked: it was on record when a standing
/// evaluation, not reopened, was decided.
pub fn evidence_locked(submitted_at: DateTime<Utc>, decided: &[Decided]) -> bool {
    decided
        .iter()
        .any(|d| !d.reopened && submitted_at <= d.decided_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::target::TargetShape;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn task() -> Record {
        Record {
            key: "NV-1".into(),
            weight: 1.0,
            target: None,
            deadline: d(12, 31),
            period_end: d(12, 31),
            reports: Vec::new(),
            fed: Vec::new(),
            evidence: Vec::new(),
            findings: Vec::new(),
            objective_cause: false,
            verified_evidence_required: false,
        }
    }

    fn report(
        n: u128,
        period_end: NaiveDate,
        submitted: NaiveDate,
        percent: f64,
    ) -> AcceptedReport {
        AcceptedReport {
            id: id(n),
            period_end,
            due_date: period_end + chrono::Days::new(15),
            first_submitted_on: Some(submitted),
            actual_value: None,
            completion_percent: Some(percent),
        }
    }

    fn evidence(n: u128, verification: VerificationMark) -> EvidenceFact {
        EvidenceFact {
            id: id(n),
            verification,
            retracted: false,
        }
    }

    fn at_least(value: f64) -> Target {
        Target {
            shape: TargetShape::AtLeast,
            value: Some(value),
            min: None,
            max: None,
            baseline: None,
        }
    }

    #[test]
    fn nothing_on_record_is_not_done_and_on_time_only_before_the_deadline() {
        let item = derive(&task()).derived;
        assert_eq!(
            (item.completion, item.done, item.on_time),
            (None, false, true)
        );
        let late = derive(&Record {
            deadline: d(6, 30),
            ..task()
        })
        .derived;
        assert!(!late.on_time);
    }

    #[test]
    fn a_task_is_done_by_an_accepted_report_with_standing_evidence() {
        let mut r = task();
        r.reports = vec![
            report(1, d(6, 30), d(7, 10), 60.0),
            report(2, d(9, 30), d(10, 5), 100.0),
        ];
        let without = derive(&r);
        assert_eq!(without.derived.completion, Some(1.0));
        assert!(!without.derived.done, "no evidence yet");
        r.evidence = vec![evidence(9, VerificationMark::Unverified)];
        let with = derive(&r);
        assert!(with.derived.done && with.derived.on_time && !with.derived.exceeded);
        let done = with
            .sources
            .iter()
            .find(|s| s.fact == FactField::Done)
            .unwrap();
        assert_eq!(done.ids, vec![id(9)]);
        let completion = &with.sources[0];
        assert_eq!(
            (completion.kind, completion.ids.clone()),
            (SourceKind::Report, vec![id(2)])
        );
    }

    #[test]
    fn disputed_retracted_and_unverified_evidence_where_verification_is_required_prove_nothing() {
        let mut r = task();
        r.reports = vec![report(1, d(9, 30), d(10, 5), 100.0)];
        r.evidence = vec![
            evidence(1, VerificationMark::Disputed),
            EvidenceFact {
                retracted: true,
                ..evidence(2, VerificationMark::Verified)
            },
        ];
        let item = derive(&r).derived;
        assert!(!item.done);
        assert_eq!(item.quality_defects, 1, "the disputed piece is a defect");
        r.evidence.push(evidence(3, VerificationMark::Unverified));
        assert!(derive(&r).derived.done);
        r.verified_evidence_required = true;
        assert!(!derive(&r).derived.done);
        r.evidence.push(evidence(4, VerificationMark::Verified));
        assert!(derive(&r).derived.done);
    }

    #[test]
    fn delivery_after_the_deadline_in_force_is_late_and_an_amended_deadline_counts() {
        let mut r = task();
        r.deadline = d(6, 30);
        r.reports = vec![report(1, d(9, 30), d(10, 20), 100.0)];
        r.evidence = vec![evidence(1, VerificationMark::Verified)];
        assert!(!derive(&r).derived.on_time);
        r.deadline = d(10, 31);
        assert!(derive(&r).derived.on_time);
    }

    #[test]
    fn reports_after_the_period_do_not_count() {
        let mut r = task();
        r.period_end = d(6, 30);
        r.reports = vec![report(1, d(9, 30), d(10, 5), 100.0)];
        assert_eq!(derive(&r).derived.completion, None);
    }

    #[test]
    fn a_licensed_feed_value_is_the_official_actual_over_the_self_report() {
        let mut r = task();
        r.target = Some(at_least(1000.0));
        r.reports = vec![AcceptedReport {
            actual_value: Some(1500.0),
            completion_percent: None,
            ..report(1, d(9, 30), d(10, 5), 0.0)
        }];
        r.evidence = vec![evidence(1, VerificationMark::Verified)];
        let self_reported = derive(&r).derived;
        assert!(self_reported.done && self_reported.exceeded);
        r.fed = vec![
            FedValue {
                id: id(7),
                observed_on: d(8, 1),
                value: 1000.0,
            },
            FedValue {
                id: id(8),
                observed_on: d(11, 30),
                value: 900.0,
            },
            FedValue {
                id: id(9),
                observed_on: d(12, 31) + chrono::Days::new(1),
                value: 2000.0,
            },
        ];
        let fed = derive(&r);
        assert_eq!(fed.derived.completion, Some(0.9));
        assert!(!fed.derived.done && !fed.derived.exceeded);
        assert_eq!(
            (fed.sources[0].kind, fed.sources[0].ids.clone()),
            (SourceKind::Feed, vec![id(8)])
        );
    }

    #[test]
    fn a_decision_locks_the_reports_of_its_period_and_the_evidence_it_saw_until_reopened() {
        let at = |m, day| d(m, day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let mut decided = vec![Decided {
            period_end: d(12, 31),
            decided_at: at(12, 20),
            reopened: false,
        }];
        assert!(report_locked(d(9, 30), &decided));
        assert!(report_locked(d(12, 31), &decided));
        assert!(!report_locked(d(12, 31) + chrono::Days::new(1), &decided));
        assert!(evidence_locked(at(12, 1), &decided));
        assert!(!evidence_locked(at(12, 21), &decided));
        decided[0].reopened = true;
        assert!(!report_locked(d(9, 30), &decided));
        assert!(!evidence_locked(at(12, 1), &decided));
        assert!(!report_locked(d(9, 30), &[]));
    }

    #[test]
    fn spot_check_discrepancies_are_defects() {
        let mut r = task();
        r.findings = vec![
            Finding {
                id: id(1),
                discrepancy: true,
            },
            Finding {
                id: id(2),
                discrepancy: false,
            },
        ];
        assert_eq!(derive(&r).derived.quality_defects, 1);
    }

    #[test]
    fn a_contest_changes_the_graded_value_and_keeps_the_derived_one() {
        let mut item = derive(&task());
        let c = Contest {
            key: "NV-1".into(),
            fact: FactField::Done,
            value: serde_json::json!(true),
            reason: "nghiệm thu ngày 20/12".into(),
            evidence_ids: vec![id(1)],
            by: ContestedBy::Head,
        };
        assert!(contest_violations("contests[0]", &c).is_empty());
        item.contest(c.clone());
        assert!(item.graded.done && !item.derived.done);
        assert_eq!(item.contests, vec![c]);
    }

    #[test]
    fn a_contest_needs_a_reason_evidence_and_a_value_of_its_type() {
        let c = Contest {
            key: "NV-1".into(),
            fact: FactField::Completion,
            value: serde_json::json!(true),
            reason: " ".into(),
            evidence_ids: Vec::new(),
            by: ContestedBy::Board,
        };
        let fields: Vec<String> = contest_violations("c", &c)
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["c.reason", "c.evidence_ids", "c.value"]);
    }
}
