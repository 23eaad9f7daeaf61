-- Draws of assignments for field verification, recorded with their seed so they can be redone.
CREATE TABLE spot_checks (
    id              UUID PRIMARY KEY,
    round_id        UUID NOT NULL REFERENCES rounds (id),
    share           DOUBLE PRECISION NOT NULL CHECK (share > 0 AND share <= 1),
    seed            TEXT NOT NULL,
    candidate_ids   UUID[] NOT NULL,
    drawn_ids       UUID[] NOT NULL,
    drawn_by        UUID NOT NULL REFERENCES accounts (id),
    drawn_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX spot_checks_round_idx ON spot_checks (round_id);
