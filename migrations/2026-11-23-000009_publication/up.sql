-- The Standing Committee publishes a round's results to portals.
ALTER TABLE rounds
    ADD COLUMN published_at TIMESTAMPTZ,
    ADD COLUMN published_by UUID REFERENCES accounts (id);
CREATE INDEX rounds_published_idx ON rounds (published_at) WHERE published_at IS NOT NULL;
-- Reports read evaluations and report history by assignment and time.
CREATE INDEX evaluations_decided_idx ON evaluations (assignment_id, decided_at);
