-- Supervision: obstacles raised by heads and answered by supervisors, opinions on
-- assignments, and objective causes certified on them.

ALTER TABLE assignments ADD COLUMN objective_cause BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE obstacles (
    id                  UUID PRIMARY KEY,
    assignment_id       UUID NOT NULL REFERENCES assignments (id),
    report_id           UUID REFERENCES progress_reports (id),
    description         TEXT NOT NULL,
    support_requested   TEXT,
    state               TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'resolved')),
    raised_by           UUID NOT NULL REFERENCES accounts (id),
    raised_at           TIMESTAMPTZ NOT NULL,
    response            TEXT,
    responded_by        UUID REFERENCES accounts (id),
    responded_at        TIMESTAMPTZ,
    resolution_note     TEXT,
    resolved_by         UUID REFERENCES accounts (id),
    resolved_at         TIMESTAMPTZ,
    objective_cause     BOOLEAN NOT NULL DEFAULT false,
    certification_note  TEXT,
    certified_by        UUID REFERENCES accounts (id),
    certified_at        TIMESTAMPTZ,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX obstacles_assignment_idx ON obstacles (assignment_id);

-- Append-only opinions of supervisors and the assigning side.
CREATE TABLE opinions (
    id              UUID PRIMARY KEY,
    assignment_id   UUID NOT NULL REFERENCES assignments (id),
    author_id       UUID NOT NULL REFERENCES accounts (id),
    body            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX opinions_assignment_idx ON opinions (assignment_id);
