ALTER TABLE accounts
    DROP COLUMN sessions_ended_at,
    DROP COLUMN token_epoch;
