-- A round may ask for quarterly evaluation besides the yearly and whole-term ones.
ALTER TABLE rounds ADD COLUMN quarterly_evaluation BOOLEAN NOT NULL DEFAULT false;
