-- The event feed (a transactional outbox): one event per audited change, written in the
-- change's transaction. `position` orders the feed in commit order: a transaction takes the
-- feed's lock (an advisory transaction lock) just before it commits and only then draws its
-- positions, so a position is drawn only after every earlier one is visible; a reader past
-- position N never later finds an event below N.
CREATE SEQUENCE events_position_seq;
CREATE TABLE events (
    position       BIGINT PRIMARY KEY DEFAULT nextval('events_position_seq'),
    id             UUID NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    UUID,
    unit_id        UUID,
    version        INTEGER,
    time           TIMESTAMPTZ NOT NULL
);
ALTER SEQUENCE events_position_seq OWNED BY events.position;
CREATE INDEX events_type_idx ON events (type, position);
CREATE INDEX events_unit_idx ON events (unit_id, position);
