//! Grading rules: the grade an assignment's results suggest, under a versioned rule set.
//!
//! A [`RuleSet`] is data (seeded into the database as JSON), so a new regulation is a new row,
//! not new code. [`suggest`] turns the [`Facts`] of one assignment in one evaluation period into
//! a [`Suggestion`] whose derivation explains every point and every downgrade.
//!
//! # Scoring
//!
//! Each item's share is its weight over the total weight, of `100` points (`score_100`) or of
//! `1` (`completion_ratio`). It earns `share × min(completion, cap)`, with the cap `1.0` for
//! `score_100` and `1.5` for `completion_ratio`; an unknown completion counts as `0`. A late
//! item loses `late_penalty_share` of its earnings and each quality defect
//! `quality_penalty_share` of them (never below `0`), unless an objective cause is certified.
//! The total is rounded (2 decimals for a score, 4 for a ratio) before it is banded.
//!
//! # Grade
//!
//! The grade of the highest band reached, then gates from the top: when the grade's gate fails
//! the grade drops one step and the lower grade's gate is checked. Items late for a certified
//! objective cause count as on time for gates. A forcing fact (e.g. discipline of reprimand or
//! above) forces `not_complete`, as does an assignment without items.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::record::DerivedItem;
use super::Violation;
use crate::vocab_enum;

vocab_enum!(
    /// Grade of a head's results on an assignment or for a period.
    Grade, "grade" {
        Excellent => ("excellent", "Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
        Good => ("good", "Hoàn thành tốt nhiệm vụ", "Good"),
        Complete => ("complete", "Hoàn thành nhiệm vụ", "Complete"),
        NotComplete => ("not_complete", "Không hoàn thành nhiệm vụ", "Not complete"),
    }
);

impl Grade {
    /// Position from worst (`not_complete`, 0) to best (`excellent`, 3).
    pub const fn rank(self) -> u8 {
        match self {
            Grade::NotComplete => 0,
            Grade::Complete => 1,
            Grade::Good => 2,
            Grade::Excellent => 3,
        }
    }

    /// The grade one step lower; `not_complete` stays.
    pub const fn downgrade(self) -> Grade {
        match self {
            Grade::Excellent => Grade::Good,
            Grade::Good => Grade::Complete,
            Grade::Complete | Grade::NotComplete => Grade::NotComplete,
        }
    }
}

impl Ord for Grade {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Grade {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Fact code of discipline of reprimand or above, which forces `not_complete`.
pub const DISCIPLINE_REPRIMAND_OR_ABOVE: &str = "discipline_reprimand_or_above";

/// Share of an item's earnings lost per late delivery or quality defect, unless configured.
pub const DEFAULT_PENALTY_SHARE: f64 = 0.25;

/// Most excellent grades per good grade in a group of similar units, unless configured.
pub const DEFAULT_EXCELLENT_SHARE_OF_GOOD: f64 = 0.2;

/// Points of the `score_100` method.
const SCORE_SCALE: f64 = 100.0;

/// Cap of an item's completion under `completion_ratio`.
const RATIO_CAP: f64 = 1.5;

/// Tolerance of share comparisons against float error.
const EPSILON: f64 = 1e-9;

fn default_penalty_share() -> f64 {
    DEFAULT_PENALTY_SHARE
}

fn default_excellent_share_of_good() -> f64 {
    DEFAULT_EXCELLENT_SHARE_OF_GOOD
}

/// How items are combined into the number that is banded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Method {
    /// A 100-point score; each item's completion is capped at 100%.
    #[serde(rename = "score_100")]
    Score100,
    /// A weighted completion ratio (1.0 = every target met); each item is capped at 150%.
    #[serde(rename = "completion_ratio")]
    CompletionRatio,
}

impl Method {
    fn scale(self) -> f64 {
        match self {
            Method::Score100 => SCORE_SCALE,
            Method::CompletionRatio => 1.0,
        }
    }

    fn cap(self) -> f64 {
        match self {
            Method::Score100 => 1.0,
            Method::CompletionRatio => RATIO_CAP,
        }
    }

    fn highest(self) -> f64 {
        self.scale() * self.cap()
    }

    fn round(self, x: f64) -> f64 {
        match self {
            Method::Score100 => round(x, 2),
            Method::CompletionRatio => round(x, 4),
        }
    }

    fn noun(self) -> (&'static str, &'static str) {
        match self {
            Method::Score100 => ("score", "điểm"),
            Method::CompletionRatio => ("completion ratio", "tỷ lệ hoàn thành"),
        }
    }
}

/// A band: the grade reached from `min` (inclusive) upwards.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Grade of the band.
    pub grade: Grade,
    /// Inclusive lower bound on the score or ratio.
    pub min: f64,
}

/// Conditions an `excellent` grade needs beyond its band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcellentGate {
    /// Every item delivered on time.
    pub all_on_time: bool,
    /// Least share of items that exceeded their requirement.
    #[serde(default)]
    pub min_exceeded_share: f64,
}

/// Conditions a `good` grade needs beyond its band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodGate {
    /// Every item delivered on time.
    pub all_on_time: bool,
}

/// Conditions a `complete` grade needs beyond its band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteGate {
    /// Every item done.
    pub all_done: bool,
    /// Largest share of items delivered late.
    pub max_late_share: f64,
}

/// Gates of the grades; a missing gate always passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Gates {
    /// Gate of `excellent`.
    #[serde(default)]
    pub excellent: Option<ExcellentGate>,
    /// Gate of `good`.
    #[serde(default)]
    pub good: Option<GoodGate>,
    /// Gate of `complete`.
    #[serde(default)]
    pub complete: Option<CompleteGate>,
}

/// Cap on excellent grades within a group of similar units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Most excellent grades as a share of the good grades.
    #[serde(default = "default_excellent_share_of_good")]
    pub excellent_max_share_of_good: f64,
}

impl Default for Quota {
    fn default() -> Self {
        Self {
            excellent_max_share_of_good: DEFAULT_EXCELLENT_SHARE_OF_GOOD,
        }
    }
}

/// A versioned set of grading rules, valid over a span of dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Stable code, e.g. `qd366-2025`.
    pub code: String,
    /// Version within the code, from 1.
    pub version: i32,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// First day the rules apply.
    pub valid_from: NaiveDate,
    /// Last day the rules apply (inclusive), if they end.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// How items are combined.
    pub method: Method,
    /// Bands, best grade first; below every band is `not_complete`.
    pub bands: Vec<Band>,
    /// Conditions beyond the bands.
    #[serde(default)]
    pub gates: Gates,
    /// Share of an item's earnings a late delivery loses.
    #[serde(default = "default_penalty_share")]
    pub late_penalty_share: f64,
    /// Share of an item's earnings each quality defect loses.
    #[serde(default = "default_penalty_share")]
    pub quality_penalty_share: f64,
    /// Fact codes that force `not_complete`.
    #[serde(default)]
    pub forcing_facts: Vec<String>,
    /// Cap on excellent grades.
    #[serde(default)]
    pub quota: Quota,
    /// Only evidence the Board or a supervisor verified proves a delivery (otherwise any
    /// standing, undisputed piece does).
    #[serde(default)]
    pub verified_evidence_required: bool,
}

fn share_violation(field: &str, share: f64, out: &mut Vec<Violation>) {
    if !(0.0..=1.0).contains(&share) {
        out.push(Violation::new(
            field,
            "share_out_of_range",
            "the share must be between 0 and 1",
            "tỷ lệ phải nằm trong khoảng từ 0 đến 1",
        ));
    }
}

fn required_text(field: &str, text: &str, out: &mut Vec<Violation>) {
    if text.trim().is_empty() {
        out.push(Violation::new(
            field,
            "required",
            "this field must not be empty",
            "trường này không được để trống",
        ));
    }
}

