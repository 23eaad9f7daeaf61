ALTER TABLE feed_licences DROP COLUMN end_reason, DROP COLUMN version;
