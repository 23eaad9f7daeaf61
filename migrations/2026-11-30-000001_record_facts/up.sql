-- Evaluation by products: the reason for a decision that departs from the suggested grade
-- (the facts derived from the record, with their sources and contests, are kept in `facts`),
-- and the findings of spot checks.

ALTER TABLE evaluations ADD COLUMN departure_reason TEXT;

-- What the field check found for each drawn assignment.
CREATE TABLE spot_check_findings (
    id              UUID PRIMARY KEY,
    spot_check_id   UUID NOT NULL REFERENCES spot_checks (id),
    assignment_id   UUID NOT NULL REFERENCES assignments (id),
    outcome         TEXT NOT NULL CHECK (outcome IN ('confirmed', 'discrepancy')),
    note            TEXT NOT NULL,
    evidence_ids    UUID[] NOT NULL DEFAULT '{}',
    recorded_by     UUID NOT NULL REFERENCES accounts (id),
    recorded_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (spot_check_id, assignment_id)
);
CREATE INDEX spot_check_findings_assignment_idx ON spot_check_findings (assignment_id);
