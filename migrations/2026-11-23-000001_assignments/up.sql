-- Assignments and commitments: rounds, per-group rules, assignments with their versioned terms,
-- decision records, signed commitments, signing delegations, plans and amendments.

CREATE TABLE rounds (
    id                  UUID PRIMARY KEY,
    assigning_unit_id   UUID NOT NULL REFERENCES org_units (id),
    year                INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    term_label          TEXT,
    title               TEXT NOT NULL,
    decision_number     TEXT,
    decision_date       DATE,
    signer_title        TEXT,
    signer_name         TEXT,
    state               TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'issued', 'closed')),
    issued_at           TIMESTAMPTZ,
    issued_by           UUID REFERENCES accounts (id),
    override_reason     TEXT,
    override_breaches   JSONB,
    closed_at           TIMESTAMPTZ,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rounds_unit_year_idx ON rounds (assigning_unit_id, year);
CREATE UNIQUE INDEX rounds_decision_number_idx ON rounds (assigning_unit_id, decision_number)
    WHERE decision_number IS NOT NULL;

-- How many tasks each member of a group must receive in a round, and what they must cover.
CREATE TABLE round_group_rules (
    round_id                UUID NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    group_id                UUID NOT NULL REFERENCES org_groups (id),
    min_tasks               INTEGER NOT NULL CHECK (min_tasks >= 0),
    max_tasks               INTEGER CHECK (max_tasks IS NULL OR max_tasks >= min_tasks),
    required_content_areas  TEXT[] NOT NULL DEFAULT '{}',
    growth_target_required  BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (round_id, group_id)
);

CREATE TABLE assignments (
    id                  UUID PRIMARY KEY,
    round_id            UUID NOT NULL REFERENCES rounds (id),
    assigning_unit_id   UUID NOT NULL REFERENCES org_units (id),
    assignee_unit_id    UUID NOT NULL REFERENCES org_units (id),
    code                TEXT,
    title               TEXT NOT NULL,
    description         TEXT,
    content_area        TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('task', 'target')),
    product_description TEXT,
    flags               TEXT[] NOT NULL DEFAULT '{}',
    growth_target       BOOLEAN NOT NULL DEFAULT false,
    start_date          DATE NOT NULL,
    end_date            DATE NOT NULL,
    -- For kind 'target': {unit_of_measure, shape, value, min, max, baseline}.
    target              JSONB,
    rollup              TEXT NOT NULL DEFAULT 'none',
    weight              DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (weight > 0),
    milestones          JSONB NOT NULL DEFAULT '[]',
    parent_id           UUID REFERENCES assignments (id),
    carried_from_id     UUID REFERENCES assignments (id),
    state               TEXT NOT NULL DEFAULT 'draft'
                        CHECK (state IN ('draft', 'issued', 'committed', 'in_progress', 'withdrawn')),
    terms_version       INTEGER NOT NULL DEFAULT 0,
    commitment_id       UUID,
    commitment_invalidated_at TIMESTAMPTZ,
    withdrawn_reason    TEXT,
    search_text         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (end_date >= start_date),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX assignments_round_idx ON assignments (round_id);
CREATE INDEX assignments_assignee_idx ON assignments (assignee_unit_id);
CREATE INDEX assignments_assigning_idx ON assignments (assigning_unit_id);
CREATE INDEX assignments_parent_idx ON assignments (parent_id);
CREATE UNIQUE INDEX assignments_carry_once_idx ON assignments (carried_from_id, round_id)
    WHERE carried_from_id IS NOT NULL;
CREATE UNIQUE INDEX assignments_code_idx ON assignments (round_id, code) WHERE code IS NOT NULL;

