-- Department data feeds: licences of machine clients for indicators and units, and the
-- observations they send, idempotent by (client, external id).

ALTER TABLE assignments
    ADD COLUMN indicator_code TEXT,
    ADD COLUMN feed_mismatch_at TIMESTAMPTZ;
CREATE INDEX assignments_indicator_idx ON assignments (indicator_code, assignee_unit_id)
    WHERE indicator_code IS NOT NULL;

CREATE TABLE feed_licences (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    indicator_code  TEXT NOT NULL,
    unit_id         UUID NOT NULL REFERENCES org_units (id),
    include_subtree BOOLEAN NOT NULL DEFAULT false,
    valid_from      DATE NOT NULL,
    valid_to        DATE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX feed_licences_account_idx ON feed_licences (account_id);

CREATE TABLE observations (
    id              UUID PRIMARY KEY,
    client_id       UUID NOT NULL REFERENCES accounts (id),
    external_id     TEXT NOT NULL,
    assignment_id   UUID NOT NULL REFERENCES assignments (id),
    indicator_code  TEXT NOT NULL,
    unit_id         UUID NOT NULL REFERENCES org_units (id),
    observed_on     DATE NOT NULL,
    value           DOUBLE PRECISION NOT NULL,
    source_ref      TEXT,
    provenance      TEXT NOT NULL DEFAULT 'feed' CHECK (provenance IN ('feed', 'self_report', 'verifier')),
    mismatch        BOOLEAN NOT NULL DEFAULT false,
    received_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (client_id, external_id)
);
CREATE INDEX observations_assignment_idx ON observations (assignment_id, observed_on);