impl RuleSet {
    /// Whether the rules apply on `day`.
    pub fn applies_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// Violations of the rule set's own consistency.
    pub fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        required_text("code", &self.code, &mut out);
        if self.version < 1 {
            out.push(Violation::new(
                "version",
                "not_positive",
                "the version must be 1 or more",
                "phiên bản phải từ 1 trở lên",
            ));
        }
        required_text("name_vi", &self.name_vi, &mut out);
        required_text("name_en", &self.name_en, &mut out);
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            out.push(Violation::new(
                "valid_to",
                "before_valid_from",
                "the end date must not be before the start date",
                "ngày hết hiệu lực không được trước ngày có hiệu lực",
            ));
        }
        self.validate_bands(&mut out);
        if let Some(gate) = &self.gates.excellent {
            share_violation(
                "gates.excellent.min_exceeded_share",
                gate.min_exceeded_share,
                &mut out,
            );
        }
        if let Some(gate) = &self.gates.complete {
            share_violation(
                "gates.complete.max_late_share",
                gate.max_late_share,
                &mut out,
            );
        }
        share_violation("late_penalty_share", self.late_penalty_share, &mut out);
        share_violation(
            "quality_penalty_share",
            self.quality_penalty_share,
            &mut out,
        );
        for (i, fact) in self.forcing_facts.iter().enumerate() {
            let field = format!("forcing_facts[{i}]");
            required_text(&field, fact, &mut out);
            if self.forcing_facts[..i].contains(fact) {
                out.push(Violation::new(
                    field,
                    "duplicate",
                    "the fact is listed twice",
                    "tình tiết bị liệt kê hai lần",
                ));
            }
        }
        share_violation(
            "quota.excellent_max_share_of_good",
            self.quota.excellent_max_share_of_good,
            &mut out,
        );
        out
    }

    fn validate_bands(&self, out: &mut Vec<Violation>) {
        if self.bands.is_empty() {
            out.push(Violation::new(
                "bands",
                "required",
                "at least one band is needed",
                "cần ít nhất một khung xếp loại",
            ));
        }
        let highest = self.method.highest();
        for (i, band) in self.bands.iter().enumerate() {
            if band.grade == Grade::NotComplete {
                out.push(Violation::new(
                    format!("bands[{i}].grade"),
                    "not_complete_band",
                    "not_complete is what falls below every band and takes no band",
                    "không hoàn thành nhiệm vụ là mức dưới mọi khung, không có khung riêng",
                ));
            }
            if !(0.0..=highest).contains(&band.min) {
                out.push(Violation::new(
                    format!("bands[{i}].min"),
                    "out_of_range",
                    format!("the lower bound must be between 0 and {}", num(highest)),
                    format!(
                        "cận dưới phải nằm trong khoảng từ 0 đến {}",
                        num_vi(highest)
                    ),
                ));
            }
            let Some(prev) = i.checked_sub(1).map(|p| self.bands[p]) else {
                continue;
            };
            if band.grade >= prev.grade {
                out.push(Violation::new(
                    format!("bands[{i}].grade"),
                    "not_descending",
                    "bands must go from the best grade down, each grade once",
                    "các khung phải xếp từ mức cao xuống mức thấp, mỗi mức một lần",
                ));
            }
            if band.min >= prev.min || band.min.is_nan() {
                out.push(Violation::new(
                    format!("bands[{i}].min"),
                    "not_descending",
                    "each band's lower bound must be below the previous one's",
                    "cận dưới của mỗi khung phải thấp hơn khung trước",
                ));
            }
        }
    }
}

/// A calendar date of a shipped rule set, checked when the crate compiles.
const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("a shipped rule set has an impossible date"),
    }
}

/// Regulation 366-QĐ/TW (2025): the 100-point framework with its gates.
pub fn party_2025() -> RuleSet {
    RuleSet {
        code: "qd366-2025".into(),
        version: 1,
        name_vi: "Quy định 366-QĐ/TW (2025): khung 100 điểm".into(),
        name_en: "Regulation 366-QĐ/TW (2025): 100-point framework".into(),
        valid_from: date(2025, 7, 1),
        valid_to: None,
        method: Method::Score100,
        bands: vec![
            Band {
                grade: Grade::Excellent,
                min: 90.0,
            },
            Band {
                grade: Grade::Good,
                min: 70.0,
            },
            Band {
                grade: Grade::Complete,
                min: 50.0,
            },
        ],
        gates: Gates {
            excellent: Some(ExcellentGate {
                all_on_time: true,
                min_exceeded_share: 0.3,
            }),
            good: Some(GoodGate { all_on_time: true }),
            complete: Some(CompleteGate {
                all_done: true,
                max_late_share: 0.2,
            }),
        },
        late_penalty_share: DEFAULT_PENALTY_SHARE,
        quality_penalty_share: DEFAULT_PENALTY_SHARE,
        forcing_facts: vec![DISCIPLINE_REPRIMAND_OR_ABOVE.into()],
        quota: Quota::default(),
        verified_evidence_required: false,
    }
}

/// The province's product-based practice (since 2022): a weighted completion ratio.
pub fn province_products() -> RuleSet {
    RuleSet {
        code: "province-products".into(),
        version: 1,
        name_vi: "Đánh giá theo sản phẩm của tỉnh: tỷ lệ hoàn thành".into(),
        name_en: "Province product-based evaluation: completion ratio".into(),
        valid_from: date(2022, 1, 1),
        valid_to: None,
        method: Method::CompletionRatio,
        bands: vec![
            Band {
                grade: Grade::Excellent,
                min: 1.1,
            },
            Band {
                grade: Grade::Good,
                min: 1.0,
            },
            Band {
                grade: Grade::Complete,
                min: 0.8,
            },
        ],
        gates: Gates {
            excellent: Some(ExcellentGate {
                all_on_time: true,
                min_exceeded_share: 0.0,
            }),
            good: None,
            complete: None,
        },
        late_penalty_share: DEFAULT_PENALTY_SHARE,
        quality_penalty_share: DEFAULT_PENALTY_SHARE,
        forcing_facts: vec![DISCIPLINE_REPRIMAND_OR_ABOVE.into()],
        quota: Quota::default(),
        verified_evidence_required: false,
    }
}

/// The rule set that applies on `on` (with `code`, if given): latest `valid_from`, then highest
/// version.
pub fn select<'a>(
    rule_sets: &'a [RuleSet],
    code: Option<&str>,
    on: NaiveDate,
) -> Option<&'a RuleSet> {
    rule_sets
        .iter()
        .filter(|r| r.applies_on(on) && code.is_none_or(|c| r.code == c))
        .max_by_key(|r| (r.valid_from, r.version))
}

/// One item (task or target) of an assignment, as delivered in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Key of the item within the assignment.
    pub key: String,
    /// Relative weight, above 0.
    pub weight: f64,
    /// Completion ratio (1.0 = met, may exceed 1.0); unknown counts as 0 and not done.
    #[serde(default)]
    pub completion: Option<f64>,
    /// Delivered.
    pub done: bool,
    /// Delivered (or, if not done, still) within its deadline.
    pub on_time: bool,
    /// Delivered beyond its requirement.
    #[serde(default)]
    pub exceeded: bool,
    /// Major quality defects found.
    #[serde(default)]
    pub quality_defects: u32,
    /// Lateness and defects have a certified objective cause.
    #[serde(default)]
    pub objective_cause: bool,
}

impl Item {
    fn is_done(&self) -> bool {
        self.done && self.completion.is_some()
    }

    fn is_on_time_for_gates(&self) -> bool {
        self.on_time || self.objective_cause
    }
}

/// What is known of one assignment in one evaluation period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Items of the assignment.
    pub items: Vec<Item>,
    /// Fact codes about the head, e.g. [`DISCIPLINE_REPRIMAND_OR_ABOVE`].
    #[serde(default)]
    pub facts: Vec<String>,
    /// How each item was derived from the record: the derived values, their sources and the
    /// contests (empty for facts stated before derivation from the record).
    #[serde(default)]
    pub derivation: Vec<DerivedItem>,
}

