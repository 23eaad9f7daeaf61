//! The audit trail as a hash chain, and the signed checkpoints of its head.
//!
//! Record `n` (positions 1, 2, … with no gaps) stores `prev_hash`, the hash of record `n - 1`
//! ([`GENESIS`] for the first), and `hash`: the SHA-256 of the canonical JSON (RFC 8785,
//! [`super::canonical`]) of its content together with its position and `prev_hash`. Changing a
//! record's content breaks its own hash; deleting or inserting one breaks the position or the
//! link of the next; rewriting everything after some record changes the head's hash, which a
//! signed [`checkpoint_payload`] held by an outside party then contradicts.
//!
//! This module is pure: writing ([`link`]) and checking ([`Walk`]) apply the same rules.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::canonical::{canonical_json, sha256_hex};
use crate::code_enum;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record says, as hashed (every column the audit trail shows).
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Record id.
    pub id: Uuid,
    /// When the change was committed (stored, and hashed, to the microsecond).
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor_account_id: Option<Uuid>,
    /// The request that made it.
    pub request_id: Option<&'a str>,
    /// What was done.
    pub action: &'a str,
    /// Kind of resource.
    pub resource_type: &'a str,
    /// The resource.
    pub resource_id: Option<Uuid>,
    /// Its unit.
    pub unit_id: Option<Uuid>,
    /// Image before.
    pub before: Option<&'a Value>,
    /// Image after.
    pub after: Option<&'a Value>,
}

/// An instant as the chain writes it: RFC 3339, UTC, exactly six decimals.
pub fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl Entry<'_> {
    /// The record's hash at `position` after a record whose hash is `prev_hash`: lower-case hex
    /// SHA-256 of the canonical JSON of the content, `position` and `prev_hash`.
    pub fn hash(&self, position: i64, prev_hash: &str) -> String {
        let content = json!({
            "id": self.id,
            "at": instant(self.at),
            "actor_account_id": self.actor_account_id,
            "request_id": self.request_id,
            "action": self.action,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "unit_id": self.unit_id,
            "before": self.before,
            "after": self.after,
            "position": position,
            "prev_hash": prev_hash,
        });
        sha256_hex(canonical_json(&content).as_bytes())
    }
}

/// The place of a record in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Position (1 for the first record).
    pub position: i64,
    /// Hash of the record before.
    pub prev_hash: String,
    /// This record's hash.
    pub hash: String,
}

/// The links of `entries` appended, in order, after the head `(position, hash)` (`None`: the
/// chain is empty).
pub fn link(head: Option<(i64, String)>, entries: &[Entry<'_>]) -> Vec<Link> {
    let (mut position, mut prev) = head.unwrap_or((0, GENESIS.to_owned()));
    entries
        .iter()
        .map(|e| {
            position += 1;
            let hash = e.hash(position, &prev);
            Link {
                position,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
            }
        })
        .collect()
}

code_enum!(
    /// What failed where the chain breaks.
    ChainFailure {
        ContentHash => "content_hash",
        Link => "link",
        Unchained => "unchained",
        Checkpoint => "checkpoint",
        CheckpointSignature => "checkpoint_signature",
    }
);

/// Walks the chain in position order, checking each record against the one before.
#[derive(Debug, Clone)]
pub struct Walk {
    position: i64,
    prev_hash: String,
}

impl Default for Walk {
    fn default() -> Self {
        Self {
            position: 0,
            prev_hash: GENESIS.to_owned(),
        }
    }
}

impl Walk {
    /// Checks the next stored record: [`ChainFailure::Link`] when its position is not the next
    /// one or its `prev_hash` is not the previous record's hash (a record deleted or inserted
    /// before it), [`ChainFailure::ContentHash`] when its stored hash is not the hash of what it
    /// says (its content changed).
    pub fn next(&mut self, entry: &Entry<'_>, stored: &Link) -> Result<(), ChainFailure> {
        if stored.position != self.position + 1 || stored.prev_hash != self.prev_hash {
            return Err(ChainFailure::Link);
        }
        if entry.hash(stored.position, &stored.prev_hash) != stored.hash {
            return Err(ChainFailure::ContentHash);
        }
        self.position = stored.position;
        self.prev_hash.clone_from(&stored.hash);
        Ok(())
    }

    /// Position of the last record checked (0 before the first).
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Hash of the last record checked.
    pub fn head_hash(&self) -> &str {
        &self.prev_hash
    }
}

/// The bytes a checkpoint signs: the canonical JSON of
/// `{"at": …, "head_hash": …, "position": …}` (`at` as [`instant`]).
pub fn checkpoint_payload(position: i64, head_hash: &str, at: DateTime<Utc>) -> String {
    canonical_json(&json!({
        "position": position,
        "head_hash": head_hash,
        "at": instant(at),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(action: &'a str, after: Option<&'a Value>) -> Entry<'a> {
        Entry {
            id: Uuid::nil(),
            at: DateTime::from_timestamp(1_700_000_000, 123_456_000).unwrap(),
            actor_account_id: None,
            request_id: None,
            action,
            resource_type: "level",
            resource_id: None,
            unit_id: None,
            before: None,
            after,
        }
    }

    #[test]
    fn links_follow_each_other_and_walk_back() {
        let a = json!({"name": "Tỉnh", "version": 1});
        let entries = [entry("level.create", Some(&a)), entry("level.update", None)];
        let links = link(None, &entries);
        assert_eq!(links[0].position, 1);
        assert_eq!(links[0].prev_hash, GENESIS);
        assert_eq!(links[1].prev_hash, links[0].hash);
        let more = link(Some((2, links[1].hash.clone())), &entries[..1]);
        assert_eq!(more[0].position, 3);
        let mut walk = Walk::default();
        for (e, l) in entries.iter().zip(&links) {
            walk.next(e, l).unwrap();
        }
        walk.next(&entries[0], &more[0]).unwrap();
        assert_eq!(walk.position(), 3);
    }

    #[test]
    fn a_changed_record_breaks_its_hash_and_a_missing_one_the_link() {
        let a = json!({"grade": "excellent"});
        let b = json!({"grade": "failed"});
        let entries = [
            entry("x.create", None),
            entry("x.update", Some(&a)),
            entry("x.update", None),
        ];
        let links = link(None, &entries);
        let mut walk = Walk::default();
        walk.next(&entries[0], &links[0]).unwrap();
        let tampered = entry("x.update", Some(&b));
        assert_eq!(
            walk.clone().next(&tampered, &links[1]),
            Err(ChainFailure::ContentHash)
        );
        assert_eq!(walk.next(&entries[2], &links[2]), Err(ChainFailure::Link));
    }

    #[test]
    fn the_hash_does_not_depend_on_key_order_or_sub_microseconds() {
        let a = json!({"a": 1, "b": 2.0});
        let b: Value = serde_json::from_str(r#"{"b": 2, "a": 1.0}"#).unwrap();
        let mut later = entry("x.update", Some(&b));
        later.at += chrono::Duration::nanoseconds(400);
        assert_eq!(
            entry("x.update", Some(&a)).hash(1, GENESIS),
            later.hash(1, GENESIS)
        );
    }

    #[test]
    fn the_checkpoint_payload_is_canonical() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(
            checkpoint_payload(7, "ab", at),
            r#"{"at":"2023-11-14T22:13:20.000000Z","head_hash":"ab","position":7}"#
        );
    }
}
