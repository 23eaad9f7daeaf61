ALTER TABLE rounds DROP COLUMN quarterly_evaluation;
