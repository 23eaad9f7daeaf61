ALTER TABLE progress_reports DROP COLUMN source_document;
DROP INDEX progress_report_history_occurred_idx;
ALTER TABLE progress_report_history DROP COLUMN source_document, DROP COLUMN occurred_at;
