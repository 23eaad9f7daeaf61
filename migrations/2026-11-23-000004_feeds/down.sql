DROP TABLE observations;
DROP TABLE feed_licences;
ALTER TABLE assignments DROP COLUMN feed_mismatch_at, DROP COLUMN indicator_code;
