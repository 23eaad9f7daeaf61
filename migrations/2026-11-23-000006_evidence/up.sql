-- Evidence of results: uploaded files (stored once per content hash), links and references to
-- official documents. Evidence is never edited: it is retracted with a reason, marked verified
-- or disputed, and its file re-hashed; each of those is kept.

-- One row per distinct content; the bytes live in the object store under sha256/xx/<hash>.
CREATE TABLE evidence_blobs (
    sha256          TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes      BIGINT NOT NULL CHECK (size_bytes >= 0),
    media_type      TEXT NOT NULL,
    first_stored_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE evidence (
    id                    UUID PRIMARY KEY,
    assignment_id         UUID NOT NULL REFERENCES assignments (id),
    report_id             UUID REFERENCES progress_reports (id),
    milestone_index       INTEGER CHECK (milestone_index >= 0),
    kind                  TEXT NOT NULL CHECK (kind IN ('file', 'link', 'document')),
    title                 TEXT NOT NULL,
    description           TEXT,
    sha256                TEXT REFERENCES evidence_blobs (sha256),
    file_name             TEXT,
    media_type            TEXT,
    size_bytes            BIGINT,
    url                   TEXT,
    document_number       TEXT,
    document_date         DATE,
    document_issuer       TEXT,
    submitted_by          UUID NOT NULL REFERENCES accounts (id),
    submitted_at          TIMESTAMPTZ NOT NULL,
    verification          TEXT NOT NULL DEFAULT 'unverified'
                          CHECK (verification IN ('unverified', 'verified', 'disputed')),
    verified_by           UUID REFERENCES accounts (id),
    verified_at           TIMESTAMPTZ,
    verification_comment  TEXT,
    integrity             TEXT NOT NULL DEFAULT 'unchecked'
                          CHECK (integrity IN ('unchecked', 'intact', 'failed')),
    integrity_checked_at  TIMESTAMPTZ,
    retracted_by          UUID REFERENCES accounts (id),
    retracted_at          TIMESTAMPTZ,
    retraction_reason     TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    -- The uploader's Idempotency-Key, so a retried upload returns the first record.
    idempotency_key       TEXT,
    CHECK (kind <> 'file' OR (sha256 IS NOT NULL AND file_name IS NOT NULL
                              AND media_type IS NOT NULL AND size_bytes IS NOT NULL)),
    CHECK (kind <> 'link' OR url IS NOT NULL),
    CHECK (kind <> 'document' OR (document_number IS NOT NULL AND document_date IS NOT NULL
                                  AND document_issuer IS NOT NULL)),
    CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL))
);
CREATE INDEX evidence_assignment_idx ON evidence (assignment_id, id);
CREATE INDEX evidence_sha256_idx ON evidence (sha256);
CREATE UNIQUE INDEX evidence_idempotency_idx ON evidence (submitted_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Every verification mark, in order; the evidence row holds the latest.
CREATE TABLE evidence_marks (
    id           UUID PRIMARY KEY,
    evidence_id  UUID NOT NULL REFERENCES evidence (id),
    mark         TEXT NOT NULL CHECK (mark IN ('verified', 'disputed')),
    comment      TEXT NOT NULL,
    marked_by    UUID NOT NULL REFERENCES accounts (id),
    marked_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_marks_evidence_idx ON evidence_marks (evidence_id, id);

-- Every re-hash of a stored file.
CREATE TABLE evidence_integrity_checks (
    id             UUID PRIMARY KEY,
    evidence_id    UUID NOT NULL REFERENCES evidence (id),
    intact         BOOLEAN NOT NULL,
    expected       TEXT NOT NULL,
    actual         TEXT,
    actual_size    BIGINT,
    checked_by     UUID NOT NULL REFERENCES accounts (id),
    checked_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_checks_evidence_idx ON evidence_integrity_checks (evidence_id, id);
