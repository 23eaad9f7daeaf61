-- Evaluations entered from the paper record: the document they are entered from and the
-- moment of entry. The evaluation's own step moments are the days stated on paper.
CREATE TABLE evaluation_paper_sources (
    evaluation_id    UUID PRIMARY KEY REFERENCES evaluations (id),
    source_document  TEXT NOT NULL,
    recorded_by      UUID NOT NULL REFERENCES accounts (id),
    recorded_at      TIMESTAMPTZ NOT NULL
);
