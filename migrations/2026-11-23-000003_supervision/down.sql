DROP TABLE opinions;
DROP TABLE obstacles;
ALTER TABLE assignments DROP COLUMN objective_cause;
