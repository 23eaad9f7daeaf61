-- Published results are frozen: each publication of a round's results is a version (1 on
-- publication, then one per correction, each with its reason) holding the snapshot of exactly
-- what the public results endpoint answers. Versions are never changed, only withdrawn: the
-- withdrawal of a round's publication is recorded on its current version.
CREATE TABLE round_publications (
    id                UUID PRIMARY KEY,
    round_id          UUID NOT NULL REFERENCES rounds (id),
    version           INTEGER NOT NULL CHECK (version >= 1),
    snapshot          JSONB NOT NULL,
    published_at      TIMESTAMPTZ NOT NULL,
    published_by      UUID NOT NULL REFERENCES accounts (id),
    reason            TEXT CHECK (reason IS NULL OR length(btrim(reason)) > 0),
    withdrawn_at      TIMESTAMPTZ,
    withdrawn_by      UUID REFERENCES accounts (id),
    withdrawal_reason TEXT,
    UNIQUE (round_id, version),
    -- A correction says why.
    CHECK (version = 1 OR reason IS NOT NULL),
    -- A withdrawal says when, by whom and why.
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL)
       AND (withdrawn_at IS NULL) = (withdrawal_reason IS NULL))
);

-- Anonymous readers of published results, counted per client address in fixed windows. The
-- counts are disposable (UNLOGGED: not replicated, emptied after a crash), yet shared by every
-- replica of the service.
CREATE UNLOGGED TABLE public_read_counts (
    address      TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (address, window_start)
);
CREATE INDEX public_read_counts_window_idx ON public_read_counts (window_start);