impl Facts {
    /// Violations of the facts' own consistency.
    pub fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            required_text(&format!("items[{i}].key"), &item.key, &mut out);
            if self.items[..i].iter().any(|o| o.key == item.key) {
                out.push(Violation::new(
                    format!("items[{i}].key"),
                    "duplicate",
                    "another item has this key",
                    "đã có nhiệm vụ khác dùng khóa này",
                ));
            }
            if !(item.weight.is_finite() && item.weight > 0.0) {
                out.push(Violation::new(
                    format!("items[{i}].weight"),
                    "not_positive",
                    "the weight must be a finite number above 0",
                    "trọng số phải là số hữu hạn lớn hơn 0",
                ));
            }
            if item
                .completion
                .is_some_and(|c| !(c.is_finite() && c >= 0.0))
            {
                out.push(Violation::new(
                    format!("items[{i}].completion"),
                    "out_of_range",
                    "the completion must be a finite number of 0 or more",
                    "tỷ lệ hoàn thành phải là số hữu hạn từ 0 trở lên",
                ));
            }
        }
        out
    }
}

crate::code_enum!(
    /// What a step of a derivation records.
    StepCode {
        Item => "item",
        LatePenalty => "late_penalty",
        QualityPenalty => "quality_penalty",
        PenaltyWaived => "penalty_waived",
        Band => "band",
        GateOnTime => "gate_on_time",
        GateExceeded => "gate_exceeded",
        GateDone => "gate_done",
        GateLate => "gate_late",
        Forced => "forced",
        NoItems => "no_items",
        Grade => "grade",
    }
);

/// One step of a derivation, for machines and for people.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Step {
    /// Stable machine code of the step.
    pub code: StepCode,
    /// Key of the item the step is about, if any.
    pub item: Option<String>,
    /// Grade the step leads to, if it decides one.
    pub grade: Option<Grade>,
    /// Value found.
    pub actual: Option<f64>,
    /// Value the rule requires or allows.
    pub required: Option<f64>,
    /// English explanation.
    pub message_en: String,
    /// Vietnamese explanation.
    pub message_vi: String,
}

impl Step {
    fn new(code: StepCode, en: String, vi: String) -> Self {
        Self {
            code,
            item: None,
            grade: None,
            actual: None,
            required: None,
            message_en: en,
            message_vi: vi,
        }
    }

    fn item(mut self, key: &str) -> Self {
        self.item = Some(key.to_owned());
        self
    }

    fn grade(mut self, grade: Grade) -> Self {
        self.grade = Some(grade);
        self
    }

    fn values(mut self, actual: Option<f64>, required: Option<f64>) -> Self {
        self.actual = actual;
        self.required = required;
        self
    }
}

/// The grade the facts suggest, with the number banded and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// Suggested grade.
    pub grade: Grade,
    /// Score (0–100, 2 decimals) or completion ratio (4 decimals), after penalties.
    pub score: f64,
    /// Steps, in the order they were applied.
    pub derivation: Vec<Step>,
}

/// Why a decided grade that departs from the suggested one is refused: it needs a reason.
pub fn departure_violation(
    suggested: Option<Grade>,
    decided: Grade,
    reason: Option<&str>,
) -> Option<Violation> {
    let departs = suggested.is_some_and(|s| s != decided);
    (departs && reason.is_none_or(|r| r.trim().is_empty())).then(|| {
        Violation::new(
            "departure_reason",
            "required",
            "the grade departs from the suggested one: record why",
            "xếp loại khác với mức gợi ý: cần ghi rõ lý do",
        )
    })
}

/// The violation of a decision beyond the group's quota of excellent grades without a
/// recorded exception reason.
pub fn quota_violation(quota: Option<&QuotaCheck>, reason: Option<&str>) -> Option<Violation> {
    let exceeded = quota.filter(|q| q.exceeded)?;
    reason.is_none().then(|| {
        Violation::new(
            "quota_exception_reason",
            "quota_exceeded",
            format!(
                "{}; record the reason for the exception",
                exceeded.message_en
            ),
            format!("{}; cần ghi rõ lý do vượt tỷ lệ", exceeded.message_vi),
        )
    })
}

/// The grade `facts` suggest under `rule_set`.
pub fn suggest(rule_set: &RuleSet, facts: &Facts) -> Suggestion {
    let mut steps = Vec::new();
    let (score, mut grade) = if facts.items.is_empty() {
        steps.push(
            Step::new(
                StepCode::NoItems,
                "not complete: the assignment has no items to grade".into(),
                "không hoàn thành nhiệm vụ: không có nhiệm vụ nào để đánh giá".into(),
            )
            .grade(Grade::NotComplete),
        );
        (0.0, Grade::NotComplete)
    } else {
        let score = rule_set
            .method
            .round(score_items(rule_set, &facts.items, &mut steps));
        let grade = band(rule_set, score, &mut steps);
        (
            score,
            apply_gates(rule_set, &facts.items, grade, &mut steps),
        )
    };
    for (i, fact) in facts.facts.iter().enumerate() {
        if rule_set.forcing_facts.contains(fact) && !facts.facts[..i].contains(fact) {
            grade = Grade::NotComplete;
            steps.push(
                Step::new(
                    StepCode::Forced,
                    format!("not complete: fact {fact} forces not complete"),
                    format!(
                        "không hoàn thành nhiệm vụ: tình tiết {fact} buộc xếp loại không hoàn thành nhiệm vụ"
                    ),
                )
                .grade(Grade::NotComplete),
            );
        }
    }
    steps.push(
        Step::new(
            StepCode::Grade,
            format!("suggested grade: {}", lower_en(grade)),
            format!("đề xuất xếp loại: {}", lower_vi(grade)),
        )
        .grade(grade)
        .values(Some(score), None),
    );
    Suggestion {
        grade,
        score,
        derivation: steps,
    }
}

fn score_items(rule_set: &RuleSet, items: &[Item], steps: &mut Vec<Step>) -> f64 {
    let method = rule_set.method;
    let weight = |item: &Item| {
        if item.weight.is_finite() && item.weight > 0.0 {
            item.weight
        } else {
            0.0
        }
    };
    let total_weight: f64 = items.iter().map(weight).sum();
    let mut total = 0.0;
    for item in items {
        let share = if total_weight > 0.0 {
            method.scale() * weight(item) / total_weight
        } else {
            0.0
        };
        let completion = item
            .completion
            .filter(|c| c.is_finite())
            .map(|c| c.max(0.0));
        let counted = completion.unwrap_or(0.0).min(method.cap());
        let earned = share * counted;
        let (done_en, done_vi) = match completion {
            None => (
                "completion unknown, counts as 0".to_owned(),
                "chưa có số liệu hoàn thành, tính bằng 0".to_owned(),
            ),
            Some(c) if c > counted => (
                format!("completion {} counted as {}", pct(c), pct(counted)),
                format!("hoàn thành {} tính tối đa {}", pct_vi(c), pct_vi(counted)),
            ),
            Some(c) => (
                format!("completion {}", pct(c)),
                format!("hoàn thành {}", pct_vi(c)),
            ),
        };
        steps.push(
            Step::new(
                StepCode::Item,
                format!(
                    "item {}: {done_en}, earns {} of {}",
                    item.key,
                    num(earned),
                    num(share)
                ),
                format!(
                    "nhiệm vụ {}: {done_vi}, được {}/{}",
                    item.key,
                    num_vi(earned),
                    num_vi(share)
                ),
            )
            .item(&item.key)
            .values(Some(round(earned, 6)), Some(round(share, 6))),
        );
        total += penalised(rule_set, item, earned, steps);
    }
    total
}

