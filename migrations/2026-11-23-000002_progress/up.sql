-- Progress reports: per assignment and reporting period, with every revision kept so that
-- "as of" reads return what was known at a given time.

ALTER TABLE rounds
    ADD COLUMN reporting_cadence TEXT NOT NULL DEFAULT 'quarterly'
        CHECK (reporting_cadence IN ('monthly', 'quarterly', 'half_yearly', 'yearly')),
    ADD COLUMN report_due_days INTEGER NOT NULL DEFAULT 5 CHECK (report_due_days BETWEEN 0 AND 90);

CREATE TABLE progress_reports (
    id                  UUID PRIMARY KEY,
    assignment_id       UUID NOT NULL REFERENCES assignments (id),
    period_code         TEXT NOT NULL,
    period_start        DATE NOT NULL,
    period_end          DATE NOT NULL,
    due_date            DATE NOT NULL,
    state               TEXT NOT NULL DEFAULT 'draft'
                        CHECK (state IN ('draft', 'submitted', 'accepted', 'returned')),
    revision            INTEGER NOT NULL DEFAULT 1,
    content             JSONB NOT NULL,
    actual_value        DOUBLE PRECISION,
    first_submitted_at  TIMESTAMPTZ,
    submitted_at        TIMESTAMPTZ,
    reviewed_at         TIMESTAMPTZ,
    reviewed_by         UUID REFERENCES accounts (id),
    review_comment      TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (assignment_id, period_code)
);

-- Append-only: one row per change of content or state of a report.
CREATE TABLE progress_report_history (
    id              BIGSERIAL PRIMARY KEY,
    report_id       UUID NOT NULL REFERENCES progress_reports (id),
    revision        INTEGER NOT NULL,
    state           TEXT NOT NULL,
    content         JSONB NOT NULL,
    actual_value    DOUBLE PRECISION,
    review_comment  TEXT,
    recorded_at     TIMESTAMPTZ NOT NULL,
    recorded_by     UUID REFERENCES accounts (id)
);
CREATE INDEX progress_report_history_idx ON progress_report_history (report_id, recorded_at);
