//! The publication of a round's results: versions (1 on publication, one more per correction,
//! each correction with its reason), the withdrawal of the publication, and the quota of
//! anonymous readers per client address.

use super::Violation;

/// Where a round's publication stands, as its latest version says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationState {
    /// Never published.
    Unpublished,
    /// Version `n` is the current publication.
    Current(i32),
    /// Version `n` was the current publication when it was withdrawn.
    Withdrawn(i32),
}

/// A step on a round's publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicationStep {
    /// Publish the results for the first time.
    Publish,
    /// Publish a new version that corrects the current one (also publishes again after a
    /// withdrawal).
    Correct,
    /// Withdraw the publication.
    Withdraw,
}

/// Why a step is refused in the current state, in both working languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// English.
    pub en: &'static str,
    /// Vietnamese.
    pub vi: &'static str,
}

/// The version `step` creates (publish, correct) or acts on (withdraw) in `state`, or why it
/// may not be taken.
pub fn next_version(state: PublicationState, step: PublicationStep) -> Result<i32, Refusal> {
    use PublicationState::*;
    use PublicationStep::*;
    match (state, step) {
        (Unpublished, Publish) => Ok(1),
        (Current(_) | Withdrawn(_), Publish) => Err(Refusal {
            en: "the round's results are already published; publish a correction instead",
            vi: "kết quả đợt giao đã được công bố; hãy công bố bản đính chính",
        }),
        (Current(n) | Withdrawn(n), Correct) => Ok(n + 1),
        (Current(n), Withdraw) => Ok(n),
        (Unpublished, Correct | Withdraw) => Err(Refusal {
            en: "the round's results are not published",
            vi: "kết quả đợt giao chưa được công bố",
        }),
        (Withdrawn(_), Withdraw) => Err(Refusal {
            en: "the publication is already withdrawn",
            vi: "kết quả công bố đã bị thu hồi",
        }),
    }
}

/// Longest reason of a correction or a withdrawal, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// The reason of a correction or a withdrawal, trimmed: required, at most
/// [`MAX_REASON_CHARS`] characters.
pub fn reason(text: Option<&str>) -> Result<String, Violation> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(Violation::new(
            "reason",
            "required",
            "a reason is required",
            "cần nêu lý do",
        ));
    }
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(Violation::new(
            "reason",
            "length",
            format!("at most {MAX_REASON_CHARS} characters"),
            format!("tối đa {MAX_REASON_CHARS} ký tự"),
        ));
    }
    Ok(text.to_owned())
}

/// What an anonymous reader has left in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length, in seconds.
    pub window_secs: u32,
    /// Requests left in the current window.
    pub remaining: u32,
    /// Seconds until the window ends (at least 1).
    pub reset_secs: u32,
    /// Whether this request is over the limit.
    pub exceeded: bool,
}

/// The quota after the `count`-th request of a window of `window_secs` seconds that ends in
/// `reset_secs` seconds, with `limit` requests allowed per window.
pub fn quota(count: i64, limit: u32, window_secs: u32, reset_secs: f64) -> Quota {
    let count = u32::try_from(count.max(0)).unwrap_or(u32::MAX);
    let reset = reset_secs.ceil().clamp(1.0, f64::from(window_secs.max(1)));
    Quota {
        limit,
        window_secs,
        remaining: limit.saturating_sub(count),
        reset_secs: reset as u32,
        exceeded: count > limit,
    }
}

#[cfg(test)]
mod tests {
    use super::PublicationState::*;
    use super::PublicationStep::*;
    use super::*;

    #[test]
    fn versions_follow_publication_corrections_and_withdrawal() {
        let cases = [
            (Unpublished, Publish, Ok(1)),
            (Unpublished, Correct, Err(())),
            (Unpublished, Withdraw, Err(())),
            (Current(1), Publish, Err(())),
            (Current(1), Correct, Ok(2)),
            (Current(3), Withdraw, Ok(3)),
            (Withdrawn(2), Publish, Err(())),
            (Withdrawn(2), Correct, Ok(3)),
            (Withdrawn(2), Withdraw, Err(())),
        ];
        for (state, step, expected) in cases {
            assert_eq!(
                next_version(state, step).map_err(|_| ()),
                expected,
                "{state:?} {step:?}"
            );
        }
    }

    #[test]
    fn a_reason_is_required_trimmed_and_bounded() {
        assert_eq!(
            reason(Some("  Sai số liệu  ")),
            Ok("Sai số liệu".to_owned())
        );
        assert_eq!(reason(None).map_err(|v| v.code), Err("required"));
        assert_eq!(reason(Some(" \n ")).map_err(|v| v.code), Err("required"));
        let long = "ă".repeat(MAX_REASON_CHARS);
        assert!(reason(Some(&long)).is_ok());
        let longer = "ă".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(reason(Some(&longer)).map_err(|v| v.code), Err("length"));
    }

    #[test]
    fn the_quota_counts_down_and_refuses_past_the_limit() {
        let q = quota(1, 3, 60, 59.2);
        assert_eq!((q.remaining, q.reset_secs, q.exceeded), (2, 60, false));
        let q = quota(3, 3, 60, 10.0);
        assert_eq!((q.remaining, q.reset_secs, q.exceeded), (0, 10, false));
        let q = quota(4, 3, 60, 0.2);
        assert_eq!((q.remaining, q.reset_secs, q.exceeded), (0, 1, true));
        assert_eq!(quota(5, 3, 60, 120.0).reset_secs, 60);
    }
}
