-- Evaluation of people by their products: a cadre's (or a collective's) annual or term
-- evaluation over every assignment they answered for, run by the evaluating unit's
-- Organisation Board and decided by its Standing Committee. `basis` holds the contributions
-- (assignment, share, grade) and the facts graded; the quota group counts people.
CREATE TABLE person_evaluations (
    id                      UUID PRIMARY KEY,
    cadre_id                UUID REFERENCES cadres (id),
    collective_unit_id      UUID REFERENCES org_units (id),
    evaluating_unit_id      UUID NOT NULL REFERENCES org_units (id),
    group_id                UUID REFERENCES org_groups (id),
    period_code             TEXT NOT NULL,
    period_end              DATE NOT NULL,
    state                   TEXT NOT NULL CHECK (state IN ('self_assessed', 'returned_to_head',
                            'appraised', 'returned_to_board', 'decided', 'overridden')),
    rule_set_code           TEXT NOT NULL,
    rule_set_version        INTEGER NOT NULL,
    basis                   JSONB NOT NULL,
    suggestion              JSONB NOT NULL,
    self_grade              TEXT,
    self_narrative          TEXT,
    self_assessed_by        UUID REFERENCES accounts (id),
    self_assessed_at        TIMESTAMPTZ,
    appraised_grade         TEXT,
    appraisal_remarks       TEXT,
    appraised_by            UUID REFERENCES accounts (id),
    appraised_at            TIMESTAMPTZ,
    decided_grade           TEXT,
    decision_note           TEXT,
    departure_reason        TEXT,
    quota_exception_reason  TEXT,
    decided_by              UUID REFERENCES accounts (id),
    decided_at              TIMESTAMPTZ,
    return_comment          TEXT,
    supersedes_id           UUID REFERENCES person_evaluations (id),
    override_reason         TEXT,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    -- A person or a collective, never both.
    CHECK ((cadre_id IS NULL) <> (collective_unit_id IS NULL)),
    FOREIGN KEY (rule_set_code, rule_set_version) REFERENCES rule_sets (code, version)
);
-- One standing evaluation per subject, evaluating unit and period.
CREATE UNIQUE INDEX person_evaluations_current_idx ON person_evaluations
    (evaluating_unit_id, COALESCE(cadre_id, collective_unit_id), period_code)
    WHERE state <> 'overridden';
CREATE INDEX person_evaluations_list_idx ON person_evaluations (evaluating_unit_id, period_code, id);
CREATE INDEX person_evaluations_group_idx ON person_evaluations (group_id, period_code);
CREATE INDEX person_evaluations_cadre_idx ON person_evaluations (cadre_id);
