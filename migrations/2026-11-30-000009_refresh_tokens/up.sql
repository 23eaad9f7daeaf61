-- Refresh tokens of the token endpoint. A password sign-in starts a family; each refresh uses
-- the family's current token up and issues its successor (rotation). Revocation is per family
-- (a sign-out, a reused token, the account's password, disabling or roles changing), so the
-- family row is the one a refresh locks and a revocation marks: the two cannot cross. The
-- tokens themselves are kept only as their SHA-256.
CREATE TABLE refresh_token_families (
    id             UUID PRIMARY KEY,
    account_id     UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    started_at     TIMESTAMPTZ NOT NULL,
    -- The absolute cap: no token of the family outlives it, however often it is refreshed.
    expires_at     TIMESTAMPTZ NOT NULL CHECK (expires_at > started_at),
    revoked_at     TIMESTAMPTZ,
    revoke_reason  TEXT CHECK (revoke_reason IN
                       ('logout', 'reuse', 'secret_changed', 'account_disabled', 'bindings_changed')),
    CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
CREATE INDEX refresh_token_families_live_idx
    ON refresh_token_families (account_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    id           UUID PRIMARY KEY,
    family_id    UUID NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    issued_at    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL CHECK (expires_at > issued_at),
    -- Set together when the token is exchanged for its successor.
    used_at      TIMESTAMPTZ,
    replaced_by  UUID REFERENCES refresh_tokens (id) ON DELETE CASCADE,
    CHECK ((used_at IS NULL) = (replaced_by IS NULL))
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_replaced_by_idx ON refresh_tokens (replaced_by);
