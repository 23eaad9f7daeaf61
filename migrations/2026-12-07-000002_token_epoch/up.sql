-- Sessions that end at once. Every access token this service issues carries its account's
-- token epoch; a token whose epoch is not the account's current one is refused. The epoch goes
-- up when the password changes, when the account is disabled or enabled again, when its role
-- bindings change and when its owner logs out. Tokens of the external identity provider carry
-- no epoch: they are refused when issued at or before `sessions_ended_at`.
ALTER TABLE accounts
    ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0 CHECK (token_epoch >= 0),
    ADD COLUMN sessions_ended_at TIMESTAMPTZ;
