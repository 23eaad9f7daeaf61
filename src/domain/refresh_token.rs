//! Refresh tokens: how long a sign-in lasts, and what a presented refresh token earns. A
//! password sign-in starts a family of tokens; each refresh uses the current token up and
//! issues its successor. A token presented again after it was used means two parties hold the
//! family (one of them stole it), so the whole family is revoked.

use chrono::{DateTime, Duration, Utc};

crate::vocab_enum!(
    /// Why a family of refresh tokens was revoked.
    RevokeReason, "refresh_token_revoke_reason" {
        Logout => ("logout", "Đăng xuất", "Signed out"),
        Reuse => ("reuse", "Mã làm mới đã dùng bị dùng lại", "A used refresh token was presented again"),
        SecretChanged => ("secret_changed", "Đổi mật khẩu", "Password or secret changed"),
        AccountDisabled => ("account_disabled", "Tài khoản bị khóa", "Account disabled"),
        BindingsChanged => ("bindings_changed", "Thay đổi vai trò", "Role bindings changed"),
    }
);

/// How long refresh tokens last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// A token unused for this long expires (the window slides with each refresh).
    pub idle: Duration,
    /// No token of a family outlives its first sign-in by more than this.
    pub absolute: Duration,
}

impl Lifetimes {
    /// When a family started at `started` ends, however often it is refreshed.
    pub fn family_expiry(&self, started: DateTime<Utc>) -> DateTime<Utc> {
        started + self.absolute
    }

    /// When a token issued at `now` in a family that ends at `family_expiry` expires.
    pub fn token_expiry(&self, now: DateTime<Utc>, family_expiry: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.idle).min(family_expiry)
    }
}

/// What is known of a presented token that matched a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented {
    /// Its family was revoked.
    pub revoked: bool,
    /// It was already exchanged for a successor.
    pub used: bool,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// Its account is disabled.
    pub account_disabled: bool,
}

/// Why a presented token earns nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Its family was revoked.
    Revoked,
    /// It expired.
    Expired,
    /// Its account is disabled.
    AccountDisabled,
}

/// What a presented refresh token earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A new access token and the token's successor.
    Rotate,
    /// Nothing, and its family is revoked: the token was already used.
    Reused,
    /// Nothing.
    Refused(Refusal),
}

/// Judges a presented token at `now`. A revoked family answers first (a reuse after a
/// revocation changes nothing); a used token is a reuse even once expired, since its family
/// may still be alive in other hands.
pub fn judge(token: Presented, now: DateTime<Utc>) -> Verdict {
    if token.revoked {
        Verdict::Refused(Refusal::Revoked)
    } else if token.used {
        Verdict::Reused
    } else if token.expires_at <= now {
        Verdict::Refused(Refusal::Expired)
    } else if token.account_disabled {
        Verdict::Refused(Refusal::AccountDisabled)
    } else {
        Verdict::Rotate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn tokens_slide_until_the_family_ends() {
        let l = Lifetimes {
            idle: Duration::days(30),
            absolute: Duration::days(90),
        };
        let started = at(0);
        let end = l.family_expiry(started);
        assert_eq!(end, at(90 * 24));
        assert_eq!(l.token_expiry(started, end), at(30 * 24));
        assert_eq!(l.token_expiry(at(50 * 24), end), at(80 * 24));
        // Near the end, the cap wins over the sliding window.
        assert_eq!(l.token_expiry(at(75 * 24), end), end);
    }

    #[test]
    fn verdicts() {
        let now = at(10);
        let fresh = Presented {
            revoked: false,
            used: false,
            expires_at: at(11),
            account_disabled: false,
        };
        let cases = [
            (fresh, Verdict::Rotate),
            (
                Presented {
                    used: true,
                    ..fresh
                },
                Verdict::Reused,
            ),
            (
                Presented {
                    used: true,
                    expires_at: at(9),
                    ..fresh
                },
                Verdict::Reused,
            ),
            (
                Presented {
                    revoked: true,
                    used: true,
                    ..fresh
                },
                Verdict::Refused(Refusal::Revoked),
            ),
            (
                Presented {
                    revoked: true,
                    ..fresh
                },
                Verdict::Refused(Refusal::Revoked),
            ),
            (
                Presented {
                    expires_at: now,
                    ..fresh
                },
                Verdict::Refused(Refusal::Expired),
            ),
            (
                Presented {
                    account_disabled: true,
                    ..fresh
                },
                Verdict::Refused(Refusal::AccountDisabled),
            ),
        ];
        for (token, expected) in cases {
            assert_eq!(judge(token, now), expected, "{token:?}");
        }
    }

    #[test]
    fn reasons_match_the_column_check() {
        let codes: Vec<&str> = RevokeReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            codes,
            [
                "logout",
                "reuse",
                "secret_changed",
                "account_disabled",
                "bindings_changed"
            ]
        );
    }
}
