-- History entered as it happened: a report's states recorded from paper carry the day they
-- happened (`occurred_at`, which drives timeliness and "as of" figures) beside the moment they
-- were entered (`recorded_at`), and cite the paper document.

ALTER TABLE progress_report_history
    ADD COLUMN occurred_at      TIMESTAMPTZ,
    ADD COLUMN source_document  TEXT;
UPDATE progress_report_history SET occurred_at = recorded_at;
ALTER TABLE progress_report_history ALTER COLUMN occurred_at SET NOT NULL;
CREATE INDEX progress_report_history_occurred_idx
    ON progress_report_history (report_id, occurred_at);

ALTER TABLE progress_reports ADD COLUMN source_document TEXT;
