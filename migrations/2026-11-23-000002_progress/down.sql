DROP TABLE progress_report_history;
DROP TABLE progress_reports;
ALTER TABLE rounds DROP COLUMN report_due_days, DROP COLUMN reporting_cadence;
