-- A tamper-evident audit trail: every record carries its place in one chain
-- (`chain_position`, gapless from 1), the hash of the record before it (`prev_hash`, 64 zeros
-- for the first) and its own hash (`hash`): SHA-256 of the canonical JSON (RFC 8785) of its
-- content, position and `prev_hash` (`domain::audit_chain`). New records are linked by
-- `app::in_tx` under the event feed's lock, so the chain follows commit order.
--
-- Rows written before this migration are chained by the service right after it migrates
-- (`db::migrate`, oldest first by `at`, then id): hashing canonical JSON is not something SQL
-- does, so the columns stay nullable, and a row still without a link is reported by
-- verification as a break.
ALTER TABLE audit_events
    ADD COLUMN chain_position BIGINT UNIQUE,
    ADD COLUMN prev_hash TEXT,
    ADD COLUMN hash TEXT;

-- Signed checkpoints of the chain's head, to hand to an outside party: `signature` is the
-- Ed25519 signature (base64) of the canonical JSON of {position, head_hash, at} under
-- `public_key` (base64 of the 32-byte key).
CREATE TABLE audit_checkpoints (
    id          UUID PRIMARY KEY,
    position    BIGINT NOT NULL,
    head_hash   TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    signature   TEXT NOT NULL,
    public_key  TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_position_idx ON audit_checkpoints (position);
