-- Foundation: organisation tree, people, accounts, access control, audit.
-- Validity periods are closed intervals [valid_from, valid_to]; a NULL valid_to means "still valid".
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    value       BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE org_levels (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    rank        INTEGER NOT NULL UNIQUE CHECK (rank BETWEEN 1 AND 100),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE org_units (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    short_name  TEXT,
    unit_type   TEXT NOT NULL,
    level_id    UUID NOT NULL REFERENCES org_levels (id),
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    -- A master-data code names one unit at any moment; it may be reused after the unit closes.
    CONSTRAINT org_units_code_no_overlap
        EXCLUDE USING gist (code WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
);
CREATE INDEX org_units_level_idx ON org_units (level_id);

-- Effective-dated parent links: the tree "as of" a date uses the links valid on that date.
CREATE TABLE org_unit_parents (
    id          UUID PRIMARY KEY,
    unit_id     UUID NOT NULL REFERENCES org_units (id),
    parent_id   UUID NOT NULL REFERENCES org_units (id),
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    CHECK (unit_id <> parent_id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT org_unit_parents_one_parent
        EXCLUDE USING gist (unit_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
);
CREATE INDEX org_unit_parents_parent_idx ON org_unit_parents (parent_id);

CREATE TABLE restructurings (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
    effective_date  DATE NOT NULL,
    decision_ref    TEXT,
    note            TEXT,
    created_by      UUID,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE unit_successions (
    restructuring_id UUID NOT NULL REFERENCES restructurings (id),
    predecessor_id   UUID NOT NULL REFERENCES org_units (id),
    successor_id     UUID NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (predecessor_id, successor_id)
);
CREATE INDEX unit_successions_successor_idx ON unit_successions (successor_id);

CREATE TABLE org_groups (
    id              UUID PRIMARY KEY,
    owner_unit_id   UUID NOT NULL REFERENCES org_units (id),
    year            INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    code            TEXT NOT NULL,
    label_vi        TEXT NOT NULL,
    label_en        TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (owner_unit_id, year, code)
);

CREATE TABLE org_group_members (
    group_id    UUID NOT NULL REFERENCES org_groups (id) ON DELETE CASCADE,
    unit_id     UUID NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (group_id, unit_id)
);

CREATE TABLE cadres (
    id                  UUID PRIMARY KEY,
    personnel_code      TEXT UNIQUE,
    full_name           TEXT NOT NULL,
    gender              TEXT CHECK (gender IN ('male', 'female', 'other')),
    date_of_birth       DATE,
    email               TEXT,
    managing_unit_id    UUID NOT NULL REFERENCES org_units (id),
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX cadres_managing_unit_idx ON cadres (managing_unit_id);

CREATE TABLE posts (
    id          UUID PRIMARY KEY,
    cadre_id    UUID NOT NULL REFERENCES cadres (id),
    unit_id     UUID NOT NULL REFERENCES org_units (id),
    kind        TEXT NOT NULL CHECK (kind IN ('head', 'deputy_head', 'member', 'staff')),
    title       TEXT NOT NULL,
    acting      BOOLEAN NOT NULL DEFAULT false,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    end_reason  TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    -- A unit has at most one head at a time.
    CONSTRAINT posts_one_head
        EXCLUDE USING gist (unit_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&) WHERE (kind = 'head')
);
CREATE INDEX posts_cadre_idx ON posts (cadre_id);
CREATE INDEX posts_unit_idx ON posts (unit_id);

CREATE TABLE accounts (
    id                  UUID PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('user', 'client')),
    secret_hash         TEXT,
    cadre_id            UUID REFERENCES cadres (id),
    home_unit_id        UUID NOT NULL REFERENCES org_units (id),
    external_subject    TEXT UNIQUE,
    disabled            BOOLEAN NOT NULL DEFAULT false,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX accounts_home_unit_idx ON accounts (home_unit_id);

CREATE TABLE role_bindings (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('standing_committee', 'organisation_board', 'supervisor',
                        'unit_head', 'unit_staff', 'data_feed', 'public_reader', 'admin')),
    unit_id         UUID NOT NULL REFERENCES org_units (id),
    include_subtree BOOLEAN NOT NULL DEFAULT false,
    valid_from      DATE NOT NULL,
    valid_to        DATE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX role_bindings_account_idx ON role_bindings (account_id);
CREATE INDEX role_bindings_unit_idx ON role_bindings (unit_id);

-- Failed and successful sign-ins, for brute-force lock-out that holds across replicas.
CREATE TABLE login_attempts (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    username    TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    success     BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username_idx ON login_attempts (username, at);
CREATE INDEX login_attempts_addr_idx ON login_attempts (client_addr, at);

CREATE TABLE audit_events (
    id                  UUID PRIMARY KEY,
    at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_account_id    UUID,
    request_id          TEXT,
    action              TEXT NOT NULL,
    resource_type       TEXT NOT NULL,
    resource_id         UUID,
    unit_id             UUID,
    before              JSONB,
    after               JSONB
);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_id);
CREATE INDEX audit_events_unit_idx ON audit_events (unit_id, at);

-- Stored first responses of POSTs carrying an Idempotency-Key.
CREATE TABLE idempotency_keys (
    account_id      UUID NOT NULL,
    key             TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status          INTEGER,
    response_body   BYTEA,
    response_headers JSONB,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
