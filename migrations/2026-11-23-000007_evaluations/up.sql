-- Evaluation: grading rule sets as versioned data, the evaluation of each assignment per
-- period (self-assessment → appraisal → decision, overrides kept), and the attribution of
-- decided grades to the cadres who held the head's post.

CREATE TABLE rule_sets (
    code         TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    valid_from   DATE NOT NULL,
    valid_to     DATE,
    definition   JSONB NOT NULL,
    created_by   UUID REFERENCES accounts (id),
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (code, version),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

CREATE TABLE evaluations (
    id                      UUID PRIMARY KEY,
    assignment_id           UUID NOT NULL REFERENCES assignments (id),
    period_code             TEXT NOT NULL,
    period_end              DATE NOT NULL,
    state                   TEXT NOT NULL CHECK (state IN ('self_assessed', 'returned_to_head',
                            'appraised', 'returned_to_board', 'decided', 'overridden')),
    rule_set_code           TEXT NOT NULL,
    rule_set_version        INTEGER NOT NULL,
    facts                   JSONB NOT NULL,
    suggestion              JSONB NOT NULL,
    self_grade              TEXT,
    self_score              DOUBLE PRECISION,
    self_narrative          TEXT,
    evidence_ids            UUID[] NOT NULL DEFAULT '{}',
    self_assessed_by        UUID REFERENCES accounts (id),
    self_assessed_at        TIMESTAMPTZ,
    appraised_grade         TEXT,
    appraised_score         DOUBLE PRECISION,
    appraisal_remarks       TEXT,
    appraised_by            UUID REFERENCES accounts (id),
    appraised_at            TIMESTAMPTZ,
    decided_grade           TEXT,
    decision_note           TEXT,
    quota_exception_reason  TEXT,
    decided_by              UUID REFERENCES accounts (id),
    decided_at              TIMESTAMPTZ,
    return_comment          TEXT,
    supersedes_id           UUID REFERENCES evaluations (id),
    override_reason         TEXT,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (rule_set_code, rule_set_version) REFERENCES rule_sets (code, version)
);
-- One standing evaluation per assignment and period; overridden ones stay beside it.
CREATE UNIQUE INDEX evaluations_current_idx ON evaluations (assignment_id, period_code)
    WHERE state <> 'overridden';
CREATE INDEX evaluations_assignment_idx ON evaluations (assignment_id);

-- Who held the head's post while the graded period ran, and for how much of it.
CREATE TABLE evaluation_attributions (
    evaluation_id  UUID NOT NULL REFERENCES evaluations (id),
    cadre_id       UUID NOT NULL REFERENCES cadres (id),
    post_id        UUID NOT NULL REFERENCES posts (id),
    held_from      DATE NOT NULL,
    held_to        DATE NOT NULL,
    share          DOUBLE PRECISION NOT NULL CHECK (share > 0 AND share <= 1),
    PRIMARY KEY (evaluation_id, post_id)
);
CREATE INDEX evaluation_attributions_cadre_idx ON evaluation_attributions (cadre_id);
