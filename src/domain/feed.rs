//! Rules of department data feeds: whether a fed value disagrees with the head's own.

/// Whether a fed value and a self-reported one differ by more than `tolerance`, relative to the
/// self-reported value (or absolutely, when that is zero).
pub fn mismatch(fed: f64, self_reported: f64, tolerance: f64) -> bool {
    let diff = (fed - self_reported).abs();
    if self_reported == 0.0 {
        diff > tolerance
    } else {
        diff / self_reported.abs() > tolerance
    }
}

#[cfg(test)]
mod tests {
    use super::mismatch;

    #[test]
    fn mismatch_table() {
        let cases = [
            (100.0, 100.0, 0.05, false),
            (105.0, 100.0, 0.05, false),
            (105.1, 100.0, 0.05, true),
            (94.9, 100.0, 0.05, true),
            (0.0, 0.0, 0.05, false),
            (0.04, 0.0, 0.05, false),
            (0.06, 0.0, 0.05, true),
            (-10.0, -10.4, 0.05, false),
            (-10.0, -11.0, 0.05, true),
        ];
        for (fed, own, tol, expected) in cases {
            assert_eq!(mismatch(fed, own, tol), expected, "{fed} vs {own}");
        }
    }
}
