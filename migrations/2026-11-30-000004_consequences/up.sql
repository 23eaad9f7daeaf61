-- What a decided evaluation was used for: commendation and reward, emulation classification,
-- review and discipline, planning, appointment and rotation. Each consequence concerns one of
-- the cadres the evaluation's grade is attributed to and cites the decision document.
CREATE TABLE consequences (
    id               UUID PRIMARY KEY,
    evaluation_id    UUID NOT NULL REFERENCES evaluations (id),
    cadre_id         UUID NOT NULL REFERENCES cadres (id),
    kind             TEXT NOT NULL CHECK (kind IN ('commendation', 'emulation_classification',
                     'review_discipline', 'planning', 'appointment', 'rotation')),
    decision_number  TEXT NOT NULL,
    decision_date    DATE NOT NULL,
    issuer           TEXT NOT NULL,
    note             TEXT,
    recorded_by      UUID NOT NULL REFERENCES accounts (id),
    recorded_at      TIMESTAMPTZ NOT NULL
);
-- One record of a decision per evaluation, cadre and kind.
CREATE UNIQUE INDEX consequences_decision_idx
    ON consequences (evaluation_id, cadre_id, kind, decision_number);
CREATE INDEX consequences_cadre_idx ON consequences (cadre_id);
