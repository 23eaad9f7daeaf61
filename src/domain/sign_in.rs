//! The sign-in lock-out: after repeated failures a username, or a client address, is refused
//! for a while, even with the right password.

use chrono::{DateTime, Duration, Utc};

/// Lock-out window for failed sign-ins, in minutes.
pub const WINDOW_MINUTES: i64 = 15;

/// Failed sign-ins counted within the window: how many, and when the oldest was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// How many.
    pub count: i64,
    /// When the oldest counted failure happened.
    pub oldest: Option<DateTime<Utc>>,
}

/// Where counting a username's failures starts: the window's start, or its last successful
/// sign-in when that is later (a success forgives earlier failures).
pub fn user_floor(now: DateTime<Utc>, last_success: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let since = window_start(now);
    last_success.map_or(since, |s| s.max(since))
}

/// The start of the window that ends `now`.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(WINDOW_MINUTES)
}

/// Seconds to wait (at least 1) when the username (`max_per_account` failures since
/// [`user_floor`]) or the address (`max_per_addr` within the window) is locked; `None` when
/// neither is. The lock lasts until the oldest counted failure leaves the window.
pub fn wait_seconds(
    now: DateTime<Utc>,
    user: Failures,
    max_per_account: i64,
    addr: Failures,
    max_per_addr: i64,
) -> Option<u64> {
    let oldest = if user.count >= max_per_account {
        user.oldest
    } else if addr.count >= max_per_addr {
        addr.oldest
    } else {
        None
    }?;
    let wait = (oldest + Duration::minutes(WINDOW_MINUTES) - now)
        .num_seconds()
        .max(1);
    Some(wait as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::minutes(min)
    }

    fn failures(count: i64, oldest: Option<i64>) -> Failures {
        Failures {
            count,
            oldest: oldest.map(at),
        }
    }

    #[test]
    fn a_success_forgives_earlier_failures() {
        assert_eq!(user_floor(at(20), None), at(5));
        assert_eq!(user_floor(at(20), Some(at(1))), at(5));
        assert_eq!(user_floor(at(20), Some(at(12))), at(12));
    }

    #[test]
    fn locks_until_the_oldest_failure_leaves_the_window() {
        let none = failures(0, None);
        // Below both limits: not locked.
        assert_eq!(
            wait_seconds(at(10), failures(4, Some(2)), 5, none, 20),
            None
        );
        // The username reached its limit: locked until minute 2 + 15.
        assert_eq!(
            wait_seconds(at(10), failures(5, Some(2)), 5, none, 20),
            Some(7 * 60)
        );
        // The address reached its limit.
        assert_eq!(
            wait_seconds(at(10), none, 5, failures(20, Some(0)), 20),
            Some(5 * 60)
        );
        // The username's lock wins over the address's.
        assert_eq!(
            wait_seconds(at(10), failures(5, Some(3)), 5, failures(20, Some(0)), 20),
            Some(8 * 60)
        );
        // Never less than a second.
        assert_eq!(
            wait_seconds(at(20), failures(5, Some(2)), 5, none, 20),
            Some(1)
        );
    }
}
