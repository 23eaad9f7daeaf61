-- Webhooks (Standard Webhooks 1.0). A subscription reads the event feed as its owner would,
-- from its own cursor; the dispatcher turns each event it may read into a delivery, and the
-- delivery workers send due deliveries, each under a row lock taken with SKIP LOCKED and held
-- until its attempt is recorded, so two replicas never make the same attempt.
CREATE TABLE webhook_subscriptions (
    id                UUID PRIMARY KEY,
    owner_account_id  UUID NOT NULL REFERENCES accounts (id),
    url               TEXT NOT NULL,
    description       TEXT,
    -- Event types to deliver (empty: every type the owner may read).
    event_types       TEXT[] NOT NULL DEFAULT '{}',
    -- Only events of this unit and its subtree (NULL: wherever the owner may read).
    unit_id           UUID REFERENCES org_units (id),
    status            TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    disabled_at       TIMESTAMPTZ,
    disabled_reason   TEXT,
    -- The feed position up to which events have been turned into deliveries.
    cursor            BIGINT NOT NULL,
    -- Since when every attempt has failed (NULL after a success).
    failing_since     TIMESTAMPTZ,
    last_success_at   TIMESTAMPTZ,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_subscriptions_owner_idx ON webhook_subscriptions (owner_account_id, id);
CREATE INDEX webhook_subscriptions_active_idx ON webhook_subscriptions (cursor) WHERE status = 'active';

-- Signing secrets: the newest signs; an older one keeps signing beside it until it expires
-- (rotation with overlap).
CREATE TABLE webhook_secrets (
    id               UUID PRIMARY KEY,
    subscription_id  UUID NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    secret           TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ
);
CREATE INDEX webhook_secrets_subscription_idx ON webhook_secrets (subscription_id, created_at);

CREATE TABLE webhook_deliveries (
    id               UUID PRIMARY KEY,
    subscription_id  UUID NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_position   BIGINT NOT NULL REFERENCES events (position),
    event_type       TEXT NOT NULL,
    -- The exact body sent at every attempt (the CloudEvent).
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- Attempts since the delivery was (re)scheduled: drives the back-off.
    schedule_step    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    last_status      INTEGER,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    delivered_at     TIMESTAMPTZ,
    dead_at          TIMESTAMPTZ,
    UNIQUE (subscription_id, event_position)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    id                UUID PRIMARY KEY,
    delivery_id       UUID NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number            INTEGER NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    duration_ms       INTEGER NOT NULL,
    response_status   INTEGER,
    error             TEXT,
    UNIQUE (delivery_id, number)
);
