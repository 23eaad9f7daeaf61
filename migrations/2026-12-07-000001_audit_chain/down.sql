DROP TABLE audit_checkpoints;
ALTER TABLE audit_events
    DROP COLUMN hash,
    DROP COLUMN prev_hash,
    DROP COLUMN chain_position;
