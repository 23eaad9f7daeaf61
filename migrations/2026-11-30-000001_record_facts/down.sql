DROP TABLE spot_check_findings;
ALTER TABLE evaluations DROP COLUMN departure_reason;