fn penalised(rule_set: &RuleSet, item: &Item, earned: f64, steps: &mut Vec<Step>) -> f64 {
    let late = !item.on_time;
    let defects = item.quality_defects;
    if !late && defects == 0 {
        return earned;
    }
    if item.objective_cause {
        let (en, vi) = match (late, defects) {
            (true, 0) => ("late".to_owned(), "chậm tiến độ".to_owned()),
            (false, d) => (
                format!("{d} quality defect(s)"),
                format!("{d} lỗi chất lượng"),
            ),
            (true, d) => (
                format!("late, {d} quality defect(s)"),
                format!("chậm tiến độ, {d} lỗi chất lượng"),
            ),
        };
        steps.push(
            Step::new(
                StepCode::PenaltyWaived,
                format!(
                    "item {}: {en} with a certified objective cause, no penalty",
                    item.key
                ),
                format!(
                    "nhiệm vụ {}: {vi} do nguyên nhân khách quan đã được xác nhận, không bị trừ",
                    item.key
                ),
            )
            .item(&item.key),
        );
        return earned;
    }
    let mut left = earned;
    if late {
        let share = rule_set.late_penalty_share;
        let lost = (earned * share).clamp(0.0, left);
        left -= lost;
        steps.push(
            Step::new(
                StepCode::LatePenalty,
                format!(
                    "item {}: late, loses {} ({} of {})",
                    item.key,
                    num(lost),
                    pct(share),
                    num(earned)
                ),
                format!(
                    "nhiệm vụ {}: chậm tiến độ, bị trừ {} ({} của {})",
                    item.key,
                    num_vi(lost),
                    pct_vi(share),
                    num_vi(earned)
                ),
            )
            .item(&item.key)
            .values(Some(round(lost, 6)), Some(share)),
        );
    }
    if defects > 0 {
        let share = rule_set.quality_penalty_share;
        let lost = (earned * share * f64::from(defects)).clamp(0.0, left);
        left -= lost;
        steps.push(
            Step::new(
                StepCode::QualityPenalty,
                format!(
                    "item {}: {defects} quality defect(s), loses {} ({defects} × {} of {}, never below 0)",
                    item.key,
                    num(lost),
                    pct(share),
                    num(earned)
                ),
                format!(
                    "nhiệm vụ {}: {defects} lỗi chất lượng, bị trừ {} ({defects} × {} của {}, không dưới 0)",
                    item.key,
                    num_vi(lost),
                    pct_vi(share),
                    num_vi(earned)
                ),
            )
            .item(&item.key)
            .values(Some(round(lost, 6)), Some(share)),
        );
    }
    left
}

fn band(rule_set: &RuleSet, score: f64, steps: &mut Vec<Step>) -> Grade {
    let (noun_en, noun_vi) = rule_set.method.noun();
    let reached = rule_set
        .bands
        .iter()
        .filter(|b| score >= b.min)
        .max_by_key(|b| b.grade);
    let step = match reached {
        Some(b) => {
            let upper = rule_set
                .bands
                .iter()
                .filter(|o| o.grade > b.grade)
                .map(|o| o.min)
                .reduce(f64::min);
            let (en, vi) = match upper {
                Some(hi) => (
                    format!("is in [{}, {})", num(b.min), num(hi)),
                    format!("thuộc khoảng [{}; {})", num_vi(b.min), num_vi(hi)),
                ),
                None => (
                    format!("is at least {}", num(b.min)),
                    format!("từ {} trở lên", num_vi(b.min)),
                ),
            };
            Step::new(
                StepCode::Band,
                format!("{}: {noun_en} {} {en}", lower_en(b.grade), num(score)),
                format!("{}: {noun_vi} {} {vi}", lower_vi(b.grade), num_vi(score)),
            )
            .grade(b.grade)
            .values(Some(score), Some(b.min))
        }
        None => {
            let lowest = rule_set.bands.iter().map(|b| b.min).reduce(f64::min);
            let (en, vi) = match lowest {
                Some(lo) => (
                    format!("is below {}", num(lo)),
                    format!("dưới {}", num_vi(lo)),
                ),
                None => (
                    "reaches no band".to_owned(),
                    "không thuộc khung nào".to_owned(),
                ),
            };
            Step::new(
                StepCode::Band,
                format!("not complete: {noun_en} {} {en}", num(score)),
                format!(
                    "không hoàn thành nhiệm vụ: {noun_vi} {} {vi}",
                    num_vi(score)
                ),
            )
            .grade(Grade::NotComplete)
            .values(Some(score), lowest)
        }
    };
    let grade = step.grade.unwrap_or(Grade::NotComplete);
    steps.push(step);
    grade
}

/// Why a gate failed.
enum Failure {
    OnTime { late: usize, n: usize },
    Exceeded { share: f64, min: f64 },
    Done { not_done: usize, n: usize },
    Late { share: f64, max: f64 },
}

fn gate_failures(rule_set: &RuleSet, items: &[Item], grade: Grade) -> Vec<Failure> {
    let n = items.len();
    let late = items.iter().filter(|i| !i.is_on_time_for_gates()).count();
    let share = |count: usize| count as f64 / n as f64;
    let mut out = Vec::new();
    let on_time = |all_on_time: bool, out: &mut Vec<Failure>| {
        if all_on_time && late > 0 {
            out.push(Failure::OnTime { late, n });
        }
    };
    match grade {
        Grade::Excellent => {
            if let Some(gate) = rule_set.gates.excellent {
                on_time(gate.all_on_time, &mut out);
                let exceeded = share(items.iter().filter(|i| i.exceeded).count());
                if exceeded + EPSILON < gate.min_exceeded_share {
                    out.push(Failure::Exceeded {
                        share: exceeded,
                        min: gate.min_exceeded_share,
                    });
                }
            }
        }
        Grade::Good => {
            if let Some(gate) = rule_set.gates.good {
                on_time(gate.all_on_time, &mut out);
            }
        }
        Grade::Complete => {
            if let Some(gate) = rule_set.gates.complete {
                let not_done = items.iter().filter(|i| !i.is_done()).count();
                if gate.all_done && not_done > 0 {
                    out.push(Failure::Done { not_done, n });
                }
                if share(late) > gate.max_late_share + EPSILON {
                    out.push(Failure::Late {
                        share: share(late),
                        max: gate.max_late_share,
                    });
                }
            }
        }
        Grade::NotComplete => {}
    }
    out
}

fn apply_gates(
    rule_set: &RuleSet,
    items: &[Item],
    mut grade: Grade,
    steps: &mut Vec<Step>,
) -> Grade {
    loop {
        let failures = gate_failures(rule_set, items, grade);
        if failures.is_empty() {
            return grade;
        }
        let lower = grade.downgrade();
        let (head_en, head_vi) = if lower == Grade::NotComplete {
            (
                format!("not complete, short of {}", lower_en(grade)),
                format!(
                    "không hoàn thành nhiệm vụ, chưa đạt mức {}",
                    lower_vi(grade)
                ),
            )
        } else {
            (
                format!("{}, not {}", lower_en(lower), lower_en(grade)),
                format!("{}, không đạt mức {}", lower_vi(lower), lower_vi(grade)),
            )
        };
        for failure in failures {
            let step = match failure {
                Failure::OnTime { late, n } => Step::new(
                    StepCode::GateOnTime,
                    format!("{head_en}: {late} of {n} items late, the gate requires every item on time"),
                    format!(
                        "{head_vi}: {late}/{n} nhiệm vụ chậm tiến độ, điều kiện yêu cầu mọi nhiệm vụ đúng hạn"
                    ),
                )
                .values(Some(round((n - late) as f64 / n as f64, 4)), Some(1.0)),
                Failure::Exceeded { share, min } => Step::new(
                    StepCode::GateExceeded,
                    format!(
                        "{head_en}: {} of items exceeded, the gate requires {}",
                        pct(share),
                        pct(min)
                    ),
                    format!(
                        "{head_vi}: {} nhiệm vụ vượt yêu cầu, điều kiện yêu cầu {}",
                        pct_vi(share),
                        pct_vi(min)
                    ),
                )
                .values(Some(round(share, 4)), Some(min)),
                Failure::Done { not_done, n } => Step::new(
                    StepCode::GateDone,
                    format!(
                        "{head_en}: {not_done} of {n} items not done, the gate requires every item done"
                    ),
                    format!(
                        "{head_vi}: {not_done}/{n} nhiệm vụ chưa hoàn thành, điều kiện yêu cầu mọi nhiệm vụ hoàn thành"
                    ),
                )
                .values(Some(round((n - not_done) as f64 / n as f64, 4)), Some(1.0)),
                Failure::Late { share, max } => Step::new(
                    StepCode::GateLate,
                    format!(
                        "{head_en}: {} of items late, the gate allows at most {}",
                        pct(share),
                        pct(max)
                    ),
                    format!(
                        "{head_vi}: {} nhiệm vụ chậm tiến độ, điều kiện cho phép tối đa {}",
                        pct_vi(share),
                        pct_vi(max)
                    ),
                )
                .values(Some(round(share, 4)), Some(max)),
            };
            steps.push(step.grade(lower));
        }
        grade = lower;
    }
}

