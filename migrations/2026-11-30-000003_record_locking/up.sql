-- Once an evaluation is decided, the reports and evidence it rests on lock; the Organisation
-- Board may reopen the record with a reason for a correction, and lock it again.
CREATE TABLE evaluation_reopenings (
    id             UUID PRIMARY KEY,
    evaluation_id  UUID NOT NULL REFERENCES evaluations (id),
    reason         TEXT NOT NULL,
    reopened_by    UUID NOT NULL REFERENCES accounts (id),
    reopened_at    TIMESTAMPTZ NOT NULL,
    closed_by      UUID REFERENCES accounts (id),
    closed_at      TIMESTAMPTZ,
    CHECK ((closed_by IS NULL) = (closed_at IS NULL))
);
-- At most one open reopening per evaluation.
CREATE UNIQUE INDEX evaluation_reopenings_open_idx ON evaluation_reopenings (evaluation_id)
    WHERE closed_at IS NULL;
