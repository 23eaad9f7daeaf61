//! Commitments: who may sign for a unit (the head, or a cadre with a recorded signing
//! delegation), decided over facts loaded beforehand, and how a signature check is stored.

use chrono::NaiveDate;
use uuid::Uuid;

use super::signature::SignatureCheck;
use super::validity::Validity;
use super::vocab::PostKind;
use crate::vocab_enum;

vocab_enum!(
    /// Outcome of verifying a commitment's digital signature, as stored.
    SignatureVerdict, "signature_check" {
        Valid => ("valid", "Hợp lệ", "Valid"),
        Invalid => ("invalid", "Không hợp lệ", "Invalid"),
        Malformed => ("malformed", "Sai định dạng", "Malformed"),
    }
);

impl From<&SignatureCheck> for SignatureVerdict {
    fn from(check: &SignatureCheck) -> Self {
        match check {
            SignatureCheck::Valid => SignatureVerdict::Valid,
            SignatureCheck::Invalid => SignatureVerdict::Invalid,
            SignatureCheck::Malformed(_) => SignatureVerdict::Malformed,
        }
    }
}

/// A post the would-be signer's cadre holds (or held) in the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPost {
    /// The post.
    pub id: Uuid,
    /// Its kind; only `head` entitles to sign.
    pub kind: PostKind,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day, if set.
    pub valid_to: Option<NaiveDate>,
}

/// A signing delegation recorded for the would-be signer's cadre in the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The delegation.
    pub id: Uuid,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day, if set.
    pub valid_to: Option<NaiveDate>,
}

/// What is known about a caller who wants to sign for one unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningFacts {
    /// Whether the caller holds `commitment_sign` on the unit.
    pub may_sign: bool,
    /// The cadre behind the caller's account, if any.
    pub cadre: Option<Uuid>,
    /// The cadre's posts in the unit.
    pub posts: Vec<HeldPost>,
    /// The cadre's signing delegations for the unit.
    pub delegations: Vec<Grant>,
}

/// Who signs, and in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signer {
    /// The cadre that signs.
    pub cadre: Uuid,
    /// The head's post held, when signing as head.
    pub post: Option<Uuid>,
    /// The delegation acted under, when not the head.
    pub delegation: Option<Uuid>,
}

fn valid_on(from: NaiveDate, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    Validity { from, to }.contains(day)
}

/// Who may sign a commitment for the unit on `today`: a caller with `commitment_sign` whose
/// cadre holds the unit's head post that day, or else holds a signing delegation valid that
/// day. `None` when the caller may not sign.
pub fn signer(facts: &SigningFacts, today: NaiveDate) -> Option<Signer> {
    if !facts.may_sign {
        return None;
    }
    let cadre = facts.cadre?;
    if let Some(post) = facts
        .posts
        .iter()
        .find(|p| p.kind == PostKind::Head && valid_on(p.valid_from, p.valid_to, today))
    {
        return Some(Signer {
            cadre,
            post: Some(post.id),
            delegation: None,
        });
    }
    facts
        .delegations
        .iter()
        .find(|d| valid_on(d.valid_from, d.valid_to, today))
        .map(|d| Signer {
            cadre,
            post: None,
            delegation: Some(d.id),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn post(n: u128, kind: PostKind, from: &str, to: Option<&str>) -> HeldPost {
        HeldPost {
            id: id(n),
            kind,
            valid_from: d(from),
            valid_to: to.map(d),
        }
    }

    fn grant(n: u128, from: &str, to: Option<&str>) -> Grant {
        Grant {
            id: id(n),
            valid_from: d(from),
            valid_to: to.map(d),
        }
    }

    const CADRE: u128 = 7;

    fn head(n: u128) -> Option<Signer> {
        Some(Signer {
            cadre: id(CADRE),
            post: Some(id(n)),
            delegation: None,
        })
    }

    fn delegate(n: u128) -> Option<Signer> {
        Some(Signer {
            cadre: id(CADRE),
            post: None,
            delegation: Some(id(n)),
        })
    }

    #[test]
    fn who_may_sign() {
        let today = d("2025-06-15");
        let cases: Vec<(&str, SigningFacts, Option<Signer>)> = vec![
            (
                "current head",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::Head, "2020-01-01", None)],
                    delegations: vec![],
                },
                head(1),
            ),
            (
                "head whose post ends today",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::Head, "2020-01-01", Some("2025-06-15"))],
                    delegations: vec![],
                },
                head(1),
            ),
            (
                "former head",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::Head, "2020-01-01", Some("2025-06-14"))],
                    delegations: vec![],
                },
                None,
            ),
            (
                "future head",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::Head, "2025-06-16", None)],
                    delegations: vec![],
                },
                None,
            ),
            (
                "deputy without delegation",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::DeputyHead, "2020-01-01", None)],
                    delegations: vec![],
                },
                None,
            ),
            (
                "deputy with a current delegation",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::DeputyHead, "2020-01-01", None)],
                    delegations: vec![grant(2, "2025-06-01", Some("2025-06-30"))],
                },
                delegate(2),
            ),
            (
                "delegation that has ended",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![],
                    delegations: vec![grant(2, "2025-05-01", Some("2025-05-31"))],
                },
                None,
            ),
            (
                "the head's post wins over a delegation",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::Head, "2020-01-01", None)],
                    delegations: vec![grant(2, "2025-01-01", None)],
                },
                head(1),
            ),
            (
                "a current post among past ones",
                SigningFacts {
                    may_sign: true,
                    cadre: Some(id(CADRE)),
                    posts: vec![
                        post(1, PostKind::Head, "2015-01-01", Some("2019-12-31")),
                        post(3, PostKind::Head, "2024-01-01", None),
                    ],
                    delegations: vec![],
                },
                head(3),
            ),
            (
                "no commitment_sign permission",
                SigningFacts {
                    may_sign: false,
                    cadre: Some(id(CADRE)),
                    posts: vec![post(1, PostKind::Head, "2020-01-01", None)],
                    delegations: vec![grant(2, "2025-01-01", None)],
                },
                None,
            ),
            (
                "an account without a cadre",
                SigningFacts {
                    may_sign: true,
                    cadre: None,
                    posts: vec![],
                    delegations: vec![],
                },
                None,
            ),
        ];
        for (name, facts, expected) in cases {
            assert_eq!(signer(&facts, today), expected, "{name}");
        }
    }

    #[test]
    fn verdicts_follow_the_check() {
        assert_eq!(
            SignatureVerdict::from(&SignatureCheck::Valid),
            SignatureVerdict::Valid
        );
        assert_eq!(
            SignatureVerdict::from(&SignatureCheck::Invalid),
            SignatureVerdict::Invalid
        );
        assert_eq!(
            SignatureVerdict::from(&SignatureCheck::Malformed("x".into())),
            SignatureVerdict::Malformed
        );
        for v in SignatureVerdict::ALL {
            assert_eq!(SignatureVerdict::parse(v.as_str()), Some(*v));
        }
    }
}
