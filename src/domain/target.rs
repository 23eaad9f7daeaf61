//! Quantified targets (chỉ tiêu): their shape, validation, completion ratio and roll-up.
//!
//! # Completion ratio
//!
//! [`completion_ratio`] maps a reported `actual` onto a ratio where `1.0` means the target is
//! fully met, a value above `1.0` means it is exceeded (only where the shape allows a
//! proportional measure of exceeding) and `0.0` is the floor (ratios are never negative).
//! The rules, with `X` the target value, `B` the baseline, `[lo, hi]` a range:
//!
//! * `at_least X`
//!   * `X > 0`: `actual / X` (the usual "thực hiện / kế hoạch").
//!   * `X <= 0` with a baseline `B < X`: progress from the baseline, `(actual - B) / (X - B)`.
//!   * `X < 0` without a usable baseline: `1 + (actual - X) / |X|`, i.e. the shortfall or the
//!     excess measured against the target's magnitude (`X = -2`: `-2 → 1.0`, `-3 → 0.5`,
//!     `-1 → 1.5`).
//!   * `X == 0` without a usable baseline: `1.0` when `actual >= 0`, else `0.0`.
//! * `at_most X` (lower is better)
//!   * with a baseline `B > X`: progress from the baseline, `(B - actual) / (B - X)`, which
//!     exceeds `1.0` when `actual < X`.
//!   * otherwise `1.0` when `actual <= X`; above it: `X / actual` for `X > 0`, `0.0` for
//!     `X == 0`, and `1 - (actual - X) / |X|` for `X < 0`.
//! * `range [lo, hi]`: `1.0` inside the range and above it (above `hi` is reported by
//!   [`is_exceeded`], the ratio stays `1.0`); below `lo` the `at_least lo` rules apply.
//! * `exactly X`: `1.0` when `actual` equals `X` within a relative tolerance of `1e-9`
//!   (absolute `1e-9` when `X == 0`); otherwise `1 - |actual - X| / |X|` for `X != 0` and
//!   `0.0` for `X == 0`.
//! * `milestone`: `1.0` when `actual != 0` (done), else `0.0`.
//!
//! The ratio is `None` when it cannot be computed: a non-finite `actual`, a target missing the
//! numbers its shape needs, or a non-finite result.

use super::Violation;
use crate::vocab_enum;

vocab_enum!(
    /// How a quantified target is to be met.
    TargetShape, "target_shape" {
        AtLeast => ("at_least", "Đạt tối thiểu", "At least"),
        AtMost => ("at_most", "Không vượt quá (càng thấp càng tốt)", "At most (lower is better)"),
        Range => ("range", "Trong khoảng", "Within a range"),
        Exactly => ("exactly", "Đạt đúng", "Exactly"),
        Milestone => ("milestone", "Hoàn thành / chưa hoàn thành", "Milestone (done or not)"),
    }
);

vocab_enum!(
    /// How the values of several units are combined into one.
    Rollup, "rollup" {
        None => ("none", "Không tổng hợp", "No roll-up"),
        Sum => ("sum", "Cộng tổng", "Sum"),
        Average => ("average", "Bình quân", "Average"),
        Min => ("min", "Giá trị nhỏ nhất", "Minimum"),
        Max => ("max", "Giá trị lớn nhất", "Maximum"),
    }
);

vocab_enum!(
    /// Band of a completion ratio used in evaluation.
    CompletionBand, "completion_band" {
        Met => ("met", "Hoàn thành (từ 100% trở lên)", "Met (100% or more)"),
        AtLeast80 => ("at_least_80", "Đạt từ 80% đến dưới 100%", "From 80% to under 100%"),
        Below80 => ("below_80", "Đạt dưới 80%", "Under 80%"),
    }
);

/// The ratio from which a target counts as mostly met.
pub const EIGHTY_PERCENT: f64 = 0.8;

/// Relative tolerance of `exactly` targets.
const TOLERANCE: f64 = 1e-9;

/// A quantified target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// How it is to be met.
    pub shape: TargetShape,
    /// Target value, for `at_least`, `at_most` and `exactly`.
    pub value: Option<f64>,
    /// Lower bound, for `range`.
    pub min: Option<f64>,
    /// Upper bound, for `range`.
    pub max: Option<f64>,
    /// Value at the start of the period, if known.
    pub baseline: Option<f64>,
}

