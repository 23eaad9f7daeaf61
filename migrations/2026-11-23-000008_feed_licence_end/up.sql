-- Feed licences can be ended early, with a reason; the version guards the change.
ALTER TABLE feed_licences
    ADD COLUMN version INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN end_reason TEXT;