-- Every version of an assignment's terms since issue; version n is the n-th frozen text.
CREATE TABLE assignment_terms (
    assignment_id   UUID NOT NULL REFERENCES assignments (id),
    terms_version   INTEGER NOT NULL CHECK (terms_version >= 1),
    terms           JSONB NOT NULL,
    terms_hash      TEXT NOT NULL,
    amendment_id    UUID,
    created_by      UUID REFERENCES accounts (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (assignment_id, terms_version)
);

-- The decision handed to each assignee when a round is issued.
CREATE TABLE assignment_decisions (
    id                  UUID PRIMARY KEY,
    round_id            UUID NOT NULL REFERENCES rounds (id),
    assignee_unit_id    UUID NOT NULL REFERENCES org_units (id),
    decision_number     TEXT,
    decision_date       DATE,
    assignment_ids      UUID[] NOT NULL,
    terms_hash          TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (round_id, assignee_unit_id)
);

-- A recorded authority for a cadre other than the head to sign for a unit.
CREATE TABLE signing_delegations (
    id              UUID PRIMARY KEY,
    unit_id         UUID NOT NULL REFERENCES org_units (id),
    cadre_id        UUID NOT NULL REFERENCES cadres (id),
    valid_from      DATE NOT NULL,
    valid_to        DATE,
    decision_ref    TEXT,
    reason          TEXT NOT NULL,
    created_by      UUID REFERENCES accounts (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX signing_delegations_unit_idx ON signing_delegations (unit_id);

CREATE TABLE commitments (
    id                  UUID PRIMARY KEY,
    round_id            UUID NOT NULL REFERENCES rounds (id),
    assignee_unit_id    UUID NOT NULL REFERENCES org_units (id),
    signer_account_id   UUID NOT NULL REFERENCES accounts (id),
    signer_cadre_id     UUID NOT NULL REFERENCES cadres (id),
    signer_post_id      UUID REFERENCES posts (id),
    delegation_id       UUID REFERENCES signing_delegations (id),
    signed_at           TIMESTAMPTZ NOT NULL,
    terms               JSONB NOT NULL,
    terms_hash          TEXT NOT NULL,
    signature_algorithm TEXT,
    signature           TEXT,
    signer_key_pem      TEXT,
    signature_check     TEXT CHECK (signature_check IN ('valid', 'invalid', 'malformed')),
    signature_detail    TEXT,
    invalidated_at      TIMESTAMPTZ,
    invalidated_reason  TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX commitments_round_unit_idx ON commitments (round_id, assignee_unit_id);
ALTER TABLE assignments ADD CONSTRAINT assignments_commitment_fk
    FOREIGN KEY (commitment_id) REFERENCES commitments (id);

CREATE TABLE plans (
    id                  UUID PRIMARY KEY,
    assignment_id       UUID NOT NULL UNIQUE REFERENCES assignments (id),
    state               TEXT NOT NULL DEFAULT 'draft'
                        CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    solutions           TEXT NOT NULL,
    general_objective   TEXT NOT NULL,
    specific_objectives JSONB NOT NULL DEFAULT '[]',
    roadmap             JSONB NOT NULL DEFAULT '[]',
    revision            INTEGER NOT NULL DEFAULT 1,
    submitted_at        TIMESTAMPTZ,
    submitted_by        UUID REFERENCES accounts (id),
    reviewed_at         TIMESTAMPTZ,
    reviewed_by         UUID REFERENCES accounts (id),
    review_comment      TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE amendments (
    id                  UUID PRIMARY KEY,
    assignment_id       UUID NOT NULL REFERENCES assignments (id),
    kind                TEXT NOT NULL CHECK (kind IN ('target_change', 'deadline_change', 'withdrawal')),
    justification       TEXT NOT NULL,
    objective_cause     BOOLEAN NOT NULL DEFAULT false,
    proposed            JSONB NOT NULL DEFAULT '{}',
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    requested_by        UUID NOT NULL REFERENCES accounts (id),
    requested_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_by          UUID REFERENCES accounts (id),
    decided_at          TIMESTAMPTZ,
    decision_comment    TEXT,
    resulting_terms_version INTEGER,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX amendments_assignment_idx ON amendments (assignment_id);
-- At most one open request per assignment.
CREATE UNIQUE INDEX amendments_one_pending_idx ON amendments (assignment_id) WHERE state = 'pending';