/// Whether a group's excellent grades fit its quota, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuotaCheck {
    /// Most excellent grades the quota allows.
    pub allowed_excellent: u32,
    /// Excellent grades proposed.
    pub excellent: u32,
    /// Good grades proposed.
    pub good: u32,
    /// More excellent grades than allowed; an exception must be recorded.
    pub exceeded: bool,
    /// English explanation.
    pub message_en: String,
    /// Vietnamese explanation.
    pub message_vi: String,
}

/// Checks `excellent` grades against the quota of `good` grades in a group of similar units.
pub fn quota_check(quota: &Quota, excellent: u32, good: u32) -> QuotaCheck {
    let share = quota.excellent_max_share_of_good;
    // A float-to-int cast saturates: NaN and negatives give 0.
    let allowed_excellent = (share * f64::from(good) + EPSILON).floor() as u32;
    let exceeded = excellent > allowed_excellent;
    let (message_en, message_vi) = if exceeded {
        (
            format!(
                "{excellent} excellent exceed the {allowed_excellent} allowed ({} of {good} good); the exception must be recorded",
                pct(share)
            ),
            format!(
                "{excellent} trường hợp hoàn thành xuất sắc vượt mức tối đa {allowed_excellent} ({} của {good} trường hợp hoàn thành tốt); ngoại lệ phải được ghi nhận",
                pct_vi(share)
            ),
        )
    } else {
        (
            format!(
                "{excellent} excellent within the {allowed_excellent} allowed ({} of {good} good)",
                pct(share)
            ),
            format!(
                "{excellent} trường hợp hoàn thành xuất sắc trong mức tối đa {allowed_excellent} ({} của {good} trường hợp hoàn thành tốt)",
                pct_vi(share)
            ),
        )
    };
    QuotaCheck {
        allowed_excellent,
        excellent,
        good,
        exceeded,
        message_en,
        message_vi,
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (x * factor).round() / factor
}

fn num(x: f64) -> String {
    format!("{}", round(x, 4) + 0.0)
}

fn num_vi(x: f64) -> String {
    num(x).replace('.', ",")
}

fn pct(x: f64) -> String {
    format!("{}%", num(x * 100.0))
}

fn pct_vi(x: f64) -> String {
    format!("{}%", num_vi(x * 100.0))
}

fn lower_en(grade: Grade) -> String {
    grade.label_en().to_lowercase()
}

fn lower_vi(grade: Grade) -> String {
    grade.label_vi().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn item(key: &str, completion: f64) -> Item {
        Item {
            key: key.into(),
            weight: 1.0,
            completion: Some(completion),
            done: true,
            on_time: true,
            exceeded: false,
            quality_defects: 0,
            objective_cause: false,
        }
    }

    fn exceeded(key: &str, completion: f64) -> Item {
        Item {
            exceeded: true,
            ..item(key, completion)
        }
    }

    fn late(item: Item) -> Item {
        Item {
            on_time: false,
            ..item
        }
    }

    fn facts(items: Vec<Item>) -> Facts {
        Facts {
            items,
            ..Facts::default()
        }
    }

    /// `n` fully met items, the first `exceeded` of them exceeded and the last `late` late.
    fn many(n: usize, exceeded: usize, late: usize) -> Facts {
        facts(
            (0..n)
                .map(|i| Item {
                    exceeded: i < exceeded,
                    on_time: i < n - late,
                    ..item(&format!("i{i}"), 1.0)
                })
                .collect(),
        )
    }

    fn codes(s: &Suggestion) -> Vec<&'static str> {
        s.derivation.iter().map(|step| step.code.as_str()).collect()
    }

    fn step<'a>(s: &'a Suggestion, code: &str) -> &'a Step {
        s.derivation
            .iter()
            .find(|step| step.code == code)
            .unwrap_or_else(|| panic!("no {code} step in {:?}", codes(s)))
    }

    #[test]
    fn grade_codes_order_and_labels() {
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.as_str()), Some(*g));
        }
        assert_eq!(Grade::VOCABULARY, "grade");
        let ranks: Vec<_> = Grade::ALL.iter().map(|g| g.rank()).collect();
        assert_eq!(ranks, [3, 2, 1, 0]);
        assert!(Grade::Excellent > Grade::Good && Grade::Complete > Grade::NotComplete);
        assert_eq!(Grade::Excellent.min(Grade::Complete), Grade::Complete);
        let downs: Vec<_> = Grade::ALL.iter().map(|g| g.downgrade()).collect();
        assert_eq!(
            downs,
            [
                Grade::Good,
                Grade::Complete,
                Grade::NotComplete,
                Grade::NotComplete
            ]
        );
        assert_eq!(Grade::Good.label_vi(), "Hoàn thành tốt nhiệm vụ");
        assert_eq!(Grade::NotComplete.label_en(), "Not complete");
        assert_eq!(
            serde_json::to_string(&Grade::NotComplete).unwrap(),
            "\"not_complete\""
        );
    }

    #[test]
    fn score_100_band_edges() {
        // One item, done on time and exceeded, so only the band decides.
        let cases = [
            (1.0, 100.0, Grade::Excellent),
            (0.9, 90.0, Grade::Excellent),
            (0.8999, 89.99, Grade::Good),
            (0.7, 70.0, Grade::Good),
            (0.6999, 69.99, Grade::Complete),
            (0.5, 50.0, Grade::Complete),
            (0.4999, 49.99, Grade::NotComplete),
            (0.0, 0.0, Grade::NotComplete),
            // completion above 100% is capped under score_100
            (1.7, 100.0, Grade::Excellent),
        ];
        let rules = party_2025();
        for (completion, score, grade) in cases {
            let s = suggest(&rules, &facts(vec![exceeded("a", completion)]));
            assert_eq!((s.score, s.grade), (score, grade), "{completion}");
            assert_eq!(step(&s, "band").grade, Some(grade), "{completion}");
            assert_eq!(s.derivation.last().unwrap().code, "grade");
        }
    }

    #[test]
    fn score_is_rounded_before_banding() {
        // Three thirds at 90% sum to 90 up to float error, and reach the excellent band.
        let items = ["a", "b", "c"].map(|k| exceeded(k, 0.9)).to_vec();
        let s = suggest(&party_2025(), &facts(items));
        assert_eq!((s.score, s.grade), (90.0, Grade::Excellent));
        // Weights are relative.
        let mut heavy = exceeded("heavy", 1.0);
        heavy.weight = 3.0;
        let s = suggest(&party_2025(), &facts(vec![heavy, exceeded("light", 0.5)]));
        assert_eq!((s.score, s.grade), (87.5, Grade::Good));
    }

    #[test]
    fn band_step_explains_itself() {
        let s = suggest(&party_2025(), &facts(vec![exceeded("a", 0.875)]));
        let band = step(&s, "band");
        assert_eq!(band.message_en, "good: score 87.5 is in [70, 90)");
        assert_eq!(
            band.message_vi,
            "hoàn thành tốt nhiệm vụ: điểm 87,5 thuộc khoảng [70; 90)"
        );
        assert_eq!((band.actual, band.required), (Some(87.5), Some(70.0)));
        let s = suggest(&party_2025(), &facts(vec![exceeded("a", 0.95)]));
        assert_eq!(
            step(&s, "band").message_en,
            "excellent: score 95 is at least 90"
        );
        let s = suggest(&party_2025(), &facts(vec![exceeded("a", 0.4)]));
        assert_eq!(
            step(&s, "band").message_en,
            "not complete: score 40 is below 50"
        );
    }

    #[test]
    fn completion_ratio_band_edges() {
        let cases = [
            (1.1, 1.1, Grade::Excellent),
            (1.0999, 1.0999, Grade::Good),
            (1.0, 1.0, Grade::Good),
            (0.9999, 0.9999, Grade::Complete),
            (0.8, 0.8, Grade::Complete),
            (0.7999, 0.7999, Grade::NotComplete),
            (0.0, 0.0, Grade::NotComplete),
            // each item is capped at 150%
            (2.0, 1.5, Grade::Excellent),
        ];
        let rules = province_products();
        for (completion, ratio, grade) in cases {
            let s = suggest(&rules, &facts(vec![item("a", completion)]));
            assert_eq!((s.score, s.grade), (ratio, grade), "{completion}");
        }
        // "80% or more": one item met and one at 60% average to the 80% band.
        let s = suggest(&rules, &facts(vec![item("a", 1.0), item("b", 0.6)]));
        assert_eq!((s.score, s.grade), (0.8, Grade::Complete));
    }

    #[test]
    fn excellent_gate_exceeded_share() {
        // (items, exceeded, grade, failed gate's actual share)
        let cases = [
            (100, 30, Grade::Excellent, None),
            (100, 29, Grade::Good, Some(0.29)),
            (10, 3, Grade::Excellent, None),
            (25, 7, Grade::Good, Some(0.28)),
            (25, 8, Grade::Excellent, None),
            (4, 0, Grade::Good, Some(0.0)),
        ];
        for (n, k, grade, share) in cases {
            let s = suggest(&party_2025(), &many(n, k, 0));
            assert_eq!((s.score, s.grade), (100.0, grade), "{k}/{n}");
            let gate = s.derivation.iter().find(|st| st.code == "gate_exceeded");
            assert_eq!(gate.and_then(|g| g.actual), share, "{k}/{n}");
            if let Some(gate) = gate {
                assert_eq!((gate.grade, gate.required), (Some(Grade::Good), Some(0.3)));
            }
        }
        let s = suggest(&party_2025(), &many(25, 7, 0));
        let gate = step(&s, "gate_exceeded");
        assert_eq!(
            gate.message_en,
            "good, not excellent: 28% of items exceeded, the gate requires 30%"
        );
        assert_eq!(
            gate.message_vi,
            "hoàn thành tốt nhiệm vụ, không đạt mức hoàn thành xuất sắc nhiệm vụ: 28% nhiệm vụ vượt yêu cầu, điều kiện yêu cầu 30%"
        );
    }

    #[test]
    fn on_time_gates_cascade() {
        // Five items of 20 points, all exceeded, one late: 95 points, but not every item is on
        // time, so neither excellent nor good; 20% late is still complete.
        let s = suggest(&party_2025(), &many(5, 5, 1));
        assert_eq!((s.score, s.grade), (95.0, Grade::Complete));
        let gates: Vec<_> = s
            .derivation
            .iter()
            .filter(|st| st.code == "gate_on_time")
            .map(|st| (st.grade, st.actual, st.required))
            .collect();
        assert_eq!(
            gates,
            [
                (Some(Grade::Good), Some(0.8), Some(1.0)),
                (Some(Grade::Complete), Some(0.8), Some(1.0)),
            ]
        );
        assert_eq!(
            step(&s, "gate_on_time").message_en,
            "good, not excellent: 1 of 5 items late, the gate requires every item on time"
        );
        // All on time: excellent.
        let s = suggest(&party_2025(), &many(5, 5, 0));
        assert_eq!(s.grade, Grade::Excellent);
        assert!(!codes(&s).iter().any(|c| c.starts_with("gate_")));
        // The good band alone: all on time stays good, one late drops to complete.
        let good: Vec<_> = (0..10).map(|i| item(&format!("i{i}"), 0.8)).collect();
        let s = suggest(&party_2025(), &facts(good.clone()));
        assert_eq!((s.score, s.grade), (80.0, Grade::Good));
        let mut one_late = good;
        one_late[0].on_time = false;
        let s = suggest(&party_2025(), &facts(one_late));
        assert_eq!((s.score, s.grade), (78.0, Grade::Complete));
    }

    #[test]
    fn both_excellent_conditions_fail_in_one_downgrade() {
        let s = suggest(&party_2025(), &many(10, 0, 0));
        assert_eq!(s.grade, Grade::Good);
        let s = suggest(&party_2025(), &many(10, 0, 1));
        let excellent_failures: Vec<_> = s
            .derivation
            .iter()
            .filter(|st| st.code.as_str().starts_with("gate_") && st.grade == Some(Grade::Good))
            .map(|st| st.code)
            .collect();
        assert_eq!(excellent_failures, ["gate_on_time", "gate_exceeded"]);
        assert_eq!(s.grade, Grade::Complete);
    }

    #[test]
    fn complete_gate_late_share() {
        // 100 items: 20 late is within the 20% allowed, 21 late is not.
        let s = suggest(&party_2025(), &many(100, 100, 20));
        assert_eq!((s.score, s.grade), (95.0, Grade::Complete));
        assert!(!codes(&s).contains(&"gate_late"));
        let s = suggest(&party_2025(), &many(100, 100, 21));
        assert_eq!((s.score, s.grade), (94.75, Grade::NotComplete));
        let gate = step(&s, "gate_late");
        assert_eq!(
            (gate.grade, gate.actual, gate.required),
            (Some(Grade::NotComplete), Some(0.21), Some(0.2))
        );
        assert_eq!(
            gate.message_en,
            "not complete, short of complete: 21% of items late, the gate allows at most 20%"
        );
        assert_eq!(
            gate.message_vi,
            "không hoàn thành nhiệm vụ, chưa đạt mức hoàn thành nhiệm vụ: 21% nhiệm vụ chậm tiến độ, điều kiện cho phép tối đa 20%"
        );
        // 1 late of 5 is exactly 20%.
        let s = suggest(&party_2025(), &many(5, 0, 1));
        assert_eq!(s.grade, Grade::Complete);
    }

    #[test]
    fn complete_gate_all_done() {
        let mut items: Vec<_> = (0..5).map(|i| item(&format!("i{i}"), 0.6)).collect();
        let s = suggest(&party_2025(), &facts(items.clone()));
        assert_eq!((s.score, s.grade), (60.0, Grade::Complete));
        items[2].done = false;
        let s = suggest(&party_2025(), &facts(items.clone()));
        assert_eq!((s.score, s.grade), (60.0, Grade::NotComplete));
        let gate = step(&s, "gate_done");
        assert_eq!((gate.actual, gate.required), (Some(0.8), Some(1.0)));
        assert_eq!(
            gate.message_en,
            "not complete, short of complete: 1 of 5 items not done, the gate requires every item done"
        );
        // An unknown completion counts as 0 and not done, whatever the flag says.
        items[2] = Item {
            completion: None,
            ..item("i2", 1.0)
        };
        let s = suggest(&party_2025(), &facts(items));
        assert_eq!((s.score, s.grade), (48.0, Grade::NotComplete));
        assert!(step(&s, "item").message_en.contains("completion 60%"));
        assert!(s.derivation[2]
            .message_en
            .contains("completion unknown, counts as 0"));
    }

    #[test]
    fn province_gates() {
        // Excellent needs every item on time; good and complete have no gate.
        let rules = province_products();
        let s = suggest(&rules, &facts(vec![item("a", 1.5), item("b", 1.2)]));
        assert_eq!((s.score, s.grade), (1.35, Grade::Excellent));
        let s = suggest(&rules, &facts(vec![item("a", 1.5), late(item("b", 1.2))]));
        assert_eq!((s.score, s.grade), (1.2, Grade::Good));
        assert_eq!(step(&s, "gate_on_time").grade, Some(Grade::Good));
        let s = suggest(&rules, &facts(vec![late(item("a", 1.0)), item("b", 0.8)]));
        assert_eq!((s.score, s.grade), (0.775, Grade::NotComplete));
        let s = suggest(&rules, &facts(vec![item("a", 1.0), late(item("b", 1.0))]));
        assert_eq!((s.score, s.grade), (0.875, Grade::Complete));
    }

    #[test]
    fn late_and_quality_penalties() {
        // (item in a group of five fully met items of 20 points, score, lost per penalty)
        let base = || exceeded("x", 1.0);
        type Lost = Vec<(&'static str, f64)>;
        let cases: Vec<(Item, f64, Lost)> = vec![
            (base(), 100.0, vec![]),
            (late(base()), 95.0, vec![("late_penalty", 5.0)]),
            (
                Item {
                    quality_defects: 1,
                    ..base()
                },
                95.0,
                vec![("quality_penalty", 5.0)],
            ),
            (
                Item {
                    quality_defects: 2,
                    ..base()
                },
                90.0,
                vec![("quality_penalty", 10.0)],
            ),
            // never below 0
            (
                Item {
                    quality_defects: 5,
                    ..base()
                },
                80.0,
                vec![("quality_penalty", 20.0)],
            ),
            (
                Item {
                    quality_defects: 3,
                    ..late(base())
                },
                80.0,
                vec![("late_penalty", 5.0), ("quality_penalty", 15.0)],
            ),
            // penalties are shares of what the item earned
            (late(exceeded("x", 0.5)), 87.5, vec![("late_penalty", 2.5)]),
        ];
        for (x, score, penalties) in cases {
            let mut items: Vec<_> = (0..4).map(|i| exceeded(&format!("i{i}"), 1.0)).collect();
            items.push(x.clone());
            let s = suggest(&party_2025(), &facts(items));
            assert_eq!(s.score, score, "{x:?}");
            let got: Vec<_> = s
                .derivation
                .iter()
                .filter(|st| st.code.as_str().ends_with("_penalty"))
                .map(|st| {
                    assert_eq!(st.item.as_deref(), Some("x"));
                    assert_eq!(st.required, Some(0.25));
                    (st.code.as_str(), st.actual.unwrap())
                })
                .collect();
            assert_eq!(got, penalties, "{x:?}");
        }
        let s = suggest(&party_2025(), &facts(vec![late(exceeded("x", 1.0))]));
        let penalty = step(&s, "late_penalty");
        assert_eq!(penalty.message_en, "item x: late, loses 25 (25% of 100)");
        assert_eq!(
            penalty.message_vi,
            "nhiệm vụ x: chậm tiến độ, bị trừ 25 (25% của 100)"
        );
    }

    #[test]
    fn configured_penalty_shares() {
        let rules = RuleSet {
            late_penalty_share: 0.5,
            quality_penalty_share: 0.1,
            ..party_2025()
        };
        let x = Item {
            quality_defects: 2,
            ..late(exceeded("x", 1.0))
        };
        let s = suggest(&rules, &facts(vec![x]));
        assert_eq!(s.score, 30.0);
    }

    #[test]
    fn objective_cause_waives_penalties_and_counts_as_on_time() {
        let x = Item {
            quality_defects: 2,
            objective_cause: true,
            ..late(exceeded("x", 1.0))
        };
        let mut items: Vec<_> = (0..4).map(|i| exceeded(&format!("i{i}"), 1.0)).collect();
        items.push(x);
        let s = suggest(&party_2025(), &facts(items));
        assert_eq!((s.score, s.grade), (100.0, Grade::Excellent));
        let waived = step(&s, "penalty_waived");
        assert_eq!(waived.item.as_deref(), Some("x"));
        assert_eq!(
            waived.message_en,
            "item x: late, 2 quality defect(s) with a certified objective cause, no penalty"
        );
        assert!(!codes(&s).iter().any(|c| c.ends_with("_penalty")));
        // Nothing to waive, no step.
        let calm = Item {
            objective_cause: true,
            ..exceeded("y", 1.0)
        };
        let s = suggest(&party_2025(), &facts(vec![calm]));
        assert!(!codes(&s).contains(&"penalty_waived"));
    }

    #[test]
    fn forcing_fact() {
        let mut f = many(5, 5, 0);
        f.facts = vec!["commendation".into()];
        assert_eq!(suggest(&party_2025(), &f).grade, Grade::Excellent);
        f.facts.push(DISCIPLINE_REPRIMAND_OR_ABOVE.into());
        f.facts.push(DISCIPLINE_REPRIMAND_OR_ABOVE.into());
        for rules in [party_2025(), province_products()] {
            let s = suggest(&rules, &f);
            assert_eq!(s.grade, Grade::NotComplete);
            assert_eq!(
                codes(&s).iter().filter(|c| **c == "forced").count(),
                1,
                "{:?}",
                codes(&s)
            );
            let forced = step(&s, "forced");
            assert_eq!(forced.grade, Some(Grade::NotComplete));
            assert!(forced.message_en.contains(DISCIPLINE_REPRIMAND_OR_ABOVE));
            assert!(forced.message_vi.contains(DISCIPLINE_REPRIMAND_OR_ABOVE));
        }
        assert_eq!(suggest(&party_2025(), &f).score, 100.0);
    }

    #[test]
    fn no_items() {
        for rules in [party_2025(), province_products()] {
            let s = suggest(&rules, &Facts::default());
            assert_eq!((s.score, s.grade), (0.0, Grade::NotComplete));
            assert_eq!(codes(&s), ["no_items", "grade"]);
        }
    }

    #[test]
    fn suggestion_serialises() {
        let s = suggest(&party_2025(), &many(25, 7, 0));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["grade"], "good");
        assert_eq!(json["score"], 100.0);
        let gate = &json["derivation"].as_array().unwrap()[26];
        assert_eq!(gate["code"], "gate_exceeded");
        assert_eq!(gate["grade"], "good");
        assert_eq!(gate["actual"], 0.28);
        assert_eq!(gate["required"], 0.3);
        assert_eq!(gate["item"], serde_json::Value::Null);
    }

    #[test]
    fn quota_table() {
        // (excellent, good, allowed, exceeded)
        let cases = [
            (0, 0, 0, false),
            (1, 0, 0, true),
            (1, 4, 0, true),
            (1, 5, 1, false),
            (2, 10, 2, false),
            (3, 10, 2, true),
            (3, 15, 3, false),
            (7, 35, 7, false),
            (8, 35, 7, true),
        ];
        for (excellent, good, allowed, exceeded) in cases {
            let q = quota_check(&Quota::default(), excellent, good);
            assert_eq!(
                (q.allowed_excellent, q.excellent, q.good, q.exceeded),
                (allowed, excellent, good, exceeded),
                "{excellent}/{good}"
            );
        }
        let q = quota_check(&Quota::default(), 3, 10);
        assert_eq!(
            q.message_en,
            "3 excellent exceed the 2 allowed (20% of 10 good); the exception must be recorded"
        );
        assert!(q.message_vi.contains("ngoại lệ phải được ghi nhận"));
        // A share whose product lands just below an integer still allows it.
        let q = quota_check(
            &Quota {
                excellent_max_share_of_good: 0.29,
            },
            29,
            100,
        );
        assert_eq!((q.allowed_excellent, q.exceeded), (29, false));
        let q = quota_check(
            &Quota {
                excellent_max_share_of_good: f64::NAN,
            },
            1,
            10,
        );
        assert_eq!((q.allowed_excellent, q.exceeded), (0, true));
    }

    #[test]
    fn select_by_date_and_code() {
        let party_v2 = RuleSet {
            version: 2,
            ..party_2025()
        };
        let old_party = RuleSet {
            code: "qd124-2023".into(),
            valid_from: day(2023, 10, 10),
            valid_to: Some(day(2025, 6, 30)),
            ..party_2025()
        };
        let sets = [province_products(), party_2025(), party_v2, old_party];
        let pick =
            |code: Option<&str>, on| select(&sets, code, on).map(|r| (r.code.as_str(), r.version));
        let cases = [
            (None, day(2021, 12, 31), None),
            (None, day(2022, 1, 1), Some(("province-products", 1))),
            (None, day(2023, 10, 10), Some(("qd124-2023", 1))),
            (None, day(2025, 6, 30), Some(("qd124-2023", 1))),
            (None, day(2025, 7, 1), Some(("qd366-2025", 2))),
            (Some("qd366-2025"), day(2025, 6, 30), None),
            (Some("qd366-2025"), day(2026, 1, 1), Some(("qd366-2025", 2))),
            (Some("qd124-2023"), day(2025, 7, 1), None),
            (
                Some("province-products"),
                day(2026, 1, 1),
                Some(("province-products", 1)),
            ),
            (Some("unknown"), day(2026, 1, 1), None),
        ];
        for (code, on, expected) in cases {
            assert_eq!(pick(code, on), expected, "{code:?} {on}");
        }
        assert_eq!(select(&[], None, day(2026, 1, 1)), None);
    }

    #[test]
    fn shipped_rule_sets_are_valid() {
        for rules in [party_2025(), province_products()] {
            assert_eq!(rules.validate(), vec![], "{}", rules.code);
        }
    }

    #[test]
    fn broken_rule_sets() {
        type Break = fn(&mut RuleSet);
        let cases: Vec<(Break, Vec<(&str, &str)>)> = vec![
            (|r| r.code = " ".into(), vec![("code", "required")]),
            (|r| r.version = 0, vec![("version", "not_positive")]),
            (|r| r.name_en.clear(), vec![("name_en", "required")]),
            (
                |r| r.valid_to = Some(day(2025, 6, 30)),
                vec![("valid_to", "before_valid_from")],
            ),
            (|r| r.valid_to = Some(day(2025, 7, 1)), vec![]),
            (|r| r.bands.clear(), vec![("bands", "required")]),
            (
                |r| r.bands.swap(0, 1),
                vec![
                    ("bands[1].grade", "not_descending"),
                    ("bands[1].min", "not_descending"),
                ],
            ),
            (
                |r| r.bands[1].min = 90.0,
                vec![("bands[1].min", "not_descending")],
            ),
            (
                |r| r.bands[2].grade = Grade::Good,
                vec![("bands[2].grade", "not_descending")],
            ),
            (
                |r| r.bands[0].min = 120.0,
                vec![("bands[0].min", "out_of_range")],
            ),
            (
                |r| r.bands[2].min = f64::NAN,
                vec![
                    ("bands[2].min", "out_of_range"),
                    ("bands[2].min", "not_descending"),
                ],
            ),
            (
                |r| {
                    r.bands.push(Band {
                        grade: Grade::NotComplete,
                        min: 10.0,
                    })
                },
                vec![("bands[3].grade", "not_complete_band")],
            ),
            (
                |r| r.late_penalty_share = 1.5,
                vec![("late_penalty_share", "share_out_of_range")],
            ),
            (
                |r| r.quality_penalty_share = -0.1,
                vec![("quality_penalty_share", "share_out_of_range")],
            ),
            (
                |r| r.gates.excellent.as_mut().unwrap().min_exceeded_share = 30.0,
                vec![("gates.excellent.min_exceeded_share", "share_out_of_range")],
            ),
            (
                |r| r.gates.complete.as_mut().unwrap().max_late_share = f64::NAN,
                vec![("gates.complete.max_late_share", "share_out_of_range")],
            ),
            (
                |r| r.quota.excellent_max_share_of_good = 20.0,
                vec![("quota.excellent_max_share_of_good", "share_out_of_range")],
            ),
            (
                |r| r.forcing_facts.push(DISCIPLINE_REPRIMAND_OR_ABOVE.into()),
                vec![("forcing_facts[1]", "duplicate")],
            ),
            (
                |r| r.forcing_facts.push(String::new()),
                vec![("forcing_facts[1]", "required")],
            ),
        ];
        for (i, (breaks, expected)) in cases.into_iter().enumerate() {
            let mut rules = party_2025();
            breaks(&mut rules);
            let got: Vec<_> = rules
                .validate()
                .iter()
                .map(|v| (v.field.clone(), v.code))
                .collect();
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(f, c)| (f.to_string(), c))
                .collect();
            assert_eq!(got, expected, "case {i}");
        }
        // A ratio band may reach 150% but no further.
        let mut ratio = province_products();
        ratio.bands[0].min = 1.5;
        assert_eq!(ratio.validate(), vec![]);
        ratio.bands[0].min = 1.6;
        assert_eq!(ratio.validate()[0].code, "out_of_range");
    }

    #[test]
    fn shipped_rule_sets_round_trip_through_json() {
        for rules in [party_2025(), province_products()] {
            let json = serde_json::to_string(&rules).unwrap();
            let back: RuleSet = serde_json::from_str(&json).unwrap();
            assert_eq!(back, rules);
        }
        let json = serde_json::to_value(party_2025()).unwrap();
        assert_eq!(json["method"], "score_100");
        assert_eq!(json["valid_from"], "2025-07-01");
        assert_eq!(
            json["bands"][0],
            serde_json::json!({"grade": "excellent", "min": 90.0})
        );
        assert_eq!(
            serde_json::to_value(province_products()).unwrap()["method"],
            "completion_ratio"
        );
    }

    #[test]
    fn rule_set_json_defaults_and_strictness() {
        let minimal = serde_json::json!({
            "code": "x",
            "version": 1,
            "name_vi": "x",
            "name_en": "x",
            "valid_from": "2026-01-01",
            "method": "completion_ratio",
            "bands": [{"grade": "complete", "min": 0.8}],
        });
        let rules: RuleSet = serde_json::from_value(minimal.clone()).unwrap();
        assert_eq!(rules.late_penalty_share, 0.25);
        assert_eq!(rules.quality_penalty_share, 0.25);
        assert_eq!(rules.quota.excellent_max_share_of_good, 0.2);
        assert_eq!(rules.gates, Gates::default());
        assert!(rules.forcing_facts.is_empty() && rules.valid_to.is_none());
        assert_eq!(rules.validate(), vec![]);
        let mut unknown = minimal.clone();
        unknown["bonus"] = serde_json::json!(1);
        assert!(serde_json::from_value::<RuleSet>(unknown).is_err());
        let mut bad_method = minimal.clone();
        bad_method["method"] = serde_json::json!("score100");
        assert!(serde_json::from_value::<RuleSet>(bad_method).is_err());
        let mut bad_gate = minimal;
        bad_gate["gates"] = serde_json::json!({"good": {"all_on_time": true, "x": 1}});
        assert!(serde_json::from_value::<RuleSet>(bad_gate).is_err());
    }

    #[test]
    fn facts_json_and_validation() {
        let f: Facts = serde_json::from_value(serde_json::json!({
            "items": [{"key": "a", "weight": 2.0, "done": false, "on_time": true}],
        }))
        .unwrap();
        assert_eq!(
            f.items[0],
            Item {
                completion: None,
                done: false,
                weight: 2.0,
                ..item("a", 0.0)
            }
        );
        let back: Facts = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        assert_eq!(f.validate(), vec![]);
        let broken = facts(vec![
            Item {
                weight: 0.0,
                ..item("a", 1.0)
            },
            Item {
                weight: f64::NAN,
                completion: Some(-0.5),
                ..item("a", 1.0)
            },
            item(" ", 1.0),
        ]);
        let got: Vec<_> = broken
            .validate()
            .iter()
            .map(|v| (v.field.clone(), v.code))
            .collect();
        let expected = [
            ("items[0].weight", "not_positive"),
            ("items[1].key", "duplicate"),
            ("items[1].weight", "not_positive"),
            ("items[1].completion", "out_of_range"),
            ("items[2].key", "required"),
        ]
        .map(|(f, c)| (f.to_string(), c));
        assert_eq!(got, expected);
        // Bad weights earn nothing but do not break the suggestion.
        let s = suggest(&party_2025(), &broken);
        assert_eq!(s.score, 100.0);
        let zero = facts(vec![Item {
            weight: 0.0,
            ..item("a", 1.0)
        }]);
        assert_eq!(suggest(&party_2025(), &zero).score, 0.0);
    }
}