fn required(field: &str, out: &mut Vec<Violation>) {
    out.push(Violation::new(
        field,
        "required",
        "this shape of target needs this number",
        "dạng chỉ tiêu này cần có số liệu này",
    ));
}

fn not_allowed(field: &str, out: &mut Vec<Violation>) {
    out.push(Violation::new(
        field,
        "not_allowed",
        "this shape of target does not take this number",
        "dạng chỉ tiêu này không dùng số liệu này",
    ));
}

impl Target {
    /// Violations of the numbers this target's shape needs and forbids.
    pub fn validate(&self) -> Vec<Violation> {
        let mut out = Vec::new();
        let fields = [
            ("target.value", self.value),
            ("target.min", self.min),
            ("target.max", self.max),
            ("target.baseline", self.baseline),
        ];
        for (field, number) in fields {
            if number.is_some_and(|n| !n.is_finite()) {
                out.push(Violation::new(
                    field,
                    "not_finite",
                    "the number must be finite",
                    "số liệu phải là số hữu hạn",
                ));
            }
        }
        let (value, bounds) = match self.shape {
            TargetShape::AtLeast | TargetShape::AtMost | TargetShape::Exactly => (true, false),
            TargetShape::Range => (false, true),
            TargetShape::Milestone => (false, false),
        };
        match (value, self.value) {
            (true, None) => required("target.value", &mut out),
            (false, Some(_)) => not_allowed("target.value", &mut out),
            _ => {}
        }
        for (field, number) in [("target.min", self.min), ("target.max", self.max)] {
            match (bounds, number) {
                (true, None) => required(field, &mut out),
                (false, Some(_)) => not_allowed(field, &mut out),
                _ => {}
            }
        }
        if let (true, Some(lo), Some(hi)) = (bounds, self.min, self.max) {
            if lo > hi {
                out.push(Violation::new(
                    "target.max",
                    "max_below_min",
                    "the upper bound must not be below the lower bound",
                    "cận trên không được nhỏ hơn cận dưới",
                ));
            }
        }
        out
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn at_least_ratio(x: f64, baseline: Option<f64>, actual: f64) -> f64 {
    if x > 0.0 {
        return actual / x;
    }
    match baseline {
        Some(b) if b < x => (actual - b) / (x - b),
        _ if x < 0.0 => 1.0 + (actual - x) / x.abs(),
        _ => f64::from(u8::from(actual >= 0.0)),
    }
}

fn at_most_ratio(x: f64, baseline: Option<f64>, actual: f64) -> f64 {
    match baseline {
        Some(b) if b > x => (b - actual) / (b - x),
        _ if actual <= x => 1.0,
        _ if x > 0.0 => x / actual,
        _ if x < 0.0 => 1.0 - (actual - x) / x.abs(),
        _ => 0.0,
    }
}

fn equals(x: f64, actual: f64) -> bool {
    let scale = if x == 0.0 { 1.0 } else { x.abs() };
    (actual - x).abs() <= TOLERANCE * scale
}

/// The completion ratio of `actual` against `target`; see the module documentation for the
/// rules. `None` when it cannot be computed.
pub fn completion_ratio(target: &Target, actual: f64) -> Option<f64> {
    finite(actual)?;
    let baseline = target.baseline.and_then(finite);
    let ratio = match target.shape {
        TargetShape::AtLeast => at_least_ratio(finite(target.value?)?, baseline, actual),
        TargetShape::AtMost => at_most_ratio(finite(target.value?)?, baseline, actual),
        TargetShape::Range => {
            let lo = finite(target.min?)?;
            finite(target.max?)?;
            if actual >= lo {
                1.0
            } else {
                at_least_ratio(lo, baseline, actual)
            }
        }
        TargetShape::Exactly => {
            let x = finite(target.value?)?;
            if equals(x, actual) {
                1.0
            } else if x == 0.0 {
                0.0
            } else {
                1.0 - (actual - x).abs() / x.abs()
            }
        }
        TargetShape::Milestone => f64::from(u8::from(actual != 0.0)),
    };
    finite(ratio).map(|r| r.max(0.0))
}

/// Whether `actual` meets the requirement of `target` (compared directly, not through the
/// ratio). `false` when either is non-finite or the target lacks its numbers.
pub fn is_met(target: &Target, actual: f64) -> bool {
    if !actual.is_finite() {
        return false;
    }
    let value = target.value.filter(|v| v.is_finite());
    match target.shape {
        TargetShape::AtLeast => value.is_some_and(|x| actual >= x),
        TargetShape::AtMost => value.is_some_and(|x| actual <= x),
        TargetShape::Range => target.min.is_some_and(|lo| lo.is_finite() && actual >= lo),
        TargetShape::Exactly => value.is_some_and(|x| equals(x, actual)),
        TargetShape::Milestone => actual != 0.0,
    }
}

/// Whether `actual` is strictly better than the requirement: above an `at_least` value or a
/// range's upper bound, below an `at_most` value. `exactly` and `milestone` targets cannot be
/// exceeded.
pub fn is_exceeded(target: &Target, actual: f64) -> bool {
    if !actual.is_finite() {
        return false;
    }
    let value = target.value.filter(|v| v.is_finite());
    match target.shape {
        TargetShape::AtLeast => value.is_some_and(|x| actual > x),
        TargetShape::AtMost => value.is_some_and(|x| actual < x),
        TargetShape::Range => target.max.is_some_and(|hi| hi.is_finite() && actual > hi),
        TargetShape::Exactly | TargetShape::Milestone => false,
    }
}

/// The evaluation band of a completion ratio; a NaN ratio falls below 80%.
pub fn band(ratio: f64) -> CompletionBand {
    if ratio >= 1.0 {
        CompletionBand::Met
    } else if ratio >= EIGHTY_PERCENT {
        CompletionBand::AtLeast80
    } else {
        CompletionBand::Below80
    }
}

/// Combines the values of several units; `None` for `Rollup::None`, no values, or any
/// non-finite value or result.
pub fn roll_up(method: Rollup, values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let result = match method {
        Rollup::None => return None,
        Rollup::Sum => values.iter().sum(),
        Rollup::Average => values.iter().sum::<f64>() / values.len() as f64,
        Rollup::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        Rollup::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    };
    finite(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(shape: TargetShape, x: f64) -> Target {
        Target {
            shape,
            value: Some(x),
            min: None,
            max: None,
            baseline: None,
        }
    }

    fn with_baseline(shape: TargetShape, x: f64, b: f64) -> Target {
        Target {
            baseline: Some(b),
            ..value(shape, x)
        }
    }

    fn range(lo: f64, hi: f64) -> Target {
        Target {
            shape: TargetShape::Range,
            value: None,
            min: Some(lo),
            max: Some(hi),
            baseline: None,
        }
    }

    fn milestone() -> Target {
        Target {
            shape: TargetShape::Milestone,
            value: None,
            min: None,
            max: None,
            baseline: None,
        }
    }

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in TargetShape::ALL {
            assert_eq!(TargetShape::parse(s.as_str()), Some(*s));
        }
        for r in Rollup::ALL {
            assert_eq!(Rollup::parse(r.as_str()), Some(*r));
        }
        for b in CompletionBand::ALL {
            assert_eq!(CompletionBand::parse(b.as_str()), Some(*b));
        }
    }

    #[test]
    fn validation_table() {
        use TargetShape::*;
        let t = |shape, value, min, max| Target {
            shape,
            value,
            min,
            max,
            baseline: None,
        };
        let cases: Vec<(Target, Vec<(&str, &str)>)> = vec![
            (t(AtLeast, Some(10.0), None, None), vec![]),
            (t(AtMost, Some(0.0), None, None), vec![]),
            (t(Exactly, Some(-2.0), None, None), vec![]),
            (
                t(AtLeast, None, Some(1.0), None),
                vec![("target.value", "required"), ("target.min", "not_allowed")],
            ),
            (t(Range, None, Some(8.0), Some(9.5)), vec![]),
            (t(Range, None, Some(8.0), Some(8.0)), vec![]),
            (
                t(Range, None, Some(9.5), Some(8.0)),
                vec![("target.max", "max_below_min")],
            ),
            (
                t(Range, Some(8.0), None, Some(9.5)),
                vec![("target.value", "not_allowed"), ("target.min", "required")],
            ),
            (t(Milestone, None, None, None), vec![]),
            (
                t(Milestone, Some(1.0), None, Some(2.0)),
                vec![
                    ("target.value", "not_allowed"),
                    ("target.max", "not_allowed"),
                ],
            ),
            (
                t(AtLeast, Some(f64::NAN), None, None),
                vec![("target.value", "not_finite")],
            ),
            (
                t(Range, None, Some(f64::NEG_INFINITY), Some(1.0)),
                vec![("target.min", "not_finite")],
            ),
        ];
        for (target, expected) in cases {
            let got: Vec<_> = target
                .validate()
                .iter()
                .map(|v| (v.field.clone(), v.code))
                .collect();
            let expected: Vec<_> = expected
                .into_iter()
                .map(|(f, c)| (f.to_string(), c))
                .collect();
            assert_eq!(got, expected, "{target:?}");
        }
        let nan_baseline = Target {
            baseline: Some(f64::INFINITY),
            ..value(AtLeast, 1.0)
        };
        assert_eq!(nan_baseline.validate()[0].field, "target.baseline");
    }

    #[test]
    fn completion_ratio_table() {
        use TargetShape::*;
        let cases: Vec<(Target, f64, Option<f64>)> = vec![
            // at_least, positive target
            (value(AtLeast, 100.0), 100.0, Some(1.0)),
            (value(AtLeast, 100.0), 120.0, Some(1.2)),
            (value(AtLeast, 100.0), 80.0, Some(0.8)),
            (value(AtLeast, 100.0), 0.0, Some(0.0)),
            (value(AtLeast, 100.0), -5.0, Some(0.0)),
            // at_least, zero and negative targets (growth of 0% or -2%)
            (value(AtLeast, 0.0), 0.0, Some(1.0)),
            (value(AtLeast, 0.0), 3.0, Some(1.0)),
            (value(AtLeast, 0.0), -0.1, Some(0.0)),
            (value(AtLeast, -2.0), -2.0, Some(1.0)),
            (value(AtLeast, -2.0), -3.0, Some(0.5)),
            (value(AtLeast, -2.0), -1.0, Some(1.5)),
            (value(AtLeast, -2.0), -6.0, Some(0.0)),
            (with_baseline(AtLeast, 0.0, -4.0), -2.0, Some(0.5)),
            (with_baseline(AtLeast, -2.0, -4.0), 0.0, Some(2.0)),
            // a baseline above a non-positive target is not usable
            (with_baseline(AtLeast, -2.0, 1.0), -3.0, Some(0.5)),
            // a positive target ignores the baseline
            (with_baseline(AtLeast, 10.0, 8.0), 9.0, Some(0.9)),
            // at_most, lower is better
            (value(AtMost, 2.0), 2.0, Some(1.0)),
            (value(AtMost, 2.0), 1.0, Some(1.0)),
            (value(AtMost, 2.0), 4.0, Some(0.5)),
            (value(AtMost, 0.0), 0.0, Some(1.0)),
            (value(AtMost, 0.0), 0.5, Some(0.0)),
            (value(AtMost, -1.0), -0.5, Some(0.5)),
            (value(AtMost, -1.0), -3.0, Some(1.0)),
            (with_baseline(AtMost, 3.0, 5.0), 4.0, Some(0.5)),
            (with_baseline(AtMost, 3.0, 5.0), 3.0, Some(1.0)),
            (with_baseline(AtMost, 3.0, 5.0), 2.0, Some(1.5)),
            (with_baseline(AtMost, 3.0, 5.0), 6.0, Some(0.0)),
            // a baseline already below the target is ignored
            (with_baseline(AtMost, 3.0, 2.0), 6.0, Some(0.5)),
            // range
            (range(8.0, 9.5), 8.0, Some(1.0)),
            (range(8.0, 9.5), 9.5, Some(1.0)),
            (range(8.0, 9.5), 11.0, Some(1.0)),
            (range(8.0, 9.5), 6.0, Some(0.75)),
            (range(-2.0, 0.0), -3.0, Some(0.5)),
            (range(0.0, 1.0), -1.0, Some(0.0)),
            // exactly
            (value(Exactly, 100.0), 100.0, Some(1.0)),
            (value(Exactly, 100.0), 100.0 + 1e-8, Some(1.0)),
            (value(Exactly, 100.0), 90.0, Some(0.9)),
            (value(Exactly, 100.0), 110.0, Some(0.9)),
            (value(Exactly, 100.0), 300.0, Some(0.0)),
            (value(Exactly, 0.0), 0.0, Some(1.0)),
            (value(Exactly, 0.0), 1e-12, Some(1.0)),
            (value(Exactly, 0.0), 0.1, Some(0.0)),
            (value(Exactly, -4.0), -5.0, Some(0.75)),
            // milestone
            (milestone(), 1.0, Some(1.0)),
            (milestone(), 0.0, Some(0.0)),
            (milestone(), -1.0, Some(1.0)),
            // cannot be computed
            (value(AtLeast, 100.0), f64::NAN, None),
            (value(AtLeast, 100.0), f64::INFINITY, None),
            (value(AtLeast, f64::NAN), 1.0, None),
            (value(AtLeast, 1e-300), 1e300, None),
            (milestone(), f64::NAN, None),
            (
                Target {
                    value: None,
                    ..value(AtMost, 0.0)
                },
                1.0,
                None,
            ),
            (
                Target {
                    max: None,
                    ..range(1.0, 2.0)
                },
                1.0,
                None,
            ),
        ];
        for (target, actual, expected) in cases {
            let got = completion_ratio(&target, actual);
            assert!(close(got, expected), "{target:?} {actual}: {got:?}");
        }
    }

    #[test]
    fn met_and_exceeded_table() {
        use TargetShape::*;
        // (target, actual, met, exceeded)
        let cases = vec![
            (value(AtLeast, 100.0), 100.0, true, false),
            (value(AtLeast, 100.0), 100.5, true, true),
            (value(AtLeast, 100.0), 99.9, false, false),
            (value(AtLeast, -2.0), -1.0, true, true),
            (value(AtLeast, 0.0), 0.0, true, false),
            (value(AtMost, 2.0), 2.0, true, false),
            (value(AtMost, 2.0), 1.9, true, true),
            (value(AtMost, 2.0), 2.1, false, false),
            (value(AtMost, 0.0), 0.0, true, false),
            (range(8.0, 9.5), 7.9, false, false),
            (range(8.0, 9.5), 8.0, true, false),
            (range(8.0, 9.5), 9.5, true, false),
            (range(8.0, 9.5), 9.6, true, true),
            (value(Exactly, 5.0), 5.0, true, false),
            (value(Exactly, 5.0), 6.0, false, false),
            (value(Exactly, 0.0), 0.0, true, false),
            (milestone(), 1.0, true, false),
            (milestone(), 0.0, false, false),
            (value(AtLeast, 1.0), f64::NAN, false, false),
            (value(AtLeast, f64::NAN), 1.0, false, false),
        ];
        for (target, actual, met, exceeded) in cases {
            assert_eq!(is_met(&target, actual), met, "{target:?} {actual}");
            assert_eq!(
                is_exceeded(&target, actual),
                exceeded,
                "{target:?} {actual}"
            );
        }
    }

    #[test]
    fn bands_at_the_edges() {
        let cases = [
            (1.2, CompletionBand::Met),
            (1.0, CompletionBand::Met),
            (0.999_999, CompletionBand::AtLeast80),
            (EIGHTY_PERCENT, CompletionBand::AtLeast80),
            (0.799_999, CompletionBand::Below80),
            (0.0, CompletionBand::Below80),
            (f64::NAN, CompletionBand::Below80),
        ];
        for (ratio, expected) in cases {
            assert_eq!(band(ratio), expected, "{ratio}");
        }
        // exactly 80% of a target lands in the 80% band
        let ratio = completion_ratio(&value(TargetShape::AtLeast, 100.0), 80.0).unwrap();
        assert_eq!(band(ratio), CompletionBand::AtLeast80);
        let ratio = completion_ratio(&value(TargetShape::AtLeast, 10.0), 8.0).unwrap();
        assert_eq!(band(ratio), CompletionBand::AtLeast80);
    }

    #[test]
    fn roll_up_table() {
        let values = [2.0, 8.0, 5.0];
        let cases = [
            (Rollup::None, &values[..], None),
            (Rollup::Sum, &values[..], Some(15.0)),
            (Rollup::Average, &values[..], Some(5.0)),
            (Rollup::Min, &values[..], Some(2.0)),
            (Rollup::Max, &values[..], Some(8.0)),
            (Rollup::Sum, &[][..], None),
            (Rollup::Average, &[][..], None),
            (Rollup::Max, &[-1.0, -3.0][..], Some(-1.0)),
            (Rollup::Sum, &[1.0, f64::NAN][..], None),
            (Rollup::Sum, &[f64::MAX, f64::MAX][..], None),
        ];
        for (method, values, expected) in cases {
            assert_eq!(roll_up(method, values), expected, "{method} {values:?}");
        }
    }
}
