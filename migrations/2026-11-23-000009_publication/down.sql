DROP INDEX evaluations_decided_idx;
ALTER TABLE rounds DROP COLUMN published_by, DROP COLUMN published_at;
